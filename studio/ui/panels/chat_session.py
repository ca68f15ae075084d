"""The Chat tab's link to the engine: conversation, persona, provider test and microphone.

Every engine call runs on the engine loop through :meth:`EngineBridge.call`; reply, transcript
and speech events arrive as :attr:`EngineBridge.bus_event` (queued to the GUI thread). Failures
go to :meth:`EngineBridge.report_error`, the GUI's one error path.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from studio.config.llm_settings import LLM_API_KEY_SECRET
from studio.core.errors import StudioError
from studio.core.events import Event, TranscriptEvent, UserSpeechEvent

if TYPE_CHECKING:
    from studio.app.conversation import ConversationService
    from studio.app.runtime import EngineRuntime
    from studio.brain.openai_compat import ConnectionReport
    from studio.brain.persona import Persona
    from studio.config.llm_settings import LlmSettings
    from studio.config.secrets import SecretStore
    from studio.storage.history_repo import MessageRow
    from studio.ui.bridge import EngineBridge

log = logging.getLogger(__name__)

HISTORY_LIMIT = 200


# ---- engine loop --------------------------------------------------------------------------------


async def _open(runtime: EngineRuntime) -> tuple[ConversationService, list[MessageRow]]:
    service = await runtime.conversation()
    return service, await service.history(HISTORY_LIMIT)


async def _send(service: ConversationService, text: str) -> str:
    return service.send(text, "chat").id


async def _interrupt(service: ConversationService) -> bool:
    return service.interrupt("chat")


async def _release(runtime: EngineRuntime) -> None:
    await runtime.release("conversation")


async def _persona(runtime: EngineRuntime, persona_id: str) -> Persona:
    from studio.brain.persona import PersonaStore
    from studio.storage.history_repo import PersonaRepo

    return await PersonaStore(PersonaRepo(runtime.container.db)).get_or_default(persona_id)


async def _save_persona(runtime: EngineRuntime, persona: Persona | None) -> Persona:
    """Save ``persona``, or reset the default card when it is ``None``; the conversation restarts."""
    from studio.brain.persona import PersonaStore
    from studio.storage.history_repo import PersonaRepo

    store = PersonaStore(PersonaRepo(runtime.container.db))
    saved = await store.save(persona) if persona is not None else await store.reset_default()
    await runtime.release("conversation")  # the next message uses the new card
    return saved


async def _test(settings: LlmSettings, secrets: SecretStore, key: str | None) -> ConnectionReport:
    from studio.brain.openai_compat import OpenAICompatChat
    from studio.brain.providers import resolve

    if key is None:  # the saved key (an OS keyring read may block: off the loop)
        key = await asyncio.to_thread(secrets.get, LLM_API_KEY_SECRET)
    resolved = resolve(settings)
    llm = OpenAICompatChat(
        base_url=resolved.base_url,
        model=resolved.model,
        api_key=key,
        provider=resolved.label,
        needs_key=resolved.needs_key,
        timeout_s=settings.timeout_s,
        retries=0,
    )
    try:
        return await llm.test_connection()
    finally:
        await llm.aclose()


async def _push(runtime: EngineRuntime, pressed: bool) -> None:
    await runtime.listening.push_to_talk(pressed)


# ---- GUI thread ---------------------------------------------------------------------------------


class ChatSession(QObject):
    """Conversation for the Chat tab. GUI thread; needs the qasync loop for engine work.

    Signals:
        opened(rows): the conversation is ready; ``rows`` is its history (``MessageRow``, oldest first).
        turn(event): an ``AssistantTurnEvent`` of any reply.
        transcript(event): a ``TranscriptEvent`` (partial or final) from the microphone.
        user_speech(state): the user ``started`` / ``ended`` speaking.
        persona_loaded(persona): the persona card was loaded or saved.
        connection_tested(ok, text): result of "Test connection" (``text`` is shown as is).
        busy_changed(busy): a reply is being written or spoken.
    """

    opened = Signal(list)
    turn = Signal(object)
    transcript = Signal(object)
    user_speech = Signal(str)
    persona_loaded = Signal(object)
    connection_tested = Signal(bool, str)
    busy_changed = Signal(bool)

    def __init__(self, bridge: EngineBridge, secrets: SecretStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.secrets = secrets
        self.service: ConversationService | None = None
        self._open_task: asyncio.Task[ConversationService | None] | None = None
        self._turn_event: type[Event] | None = None
        self._active: set[str] = set()
        bridge.bus_event.connect(self._on_bus_event)
        bridge.forward(TranscriptEvent)
        bridge.forward(UserSpeechEvent)

    @property
    def busy(self) -> bool:
        """True while a reply is being written or spoken."""
        return bool(self._active)

    def open(self) -> asyncio.Task[ConversationService | None] | None:
        """Build (or fetch) the conversation and load its history in the background."""
        if self._open_task is None or (self._open_task.done() and self.service is None):
            self._open_task = self.bridge.spawn(self._open(), "chat:open")
        return self._open_task

    async def _open(self) -> ConversationService | None:
        runtime = self.bridge.runtime
        if runtime is None or not self.bridge.engine_running:
            self.bridge.report_error("chat", self.tr("The engine is not running."))
            return None
        from studio.pipeline.turns import AssistantTurnEvent  # the engine imported it already

        self._turn_event = AssistantTurnEvent
        self.bridge.forward(AssistantTurnEvent)
        try:
            service, rows = await self.bridge.call(_open(runtime))
        except StudioError as exc:
            self.bridge.report_error("chat", exc.user_message)
            return None
        self.service = service
        if shiboken6.isValid(self):
            self.opened.emit(rows)
        return service

    def send(self, text: str) -> None:
        """Queue a typed message; the reply streams in through :attr:`turn`."""
        self._spawn(lambda: self._send(text), "chat:send")

    async def _send(self, text: str) -> None:
        load = self.open()
        service = await asyncio.shield(load) if load is not None else None
        if service is not None:
            await self.bridge.call(_send(service, text))

    def interrupt(self) -> None:
        """Stop the reply being written or spoken (barge-in)."""
        service = self.service
        if service is not None:
            self._spawn(lambda: self.bridge.call(_interrupt(service)), "chat:interrupt")

    def restart(self) -> None:
        """Close the conversation so the next message uses the saved settings (after a change)."""
        runtime = self.bridge.runtime
        self.service = None
        self._open_task = None
        if runtime is not None and self.bridge.engine_running:
            self._spawn(lambda: self.bridge.call(_release(runtime)), "chat:restart")

    def load_persona(self, persona_id: str) -> None:
        """Load the persona card ``persona_id`` (the default one when it does not exist)."""
        runtime = self.bridge.runtime
        if runtime is not None and self.bridge.engine_running:
            self._spawn(lambda: self._persona(_persona(runtime, persona_id)), "chat:persona")

    def save_persona(self, persona: Persona | None) -> None:
        """Save the card (``None``: reset the default card); the conversation restarts with it."""
        runtime = self.bridge.runtime
        if runtime is not None and self.bridge.engine_running:
            self.service = None
            self._open_task = None
            self._spawn(lambda: self._persona(_save_persona(runtime, persona)), "chat:save-persona")

    async def _persona(self, work: Coroutine[Any, Any, Persona]) -> None:
        persona = await self.bridge.call(work)
        if shiboken6.isValid(self):
            self.persona_loaded.emit(persona)

    def test_connection(self, settings: LlmSettings, key: str) -> None:
        """Try ``settings`` (``key``: typed, "" = the saved one); see :attr:`connection_tested`."""
        self._spawn(lambda: self._test(settings, key), "chat:test-connection")

    async def _test(self, settings: LlmSettings, key: str) -> None:
        try:
            report = await self.bridge.call(_test(settings, self.secrets, key or None))
        except StudioError as exc:
            self.connection_tested.emit(False, exc.user_message)
            return
        if not shiboken6.isValid(self):
            return
        if not report.ok:
            self.connection_tested.emit(False, report.message)
            return
        first = report.first_token_s if report.first_token_s is not None else report.total_s
        text = self.tr("Connected to {model}: first reply after {ms} ms.").format(
            model=report.model or report.provider, ms=round(first * 1000)
        )
        if report.models:
            text += " " + self.tr("Models: {models}").format(models=", ".join(report.models[:8]))
        if report.message:
            text += " " + report.message
        self.connection_tested.emit(True, text)

    def push_to_talk(self, pressed: bool) -> None:
        """Push-to-talk button pressed or released."""
        runtime = self.bridge.runtime
        if runtime is not None and self.bridge.engine_running:
            self._spawn(lambda: self.bridge.call(_push(runtime, pressed)), "chat:push-to-talk")

    def mic_level(self) -> float | None:
        """The microphone level now (RMS, 0-1), or ``None`` when nothing listens. Any thread."""
        runtime = self.bridge.runtime
        listener = runtime.listening.listener if runtime is not None else None
        return float(listener.level) if listener is not None else None

    def _spawn(self, make: Callable[[], Coroutine[Any, Any, Any]], name: str) -> None:
        async def run() -> None:  # the engine coroutine is made only when it runs (no stray ones)
            try:
                await make()
            except StudioError as exc:
                self.bridge.report_error("chat", exc.user_message)

        self.bridge.spawn(run(), name)

    def _on_bus_event(self, event: Event) -> None:
        if isinstance(event, TranscriptEvent):
            self.transcript.emit(event)
        elif isinstance(event, UserSpeechEvent):
            self.user_speech.emit(event.state)
        elif self._turn_event is not None and isinstance(event, self._turn_event):
            turn_id, state = getattr(event, "turn_id", ""), getattr(event, "state", "")
            was = self.busy
            if state in ("started", "delta"):
                self._active.add(turn_id)
            else:
                self._active.discard(turn_id)
            self.turn.emit(event)
            if self.busy != was:
                self.busy_changed.emit(self.busy)
