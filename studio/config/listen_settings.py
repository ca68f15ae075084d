"""The ``[listen]`` settings area: microphone mode, VAD, speech recognition and barge-in.

The microphone device itself is chosen in the ``[audio]`` area (``input_device``). The model is
defined with the other areas in :mod:`studio.config.settings` (``StudioConfig.listen``); this
module keeps the speech-in imports.
"""

from __future__ import annotations

from studio.config.settings import ListenLanguage, ListenMode, ListenSettings

__all__ = ["ListenLanguage", "ListenMode", "ListenSettings"]
