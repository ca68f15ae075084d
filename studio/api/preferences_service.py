"""Per-user preferences: validation, shallow merge, reset, and secrets kept out of the database.

The document is free-form JSON (StreamCream's ``UserSetting.preferences``); the fields the studio
and the StreamCream front end know are type-checked (:class:`PreferencesPatch`). Any value under a
key named like a secret (``apiKey``, ``stream_key``/``streamKey``, ``*token``, ``*password``,
``*secret`` ...) goes to the secrets store under ``user.<id>.prefs<JSON pointer>`` and the stored
document keeps ``"***"`` in its place, so reads show ``"***"`` (write-only). Writing ``"***"``
back keeps the stored secret, ``""`` or ``null`` deletes it, and a shallow merge that replaces
the object holding a secret deletes that secret too.

Engine loop; the secrets store is called in worker threads (OS keyrings block).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from studio.config.secrets import SecretStore
from studio.core.errors import StudioError
from studio.storage.prefs_repo import PreferencesRepo

log = logging.getLogger(__name__)

MASK = "***"
MAX_PREFS_BYTES = 64 * 1024  # the whole stored document, as compact JSON
MAX_DEPTH = 16
MAX_KEY_CHARS = 200
MAX_SECRET_CHARS = 4096
# Top-level names of the envelope: legacy GET returns the preference keys beside them.
RESERVED_KEYS = frozenset({"success", "message", "data", "timestamp", "code"})
_SECRET_SUFFIXES = (
    "apikey",
    "token",
    "password",
    "passwd",
    "secret",
    "streamkey",
    "accesskey",
    "secretkey",
    "privatekey",
)
_COLOR = r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,32}|(rgb|rgba|hsl|hsla)\([0-9.,%/\s]{1,48}\))$"


class RequestRefusedError(StudioError):
    """A request these routes refuse, with its HTTP status.

    Args:
        message: What is wrong, for a person (never contains a secret).
        code: Machine-readable code.
        status: HTTP status (400, 401, 403, 404, 413, 415, 503).
    """

    def __init__(self, message: str, *, code: str, status: int = 400) -> None:
        super().__init__(message, code=code)
        self.status = status


def is_secret_key(key: str) -> bool:
    """True when a preference named ``key`` holds a secret (``apiKey``, ``stream_key``, ``*Token``...)."""
    return re.sub(r"[^a-z0-9]", "", key.lower()).endswith(_SECRET_SUFFIXES)


def _integral(value: Any) -> Any:
    # JSON Schema's "integer" includes 30.0; strict pydantic would refuse it.
    return int(value) if isinstance(value, float) and value.is_integer() else value


class _Known(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class AiSettingsPatch(_Known):
    """``aiSettings``: the OpenAI-compatible chat provider the front end calls."""

    provider: str | None = Field(None, max_length=2048, description="Chat-completions URL or provider name.")
    custom_provider: str | None = Field(None, alias="customProvider", max_length=2048)
    api_key: str | None = Field(
        None,
        alias="apiKey",
        max_length=MAX_SECRET_CHARS,
        description='Write-only: in the secrets store, read back as "***". "***" keeps it, "" deletes it.',
    )
    model_name: str | None = Field(None, alias="modelName", max_length=200)
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: Annotated[int, Field(ge=1, le=1_000_000), BeforeValidator(_integral)] | None = Field(
        None, alias="maxTokens"
    )


class LiveSettingsPatch(_Known):
    """``liveSettings``: what the streamer prefers when going live."""

    resolution: str | None = Field(None, max_length=32, description="e.g. 1920x1080")
    fps: Annotated[int, Field(ge=1, le=240), BeforeValidator(_integral)] | None = None
    bg_preference: str | None = Field(None, alias="bgPreference", max_length=512)
    platform_preference: str | None = Field(None, alias="platformPreference", max_length=64)


class Live2dSettingsPatch(_Known):
    """``live2dSettings``: where the avatar sits."""

    x: float | None = None
    y: float | None = None
    scale: float | None = Field(None, gt=0, le=100)


_WRITE_ONLY_DOC = "Write-only secret (see apiKey)."


class PreferencesPatch(_Known):
    """Preferences to merge (shallow: each top-level key replaces the stored one). Free-form JSON;
    the known fields below are type-checked. Keys named like secrets are write-only."""

    debug_mode: bool | None = Field(None, alias="debugMode")
    banner_color: str | None = Field(
        None, alias="bannerColor", max_length=64, pattern=_COLOR, description="CSS colour, e.g. #ff88aa"
    )
    resolution: str | None = Field(None, max_length=32)
    ai_settings: AiSettingsPatch | None = Field(None, alias="aiSettings")
    live_settings: LiveSettingsPatch | None = Field(None, alias="liveSettings")
    live2d_settings: Live2dSettingsPatch | None = Field(None, alias="live2dSettings")
    rtmp_url: str | None = Field(None, max_length=2048)
    stream_key: str | None = Field(None, max_length=MAX_SECRET_CHARS, description=_WRITE_ONLY_DOC)
    stream_key_camel: str | None = Field(
        None, alias="streamKey", max_length=MAX_SECRET_CHARS, description=_WRITE_ONLY_DOC
    )


def validation_message(exc: pydantic.ValidationError) -> str:
    """One readable line for a rejected patch (field paths and reasons; never the values)."""
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "Invalid preferences: " + "; ".join(parts)


def _pointer(path: tuple[str, ...]) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in path)


def _check_shape(doc: dict[str, Any]) -> None:
    """Depth and key limits, iteratively (a deep document must not exhaust the stack)."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise RequestRefusedError(
                f"Preferences are nested deeper than {MAX_DEPTH} levels.", code="invalid_preferences"
            )
        if isinstance(node, dict):
            for key, value in node.items():
                if len(key) > MAX_KEY_CHARS:
                    raise RequestRefusedError(
                        f"A preference name is longer than {MAX_KEY_CHARS} characters.",
                        code="invalid_preferences",
                    )
                stack.append((value, depth + 1))
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def secret_paths(doc: Any, path: tuple[str, ...] = (), secret: bool = False) -> Iterator[tuple[str, ...]]:
    """Paths of the ``"***"`` placeholders of stored secrets in ``doc``."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from secret_paths(value, (*path, key), secret or is_secret_key(key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from secret_paths(value, (*path, str(i)), secret)
    elif secret and doc == MASK:
        yield path


_DROP = object()


def _at(doc: Any, key: str) -> Any:
    if isinstance(doc, dict):
        return doc.get(key)
    if isinstance(doc, list) and key.isdigit() and int(key) < len(doc):
        return doc[int(key)]
    return None


def _split(
    value: Any, old: Any, path: tuple[str, ...], secret: bool, sets: dict[tuple[str, ...], str]
) -> Any:
    """``value`` as stored (secrets replaced by ``"***"``); new secret values collected in ``sets``."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            stored = _split(item, _at(old, key), (*path, key), secret or is_secret_key(key), sets)
            if stored is not _DROP:
                out[key] = stored
        return out
    if isinstance(value, list):
        items = [
            _split(item, _at(old, str(i)), (*path, str(i)), secret, sets) for i, item in enumerate(value)
        ]
        return [None if item is _DROP else item for item in items]
    if not secret or value is None or value == "":
        return value
    if value == MASK:  # "keep what is stored"; nothing stored -> nothing to keep
        return MASK if old == MASK else _DROP
    text = value if isinstance(value, str) else json.dumps(value)
    if len(text) > MAX_SECRET_CHARS:
        raise RequestRefusedError(
            f"The secret at {_pointer(path)} is longer than {MAX_SECRET_CHARS} characters.",
            code="invalid_preferences",
        )
    sets[path] = text
    return MASK


