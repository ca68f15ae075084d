"""Imported voice models: GPT-SoVITS weight pairs and VoxCPM model folders.

Layout under ``root`` (``StudioPaths.user_models_dir / "voices"``)::

    gpt_sovits/                      laid out like a GPT-SoVITS install, so StreamCream's rules apply
        GPT_weights<suffix>/*.ckpt
        SoVITS_weights<suffix>/*.pth
        参考音频/<pair>.wav             reference recordings
        参考音频.wav                    the default reference
    voxcpm/<name>/                   one VoxCPM model folder (config.json, weights, tokenizer, audiovae)

Groups follow StreamCream's ``/list_model_groups`` (reference-contracts.md 1.4): one group per
``GPT_weights<suffix>`` folder that has a ``SoVITS_weights<suffix>`` twin, named ``默认模型`` for an
empty suffix and ``<suffix without its first char>模型`` otherwise; ``.ckpt`` and ``.pth`` pair by
base name (the file name before its first ``-``, else before its first ``_``, else its stem); paths
are relative to the GPT-SoVITS root with ``/``. When several files of one group share a base, the
last in natural order wins (``foo-e15`` over ``foo-e5``). Groups without any pair are not listed.

Imports copy into a staging folder first and move complete files into place, so a model never
appears half-copied. Thread affinity: any thread; imports block (run them off the engine loop).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import NotFoundError, ValidationError
from studio.speech.library.model_files import Progress, copy_files, folder_size, remove_tree, safe_files

__all__ = [
    "DEFAULT_REF_AUDIO",
    "GPT_PREFIX",
    "REF_AUDIO_DIR",
    "SOVITS_PREFIX",
    "GptSovitsGroup",
    "GptSovitsPair",
    "VoiceModelManager",
    "VoxCpmModelInfo",
    "group_name",
    "pair_base",
]

log = logging.getLogger(__name__)

GPT_PREFIX = "GPT_weights"
SOVITS_PREFIX = "SoVITS_weights"
REF_AUDIO_DIR = "参考音频"
DEFAULT_REF_AUDIO = "参考音频.wav"
_STAGING = ".staging-"
_VOXCPM_ARCHS = ("voxcpm", "voxcpm2")
_EXT = {"GPT": ".ckpt", "SoVITS": ".pth"}  # the weights files of GPT_weights*/ and SoVITS_weights*/


@dataclass(frozen=True, slots=True)
class GptSovitsPair:
    """A GPT (``.ckpt``) + SoVITS (``.pth``) pair; paths relative to the GPT-SoVITS root."""

    base: str
    gpt_path: str
    sovits_path: str


@dataclass(frozen=True, slots=True)
class GptSovitsGroup:
    """One ``GPT_weights<suffix>`` / ``SoVITS_weights<suffix>`` folder pair and its weight pairs."""

    name: str
    suffix: str
    pairs: dict[str, GptSovitsPair]


@dataclass(frozen=True, slots=True)
class VoxCpmModelInfo:
    """An imported VoxCPM model folder."""

    name: str
    folder: Path
    architecture: str
    sample_rate: int | None
    size_mb: float


def pair_base(file_name: str) -> str:
    """The pair name of a weights file: before the first ``-``, else the first ``_``, else the stem."""
    for sep in ("-", "_"):
        if sep in file_name:
            return file_name.split(sep, 1)[0]
    return file_name.rsplit(".", 1)[0]


def group_name(suffix: str) -> str:
    """StreamCream's group name: ``默认模型`` for ``""``, else the suffix minus its first char + ``模型``."""
    return "默认模型" if not suffix else f"{suffix[1:]}模型"


def _pair_keys(rels: list[str], prefix: str) -> set[tuple[str, str]]:
    """``(suffix, base)`` of weights files given as ``<prefix><suffix>/<file>``."""
    return {(r.split("/", 1)[0][len(prefix) :], pair_base(r.split("/", 1)[1])) for r in rels}


def _natural(name: str) -> list[object]:
    return [int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", name)]


def _files_with(folder: Path, ext: str) -> list[str]:
    if not folder.is_dir():
        return []
    names = [e.name for e in os.scandir(folder) if e.is_file() and e.name.lower().endswith(ext)]
    return sorted(names, key=_natural)


def _clean_model_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.\-]+", "-", name.strip(), flags=re.UNICODE).strip(".-")[:64]
    if not cleaned:
        raise ValidationError(f"{name!r} is not usable as a model name; use letters or digits.")
    return cleaned


