"""The VoxCPM worker process: loads the model and serves synthesis requests.

Runs only in the child started by :class:`~studio.inference.process_host.ProcessHost` (see
:func:`voxcpm_worker`); importing this module is cheap and imports neither torch nor voxcpm.

Requests arrive as plain dicts (:meth:`VoxCpmRequest.to_worker`); audio goes back as 1-D float32
numpy arrays at the model's output rate, one per patch that ``generate_streaming`` yields.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import random
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from studio.inference.process_worker import RequestContext, WorkerSetup

WARM_UP_TEXT = "Hello."


def default_threads() -> int:
    """Torch CPU threads for the worker: half the cores (1-8), leaving room for rendering and encoding."""
    return max(1, min(8, (os.cpu_count() or 2) // 2))


def worker_env(threads: int) -> dict[str, str]:
    """Environment for the child, set before torch is imported (OpenMP/MKL read it once)."""
    return {
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
        "TOKENIZERS_PARALLELISM": "false",
        "TQDM_DISABLE": "1",  # voxcpm draws a progress bar per utterance
        "HF_HUB_OFFLINE": "1",  # the model is a local folder; never reach for a hub
        "TRANSFORMERS_OFFLINE": "1",
    }


def cpu_name() -> str:
    """The CPU model name (best effort)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "CPU"


