"""The ``[listen]`` settings area: how the studio hears the user (microphone -> VAD -> ASR).

The microphone device itself is chosen in the ``[audio]`` area (``input_device``).

Note for :mod:`studio.config.settings`: this module imports :class:`AreaSettings` from there, so
``settings.py`` must import ``ListenSettings`` after ``AreaSettings`` is defined (or lazily).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from studio.config.settings import AreaSettings

ListenMode = Literal["hands_free", "push_to_talk", "off"]
ListenLanguage = Literal["auto", "zh", "en", "ja"]


class ListenSettings(AreaSettings):
    """Speech in: listening mode, recognition language, voice activity and barge-in."""

    area: ClassVar[str] = "listen"
    title: ClassVar[str] = "Listening"
    model_config = SettingsConfigDict(env_prefix="STUDIO_LISTEN_", extra="ignore")

    mode: ListenMode = Field(
        "off", description="hands_free (voice activity), push_to_talk (hold a key/button) or off."
    )
    language: ListenLanguage = Field("auto", description="Recognition language: auto, zh, en or ja.")
    vad_threshold: float = Field(
        0.5, ge=0.05, le=0.99, description="Speech probability at which a frame counts as speech."
    )
    vad_release_threshold: float = Field(
        0.35, ge=0.01, le=0.99, description="Probability below which a frame counts as silence."
    )
    start_ms: int = Field(
        200, ge=32, le=2000, description="Speech needed before the user counts as speaking (ms)."
    )
    hangover_ms: int = Field(500, ge=96, le=5000, description="Silence that ends an utterance (ms).")
    max_utterance_s: float = Field(
        30.0, ge=2.0, le=120.0, description="An utterance longer than this is cut and transcribed."
    )
    partial_interval_s: float = Field(
        0.7, ge=0.2, le=10.0, description="Shortest interval between partial transcripts (s)."
    )
    wake_word: str = Field(
        "", description="Only answer utterances that start with this name; empty answers all."
    )
    barge_in: bool = Field(True, description="Stop the studio's speech when the user starts speaking.")
    echo_cancellation: bool = Field(
        True, description="Remove the studio's own voice from the microphone (WebRTC AEC)."
    )
    echo_margin_db: float = Field(
        6.0, ge=0.0, le=30.0, description="How far speech must rise above the echo estimate (dB)."
    )

    @model_validator(mode="after")
    def _release_below_threshold(self) -> ListenSettings:
        if self.vad_release_threshold > self.vad_threshold:
            raise ValueError("vad_release_threshold must not exceed vad_threshold")
        return self