def _read_voxcpm_config(folder: Path) -> tuple[str, int | None]:
    """Check a VoxCPM folder as ``VoxCPM.from_pretrained`` would read it; ``(architecture, rate)``."""
    config_file = folder / "config.json"
    if not config_file.is_file():
        raise ValidationError(f"{folder.name} is not a VoxCPM model: it has no config.json.")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"{folder.name}/config.json is not valid JSON: {exc}") from exc
    if not isinstance(config, dict):
        raise ValidationError(f"{folder.name}/config.json is not a VoxCPM config (not an object).")
    arch = str(config.get("architecture", "voxcpm")).lower()
    if arch not in _VOXCPM_ARCHS:
        raise ValidationError(
            f"{folder.name} has architecture {arch!r}; the studio loads VoxCPM (voxcpm, voxcpm2) models."
        )
    missing = [
        k for k in ("lm_config", "encoder_config", "dit_config") if not isinstance(config.get(k), dict)
    ]
    if missing:
        raise ValidationError(f"{folder.name}/config.json lacks {', '.join(missing)}; is it a VoxCPM model?")
    needs = {
        "weights (model.safetensors or pytorch_model.bin)": ("model.safetensors", "pytorch_model.bin"),
        "the AudioVAE (audiovae.safetensors or audiovae.pth)": ("audiovae.safetensors", "audiovae.pth"),
        "the tokenizer (tokenizer.json or tokenizer.model)": ("tokenizer.json", "tokenizer.model"),
    }
    for what, names in needs.items():
        if not any((folder / n).is_file() for n in names):
            raise ValidationError(f"{folder.name} is not a complete VoxCPM model: {what} missing.")
    vae = config.get("audio_vae_config")
    vae = vae if isinstance(vae, dict) else {}
    # VoxCPM2's AudioVAE decodes at out_sample_rate (48 kHz by default); VoxCPM 1.x at sample_rate.
    key, default = ("out_sample_rate", 48000) if arch == "voxcpm2" else ("sample_rate", 16000)
    rate = vae.get(key, default)
    return arch, int(rate) if isinstance(rate, int | float) and rate > 0 else None


