"""Decode audio files (music, sound effects, reference recordings) with PyAV.

Any format FFmpeg reads (mp3, ogg, flac, m4a, wav ...) becomes float32 frames at the rate asked
for, so the mixer never sees a file. Long files are refused rather than filling memory.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from studio.audio.ring import Frames
from studio.core.errors import ValidationError

MAX_SECONDS = 30 * 60


def decode_audio_file(path: Path, sample_rate: int = 48000, channels: int = 2) -> Frames:
    """Decode ``path`` to ``(n, channels)`` float32 frames at ``sample_rate`` (blocking; off the loop).

    Raises:
        ValidationError: not a readable audio file, no audio stream, or longer than 30 minutes.
    """
    layout = "stereo" if channels == 2 else "mono"
    resampler = av.AudioResampler(format="flt", layout=layout, rate=sample_rate)
    parts: list[Frames] = []
    total = 0
    limit = MAX_SECONDS * sample_rate
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise ValidationError(f"{path.name} has no audio.")
            stream = container.streams.audio[0]
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    parts.append(_frames(out, channels))
                    total += len(parts[-1])
                if total > limit:
                    raise ValidationError(f"{path.name} is longer than {MAX_SECONDS // 60} minutes.")
            for out in resampler.resample(None):
                parts.append(_frames(out, channels))
    except (av.error.FFmpegError, OSError) as exc:
        raise ValidationError(f"Cannot read {path.name} as audio: {exc}") from exc
    if not parts:
        return np.zeros((0, channels), dtype=np.float32)
    return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)


def _frames(frame: av.AudioFrame, channels: int) -> Frames:
    # packed float ("flt"): one plane, samples interleaved
    data = frame.to_ndarray().reshape(-1, channels)
    return np.asarray(data, dtype=np.float32)
