"""Per-avatar settings (pydantic) and the defaults guessed from a Live2D model.

Stored as JSON in the ``avatars`` table by :class:`studio.avatar.library.AvatarLibrary`. The
defaults come from the model file: the ``Idle`` motion group, the model's ``LipSync`` parameters
(Mao -> ``ParamA``; otherwise ``ParamMouthOpenY``), emotions guessed from expression and motion
group names with the director's emotion words (``smile`` -> happy; names like ``exp_01`` or
``F01`` give no guess), and taps on ``Head``/``Body`` hit areas -> ``TapHead``/``TapBody``/``Tap``
groups when the model has them. Emotion keys are the director's (``studio.avatar.emotion``).
Pure data; any thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from studio.avatar.emotion import normalize_emotion
from studio.avatar.model_info import DEFAULT_LIPSYNC_V3, ModelInfo
from studio.core.errors import ValidationError

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


class Background(BaseModel):
    """What is behind the avatar.

    ``chroma``: a flat key colour (``color``, ``#RRGGBB``) for OBS chroma keying; ``transparent``:
    alpha (for capture with transparency); ``image``: ``image`` is a path relative to the avatar
    library folder (see ``AvatarLibrary.add_background_image``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["chroma", "transparent", "image"] = "chroma"
    color: str = "#00FF00"
    image: str | None = None

    @field_validator("color")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _HEX.match(value):
            raise ValueError("colour must be #RRGGBB")
        return value.upper()

    @field_validator("image")
    @classmethod
    def _relative(cls, value: str | None) -> str | None:
        if value is None:
            return None
        path = PurePosixPath(value)
        if not value or "\\" in value or path.is_absolute() or ".." in path.parts or ":" in value:
            raise ValueError("image must be a path inside the avatar library (relative, no '..')")
        return path.as_posix()

    @model_validator(mode="after")
    def _image_needs_path(self) -> Background:
        if self.mode == "image" and not self.image:
            raise ValueError("an image background needs an image path")
        return self


class EmotionAction(BaseModel):
    """What the avatar does for one emotion: an expression name, a motion group, or both."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    expression: str | None = None
    motion: str | None = None

    @model_validator(mode="after")
    def _something(self) -> EmotionAction:
        if not self.expression and not self.motion:
            raise ValueError("an emotion needs an expression or a motion group")
        return self


class AvatarSettings(BaseModel):
    """How one avatar is shown and animated.

    Attributes:
        scale: Size relative to "fit the frame" (1.0).
        offset_x, offset_y: Shift in frame fractions (-1..1; +x right, +y down).
        background: Chroma colour, transparent, or an image from the library.
        idle_motion_group: Motion group played when nothing else happens (``None``: none).
        lip_sync_ids: Parameters driven by the mouth opening (the model's ``LipSync`` group).
        emotion_map: Emotion (lower case, e.g. ``happy``) -> expression and/or motion group; the
            director maps other words through ``normalize_emotion``.
        hit_motions: Hit area (its name, or id when unnamed) -> motion group played on a tap.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    scale: float = Field(default=1.0, gt=0.05, le=10.0)
    offset_x: float = Field(default=0.0, ge=-1.0, le=1.0)
    offset_y: float = Field(default=0.0, ge=-1.0, le=1.0)
    background: Background = Field(default_factory=Background)
    idle_motion_group: str | None = None
    lip_sync_ids: tuple[str, ...] = Field(default=(DEFAULT_LIPSYNC_V3,), min_length=1)
    emotion_map: dict[str, EmotionAction] = Field(default_factory=dict)
    hit_motions: dict[str, str] = Field(default_factory=dict)

    @field_validator("lip_sync_ids")
    @classmethod
    def _ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not v.strip() for v in value):
            raise ValueError("parameter ids must not be empty")
        return value

    @field_validator("emotion_map")
    @classmethod
    def _lower_keys(cls, value: dict[str, EmotionAction]) -> dict[str, EmotionAction]:
        lowered = {k.strip().lower(): v for k, v in value.items()}
        if "" in lowered:
            raise ValueError("emotion names must not be empty")
        return lowered


def _tokens(name: str) -> set[str]:
    """Words of an identifier: ``TapBody`` -> {tap, body}; ``exp_smile02`` -> {exp, smile}."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return set(re.findall(r"[a-z]+", spaced.lower()))


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def guess_emotion(name: str) -> str | None:
    """The emotion an expression or motion name suggests, if its words name exactly one.

    Words are matched with the director's synonyms (``normalize_emotion``): ``exp_smile02`` ->
    happy, ``angry_01`` -> angry; ``F01`` or ``exp_01`` -> ``None``.
    """
    hits = {e for word in _tokens(name) if (e := normalize_emotion(word)) is not None}
    return hits.pop() if len(hits) == 1 else None


def _find_group(groups: Iterable[str], *candidates: str) -> str | None:
    by_norm = {_norm(g): g for g in groups}
    for candidate in candidates:
        if (found := by_norm.get(_norm(candidate))) is not None:
            return found
    return None


def default_settings(info: ModelInfo) -> AvatarSettings:
    """Settings for a freshly imported model, guessed from its file."""
    groups = [g for g, motions in info.motions.items() if motions]  # an empty group plays nothing
    emotion_map: dict[str, EmotionAction] = {}
    for expression in info.expression_names:
        emotion = guess_emotion(expression)
        if emotion and emotion not in emotion_map:
            emotion_map[emotion] = EmotionAction(expression=expression)
    for group in groups:
        emotion = guess_emotion(group)
        if emotion:
            current = emotion_map.get(emotion)
            if current is None:
                emotion_map[emotion] = EmotionAction(motion=group)
            elif current.motion is None:
                emotion_map[emotion] = current.model_copy(update={"motion": group})
    hit_motions: dict[str, str] = {}
    for area in info.hit_areas:
        words = _tokens(area.key) | _tokens(area.id)
        if "head" in words:
            tap = _find_group(groups, "TapHead", "Tap", "TapBody")
        elif "body" in words:
            tap = _find_group(groups, "TapBody", "Tap")
        else:
            tap = _find_group(groups, f"Tap{area.key}")
        if tap is not None:
            hit_motions[area.key] = tap
    return AvatarSettings(
        idle_motion_group=_find_group(groups, "Idle"),
        lip_sync_ids=info.mouth_ids,
        emotion_map=emotion_map,
        hit_motions=hit_motions,
    )


def check_settings(settings: AvatarSettings, info: ModelInfo) -> None:
    """Check that the settings name only expressions, motion groups and hit areas the model has.

    Raises:
        ValidationError: the message lists every unknown name.
    """
    groups, expressions = set(info.motions), set(info.expression_names)
    areas = {a.key for a in info.hit_areas} | {a.id for a in info.hit_areas}
    problems: list[str] = []
    if settings.idle_motion_group is not None and settings.idle_motion_group not in groups:
        problems.append(f"idle motion group {settings.idle_motion_group!r}")
    for emotion, action in settings.emotion_map.items():
        if action.expression is not None and action.expression not in expressions:
            problems.append(f"expression {action.expression!r} (emotion {emotion!r})")
        if action.motion is not None and action.motion not in groups:
            problems.append(f"motion group {action.motion!r} (emotion {emotion!r})")
    for area, group in settings.hit_motions.items():
        if area not in areas:
            problems.append(f"hit area {area!r}")
        if group not in groups:
            problems.append(f"motion group {group!r} (hit area {area!r})")
    if problems:
        raise ValidationError(f"The model {info.name} has no {'; no '.join(problems)}.")
