from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from studio.audio.decode import decode_audio_file
from studio.core.errors import ValidationError
from studio.speech.tts.wav import write_wav


def _encode(path: Path, codec: str, rate: int, seconds: float) -> None:
    t = np.arange(int(rate * seconds)) / rate
    tone = (0.4 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate = rate  # PyAV converts to the codec's sample format when encoding
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


@pytest.mark.parametrize(("name", "codec"), [("a.m4a", "aac"), ("a.flac", "flac")])
def test_decodes_compressed_files_to_48k_stereo(tmp_path: Path, name: str, codec: str) -> None:
    path = tmp_path / name
    _encode(path, codec, 44100, 1.0)
    frames = decode_audio_file(path)
    assert frames.dtype == np.float32 and frames.shape[1] == 2
    assert abs(len(frames) / 48000 - 1.0) < 0.05
    spectrum = np.abs(np.fft.rfft(frames[:, 0]))
    peak_hz = np.argmax(spectrum) * 48000 / len(frames)
    assert abs(peak_hz - 440) < 5
    assert np.allclose(frames[:, 0], frames[:, 1])


def test_wav_mono_at_other_rate(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    write_wav(path, np.full(16000, 0.25, dtype=np.float32), 16000)
    frames = decode_audio_file(path, sample_rate=24000, channels=1)
    assert frames.shape[1] == 1 and abs(len(frames) - 24000) < 50


def test_not_audio_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp3"
    path.write_text("this is not audio", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"Cannot read notes\.mp3"):
        decode_audio_file(path)
