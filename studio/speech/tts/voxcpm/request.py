"""What one VoxCPM synthesis asks for, checked at the boundary, and the GPU status report.

Both are plain frozen dataclasses that cross the process boundary to the VoxCPM worker (they are
pickled as dicts of builtins, see :meth:`VoxCpmRequest.to_worker`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.errors import ValidationError

#: Ranges accepted at the boundary (wider than the upstream demo's sliders, narrower than nonsense).
CFG_RANGE = (0.1, 10.0)
TIMESTEPS_RANGE = (1, 100)
MAX_LEN_LIMIT = 8192
MAX_TEXT_CHARS = 5000


@dataclass(frozen=True, slots=True)
class VoxCpmRequest:
    """One VoxCPM synthesis.

    Attributes:
        text: What to say (newlines become spaces; VoxCPM2 reads a leading "(description)" as voice design).
        prompt_wav: Continuation cloning: a recording the speech continues from; needs ``prompt_text``.
        prompt_text: The transcript of ``prompt_wav``.
        reference_wav: VoxCPM2 only: timbre cloning from this recording (combinable with the prompt pair).
        cfg_value: Classifier-free guidance scale.
        inference_timesteps: Diffusion steps per patch.
        min_len: Minimum length in audio patches.
        max_len: Maximum length in audio patches.
        normalize: Run the package's text normaliser first.
        denoise: Denoise the prompt/reference audio (needs a denoiser, which the studio does not load).
        retry_badcase: Whole-file synthesis only: retry when the audio is implausibly long for the text.
        seed: Seed for the worker's random generators (``None``: not reseeded).
    """

    text: str
    prompt_wav: Path | None = None
    prompt_text: str | None = None
    reference_wav: Path | None = None
    cfg_value: float = 2.0
    inference_timesteps: int = 10
    min_len: int = 2
    max_len: int = 4096
    normalize: bool = False
    denoise: bool = False
    retry_badcase: bool = True
    seed: int | None = None

    def validate(self) -> None:
        """Check the request; thread affinity: any.

        Files are checked for existence here (the worker checks again when it reads them).

        Raises:
            ValidationError: with a message that names the field and the allowed values.
        """
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValidationError("text is empty: give the words to speak.")
        if len(self.text) > MAX_TEXT_CHARS:
            raise ValidationError(
                f"text is too long ({len(self.text)} characters); the limit is {MAX_TEXT_CHARS}: split it."
            )
        has_wav = self.prompt_wav is not None
        has_text = self.prompt_text is not None and self.prompt_text.strip() != ""
        if has_wav and not has_text:
            raise ValidationError(
                "prompt_text is required with prompt_wav: give the transcript of the prompt audio."
            )
        if has_text and not has_wav:
            raise ValidationError(
                "prompt_wav is required with prompt_text: give the prompt recording as well."
            )
        for label, path in (("prompt_wav", self.prompt_wav), ("reference_wav", self.reference_wav)):
            if path is not None and not Path(path).is_file():
                raise ValidationError(f"{label} file not found: {path}")
        if not _finite(self.cfg_value) or not CFG_RANGE[0] <= self.cfg_value <= CFG_RANGE[1]:
            raise ValidationError(
                f"cfg_value must be between {CFG_RANGE[0]} and {CFG_RANGE[1]}, not {self.cfg_value!r}."
            )
        _check_int("inference_timesteps", self.inference_timesteps, *TIMESTEPS_RANGE)
        _check_int("min_len", self.min_len, 0, MAX_LEN_LIMIT)
        _check_int("max_len", self.max_len, 1, MAX_LEN_LIMIT)
        if self.min_len > self.max_len:
            raise ValidationError(
                f"min_len ({self.min_len}) must not be greater than max_len ({self.max_len})."
            )
        if self.seed is not None:
            _check_int("seed", self.seed, 0, 2**32 - 1)

    def to_worker(self) -> dict[str, Any]:
        """The request as builtins for the worker process (paths as strings)."""
        return {
            "text": self.text,
            "prompt_wav_path": str(self.prompt_wav) if self.prompt_wav is not None else None,
            "prompt_text": self.prompt_text if self.prompt_wav is not None else None,
            "reference_wav_path": str(self.reference_wav) if self.reference_wav is not None else None,
            "cfg_value": float(self.cfg_value),
            "inference_timesteps": int(self.inference_timesteps),
            "min_len": int(self.min_len),
            "max_len": int(self.max_len),
            "normalize": bool(self.normalize),
            "denoise": bool(self.denoise),
            "retry_badcase": bool(self.retry_badcase),
            "seed": self.seed,
        }


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(f"{name} must be a whole number between {low} and {high}, not {value!r}.")


@dataclass(frozen=True, slots=True)
class GpuStatus:
    """What the VoxCPM worker runs on.

    Attributes:
        available: True when a GPU (CUDA or Apple MPS) is usable.
        device: ``"cpu"``, ``"cuda:0"``, ``"mps"``.
        name: The GPU's name, or the CPU model when there is no GPU.
        memory_used_mb: Memory in use on the GPU (CUDA: by this process's allocator).
        memory_total_mb: The GPU's total memory.
        utilization_pct: GPU utilisation when the driver reports it.
    """

    available: bool
    device: str
    name: str
    memory_used_mb: float | None = None
    memory_total_mb: float | None = None
    utilization_pct: float | None = None

    @classmethod
    def from_worker(cls, data: dict[str, Any]) -> GpuStatus:
        """Build from the worker's reply (plain dict)."""
        return cls(
            available=bool(data.get("available", False)),
            device=str(data.get("device", "cpu")),
            name=str(data.get("name", "")),
            memory_used_mb=_opt_float(data.get("memory_used_mb")),
            memory_total_mb=_opt_float(data.get("memory_total_mb")),
            utilization_pct=_opt_float(data.get("utilization_pct")),
        )


def _opt_float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
