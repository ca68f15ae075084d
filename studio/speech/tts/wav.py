"""WAV in and out: writing finished files, and parsing open-ended streaming WAV.

GPT-SoVITS ``api_v2`` streams WAV as one 44-byte header whose RIFF and data sizes are wrong (36
and 0), followed by raw int16 PCM for as long as the stream lasts. :class:`StreamingWavParser`
reads the header once (any valid PCM WAV header, including extra chunks) and then treats the rest
as PCM, keeping an odd trailing byte for the next feed.
"""

from __future__ import annotations

import io
import struct
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from studio.core.frames import PcmArray


class WavFormatError(ValueError):
    """The bytes are not a PCM WAV stream the studio can read."""


def float_to_int16(pcm: PcmArray) -> bytes:
    """Clip to -1..1 and convert float samples to little-endian int16 bytes."""
    clipped = np.clip(pcm, -1.0, 1.0)
    return np.round(clipped * 32767.0).astype("<i2").tobytes()


def int16_to_float(data: bytes) -> PcmArray:
    """Little-endian int16 bytes to float32 samples in -1..1."""
    return (np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0).astype(np.float32)


def wav_header(sample_rate: int, *, riff_size: int, data_size: int) -> bytes:
    """The 44-byte header of a mono 16-bit PCM WAV with the given RIFF and ``data`` chunk sizes.

    A complete file has ``riff_size = 36 + data_size``; streams that cannot know their length
    write placeholders (GPT-SoVITS: 36 and 0; "unknown, read to the end": ``0xFFFFFFFF`` twice).
    """
    return (
        b"RIFF"
        + struct.pack("<I", riff_size)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16)
        + b"data"
        + struct.pack("<I", data_size)
    )


def wav_bytes(pcm: PcmArray, sample_rate: int) -> bytes:
    """A complete mono 16-bit WAV file (correct header sizes) for ``pcm``."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(sample_rate)
        wf.writeframes(float_to_int16(pcm))
    return buf.getvalue()


def write_wav(path: Path, pcm: PcmArray, sample_rate: int) -> None:
    """Write ``pcm`` as a mono 16-bit WAV file."""
    path.write_bytes(wav_bytes(pcm, sample_rate))


def read_wav(path: Path) -> tuple[PcmArray, int]:
    """Read a PCM WAV file (mono or the first channel of several) as float32 samples."""
    with wave.open(str(path), "rb") as wf:
        if wf.getsampwidth() != 2:
            raise WavFormatError(f"{path.name}: only 16-bit PCM WAV is supported")
        channels = wf.getnchannels()
        data = int16_to_float(wf.readframes(wf.getnframes()))
        return (data[::channels] if channels > 1 else data), wf.getframerate()


@dataclass(slots=True)
class StreamingWavParser:
    """Incremental parser for an open-ended WAV stream (header once, then int16 PCM)."""

    sample_rate: int = 0
    channels: int = 0
    _buffer: bytearray = field(default_factory=bytearray)
    _header_done: bool = False

    @property
    def header_done(self) -> bool:
        """True once the header was parsed."""
        return self._header_done

    def feed(self, data: bytes) -> PcmArray:
        """Add bytes; return the mono float32 samples completed by them (possibly empty).

        Raises:
            WavFormatError: the stream does not start with a 16-bit PCM WAV header.
        """
        self._buffer.extend(data)
        if not self._header_done and not self._parse_header():
            return np.zeros(0, dtype=np.float32)
        frame_bytes = 2 * self.channels
        usable = len(self._buffer) - len(self._buffer) % frame_bytes
        if usable == 0:
            return np.zeros(0, dtype=np.float32)
        samples = int16_to_float(bytes(self._buffer[:usable]))
        del self._buffer[:usable]
        return samples[:: self.channels] if self.channels > 1 else samples

    def _parse_header(self) -> bool:
        buf = self._buffer
        if len(buf) < 12:
            return False
        if buf[:4] != b"RIFF" or buf[8:12] != b"WAVE":
            raise WavFormatError("not a WAV stream (no RIFF/WAVE header)")
        pos = 12
        fmt_seen = False
        while True:
            if len(buf) < pos + 8:
                return False
            chunk_id = bytes(buf[pos : pos + 4])
            size = struct.unpack_from("<I", buf, pos + 4)[0]
            if chunk_id == b"data":
                if not fmt_seen:
                    raise WavFormatError("WAV stream has data before its fmt chunk")
                del buf[: pos + 8]
                self._header_done = True
                return True
            if len(buf) < pos + 8 + size:
                return False
            if chunk_id == b"fmt ":
                fmt, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", buf, pos + 8)
                if fmt not in (1, 0xFFFE) or bits != 16 or channels < 1:
                    raise WavFormatError(f"unsupported WAV format (format {fmt}, {bits} bits)")
                self.sample_rate, self.channels = rate, channels
                fmt_seen = True
            pos += 8 + size + (size & 1)
