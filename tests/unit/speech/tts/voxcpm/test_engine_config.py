"""VoxCPM model folders read without loading, device names, and worker errors as studio errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.core.errors import ProviderError, ValidationError
from studio.inference.process_host import (
    WorkerClosedError,
    WorkerCrashedError,
    WorkerFailedError,
    WorkerRemoteError,
    WorkerTimeoutError,
)
from studio.speech.tts.voxcpm.engine import (
    VoxCpmEngine,
    VoxCpmModelConfig,
    _provider_error,
    check_device,
    check_model_folder,
    read_model_config,
)
from studio.speech.tts.voxcpm.request import VoxCpmRequest


def _folder(tmp_path: Path, config: object, files: tuple[str, ...] = ()) -> Path:
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    for name in files:
        (tmp_path / name).write_bytes(b"x")
    return tmp_path


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"architecture": "voxcpm2"}, VoxCpmModelConfig("voxcpm2", 48000)),
        (
            {"architecture": "VoxCPM2", "audio_vae_config": {"out_sample_rate": 24000}},
            VoxCpmModelConfig("voxcpm2", 24000),
        ),
        ({}, VoxCpmModelConfig("voxcpm", 16000)),  # 0.5B configs carry no architecture
        (
            {"architecture": "voxcpm", "audio_vae_config": {"sample_rate": 44100}},
            VoxCpmModelConfig("voxcpm", 44100),
        ),
    ],
)
def test_the_config_gives_architecture_and_output_rate(
    tmp_path: Path, config: object, expected: object
) -> None:
    assert read_model_config(_folder(tmp_path, config)) == expected


def test_unreadable_configs_are_explained(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"not a VoxCPM model folder: config\.json not found"):
        read_model_config(tmp_path)
    (tmp_path / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError, match="Cannot read"):
        read_model_config(tmp_path)
    _folder(tmp_path, ["a list"])
    with pytest.raises(ValidationError, match="expected a JSON object"):
        read_model_config(tmp_path)
    _folder(tmp_path, {"architecture": "tacotron"})
    with pytest.raises(ValidationError, match="unsupported VoxCPM architecture 'tacotron'"):
        read_model_config(tmp_path)


def test_a_complete_folder_needs_weights_vae_and_tokenizer(tmp_path: Path) -> None:
    _folder(tmp_path, {"architecture": "voxcpm2"}, ("tokenizer.json",))
    with pytest.raises(ValidationError) as info:
        check_model_folder(tmp_path)
    assert "missing model weights (model.safetensors or pytorch_model.bin); audio VAE weights" in str(
        info.value
    )
    assert "tokenizer" not in str(info.value)
    _folder(tmp_path, {"architecture": "voxcpm2"}, ("pytorch_model.bin", "audiovae.pth"))
    assert check_model_folder(tmp_path).architecture == "voxcpm2"


@pytest.mark.parametrize("device", ["auto", "cpu", "CUDA", "cuda:1", " mps "])
def test_known_devices(device: str) -> None:
    assert check_device(device) == device.strip().lower()


@pytest.mark.parametrize("device", ["gpu", "cuda:", "cuda:x", "tpu", ""])
def test_unknown_devices_are_refused(device: str) -> None:
    with pytest.raises(ValidationError, match="device must be one of auto, cpu, cuda, cuda:N or mps"):
        check_device(device)


def test_the_engine_refuses_a_bad_device_at_once(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        VoxCpmEngine(tmp_path, device="gpu")


def test_worker_errors_become_studio_errors() -> None:
    crashed = _provider_error(
        WorkerCrashedError("The VoxCPM worker stopped unexpectedly (exit code 1) and is restarting.")
    )
    assert isinstance(crashed, ProviderError) and crashed.retryable and crashed.provider == "voxcpm"
    assert "restarting" in str(crashed)
    assert _provider_error(WorkerTimeoutError("slow")).retryable
    assert _provider_error(WorkerClosedError("closed")).retryable
    failed = _provider_error(WorkerFailedError("gave up"))
    assert isinstance(failed, ProviderError) and not failed.retryable
    missing = _provider_error(
        WorkerRemoteError("FileNotFoundError", "prompt_wav_path does not exist: /a/b.wav")
    )
    assert isinstance(missing, ValidationError) and str(missing) == "Audio file not found: /a/b.wav"
    bad = _provider_error(WorkerRemoteError("ValueError", "target text must be a non-empty string"))
    assert isinstance(bad, ValidationError)
    broken = _provider_error(WorkerRemoteError("RuntimeError", "CUDA out of memory"))
    assert isinstance(broken, ProviderError) and not broken.retryable
    assert str(broken) == "VoxCPM failed: RuntimeError: CUDA out of memory"


def test_requests_are_checked_against_the_folder_before_any_worker_starts(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    model = _folder(tmp_path / "m", {"architecture": "voxcpm"})
    wav = tmp_path / "ref.wav"
    wav.write_bytes(b"RIFF")
    engine = VoxCpmEngine(model, device="cpu")
    with pytest.raises(ValidationError, match=r"reference_wav needs a VoxCPM2 model; 'm' is VoxCPM 1\.x"):
        engine.stream(VoxCpmRequest("hi", reference_wav=wav))
    with pytest.raises(ValidationError, match="denoise is not available"):
        engine.stream(VoxCpmRequest("hi", denoise=True))
    assert engine.worker_pid is None and not engine.loaded
