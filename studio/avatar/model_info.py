"""Live2D model files, read as plain JSON: what a model holds and which files it needs.

Two formats exist. Cubism 3, 4 and 5 share ``<name>.model3.json`` (``FileReferences`` with
``Moc``, ``Textures``, ``Physics``, ``Pose``, ``DisplayInfo``, ``UserData``, ``Expressions``,
``Motions``; ``Groups`` naming the ``LipSync`` and ``EyeBlink`` parameters; ``HitAreas``).
Cubism 2 uses ``<name>.model.json`` (``model``, ``textures``, ``physics``, ``pose``,
``expressions``, ``motions``, ``hit_areas``). Both are parsed into one :class:`ModelInfo`.

Nothing here loads the model into Live2D (no ``live2d``, no OpenGL): the library uses it to
validate an import and to guess the avatar's default settings. Pure functions; any thread.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from studio.core.errors import ValidationError

MODEL3_SUFFIX = ".model3.json"
MODEL2_SUFFIX = ".model.json"
MAX_MODEL_JSON_BYTES = 16 * 1024 * 1024  # real model files are a few KiB

FileKind = Literal[
    "moc", "texture", "physics", "pose", "display_info", "user_data", "expression", "motion", "sound"
]
REQUIRED_KINDS: frozenset[str] = frozenset({"moc", "texture"})
"""Without these the model cannot be drawn; the other files only add features."""

DEFAULT_LIPSYNC_V3 = "ParamMouthOpenY"
DEFAULT_LIPSYNC_V2 = "PARAM_MOUTH_OPEN_Y"
DEFAULT_EYEBLINK_V2 = ("PARAM_EYE_L_OPEN", "PARAM_EYE_R_OPEN")


class ModelFileError(ValidationError):
    """A model file is not valid JSON, has the wrong shape, or points at unusable files."""

    code = "invalid_model"


@dataclass(frozen=True, slots=True)
class ExpressionRef:
    """One expression: its name (used to select it) and its file."""

    name: str
    file: str


@dataclass(frozen=True, slots=True)
class MotionRef:
    """One motion of a group, with its optional sound and fade times (seconds)."""

    file: str
    sound: str | None = None
    fade_in: float | None = None
    fade_out: float | None = None


@dataclass(frozen=True, slots=True)
class HitArea:
    """A tappable area: ``id`` is the drawable/area id, ``name`` the label renderers report."""

    id: str
    name: str

    @property
    def key(self) -> str:
        """The label a renderer reports on a hit (``name``, or ``id`` when the name is empty)."""
        return self.name or self.id


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file the model json refers to, relative to the model json's folder."""

    path: str
    kind: FileKind

    @property
    def required(self) -> bool:
        """True for the moc and the textures."""
        return self.kind in REQUIRED_KINDS


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A parsed model json.

    Attributes:
        path: The model json file.
        cubism: 2 for ``.model.json``, 3 for ``.model3.json`` (Cubism 3, 4 and 5).
        version: The ``Version`` the file declares (0 when absent).
        moc: The moc/moc3 file; textures: texture images, in index order.
        motions: Motion group name -> motions, in file order.
        lip_sync_ids: ``Groups`` -> ``LipSync`` parameter ids (empty when the model names none).
        eye_blink_ids: ``Groups`` -> ``EyeBlink`` parameter ids.
    """

    path: Path
    cubism: Literal[2, 3]
    version: int
    moc: str
    textures: tuple[str, ...]
    physics: str | None = None
    pose: str | None = None
    display_info: str | None = None
    user_data: str | None = None
    expressions: tuple[ExpressionRef, ...] = ()
    motions: Mapping[str, tuple[MotionRef, ...]] = field(default_factory=dict)
    lip_sync_ids: tuple[str, ...] = ()
    eye_blink_ids: tuple[str, ...] = ()
    hit_areas: tuple[HitArea, ...] = ()

    @property
    def folder(self) -> Path:
        """The folder every referenced file must stay in."""
        return self.path.parent

    @property
    def name(self) -> str:
        """The model's name from its file name (``Mao.model3.json`` -> ``Mao``)."""
        file_name = self.path.name
        for suffix in (MODEL3_SUFFIX, MODEL2_SUFFIX, ".json"):
            if file_name.lower().endswith(suffix):
                stem = file_name[: -len(suffix)]
                return stem if stem and stem.lower() != "model" else self.folder.name
        return file_name

    @property
    def expression_names(self) -> tuple[str, ...]:
        """Expression names in index order."""
        return tuple(e.name for e in self.expressions)

    @property
    def mouth_ids(self) -> tuple[str, ...]:
        """The parameters lip-sync should drive: the model's ``LipSync`` group, else the standard id."""
        if self.lip_sync_ids:
            return self.lip_sync_ids
        return (DEFAULT_LIPSYNC_V2 if self.cubism == 2 else DEFAULT_LIPSYNC_V3,)

    def referenced_files(self) -> list[FileRef]:
        """Every file the model json names, in a stable order, each listed once."""
        refs: list[FileRef] = [FileRef(self.moc, "moc")]
        refs += [FileRef(t, "texture") for t in self.textures]
        single: list[tuple[str | None, FileKind]] = [
            (self.physics, "physics"),
            (self.pose, "pose"),
            (self.display_info, "display_info"),
            (self.user_data, "user_data"),
        ]
        refs += [FileRef(p, kind) for p, kind in single if p]
        refs += [FileRef(e.file, "expression") for e in self.expressions]
        for group in self.motions.values():
            for motion in group:
                refs.append(FileRef(motion.file, "motion"))
                if motion.sound:
                    refs.append(FileRef(motion.sound, "sound"))
        seen: set[str] = set()
        unique = []
        for ref in refs:
            if ref.path not in seen:
                seen.add(ref.path)
                unique.append(ref)
        return unique

    def resolve(self, ref: str) -> Path:
        """The absolute path of a referenced file, refusing any that leaves the model folder.

        Raises:
            ModelFileError: the reference is absolute or escapes the folder (``..``, a symlink).
        """
        folder = self.folder.resolve()
        raw = Path(ref)
        try:
            target = (folder / raw).resolve()
        except (OSError, RuntimeError, ValueError) as exc:
            raise ModelFileError(f"{self.path.name}: cannot use the file {ref!r} ({exc}).") from exc
        if raw.is_absolute() or raw.drive or not target.is_relative_to(folder):
            raise ModelFileError(
                f"{self.path.name} refers to {ref!r}, which is outside the model folder; "
                "a model may only use files inside its own folder."
            )
        return target

    def check_files(self) -> list[str]:
        """Check that every referenced file stays inside the folder and exists.

        Returns:
            Warnings about missing optional files (motions, sounds, expressions, physics ...).

        Raises:
            ModelFileError: a reference escapes the folder, or the moc or a texture is missing.
        """
        warnings: list[str] = []
        missing_required: list[str] = []
        for ref in self.referenced_files():
            target = self.resolve(ref.path)
            if target.is_file():
                continue
            if ref.required:
                missing_required.append(f"{ref.kind} {ref.path!r}")
            else:
                warnings.append(
                    f"{self.path.name}: the {ref.kind.replace('_', ' ')} file {ref.path!r} is missing."
                )
        if missing_required:
            raise ModelFileError(
                f"{self.path.name} is incomplete: missing {', '.join(missing_required)}. "
                "Import the whole model folder (or a zip of it)."
            )
        return warnings


