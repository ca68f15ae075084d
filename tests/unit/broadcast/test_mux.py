"""MuxOutput: GOP dropping on congestion, keyframe start/resume, files from hand-fed packets, reconnecting."""

from __future__ import annotations

import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from studio.broadcast.codecs import EncoderConfig, OpenedEncoders, open_encoders
from studio.broadcast.mux import MuxOutput, RetryPolicy, file_output, rtmp_output
from studio.broadcast.packets import EncodedPacket, StreamTemplates
from studio.testing.rtmp import free_port

FPS = 30
GOP = 10


def _pkt(kind: str, index: int, keyframe: bool = False) -> EncodedPacket:
    if kind == "video":
        return EncodedPacket("video", b"v", index, index, Fraction(1, FPS), keyframe)
    return EncodedPacket("audio", b"a", index * 1024, index * 1024, Fraction(1, 48000), True)


def _stream(seconds: float) -> list[EncodedPacket]:
    """Interleaved video (keyframe every GOP frames) and audio packets, in timestamp order."""
    out: list[EncodedPacket] = []
    a = 0
    for v in range(int(seconds * FPS)):
        out.append(_pkt("video", v, v % GOP == 0))
        while a * 1024 / 48000 < (v + 1) / FPS:
            out.append(_pkt("audio", a))
            a += 1
    return out


def _queue(out: MuxOutput) -> list[EncodedPacket]:
    return list(out._queue)


def test_congestion_drops_whole_gops_and_keeps_the_queue_bounded() -> None:
    out = MuxOutput("main", "rtmp", "rtmp://x/app/k", "rtmp://x/app/***", "flv", max_queue_s=1.0)
    packets = _stream(4.0)
    for p in packets:  # never started: nothing is sent, so everything congests
        out.put(p)
        q = _queue(out)
        assert q[-1].seconds - q[0].seconds <= 1.0 + 1e-9
    q = _queue(out)
    first_video = next(p for p in q if p.kind == "video")
    assert first_video.keyframe  # the queue always starts at a GOP boundary
    assert first_video is q[0]  # the audio before the kept GOP went with the dropped picture
    video_total = sum(p.kind == "video" for p in packets)
    video_left = sum(p.kind == "video" for p in q)
    assert out.stats.dropped_frames == video_total - video_left > 0
    assert out.stats.congestion >= 0.8


def test_files_never_drop() -> None:
    out = file_output("recording", Path("/nonexistent/x.mp4"), "mp4")
    for p in _stream(8.0):
        out.put(p)
    assert out.stats.dropped_frames == 0
    assert len(_queue(out)) == len(_stream(8.0))
    assert out.stats.congestion == 0.0


def test_unknown_recording_format_is_refused() -> None:
    with pytest.raises(ValueError, match="mp4, mkv, flv"):
        file_output("recording", Path("x.avi"), "avi")


# ---- real packets into real files ----


@pytest.fixture
def encoders() -> Iterator[OpenedEncoders]:
    opened = open_encoders(EncoderConfig(width=320, height=180, fps=FPS, keyframe_s=GOP / FPS))
    try:
        yield opened
    finally:
        opened.close()


def _encode(opened: OpenedEncoders, frames: int) -> list[EncodedPacket]:
    """``frames`` video frames and the matching AAC frames, encoded by hand, in timestamp order."""
    raw: list[tuple[str, av.Packet]] = []
    img = np.zeros((180, 320, 3), np.uint8)
    for i in range(frames):
        img[:] = (i * 7) % 255
        vf = av.VideoFrame.from_ndarray(img, format="rgb24").reformat(format="yuv420p")
        vf.pts, vf.time_base = i, Fraction(1, FPS)
        raw += [("video", p) for p in opened.video.codec_context.encode(vf)]
    raw += [("video", p) for p in opened.video.codec_context.encode(None)]
    samples = frames * 48000 // FPS
    for k in range(0, samples, 1024):
        af = av.AudioFrame.from_ndarray(np.zeros((2, 1024), np.float32), format="fltp", layout="stereo")
        af.sample_rate, af.pts, af.time_base = 48000, k, Fraction(1, 48000)
        raw += [("audio", p) for p in opened.audio.codec_context.encode(af)]
    raw += [("audio", p) for p in opened.audio.codec_context.encode(None)]
    packets = [
        EncodedPacket(kind, bytes(p), p.pts, p.dts, p.time_base, bool(p.is_keyframe))  # type: ignore[arg-type]
        for kind, p in raw
        if p.pts is not None and p.time_base is not None
    ]
    return sorted(packets, key=lambda p: p.seconds)


