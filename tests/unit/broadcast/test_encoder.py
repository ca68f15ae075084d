"""Encoder: a paced real Mixer + synthetic frames -> mp4/mkv/flv; queue skipping; missed frames."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from studio.audio.mixer import Mixer
from studio.broadcast.codecs import EncoderConfig, EncoderError
from studio.broadcast.encoder import Encoder
from studio.broadcast.mux import file_output
from studio.broadcast.packets import EncodedPacket, StreamTemplates
from studio.broadcast.stats import EncoderStats, OutputStats
from studio.core.clock import MediaClock
from studio.testing.rtmp import ffprobe_json, require_ffprobe
from tests.unit.broadcast.synth import AudioPacer, SyntheticFeed, beep_track

W, H, FPS = 640, 360, 30
RUN_S = 2.0


@dataclass
class Run:
    files: dict[str, Path]
    stats: EncoderStats
    outputs: dict[str, OutputStats]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One 2 s real-time encode into three files at once."""
    require_ffprobe()
    folder = tmp_path_factory.mktemp("enc")
    mixer, clock = Mixer(), MediaClock()
    mixer.play_music(beep_track(1.0, [0.0, 0.5]), 48000)  # never silent for long: real AAC content
    encoder = Encoder(EncoderConfig(width=W, height=H, fps=FPS, x264_preset="ultrafast"), mixer)
    files = {fmt: folder / f"rec.{fmt}" for fmt in ("mp4", "mkv", "flv")}
    outputs = {fmt: file_output(fmt, path, fmt) for fmt, path in files.items()}
    with AudioPacer(mixer, clock):
        time.sleep(0.1)
        encoder.start()
        for out in outputs.values():
            encoder.add_output(out)
        feed = SyntheticFeed(clock, W, H, FPS)
        feed.start(encoder.push_frame)
        time.sleep(RUN_S)
        feed.stop()
        encoder.stop()
    for out in outputs.values():
        out.stop()
    return Run(files, encoder.stats, {f: o.stats for f, o in outputs.items()})


@pytest.mark.parametrize("fmt", ["mp4", "mkv", "flv"])
def test_real_time_encode_makes_valid_files(run: Run, fmt: str) -> None:
    probe = ffprobe_json(run.files[fmt])
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    audio = next(s for s in probe["streams"] if s["codec_type"] == "audio")
    assert video["codec_name"] == "h264"
    assert (video["width"], video["height"]) == (W, H)
    assert video["r_frame_rate"] == f"{FPS}/1"
    assert audio["codec_name"] == "aac"
    assert (int(audio["sample_rate"]), audio["channels"]) == (48000, 2)
    duration = float(probe["format"]["duration"])
    expected = run.stats.duration_s  # the video timeline (frames skipped on a busy host leave holes)
    assert abs(duration - expected) <= 0.1, (duration, expected)
    skew = abs(float(video["start_time"]) - float(audio["start_time"]))
    assert skew <= 0.040, probe
    out = run.outputs[fmt]
    assert out.state == "stopped" and out.dropped_frames == 0
    assert out.frames_sent == run.stats.frames_encoded


def test_real_time_encode_stats(run: Run) -> None:
    s = run.stats
    assert s.video_encoder == "libx264"
    assert s.duration_s >= RUN_S * 0.9
    # Every frame slot is accounted for: encoded, skipped (encoder queue full) or missed (no frame).
    assert s.frames_encoded + s.skipped_frames + s.missed_frames == round(s.duration_s * FPS)
    assert s.frames_encoded >= RUN_S * FPS * 0.5  # keeps up even on a loaded CI host
    assert s.av_drift_ms <= 1000 / FPS / 2 + 0.5  # at most half a frame when the renderer keeps time
    assert not s.running and s.error is None


class SilentSource:
    """An AudioSource that never has audio (a stalled device)."""

    sample_rate = 48000

    def seek_stream(self, pts: float | None = None) -> None:
        pass

    def read_stream(self, max_frames: int):  # type: ignore[no-untyped-def]
        from studio.audio.mixer import StreamBlock

        return StreamBlock(0.0, np.zeros((0, 2), np.float32), 48000)


class Collect:
    """A PacketSink that keeps what it gets."""

    name = "collect"
    stats = OutputStats(name="collect", kind="file", target="")

    def __init__(self) -> None:
        self.packets: list[EncodedPacket] = []
        self.lock = threading.Lock()

    def start(self, templates: StreamTemplates) -> None:
        pass

    def put(self, packet: EncodedPacket) -> None:
        with self.lock:
            self.packets.append(packet)

    def stop(self, timeout: float = 5.0) -> None:
        pass


