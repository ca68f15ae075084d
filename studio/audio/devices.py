"""Sound output devices as PortAudio sees them, tolerant of no devices and of no PortAudio at all.

``sounddevice`` initialises PortAudio when it is imported and raises ``OSError`` when the
PortAudio library is missing; with no sound card it lists nothing and raises ``PortAudioError`` on
the default device. Every function here turns those into "no devices" instead of an exception.

PortAudio reads the device list once, at initialisation. :func:`refresh` re-initialises it to see
devices plugged in later, which invalidates every open stream (capture included): only a component
that owns all streams may call it.

Thread affinity: any thread, but not an audio callback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

log = logging.getLogger(__name__)


class _PortAudio:
    """Lazy, cached import of ``sounddevice`` (importing it initialises PortAudio)."""

    module: ModuleType | None = None
    error: str = ""

    @classmethod
    def load(cls) -> ModuleType | None:
        if cls.module is None and not cls.error:
            try:
                import sounddevice

                cls.module = sounddevice
            except (OSError, ImportError) as exc:  # PortAudio library missing or broken
                cls.error = f"PortAudio is not available: {exc}"
                log.warning("portaudio unavailable", extra={"error": str(exc)})
        return cls.module


def sounddevice_module() -> ModuleType | None:
    """The ``sounddevice`` module, or ``None`` when PortAudio cannot be loaded (see why_unavailable)."""
    return _PortAudio.load()


def why_unavailable() -> str:
    """Why PortAudio could not be loaded; empty when it could."""
    _PortAudio.load()
    return _PortAudio.error


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """One output device.

    Attributes:
        index: PortAudio device index (valid until the next :func:`refresh`).
        name: Device name as the host API reports it.
        hostapi: Host API name (``ALSA``, ``Windows WASAPI``, ``Core Audio`` ...).
        max_output_channels: Output channels the device offers.
        default_samplerate: The device's preferred rate.
        low_latency: Suggested low output latency (s).
        is_default: True for the system's default output.
    """

    index: int
    name: str
    hostapi: str
    max_output_channels: int
    default_samplerate: float
    low_latency: float
    is_default: bool = False

    @property
    def label(self) -> str:
        """``name (hostapi)`` for menus and status lines."""
        return f"{self.name} ({self.hostapi})"


def _default_index(sd: ModuleType, kind: str) -> int:
    try:
        info: Any = sd.query_devices(kind=kind)  # the default device (sd.default or the host API's)
        return int(info["index"])
    except Exception:  # PortAudioError: there is no default device of this kind
        return -1


def query_devices(kind: Literal["input", "output"]) -> list[tuple[int, Any, str, bool]]:
    """``(index, PortAudio device dict, host API name, is default)`` of every device with
    ``kind`` channels; empty with no devices or no PortAudio."""
    sd = sounddevice_module()
    if sd is None:
        return []
    try:
        raw: Any = sd.query_devices()
        apis: Any = sd.query_hostapis()
    except Exception as exc:  # sounddevice.PortAudioError
        log.info("cannot list audio devices", extra={"error": str(exc)})
        return []
    default = _default_index(sd, kind)
    out = []
    for index, dev in enumerate(raw):
        if int(dev.get(f"max_{kind}_channels", 0)) <= 0:
            continue
        api = dev.get("hostapi", 0)
        hostapi = str(apis[api]["name"]) if 0 <= api < len(apis) else ""
        out.append((index, dev, hostapi, index == default))
    return out


def list_output_devices() -> list[DeviceInfo]:
    """All devices with at least one output channel; empty with no devices or no PortAudio."""
    return [
        DeviceInfo(
            index=index,
            name=str(dev.get("name", f"device {index}")),
            hostapi=hostapi,
            max_output_channels=int(dev["max_output_channels"]),
            default_samplerate=float(dev.get("default_samplerate", 0.0)),
            low_latency=float(dev.get("default_low_output_latency", 0.0)),
            is_default=is_default,
        )
        for index, dev, hostapi, is_default in query_devices("output")
    ]


def default_output_device() -> DeviceInfo | None:
    """The system's default output, or ``None`` when there is none."""
    devices = list_output_devices()
    for dev in devices:
        if dev.is_default:
            return dev
    return None


def find_output_device(selector: int | str | None) -> DeviceInfo | None:
    """Resolve a device choice: ``None``/``""`` = default, an index, or a name.

    Names match exactly first, then case-insensitively, then as a case-insensitive substring
    (host API label included), so "USB Audio" finds "USB Audio Device (hw:1,0)".
    """
    if selector is None or selector == "":
        return default_output_device()
    devices = list_output_devices()
    if isinstance(selector, int):
        return next((d for d in devices if d.index == selector), None)
    wanted = selector.strip()
    for match in (
        lambda d: d.name == wanted,
        lambda d: d.name.casefold() == wanted.casefold(),
        lambda d: wanted.casefold() in d.label.casefold(),
    ):
        found = [d for d in devices if match(d)]
        if found:
            return next((d for d in found if d.is_default), found[0])
    return None


def refresh() -> bool:
    """Re-initialise PortAudio so it sees devices added or removed since start.

    Invalidates every open PortAudio stream. Returns False when PortAudio is unavailable.
    """
    sd = sounddevice_module()
    if sd is None:
        return False
    try:
        sd._terminate()
        sd._initialize()
    except Exception as exc:
        log.warning("portaudio re-initialisation failed", extra={"error": str(exc)})
        return False
    return True