@dataclass(slots=True)
class _Plan:
    merged: dict[str, Any]
    sets: dict[tuple[str, ...], str]
    deletes: set[tuple[str, ...]]


def plan_merge(current: dict[str, Any], patch: dict[str, Any]) -> _Plan:
    """The stored document after a shallow merge of ``patch``, and the secret writes it needs.

    Raises:
        RequestRefusedError: reserved keys, too deep, too large or a too long secret.
    """
    reserved = sorted(RESERVED_KEYS & patch.keys())
    if reserved:
        raise RequestRefusedError(
            f"Preference names {', '.join(reserved)} are reserved (the response envelope uses them).",
            code="invalid_preferences",
        )
    _check_shape(patch)
    sets: dict[tuple[str, ...], str] = {}
    merged = dict(current)
    for key, value in patch.items():
        stored = _split(value, current.get(key), (key,), is_secret_key(key), sets)
        if stored is _DROP:
            merged.pop(key, None)
        else:
            merged[key] = stored
    try:
        size = len(json.dumps(merged, ensure_ascii=False, separators=(",", ":")).encode())
        for value in sets.values():
            value.encode()
    except UnicodeEncodeError as exc:  # lone surrogates ("\\ud800"): not storable text
        raise RequestRefusedError(
            "Preferences contain invalid Unicode text.", code="invalid_preferences"
        ) from exc
    if size > MAX_PREFS_BYTES:
        raise RequestRefusedError(
            f"Preferences would take {size} bytes; the limit is {MAX_PREFS_BYTES // 1024} KiB.",
            code="preferences_too_large",
            status=413,
        )
    deletes = set(secret_paths(current)) - set(secret_paths(merged))
    return _Plan(merged, sets, deletes)


