"""Status records of the audio output: the bus event, the status line, and counters.

Thread affinity: immutable records, safe to pass between threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from studio.core.events import Event

DeviceState = Literal["playing", "lost", "unavailable", "disabled", "stopped"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AudioDeviceEvent(Event):
    """The speaker output changed: playing on a device, lost it, or playing silently.

    Attributes:
        state: ``playing`` (on a device), ``lost`` (the device went away; retrying),
            ``unavailable`` (no PortAudio, no device, not found or cannot open; retrying),
            ``disabled`` (headless by choice), ``stopped``.
        device: The device label concerned (empty when none).
        detail: One sentence for a person, e.g. ``"device lost: USB Audio (ALSA); playing silently"``.
    """

    state: DeviceState
    device: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayoutStatus:
    """Where audio goes now: ``mode`` is ``device`` or ``null`` (silent, real-time paced)."""

    mode: Literal["device", "null", "stopped"]
    device: str
    message: str
    state: DeviceState = "stopped"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayoutStats:
    """Counters since the playout was created.

    Attributes:
        mode: ``device``, ``null`` or ``stopped``.
        blocks: Render blocks output.
        underruns: Times the voice ran dry in the middle of an utterance (TTS too slow).
        late_starts: Scheduled voice starts the render thread reached late (pts off by the delay).
        dropped_seconds: Voice skipped because the sink stalled while it was due (kept lip-sync).
        device_xruns: Output underflows PortAudio reported (the callback was too slow).
        device_losses: Times the device stream died and the null sink took over.
        open_attempts: Device open attempts (initial, retries, switches).
        queued_seconds: Voice queued and not yet rendered.
        latency: Output latency of the current sink (s).
        stream_skipped: Stream frames the encoder lost by reading too slowly.
    """

    mode: str
    blocks: int
    underruns: int
    late_starts: int
    dropped_seconds: float
    device_xruns: int
    device_losses: int
    open_attempts: int
    queued_seconds: float
    latency: float
    stream_skipped: int
