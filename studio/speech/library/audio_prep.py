"""Reference recordings for voice cloning: decode, downmix, trim, normalise, check, store.

A recording arrives as bytes (an upload, the microphone) or a file. It becomes mono float32 at its
own rate (capped at 48 kHz), loses leading and trailing silence (energy based, a short margin kept
so no consonant is cut), and is brought to a common loudness (RMS of the speech to a target, never
over a peak ceiling, so it never clips). Recordings with less than a second of speech, more than a
minute, no sound at all, or that no decoder reads are refused with a clear
:class:`~studio.core.errors.ValidationError`. The result is stored as a 16-bit mono WAV.

Decoders: soundfile (libsndfile: wav, flac, ogg/vorbis/opus, mp3) first, PyAV (FFmpeg: m4a/aac,
webm/opus, anything else) when soundfile cannot read it.

Thread affinity: any thread, blocking (tens of milliseconds per minute of audio); never the engine loop.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from studio.core.errors import ValidationError
from studio.speech.tts.wav import wav_bytes

__all__ = [
    "MAX_RATE",
    "MAX_SPEECH_S",
    "MIN_SPEECH_S",
    "PreparedAudio",
    "decode_audio",
    "normalise_loudness",
    "prepare_recording",
    "read_wav",
    "trim_silence",
    "wav_bytes",
    "write_wav_atomic",
]

Samples = npt.NDArray[np.float32]

MIN_SPEECH_S = 1.0
MAX_SPEECH_S = 60.0
MAX_RATE = 48000
MIN_RATE = 8000
MAX_INPUT_S = 10 * 60  # before trimming: refuse instead of filling memory
FRAME_S = 0.02
MARGIN_S = 0.15
SILENT_DBFS = -55.0  # no 20 ms frame louder than this: nothing was recorded
RELATIVE_DB = 35.0  # frames this far under the loudest one count as silence
TARGET_RMS_DBFS = -20.0
PEAK_CEILING_DBFS = -1.0
MAX_GAIN_DB = 40.0


@dataclass(frozen=True, slots=True)
class PreparedAudio:
    """A trimmed, normalised mono recording.

    Attributes:
        samples: float32 mono in -1..1.
        sample_rate: Its rate (the recording's own, at most 48 kHz).
        speech_s: Seconds of frames that held sound (what the 1 s minimum is checked against).
    """

    samples: Samples
    sample_rate: int
    speech_s: float

    @property
    def duration_s(self) -> float:
        """Length of the stored recording (speech plus the kept margins)."""
        return len(self.samples) / self.sample_rate


def _db(value: float) -> float:
    return 10 ** (value / 20)


def _mono(data: npt.NDArray[np.floating], sr: int) -> tuple[Samples, int]:
    audio = np.asarray(data, dtype=np.float32)
    if audio.ndim == 2:
        audio = audio.mean(axis=1, dtype=np.float32)
    audio = np.nan_to_num(audio.reshape(-1), nan=0.0, posinf=0.0, neginf=0.0)
    if sr > MAX_RATE:
        import soxr

        audio = np.asarray(soxr.resample(audio, sr, MAX_RATE), dtype=np.float32)
        sr = MAX_RATE
    return np.ascontiguousarray(audio, dtype=np.float32), sr


def _decode_soundfile(data: bytes | Path) -> tuple[Samples, int] | None:
    import soundfile as sf

    try:
        source = io.BytesIO(data) if isinstance(data, bytes) else str(data)
        with sf.SoundFile(source) as f:
            if f.frames > MAX_INPUT_S * f.samplerate:
                raise ValidationError(f"The recording is longer than {MAX_INPUT_S // 60} minutes.")
            audio = f.read(dtype="float32", always_2d=True)
            sr = int(f.samplerate)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError):
        return None
    return _mono(audio, sr)


def _decode_av(data: bytes | Path) -> tuple[Samples, int]:
    import av

    parts: list[Samples] = []
    total = 0
    try:
        with av.open(io.BytesIO(data) if isinstance(data, bytes) else str(data), mode="r") as container:
            if not container.streams.audio:
                raise ValidationError("The file holds no audio.")
            stream = container.streams.audio[0]
            native = int(stream.rate or stream.codec_context.sample_rate or 0)
            if native <= 0:
                raise ValidationError("The file's audio has no sample rate.")
            rate = min(native, MAX_RATE)
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    parts.append(np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1))
                    total += len(parts[-1])
                if total > MAX_INPUT_S * rate:
                    raise ValidationError(f"The recording is longer than {MAX_INPUT_S // 60} minutes.")
            for out in resampler.resample(None):
                parts.append(np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1))
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise ValidationError(
            "Cannot read the recording as audio (use WAV, FLAC, OGG, MP3, M4A or WebM)."
        ) from exc
    audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return _mono(audio, rate)


def decode_audio(data: bytes | Path) -> tuple[Samples, int]:
    """Decode a recording to mono float32 at its own rate (capped at 48 kHz).

    Raises:
        ValidationError: empty, unreadable, no audio stream, an odd rate, or over 10 minutes.
    """
    if isinstance(data, bytes) and not data:
        raise ValidationError("The recording is empty (0 bytes).")
    if isinstance(data, Path) and not data.is_file():
        raise ValidationError(f"No such recording: {data.name}.")
    decoded = _decode_soundfile(data)
    audio, sr = decoded if decoded is not None else _decode_av(data)
    if sr < MIN_RATE:
        raise ValidationError(f"The recording's sample rate ({sr} Hz) is too low; use at least 8 kHz.")
    return audio, sr


def _frame_rms(audio: Samples, hop: int) -> Samples:
    n = len(audio) // hop
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    frames = audio[: n * hop].reshape(n, hop).astype(np.float64)
    return np.asarray(np.sqrt(np.mean(frames * frames, axis=1)), dtype=np.float32)


def _voiced(audio: Samples, sr: int) -> tuple[npt.NDArray[np.bool_], int]:
    hop = max(1, round(FRAME_S * sr))
    rms = _frame_rms(audio, hop)
    if not len(rms) or float(rms.max()) < _db(SILENT_DBFS):
        return np.zeros(len(rms), dtype=bool), hop
    threshold = max(_db(SILENT_DBFS), float(rms.max()) * _db(-RELATIVE_DB))
    return rms >= threshold, hop


def trim_silence(audio: Samples, sr: int, margin_s: float = MARGIN_S) -> tuple[Samples, float]:
    """Cut leading and trailing silence, keeping ``margin_s`` around the sound.

    Returns:
        ``(trimmed, speech_s)``: the kept samples and the seconds of frames that held sound
        (0 for a silent recording, whose trimmed audio is empty).
    """
    voiced, hop = _voiced(audio, sr)
    idx = np.flatnonzero(voiced)
    if not len(idx):
        return np.zeros(0, dtype=np.float32), 0.0
    margin = round(margin_s * sr)
    start = max(0, int(idx[0]) * hop - margin)
    end = min(len(audio), (int(idx[-1]) + 1) * hop + margin)
    return np.ascontiguousarray(audio[start:end]), len(idx) * hop / sr


def normalise_loudness(audio: Samples, sr: int) -> Samples:
    """Bring the speech's RMS to -20 dBFS without any peak above -1 dBFS (never clips)."""
    voiced, hop = _voiced(audio, sr)
    n = len(voiced) * hop
    speech = audio[:n].reshape(-1, hop)[voiced] if voiced.any() else audio
    rms = float(np.sqrt(np.mean(np.square(speech, dtype=np.float64)))) if speech.size else 0.0
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if rms <= 0 or peak <= 0:
        return audio
    gain = min(_db(TARGET_RMS_DBFS) / rms, _db(PEAK_CEILING_DBFS) / peak, _db(MAX_GAIN_DB))
    return np.asarray(audio * gain, dtype=np.float32)


def prepare_recording(data: bytes | Path) -> PreparedAudio:
    """Decode, downmix, trim and normalise a reference recording, and check its length.

    Raises:
        ValidationError: unreadable, silent, under 1 s of speech or over 60 s once trimmed.
    """
    audio, sr = decode_audio(data)
    if len(audio) == 0:
        raise ValidationError("The recording holds no audio samples.")
    trimmed, speech_s = trim_silence(audio, sr)
    if speech_s == 0:
        raise ValidationError("The recording is silent: check the microphone and record again.")
    if speech_s < MIN_SPEECH_S:
        raise ValidationError(
            f"The recording has only {speech_s:.1f} s of speech; record at least {MIN_SPEECH_S:g} s "
            "(5-15 s works best)."
        )
    duration = len(trimmed) / sr
    if duration > MAX_SPEECH_S:
        raise ValidationError(
            f"The recording is {duration:.0f} s long without its silences; the limit is "
            f"{MAX_SPEECH_S:g} s (5-15 s works best). Cut it shorter."
        )
    return PreparedAudio(normalise_loudness(trimmed, sr), sr, speech_s)


def write_wav_atomic(folder: Path, samples: Samples, sr: int) -> Path:
    """Write a 16-bit mono WAV under a temporary name in ``folder`` (renamed by the caller)."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".incoming-", suffix=".wav", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(wav_bytes(samples, sr))
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def read_wav(path: Path) -> tuple[Samples, int]:
    """A stored recording as float32 mono and its rate."""
    import soundfile as sf

    audio, sr = sf.read(str(path), dtype="float32", always_2d=True)
    return np.ascontiguousarray(audio.mean(axis=1), dtype=np.float32), int(sr)