def with_defaults(doc: dict[str, Any]) -> dict[str, Any]:
    """What reads return: the stored document with ``debugMode`` defaulted to false (as StreamCream)."""
    out = dict(doc)
    if out.get("debugMode") is None:
        out["debugMode"] = False
    return out


class PreferencesService:
    """Reads and writes preferences of one studio (shared by both route families).

    Args:
        repo: The ``user_preferences`` table.
        secrets: The secrets store that holds the write-only values.
    """

    def __init__(self, repo: PreferencesRepo, secrets: SecretStore) -> None:
        self.repo = repo
        self.secrets = secrets
        self._locks: dict[int, asyncio.Lock] = {}

    def _lock(self, user_id: int) -> asyncio.Lock:
        return self._locks.setdefault(user_id, asyncio.Lock())

    @staticmethod
    def secret_name(user_id: int, path: tuple[str, ...]) -> str:
        """The secrets-store name of the preference at ``path`` of ``user_id``."""
        return f"user.{user_id}.prefs{_pointer(path)}"

    async def read(self, user_id: int) -> dict[str, Any]:
        """The user's preferences as clients see them (secrets masked, defaults applied)."""
        return with_defaults(await self.repo.get(user_id) or {})

    async def merge(self, user_id: int, patch: dict[str, Any]) -> dict[str, Any]:
        """Validate ``patch`` and shallow-merge it into the stored preferences; return the result.

        Raises:
            RequestRefusedError: invalid known fields (400), reserved names, too deep, too large (413).
        """
        try:
            PreferencesPatch.model_validate(patch)
        except pydantic.ValidationError as exc:
            raise RequestRefusedError(validation_message(exc), code="invalid_preferences") from exc
        async with self._lock(user_id):
            current = await self.repo.get(user_id) or {}
            plan = plan_merge(current, patch)
            for path, value in plan.sets.items():
                await asyncio.to_thread(self.secrets.set, self.secret_name(user_id, path), value)
            await self.repo.put(user_id, plan.merged)
            await self._delete_secrets(user_id, plan.deletes)
        return with_defaults(plan.merged)

    async def reset(self, user_id: int) -> dict[str, Any]:
        """Forget the user's preferences and their secrets; return the (default) result."""
        async with self._lock(user_id):
            current = await self.repo.get(user_id) or {}
            await self.repo.delete(user_id)
            await self._delete_secrets(user_id, set(secret_paths(current)))
        return with_defaults({})

    async def secret(self, user_id: int, *path: str) -> str | None:
        """The real value of a masked preference (for the studio's own use, never for responses)."""
        return await asyncio.to_thread(self.secrets.get, self.secret_name(user_id, path))

    async def _delete_secrets(self, user_id: int, paths: set[tuple[str, ...]]) -> None:
        for path in paths:
            await asyncio.to_thread(self.secrets.delete, self.secret_name(user_id, path))
        if paths:
            log.info("preference secrets removed", extra={"user_id": user_id, "count": len(paths)})