def is_model_json(file_name: str) -> bool:
    """True for ``*.model3.json``, ``*.model.json`` and a plain ``model.json`` (case-insensitive)."""
    lower = file_name.lower()
    return lower.endswith((MODEL3_SUFFIX, MODEL2_SUFFIX)) or lower == "model.json"


def parse_model_json(path: Path) -> ModelInfo:
    """Read a ``.model3.json`` or ``.model.json`` file (the files it names are not checked here).

    Raises:
        ModelFileError: unreadable, not JSON, or not shaped like a model file (the message says where).
    """
    try:
        if path.stat().st_size > MAX_MODEL_JSON_BYTES:
            raise ModelFileError(f"{path.name} is too large to be a Live2D model file.")
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except ModelFileError:
        raise
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path.name} is not a readable JSON file: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelFileError(f"{path.name} is not a Live2D model file (expected a JSON object).")
    if "FileReferences" in data or path.name.lower().endswith(MODEL3_SUFFIX):
        return _parse_v3(path, data)
    return _parse_v2(path, data)


class _Reader:
    """Typed access to one JSON object with error messages that name the file and the key."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name

    def fail(self, where: str, expected: str) -> ModelFileError:
        return ModelFileError(f"{self.file_name}: {where} should be {expected}.")

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if value is not None and not isinstance(value, dict):
            raise self.fail(where, "an object")
        return value or {}

    def arr(self, value: Any, where: str) -> list[Any]:
        if value is not None and not isinstance(value, list):
            raise self.fail(where, "a list")
        return value or []

    def objects(self, value: Any, where: str) -> list[tuple[str, dict[str, Any]]]:
        """The objects of a list, each with its location for messages."""
        return [(f"{where}[{i}]", self.obj(x, f"{where}[{i}]")) for i, x in enumerate(self.arr(value, where))]

    def text(self, value: Any, where: str, *, required: bool = False) -> str | None:
        if value is None or value == "":
            if required:
                raise ModelFileError(f"{self.file_name}: {where} is missing.")
            return None
        if not isinstance(value, str):
            raise self.fail(where, "a string")
        return value

    def req(self, value: Any, where: str) -> str:
        return self.text(value, where, required=True) or ""

    def num(self, value: Any, where: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, "a number")
        return float(value)


def _motions(
    r: _Reader, value: Any, where: str, keys: tuple[str, str, str, str], time_scale: float
) -> dict[str, tuple[MotionRef, ...]]:
    """Motion groups; ``keys`` name the file, sound, fade-in and fade-out fields of this format."""
    file_key, sound_key, in_key, out_key = keys
    groups: dict[str, tuple[MotionRef, ...]] = {}
    for group, items in r.obj(value, where).items():
        entries = []
        for at, m in r.objects(items, f"{where}.{group}"):
            fade_in, fade_out = (
                r.num(m.get(in_key), f"{at}.{in_key}"),
                r.num(m.get(out_key), f"{at}.{out_key}"),
            )
            entries.append(
                MotionRef(
                    r.req(m.get(file_key), f"{at}.{file_key}"),
                    r.text(m.get(sound_key), f"{at}.{sound_key}"),
                    None if fade_in is None else fade_in * time_scale,
                    None if fade_out is None else fade_out * time_scale,
                )
            )
        groups[str(group)] = tuple(entries)
    return groups


def _parse_v3(path: Path, data: dict[str, Any]) -> ModelInfo:
    r = _Reader(path.name)
    refs = r.obj(data.get("FileReferences"), "FileReferences")
    if not refs:
        raise ModelFileError(f"{path.name}: FileReferences is missing.")
    textures = tuple(
        r.req(t, f"Textures[{i}]") for i, t in enumerate(r.arr(refs.get("Textures"), "Textures"))
    )
    if not textures:
        raise ModelFileError(f"{path.name}: the model lists no Textures.")
    expressions = tuple(
        ExpressionRef(r.req(e.get("Name"), f"{where}.Name"), r.req(e.get("File"), f"{where}.File"))
        for where, e in r.objects(refs.get("Expressions"), "Expressions")
    )
    motions = _motions(r, refs.get("Motions"), "Motions", ("File", "Sound", "FadeInTime", "FadeOutTime"), 1.0)
    groups: dict[str, tuple[str, ...]] = {}
    for i, raw in enumerate(r.arr(data.get("Groups"), "Groups")):
        g = r.obj(raw, f"Groups[{i}]")
        name = r.text(g.get("Name"), f"Groups[{i}].Name") or ""
        ids = tuple(r.req(x, f"Groups[{i}].Ids") for x in r.arr(g.get("Ids"), f"Groups[{i}].Ids"))
        groups[name] = groups.get(name, ()) + ids
    hit_areas = tuple(
        HitArea(r.req(h.get("Id"), f"{where}.Id"), r.text(h.get("Name"), f"{where}.Name") or "")
        for where, h in r.objects(data.get("HitAreas"), "HitAreas")
    )
    version = data.get("Version", 0)
    return ModelInfo(
        path=path,
        cubism=3,
        version=version if isinstance(version, int) and not isinstance(version, bool) else 0,
        moc=r.req(refs.get("Moc"), "FileReferences.Moc"),
        textures=textures,
        physics=r.text(refs.get("Physics"), "FileReferences.Physics"),
        pose=r.text(refs.get("Pose"), "FileReferences.Pose"),
        display_info=r.text(refs.get("DisplayInfo"), "FileReferences.DisplayInfo"),
        user_data=r.text(refs.get("UserData"), "FileReferences.UserData"),
        expressions=expressions,
        motions=motions,
        lip_sync_ids=groups.get("LipSync", ()),
        eye_blink_ids=groups.get("EyeBlink", ()),
        hit_areas=hit_areas,
    )


def _parse_v2(path: Path, data: dict[str, Any]) -> ModelInfo:
    r = _Reader(path.name)
    if "model" not in data:
        raise ModelFileError(
            f"{path.name} is not a Live2D model file "
            "(no 'FileReferences' for Cubism 3+, no 'model' for Cubism 2)."
        )
    textures = tuple(
        r.req(t, f"textures[{i}]") for i, t in enumerate(r.arr(data.get("textures"), "textures"))
    )
    if not textures:
        raise ModelFileError(f"{path.name}: the model lists no textures.")
    expressions = tuple(
        ExpressionRef(r.req(e.get("name"), f"{where}.name"), r.req(e.get("file"), f"{where}.file"))
        for where, e in r.objects(data.get("expressions"), "expressions")
    )
    # Cubism 2 fade times are in milliseconds.
    motions = _motions(r, data.get("motions"), "motions", ("file", "sound", "fade_in", "fade_out"), 0.001)
    hit_areas = tuple(
        HitArea(r.req(h.get("id"), f"{where}.id"), r.text(h.get("name"), f"{where}.name") or "")
        for where, h in r.objects(data.get("hit_areas"), "hit_areas")
    )
    return ModelInfo(
        path=path,
        cubism=2,
        version=0,
        moc=r.req(data.get("model"), "model"),
        textures=textures,
        physics=r.text(data.get("physics"), "physics"),
        pose=r.text(data.get("pose"), "pose"),
        expressions=expressions,
        motions=motions,
        eye_blink_ids=DEFAULT_EYEBLINK_V2,
        hit_areas=hit_areas,
    )


def load_model(path: Path) -> tuple[ModelInfo, list[str]]:
    """Parse a model json and check its files; returns the info and warnings about optional files.

    Raises:
        ModelFileError: see :func:`parse_model_json` and :meth:`ModelInfo.check_files`.
    """
    info = parse_model_json(path)
    return info, info.check_files()
