"""Reference recordings: decoding every format the GUI and API accept, trimming, loudness, limits."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from studio.core.errors import ValidationError
from studio.speech.library.audio_prep import (
    MAX_RATE,
    PEAK_CEILING_DBFS,
    TARGET_RMS_DBFS,
    decode_audio,
    prepare_recording,
    read_wav,
    wav_bytes,
)
from tests.unit.speech.library._audio import encode, encode_av, voiced


def _rms_db(x: np.ndarray) -> float:
    return 20 * np.log10(float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))))


def test_trims_silence_keeps_margins_and_normalises() -> None:
    rate = 24000
    audio = voiced(3.0, rate, lead=1.5, tail=2.0, level=0.05)
    prepared = prepare_recording(encode(audio, rate))
    assert prepared.sample_rate == rate
    # 3 s of sound + about 0.15 s on each side (20 ms frame granularity)
    assert 3.2 <= prepared.duration_s <= 3.4, prepared.duration_s
    assert 2.9 <= prepared.speech_s <= 3.05
    peak = float(np.max(np.abs(prepared.samples)))
    assert peak <= 10 ** (PEAK_CEILING_DBFS / 20) + 1e-6
    # quiet input was raised towards the target (the peak ceiling may stop it a little short)
    assert _rms_db(prepared.samples) > _rms_db(audio[int(1.5 * rate) : int(4.5 * rate)]) + 10
    assert _rms_db(prepared.samples) <= TARGET_RMS_DBFS + 0.5


def test_loud_input_never_clips() -> None:
    audio = np.clip(voiced(2.0, 16000, level=1.4), -1, 1)
    prepared = prepare_recording(encode(audio, 16000, subtype="FLOAT"))
    assert float(np.max(np.abs(prepared.samples))) <= 10 ** (PEAK_CEILING_DBFS / 20) + 1e-6


def test_stereo_high_rate_becomes_mono_48k() -> None:
    rate = 96000
    mono = voiced(1.5, rate)
    stereo = np.stack([mono, mono * 0.5], axis=1)
    samples, sr = decode_audio(encode(stereo, rate))
    assert sr == MAX_RATE
    assert samples.ndim == 1
    assert abs(len(samples) / sr - len(mono) / rate) < 0.01


@pytest.mark.parametrize(("fmt", "subtype"), [("FLAC", None), ("OGG", "VORBIS")])
def test_soundfile_formats(fmt: str, subtype: str | None) -> None:
    prepared = prepare_recording(encode(voiced(2.0, 44100), 44100, fmt, subtype))
    assert prepared.sample_rate == 44100
    assert 2.0 <= prepared.duration_s <= 2.5


@pytest.mark.parametrize(("container", "codec"), [("mp4", "aac"), ("webm", "libopus"), ("mp3", "libmp3lame")])
def test_pyav_formats(container: str, codec: str) -> None:
    rate = 48000
    try:
        data = encode_av(voiced(2.0, rate), rate, container, codec)
    except Exception as exc:  # an FFmpeg build without that encoder
        pytest.skip(f"PyAV cannot encode {codec}: {exc}")
    prepared = prepare_recording(data)
    assert prepared.sample_rate == rate
    assert 1.9 <= prepared.speech_s <= 2.2


def test_path_input(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "rec.wav"
    path.write_bytes(encode(voiced(1.5, 22050), 22050))
    assert prepare_recording(path).sample_rate == 22050


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"this is not audio at all" * 50, "Cannot read"),
        (encode(np.zeros(48000 * 3, dtype=np.float32), 48000), "silent"),
        (encode(voiced(0.5, 16000), 16000), "at least 1 s"),
        (encode(voiced(65.0, 8000), 8000), "limit is 60 s"),
    ],
    ids=["empty", "garbage", "silent", "short", "long"],
)
def test_refused_with_clear_messages(data: bytes, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        prepare_recording(data)


def test_stored_wav_is_16_bit_mono(tmp_path) -> None:  # type: ignore[no-untyped-def]
    prepared = prepare_recording(encode(voiced(1.2, 32000), 32000))
    data = wav_bytes(prepared.samples, prepared.sample_rate)
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 32000)
        assert w.getnframes() == len(prepared.samples)
    path = tmp_path / "x.wav"
    path.write_bytes(data)
    back, sr = read_wav(path)
    assert sr == 32000
    assert np.max(np.abs(back - prepared.samples)) < 1e-4
