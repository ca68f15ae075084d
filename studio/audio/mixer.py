"""The mixer: TTS voice + background music + sound effects -> speaker bus and broadcast stream bus.

Seam: the mixer is *pulled*. Whatever paces the audio (the PortAudio callback, or the null sink's
thread when there is no device) calls :meth:`Mixer.render` once per block with the media position
of that block. Render mixes into the speaker block it was handed (what the listener hears) and, in
the same call, writes the stream mix for the same media positions into a 48 kHz stereo ring the
encoder drains with :meth:`Mixer.read_stream`. So the speaker and the stream are sample-aligned,
both stamped with MediaClock pts (``media_pos / sample_rate``), and the stream keeps flowing at
the real-time rate even when no speaker is present.

Mixing in the render thread (rather than pre-mixing into the jitter buffer) is what lets barge-in
cut the voice within one block while music and effects play on.

Each source belongs to a category (``voice``, ``music``, ``sfx``) with its own smoothed gain and
routing to the two buses; each bus has its own master gain and soft limiter. Music is ducked while
the voice speaks.

Thread affinity: :meth:`render` on the render thread only (no locks, no allocation beyond scalars
and array views); :meth:`read_stream` / :meth:`seek_stream` from one reader thread (the encoder);
everything else from any thread.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from studio.audio.limiter import SmoothedGain, SoftLimiter, scale_rows
from studio.audio.resample import resample
from studio.audio.ring import Frames, OverwriteRing
from studio.audio.voice import VoiceQueue

Category = Literal["voice", "music", "sfx"]
GainName = Literal["voice", "music", "sfx", "speaker", "stream"]
MAX_CLIPS = 32


@dataclass(frozen=True, slots=True)
class StreamBlock:
    """Frames of the broadcast mix: ``pcm`` is ``(n, 2)`` float32 starting at ``pts`` seconds."""

    pts: float
    pcm: Frames
    sample_rate: int
    skipped: int = 0  # frames lost since the previous read because the reader fell behind


@dataclass(frozen=True, slots=True)
class Levels:
    """Meter readings of the last rendered block (linear, 0..1)."""

    peak: float
    rms: float
    stream_peak: float
    stream_rms: float


class _Clip:
    """A preloaded stereo sound (music or effect). ``pos``/``done`` belong to the render thread."""

    __slots__ = ("category", "done", "gain", "loop", "pcm", "pos", "stopping")

    def __init__(self, pcm: Frames, category: Category, gain: float, loop: bool) -> None:
        self.pcm = pcm
        self.category = category
        self.gain = gain
        self.loop = loop
        self.pos = 0
        self.done = len(pcm) == 0
        self.stopping = False  # any thread sets; render fades out over one block and finishes

    def add_into(self, dst: Frames, tmp: Frames, ramp: Frames, unit: Frames) -> None:
        """Add ``n = len(dst)`` frames of the clip times its gain into ``dst`` (render thread)."""
        n = len(dst)
        total = len(self.pcm)
        filled = 0
        while filled < n and not self.done:
            k = min(n - filled, total - self.pos)
            np.multiply(self.pcm[self.pos : self.pos + k], self.gain, out=tmp[filled : filled + k])
            filled += k
            self.pos += k
            if self.pos >= total:
                if self.loop:
                    self.pos = 0
                else:
                    self.done = True
        if filled == 0:
            return
        if self.stopping:
            fade = ramp[:filled]  # 1 -> 0 over the block
            np.multiply(unit[:filled], -1.0 / filled, out=fade)
            fade += 1.0
            scale_rows(tmp[:filled], fade)
            self.done = True
        dst[:filled] += tmp[:filled]


def _as_stereo(pcm: Frames, sample_rate: int, rate: int) -> Frames:
    data = np.asarray(pcm, dtype=np.float32)
    if data.ndim == 1:
        data = np.repeat(data[:, None], 2, axis=1)
    elif data.shape[1] == 1:
        data = np.repeat(data, 2, axis=1)
    else:
        data = data[:, :2]
    out = resample(np.ascontiguousarray(data), sample_rate, rate)
    return np.ascontiguousarray(np.nan_to_num(out, copy=False), dtype=np.float32)


class Mixer:
    """Mixes voice, music and effects into the speaker block and the broadcast stream ring.

    Args:
        sample_rate: Mix rate of both buses (the device and stream rate; 48 kHz).
        max_frames: Largest block :meth:`render` accepts (scratch buffers are preallocated).
        voice_capacity_s: Seconds the voice jitter ring holds.
        stream_capacity_s: Seconds of stream mix kept for a slow reader before it loses frames.
        duck_level: Music gain factor while the voice speaks (1.0 disables ducking).
    """

    def __init__(
        self,
        sample_rate: int = 48000,
        max_frames: int = 8192,
        *,
        voice_capacity_s: float = 30.0,
        stream_capacity_s: float = 2.0,
        duck_level: float = 0.35,
        duck_attack_s: float = 0.05,
        duck_release_s: float = 0.4,
    ) -> None:
        self.sample_rate = sample_rate
        self.max_frames = max_frames
        self.voice = VoiceQueue(sample_rate, capacity_s=voice_capacity_s, margin_frames=sample_rate // 50)
        self.stream = OverwriteRing(max(max_frames, round(stream_capacity_s * sample_rate)), 2)
        self._gains: dict[GainName, SmoothedGain] = {
            name: SmoothedGain(1.0, max_frames) for name in ("voice", "music", "sfx", "speaker", "stream")
        }
        self.routes: dict[Category, tuple[bool, bool]] = {
            "voice": (True, True),
            "music": (True, True),
            "sfx": (True, True),
        }  # (to speaker, to stream); replace the tuple to change
        self.duck_level = duck_level
        self._duck = 1.0
        self._duck_attack = duck_attack_s * sample_rate
        self._duck_release = duck_release_s * sample_rate
        self._clips: tuple[_Clip, ...] = ()
        self._clips_lock = threading.Lock()  # producers only; render reads the tuple reference
        self._spk_limiter = SoftLimiter(sample_rate, max_frames, 2)
        self._str_limiter = SoftLimiter(sample_rate, max_frames, 2)
        self._v = np.zeros(max_frames, dtype=np.float32)
        self._spk = np.zeros((max_frames, 2), dtype=np.float32)
        self._str = np.zeros((max_frames, 2), dtype=np.float32)
        self._music = np.zeros((max_frames, 2), dtype=np.float32)
        self._sfx = np.zeros((max_frames, 2), dtype=np.float32)
        self._tmp = np.zeros((max_frames, 2), dtype=np.float32)
        self._ramp = np.zeros(max_frames, dtype=np.float32)
        self._unit = np.arange(max_frames, dtype=np.float32)
        self._levels: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
        self._reader_pos: int | None = None
        # Called by render with the final speaker block and its media position (the echo canceller's
        # far-end reference, studio.audio.echo.ReferenceTap); must only copy. Set before start.
        self.speaker_tap: Callable[[Frames, int], None] | None = None

    # ------------------------------------------------------------------ control (any thread)

    def set_gain(self, name: GainName, value: float) -> None:
        """Set a category gain (``voice``, ``music``, ``sfx``) or a bus gain (``speaker``, ``stream``)."""
        if not math.isfinite(value) or value < 0.0:
            raise ValueError(f"gain must be a finite number >= 0, got {value!r}")
        self._gains[name].target = float(value)

    def gain(self, name: GainName) -> float:
        """The gain last set for ``name``."""
        return self._gains[name].target

    def set_route(self, category: Category, *, speaker: bool, stream: bool) -> None:
        """Choose whether ``category`` is heard on the speaker bus, the stream bus, or both."""
        self.routes = {**self.routes, category: (speaker, stream)}

    def play_music(self, pcm: Frames, sample_rate: int, *, gain: float = 1.0, loop: bool = True) -> None:
        """Replace the background music (mono or ``(n, ch)``; resampled here, on the caller's thread)."""
        self._add_clip(_Clip(_as_stereo(pcm, sample_rate, self.sample_rate), "music", gain, loop), True)

    def stop_music(self) -> None:
        """Fade the background music out over one block."""
        for clip in self._clips:
            if clip.category == "music":
                clip.stopping = True

    def play_sfx(self, pcm: Frames, sample_rate: int, *, gain: float = 1.0) -> None:
        """Play a one-shot sound effect on top of whatever plays."""
        self._add_clip(_Clip(_as_stereo(pcm, sample_rate, self.sample_rate), "sfx", gain, False), False)

    def _add_clip(self, clip: _Clip, replace_music: bool) -> None:
        with self._clips_lock:
            live = [c for c in self._clips if not c.done]
            if replace_music:
                for c in live:
                    if c.category == "music":
                        c.stopping = True
            live.append(clip)
            while len(live) > MAX_CLIPS:
                live.pop(0).stopping = True
            self._clips = tuple(live)

    @property
    def music_playing(self) -> bool:
        """True while a music clip plays."""
        return any(c.category == "music" and not c.done and not c.stopping for c in self._clips)

    def levels(self) -> Levels:
        """Meter readings of the last block (any thread)."""
        return Levels(*self._levels)

    # ------------------------------------------------------------------ render thread

    def render(self, out: Frames, media_pos: int) -> None:
        """Fill ``out`` (``(n, channels)``) for media positions ``media_pos ...`` and tap the stream."""
        n = len(out)
        v = self._v[:n]
        voiced = self.voice.pull(v, media_pos)
        gains = self._gains
        gains["voice"].apply(v)
        spk = self._spk[:n]
        strm = self._str[:n]
        routes = self.routes
        to_spk, to_str = routes["voice"]
        spk[:] = v[:, None] if to_spk else 0.0
        strm[:] = v[:, None] if to_str else 0.0

        target = self.duck_level if voiced else 1.0
        tau = self._duck_attack if target < self._duck else self._duck_release
        self._duck = target + (self._duck - target) * math.exp(-n / max(1.0, tau))

        clips = self._clips
        music = self._music[:n]
        sfx = self._sfx[:n]
        music.fill(0.0)
        sfx.fill(0.0)
        has_music = has_sfx = False
        for clip in clips:
            if clip.done:
                continue
            if clip.category == "music":
                clip.add_into(music, self._tmp, self._ramp, self._unit)
                has_music = True
            else:
                clip.add_into(sfx, self._tmp, self._ramp, self._unit)
                has_sfx = True
        self._mix_category("music", music, has_music, (spk, strm), self._duck)
        self._mix_category("sfx", sfx, has_sfx, (spk, strm), 1.0)

        gains["speaker"].apply(spk)
        self._spk_limiter.process(spk)
        tap = self.speaker_tap
        if tap is not None:
            tap(spk, media_pos)
        ch = out.shape[1]
        if ch == 1:
            np.add(spk[:, 0], spk[:, 1], out=out[:, 0])
            out *= 0.5
        else:
            out[:, :2] = spk
            if ch > 2:
                out[:, 2:] = 0.0
        gains["stream"].apply(strm)
        self._str_limiter.process(strm)
        self.stream.write_at(media_pos, strm)
        self._levels = (*_meter(spk), *_meter(strm))

    def _mix_category(
        self, name: Category, buf: Frames, active: bool, buses: tuple[Frames, Frames], extra: float
    ) -> None:
        spk, strm = buses
        gain = self._gains[name]
        if not active:
            gain.current = gain.target * extra
            return
        gain.apply(buf, extra)
        to_spk, to_str = self.routes[name]
        if to_spk:
            spk += buf
        if to_str:
            strm += buf

    # ------------------------------------------------------------------ stream reader (encoder thread)

    def seek_stream(self, pts: float | None = None) -> None:
        """Set where :meth:`read_stream` continues: at ``pts`` seconds, or ``None`` for "live" (newest)."""
        self._reader_pos = None if pts is None else max(0, round(pts * self.sample_rate))

    def read_stream(self, max_frames: int) -> StreamBlock:
        """Take up to ``max_frames`` frames of the stream mix (``(n, 2)`` float32, 48 kHz).

        Non-blocking: returns what is ready (possibly nothing). ``pts`` is the MediaClock time of the
        first frame; consecutive reads are contiguous unless ``skipped`` says frames were lost.
        The first read (and a read after ``seek_stream(None)``) starts at the newest frame.
        """
        pos = self._reader_pos
        if pos is None:
            pos = self.stream.write_pos
        skipped_before = self.stream.skipped
        start, pcm = self.stream.read(pos, max_frames)
        self._reader_pos = start + len(pcm)
        return StreamBlock(
            pts=start / self.sample_rate,
            pcm=pcm,
            sample_rate=self.sample_rate,
            skipped=self.stream.skipped - skipped_before,
        )

    @property
    def stream_position(self) -> float:
        """pts (s) one past the newest stream frame (any thread)."""
        return self.stream.write_pos / self.sample_rate


def _meter(block: Frames) -> tuple[float, float]:
    if len(block) == 0:
        return 0.0, 0.0
    flat = block.reshape(-1)
    peak = max(float(flat.max()), -float(flat.min()))
    rms = math.sqrt(float(np.vdot(flat, flat)) / flat.size)
    return peak, rms
