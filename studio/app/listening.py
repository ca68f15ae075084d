"""Listening in the running studio: the :class:`~studio.speech.listener.Listener` built from ``[listen]``.

:class:`ListeningService` (``EngineRuntime.listening()``, ``api_services["listen"]``) builds the
listener from ``config.listen`` and ``config.audio.input_device``, with:

* the echo reference: one :class:`~studio.audio.echo.ReferenceTap` installed as the speech stack's
  ``mixer.speaker_tap`` (again on a rebuilt stack, :meth:`ListeningService.attach`), read against
  the shared MediaClock;
* the barge-in hook (``[listen] barge_in``): on the DSP thread, the current playout's ``clear()``
  (silence on the next render block) and the conversation's ``interrupt`` scheduled on the loop
  (which also cancels the LLM and TTS and stores what was heard);
* the conversation, built when listening starts, answers the listener's final transcripts
  (:class:`~studio.pipeline.graph.ConversationGraph` follows ``TranscriptEvent(final=True)``).

It starts with the engine when the mode is not ``off``, follows ``ConfigChangedEvent("listen")``
(a mode change applies live; other changes rebuild the listener) and is closed at shutdown before
the speech stack. Thread: engine loop unless stated.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from studio.config.listen_settings import ListenMode, ListenSettings
from studio.core.errors import EngineError, StudioError, ValidationError
from studio.core.events import ConfigChangedEvent, ErrorEvent
from studio.core.tasks import TaskOwner

if TYPE_CHECKING:
    from studio.app.runtime import EngineRuntime
    from studio.app.speech import SpeechStack
    from studio.audio.echo import ReferenceTap
    from studio.core.bus import Subscription
    from studio.speech.asr.stream import WhisperAsr
    from studio.speech.listener import Listener, ListenerStatus

log = logging.getLogger(__name__)

__all__ = ["ListeningService"]

_MODES: tuple[ListenMode, ...] = ("hands_free", "push_to_talk", "off")


class ListeningService:
    """The studio's microphone: builds, runs and reconfigures the listener (engine loop).

    Args:
        runtime: The engine runtime (speech stack, conversation, container).
    """

    def __init__(self, runtime: EngineRuntime) -> None:
        self._runtime = runtime
        self.listener: Listener | None = None
        self._asr: WhisperAsr | None = None
        self._tap: ReferenceTap | None = None
        self._settings: ListenSettings | None = None
        self._device = ""
        self._lock = asyncio.Lock()
        self._tasks = TaskOwner("listening")
        self._sub: Subscription | None = None
        self._closed = False

    # ---- lifecycle ----

    def follow(self) -> None:
        """Follow ``[listen]`` changes and start listening if the mode is not ``off``."""
        bus = self._runtime.container.bus
        self._sub = bus.subscribe(ConfigChangedEvent, self._on_config)
        if self._runtime.container.config.listen.mode != "off":
            self._tasks.spawn(self.apply(), "start")

    def _on_config(self, event: ConfigChangedEvent) -> None:
        if event.area in ("listen", "audio") and not self._closed:
            try:
                self._tasks.spawn(self.apply(), f"apply-{event.area}")
            except RuntimeError:  # closing
                log.debug("listen settings change ignored while closing")

    async def apply(self) -> None:
        """Make the listener match ``config.listen``: start, switch mode live, or rebuild."""
        async with self._lock:
            if self._closed:
                return
            c = self._runtime.container
            wanted, device = c.config.listen, c.config.audio.input_device
            current = self.listener
            if wanted.mode == "off":  # off closes the microphone (no open device, no indicator)
                if current is not None:
                    await self._stop_listener()
                return
            if current is not None and self._settings is not None:
                same = self._settings.model_copy(update={"mode": wanted.mode}) == wanted
                if same and self._device == device:
                    await current.set_mode(wanted.mode)
                    self._settings = wanted
                    return
                await self._stop_listener()
            try:
                await self._start(wanted, device)
            except StudioError as exc:
                log.warning("listening did not start: %s", exc)
                c.bus.publish(ErrorEvent(source="listen", message=exc.user_message, code=exc.code))

    async def _start(self, settings: ListenSettings, device: str) -> None:
        from studio.audio.echo import ReferenceTap
        from studio.speech.asr.stream import WhisperAsr
        from studio.speech.listener import Listener

        rt, c = self._runtime, self._runtime.container
        try:
            await rt.conversation()  # answers the final transcripts; speaks through the speech stack
        except StudioError as exc:  # e.g. no LLM configured: transcripts still show
            log.warning("listening without a conversation: %s", exc)
            c.bus.publish(ErrorEvent(source="listen", message=exc.user_message, code=exc.code))
        speech = rt.current_speech or await rt.speech()
        mixer = speech.playout.mixer
        self._tap = ReferenceTap(mixer.sample_rate, mixer.max_frames)
        self.attach(speech)
        if self._asr is None:
            self._asr = WhisperAsr(c.paths.cache_dir)
        listener = Listener(
            settings,
            c.bus,
            self._asr,
            input_device=device,
            reference=self._tap.reader(c.clock),
            on_barge_in=self._barge_in_hook(),
        )
        listener.transcriber.source = "mic"
        await self._asr.warm_up()
        await listener.start()
        self.listener, self._settings, self._device = listener, settings, device
        log.info("listening", extra={"mode": settings.mode, "device": device or "default"})

    def attach(self, speech: SpeechStack) -> None:
        """Install the echo reference on ``speech``'s mixer (a new or rebuilt speech stack)."""
        if self._tap is not None:
            speech.playout.mixer.speaker_tap = self._tap

    def _barge_in_hook(self) -> Callable[[], None]:
        rt = self._runtime
        loop = asyncio.get_running_loop()

        def interrupt() -> None:
            service = rt.current_conversation
            if service is not None:
                service.interrupt("user speech")

        def hook() -> None:  # DSP thread: silence now, cancel the reply on the loop
            speech = rt.current_speech
            if speech is not None:
                speech.playout.clear()
            loop.call_soon_threadsafe(interrupt)

        return hook

    async def _stop_listener(self) -> None:
        listener, self.listener = self.listener, None
        self._settings = None
        if listener is not None:
            try:
                await asyncio.wait_for(listener.stop(), 6.0)
            except (TimeoutError, Exception):
                log.exception("stopping the listener failed")
        speech = self._runtime.current_speech
        if speech is not None and speech.playout.mixer.speaker_tap is self._tap:
            speech.playout.mixer.speaker_tap = None
        self._tap = None

    async def close(self) -> None:
        """Stop listening and release the recogniser (shutdown; before the speech stack)."""
        self._closed = True
        if self._sub is not None:
            self._sub.close()
            self._sub = None
        await self._tasks.close(1.0)
        async with self._lock:
            await self._stop_listener()
            asr, self._asr = self._asr, None
            if asr is not None:
                await asr.close()

    # ---- API ----

    @property
    def status(self) -> ListenerStatus | None:
        """Mode, microphone and speaking state, or ``None`` while not listening (any thread)."""
        listener = self.listener
        return listener.status if listener is not None else None

    async def set_mode(self, mode: str) -> str:
        """Switch the mode live and save it in ``[listen]`` (GUI and API agree). Returns the mode.

        Raises:
            ValidationError: not ``hands_free``, ``push_to_talk`` or ``off``.
        """
        if mode not in _MODES:
            raise ValidationError(f"Unknown listening mode {mode!r}: use one of {', '.join(_MODES)}.")
        config = self._runtime.api_services.get("config")
        area = self._runtime.container.config.listen.model_copy(update={"mode": mode})
        save = getattr(config, "save_area", None)
        if save is not None:
            await save(area)  # announces ConfigChangedEvent("listen"); apply() follows it
        else:
            self._runtime.container.config = self._runtime.container.config.model_copy(
                update={"listen": area}
            )
        await self.apply()
        return mode

    async def push_to_talk(self, pressed: bool) -> bool:
        """Press or release push-to-talk. Returns False when the mode is not ``push_to_talk``.

        Raises:
            EngineError: not listening.
        """
        listener = self.listener
        if listener is None:
            raise EngineError("The microphone is off.")
        if listener.mode != "push_to_talk":
            return False
        await listener.push_to_talk(pressed)
        return True