class VoiceModelManager:
    """The imported voice models under ``root`` (any thread; imports block)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.gpt_sovits_root = root / "gpt_sovits"
        self.voxcpm_root = root / "voxcpm"

    # -- GPT-SoVITS ---------------------------------------------------------------------------------

    def gpt_sovits_groups(self) -> list[GptSovitsGroup]:
        """The weight groups, as StreamCream's ``/list_model_groups`` builds them."""
        root = self.gpt_sovits_root
        if not root.is_dir():
            return []
        groups: list[GptSovitsGroup] = []
        folders = [e.name for e in os.scandir(root) if e.is_dir() and e.name.startswith(GPT_PREFIX)]
        for gpt_dir in sorted(folders):
            suffix = gpt_dir[len(GPT_PREFIX) :]
            sovits_dir = SOVITS_PREFIX + suffix
            gpts = {pair_base(n): n for n in _files_with(root / gpt_dir, ".ckpt")}
            sovits = {pair_base(n): n for n in _files_with(root / sovits_dir, ".pth")}
            pairs = {
                base: GptSovitsPair(base, f"{gpt_dir}/{gpts[base]}", f"{sovits_dir}/{sovits[base]}")
                for base in sorted(gpts.keys() & sovits.keys(), key=_natural)
            }
            if pairs:
                groups.append(GptSovitsGroup(group_name(suffix), suffix, pairs))
        return groups

    def reference_audios(self) -> list[tuple[str, str, str]]:
        """``(pair_name, file_name, "参考音频/<file>")`` for each ``.wav`` in ``参考音频/``."""
        names = _files_with(self.gpt_sovits_root / REF_AUDIO_DIR, ".wav")
        return [(n[: -len(".wav")], n, f"{REF_AUDIO_DIR}/{n}") for n in names]

    def _gpt_sovits_plan(self, src: Path) -> list[tuple[Path, str]]:
        # Only the weight and reference folders of an install are read (never its pretrained
        # models or bundled Python runtime, thousands of files).
        subdirs = sorted(e.name for e in os.scandir(src) if e.is_dir() and not e.name.startswith("."))
        wanted = [d for d in subdirs if d.startswith((GPT_PREFIX, SOVITS_PREFIX))]
        install = bool(wanted)
        if REF_AUDIO_DIR in subdirs:
            wanted.append(REF_AUDIO_DIR)
        plan: list[tuple[Path, str]] = []
        for sub in wanted:
            ext = _EXT.get(sub.split("_weights", 1)[0], ".wav")
            files = safe_files(src / sub, recursive=False, within=src, prefix=f"{sub}/")
            plan += [(path, rel) for path, rel in files if rel.lower().endswith(ext)]
        for path, rel in safe_files(src, recursive=False):
            low = rel.lower()
            if rel == DEFAULT_REF_AUDIO:
                plan.append((path, rel))
            elif not install and low.endswith(".ckpt"):
                plan.append((path, f"{GPT_PREFIX}/{rel}"))
            elif not install and low.endswith(".pth"):
                plan.append((path, f"{SOVITS_PREFIX}/{rel}"))
            elif not install and low.endswith(".wav"):
                plan.append((path, f"{REF_AUDIO_DIR}/{rel}"))
        return plan

    def import_gpt_sovits(self, folder: Path, progress: Progress | None = None) -> list[GptSovitsGroup]:
        """Copy GPT-SoVITS weights (and reference audios) from ``folder``; return all groups after.

        ``folder`` is laid out like a GPT-SoVITS install (``GPT_weights*/``, ``SoVITS_weights*/``,
        ``参考音频/``, ``参考音频.wav``; everything else there, e.g. pretrained models, is ignored) or
        is a flat folder of ``.ckpt``/``.pth`` (+ ``.wav``) files, which go to the default group.
        Files of the same name are replaced.

        Raises:
            ValidationError: no such folder, a folder inside the studio's model folder, a link
                leaving it, no weights, or weights that do not pair up.
        """
        src = self._check_source(folder)
        plan = self._gpt_sovits_plan(src)
        ckpts = [rel for _, rel in plan if rel.lower().endswith(".ckpt")]
        pths = [rel for _, rel in plan if rel.lower().endswith(".pth")]
        if not ckpts and not pths:
            raise ValidationError(
                f"No GPT-SoVITS weights in {src.name}: expected GPT_weights*/ and SoVITS_weights*/ "
                "folders (as in a GPT-SoVITS install) or .ckpt and .pth files."
            )
        gpt_keys = _pair_keys(ckpts + self._existing(GPT_PREFIX, ".ckpt"), GPT_PREFIX)
        if not gpt_keys & _pair_keys(pths + self._existing(SOVITS_PREFIX, ".pth"), SOVITS_PREFIX):
            raise ValidationError(
                f"{src.name} has {len(ckpts)} .ckpt and {len(pths)} .pth files, but none pair up: a "
                "pair is a GPT .ckpt and a SoVITS .pth whose names start alike (before the first '-' "
                "or '_'), in folders of the same version."
            )
        self._stage_and_place(plan, self.gpt_sovits_root, progress)
        log.info("GPT-SoVITS weights imported", extra={"files": len(plan), "source": src.name})
        return self.gpt_sovits_groups()

    def _existing(self, prefix: str, ext: str) -> list[str]:
        root = self.gpt_sovits_root
        if not root.is_dir():
            return []
        folders = [e.name for e in os.scandir(root) if e.is_dir() and e.name.startswith(prefix)]
        return [f"{d}/{n}" for d in folders for n in _files_with(root / d, ext)]

    def remove_gpt_sovits_pair(self, base: str) -> None:
        """Delete the ``.ckpt`` and ``.pth`` files named ``base`` in every group (references stay).

        Raises:
            NotFoundError: no weights file has that pair name.
        """
        root = self.gpt_sovits_root
        doomed: list[Path] = []
        if root.is_dir():
            for entry in os.scandir(root):
                if entry.is_dir() and entry.name.startswith((GPT_PREFIX, SOVITS_PREFIX)):
                    ext = ".ckpt" if entry.name.startswith(GPT_PREFIX) else ".pth"
                    doomed += [Path(entry.path) / n for n in _files_with(Path(entry.path), ext)]
        doomed = [p for p in doomed if pair_base(p.name) == base]
        if not base or not doomed:
            raise NotFoundError(f"There is no GPT-SoVITS model pair named {base!r}.")
        for path in doomed:
            path.unlink(missing_ok=True)
        log.info("GPT-SoVITS pair removed", extra={"pair": base, "files": len(doomed)})

    # -- VoxCPM -------------------------------------------------------------------------------------

    def import_voxcpm(
        self, folder: Path, name: str | None = None, progress: Progress | None = None
    ) -> VoxCpmModelInfo:
        """Check a VoxCPM model folder and copy it to ``voxcpm_root/<name>``.

        Args:
            folder: A folder ``VoxCPM.from_pretrained`` loads (config.json with architecture
                ``voxcpm``/``voxcpm2``, weights, tokenizer, AudioVAE).
            name: The model's name in the studio (default: the folder's name).
            progress: Called with the fraction copied (0..1), from the copying thread.

        Raises:
            ValidationError: not a complete VoxCPM model, a bad name, or the name is taken.
        """
        src = self._check_source(folder)
        _read_voxcpm_config(src)
        model = _clean_model_name(name if name is not None else src.name)
        dest = self.voxcpm_root / model
        if dest.exists():
            raise ValidationError(f"A VoxCPM model named {model!r} exists; remove it or choose another name.")
        self.voxcpm_root.mkdir(parents=True, exist_ok=True)
        staging = self.voxcpm_root / f"{_STAGING}{uuid.uuid4().hex}"
        try:
            staging.mkdir()
            copy_files(safe_files(src), staging, progress)
            _read_voxcpm_config(staging)
            try:
                os.rename(staging, dest)
            except OSError as exc:
                if dest.exists():
                    raise ValidationError(f"A VoxCPM model named {model!r} exists.") from exc
                raise ValidationError(f"Cannot store the model: {exc.strerror or exc}") from exc
        finally:
            remove_tree(staging)
        log.info("VoxCPM model imported", extra={"model": model, "source": src.name})
        return self.voxcpm_model(model)

    def voxcpm_models(self) -> list[VoxCpmModelInfo]:
        """The imported VoxCPM models, by name (damaged folders are logged and left out)."""
        if not self.voxcpm_root.is_dir():
            return []
        out: list[VoxCpmModelInfo] = []
        for entry in sorted(os.scandir(self.voxcpm_root), key=lambda e: _natural(e.name)):
            if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
                continue
            try:
                out.append(self.voxcpm_model(entry.name))
            except ValidationError as exc:
                log.warning("VoxCPM model folder skipped: %s", exc, extra={"model": entry.name})
        return out

    def _voxcpm_folder(self, name: str) -> Path:
        folder = self.voxcpm_root / name
        bad = not name or name.startswith(".") or "/" in name or "\\" in name
        if bad or not folder.is_dir() or folder.is_symlink():
            raise NotFoundError(f"There is no VoxCPM model named {name!r}; import it under Voice -> Models.")
        return folder

    def voxcpm_model(self, name: str) -> VoxCpmModelInfo:
        """One imported VoxCPM model.

        Raises:
            NotFoundError: no such model. ValidationError: its folder is damaged.
        """
        folder = self._voxcpm_folder(name)
        arch, rate = _read_voxcpm_config(folder)
        return VoxCpmModelInfo(name, folder, arch, rate, round(folder_size(folder) / 1e6, 1))

    def remove_voxcpm(self, name: str) -> None:
        """Delete an imported VoxCPM model (moved aside first, so it vanishes at once).

        Raises:
            NotFoundError: no such model.
        """
        folder = self._voxcpm_folder(name)
        doomed = self.voxcpm_root / f"{_STAGING}{uuid.uuid4().hex}"
        os.rename(folder, doomed)
        shutil.rmtree(doomed, ignore_errors=True)
        log.info("VoxCPM model removed", extra={"model": name})

    # -- shared -------------------------------------------------------------------------------------

    def _check_source(self, folder: Path) -> Path:
        src = Path(folder).expanduser()
        if not src.is_dir():
            raise ValidationError(f"{src} is not a folder.")
        src, own = src.resolve(), self.root.resolve()
        if src.is_relative_to(own) or own.is_relative_to(src):
            raise ValidationError("Choose a folder outside the studio's voice model folder.")
        return src

    def _stage_and_place(self, plan: list[tuple[Path, str]], dest: Path, progress: Progress | None) -> None:
        dest.mkdir(parents=True, exist_ok=True)
        staging = dest / f"{_STAGING}{uuid.uuid4().hex}"
        try:
            staging.mkdir()
            written = copy_files(plan, staging, progress)
            for rel in written:
                target = dest.joinpath(*rel.split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging.joinpath(*rel.split("/")), target)
        except OSError as exc:
            raise ValidationError(f"Cannot store the weights: {exc.strerror or exc}") from exc
        finally:
            remove_tree(staging)

    def clean_staging(self) -> None:
        """Remove staging folders an interrupted import left behind (at start-up)."""
        for folder in (self.gpt_sovits_root, self.voxcpm_root):
            if folder.is_dir():
                for entry in os.scandir(folder):
                    if entry.name.startswith(_STAGING):
                        remove_tree(Path(entry.path))
