"""AvatarDirector: decides what the avatar shows (expression, motions) and hands it to the renderer.

The director runs on the engine loop. It owns the current :class:`AvatarState` and publishes each
change as a new immutable snapshot (one attribute store). The renderer thread calls
:meth:`AvatarDirector.frame_state` every frame and gets that snapshot with the mouth filled in.

What drives what:

* Mouth: always the lip-sync timeline at the frame's pts. The director never puts mouth values
  in the snapshot; :meth:`~AvatarDirector.frame_state` adds them per frame, and renderers apply
  them after motions and expressions, so an idle or talk motion never freezes or overrides the
  mouth.
* Expression: from the emotion of the utterance being spoken. An LLM tag for the sentence
  (:class:`~studio.brain.tags.EmotionTagEvent` or :meth:`~AvatarDirector.tag`) wins; otherwise
  the sentence is classified (:class:`~studio.avatar.emotion.EmotionClassifier`, off the loop)
  when its speech starts. The expression holds for the utterance and returns to neutral
  ``expression_hold`` seconds after it ends (unless the next utterance starts first).
* Motions: the emotion's motion group (if configured) or the ``talk_motion`` group when speech
  starts; the ``idle_motion`` group on a seeded random schedule while nothing else plays.
* Blink and breath: renderer-side. Live2D renderers switch on the model's own auto blink/breath
  when ``auto_blink``/``auto_breath`` are set. A renderer without its own blink (the PNGTuber) can
  set ``drive_blink``: :meth:`~AvatarDirector.frame_state` then puts eye-open values from a
  seeded :class:`BlinkSchedule` (a pure function of pts) into ``params``.

Time for schedules (idle, decay, motion hand-off) comes from an injectable monotonic clock;
:meth:`~AvatarDirector.tick` advances them (``run`` calls it every ``tick_interval``).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from studio.avatar.direction import EYE_PARAMS, BlinkSchedule, DirectorConfig, EmotionBinding
from studio.avatar.emotion import NEUTRAL, Emotion, EmotionClassifier
from studio.avatar.lipsync import LipSyncTimeline
from studio.avatar.state import AvatarState, MotionRequest
from studio.brain.tags import EmotionTagEvent
from studio.core.bus import EventBus, Subscription
from studio.core.tasks import TaskOwner

log = logging.getLogger(__name__)

PRIORITY_IDLE: Final = 1
PRIORITY_NORMAL: Final = 2
PRIORITY_FORCE: Final = 3
_MAX_HINTS: Final = 64

__all__ = [
    "PRIORITY_FORCE",
    "PRIORITY_IDLE",
    "PRIORITY_NORMAL",
    "AvatarDirector",
    "BlinkSchedule",
    "DirectorConfig",
    "EmotionBinding",
]


@dataclass(frozen=True, slots=True)
class _Published:
    state: AvatarState
    utterance: bool  # between a speech start and its end


class AvatarDirector:
    """Expressions, motions and idle behaviour for one avatar.

    Args:
        lipsync: The timeline the speaker fills; the mouth is read from it every frame.
        config: A :class:`DirectorConfig` or its dict form.
        classifier: Classifies untagged sentences (``None``: tags only).
        monotonic: Clock for schedules (injectable for tests).
        seed: Seed of the idle and blink schedules (``None``: random).

    Thread: everything on the engine loop except :meth:`frame_state` and :attr:`state`, which any
    thread may call (the renderer calls ``frame_state`` every frame).
    """

    def __init__(
        self,
        lipsync: LipSyncTimeline,
        *,
        config: DirectorConfig | Mapping[str, Any] | None = None,
        classifier: EmotionClassifier | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        seed: int | None = None,
    ) -> None:
        if config is None:
            config = DirectorConfig()
        elif not isinstance(config, DirectorConfig):
            config = DirectorConfig.from_dict(config)
        self.config: DirectorConfig = config
        self._lipsync = lipsync
        self._classifier = classifier if config.classify else None
        self._now = monotonic
        seed = random.randrange(2**32) if seed is None else seed
        self._rng = random.Random(seed)
        self.blink = BlinkSchedule(seed, config.blink_interval)
        self._pub = _Published(AvatarState(), False)
        self._tasks = TaskOwner("avatar-director")
        self._subs: list[Subscription] = []
        self._hints: OrderedDict[str, Emotion] = OrderedDict()
        self._emotion: Emotion = NEUTRAL
        self._expression: str | None = config.binding(NEUTRAL).expression
        self._motion: MotionRequest | None = None
        self._serial = 0
        self._generation = 0
        self._utterance = False
        self._motion_due: float | None = None  # talk motion waits for the classifier until then
        self._decay_at: float | None = None
        self._busy_until = -float("inf")
        self._next_idle = monotonic()  # the idle motion starts at once, then on the schedule
        self._classifying: set[asyncio.Task[None]] = set()
        self._failures = 0  # classifier failures (only the first is a warning)
        self._publish()

    # ---- readers (any thread) ----

    @property
    def state(self) -> AvatarState:
        """The latest published snapshot (mouth empty: see :meth:`frame_state`)."""
        return self._pub.state

    def frame_state(self, pts: float) -> AvatarState:
        """The snapshot for a frame heard at ``pts``: mouth from lip-sync, ``speaking`` from it.

        ``speaking`` is true while the mouth is open, and during an utterance while its queued
        audio lasts (so short closures between syllables do not flicker). Lock-free; a few µs.
        Thread: any (the renderer thread, every frame).
        """
        pub = self._pub
        frame = self._lipsync.value_at(pts)
        speaking = frame.mouth_open > 0.0 or (pub.utterance and pts <= self._lipsync.end_pts)
        params = pub.state.params
        if self.config.drive_blink:
            eye = self.blink.eye_open(pts)
            params = {**params, EYE_PARAMS[0]: eye, EYE_PARAMS[1]: eye}
        return replace(pub.state, mouth=frame.as_params(), speaking=speaking, params=params)

    @property
    def emotion(self) -> Emotion:
        """The emotion shown now."""
        return self._emotion

    # ---- engine loop ----

    def attach(self, bus: EventBus) -> None:
        """Follow speech (:class:`~studio.pipeline.speaker.SpeechEvent`) and LLM emotion tags."""
        # Imported here: the avatar package sits below the pipeline, which imports lip-sync from it.
        from studio.pipeline.speaker import SpeechEvent

        def on_speech(event: SpeechEvent) -> None:
            if event.state == "started":
                self.speech_started(event.text)
            else:
                self.speech_ended()

        self._subs.append(bus.subscribe(SpeechEvent, on_speech))
        self._subs.append(bus.subscribe(EmotionTagEvent, lambda e: self.tag(e.text, e.emotion)))

    def start(self) -> None:
        """Start ticking the schedules and preload the classifier (engine loop)."""
        self._tasks.spawn(self.run(), "tick")
        if self._classifier is not None:
            self._tasks.spawn(self._classifier.load(), "load-classifier")

    async def run(self) -> None:
        """Advance the schedules every ``tick_interval`` until cancelled."""
        while True:
            self.tick()
            await asyncio.sleep(self.config.tick_interval)

    def tag(self, text: str, emotion: Emotion) -> None:
        """The sentence ``text`` carries ``emotion`` (an LLM tag); used when its speech starts."""
        self._hints[text.strip()] = emotion
        self._hints.move_to_end(text.strip())
        while len(self._hints) > _MAX_HINTS:
            self._hints.popitem(last=False)

    def speech_started(self, text: str) -> None:
        """An utterance starts: choose its emotion (tag, else classifier) and its motion."""
        self._generation += 1
        self._utterance = True
        self._decay_at = None
        self._motion_due = None
        hint = self._hints.pop(text.strip(), None)
        if hint is not None:
            self._show(hint, motion=True)
        elif self._classifier is not None and text.strip():
            self._motion_due = self._now() + self.config.classify_timeout
            task = self._tasks.spawn(self._classify(self._generation, text), "classify")
            self._classifying.add(task)
            task.add_done_callback(self._classifying.discard)
        else:
            self._start_motion(self.config.talk_motion)
        self._publish()

    def speech_ended(self) -> None:
        """The utterance finished or was interrupted: the emotion decays after ``expression_hold``."""
        self._utterance = False
        now = self._now()
        self._decay_at = now + self.config.expression_hold
        self._next_idle = max(self._next_idle, now + self._draw_idle())
        self._publish()

    def set_emotion(self, emotion: Emotion, *, motion: bool = False) -> None:
        """Show ``emotion`` now (API, plugins); outside speech it decays after ``expression_hold``."""
        self._show(emotion, motion=motion)
        if not self._utterance and emotion != NEUTRAL:
            self._decay_at = self._now() + self.config.expression_hold
        self._publish()

    def play_motion(self, group: str, index: int = -1, priority: int = PRIORITY_NORMAL) -> None:
        """Request a motion (API, plugins, hit areas)."""
        self._request(group, index, priority)
        self._publish()

    def tick(self) -> None:
        """Advance the schedules to the clock's now: motion hand-off, decay, idle motions."""
        now = self._now()
        changed = False
        if self._motion_due is not None and now >= self._motion_due:
            self._motion_due = None  # the classifier is late: start talking without it
            changed |= self._start_motion(self.config.talk_motion)
        if self._decay_at is not None and now >= self._decay_at:
            self._decay_at = None
            if self._emotion != NEUTRAL:
                self._set_expression(NEUTRAL)
                changed = True
        idle = self.config.idle_motion
        if idle and not self._utterance and now >= self._next_idle and now >= self._busy_until:
            self._serial += 1
            self._motion = MotionRequest(idle, -1, PRIORITY_IDLE, self._serial)
            self._next_idle = now + self._draw_idle()
            changed = True
        if changed:
            self._publish()

    async def settle(self) -> None:
        """Wait until the pending classifications have been applied (tests, shutdown)."""
        while self._classifying:
            await asyncio.wait(set(self._classifying))

    async def close(self) -> None:
        """Stop following the bus and cancel the director's tasks (the classifier is the caller's)."""
        for sub in self._subs:
            sub.close()
        self._subs.clear()
        await self._tasks.close()

    # ---- internals (engine loop) ----

    async def _classify(self, generation: int, text: str) -> None:
        assert self._classifier is not None
        try:
            score = await self._classifier.classify(text)
        except Exception as exc:  # a broken model must not stop the avatar: talk without emotion
            log.log(
                logging.DEBUG if self._failures else logging.WARNING, "emotion classification failed: %r", exc
            )
            self._failures += 1
            emotion: Emotion | None = None
        else:
            emotion = score.emotion
        if generation != self._generation:
            return  # a newer utterance has started
        in_time = self._motion_due is not None
        self._motion_due = None
        if emotion is not None:
            self._show(emotion, motion=in_time)
        elif in_time:
            self._start_motion(self.config.talk_motion)
        self._publish()

    def _show(self, emotion: Emotion, *, motion: bool) -> None:
        self._set_expression(emotion)
        if motion:
            self._start_motion(self.config.binding(emotion).motion or self.config.talk_motion)

    def _set_expression(self, emotion: Emotion) -> None:
        self._emotion = emotion
        self._expression = self.config.binding(emotion).expression

    def _start_motion(self, group: str | None) -> bool:
        if not group:
            return False
        self._request(group, -1, PRIORITY_NORMAL)
        return True

    def _request(self, group: str, index: int, priority: int) -> None:
        self._serial += 1
        self._motion = MotionRequest(group, index, priority, self._serial)
        now = self._now()
        self._busy_until = now + self.config.motion_duration
        self._next_idle = max(self._next_idle, self._busy_until)

    def _draw_idle(self) -> float:
        lo, hi = self.config.idle_interval
        return self._rng.uniform(lo, hi)

    def _publish(self) -> None:
        state = AvatarState(
            expression=self._expression,
            motion=self._motion,
            params=self._pub.state.params,
            look=self._pub.state.look,
            scale=self._pub.state.scale,
            offset=self._pub.state.offset,
        )
        self._pub = _Published(state, self._utterance)