@pytest.fixture
def encoder_720() -> Iterator[Encoder]:
    enc = Encoder(
        EncoderConfig(width=1280, height=720, fps=FPS, x264_preset="medium"), SilentSource(), queue_frames=3
    )
    enc.start()
    try:
        yield enc
    finally:
        enc.stop()


def test_push_never_blocks_and_a_full_queue_skips_the_oldest(encoder_720: Encoder) -> None:
    img = np.zeros((720, 1280, 4), np.uint8)
    worst = 0.0
    refused = 0
    began_all = time.perf_counter()
    for i in range(90):  # 3 s of 720p frames pushed at once: far faster than libx264 'medium' encodes
        began = time.perf_counter()
        kept = encoder_720.push_frame(i / FPS, img)
        worst = max(worst, time.perf_counter() - began)
        refused += not kept
    total = time.perf_counter() - began_all
    encoder_720.stop()
    stats = encoder_720.stats
    # Blocking would mean waiting for encodes (~90 x 30+ ms); a busy host may deschedule us briefly.
    assert total < 0.5, f"90 pushes took {total * 1000:.0f} ms"
    assert worst < 0.05, f"push_frame blocked {worst * 1000:.1f} ms"
    assert refused > 0
    assert stats.skipped_frames == refused
    assert stats.frames_encoded == 90 - refused  # every frame is either encoded or skipped
    assert stats.missed_frames == 0  # every slot had a frame: skipped ones are not "missed" too


def test_missed_frame_slots_are_counted_and_silence_keeps_audio_going() -> None:
    enc = Encoder(EncoderConfig(width=320, height=180, fps=FPS), SilentSource())
    sink = Collect()
    enc.start()
    enc.add_output(sink)
    img = np.zeros((180, 320, 4), np.uint8)
    slots = [0, 1, 2, 5, 6, 7, 8, 12]  # 2 + 3 slots without a frame
    for n in slots:
        enc.push_frame(10.0 + n / FPS + 0.002, img)  # the session's zero is the first pts
        deadline = time.monotonic() + 2
        while enc.stats.frames_encoded < slots.index(n) + 1 and time.monotonic() < deadline:
            time.sleep(0.002)
    enc.push_frame(10.0 + 12 / FPS, img)  # the same slot again: not a new frame
    enc.stop()
    stats = enc.stats
    assert stats.missed_frames == 5
    assert stats.frames_encoded == len(slots)
    assert stats.skipped_frames == 0
    video = sorted(p.pts for p in sink.packets if p.kind == "video")
    assert video == slots
    audio = [p for p in sink.packets if p.kind == "audio"]
    assert audio, "no audio at all: the silent source must be filled with silence"
    end = max(p.seconds for p in audio) + 1024 / 48000
    assert end >= 13 / FPS - 0.001  # the audio ends together with the video


def test_the_mix_must_be_48k() -> None:
    mixer = Mixer(sample_rate=44100)
    with pytest.raises(EncoderError, match="48000"):
        Encoder(EncoderConfig(), mixer)


@pytest.mark.parametrize(("w", "h", "fps"), [(641, 360, 30), (640, 0, 30), (640, 360, 0)])
def test_bad_config_is_refused(w: int, h: int, fps: int) -> None:
    with pytest.raises(EncoderError):
        EncoderConfig(width=w, height=h, fps=fps)


def test_an_output_added_mid_stream_starts_at_once_with_a_keyframe(tmp_path: Path) -> None:
    require_ffprobe()
    enc = Encoder(EncoderConfig(width=320, height=180, fps=FPS, keyframe_s=2.0), SilentSource())
    enc.start()
    img = np.zeros((180, 320, 4), np.uint8)

    def push(n: int) -> None:
        enc.push_frame(n / FPS, img)
        deadline = time.monotonic() + 2
        while enc.stats.frames_encoded < n + 1 and time.monotonic() < deadline:
            time.sleep(0.002)

    for n in range(10):
        push(n)
    out = file_output("late", tmp_path / "late.mkv", "mkv")
    enc.add_output(out)  # frame 10 is mid-GOP: without a forced keyframe the file would start at 60
    for n in range(10, 20):
        push(n)
    enc.stop()
    out.stop()
    probe = ffprobe_json(tmp_path / "late.mkv", packets=True)
    video = [p for p in probe["packets"] if p["stream_index"] == 0]
    assert "K" in video[0]["flags"]
    assert float(video[0]["pts_time"]) == pytest.approx(10 / FPS, abs=0.002)
    assert len(video) == 10
