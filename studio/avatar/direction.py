"""Per-avatar direction settings (emotion -> expression/motion, idle, hold times) and blink timing.

Used by :class:`~studio.avatar.director.AvatarDirector`. Qt-free; :class:`DirectorConfig` is
built from a plain dict (the avatar's settings) with :meth:`DirectorConfig.from_dict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Final

from studio.avatar.emotion import EMOTIONS, NEUTRAL, Emotion, normalize_emotion
from studio.core.errors import ConfigError

EYE_PARAMS: Final = ("ParamEyeLOpen", "ParamEyeROpen")
"""Parameters :class:`BlinkSchedule` values go to when the director drives the blink."""


@dataclass(frozen=True, slots=True)
class EmotionBinding:
    """How one emotion shows on a given avatar: an expression name and/or a motion group."""

    expression: str | None = None
    motion: str | None = None


def _default_bindings() -> dict[Emotion, EmotionBinding]:
    # The built-in avatar names its expressions after the emotions; neutral is "no expression".
    return {e: EmotionBinding(None if e == NEUTRAL else e) for e in EMOTIONS}


@dataclass(frozen=True, slots=True)
class DirectorConfig:
    """Per-avatar direction settings. Build from a plain dict with :meth:`from_dict`.

    Attributes:
        emotions: Emotion -> binding. A table given in :meth:`from_dict` replaces the default
            (expression named like the emotion); emotions missing from it show no expression.
        talk_motion: Motion group started when speech starts (``None``: none).
        idle_motion: Motion group started on the idle schedule (``None``: none).
        idle_interval: Seconds between idle motions, drawn uniformly from this range.
        motion_duration: Assumed length of a non-idle motion; no idle motion starts before it ends.
        expression_hold: Seconds an emotion stays after its utterance ends.
        classify: Classify untagged sentences (needs a classifier).
        classify_timeout: A classification later than this after speech start sets only the
            expression; the talk motion starts without waiting any longer.
        auto_blink, auto_breath: Renderer-side automatic blink / breathing (Live2D).
        drive_blink: Put blink values into ``params`` from :class:`BlinkSchedule` (PNGTuber).
        blink_interval: Mean seconds between blinks for ``drive_blink``.
        tick_interval: How often :meth:`AvatarDirector.run` advances the schedules.
    """

    emotions: Mapping[Emotion, EmotionBinding] = field(default_factory=_default_bindings)
    talk_motion: str | None = None
    idle_motion: str | None = "Idle"
    idle_interval: tuple[float, float] = (8.0, 16.0)
    motion_duration: float = 4.0
    expression_hold: float = 3.0
    classify: bool = True
    classify_timeout: float = 0.3
    auto_blink: bool = True
    auto_breath: bool = True
    drive_blink: bool = False
    blink_interval: float = 4.0
    tick_interval: float = 0.1

    def binding(self, emotion: Emotion) -> EmotionBinding:
        """The binding for ``emotion`` (empty if it has none)."""
        return self.emotions.get(emotion) or EmotionBinding()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DirectorConfig:
        """Parse ``{"emotions": {"happy": "f01" | {"expression": .., "motion": ..}}, "talk_motion": ..}``.

        Raises:
            ConfigError: an unknown key or emotion, or a value of the wrong type.
        """
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise ConfigError(f"unknown avatar direction setting {key!r}", key=key)
            if key == "emotions":
                values[key] = _parse_bindings(value)
            elif key == "idle_interval":
                try:
                    lo, hi = (float(v) for v in value)
                except (TypeError, ValueError):
                    raise ConfigError("idle_interval must be [min, max] seconds", key=key) from None
                if not 0 < lo <= hi:
                    raise ConfigError("idle_interval must be 0 < min <= max", key=key)
                values[key] = (lo, hi)
            else:
                default = getattr(cls(), key)
                if isinstance(default, bool) and not isinstance(value, bool):
                    raise ConfigError(f"{key} must be true or false", key=key)
                if isinstance(default, float) and not isinstance(value, int | float):
                    raise ConfigError(f"{key} must be a number", key=key)
                if key.endswith("_motion") and value is not None and not isinstance(value, str):
                    raise ConfigError(f"{key} must be a motion group name", key=key)
                values[key] = float(value) if isinstance(default, float) else value
        return cls(**values)


def _parse_bindings(table: Any) -> dict[Emotion, EmotionBinding]:
    if not isinstance(table, Mapping):
        raise ConfigError("emotions must map emotion -> expression", key="emotions")
    out: dict[Emotion, EmotionBinding] = {}
    for name, spec in table.items():
        emotion = normalize_emotion(str(name))
        if emotion is None:
            raise ConfigError(f"unknown emotion {name!r}", key="emotions")
        if emotion in out:
            raise ConfigError(f"emotion {emotion!r} is bound twice (as {name!r})", key="emotions")
        if spec is None or isinstance(spec, str):
            out[emotion] = EmotionBinding(spec)
        elif isinstance(spec, Mapping) and set(spec) <= {"expression", "motion"}:
            out[emotion] = EmotionBinding(spec.get("expression"), spec.get("motion"))
        else:
            raise ConfigError(f"bad binding for emotion {name!r}", key="emotions")
    return out


def _unit_hash(seed: int, k: int, salt: int) -> float:
    """A uniform 0..1 value from (seed, k, salt): splitmix64, so any instant can be evaluated alone."""
    x = (seed * 0x9E3779B97F4A7C15 + k * 0xBF58476D1CE4E5B9 + salt * 0x94D049BB133111EB) & (2**64 - 1)
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
    return ((x ^ (x >> 31)) >> 11) / float(1 << 53)


class BlinkSchedule:
    """Seeded, stateless blink timing: one blink per ``interval`` cell at a random place, sometimes two.

    Because :meth:`eye_open` is a pure function of time, every renderer thread (preview, encoder)
    can ask for any pts and all of them agree. Thread: any.
    """

    def __init__(self, seed: int = 0, interval: float = 4.0, duration: float = 0.15) -> None:
        self._seed = seed
        self._interval = max(interval, 4 * duration)
        self._duration = duration

    def blink_starts(self, k: int) -> tuple[float, ...]:
        """Start times of the blinks in cell ``k`` (``[k*interval, (k+1)*interval)``)."""
        d = self._duration
        first = k * self._interval + _unit_hash(self._seed, k, 1) * (self._interval - 3 * d)
        if _unit_hash(self._seed, k, 2) < 0.15:  # a double blink now and then looks alive
            return (first, first + 1.4 * d)
        return (first,)

    def eye_open(self, t: float) -> float:
        """Eye openness at ``t`` (s): 1 open, 0 closed (a V-shaped close and reopen)."""
        for start in self.blink_starts(int(t // self._interval)):
            x = (t - start) / self._duration
            if 0.0 <= x < 1.0:
                return abs(2.0 * x - 1.0)
        return 1.0
