"""The speech-out stack, built on first use: TTS engines, playout, lip-sync timeline, speaker.

Built lazily because loading audio devices and engine modules costs time the studio does not
need to spend until something speaks (and the test suite builds hundreds of containers).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from studio.app.paths import StudioPaths
from studio.audio.playout import AudioPlayout
from studio.avatar.lipsync import LipSyncTimeline
from studio.config.secrets import SecretStore
from studio.config.settings import StudioConfig
from studio.core.bus import EventBus
from studio.core.clock import MediaClock
from studio.core.events import ErrorEvent
from studio.pipeline.speaker import Speaker
from studio.speech.tts.base import TtsEngine
from studio.speech.tts.registry import TtsBuild, build_tts

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SpeechStack:
    """Everything that speaks. Built on any thread; used and closed on the engine loop."""

    tts: TtsBuild
    playout: AudioPlayout
    lipsync: LipSyncTimeline
    speaker: Speaker

    @classmethod
    def build(
        cls,
        config: StudioConfig,
        paths: StudioPaths,
        secrets: SecretStore,
        bus: EventBus,
        clock: MediaClock,
        *,
        use_device: bool = True,
        extra_engines: Mapping[str, TtsEngine] | None = None,
    ) -> SpeechStack:
        """Build the engines (no model loads yet) and start the playout (device or null sink).

        ``extra_engines`` join the built-in ones (the voice hub's VoxCPM voice).
        """

        def warn(message: str) -> None:
            bus.publish_threadsafe(ErrorEvent(source="tts", message=message, code="voice_fallback"))

        tts = build_tts(
            config.tts,
            models_dir=paths.models_dir,
            cache_dir=paths.cache_dir,
            secret=secrets.get,
            on_warning=warn,
            extra=extra_engines,
        )
        for engine, reason in tts.unavailable.items():
            warn(f"Voice engine {engine} is unavailable: {reason}")
        playout = AudioPlayout(
            clock, device=config.audio.output_device or None, bus=bus, use_device=use_device
        )
        playout.start()
        if not clock.running:
            clock.start()
        lipsync = LipSyncTimeline()
        speaker = Speaker(tts.service, playout, lipsync, bus)
        log.info(
            "speech ready", extra={"voices": len(tts.service.catalogue()), "audio": playout.status.message}
        )
        return cls(tts, playout, lipsync, speaker)

    async def close(self) -> None:
        """Stop speaking, close the playout and release the engines (engine loop)."""
        self.speaker.stop()
        self.playout.close()
        await self.tts.service.close()
