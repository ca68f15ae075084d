"""VoxCPM on the engine loop: requests go to a supervised worker process that holds the model.

One :class:`VoxCpmEngine` per model folder and device. The model loads in a spawned process
(:mod:`studio.speech.tts.voxcpm.worker`), so torch never enters the studio's own process and a
crash in native code cannot take the studio down: the waiting request fails with a retryable
:class:`~studio.core.errors.ProviderError`, ``on_crash`` is told, and the worker is restarted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from studio.core.errors import ProviderError, ValidationError
from studio.inference.process_host import (
    ProcessHost,
    WorkerClosedError,
    WorkerCrashedError,
    WorkerError,
    WorkerRemoteError,
    WorkerStartError,
    WorkerTimeoutError,
)
from studio.speech.tts.voxcpm.request import GpuStatus, VoxCpmRequest
from studio.speech.tts.voxcpm.worker import default_threads, voxcpm_worker, worker_env

log = logging.getLogger(__name__)

PROVIDER = "voxcpm"
WORKER_NAME = "VoxCPM worker"
DEVICES = ("auto", "cpu", "cuda", "mps")
_CUDA_INDEX = re.compile(r"cuda:\d+")
# Exceptions raised by voxcpm for bad input (not for broken models).
_INPUT_ERRORS = {"ValueError", "FileNotFoundError"}


@dataclass(frozen=True, slots=True)
class VoxCpmModelConfig:
    """What ``config.json`` says, read without loading the model.

    Attributes:
        architecture: ``"voxcpm2"`` or ``"voxcpm"`` (0.5B / 1.5).
        sample_rate: Output sample rate (VoxCPM2: 48 kHz; VoxCPM-0.5B: 16 kHz; VoxCPM1.5: 44.1 kHz).
    """

    architecture: str
    sample_rate: int


def read_model_config(model_dir: Path) -> VoxCpmModelConfig:
    """Read the architecture and output sample rate from ``model_dir/config.json`` (cheap; any thread).

    Raises:
        ValidationError: no readable ``config.json``, or an unknown architecture.
    """
    path = Path(model_dir) / "config.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(f"{model_dir} is not a VoxCPM model folder: config.json not found.") from None
    except (OSError, ValueError) as exc:
        raise ValidationError(f"Cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ValidationError(f"{path} is not a VoxCPM config (expected a JSON object).")
    architecture = str(data.get("architecture", "voxcpm")).lower()
    if architecture not in ("voxcpm", "voxcpm2"):
        raise ValidationError(f"{path}: unsupported VoxCPM architecture {architecture!r}.")
    vae = data.get("audio_vae_config") or {}
    # The package's defaults when the config leaves them out: AudioVAE V2 48 kHz out, V1 16 kHz.
    rate = vae.get("out_sample_rate", 48000) if architecture == "voxcpm2" else vae.get("sample_rate", 16000)
    return VoxCpmModelConfig(architecture, int(rate))


def check_model_folder(model_dir: Path) -> VoxCpmModelConfig:
    """Check that ``model_dir`` holds a loadable VoxCPM model (cheap: files only; any thread).

    Raises:
        ValidationError: names what is missing (config, weights, audio VAE or tokenizer).
    """
    config = read_model_config(model_dir)
    folder = Path(model_dir)
    wanted = {
        "model weights": ("model.safetensors", "pytorch_model.bin"),
        "audio VAE weights": ("audiovae.safetensors", "audiovae.pth"),
        "tokenizer": ("tokenizer.json", "tokenizer.model"),
    }
    missing = [
        f"{what} ({' or '.join(names)})"
        for what, names in wanted.items()
        if not any((folder / name).is_file() for name in names)
    ]
    if missing:
        raise ValidationError(
            f"{folder} is not a complete VoxCPM model folder: missing {'; '.join(missing)}."
        )
    return config


def check_device(device: str) -> str:
    """Normalise a device setting; raises ValidationError unless auto/cpu/cuda/cuda:N/mps."""
    value = device.strip().lower()
    if value not in DEVICES and not _CUDA_INDEX.fullmatch(value):
        raise ValidationError(f"device must be one of auto, cpu, cuda, cuda:N or mps, not {device!r}.")
    return value


class VoxCpmEngine:
    """A VoxCPM model served by a supervised worker process. Engine loop only.

    Args:
        model_dir: The model folder (``config.json``, ``model.safetensors`` / ``pytorch_model.bin``,
            ``audiovae.*``, tokenizer files).
        device: ``"auto"`` (CUDA, then MPS, then CPU), ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"``.
        name: The model's name (default: the folder's name).
        on_crash: Called (on the loop) with a message when the worker dies unexpectedly.
        threads: Torch CPU threads in the worker (default: half the cores, 1-8).
        warm_up: Run a tiny synthesis when loading so the first request is fast.
    """

    def __init__(
        self,
        model_dir: Path,
        *,
        device: str = "auto",
        name: str | None = None,
        on_crash: Callable[[str], None] | None = None,
        threads: int | None = None,
        warm_up: bool = True,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.model_name = name or self.model_dir.name
        self.device = check_device(device)
        self.on_crash = on_crash
        n_threads = threads or default_threads()
        self._host = ProcessHost(
            WORKER_NAME,
            voxcpm_worker,
            (str(self.model_dir), self.device, n_threads, warm_up),
            env=worker_env(n_threads),
            start_timeout=600.0,
            on_crash=self._crashed,
        )
        self._config: VoxCpmModelConfig | None = None

    @property
    def loaded(self) -> bool:
        """True while the worker holds the model."""
        return self._host.running

    @property
    def sample_rate(self) -> int | None:
        """Output sample rate (``model.tts_model.sample_rate``), known after load."""
        rate = self._host.info.get("sample_rate")
        return int(rate) if rate is not None else None

    @property
    def device_label(self) -> str | None:
        """Where the model runs (``"cpu"``, ``"cuda:0 (NVIDIA GeForce RTX 4090, 24 GB)"``); after load."""
        label = self._host.info.get("device_label")
        return str(label) if label is not None else None

    @property
    def architecture(self) -> str | None:
        """``"voxcpm2"`` or ``"voxcpm"`` once known (from config.json or the loaded model)."""
        arch = self._host.info.get("architecture") or (self._config.architecture if self._config else None)
        return str(arch) if arch is not None else None

    @property
    def restarts(self) -> int:
        """How many times the worker was restarted after a crash."""
        return self._host.restarts

    @property
    def worker_pid(self) -> int | None:
        """The worker process id (for diagnostics and tests)."""
        return self._host.pid

    def _crashed(self, message: str) -> None:
        log.error("VoxCPM worker crashed", extra={"model": self.model_name, "detail": message})
        if self.on_crash is not None:
            self.on_crash(message)

    async def load(self) -> None:
        """Start the worker and load the model (idempotent; waits for a load in progress).

        An explicit load also retries a worker that was given up after repeated crashes.

        Raises:
            ProviderError: the folder is not a VoxCPM model, or loading failed (message says why).
        """
        await self._load(retry_failed=True)

    async def _load(self, *, retry_failed: bool) -> None:
        if self._host.running:
            return
        try:
            self._config = check_model_folder(self.model_dir)
        except ValidationError as exc:
            raise ProviderError(str(exc), provider=PROVIDER) from exc
        try:
            info = await self._host.start(retry_failed=retry_failed)
        except WorkerStartError as exc:
            raise ProviderError(
                f"Cannot load the VoxCPM model {self.model_name!r} from {self.model_dir}: {exc}",
                provider=PROVIDER,
            ) from exc
        except WorkerError as exc:
            raise _provider_error(exc) from exc
        log.info("VoxCPM model loaded", extra={"model": self.model_name, "device": info.get("device_label")})

    def _check(self, req: VoxCpmRequest) -> dict[str, Any]:
        req.validate()
        if self._config is None:
            with contextlib.suppress(ValidationError):  # a broken folder is reported by load()
                self._config = read_model_config(self.model_dir)
        if req.denoise:
            raise ValidationError("denoise is not available: the studio loads VoxCPM without its denoiser.")
        if req.reference_wav is not None and self.architecture == "voxcpm":
            raise ValidationError(
                f"reference_wav needs a VoxCPM2 model; {self.model_name!r} is VoxCPM 1.x (use prompt_wav)."
            )
        return req.to_worker()

    def stream(self, req: VoxCpmRequest) -> AsyncGenerator[np.ndarray, None]:
        """Float32 mono chunks at :attr:`sample_rate`, each as soon as the model yields it.

        The request is validated now (ValidationError before any iteration). Closing the iterator
        or cancelling the consumer stops the worker's generation at its next chunk.

        Raises:
            ValidationError: bad request. ProviderError: load failure or worker crash (retryable).
        """
        payload = self._check(req)
        return self._stream(payload)

    async def _stream(self, payload: dict[str, Any]) -> AsyncGenerator[np.ndarray, None]:
        await self._load(retry_failed=False)
        try:
            async with contextlib.aclosing(self._host.stream("generate_streaming", payload)) as chunks:
                async for chunk in chunks:
                    yield chunk
        except WorkerError as exc:
            raise _provider_error(exc) from exc

    async def generate(self, req: VoxCpmRequest) -> np.ndarray:
        """The whole utterance as one float32 array at :attr:`sample_rate`.

        Raises:
            ValidationError: bad request. ProviderError: load failure or worker crash (retryable).
        """
        payload = self._check(req)
        await self._load(retry_failed=False)
        try:
            audio: np.ndarray = await self._host.call("generate", payload)
        except WorkerError as exc:
            raise _provider_error(exc) from exc
        return audio

    async def gpu_status(self) -> GpuStatus:
        """What the worker runs on (loads the model first). Answers even while a synthesis runs."""
        await self._load(retry_failed=False)
        try:
            data = await self._host.call("gpu_status", timeout=None)
        except WorkerError as exc:
            raise _provider_error(exc) from exc
        return GpuStatus.from_worker(data)

    async def close(self) -> None:
        """Stop the worker process (clean exit, else terminate, else kill)."""
        await self._host.close()


def _provider_error(exc: WorkerError) -> ProviderError | ValidationError:
    if isinstance(exc, WorkerRemoteError):
        if exc.kind in _INPUT_ERRORS:
            message = str(exc)
            if exc.kind == "FileNotFoundError":
                path = message.split(": ", 1)[-1]
                message = f"Audio file not found: {path}"
            return ValidationError(message)
        log.error("VoxCPM failed: %s", exc.remote_traceback)
        return ProviderError(f"VoxCPM failed: {exc.kind}: {exc}", provider=PROVIDER)
    retryable = isinstance(exc, WorkerCrashedError | WorkerTimeoutError | WorkerClosedError)
    return ProviderError(str(exc), provider=PROVIDER, retryable=retryable)
