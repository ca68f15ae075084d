"""Outputs: an RTMP(S) server or a recording file, each muxing the shared packets on its own thread.

An output owns a send queue. :meth:`MuxOutput.put` (encoder thread) only appends; the output
thread connects, writes the header, and muxes packets in order. What a slow or lost connection
does, like OBS:

* **congestion** — more than ``max_queue_s`` of media waiting: the oldest group of pictures is
  dropped (video frames counted as dropped; audio goes with it so sound and picture stay paired);
* **connection lost** (RTMP) — the muxer is closed, state ``reconnecting``; the output retries
  with a doubling delay (``retry_delay_s`` .. ``max_retry_delay_s``, ``retries`` times, 0 = for
  ever); on success it resumes at the newest keyframe, timestamps continuing the session timeline;
* **stop** — the queue is flushed (bounded), the trailer written and the connection closed, so a
  file is valid and the RTMP server is told the stream ended (FCUnpublish / deleteStream).

Recording files never drop: a file's queue is unbounded in practice (a disk is faster than any
encode). MP4 recordings are fragmented so a crash leaves a playable file.

Secrets: the RTMP URL carries the stream key. It is used to connect and nothing else: targets
shown in stats and messages are masked, and FFmpeg error texts are masked before they go anywhere.
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import av

from studio.broadcast.packets import EncodedPacket, StreamTemplates
from studio.broadcast.stats import BitrateMeter, OutputKind, OutputState, OutputStats
from studio.core.logging import redactor

if TYPE_CHECKING:
    from av.container import OutputContainer
    from av.stream import Stream

__all__ = ["FILE_FORMATS", "MuxOutput", "RetryPolicy", "file_output", "rtmp_output", "rtmp_preflight"]

log = logging.getLogger(__name__)

FILE_FORMATS: Final = {"mp4": "mp4", "mkv": "matroska", "flv": "flv"}
_MP4_FRAGMENTED: Final = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}
# PyAV opens output URLs without protocol options (avio_open), so only muxer options work here.
_AAC_FRAME_S: Final = 1024 / 48000
_RTMP_OPTIONS: Final = {"flvflags": "no_duration_filesize"}  # a live stream has neither

StateCallback = Callable[[str, OutputState, str], None]
"""(output name, new state, detail) — called on the output thread."""


class RetryPolicy:
    """Reconnection: ``retries`` attempts (0 = unlimited), the delay doubling up to ``max_delay_s``."""

    __slots__ = ("delay_s", "max_delay_s", "retries")

    def __init__(self, retries: int = 30, delay_s: float = 1.0, max_delay_s: float = 15.0) -> None:
        self.retries = retries
        self.delay_s = delay_s
        self.max_delay_s = max(delay_s, max_delay_s)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt`` (1-based)."""
        # The exponent is capped: with unlimited retries 2.0 ** attempt overflows after ~1000 tries.
        return float(min(self.max_delay_s, self.delay_s * 2.0 ** min(64, max(0, attempt - 1))))

    def exhausted(self, attempt: int) -> bool:
        """True when attempt ``attempt`` is one too many."""
        return self.retries > 0 and attempt > self.retries


