"""The engine-side avatar session: library, emotion classifier and director, built on first use.

:meth:`studio.app.runtime.EngineRuntime.avatar` builds one :class:`AvatarSession` on the engine
loop (after the speech stack, whose lip-sync timeline drives the mouth) and closes it at
shutdown. The GUI reads :attr:`AvatarSession.avatar` (what to draw, with its settings) and calls
:meth:`AvatarDirector.frame_state` from its paint thread; everything else runs on the engine loop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from studio.app.paths import StudioPaths
from studio.avatar.director import AvatarDirector, DirectorConfig
from studio.avatar.emotion import EmotionClassifier, normalize_emotion
from studio.avatar.library import BUILTIN_ID, Avatar, AvatarLibrary
from studio.avatar.lipsync import LipSyncTimeline
from studio.avatar.settings import AvatarSettings
from studio.core.bus import EventBus
from studio.core.tasks import TaskOwner
from studio.storage.db import Database

log = logging.getLogger(__name__)

__all__ = ["LIVE2D_LICENCE_NOTE", "AvatarSession", "director_config", "open_library"]

LIVE2D_LICENCE_NOTE = (
    'Live2D licence: businesses with yearly revenue over 10 million JPY, and "expandable '
    "applications\" that load users' models, need a separate agreement with Live2D Inc. "
    "(https://www.live2d.com/en/sdk/license/). The built-in avatar needs no such licence."
)


def open_library(paths: StudioPaths, db: Database) -> AvatarLibrary:
    """The avatar library under ``<data_dir>/avatars`` (blocking: call it from a worker thread)."""
    return AvatarLibrary(
        paths.data_dir / "avatars", db, builtin_dir=paths.resources_dir / "avatars" / "default"
    )


def director_config(avatar: Avatar) -> DirectorConfig:
    """Direction settings for ``avatar``: its emotion map and idle group; PNGTuber defaults otherwise."""
    settings: AvatarSettings = avatar.settings
    data: dict[str, Any] = {}
    emotions: dict[str, dict[str, str | None]] = {}
    for name, action in settings.emotion_map.items():
        emotion = normalize_emotion(name)
        if emotion is not None and emotion not in emotions:
            emotions[emotion] = {"expression": action.expression, "motion": action.motion}
    if avatar.kind == "live2d":
        if emotions:
            data["emotions"] = emotions
        data["idle_motion"] = settings.idle_motion_group
    # The built-in/PNGTuber avatar names its expressions after the emotions (the default
    # bindings), blinks by itself and has an ``Idle`` motion.
    elif emotions:
        data["emotions"] = emotions
    return DirectorConfig.from_dict(data)


@dataclass(slots=True)
class AvatarSession:
    """What the avatar shows and who decides it. Built and closed on the engine loop.

    Attributes:
        library: The avatar library (blocking methods: call them in a worker thread).
        avatar: The avatar shown (the built-in PNGTuber unless another was selected).
        classifier: Classifies untagged sentences for the director.
        director: Expressions and motions; :meth:`AvatarDirector.frame_state` is any-thread.
    """

    library: AvatarLibrary
    avatar: Avatar
    classifier: EmotionClassifier
    director: AvatarDirector
    ticker: TaskOwner | None = None

    @classmethod
    async def build(
        cls,
        paths: StudioPaths,
        db: Database,
        bus: EventBus,
        lipsync: LipSyncTimeline,
        *,
        avatar_id: str = BUILTIN_ID,
        classifier: EmotionClassifier | None = None,
        preload_classifier: bool = True,
    ) -> AvatarSession:
        """Open the library, pick ``avatar_id`` (the built-in one if it is gone) and start directing.

        ``preload_classifier``: load the emotion model now rather than on the first sentence.
        """

        def pick() -> tuple[AvatarLibrary, Avatar]:
            library = open_library(paths, db)
            try:
                return library, library.get(avatar_id)
            except Exception as exc:  # removed or broken: show the built-in avatar instead
                log.warning("avatar %r unavailable, using the built-in one: %s", avatar_id, exc)
                return library, library.get(BUILTIN_ID)

        library, avatar = await asyncio.to_thread(pick)
        classifier = classifier if classifier is not None else EmotionClassifier()
        director = AvatarDirector(lipsync, config=director_config(avatar), classifier=classifier)
        director.attach(bus)
        ticker: TaskOwner | None = None
        if preload_classifier:
            director.start()  # ticks the schedules and loads the classifier now
        else:
            # Ticks only: the classifier loads on the first sentence. Loading takes ~1.5 s of
            # native code that a shutdown would have to wait for (tests, short sessions).
            ticker = TaskOwner("avatar-session")
            ticker.spawn(director.run(), "tick")
        log.info("avatar ready", extra={"avatar": avatar.id, "kind": avatar.kind})
        return cls(library, avatar, classifier, director, ticker)

    async def close(self) -> None:
        """Stop the director, then the classifier's thread (engine loop)."""
        try:
            if self.ticker is not None:
                await self.ticker.close()
            await self.director.close()
        finally:
            await self.classifier.close()
