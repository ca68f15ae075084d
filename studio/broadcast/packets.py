"""The seams of the broadcast: encoded packets, the stream templates, outputs and the audio source.

One encode feeds every output: the encoder turns frames into :class:`EncodedPacket` values
(immutable bytes + timing) and hands each to every :class:`PacketSink`; each output builds its own
muxer from the :class:`StreamTemplates` (codec parameters + extradata of the shared encoders), so
outputs never share PyAV objects across threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Literal, Protocol

from studio.broadcast.stats import OutputStats

if TYPE_CHECKING:
    from av.audio.stream import AudioStream
    from av.video.stream import VideoStream

    from studio.audio.mixer import StreamBlock

__all__ = ["AudioSource", "EncodedPacket", "PacketKind", "PacketSink", "StreamTemplates"]

PacketKind = Literal["video", "audio"]


@dataclass(frozen=True, slots=True)
class EncodedPacket:
    """One encoded video frame or AAC frame, shared read-only between outputs.

    Attributes:
        kind: ``video`` or ``audio``.
        data: The compressed bytes (H.264 Annex B / raw AAC).
        pts: Presentation timestamp in ``time_base`` units, on the session timeline (0 = start).
        dts: Decoding timestamp in ``time_base`` units.
        time_base: Units of ``pts``/``dts``.
        keyframe: A video packet an output may start at.
    """

    kind: PacketKind
    data: bytes
    pts: int
    dts: int
    time_base: Fraction
    keyframe: bool

    @property
    def seconds(self) -> float:
        """``pts`` in seconds."""
        return float(self.pts * self.time_base)


@dataclass(frozen=True, slots=True)
class StreamTemplates:
    """The opened shared encoders' streams: outputs copy their codec parameters (never encode).

    Use only ``container.add_stream_from_template(template, opaque=True)`` from output threads.
    """

    video: VideoStream
    audio: AudioStream


class PacketSink(Protocol):
    """An output: an RTMP server or a recording file, each on its own thread.

    ``put`` is called on the encoder thread and must never block; ``start``/``stop`` from the
    session's thread.
    """

    @property
    def name(self) -> str:
        """Output id (``main``, an extra output id, ``recording``)."""
        ...

    def start(self, templates: StreamTemplates) -> None:
        """Start the output thread (connecting happens there)."""
        ...

    def put(self, packet: EncodedPacket) -> None:
        """Queue one packet (encoder thread; non-blocking)."""
        ...

    def stop(self, timeout: float = 5.0) -> None:
        """Send what is queued (bounded by ``timeout``), finish the file/stream and close."""
        ...

    @property
    def stats(self) -> OutputStats:
        """A snapshot (any thread)."""
        ...


class AudioSource(Protocol):
    """The stream mix (:class:`studio.audio.mixer.Mixer` is one): pulled by the encoder thread."""

    sample_rate: int

    def seek_stream(self, pts: float | None = None) -> None:
        """Continue reading at ``pts`` seconds (``None``: the newest frame)."""
        ...

    def read_stream(self, max_frames: int) -> StreamBlock:
        """Up to ``max_frames`` stereo frames, non-blocking."""
        ...
