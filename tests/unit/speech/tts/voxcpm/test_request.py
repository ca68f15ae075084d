"""VoxCpmRequest validation at the boundary and the worker payload; GpuStatus from the worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.core.errors import ValidationError
from studio.speech.tts.voxcpm.request import GpuStatus, VoxCpmRequest


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    path = tmp_path / "prompt.wav"
    path.write_bytes(b"RIFF")
    return path


def test_a_plain_request_is_valid_and_maps_to_voxcpm_keywords() -> None:
    req = VoxCpmRequest("你好")
    req.validate()
    assert req.to_worker() == {
        "text": "你好",
        "prompt_wav_path": None,
        "prompt_text": None,
        "reference_wav_path": None,
        "cfg_value": 2.0,
        "inference_timesteps": 10,
        "min_len": 2,
        "max_len": 4096,
        "normalize": False,
        "denoise": False,
        "retry_badcase": True,
        "seed": None,
    }


def test_cloning_paths_become_strings(wav: Path) -> None:
    req = VoxCpmRequest("hi", prompt_wav=wav, prompt_text="words", reference_wav=wav, seed=7)
    req.validate()
    payload = req.to_worker()
    assert payload["prompt_wav_path"] == str(wav) == payload["reference_wav_path"]
    assert payload["prompt_text"] == "words" and payload["seed"] == 7


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": ""}, "text is empty"),
        ({"text": " \n\t"}, "text is empty"),
        ({"text": "x" * 5001}, "text is too long (5001 characters); the limit is 5000"),
        ({"prompt_text": "words"}, "prompt_wav is required with prompt_text"),
        ({"cfg_value": 0.0}, "cfg_value must be between 0.1 and 10.0, not 0.0"),
        ({"cfg_value": float("nan")}, "cfg_value must be between"),
        ({"cfg_value": True}, "cfg_value must be between"),
        ({"inference_timesteps": 0}, "inference_timesteps must be a whole number between 1 and 100, not 0"),
        ({"inference_timesteps": 2.5}, "inference_timesteps must be a whole number"),
        ({"min_len": -1}, "min_len must be a whole number between 0 and 8192"),
        ({"max_len": 9000}, "max_len must be a whole number between 1 and 8192, not 9000"),
        ({"min_len": 10, "max_len": 5}, "min_len (10) must not be greater than max_len (5)"),
        ({"seed": -1}, "seed must be a whole number between 0 and 4294967295"),
    ],
)
def test_bad_values_are_named_in_the_message(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"text": "hello", **kwargs}
    with pytest.raises(ValidationError) as info:
        VoxCpmRequest(**fields).validate()  # type: ignore[arg-type]
    assert message in str(info.value)


def test_the_prompt_pair_must_be_complete(wav: Path) -> None:
    with pytest.raises(ValidationError, match="prompt_text is required with prompt_wav"):
        VoxCpmRequest("hi", prompt_wav=wav).validate()
    with pytest.raises(ValidationError, match="prompt_text is required with prompt_wav"):
        VoxCpmRequest("hi", prompt_wav=wav, prompt_text="  ").validate()


def test_missing_files_are_named(tmp_path: Path) -> None:
    missing = tmp_path / "nobody.wav"
    with pytest.raises(ValidationError) as info:
        VoxCpmRequest("hi", prompt_wav=missing, prompt_text="x").validate()
    assert str(info.value) == f"prompt_wav file not found: {missing}"
    with pytest.raises(ValidationError) as info:
        VoxCpmRequest("hi", reference_wav=tmp_path).validate()  # a folder is not a file
    assert str(info.value) == f"reference_wav file not found: {tmp_path}"


def test_gpu_status_from_the_worker_reply() -> None:
    status = GpuStatus.from_worker(
        {
            "available": True,
            "device": "cuda:0",
            "name": "RTX",
            "memory_used_mb": 512,
            "memory_total_mb": 8192.0,
        }
    )
    assert status == GpuStatus(True, "cuda:0", "RTX", 512.0, 8192.0, None)
    cpu = GpuStatus.from_worker(
        {"available": False, "device": "cpu", "name": "AMD EPYC", "utilization_pct": True}
    )
    assert cpu == GpuStatus(False, "cpu", "AMD EPYC")