class MuxOutput:
    """One destination fed by the shared encoder.

    Args:
        name: Output id.
        kind: ``rtmp`` or ``file``.
        url: What FFmpeg opens (an RTMP URL with the key, or a file path).
        shown: ``url`` safe to display (key masked).
        fmt: FFmpeg muxer name (``flv``, ``mp4``, ``matroska``).
        options: Muxer/protocol options.
        retry: Reconnection policy (``None``: the first failure is final, as for files).
        max_queue_s: Media waiting before the oldest GOP is dropped (``None``: never drop).
        on_state: Called with every state change (output thread).
        secret: The stream key, masked out of every message.
    """

    def __init__(
        self,
        name: str,
        kind: OutputKind,
        url: str,
        shown: str,
        fmt: str,
        *,
        options: dict[str, str] | None = None,
        retry: RetryPolicy | None = None,
        max_queue_s: float | None = 3.0,
        on_state: StateCallback | None = None,
        secret: str = "",
        stall_s: float | None = None,
    ) -> None:
        self._name = name
        self._url = url
        self._fmt = fmt
        self._options = dict(options or {})
        self._retry = retry
        self._max_queue_s = max_queue_s
        self._on_state = on_state
        self._secret = secret
        redactor.register(secret)
        self._queue: deque[EncodedPacket] = deque()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._flush_deadline = 0.0
        self._thread: threading.Thread | None = None
        self._templates: StreamTemplates | None = None
        self._stats = OutputStats(name=name, kind=kind, target=shown)
        self._meter = BitrateMeter()
        self._started = 0.0
        self._dropped = 0
        self._connect_timeout = 5.0
        # Stall watchdog: a send blocked this long while media waits counts as a lost connection.
        self._stall_s = stall_s
        self._generation = 0  # bumped when a stalled connection thread is abandoned
        self._progress = 0.0  # monotonic time of the last mux (or idle wait) of the live connection
        self._live = False

    @property
    def name(self) -> str:
        """Output id."""
        return self._name

    @property
    def stats(self) -> OutputStats:
        """A snapshot (any thread)."""
        with self._cond:
            queued = self._queued_seconds()
        congestion = 0.0
        if self._max_queue_s:
            congestion = min(1.0, queued / self._max_queue_s)
        return replace(
            self._stats,
            dropped_frames=self._dropped,
            congestion=round(congestion, 3),
            bitrate_kbps=round(self._meter.kbps(), 1) if self._stats.state == "live" else 0.0,
            duration_s=round(time.monotonic() - self._started, 3) if self._started else 0.0,
        )

    # ---- session thread ----

    def start(self, templates: StreamTemplates) -> None:
        """Start the output thread; it connects in the background."""
        if self._thread is not None:
            return
        self._templates = templates
        self._stop.clear()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name=f"studio-output-{self._name}", daemon=True)
        self._thread.start()

    def _abandon_stalled(self) -> None:
        """Start a new connection thread; the stalled one exits when its send returns (holds _cond)."""
        self._generation += 1
        self._live = False
        message = f"no data could be sent for {self._stall_s:g} s (connection stalled)"
        self._thread = threading.Thread(
            target=self._run,
            args=(self._generation, message),
            name=f"studio-output-{self._name}",
            daemon=True,
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Flush (for up to ``timeout`` s), write the trailer, close; idempotent."""
        with self._cond:
            thread, self._thread = self._thread, None
        if thread is None:
            return
        self._flush_deadline = time.monotonic() + max(0.0, timeout - 1.0)
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        thread.join(timeout + 2.0)
        if thread.is_alive():
            log.warning("output %s did not stop in time", self._name)

    # ---- encoder thread ----

    def put(self, packet: EncodedPacket) -> None:
        """Queue ``packet``; drop the oldest GOP when more than ``max_queue_s`` waits."""
        with self._cond:
            self._queue.append(packet)
            if self._max_queue_s is not None and self._queued_seconds() > self._max_queue_s:
                self._drop_oldest_gop()
            if (
                self._stall_s is not None
                and self._live
                and self._thread is not None
                and not self._stop.is_set()
                and time.monotonic() - self._progress > self._stall_s
                and self._queued_seconds() >= 1.0
            ):
                self._abandon_stalled()
            self._cond.notify()

    # ---- queue helpers (hold self._cond) ----

    def _queued_seconds(self) -> float:
        if len(self._queue) < 2:
            return 0.0
        return max(0.0, self._queue[-1].seconds - self._queue[0].seconds)

    def _drop_oldest_gop(self) -> None:
        """Drop everything before the second keyframe in the queue (or all but the newest keyframe)."""
        keyframes = [i for i, p in enumerate(self._queue) if p.kind == "video" and p.keyframe]
        cut = keyframes[1] if len(keyframes) > 1 else len(self._queue)
        self._drop_front(cut)

    def _drop_to_newest_keyframe(self) -> None:
        keyframes = [i for i, p in enumerate(self._queue) if p.kind == "video" and p.keyframe]
        self._drop_front(keyframes[-1] if keyframes else len(self._queue))

    def _drop_front(self, count: int) -> None:
        for _ in range(count):
            if self._queue.popleft().kind == "video":
                self._dropped += 1

    # ---- output thread ----

    def _set_state(self, state: OutputState, detail: str = "", error: str | None = None) -> None:
        stats = replace(self._stats, state=state)
        if error is not None:
            stats = replace(stats, last_error=error)
        self._stats = stats
        if self._on_state is not None:
            try:
                self._on_state(self._name, state, detail)
            except Exception:
                log.exception("output state callback failed")

    def _mask(self, text: str) -> str:
        if self._secret:
            text = text.replace(self._secret, "***")
        return redactor.redact(text)

    def _run(self, gen: int = 0, stalled: str | None = None) -> None:
        attempt = 0
        outage_started: float | None = None
        if stalled is None:
            self._set_state("connecting")
        else:  # taking over from a stalled connection thread
            log.warning("output %s: %s; reconnecting", self._name, stalled)
            outage_started, attempt = time.monotonic(), 1
            self._set_state("reconnecting", stalled, error=stalled)
            self._wait_discarding(self._retry.delay(1) if self._retry else 0.0)
        while not self._stop.is_set() and gen == self._generation:
            try:
                container, streams = self._connect()
            except Exception as exc:
                message = self._mask(f"{type(exc).__name__}: {exc}")
                attempt += 1
                if self._retry is None or self._retry.exhausted(attempt):
                    log.error("output %s failed: %s", self._name, message)
                    self._set_state("failed", message, error=message)
                    self._discard_all()
                    return
                if outage_started is None:
                    outage_started = time.monotonic()
                    self._set_state("reconnecting", message, error=message)
                delay = self._retry.delay(attempt)
                log.warning("output %s: %s; retrying in %.1f s", self._name, message, delay)
                self._wait_discarding(delay)
                continue
            if outage_started is not None:
                self._stats = replace(
                    self._stats,
                    reconnects=self._stats.reconnects + 1,
                    outage_s=round(self._stats.outage_s + time.monotonic() - outage_started, 3),
                )
                outage_started = None
                log.info("output %s reconnected", self._name)
            attempt = 0
            if gen != self._generation:
                self._close(container, clean=False)
                return
            self._progress = time.monotonic()
            self._live = True
            self._set_state("live")
            lost = self._pump(container, streams, gen)
            if gen == self._generation:
                self._live = False
            self._close(container, clean=not lost)
            if gen != self._generation:  # superseded by the stall watchdog: the new thread reports
                log.info("output %s: stalled connection closed", self._name)
                return
            if lost is None:
                self._set_state("stopped")
                return
            message = self._mask(lost)
            if self._retry is None:
                log.error("output %s failed: %s", self._name, message)
                self._set_state("failed", message, error=message)
                self._discard_all()
                return
            outage_started = time.monotonic()
            attempt = 1
            self._set_state("reconnecting", message, error=message)
            log.warning("output %s lost its connection: %s", self._name, message)
            self._wait_discarding(self._retry.delay(attempt))
        if gen == self._generation:
            self._set_state("stopped")

    def _connect(self) -> tuple[OutputContainer, dict[str, Stream]]:
        assert self._templates is not None
        if self._fmt == "flv" and self._url.startswith(("rtmp://", "rtmps://")):
            rtmp_preflight(self._url, self._connect_timeout)
        container = av.open(self._url, mode="w", format=self._fmt, options=self._options, timeout=10.0)
        try:
            video = container.add_stream_from_template(self._templates.video, opaque=True)
            audio = container.add_stream_from_template(self._templates.audio, opaque=True)
            container.start_encoding()  # connect + publish + header now, not at the first packet
        except BaseException:
            self._close(container, clean=False)
            raise
        if self._max_queue_s is not None:
            # A live output resumes at the newest picture; a file keeps everything queued while it
            # opened (from the first keyframe on: the pump skips what comes before it).
            with self._cond:
                self._drop_to_newest_keyframe()
        return container, {"video": video, "audio": audio}

    def _pump(self, container: OutputContainer, streams: dict[str, Stream], gen: int = 0) -> str | None:
        """Mux until stopped (returns None), the connection breaks or is abandoned (returns why)."""
        waiting_keyframe = True
        start_s = 0.0  # where the picture starts: audio wholly before it is dropped
        while True:
            with self._cond:
                while not self._queue and not self._stop.is_set():
                    self._progress = time.monotonic()  # idle is not stalled
                    self._cond.wait(0.25)
                if self._stop.is_set() and (not self._queue or time.monotonic() > self._flush_deadline):
                    return None
                packet = self._queue.popleft()
            if waiting_keyframe:
                if packet.kind != "video" or not packet.keyframe:
                    if packet.kind == "video":
                        self._dropped += 1
                    continue
                waiting_keyframe = False
                start_s = packet.seconds
            elif packet.kind == "audio" and packet.seconds + _AAC_FRAME_S < start_s - 1e-6:
                # Audio is encoded after the frame it goes with: a few AAC frames older than the
                # resume keyframe follow it in the queue; sending them would start sound early.
                continue
            out = av.Packet(packet.data)
            out.pts = packet.pts
            out.dts = packet.dts
            out.time_base = packet.time_base
            out.is_keyframe = packet.keyframe
            out.stream = streams[packet.kind]
            try:
                container.mux(out)
            except (av.FFmpegError, OSError) as exc:
                return f"{type(exc).__name__}: {exc}"
            if gen != self._generation:
                return "abandoned after a stall"
            self._progress = time.monotonic()
            self._meter.add(len(packet.data))
            self._stats = replace(
                self._stats,
                bytes_sent=self._stats.bytes_sent + len(packet.data),
                frames_sent=self._stats.frames_sent + (packet.kind == "video"),
            )

    def _close(self, container: OutputContainer, *, clean: bool) -> None:
        try:
            container.close()
        except (av.FFmpegError, OSError, ValueError) as exc:
            if clean:
                log.warning("output %s did not close cleanly: %s", self._name, self._mask(str(exc)))

    def _wait_discarding(self, seconds: float) -> None:
        """Wait before reconnecting; keep only the newest GOP queued (what we'd resume with)."""
        deadline = time.monotonic() + seconds
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._stop.wait(min(remaining, 0.25))
            with self._cond:
                self._drop_to_newest_keyframe()

    def _discard_all(self) -> None:
        with self._cond:
            self._drop_front(len(self._queue))


def rtmp_preflight(url: str, timeout: float = 5.0) -> None:
    """Check, GIL-friendly and bounded by ``timeout``, that an RTMP server answers the handshake.

    PyAV connects (TCP, TLS, RTMP handshake, publish) inside ``start_encoding`` *holding the GIL*
    and without a timeout: a server that accepts the connection but never answers (a stalled
    ingest, a firewall black hole, a wrong port) would freeze every Python thread, the GUI
    included, for ever. This exchange C0+C1 -> S0+S1 in Python first, so only servers that answer
    reach PyAV (its connect then takes ~0.2 s).

    Raises:
        ConnectionError: no connection, or no RTMP answer in time (the message has no URL).
    """
    parts = urlsplit(url)
    tls = parts.scheme == "rtmps"
    host, port = parts.hostname or "", parts.port or (443 if tls else 1935)
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            sock: socket.socket = raw
            if tls:  # like FFmpeg's default: encrypted, certificate not verified
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                sock = ctx.wrap_socket(raw, server_hostname=host)
            sock.sendall(b"\x03" + bytes(8) + os.urandom(1528))
            answer = b""
            while len(answer) < 1537:
                sock.settimeout(max(0.05, deadline - time.monotonic()))
                chunk = sock.recv(1537 - len(answer))
                if not chunk:
                    raise ConnectionError("the server closed the connection during the RTMP handshake")
                answer += chunk
    except TimeoutError:
        raise ConnectionError(f"the server did not answer as an RTMP server within {timeout:g} s") from None
    except OSError as exc:
        if isinstance(exc, ConnectionError):
            raise
        raise ConnectionError(f"cannot reach {host}:{port}: {exc.strerror or exc}") from None
    if answer[0] != 3:
        raise ConnectionError(f"{host}:{port} is not an RTMP server (handshake version {answer[0]})")


def rtmp_output(
    name: str,
    url: str,
    shown: str,
    *,
    key: str = "",
    retry: RetryPolicy | None = None,
    max_queue_s: float = 3.0,
    on_state: StateCallback | None = None,
    stall_s: float | None = 5.0,
) -> MuxOutput:
    """An FLV-over-RTMP(S) output with reconnection and a stall watchdog (``stall_s``)."""
    return MuxOutput(
        name,
        "rtmp",
        url,
        shown,
        "flv",
        options=dict(_RTMP_OPTIONS),
        retry=retry or RetryPolicy(),
        max_queue_s=max_queue_s,
        on_state=on_state,
        secret=key,
        stall_s=stall_s,
    )


def file_output(
    name: str, path: Path, fmt: str = "mp4", *, on_state: StateCallback | None = None, **extra: Any
) -> MuxOutput:
    """A recording file (``mp4`` fragmented, ``mkv`` or ``flv``); never drops."""
    if fmt not in FILE_FORMATS:
        raise ValueError(f"Recording format must be one of {', '.join(FILE_FORMATS)}, not {fmt!r}.")
    options = dict(_MP4_FRAGMENTED) if fmt == "mp4" else {}
    options.update({k: str(v) for k, v in extra.items()})
    return MuxOutput(
        name,
        "file",
        str(path),
        str(path),
        FILE_FORMATS[fmt],
        options=options,
        max_queue_s=None,
        on_state=on_state,
    )
