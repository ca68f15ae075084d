"""The engine runtime: one thread with its own asyncio loop that runs the pipeline, API and plugins.

The GUI thread (qasync) and the CLI never run engine work themselves; they :meth:`EngineRuntime.submit`
coroutines here. Keeping the engine off the GUI loop means painting, readback or a modal dialog
can never stall barge-in, audio feeding or the API.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from studio.api.app import create_app
from studio.api.deps import ApiContext
from studio.api.server import LEGACY_PORTS, ApiServer, LegacyPortStatus
from studio.app.broadcast import BroadcastService, build_broadcast, publish_stats_every, stop_in_thread
from studio.app.config_service import ContainerConfigService, follow_config
from studio.app.container import Container
from studio.app.control import RuntimeControl
from studio.app.conversation import ConversationApiAdapter
from studio.app.listening import ListeningService
from studio.app.olv_service import RuntimeOlvBackend
from studio.app.speech_api import SpeechApiAdapter
from studio.config.settings import TtsSettings
from studio.core.errors import EngineError, StudioError
from studio.core.events import ApiServerEvent, ConfigChangedEvent, EngineState, EngineStateEvent, ErrorEvent
from studio.core.tasks import TaskOwner
from studio.storage.repos import EventLogRow

if TYPE_CHECKING:  # the speech stack (engines, audio) loads only when something speaks
    from studio.app.avatar import AvatarSession
    from studio.app.broadcast import StageFeed
    from studio.app.conversation import ConversationService
    from studio.app.speech import SpeechStack
    from studio.app.voices import VoiceHub
    from studio.broadcast.session import BroadcastSession

log = logging.getLogger(__name__)

T = TypeVar("T")

EnginePart = Literal["conversation", "broadcast", "avatar", "speech"]
"""The engine parts built on first use (see :meth:`EngineRuntime.release`)."""

_RECORD_ERROR_TASK = "record-error"
_BROADCAST_STOP_S = 8.0  # encoder flush + files finished + servers told, at shutdown


def _speech_key(tts: TtsSettings) -> tuple[object, ...]:
    """The ``[tts]`` settings that decide which engines the speech stack builds."""
    return (
        tts.voxcpm_model,
        tts.gpt_sovits_url,
        tts.gpt_sovits_ref_audio,
        tts.gpt_sovits_prompt_text,
        tts.gpt_sovits_prompt_lang,
        tts.gpt_sovits_streaming_mode,
        tts.openai_tts_url,
        tts.openai_tts_model,
        tts.openai_tts_voice,
    )


def _discard_stack(done: asyncio.Future[SpeechStack]) -> None:
    """Close a speech stack whose requester was cancelled while it was being built."""
    if not done.cancelled() and done.exception() is None:
        done.result().playout.close()  # nothing else was started: models load on first use


class EngineRuntime:
    """Owns the engine thread and loop.

    Args:
        container: The built composition root.
        serve_api: Start the API server (off for some tests and tools).
        port: Override the configured API port (``0`` = any free port).
        host: Override the configured API host.
        legacy_ports: Override StreamCream's legacy ports (9080, 5001, 8888; tests use free ports).
            They are served only while ``config.api.legacy_ports`` is on.
    """

    def __init__(
        self,
        container: Container,
        *,
        serve_api: bool | None = None,
        port: int | None = None,
        host: str | None = None,
        warm_up_speech: bool = False,
        legacy_ports: Mapping[str, int] | None = None,
    ) -> None:
        self.container = container
        self._legacy_ports = LEGACY_PORTS if legacy_ports is None else legacy_ports
        self._warm_up_speech = warm_up_speech
        self._speech: SpeechStack | None = None
        self._speech_lock: asyncio.Lock | None = None
        self._avatar: AvatarSession | None = None
        self._avatar_lock: asyncio.Lock | None = None
        self._broadcast: BroadcastSession | None = None
        self._broadcast_feed: StageFeed | None = None
        self._broadcast_lock: asyncio.Lock | None = None
        self._conversation: ConversationService | None = None
        self._conversation_lock: asyncio.Lock | None = None
        api = container.config.api
        self._serve_api = api.enabled if serve_api is None else serve_api
        self._host = host or api.host
        self._port = api.port if port is None else port
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._owner: TaskOwner | None = None
        self._api: ApiServer | None = None
        self._stopped = threading.Event()
        self._stop_requested: asyncio.Event | None = None
        self.state: EngineState = "stopped"
        self.api_services: dict[str, Any] = {}
        self._on_shutdown: list[Callable[[], Awaitable[None]]] = []
        """Engine services the API routes use, by name (see :class:`studio.api.deps.ApiContext`)."""
        self.api_services["bus"] = container.bus  # /v1/ws/events
        self.api_services["speech"] = SpeechApiAdapter(self)
        self.api_services["broadcast"] = BroadcastService(self)
        self.api_services["config"] = ContainerConfigService(container)
        self.api_services["conversation"] = ConversationApiAdapter(self)
        self.api_services["olv"] = RuntimeOlvBackend(self)  # Open-LLM-VTuber's /client-ws
        self.api_services["control"] = RuntimeControl(self)  # /control/status, /control/restart
        self.listening = ListeningService(self)
        """The microphone ([listen]); started with the engine unless its mode is off."""
        self.api_services["listen"] = self.listening  # /v1/listen/*
        self._speech_key: tuple[object, ...] = ()
        self.voices: VoiceHub | None = None
        """Speakers, voice models and the VoxCPM engine (while the engine runs)."""
        self._api_ctx: ApiContext | None = None

    # ---- any thread -------------------------------------------------------------------------

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The engine loop (only while running)."""
        if self._loop is None:
            raise EngineError("The engine is not running.")
        return self._loop

    @property
    def api_url(self) -> str | None:
        """Base URL of the API while it is serving."""
        return self._api.url if self._api is not None else None

    @property
    def legacy_ports(self) -> list[LegacyPortStatus]:
        """StreamCream's legacy ports while the API serves with them on: served or why not."""
        return list(self._api.legacy) if self._api is not None else []

    def start(self, timeout: float = 15.0) -> None:
        """Start the engine thread and wait until it is running (blocking).

        Raises:
            PortInUseError: the API port is taken.
            StudioError: anything else that stopped the engine from starting.
        """
        if self._thread is not None:
            raise EngineError("The engine is already running.")
        if self._warm_up_speech:
            # Initialising PortAudio points file descriptor 2 at /dev/null for a moment (to hide
            # ALSA's chatter). Do it here, before other threads print, not in the background.
            from studio.audio.devices import sounddevice_module

            sounddevice_module()
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._stopped.clear()
        self._thread = threading.Thread(target=self._thread_main, args=(ready,), name="studio-engine")
        self._thread.start()
        try:
            ready.result(timeout)
        except BaseException:
            self._thread.join(5)
            self._thread = None
            raise

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run ``coro`` on the engine loop; returns a future usable from any thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop the API and every owned task, then the thread (blocking; idempotent).

        Returns:
            True if everything stopped within ``timeout`` seconds.
        """
        thread, loop, stop_event = self._thread, self._loop, self._stop_requested
        if thread is None:
            return True
        if loop is not None and stop_event is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: already stopping
                loop.call_soon_threadsafe(stop_event.set)
        thread.join(timeout)
        clean = not thread.is_alive()
        if not clean:
            log.error("engine thread did not stop within %.1fs", timeout)
        self._thread = None
        return clean

    def wait_stopped(self, timeout: float | None = None) -> bool:
        """Block until the engine has stopped."""
        return self._stopped.wait(timeout)

    # ---- engine thread ----------------------------------------------------------------------

    def _thread_main(self, ready: concurrent.futures.Future[None]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._main(ready))
        except BaseException as exc:  # never let the thread die silently
            log.exception("engine crashed")
            if not ready.done():
                ready.set_exception(exc)
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                loop.close()
                self.container.bus.bind_loop(None)
                self._loop = None
                self._stopped.set()

    def _set_state(self, state: EngineState, detail: str = "") -> None:
        self.state = state
        self.container.bus.publish(EngineStateEvent(state=state, detail=detail))
        log.info("engine %s", state, extra={"detail": detail} if detail else None)

    def _task_failed(self, name: str, exc: BaseException) -> None:
        if name.endswith(f":{_RECORD_ERROR_TASK}"):
            # Recording an error failed (DB closed, disk full): it is in the log already. Publishing
            # it would be recorded, fail again, and spin forever.
            return
        self.container.bus.publish(
            ErrorEvent(
                source=name, message=str(exc) or type(exc).__name__, code=getattr(exc, "code", "error")
            )
        )

    def _record_error(self, event: ErrorEvent) -> None:
        row = EventLogRow("error", event.source, event.message, {"code": event.code}, event.ts)
        if self._owner is None:
            return
        try:
            self._owner.spawn(self.container.event_log.append_async(row), _RECORD_ERROR_TASK)
        except RuntimeError:  # shutting down: the log file still has it
            log.debug("error not recorded during shutdown", extra={"source": event.source})

    async def _main(self, ready: concurrent.futures.Future[None]) -> None:
        bus = self.container.bus
        bus.bind_loop(asyncio.get_running_loop())
        self._stop_requested = asyncio.Event()
        self._owner = TaskOwner("engine", on_error=self._task_failed)
        error_sub = bus.subscribe(ErrorEvent, self._record_error)
        config_sub = follow_config(self.container, lambda: self._api_ctx, lambda: self._broadcast)
        engines_sub = bus.subscribe(ConfigChangedEvent, self._on_config_changed)
        self._set_state("starting")
        self._open_voices()
        try:
            if self._serve_api:
                await self._start_api()
        except BaseException as exc:
            self._set_state("failed", str(exc))
            error_sub.close()
            config_sub.close()
            engines_sub.close()
            await self._owner.close(1.0)
            await self._close_voices()
            if not ready.done():
                ready.set_exception(exc)
            return
        self._set_state("running")
        ready.set_result(None)
        self.listening.follow()
        if self._warm_up_speech:
            self._owner.spawn(self._warm_up(), "warm-up-speech")
        await self._stop_requested.wait()
        self._set_state("stopping")
        if self._api is not None:
            await self._api.stop(timeout=1.0)
            bus.publish(ApiServerEvent(state="stopped"))
            self._api = None
        await self.listening.close()  # the microphone's barge-in and echo tap use the speech stack
        error_sub.close()
        config_sub.close()
        engines_sub.close()
        await self._owner.close(1.0)  # first: tasks may be using the speech stack
        for close in reversed(self._on_shutdown):  # extra users of the speech stack (script reader)
            try:
                await asyncio.wait_for(close(), 3.0)
            except (TimeoutError, Exception):
                log.exception("closing %r failed", close)
        self._on_shutdown.clear()
        await self.release("speech")  # and everything built on it, dependents first
        await self._close_voices()  # after speech: the VoxCPM voice speaks through the hub's engine
        self._set_state("stopped")

    def _on_config_changed(self, event: ConfigChangedEvent) -> None:
        """A changed voice engine setting (VoxCPM model, GPT-SoVITS or OpenAI server) rebuilds the
        speech stack on next use, so the new voice is in the catalogue without a restart."""
        loop, owner = self._loop, self._owner
        if event.area != "tts" or self._speech is None or owner is None or loop is None:
            return
        if _speech_key(self.container.config.tts) == self._speech_key:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed: the stack is closing anyway
            loop.call_soon_threadsafe(owner.spawn, self.release("speech"), "rebuild-speech")

    def _open_voices(self) -> None:
        from studio.app.gpt_sovits_backend import GptSovitsBackend
        from studio.app.voices import VoiceHub

        self.voices = VoiceHub(self.container)
        self.api_services["voices"] = self.voices  # /v1/voices, the VoxCPM router
        self.api_services["gpt_sovits"] = GptSovitsBackend(self, self.voices)  # GPT-SoVITS api_v2

    async def _close_voices(self) -> None:
        hub, self.voices = self.voices, None
        self.api_services.pop("voices", None)
        backend = self.api_services.pop("gpt_sovits", None)
        if backend is not None:
            try:
                await asyncio.wait_for(backend.close(), 2.0)
            except (TimeoutError, Exception):
                log.exception("closing the GPT-SoVITS backend failed")
        if hub is not None:
            try:
                await asyncio.wait_for(hub.close(), 5.0)
            except (TimeoutError, Exception):
                log.exception("closing the voice hub failed")

    async def _start_api(self) -> None:
        assert self._owner is not None
        c = self.container
        ctx = ApiContext(
            version=c.version,
            engines=c.engines,
            config=c.config,
            db=c.db,
            secrets=c.secrets,
            data_dir=c.paths.data_dir,
            services=self.api_services,
        )
        self._api_ctx = ctx
        app = create_app(ctx, c.config.api)
        legacy = self._legacy_ports if c.config.api.legacy_ports else None
        server = ApiServer(app, self._host, self._port, self._owner, legacy_ports=legacy)
        try:
            await server.start()
        except StudioError as exc:
            c.bus.publish(ApiServerEvent(state="failed", detail=exc.user_message))
            raise
        self._api = server
        c.bus.publish(ApiServerEvent(state="listening", url=server.url))
        for status in server.legacy:
            if not status.ok:
                c.bus.publish(ErrorEvent(source="api:legacy-ports", message=status.error, code="port_in_use"))

    async def speech(self) -> SpeechStack:
        """The speech-out stack, built on first use (engine loop)."""
        if self._speech_lock is None:
            self._speech_lock = asyncio.Lock()
        async with self._speech_lock:
            if self._speech is None:
                from studio.app.speech import SpeechStack

                if self.state in ("stopping", "stopped"):
                    raise EngineError("The engine is stopping.")
                c = self.container
                extra = self.voices.tts_engines() if self.voices is not None else {}
                self._speech_key = _speech_key(c.config.tts)
                build = asyncio.ensure_future(
                    asyncio.to_thread(
                        SpeechStack.build, c.config, c.paths, c.secrets, c.bus, c.clock, extra_engines=extra
                    )
                )
                try:
                    stack = await asyncio.shield(build)
                except asyncio.CancelledError:
                    # The build thread runs on; whatever it makes must not outlive us.
                    build.add_done_callback(_discard_stack)
                    raise
                if self.state in ("stopping", "stopped"):
                    await stack.close()
                    raise EngineError("The engine is stopping.")
                self._speech = stack
                self.listening.attach(stack)  # the echo reference follows a rebuilt stack
            return self._speech

    async def conversation(self) -> ConversationService:
        """The conversation (LLM, persona, memory, voice loop), built and started on first use.

        Thread: engine loop.
        """
        if self._conversation_lock is None:
            self._conversation_lock = asyncio.Lock()
        async with self._conversation_lock:
            if self._conversation is None:
                from studio.app.conversation import build_conversation

                if self.state in ("stopping", "stopped"):
                    raise EngineError("The engine is stopping.")
                service = await build_conversation(self)
                if self._stop_requested is not None and self._stop_requested.is_set():
                    await service.close()
                    raise EngineError("The engine is stopping.")
                self._conversation = service
            return self._conversation

    @property
    def current_speech(self) -> SpeechStack | None:
        """The speech stack if it has been built (any thread)."""
        return self._speech

    @property
    def current_conversation(self) -> ConversationService | None:
        """The conversation if it has been built (any thread)."""
        return self._conversation

    def on_shutdown(self, close: Callable[[], Awaitable[None]]) -> None:
        """Run ``close`` at shutdown, before the speech stack closes (engine loop)."""
        self._on_shutdown.append(close)

    async def release(self, part: EnginePart) -> list[EnginePart]:
        """Close ``part`` and every part built on it, dependents first; each is built again on next use.

        Order: conversation (speaks through speech), broadcast (renders the avatar, encodes the mix),
        avatar (lip-sync from speech), speech. Engine loop.

        Returns:
            The parts that were running and are now closed.
        """
        order: list[EnginePart] = ["conversation", "broadcast", "avatar", "speech"]
        closed: list[EnginePart] = []
        for name in order[: order.index(part) + 1]:
            if name == "avatar" and part == "broadcast":
                continue
            if name == "conversation" and part in ("broadcast", "avatar"):
                continue  # the conversation needs neither the picture nor the avatar
            if name == "conversation" and self._conversation is not None:
                await self._close_conversation()
                closed.append(name)
            elif name == "broadcast" and self._broadcast is not None:
                await self._stop_broadcast()
                closed.append(name)
            elif name == "avatar" and self._avatar is not None:
                avatar, self._avatar = self._avatar, None
                try:
                    await asyncio.wait_for(avatar.close(), 2.0)
                except (TimeoutError, Exception):
                    log.exception("closing the avatar failed")
                closed.append(name)
            elif name == "speech" and self._speech is not None:
                speech, self._speech = self._speech, None
                try:
                    await asyncio.wait_for(speech.close(), 2.0)
                except (TimeoutError, Exception):
                    log.exception("closing speech failed")
                closed.append(name)
        return closed

    async def _close_conversation(self) -> None:
        service, self._conversation = self._conversation, None
        if service is not None:
            try:
                await asyncio.wait_for(service.close(), 3.0)
            except (TimeoutError, Exception):
                log.exception("closing the conversation failed")

    async def avatar(self) -> AvatarSession:
        """The avatar session (library, classifier, director), built on first use (engine loop)."""
        if self._avatar_lock is None:
            self._avatar_lock = asyncio.Lock()
        async with self._avatar_lock:
            if self._avatar is None:
                from studio.app.avatar import AvatarSession

                speech = await self.speech()
                c = self.container
                session = await AvatarSession.build(
                    c.paths,
                    c.db,
                    c.bus,
                    speech.lipsync,
                    avatar_id=c.config.avatar.current,
                    preload_classifier=self._warm_up_speech,
                )
                if self._stop_requested is not None and self._stop_requested.is_set():
                    await session.close()  # built while stopping: shutdown has passed it by
                    raise EngineError("The engine is stopping.")
                self._avatar = session
            return self._avatar

    @property
    def current_avatar(self) -> AvatarSession | None:
        """The avatar session if it has been built (any thread)."""
        return self._avatar

    @property
    def current_broadcast(self) -> BroadcastSession | None:
        """The broadcast session if it has been built (any thread)."""
        return self._broadcast

    @property
    def broadcast_feed(self) -> StageFeed | None:
        """The broadcast's headless video feed, if built (any thread)."""
        return self._broadcast_feed

    async def broadcast(self) -> BroadcastSession:
        """The broadcast session (go live, record), built on first use with speech and avatar (engine loop).

        An owned task publishes its stats every second; shutdown stops it before avatar and speech.
        """
        if self._broadcast_lock is None:
            self._broadcast_lock = asyncio.Lock()
        async with self._broadcast_lock:
            if self._broadcast is None:
                if self.state in ("stopping", "stopped") or self._owner is None:
                    raise EngineError("The engine is stopping.")
                session, feed = await build_broadcast(self)
                if self._stop_requested is not None and self._stop_requested.is_set():
                    raise EngineError("The engine is stopping.")  # nothing was started yet
                self._broadcast, self._broadcast_feed = session, feed
                self._owner.spawn(publish_stats_every(session), "stream-stats")
            return self._broadcast

    async def _stop_broadcast(self) -> None:
        session, self._broadcast = self._broadcast, None
        if session is not None:
            await stop_in_thread(session, _BROADCAST_STOP_S)

    async def reload_avatar(self) -> AvatarSession:
        """Close the avatar session and build one for ``config.avatar.current`` (engine loop)."""
        if self._avatar_lock is None:
            self._avatar_lock = asyncio.Lock()
        async with self._avatar_lock:
            old, self._avatar = self._avatar, None
            if old is not None:
                await old.close()
        return await self.avatar()

    async def _warm_up(self) -> None:
        stack = await self.speech()
        started = time.perf_counter()
        await stack.tts.service.warm_up()
        log.info("voices warmed up", extra={"seconds": round(time.perf_counter() - started, 2)})

    async def stop_api(self) -> None:
        """Stop serving the API but keep the engine running (engine loop; idempotent)."""
        if self._api is not None:
            await self._api.stop()
            self._api = None
            self.container.bus.publish(ApiServerEvent(state="stopped"))

    async def restart_api(self, port: int | None = None, host: str | None = None) -> str:
        """Restart the API with the current settings (after a settings change). Engine loop.

        Returns:
            The new base URL.
        """
        if self._api is not None:
            await self._api.stop()
            self.container.bus.publish(ApiServerEvent(state="stopped"))
            self._api = None
        api = self.container.config.api
        self._host = host or api.host
        self._port = api.port if port is None else port
        await self._start_api()
        assert self._api is not None
        return self._api.url
