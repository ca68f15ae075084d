"""One ``/client-ws`` connection of the Open-LLM-VTuber protocol (reference-contracts.md 4.2).

:class:`OlvSession` sends the connect sequence, then dispatches every client message: turns
(``text-input``, ``mic-audio-data`` + ``mic-audio-end``, ``ai-speak-signal``) run as an owned task
so that ``interrupt-signal`` and ``frontend-playback-complete`` are read while a turn runs;
histories, configs and backgrounds come from the studio's storage. :class:`OlvHub` knows every
connection (groups, forwarded display of ``audio-play-start``).

Thread: engine loop.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Coroutine
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from studio.api.compat import olv_history as hist
from studio.api.compat.olv_groups import OlvHub
from studio.api.compat.olv_payloads import (
    AI_WANTS_TO_SPEAK,
    CONNECTED,
    audio_payload,
    config_files,
    control,
    float_pcm,
    message,
)
from studio.api.compat.olv_turn import TurnDeps, TurnInput, TurnState, run_turn
from studio.api.deps import ApiContext
from studio.api.olv_service import OlvBackend, OlvCharacter, backend_of, recognizer_of
from studio.api.tts_service import SpeechApi
from studio.core.errors import StudioError
from studio.core.tasks import TaskOwner, cancel_with_timeout
from studio.storage.prefs_repo import BackgroundRepo

log = logging.getLogger(__name__)

BACKGROUND_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif")
MAX_BUFFERED_SAMPLES = 16000 * 120
"""Longest mic utterance kept (two minutes at 16 kHz); older samples are dropped."""

Send = Callable[[dict[str, Any]], Coroutine[Any, Any, None]]


class OlvSession:
    """The state of one client: its uid, character, current history, mic buffer and turn.

    Args:
        ctx: The API context (services, database).
        hub: Every connection of this app.
        send: Sends one JSON message to this client (serialised by the caller).
    """

    def __init__(self, ctx: ApiContext, hub: OlvHub, send: Send) -> None:
        self.ctx = ctx
        self.hub = hub
        self.send = send
        self.client_uid = str(uuid.uuid4())
        self.character: OlvCharacter | None = None
        self.history_uid: str | None = None
        self._audio: list[npt.NDArray[np.float32]] = []
        self._buffered = 0
        self._owner = TaskOwner(f"olv-{self.client_uid[:8]}")
        self._turn: asyncio.Task[None] | None = None
        self._turn_state: TurnState | None = None
        self._playback_done = asyncio.Event()

    # ---- lifecycle --------------------------------------------------------------------------

    async def connect(self) -> None:
        """Send the connect sequence: group-update, full-text, set-model-and-conf, group-update,
        control start-mic."""
        self.hub.add(self)
        await self.send(self.hub.group_update(self.client_uid))
        await self.send(message("full-text", text=CONNECTED))
        await self.send(await self._model_and_conf(with_uid=True))
        await self.send(self.hub.group_update(self.client_uid))
        await self.send(control("start-mic"))

    async def close(self) -> None:
        """The client went away: stop its turn and leave its group."""
        await self.hub.remove(self)
        await self._owner.close()

    # ---- dispatch ---------------------------------------------------------------------------

    async def handle(self, msg: dict[str, Any]) -> None:
        """Handle one client message; failures become ``{"type": "error", "message": ...}``."""
        kind = msg.get("type")
        handler = self._handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            log.info("olv: unknown message type ignored", extra={"olv_type": str(kind)[:40]})
            return
        try:
            await handler(self, msg)
        except StudioError as exc:
            await self.send(message("error", message=exc.user_message))
        except Exception as exc:  # a foreign client must not lose its connection over one message
            log.exception("olv: handler failed", extra={"olv_type": kind})
            await self.send(message("error", message=str(exc)))

    async def _mic_audio_data(self, msg: dict[str, Any]) -> None:
        pcm = float_pcm(msg.get("audio"))
        self._audio.append(pcm)
        self._buffered += pcm.size
        while self._buffered > MAX_BUFFERED_SAMPLES and len(self._audio) > 1:
            self._buffered -= self._audio.pop(0).size

    async def _mic_audio_end(self, msg: dict[str, Any]) -> None:
        audio = np.concatenate(self._audio) if self._audio else np.zeros(0, np.float32)
        self._audio, self._buffered = [], 0
        await self._start_turn(TurnInput(audio=audio.astype(np.float32)))

    async def _text_input(self, msg: dict[str, Any]) -> None:
        text = msg.get("text")
        await self._start_turn(TurnInput(text=text if isinstance(text, str) else ""))

    async def _ai_speak(self, msg: dict[str, Any]) -> None:
        await self.send(message("full-text", text=AI_WANTS_TO_SPEAK))
        await self._start_turn(TurnInput(proactive=True))

    async def _raw_audio(self, msg: dict[str, Any]) -> None:
        # Server-side VAD for desktop pet clients; the web client never sends it.
        log.info("olv: raw-audio-data is not supported; use mic-audio-data + mic-audio-end")

    async def _interrupt(self, msg: dict[str, Any]) -> None:
        heard = msg.get("text") if isinstance(msg.get("text"), str) else ""
        turn, state = self._turn, self._turn_state
        self._turn = None
        if turn is not None and not turn.done():
            await cancel_with_timeout([turn], 2.0)
        if state is not None and not state.done and state.store and state.history_uid is not None:
            memory = await backend_of(self.ctx.services).memory()
            await hist.record_interrupt(memory, state.history_uid, state.reply_id, state.reply, str(heard))
        await self.hub.broadcast_interrupt(self)

    async def _playback_complete(self, msg: dict[str, Any]) -> None:
        self._playback_done.set()

    async def _audio_play_start(self, msg: dict[str, Any]) -> None:
        shown = msg.get("display_text")
        shown = shown if isinstance(shown, dict) else {}
        payload = audio_payload(
            None,
            text=str(shown.get("text", "")),
            name=str(shown.get("name", "")),
            avatar=shown.get("avatar") if isinstance(shown.get("avatar"), str) else None,
            forwarded=True,
        )
        await self.hub.forward(self, payload)

    async def _fetch_history_list(self, msg: dict[str, Any]) -> None:
        memory, character = await self._memory_and_character()
        await self.send(await hist.history_list(memory, character))

    async def _fetch_and_set_history(self, msg: dict[str, Any]) -> None:
        uid = msg.get("history_uid")
        if not isinstance(uid, str) or not uid:
            return
        memory, character = await self._memory_and_character()
        data = await hist.history_data(memory, character, uid)
        if data is None:
            await self.send(message("error", message=f"History {uid!r} not found."))
            return
        self.history_uid = uid
        await self.send(data)

    async def _create_new_history(self, msg: dict[str, Any]) -> None:
        memory, character = await self._memory_and_character()
        self.history_uid = await hist.create_history(memory, character)
        await self.send(message("new-history-created", history_uid=self.history_uid))

    async def _delete_history(self, msg: dict[str, Any]) -> None:
        uid = msg.get("history_uid")
        if not isinstance(uid, str) or not uid:
            return
        memory = await backend_of(self.ctx.services).memory()
        success = await hist.delete_history(memory, uid)
        if uid == self.history_uid:
            self.history_uid = None
        await self.send(message("history-deleted", success=success, history_uid=uid))

    async def _fetch_configs(self, msg: dict[str, Any]) -> None:
        characters = await backend_of(self.ctx.services).characters()
        await self.send(config_files((c.filename, c.conf_name) for c in characters))

    async def _switch_config(self, msg: dict[str, Any]) -> None:
        file = msg.get("file")
        characters = await backend_of(self.ctx.services).characters()
        chosen = next((c for c in characters if c.filename == file), None)
        if chosen is None:
            await self.send(message("error", message=f"Error switching configuration: {file!r} not found"))
            return
        self.character = chosen
        await self.send(await self._model_and_conf(with_uid=False))
        await self.send(message("config-switched", message=f"Switched to config: {file}"))

    async def _fetch_backgrounds(self, msg: dict[str, Any]) -> None:
        files: list[str] = []
        if self.ctx.db is not None:
            repo = BackgroundRepo(self.ctx.db)
            owner = await repo.owner_id()
            if owner is not None:
                rows = await repo.list(owner)
                files = [f"{owner}/{r.name}" for r in rows if r.name.lower().endswith(BACKGROUND_EXTENSIONS)]
        await self.send(message("background-files", files=files))

    async def _request_init_config(self, msg: dict[str, Any]) -> None:
        await self.send(await self._model_and_conf(with_uid=True))

    async def _request_group_info(self, msg: dict[str, Any]) -> None:
        await self.send(self.hub.group_update(self.client_uid))

    async def _add_to_group(self, msg: dict[str, Any]) -> None:
        await self.hub.add_to_group(self, str(msg.get("invitee_uid", "")))

    async def _remove_from_group(self, msg: dict[str, Any]) -> None:
        await self.hub.remove_from_group(self, str(msg.get("target_uid", "")))

    async def _heartbeat(self, msg: dict[str, Any]) -> None:
        await self.send(message("heartbeat-ack"))

    _handlers: ClassVar[dict[str, Callable[[OlvSession, dict[str, Any]], Coroutine[Any, Any, None]]]] = {
        "mic-audio-data": _mic_audio_data,
        "mic-audio-end": _mic_audio_end,
        "raw-audio-data": _raw_audio,
        "text-input": _text_input,
        "ai-speak-signal": _ai_speak,
        "interrupt-signal": _interrupt,
        "audio-play-start": _audio_play_start,
        "frontend-playback-complete": _playback_complete,
        "fetch-history-list": _fetch_history_list,
        "fetch-and-set-history": _fetch_and_set_history,
        "create-new-history": _create_new_history,
        "delete-history": _delete_history,
        "fetch-configs": _fetch_configs,
        "switch-config": _switch_config,
        "fetch-backgrounds": _fetch_backgrounds,
        "request-init-config": _request_init_config,
        "request-group-info": _request_group_info,
        "add-client-to-group": _add_to_group,
        "remove-client-from-group": _remove_from_group,
        "heartbeat": _heartbeat,
    }

    # ---- internals --------------------------------------------------------------------------

    async def _current_character(self, backend: OlvBackend) -> OlvCharacter:
        if self.character is None:
            characters = await backend.characters()
            if not characters:
                raise StudioError("No character is set up.")
            self.character = characters[0]
        return self.character

    async def _memory_and_character(self) -> tuple[Any, OlvCharacter]:
        backend = backend_of(self.ctx.services)
        return await backend.memory(), await self._current_character(backend)

    async def _model_and_conf(self, *, with_uid: bool) -> dict[str, Any]:
        try:
            character = await self._current_character(backend_of(self.ctx.services))
            body: dict[str, Any] = {
                "model_info": character.model_info,
                "conf_name": character.conf_name,
                "conf_uid": character.conf_uid,
            }
        except StudioError as exc:  # no language model yet: the client still connects
            log.info("olv: no character available", extra={"error": exc.user_message})
            body = {"model_info": {}, "conf_name": "", "conf_uid": ""}
        if with_uid:
            body["client_uid"] = self.client_uid
        return message("set-model-and-conf", **body)

    async def _start_turn(self, given: TurnInput) -> None:
        if self._turn is not None and not self._turn.done():
            log.warning("olv: a turn is running; new input ignored (interrupt first)")
            return
        backend = backend_of(self.ctx.services)
        character = await self._current_character(backend)
        speech = self.ctx.services.get("speech")
        state = TurnState(self.history_uid, store=not given.proactive)
        deps = TurnDeps(
            backend=backend,
            speech=speech if isinstance(speech, SpeechApi) else None,
            recognizer=recognizer_of(self.ctx.services) if given.audio is not None else None,
            character=character,
            send=self.send,
            playback_done=self._playback_done,
            owner=self._owner,
            state=state,
        )
        self._turn_state = state
        self._turn = self._owner.spawn(self._guarded(run_turn(deps, given)), "turn")

    async def _guarded(self, turn: Coroutine[Any, Any, None]) -> None:
        try:
            await turn
        except StudioError as exc:
            log.warning("olv: turn failed", extra={"error": exc.user_message})
            await self.send(message("error", message=exc.user_message))
            await self.send(message("force-new-message"))
            await self.send(control("conversation-chain-end"))
