"""Reading recordings back for broadcast tests: flash and beep onsets, packet timelines."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from tests.unit.broadcast.synth import RATE


def flash_painter(fps: int, period_s: float = 1.0, on_s: float = 0.2):  # type: ignore[no-untyped-def]
    """Frames white for ``on_s`` from every multiple of ``period_s`` (MediaClock pts), else dark.

    The half-frame shift makes the first white frame the one whose pts is *nearest* the beep.
    """

    def paint(pts: float, img: np.ndarray) -> None:
        white = (pts + 0.5 / fps) % period_s < on_s
        img[:, :, :3] = 235 if white else 20

    return paint


def flash_onsets(path: Path) -> list[tuple[float, float]]:
    """(last dark frame, first white frame) times (s, file timeline) where the picture turns white.

    The last dark frame bounds the onset from below even when frames were missed around it.
    """
    onsets: list[tuple[float, float]] = []
    was_white = True  # ignore a recording that begins white
    last = 0.0
    with av.open(str(path)) as c:
        for frame in c.decode(c.streams.video[0]):
            if frame.time is None:
                continue
            white = float(frame.to_ndarray(format="gray").mean()) > 128
            if white and not was_white:
                onsets.append((last, frame.time))
            was_white, last = white, frame.time
    return onsets


def beep_onsets(path: Path, threshold: float = 0.1, quiet_s: float = 0.3) -> list[float]:
    """Times (s, file timeline) where a beep starts after at least ``quiet_s`` of silence."""
    onsets: list[float] = []
    last_loud = -1e9
    with av.open(str(path)) as c:
        for frame in c.decode(c.streams.audio[0]):
            if frame.time is None:
                continue
            pcm = np.abs(frame.to_ndarray()).max(axis=0)
            loud = np.flatnonzero(pcm > threshold)
            for i in loud:
                t = frame.time + i / RATE
                if t - last_loud > quiet_s:
                    onsets.append(t)
                last_loud = t
    return onsets


def sync_errors(flashes: list[tuple[float, float]], beeps: list[float], fps: int) -> list[float]:
    """For every flash, how far the picture is off the sound (s; 0 when within what frames can show).

    The flash frame is the one rendered nearest the beep, so with A/V in sync the last dark frame
    lies before the beep + half a frame and the first white one after it - half a frame. When frames
    were missed right before the flash, only the dark-side bound is exact.
    """
    half = 0.5 / fps
    errors: list[float] = []
    for dark, white in flashes:
        beep = min(beeps, key=lambda a: abs(a - white))
        early = max(0.0, (beep - half) - white)  # white shown before the beep
        late = max(0.0, dark - (beep + half))  # still dark after the beep
        if white - dark <= 1.5 / fps:  # no frame missed here: the white frame is the beep frame
            late = max(late, white - (beep + half))
        errors.append(max(early, late))
    return errors


def packet_times(path: Path, kind: str) -> list[float]:
    """Decode timestamps (s) of every packet of the first ``kind`` stream, in file order."""
    with av.open(str(path)) as c:
        stream = c.streams.video[0] if kind == "video" else c.streams.audio[0]
        return [
            float(p.dts * p.time_base)
            for p in c.demux(stream)
            if p.dts is not None and p.time_base is not None and p.size
        ]
