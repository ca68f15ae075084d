"""VoxCPM local voice cloning: the request, the engine (worker process) and the TTS adapter.

Importing this package is cheap: torch and voxcpm are imported only in the worker process.
"""

from studio.speech.tts.voxcpm.engine import VoxCpmEngine, VoxCpmModelConfig, read_model_config
from studio.speech.tts.voxcpm.request import GpuStatus, VoxCpmRequest

__all__ = ["GpuStatus", "VoxCpmEngine", "VoxCpmModelConfig", "VoxCpmRequest", "read_model_config"]