def read_frames(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """``(float32 [frames, channels], sample_rate)`` with soundfile (WAV, FLAC, OGG, MP3).

    Raises:
        soundfile.LibsndfileError: a format libsndfile cannot read.
    """
    import soundfile

    data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    return data, int(rate)


def install_audio_readers() -> None:
    """Make the package read prompt audio with soundfile + soxr (in the worker process only).

    - ``torchaudio.load`` (VoxCPM 1.x): torchaudio 2.9 decodes through torchcodec, whose native
      libraries do not load beside every torch build.
    - ``librosa.load`` (VoxCPM2): its first call imports scipy.signal and numba (seconds, on the
      first cloning request); soxr "HQ" is the resampler librosa would use anyway.

    Formats libsndfile cannot read still go through librosa.
    """
    import librosa
    import soundfile
    import soxr
    import torch
    import torchaudio

    def original(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        # Looked up only when needed: touching librosa.load imports scipy.signal (seconds).
        from librosa.core.audio import load

        audio, rate = load(*args, **kwargs)
        return audio, rate

    def torchaudio_load(uri: str | os.PathLike[str], *args: Any, **kwargs: Any) -> tuple[Any, int]:
        try:
            data, rate = read_frames(uri)
        except soundfile.LibsndfileError:
            audio, native = original(str(uri), sr=None, mono=False)
            return torch.from_numpy(np.atleast_2d(np.asarray(audio, dtype=np.float32))), int(native)
        return torch.from_numpy(np.ascontiguousarray(data.T)), rate

    def librosa_load(
        path: Any, *, sr: float | None = 22050, mono: bool = True, **kwargs: Any
    ) -> tuple[Any, Any]:
        if kwargs or not isinstance(path, str | os.PathLike):
            return original(path, sr=sr, mono=mono, **kwargs)
        try:
            data, rate = read_frames(path)
        except soundfile.LibsndfileError:
            return original(path, sr=sr, mono=mono)
        audio = data.mean(axis=1) if mono else data
        if sr is not None and int(sr) != rate:
            audio = soxr.resample(audio, rate, int(sr), quality="HQ")
            rate = int(sr)
        audio = np.ascontiguousarray(audio if mono else audio.T, dtype=np.float32)
        return audio, rate

    torchaudio.load = torchaudio_load
    librosa.load = librosa_load


def _device_label(torch: Any, device: str) -> tuple[str, dict[str, Any]]:
    if device.startswith("cuda"):
        index = torch.device(device).index
        index = torch.cuda.current_device() if index is None else index
        props = torch.cuda.get_device_properties(index)
        total = props.total_memory / 2**20
        label = f"cuda:{index} ({props.name}, {total / 1024:.0f} GB)"
        return label, {"gpu_name": props.name, "memory_total_mb": round(total, 1), "device": f"cuda:{index}"}
    if device == "mps":
        return "mps (Apple GPU)", {"gpu_name": "Apple GPU", "device": "mps"}
    return "cpu", {"device": "cpu"}


class VoxCpmWorker:
    """The loaded model and the request handlers (child process only)."""

    def __init__(self, model_dir: str, device: str, threads: int, warm_up: bool) -> None:
        import torch

        torch.set_num_threads(threads)
        with contextlib.suppress(RuntimeError):  # already set (allowed once per process)
            torch.set_num_interop_threads(1)
        install_audio_readers()
        from tqdm import tqdm

        # tqdm's default lock is a multiprocessing semaphore; one left by a killed worker makes the
        # resource tracker warn at shutdown. A thread lock is all this process needs.
        tqdm.set_lock(threading.RLock())
        from voxcpm import VoxCPM
        from voxcpm.model.voxcpm2 import VoxCPM2Model

        self._torch = torch
        # The package narrates its loading on stderr and torch warns about its weight_norm: the
        # text is kept for an error message instead of cluttering the studio's console.
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"torch\.nn\.utils\.weight_norm")
        narration = io.StringIO()
        try:
            with contextlib.redirect_stderr(narration):
                self.model = VoxCPM(
                    voxcpm_model_path=model_dir,
                    zipenhancer_model_path=None,
                    enable_denoiser=False,
                    optimize=False,
                    device=None if device == "auto" else device,
                )
        except (ValueError, FileNotFoundError):
            raise  # voxcpm's own messages (device not available, files missing) say it all
        except Exception as exc:
            tail = narration.getvalue().strip().splitlines()[-2:]
            raise RuntimeError(
                f"{type(exc).__name__}: {exc} (after: {' | '.join(tail) or 'nothing'})"
            ) from exc
        tts = self.model.tts_model
        self.is_v2 = isinstance(tts, VoxCPM2Model)
        self.device = str(tts.device)
        self.sample_rate = int(tts.sample_rate)
        label, extra = _device_label(torch, self.device)
        self.info: dict[str, Any] = {
            "sample_rate": self.sample_rate,
            "architecture": "voxcpm2" if self.is_v2 else "voxcpm",
            "device_label": label,
            "threads": threads,
            "torch": torch.__version__,
            "cpu_name": cpu_name(),
            "pid": os.getpid(),
            **extra,
        }
        if warm_up:
            # The first generation pays one-off costs (kernel selection, allocator): pay them now.
            for _ in self.model.generate_streaming(text=WARM_UP_TEXT, max_len=2, retry_badcase=False):
                pass

    def _kwargs(self, payload: dict[str, Any], *, streaming: bool) -> dict[str, Any]:
        args = dict(payload)
        seed = args.pop("seed", None)
        if seed is not None:
            random.seed(seed)
            np.random.seed(seed % 2**32)
            self._torch.manual_seed(seed)
        if args.get("reference_wav_path") and not self.is_v2:
            raise ValueError(
                "reference_wav needs a VoxCPM2 model; this model is VoxCPM 1.x (use prompt_wav)."
            )
        if args.get("denoise") and self.model.denoiser is None:
            raise ValueError("denoise is not available: the studio loads VoxCPM without its denoiser.")
        if not self.is_v2:
            args.pop("reference_wav_path", None)
        if streaming:
            args["retry_badcase"] = False  # unsupported while streaming (upstream warns and ignores it)
        return args

    def generate(self, payload: dict[str, Any], ctx: RequestContext) -> np.ndarray:
        """Whole utterance as one float32 array."""
        audio = self.model.generate(**self._kwargs(payload, streaming=False))
        return np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)

    def generate_streaming(self, payload: dict[str, Any], ctx: RequestContext) -> Iterator[np.ndarray]:
        """One float32 array per decoded patch, as soon as it exists; stops when cancelled."""
        chunks = self.model.generate_streaming(**self._kwargs(payload, streaming=True))
        try:
            for chunk in chunks:
                if ctx.cancelled:
                    return
                yield np.ascontiguousarray(chunk, dtype=np.float32).reshape(-1)
        finally:
            chunks.close()

    def gpu_status(self, payload: Any, ctx: RequestContext) -> dict[str, Any]:
        """What the model runs on, with memory and utilisation when the device reports them."""
        torch = self._torch
        if self.device.startswith("cuda"):
            index = torch.device(self.device).index
            index = torch.cuda.current_device() if index is None else index
            free, total = torch.cuda.mem_get_info(index)
            status: dict[str, Any] = {
                "available": True,
                "device": f"cuda:{index}",
                "name": torch.cuda.get_device_name(index),
                "memory_used_mb": round((total - free) / 2**20, 1),
                "memory_total_mb": round(total / 2**20, 1),
            }
            try:
                status["utilization_pct"] = float(torch.cuda.utilization(index))
            except Exception:  # needs pynvml / NVML; optional
                status["utilization_pct"] = None
            return status
        if self.device == "mps":
            used = torch.mps.current_allocated_memory() / 2**20
            return {"available": True, "device": "mps", "name": "Apple GPU", "memory_used_mb": round(used, 1)}
        return {"available": False, "device": "cpu", "name": cpu_name()}


def voxcpm_worker(model_dir: str, device: str, threads: int, warm_up: bool = True) -> WorkerSetup:
    """Process-host factory: load VoxCPM from ``model_dir`` and return the handlers.

    Args:
        model_dir: The model folder (``config.json``, weights, tokenizer).
        device: ``"auto"`` (CUDA, then MPS, then CPU), ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
        threads: Torch CPU threads.
        warm_up: Run a two-patch synthesis after loading so the first request is fast.
    """
    if not (Path(model_dir) / "config.json").is_file():
        raise FileNotFoundError(f"{model_dir} is not a VoxCPM model folder (no config.json).")
    worker = VoxCpmWorker(model_dir, device, threads, warm_up)
    handlers: dict[str, Callable[[Any, RequestContext], Any]] = {
        "generate": worker.generate,
        "generate_streaming": worker.generate_streaming,
        "gpu_status": worker.gpu_status,
    }
    return WorkerSetup(handlers=handlers, quick={"gpu_status": worker.gpu_status}, info=worker.info)
