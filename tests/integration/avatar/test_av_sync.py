"""Sync test: the rendered mouth follows the heard voice on the MediaClock within one frame.

A real Mandarin voice speaks through the Speaker into the null-sink playout (paced by the wall
clock, reporting the MediaClock) and the lip-sync timeline; the built-in avatar is rendered by a
:class:`HeadlessStage` at 30 fps, each frame at the pts heard when it was drawn. The mouth is then
measured from the pixels of the frames, not from the state: the open mouth's interior is a dark red
that no closed-mouth frame has, so the count of such pixels (minus the closed-mouth frames' count)
is the mouth opening. Counting colours is blind to where the head is, which matters because the
avatar bounces while it talks (a fixed mouth box would see the bounce, not the mouth). The audio
envelope is the RMS per 10 ms of the chunks actually enqueued, placed at the pts
``AudioPlayout.enqueue`` returned, as loudness (dB), resampled to the frame times. Cross-correlating
the two gives the lag of mouth behind sound (slightly positive by design: the mouth closes with a
short release after the sound stops).
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from studio.audio.playout import AudioPlayout
from studio.avatar.director import AvatarDirector
from studio.avatar.lipsync import LipSyncTimeline
from studio.avatar.render.errors import GLUnavailableError
from studio.avatar.render.pngtuber import PngTuberRenderer
from studio.avatar.render.stage import HeadlessStage
from studio.config.settings import TtsSettings
from studio.core.bus import EventBus
from studio.core.clock import MediaClock
from studio.core.frames import AudioChunk
from studio.pipeline.speaker import Speaker
from studio.speech.tts.registry import build_tts

pytestmark = pytest.mark.slow

MODELS = Path(__file__).resolve().parents[3] / "models"
FPS = 30.0
W, H = 1280, 720
HOP = 0.01  # envelope resolution, s
TEXT = "今天天气很好，我们一起去公园散步吧。"

F64 = npt.NDArray[np.float64]


class RecordingPlayout(AudioPlayout):
    """The null-sink playout, remembering each enqueued chunk with the pts it will be heard at."""

    def __init__(self, clock: MediaClock) -> None:
        super().__init__(clock, use_device=False)
        self.enqueued: list[tuple[float, AudioChunk]] = []

    def enqueue(self, chunk: AudioChunk) -> float:
        pts = super().enqueue(chunk)
        self.enqueued.append((pts, chunk))
        return pts


def mouth_pixels(image: npt.NDArray[np.uint8]) -> int:
    """Pixels of the open mouth's dark red interior.

    Opaque, red 80..155 and at least twice the green, blue close to green: the interior of every
    open-mouth sprite, and neither the pinker ribbon (blue well above green) nor brown hair (blue
    below green).
    """
    rgb = image[..., :3].astype(np.int16)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    hit = (
        (image[..., 3] > 200)
        & (r >= 80)
        & (r <= 155)
        & (g <= 64)
        & (b >= g - 10)
        & (b <= g + 28)
        & (r >= 2 * g)
    )
    return int(np.count_nonzero(hit))


def loudness(rms: F64) -> F64:
    """RMS as loudness 0..1: dBFS from -50 (silence) to 0."""
    return np.clip((20 * np.log10(rms + 1e-6) + 50) / 50, 0.0, 1.0)


def audio_envelope(enqueued: list[tuple[float, AudioChunk]], start: float, end: float) -> tuple[F64, F64]:
    """(times, RMS) on a 10 ms grid of the media clock from the chunks as enqueued (silence = 0)."""
    times = np.arange(start, end, HOP) + HOP / 2
    power = np.zeros_like(times)
    for pts, chunk in enqueued:
        pcm = np.asarray(chunk.pcm, np.float64)
        hop = max(1, round(chunk.sample_rate * HOP))
        frames = len(pcm) // hop
        rms = np.sqrt((pcm[: frames * hop].reshape(frames, hop) ** 2).mean(axis=1))
        first = round((pts - start) / HOP)
        lo, hi = max(0, first), min(len(times), first + frames)
        if hi > lo:
            power[lo:hi] = rms[lo - first : hi - first]
    return times, power


def best_lag(
    t: F64, mouth: F64, env_t: F64, env: F64, max_lag: float = 0.2, span: float = 0.0
) -> tuple[float, float, float]:
    """(lag s, r at that lag, r at lag 0): mouth(t) best matches env(t - lag), lags on a 2 ms grid.

    ``span`` > 0 resamples the envelope to the frame times through a moving average of that
    length: with two frame periods its first zero sits at the frame rate's Nyquist frequency
    (15 Hz at 30 fps), so the envelope's faster wiggles do not alias into the frame-rate curve and
    jitter the lag estimate.
    """
    offsets = np.linspace(-span / 2, span / 2, 7) if span else np.zeros(1)

    def r_at(lag: float) -> float:
        shifted = np.mean([np.interp(t - lag + o, env_t, env) for o in offsets], axis=0)
        return float(np.corrcoef(mouth, shifted)[0, 1])

    lags = np.arange(-max_lag, max_lag + 1e-9, 0.002)
    scores = [r_at(float(lag)) for lag in lags]
    k = int(np.argmax(scores))
    return float(lags[k]), scores[k], r_at(0.0)


async def test_rendered_mouth_follows_the_heard_voice_within_one_frame(tmp_path: Path) -> None:
    build = build_tts(TtsSettings(), models_dir=MODELS, cache_dir=tmp_path, only=("zh_onnx",))
    clock = MediaClock()
    playout = RecordingPlayout(clock)
    playout.start()
    clock.start()
    bus = EventBus()
    bus.bind_loop(asyncio.get_running_loop())
    lipsync = LipSyncTimeline()
    director = AvatarDirector(lipsync, seed=0)
    director.attach(bus)
    speaker = Speaker(build.service, playout, lipsync, bus)
    stage = HeadlessStage(
        PngTuberRenderer(seed=0), clock, director.frame_state, width=W, height=H, fps=FPS, queue_size=16
    )
    measured: list[tuple[float, int]] = []  # (pts, mouth pixels), measured off the render thread

    def consume() -> None:  # where the encoder would sit: takes frames from the stage's queue
        while (frame := stage.get()) is not None:
            measured.append((frame.pts, mouth_pixels(frame.image)))

    consumer = threading.Thread(target=consume, name="test-frame-consumer")
    try:
        try:
            stage.start()
        except GLUnavailableError as exc:
            pytest.skip(f"no headless OpenGL here: {exc.user_message}")
        consumer.start()
        result = await speaker.say(TEXT)
        tail = clock.now() + 0.3
        await asyncio.wait_for(_until(lambda: (stage.stats.last_pts or 0.0) > tail), 5)
    finally:
        stage.stop()
        if consumer.is_alive():
            consumer.join(10)
        playout.close()
        await build.service.close()

    assert result.start_pts is not None and result.end_pts is not None
    start, end = result.start_pts, result.end_pts
    assert 1.5 < end - start < 6.0
    stats = stage.stats
    pts = np.array([p for p, _ in measured])
    count = np.array([c for _, c in measured], np.float64)
    assert (np.diff(pts) > 0).all()
    closed = count[pts < start - 0.05]
    assert closed.size >= 3, "frames were rendered before the voice started"
    baseline = float(np.median(closed))
    inside = (pts >= start - 0.2) & (pts <= end + 0.2)
    t = pts[inside]
    # Mouth size: the square root of the interior's area (its linear size).
    mouth = np.sqrt(np.clip(count[inside] - baseline, 0.0, None))
    env_t, rms = audio_envelope(playout.enqueued, start - 0.5, end + 0.5)
    lag, r, r0 = best_lag(t, mouth, env_t, loudness(rms), span=2 / FPS)
    print(
        "EXP",
        best_lag(t, mouth, env_t, loudness(rms), span=1 / FPS),
        best_lag(t, mouth, env_t, loudness(rms), span=2 / FPS),
    )
    print(
        f"\nA/V sync: lag {lag * 1000:+.0f} ms, r {r:.3f} (r at lag 0: {r0:.3f}); "
        f"{t.size} frames over {end - start:.2f} s of speech at {W}x{H}; "
        f"mouth interior up to {count.max() - baseline:.0f} px (closed {baseline:.0f}); "
        f"stage: rendered {stats.rendered}, delivered {stats.delivered}, skipped {stats.skipped}, "
        f"dropped {stats.dropped}, {stats.render_ms_mean:.1f} ms/frame"
    )
    assert count.max() - baseline > 100, "the mouth visibly opened"
    assert t.size >= 0.9 * FPS * (end - start), "about fps frames per second of speech"
    assert abs(lag) <= 1 / FPS, f"mouth lags the voice by {lag * 1000:.0f} ms"
    assert r >= 0.6, f"mouth and voice correlate only at r={r:.2f}"


async def _until(condition: object) -> None:
    assert callable(condition)
    while not condition():  # noqa: ASYNC110 - the condition changes on the render thread
        await asyncio.sleep(0.01)
