"""AvatarState: one immutable snapshot of what the avatar should show, read by the renderer.

The director (engine loop) publishes a new snapshot; the renderer (GL thread) reads the latest one
each frame. Mouth values come from the lip-sync timeline at the frame's presentation time and
always win over motions on the mouth parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class MotionRequest:
    """Start motion ``index`` of ``group`` (``index`` -1 = any) with a priority (1 idle .. 3 force)."""

    group: str
    index: int = -1
    priority: int = 2
    serial: int = 0  # bumps for each new request, so the renderer starts it once


@dataclass(frozen=True, slots=True)
class AvatarState:
    """What to show at one instant.

    Attributes:
        mouth: Lip-sync parameters (``MouthFrame.as_params()``), applied after motions every frame.
        expression: Expression name (``None`` = neutral) and its weight for cross-fades.
        motion: The latest motion request (renderers start it when ``serial`` changes).
        params: Extra parameter overrides (id -> value), e.g. eye blink for the PNGTuber.
        look: Gaze/head direction, each -1..1.
        speaking: True while audio is heard (PNGTuber talk frames, bounce).
        scale, offset: Placement in the frame (1.0 = fit; offset in frame fractions).
    """

    mouth: dict[str, float] = field(default_factory=dict)
    expression: str | None = None
    expression_weight: float = 1.0
    motion: MotionRequest | None = None
    params: dict[str, float] = field(default_factory=dict)
    look: tuple[float, float] = (0.0, 0.0)
    speaking: bool = False
    scale: float = 1.0
    offset: tuple[float, float] = (0.0, 0.0)
