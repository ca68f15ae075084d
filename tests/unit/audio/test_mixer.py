"""Mixer: gains per category and bus, stereo 48 kHz stream with pts, music loop, sfx, ducking, limiter."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from studio.audio.mixer import Mixer
from studio.core.frames import AudioChunk

RATE = 48000
BLOCK = 480


def _render(mixer: Mixer, blocks: int, channels: int = 2, start: int = 0) -> np.ndarray:
    out = []
    for i in range(blocks):
        buf = np.full((BLOCK, channels), np.nan, np.float32)
        mixer.render(buf, start + i * BLOCK)
        out.append(buf)
    return np.concatenate(out)


def _voice(mixer: Mixer, value: float = 0.5, n: int = RATE) -> int:
    return mixer.voice.enqueue(AudioChunk(pcm=np.full(n, value, np.float32), sample_rate=RATE, final=True))


def test_speaker_is_stereo_voice_and_stream_is_48k_stereo_stamped_with_pts() -> None:
    mixer = Mixer(RATE, 2048)
    mixer.seek_stream(0.0)
    start = _voice(mixer, 0.5, 4800)
    spk = _render(mixer, 20)
    assert spk.dtype == np.float32 and spk.shape == (20 * BLOCK, 2)
    assert np.all(spk[start : start + 4800] == 0.5)
    block = mixer.read_stream(100_000)
    assert block.sample_rate == 48000
    assert block.pcm.shape == (20 * BLOCK, 2) and block.pcm.dtype == np.float32
    assert block.pts == 0.0
    onset = block.pts + np.flatnonzero(block.pcm[:, 0])[0] / RATE
    assert onset == start / RATE
    nxt = mixer.read_stream(10)
    assert len(nxt.pcm) == 0 and nxt.pts == pytest.approx(20 * BLOCK / RATE)


def test_category_and_bus_gains_are_separate() -> None:
    mixer = Mixer(RATE, 2048)
    mixer.set_gain("voice", 0.5)
    mixer.set_gain("stream", 0.0)
    mixer.seek_stream(0.0)
    start = _voice(mixer, 0.8)
    spk = _render(mixer, 30)
    stream = mixer.read_stream(100_000).pcm
    assert spk[start + 2000, 0] == pytest.approx(0.4)
    assert not stream.any()
    mixer.set_gain("stream", 1.0)
    mixer.set_gain("speaker", 0.0)
    _render(mixer, 5, start=30 * BLOCK)  # gains glide over one block
    spk = _render(mixer, 5, start=35 * BLOCK)
    stream = mixer.read_stream(100_000).pcm
    assert not spk.any()
    assert stream[-1, 1] == pytest.approx(0.4)
    with pytest.raises(ValueError):
        mixer.set_gain("music", -1.0)


def test_music_loops_sfx_plays_once_and_routes_apply() -> None:
    mixer = Mixer(RATE, 2048, duck_level=1.0)
    loop = np.linspace(0.0, 0.2, 100, dtype=np.float32)
    mixer.play_music(loop, RATE)
    mixer.play_sfx(np.full(300, 0.1, np.float32), RATE)
    mixer.set_route("music", speaker=False, stream=True)
    mixer.seek_stream(0.0)
    spk = _render(mixer, 4)
    stream = mixer.read_stream(100_000).pcm
    np.testing.assert_allclose(stream[300:1900, 0], np.tile(loop, 16), atol=1e-6)
    np.testing.assert_allclose(stream[:300, 0], loop[np.arange(300) % 100] + 0.1, atol=1e-6)
    np.testing.assert_allclose(spk[:300, 0], 0.1)  # sfx on the speaker, music not
    assert not spk[300:].any()
    assert mixer.music_playing
    mixer.stop_music()
    _render(mixer, 2, start=4 * BLOCK)
    assert not mixer.music_playing
    assert not _render(mixer, 2, start=6 * BLOCK).any()


def test_music_is_ducked_while_the_voice_speaks() -> None:
    mixer = Mixer(RATE, 2048, duck_level=0.25, duck_attack_s=0.02, duck_release_s=0.05)
    mixer.play_music(np.full(RATE, 0.4, np.float32), RATE)
    mixer.set_route("voice", speaker=False, stream=False)  # listen to the music alone
    spk = _render(mixer, 10)
    assert spk[-1, 0] == pytest.approx(0.4)
    _voice(mixer, 0.5, RATE // 2)
    spk = _render(mixer, 40, start=10 * BLOCK)
    assert spk[-1, 0] == pytest.approx(0.1, abs=0.005)
    assert np.max(np.abs(np.diff(spk[:, 0]))) < 0.01  # glides, no step
    spk = _render(mixer, 40, start=50 * BLOCK)  # voice over: music comes back
    assert spk[-1, 0] == pytest.approx(0.4, abs=0.005)


def test_loud_mix_is_limited_on_both_buses() -> None:
    mixer = Mixer(RATE, 2048, duck_level=1.0)
    mixer.play_music(np.full(RATE, 0.9, np.float32), RATE)
    mixer.play_sfx(np.full(RATE, 0.9, np.float32), RATE)
    mixer.set_gain("stream", 3.0)
    mixer.seek_stream(0.0)
    _voice(mixer, 0.9)
    spk = _render(mixer, 50)
    stream = mixer.read_stream(100_000).pcm
    assert 0.85 < np.max(np.abs(spk)) < 1.0
    assert 0.85 < np.max(np.abs(stream)) < 1.0


def test_mono_and_multichannel_devices() -> None:
    mixer = Mixer(RATE, 2048)
    start = _voice(mixer, 0.5, 2000)
    mono = _render(mixer, 8, channels=1)
    assert mono[start + 10, 0] == pytest.approx(0.5)
    mixer = Mixer(RATE, 2048)
    start = _voice(mixer, 0.5, 2000)
    surround = _render(mixer, 8, channels=6)
    assert surround[start + 10, 1] == pytest.approx(0.5)
    assert not surround[:, 2:].any()


def test_levels_follow_the_speaker_and_stream() -> None:
    mixer = Mixer(RATE, 2048)
    mixer.set_gain("stream", 0.5)
    _voice(mixer, 0.5)
    _render(mixer, 10)
    lv = mixer.levels()
    assert lv.peak == pytest.approx(0.5) and lv.rms == pytest.approx(0.5)
    assert lv.stream_peak == pytest.approx(0.25)


def _render_peak_alloc(block: int) -> int:
    mixer = Mixer(RATE, 8192)
    mixer.play_music(np.full(RATE, 0.5, np.float32), RATE)
    mixer.play_sfx(np.full(RATE, 0.5, np.float32), RATE)
    mixer.set_gain("music", 0.7)  # a gain ramp and the limiter are exercised too
    _voice(mixer, 0.9)
    out = np.zeros((block, 2), np.float32)
    mixer.render(out, 0)  # warm up
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        for i in range(1, 8):
            mixer.render(out, i * block)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base


def test_render_allocates_no_frame_buffers() -> None:
    """The render path (what the PortAudio callback runs) only touches preallocated arrays.

    numpy makes a few small fixed-size objects per call (scalars, views, reduction results); what
    must not happen is anything that grows with the block, like a temporary copy of it.
    """
    # tracemalloc sees every thread: in a full test run, threads left by other tests may allocate
    # during a measurement, so take the best of a few (the render path itself is deterministic).
    small = min(_render_peak_alloc(128) for _ in range(5))
    large = min(_render_peak_alloc(4096) for _ in range(5))
    assert large < 4096  # a quarter of one 4096-frame mono block
    assert large - small < 512