def _video_packets(path: Path) -> list[tuple[float, bool]]:
    with av.open(str(path)) as c:
        return [
            (float(p.pts * p.time_base), bool(p.is_keyframe))
            for p in c.demux(c.streams.video[0])
            if p.pts is not None and p.time_base is not None
        ]


@pytest.mark.parametrize("fmt", ["mp4", "mkv", "flv"])
def test_hand_fed_packets_make_a_valid_file(encoders: OpenedEncoders, tmp_path: Path, fmt: str) -> None:
    packets = _encode(encoders, 45)
    path = tmp_path / f"out.{fmt}"
    out = file_output("recording", path, fmt)
    out.start(StreamTemplates(encoders.video, encoders.audio))
    for p in packets:
        out.put(p)
    out.stop()
    assert out.stats.state == "stopped"
    assert out.stats.frames_sent == 45
    video = _video_packets(path)
    assert len(video) == 45
    assert video[0] == (0.0, True)
    with av.open(str(path)) as c:
        assert c.streams.video[0].codec_context.name == "h264"
        assert c.streams.audio[0].codec_context.name == "aac"
        assert (c.streams.video[0].width, c.streams.video[0].height) == (320, 180)


def test_an_output_starts_at_a_keyframe_and_counts_what_it_skipped(
    encoders: OpenedEncoders, tmp_path: Path
) -> None:
    packets = _encode(encoders, 40)
    late = [p for p in packets if p.seconds >= 3 / FPS]  # joined mid-GOP (frames 3..9 are not key)
    path = tmp_path / "late.mkv"
    out = file_output("recording", path, "mkv")
    out.start(StreamTemplates(encoders.video, encoders.audio))
    for p in late:
        out.put(p)
    out.stop()
    video = _video_packets(path)
    assert video[0][1] and video[0][0] == pytest.approx(GOP / FPS, abs=0.002)  # mkv: ms units
    assert len(video) == 40 - GOP
    assert out.stats.dropped_frames == GOP - 3


def test_a_file_that_cannot_be_opened_fails_with_the_reason(encoders: OpenedEncoders, tmp_path: Path) -> None:
    states: list[str] = []
    out = file_output(
        "recording", tmp_path / "missing" / "x.mp4", "mp4", on_state=lambda n, s, d: states.append(s)
    )
    out.start(StreamTemplates(encoders.video, encoders.audio))
    deadline = time.monotonic() + 5
    while out.stats.state != "failed" and time.monotonic() < deadline:
        time.sleep(0.01)
    out.stop()
    assert out.stats.state == "failed"
    assert out.stats.last_error
    assert states[0] == "connecting" and "failed" in states


def test_no_server_means_reconnecting_keeping_only_the_newest_gop(encoders: OpenedEncoders) -> None:
    key = "sk_live_abc123"
    url = f"rtmp://127.0.0.1:{free_port()}/live/{key}"
    states: list[str] = []
    out = rtmp_output(
        "main",
        url,
        "shown",
        key=key,
        retry=RetryPolicy(0, 0.2, 0.4),
        on_state=lambda n, s, d: states.append(s),
    )
    out.start(StreamTemplates(encoders.video, encoders.audio))
    packets = _encode(encoders, 60)
    for p in packets:
        out.put(p)
    deadline = time.monotonic() + 5
    while out.stats.state != "reconnecting" and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.6)  # at least one discarding wait
    stats = out.stats
    began = time.monotonic()
    out.stop(timeout=2.0)
    assert time.monotonic() - began < 3.0
    assert stats.state == "reconnecting"
    assert states[:2] == ["connecting", "reconnecting"]
    assert stats.last_error and key not in stats.last_error
    assert stats.dropped_frames >= 60 - GOP  # all but the newest GOP thrown away while down
    assert out.stats.state == "stopped"


def test_limited_retries_end_in_failed(encoders: OpenedEncoders) -> None:
    out = rtmp_output(
        "main", f"rtmp://127.0.0.1:{free_port()}/live/k", "shown", retry=RetryPolicy(2, 0.05, 0.1)
    )
    out.start(StreamTemplates(encoders.video, encoders.audio))
    deadline = time.monotonic() + 5
    while out.stats.state != "failed" and time.monotonic() < deadline:
        time.sleep(0.01)
    out.stop()
    assert out.stats.state == "failed"
