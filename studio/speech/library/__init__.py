"""The voice library: cloning speakers (reference recordings + transcripts) and imported voice
models (GPT-SoVITS weight pairs, VoxCPM model folders). See :mod:`.speakers` and :mod:`.voice_models`."""

from __future__ import annotations

from studio.speech.library.speakers import Speaker, SpeakerLibrary, Transcriber
from studio.speech.library.voice_models import (
    GptSovitsGroup,
    GptSovitsPair,
    VoiceModelManager,
    VoxCpmModelInfo,
)

__all__ = [
    "GptSovitsGroup",
    "GptSovitsPair",
    "Speaker",
    "SpeakerLibrary",
    "Transcriber",
    "VoiceModelManager",
    "VoxCpmModelInfo",
]
