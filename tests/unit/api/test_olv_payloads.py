"""Open-LLM-VTuber payload building (reference-contracts.md 4.2)."""

from __future__ import annotations

import base64
import io
import re
import wave

import numpy as np
import pytest

from studio.api.compat import olv_payloads as p
from studio.core.errors import ValidationError


def _wav(samples: np.ndarray, rate: int = 16000, width: int = 2, channels: int = 1) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wf:
        wf.setnchannels(channels)
        wf.setsampwidth(width)
        wf.setframerate(rate)
        wf.writeframes(samples.tobytes())
    return out.getvalue()


def test_volumes_are_rms_per_20ms_normalised_to_the_loudest_slice() -> None:
    rate = 16000
    quiet = np.full(320, 1000, dtype=np.int16)  # one 20 ms slice
    loud = np.full(320, 4000, dtype=np.int16)
    tail = np.full(100, 2000, dtype=np.int16)  # a short last slice counts too
    vols = p.volumes(np.concatenate([quiet, loud, tail]), rate)
    assert vols == pytest.approx([0.25, 1.0, 0.5])


def test_volumes_of_silence_and_of_nothing() -> None:
    assert p.volumes(np.zeros(800, dtype=np.int16), 16000) == [0.0, 0.0, 0.0]
    assert p.volumes(np.zeros(0, dtype=np.int16), 16000) == []


def test_audio_payload_shape_and_wav() -> None:
    rate = 24000
    t = np.arange(rate // 2) / rate
    pcm = (np.sin(2 * np.pi * 220 * t) * 8000 * np.linspace(0, 1, t.size)).astype("<i2")
    wav = _wav(pcm, rate)
    msg = p.audio_payload(wav, text="[joy] Hi!", name="Cream", avatar=None, expressions=[3])
    assert set(msg) == {"type", "audio", "volumes", "slice_length", "display_text", "actions", "forwarded"}
    assert msg["type"] == "audio" and msg["slice_length"] == 20 and msg["forwarded"] is False
    assert base64.b64decode(msg["audio"]) == wav
    assert len(msg["volumes"]) == 25 and msg["volumes"][-1] == 1.0
    assert msg["volumes"] == sorted(msg["volumes"]), "a rising ramp gives rising volumes"
    assert msg["display_text"] == {"text": "[joy] Hi!", "name": "Cream", "avatar": None}
    assert msg["actions"] == {"expressions": [3]}


def test_silent_payload_and_no_expressions() -> None:
    msg = p.audio_payload(None, text="...", name="Cream", avatar="a.png", forwarded=True)
    assert msg["audio"] is None and msg["volumes"] == [] and msg["actions"] is None
    assert msg["forwarded"] is True


def test_audio_payload_refuses_non_16_bit_audio() -> None:
    with pytest.raises(ValidationError):
        p.audio_payload(_wav(np.zeros(100, np.uint8), width=1), text="x", name="n", avatar=None)
    with pytest.raises(ValidationError):
        p.audio_payload(b"not a wav", text="x", name="n", avatar=None)


def test_stereo_wav_uses_the_first_channel() -> None:
    frames = np.stack([np.full(640, 100, np.int16), np.zeros(640, np.int16)], axis=1)
    samples, rate = p.read_pcm16_wav(_wav(frames, channels=2))
    assert rate == 16000 and samples.size == 640 and int(samples[0]) == 100


def test_expressions_follow_the_emotion_map_in_order_any_case() -> None:
    emotion_map: dict[str, int | str] = {"joy": 3, "Anger": 2, "happy": "smile"}
    assert p.expressions_in("[JOY] yes [anger] no [unknown] [happy]", emotion_map) == [3, 2, "smile"]
    assert p.expressions_in("no tags here", emotion_map) == []


def test_speakable_removes_tags_brackets_and_asterisks() -> None:
    assert p.speakable("[happy] 你好（笑）呀 *waves* (aside) <b>ok</b>!") == "你好呀 waves ok!"
    assert p.speakable("[joy]") == ""


def test_guess_language() -> None:
    assert p.guess_language("こんにちは") == "ja"
    assert p.guess_language("你好 world") == "zh"
    assert p.guess_language("Hello.") == "en"


def test_float_pcm() -> None:
    pcm = p.float_pcm([0.5, -2, 1e9, 0])
    assert pcm.dtype == np.float32 and pcm.tolist() == [0.5, -1.0, 1.0, 0.0]
    with pytest.raises(ValidationError):
        p.float_pcm("abc")
    with pytest.raises(ValidationError):
        p.float_pcm([[1], "x"])


def test_asr_samples_skips_the_header_with_the_references_errors() -> None:
    with pytest.raises(ValueError, match=r"^Invalid WAV file: File too small$"):
        p.asr_samples(b"RIFF")
    with pytest.raises(ValueError, match=r"^Invalid audio data: Buffer size must be even$"):
        p.asr_samples(b"\0" * 45)
    with pytest.raises(ValueError, match=r"^Empty audio data$"):
        p.asr_samples(b"\0" * 44)
    body = np.array([16384, -32768], dtype="<i2").tobytes()
    assert p.asr_samples(b"\0" * 44 + body).tolist() == [0.5, -1.0]


def test_history_formats() -> None:
    uid = p.new_history_uid()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_[0-9a-f]{32}", uid)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", p.timestamp(0.0))
    human = p.history_message("user", "hi", 0.0, name="Cream")
    assert human is not None and human["role"] == "human" and "name" not in human
    ai = p.history_message("assistant", "yo", 0.0, name="Cream", avatar="c.png")
    assert ai is not None and ai["role"] == "ai" and ai["name"] == "Cream" and ai["avatar"] == "c.png"
    assert p.history_message("system", "[Interrupted by user]", 0.0) is None
    entry = p.history_entry("u", ai)
    assert entry == {"uid": "u", "latest_message": ai, "timestamp": ai["timestamp"]}


def test_config_files_put_conf_yaml_first() -> None:
    msg = p.config_files([("b.yaml", "B"), ("conf.yaml", "Main")])
    assert msg == {
        "type": "config-files",
        "configs": [{"filename": "conf.yaml", "name": "Main"}, {"filename": "b.yaml", "name": "B"}],
    }


def test_control_and_message() -> None:
    assert p.control("start-mic") == {"type": "control", "text": "start-mic"}
    assert p.message("heartbeat-ack") == {"type": "heartbeat-ack"}
