from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from studio.speech.tts.wav import (
    StreamingWavParser,
    WavFormatError,
    float_to_int16,
    read_wav,
    wav_bytes,
    write_wav,
)


def _sine(n: int, sr: int = 16000) -> np.ndarray:
    return (0.5 * np.sin(2 * np.pi * 440 * np.arange(n) / sr)).astype(np.float32)


def gpt_sovits_stream_header(sr: int) -> bytes:
    """The header GPT-SoVITS api_v2 sends first: RIFF size 36, data size 0."""
    return (
        b"RIFF"
        + struct.pack("<I", 36)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, sr, sr * 2, 2, 16)
        + b"data"
        + struct.pack("<I", 0)
    )


def test_wav_bytes_has_correct_sizes(tmp_path: Path) -> None:
    pcm = _sine(1600)
    path = tmp_path / "a.wav"
    write_wav(path, pcm, 16000)
    with wave.open(str(path)) as wf:
        assert wf.getnframes() == 1600
        assert wf.getframerate() == 16000
    back, sr = read_wav(path)
    assert sr == 16000
    assert np.max(np.abs(back - pcm)) < 1e-3


@pytest.mark.parametrize("step", [1, 3, 7, 44, 45, 1000])
def test_streaming_parser_any_split(step: int) -> None:
    pcm = _sine(3001, 32000)
    stream = gpt_sovits_stream_header(32000) + float_to_int16(pcm)
    parser = StreamingWavParser()
    out = [parser.feed(stream[i : i + step]) for i in range(0, len(stream), step)]
    got = np.concatenate(out)
    assert parser.sample_rate == 32000
    assert len(got) == 3001
    assert np.max(np.abs(got - pcm)) < 1e-3


def test_streaming_parser_reads_regular_file_with_extra_chunks() -> None:
    data = wav_bytes(_sine(500), 22050)
    # insert a LIST chunk between fmt and data, as some encoders do
    list_chunk = b"LIST" + struct.pack("<I", 5) + b"abcde" + b"\x00"
    data = data[:36] + list_chunk + data[36:]
    parser = StreamingWavParser()
    got = parser.feed(data)
    assert parser.sample_rate == 22050
    assert len(got) == 500


def test_streaming_parser_stereo_takes_first_channel() -> None:
    left = np.full(10, 0.5, dtype=np.float32)
    right = np.full(10, -0.5, dtype=np.float32)
    inter = np.stack([left, right], axis=1).reshape(-1)
    header = (
        b"RIFF"
        + struct.pack("<I", 36)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, 2, 8000, 32000, 4, 16)
        + b"data"
        + struct.pack("<I", 0)
    )
    got = StreamingWavParser().feed(header + float_to_int16(inter))
    assert np.allclose(got, 0.5, atol=1e-3)


@pytest.mark.parametrize(
    "data",
    [
        b"ID3\x00" + b"\x00" * 40,
        b"RIFF\x00\x00\x00\x00WAVEfmt " + struct.pack("<IHHIIHH", 16, 3, 1, 8000, 32000, 4, 32),
    ],
)
def test_streaming_parser_rejects_other_formats(data: bytes) -> None:
    with pytest.raises(WavFormatError):
        StreamingWavParser().feed(data + b"\x00" * 16)
