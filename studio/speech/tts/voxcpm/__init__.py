"""VoxCPM local voice cloning: the request, the engine (worker process) and the TTS adapter.

Importing this package is cheap: torch and voxcpm are imported only in the worker process.
"""

from studio.speech.tts.voxcpm.engine import (
    VoxCpmEngine,
    VoxCpmModelConfig,
    check_model_folder,
    read_model_config,
)
from studio.speech.tts.voxcpm.request import GpuStatus, VoxCpmRequest
from studio.speech.tts.voxcpm.tts import VoxCpmTTS

__all__ = [
    "GpuStatus",
    "VoxCpmEngine",
    "VoxCpmModelConfig",
    "VoxCpmRequest",
    "VoxCpmTTS",
    "check_model_folder",
    "read_model_config",
]
