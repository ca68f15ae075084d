"""Reading and writing ``config.toml``: atomic writes, versioned upgrades, per-area fallback.

A broken value never stops the studio: the area it belongs to starts with defaults, the problem
is reported with the exact key, and the original file is kept as a ``.bak`` before it is ever
overwritten, so nothing the user wrote is lost.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import tomli_w

from studio.config.settings import AREAS, CONFIG_VERSION, AreaSettings, StudioConfig
from studio.core.errors import ConfigError

log = logging.getLogger(__name__)

RawConfig = dict[str, Any]
Upgrade = Callable[[RawConfig], RawConfig]
A = TypeVar("A", bound=AreaSettings)


def _v0_to_v1(raw: RawConfig) -> RawConfig:
    """Files written before versioning: same tables, just stamp the version."""
    return raw


UPGRADES: dict[int, Upgrade] = {0: _v0_to_v1}
"""``UPGRADES[n]`` turns a version-``n`` file into version ``n + 1``."""


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One thing wrong with the config file, for the log, ``studio doctor`` and the GUI."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


@dataclass(slots=True)
class LoadResult:
    """What :meth:`ConfigStore.load` found."""

    config: StudioConfig
    problems: list[ConfigProblem] = field(default_factory=list)
    upgraded_from: int | None = None


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # directories cannot be opened on Windows; the replace is still atomic there
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def upgrade_raw(raw: RawConfig, upgrades: Mapping[int, Upgrade] = UPGRADES) -> tuple[RawConfig, int | None]:
    """Bring a parsed file up to :data:`CONFIG_VERSION`.

    Returns:
        The upgraded mapping and the version it started at (``None`` if already current).

    Raises:
        ConfigError: the file is from a newer studio, or a step is missing.
    """
    version = raw.get("version", 0)
    if not isinstance(version, int) or version < 0:
        raise ConfigError(f"'version' must be a whole number, not {version!r}", key="version")
    if version > CONFIG_VERSION:
        raise ConfigError(
            f"config.toml is version {version}, written by a newer Cream Studio (this one reads up to "
            f"{CONFIG_VERSION}). Update the studio or remove the file.",
            key="version",
        )
    start = version
    while version < CONFIG_VERSION:
        step = upgrades.get(version)
        if step is None:
            raise ConfigError(f"no upgrade from config version {version}", key="version")
        raw = step(dict(raw))
        version += 1
    raw["version"] = CONFIG_VERSION
    return raw, (start if start != CONFIG_VERSION else None)


def _format_loc(area: str, loc: tuple[int | str, ...]) -> str:
    return ".".join([area, *(str(part) for part in loc)])


def build_area(
    cls: type[AreaSettings], values: Mapping[str, Any]
) -> tuple[AreaSettings, list[ConfigProblem]]:
    """Validate one area; on error return its defaults and the problems, each naming its key."""
    problems: list[ConfigProblem] = []
    known = set(cls.model_fields)
    for key in values:
        if key not in known:
            problems.append(ConfigProblem(f"{cls.area}.{key}", "unknown setting, ignored"))
    try:
        return cls(**{k: v for k, v in values.items() if k in known}), problems
    except pydantic.ValidationError as exc:
        for err in exc.errors():
            problems.append(
                ConfigProblem(
                    _format_loc(cls.area, err["loc"]), f"{err['msg']}; using defaults for [{cls.area}]"
                )
            )
    try:
        return cls(), problems
    except pydantic.ValidationError as exc:  # an environment override is broken too
        for err in exc.errors():
            problems.append(ConfigProblem(_format_loc(cls.area, err["loc"]), f"{err['msg']} (environment)"))
        return cls.model_construct(), problems


class ConfigStore:
    """Owns ``config.toml``. Thread-safe; every save is atomic.

    Args:
        path: The TOML file (created on first save).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._needs_backup = False
        self._read_only = False
        self._file_raw: RawConfig = {}

    def peek(self, cls: type[A]) -> A:
        """One area from the file, or its defaults if anything is wrong; logs nothing, writes nothing."""
        try:
            raw, _ = upgrade_raw(tomllib.loads(self.path.read_text(encoding="utf-8")))
            section = raw.get(cls.area, {})
            return cls(**{k: v for k, v in section.items() if k in cls.model_fields})
        except (OSError, ValueError, ConfigError, AttributeError, pydantic.ValidationError):
            try:
                return cls()
            except pydantic.ValidationError:
                return cls.model_construct()  # type: ignore[return-value]

    def peek_problems(self) -> list[ConfigProblem]:
        """Validate the file without writing, backing up or upgrading it on disk."""
        probe = ConfigStore(self.path)
        probe._read_only = True
        return probe.load().problems

    def load(self) -> LoadResult:
        """Read the file (missing = defaults) and validate each area on its own."""
        raw: RawConfig = {}
        problems: list[ConfigProblem] = []
        upgraded_from: int | None = None
        if self.path.exists():
            try:
                raw = tomllib.loads(self.path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                problems.append(ConfigProblem("config.toml", f"cannot be read ({exc}); using defaults"))
                raw = {}
                self._needs_backup = True
            try:
                raw, upgraded_from = upgrade_raw(raw)
            except ConfigError as exc:
                problems.append(ConfigProblem(exc.key or "version", f"{exc}; using defaults"))
                raw = {}
                self._needs_backup = True
        areas: dict[str, AreaSettings] = {}
        self._file_raw = raw
        for cls in AREAS:
            section = raw.get(cls.area, {})
            if not isinstance(section, dict):
                problems.append(ConfigProblem(cls.area, "must be a table; using defaults"))
                section = {}
            areas[cls.area], area_problems = build_area(cls, section)
            problems.extend(area_problems)
        known_tables = {cls.area for cls in AREAS} | {"version"}
        problems.extend(
            ConfigProblem(key, "unknown section, ignored") for key in raw if key not in known_tables
        )
        if problems:  # anything ignored or replaced would be lost on the next save: keep the original
            self._needs_backup = True
        for problem in problems:
            log.warning("config problem: %s", problem, extra={"key": problem.key})
        config = StudioConfig(**areas)
        if upgraded_from is not None and not self._read_only:
            self._backup(f"v{upgraded_from}")
            self.save(config)
            log.info("config upgraded", extra={"from_version": upgraded_from, "to_version": CONFIG_VERSION})
        return LoadResult(config, problems, upgraded_from)

    def save(self, config: StudioConfig) -> None:
        """Write all areas atomically. The previous file is backed up first if it had problems."""
        doc: RawConfig = {"version": CONFIG_VERSION}
        env = {key.upper() for key in os.environ}
        for cls in AREAS:
            values = config.area(cls.area).model_dump(mode="json")
            # A value that comes from a STUDIO_* variable is not the user's file setting: keep
            # what the file had (or nothing), so the override does not become permanent.
            prefix = str(cls.model_config.get("env_prefix", "")).upper()
            file_section = self._file_raw.get(cls.area, {})
            for name in list(values):
                if f"{prefix}{name.upper()}" in env:
                    if isinstance(file_section, dict) and name in file_section:
                        values[name] = file_section[name]
                    else:
                        del values[name]
            doc[cls.area] = values
        data = tomli_w.dumps(doc).encode("utf-8")
        with self._lock:
            if self._needs_backup:
                self._backup("invalid")
                self._needs_backup = False
            try:
                atomic_write(self.path, data)
            except OSError as exc:
                raise ConfigError(f"Cannot write {self.path}: {exc.strerror or exc}") from exc

    def save_area(self, config: StudioConfig, area: AreaSettings) -> StudioConfig:
        """Replace one area in ``config``, save, and return the new config."""
        updated = config.model_copy(update={area.area: area})
        self.save(updated)
        return updated

    def _backup(self, tag: str) -> None:
        if self.path.exists():
            backup = self.path.with_name(f"{self.path.name}.{tag}-{time.strftime('%Y%m%d-%H%M%S')}.bak")
            backup.write_bytes(self.path.read_bytes())
            log.warning("kept a copy of the previous config", extra={"backup": str(backup)})
