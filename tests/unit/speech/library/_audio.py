"""Synthetic recordings for the library tests: a voiced, syllable-like tone between silences."""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf


def voiced(
    seconds: float, rate: int = 24000, *, lead: float = 0.8, tail: float = 0.8, level: float = 0.3
) -> np.ndarray:
    """``lead`` s of near-silence, ``seconds`` of a 4 Hz-modulated 180 Hz tone, ``tail`` s of near-silence."""
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * rate)) / rate
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 4 * t)
    tone = level * envelope * (np.sin(2 * np.pi * 180 * t) + 0.3 * np.sin(2 * np.pi * 540 * t)) / 1.3
    quiet = lambda s: rng.normal(0, 1e-4, int(s * rate))  # noqa: E731
    return np.concatenate([quiet(lead), tone, quiet(tail)]).astype(np.float32)


def encode(samples: np.ndarray, rate: int, fmt: str = "WAV", subtype: str | None = None) -> bytes:
    """File bytes through soundfile (WAV, FLAC, OGG)."""
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format=fmt, subtype=subtype)
    return buf.getvalue()


def encode_av(samples: np.ndarray, rate: int, container: str, codec: str) -> bytes:
    """File bytes through PyAV (``mp4``/``aac``, ``webm``/``libopus``, ``mp3``/``libmp3lame``)."""
    import av

    buf = io.BytesIO()
    with av.open(buf, mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        frame_size = 1024
        pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
        for i in range(0, len(pcm), frame_size):
            chunk = pcm[i : i + frame_size]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()
