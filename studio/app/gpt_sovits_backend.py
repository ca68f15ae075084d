"""``services["gpt_sovits"]``: the studio behind the GPT-SoVITS ``api_v2`` router (engine loop).

Engine per ``/tts`` (compat-apis.md section 2): (1) a model pair selected and a GPT-SoVITS server
configured -> forwarded there (the pair's weights loaded first, the reference as an absolute path);
(2) else a VoxCPM model selected -> VoxCPM clones the reference (continuation with its transcript,
else VoxCPM2 timbre); (3) else the studio's own voice for ``text_lang``. Studio audio is resampled
to :data:`OUTPUT_RATE` (upstream v2's rate), so raw and streamed bodies mean what upstream's mean.
Reference audio: a speaker (id, name, file name; its transcript is the default ``prompt_text``),
else a path relative to the GPT-SoVITS model folder (or an uploaded file's name), else an absolute
path; all inside the studio's folders. None named: the one set by hand, the pair's
``参考音频/<pair>.wav``, ``参考音频.wav``, then ``[tts] clone_speaker``. State persists in ``meta``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import AsyncGenerator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

import httpx
import numpy as np

from studio.api.compat.audio_media import ForwardedSynthesis, PcmSynthesis, fragment_pieces
from studio.api.compat.gpt_sovits_params import (
    DEFAULT_REFERENCE,
    REFERENCE_DIR,
    ModelGroup,
    ModelPair,
    RefAudio,
    RefAudioError,
    RouterStatus,
    TtsRequest,
    pair_from_weights,
    safe_file_name,
    split_text,
)
from studio.core.errors import PathNotAllowedError, ProviderError, StudioError, ValidationError

if TYPE_CHECKING:
    from studio.app.runtime import EngineRuntime
    from studio.app.voices import VoiceHub

log = logging.getLogger(__name__)

OUTPUT_RATE = 32_000
STATE_KEY = "gpt_sovits.router_state"
_STUDIO_LANGUAGE = {"zh": "zh", "all_zh": "zh", "en": "en", "ja": "ja", "all_ja": "ja"}


@dataclass(slots=True)
class _State:
    current_model_pair: str | None = None
    current_ref_audio: str | None = None
    gpt_weights: str | None = None
    sovits_weights: str | None = None
    uploads: dict[str, str] = field(default_factory=dict)  # "参考音频/<file>" -> speaker id


def _unreachable(server: str, exc: Exception) -> ProviderError:
    message = f"GPT-SoVITS server at {server} did not answer ({exc})"
    return ProviderError(message, provider="gpt_sovits", retryable=True)


class GptSovitsBackend:
    """:class:`~studio.api.compat.gpt_sovits_params.GptSovitsApi` over the runtime and the voice hub.

    Args:
        runtime: The engine runtime (paths, settings, database, speech stack, restarts).
        hub: The voice library (speakers, imported models, the VoxCPM engine, the server URL).
    """

    def __init__(self, runtime: EngineRuntime, hub: VoiceHub) -> None:
        self._runtime = runtime
        self._hub = hub
        self._state: _State | None = None
        self._lock = asyncio.Lock()  # binds to the engine loop on first use
        self._client: httpx.AsyncClient | None = None
        self._remote_weights: dict[str, tuple[str | None, str | None]] = {}

    # ---- state ---------------------------------------------------------------------------

    @property
    def _root(self) -> Path:
        return self._hub.models.gpt_sovits_root

    async def _load(self) -> _State:
        if self._state is None:
            raw = await asyncio.to_thread(self._runtime.container.meta.get, STATE_KEY)
            try:
                stored = json.loads(raw or "{}")
                self._state = _State(**{k: v for k, v in stored.items() if k in _State.__slots__})
            except (ValueError, TypeError, AttributeError):
                log.warning("gpt-sovits: stored router state unreadable; starting afresh")
                self._state = _State()
        return self._state

    async def _save(self, state: _State) -> None:
        self._state = state
        data = json.dumps(asdict(state), ensure_ascii=False)
        await asyncio.to_thread(self._runtime.container.meta.set, STATE_KEY, data)

    async def status(self) -> RouterStatus:
        """The current model pair and hand-set reference."""
        state = await self._load()
        return RouterStatus(state.current_model_pair, state.current_ref_audio)

    # ---- files ---------------------------------------------------------------------------

    def _confined(self, given: str) -> Path:
        raw = Path(given)
        return self._runtime.container.paths.confine(raw if raw.is_absolute() else self._root / raw)

    def _relative(self, path: Path) -> str:
        root = self._root.resolve()
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)

    async def pair_ref_audio(self, pair: str | None) -> str:
        """``参考音频/<pair>.wav`` when it exists, else ``参考音频.wav``."""
        if pair and not {"/", "\\", "\x00"} & set(pair) and pair not in (".", ".."):
            name = f"{REFERENCE_DIR}/{pair}.wav"
            if (self._root / name).is_file():
                return name
        return DEFAULT_REFERENCE

    async def reference(self, given: str | None) -> RefAudio:
        """The named reference, or the fallback chain (module docstring)."""
        if given:
            return await self._named(given)
        state = await self._load()
        if state.current_ref_audio:
            return await self._named(state.current_ref_audio)
        candidate = await self.pair_ref_audio(state.current_model_pair)
        if (self._root / candidate).is_file():
            return await self._named(candidate)
        clone = self._runtime.container.config.tts.clone_speaker
        speaker = self._hub.speakers.resolve(clone) if clone else None
        if speaker is not None:
            return RefAudio(clone, speaker.file, speaker.transcript or None, speaker.id)
        raise RefAudioError("ref_audio_path is required")

    async def _named(self, given: str) -> RefAudio:
        speaker = self._hub.speakers.resolve(given)
        if speaker is not None:
            return RefAudio(given, speaker.file, speaker.transcript or None, speaker.id)
        try:
            path = self._confined(given)
            if not path.is_file() and PurePosixPath(given).name == given:  # an uploaded one by name
                path = self._confined(f"{REFERENCE_DIR}/{given}")
        except PathNotAllowedError:
            raise RefAudioError(
                f"ref_audio_path not allowed: {given} is outside the studio's folders"
            ) from None
        if not path.is_file():
            raise RefAudioError(f"Reference audio file not found: {given}")
        uploaded = (await self._load()).uploads.get(self._relative(path))
        speaker = self._hub.speakers.resolve(uploaded) if uploaded else None
        if speaker is not None:
            return RefAudio(given, path, speaker.transcript or None, speaker.id)
        return RefAudio(given, path)

    async def set_refer_audio(self, path: str | None) -> None:
        """Set the reference ``/tts`` uses when it names none (must exist inside the studio's folders)."""
        if not path:
            raise ValidationError("refer_audio_path is required")
        try:
            await self._named(path)
        except RefAudioError as exc:
            raise ValidationError(str(exc)) from None
        async with self._lock:
            state = await self._load()
            state.current_ref_audio = path
            await self._save(state)

    async def set_weights(self, kind: Literal["gpt", "sovits"], path: str) -> None:
        """Select weights (``.ckpt`` GPT, ``.pth`` SoVITS); the model pair follows the file name."""
        suffix = ".ckpt" if kind == "gpt" else ".pth"
        target = self._confined(path)
        if not target.is_file():
            raise ValidationError(f"{path} does not exist in the GPT-SoVITS model folder {self._root}.")
        if target.suffix.lower() != suffix:
            raise ValidationError(f"{path} is not a {kind.upper()} weights file ({suffix}).")
        async with self._lock:
            state = await self._load()
            setattr(state, f"{kind}_weights", self._relative(target))
            state.current_model_pair = pair_from_weights(path)
            await self._save(state)

    async def set_model_pair(self, name: str) -> str:
        """Select a pair (its weights too when it is imported); returns its reference audio.

        Raises:
            ValidationError: no imported pair and no reference recording ``参考音频/<name>.wav`` has
                that name (a name with a path in it never does).
        """
        pair = next((g.pairs[name] for g in await self._groups() if name in g.pairs), None)
        if pair is None and await self.pair_ref_audio(name) == DEFAULT_REFERENCE:
            raise ValidationError(
                f"No model pair is named {name!r}: import its weights or its reference recording "
                "in Voice -> Models, then pick one of /list_model_groups."
            )
        async with self._lock:
            state = await self._load()
            state.current_model_pair = name or None
            state.gpt_weights = pair.gpt_path if pair else None
            state.sovits_weights = pair.sovits_path if pair else None
            await self._save(state)
        return await self.pair_ref_audio(name)

    async def _groups(self) -> Sequence[Any]:
        return await asyncio.to_thread(self._hub.models.gpt_sovits_groups)

    async def model_groups(self) -> list[ModelGroup]:
        """The imported weights, grouped as StreamCream's ``/list_model_groups``."""
        return [
            ModelGroup(g.name, {k: ModelPair(p.gpt_path, p.sovits_path) for k, p in g.pairs.items()})
            for g in await self._groups()
        ]

    async def reference_audios(self) -> list[tuple[str, str, str]]:
        """(pair name, file name, ``参考音频/<file>``) of each reference WAV."""
        return await asyncio.to_thread(self._hub.models.reference_audios)

    async def upload_ref_audio(self, filename: str, data: bytes) -> tuple[str, str]:
        """Register the recording as a speaker, then store it as ``参考音频/<safe name>``."""
        name = safe_file_name(filename)
        speaker = await self._hub.speakers.register(PurePosixPath(name).stem, data)
        folder = self._root / REFERENCE_DIR
        key = f"{REFERENCE_DIR}/{name}"

        def write() -> None:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{name}.{time.monotonic_ns()}.part"
            tmp.write_bytes(data)
            tmp.replace(folder / name)

        await asyncio.to_thread(write)
        async with self._lock:
            state = await self._load()
            previous = state.uploads.get(key)
            state.uploads[key] = speaker.id
            await self._save(state)
        if previous and previous != speaker.id:
            with contextlib.suppress(StudioError):
                await self._hub.speakers.remove(previous)
        return name, speaker.id

    # ---- control -------------------------------------------------------------------------

    async def restart(self) -> str:
        """Reload the speech engines (``services["control"]``); the voices load again on first use."""
        self._remote_weights.clear()
        control = self._runtime.api_services.get("control")
        if control is None:
            return "restart: nothing to reload"
        closed, started = await control.restart("speech")
        return f"restart: closed {closed or 'nothing'}, started {started or 'nothing'} (voices load on use)"

    def exit_allowed(self) -> bool:
        """The API setting ``gpt_sovits_control_exit`` (off unless the streamer turns it on)."""
        return bool(getattr(self._runtime.container.config.api, "gpt_sovits_control_exit", False))

    async def exit(self) -> None:
        """Stop the engine half a second from now, from another thread (the answer goes out first)."""

        def stop() -> None:
            time.sleep(0.5)
            self._runtime.stop(timeout=10.0)

        threading.Thread(target=stop, name="gpt-sovits-exit", daemon=True).start()

    async def close(self) -> None:
        """Close the HTTP client of the GPT-SoVITS server."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # ---- synthesis -----------------------------------------------------------------------

    async def synthesize(
        self, req: TtsRequest, mode: int, ref: RefAudio
    ) -> PcmSynthesis | ForwardedSynthesis:
        """Speak ``req.text`` with the engine chosen as the module docstring says."""
        state = await self._load()
        server = self._hub.gpt_sovits_server()
        if state.current_model_pair and server:
            return await self._forward(server.rstrip("/"), req, ref, state)
        language = (req.text_lang or "").lower()
        fragments = split_text(req.text or "", req.text_split_method, "en" if language == "en" else "zh")
        engine = await self._hub.voxcpm()
        if engine is not None:
            return await self._voxcpm(engine, req, ref, fragments)
        return await self._studio(req, fragments, _STUDIO_LANGUAGE.get(language))

    async def _voxcpm(
        self, engine: Any, req: TtsRequest, ref: RefAudio, fragments: list[str]
    ) -> PcmSynthesis:
        await engine.load()
        from studio.speech.tts.voxcpm.request import VoxCpmRequest

        prompt = (req.prompt_text or ref.prompt_text or "").strip()
        seed = req.seed if req.seed >= 0 else None
        timbre = False
        if not prompt:
            with contextlib.suppress(StudioError, AttributeError):
                info = await asyncio.to_thread(self._hub.models.voxcpm_model, engine.model_name)
                timbre = info.architecture == "voxcpm2"

        async def source(fragment: str) -> AsyncGenerator[tuple[np.ndarray, int], None]:
            if prompt:
                request = VoxCpmRequest(text=fragment, prompt_wav=ref.path, prompt_text=prompt, seed=seed)
            else:
                request = VoxCpmRequest(text=fragment, reference_wav=ref.path if timbre else None, seed=seed)
            request.validate()
            async with contextlib.aclosing(engine.stream(request)) as stream:
                async for pcm in stream:
                    yield pcm, int(engine.sample_rate)

        how = "continuation" if prompt else "timbre" if timbre else "no cloning"
        voice = f"voxcpm:{engine.model_name} ({how} from {ref.speaker_id or ref.given})"
        return PcmSynthesis(voice, OUTPUT_RATE, fragment_pieces(fragments, source, OUTPUT_RATE))

    async def _studio(self, req: TtsRequest, fragments: list[str], language: str | None) -> PcmSynthesis:
        from studio.speech.tts.base import TtsOptions

        service = (await self._runtime.speech()).tts.service
        config = self._runtime.container.config.tts
        voice_id = config.voice or (service.default_voice(language) if language else None)
        voices = {item.voice_id for text in fragments for item in service.plan(text, voice_id)}
        if not voices:
            raise ValidationError("Nothing to say: the text has no speakable characters.")
        options = TtsOptions(speed=min(2.0, max(0.5, req.speed_factor)), volume=config.volume)

        async def source(fragment: str) -> AsyncGenerator[tuple[np.ndarray, int], None]:
            stream = service.stream(fragment, voice_id, options)
            try:
                async for chunk in stream:
                    yield chunk.pcm, chunk.sample_rate
            finally:
                await stream.aclose()  # type: ignore[attr-defined]

        return PcmSynthesis(
            "studio:" + ",".join(sorted(voices)), OUTPUT_RATE, fragment_pieces(fragments, source, OUTPUT_RATE)
        )

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(120.0, connect=5.0))
        return self._client

    async def _forward(
        self, server: str, req: TtsRequest, ref: RefAudio, state: _State
    ) -> ForwardedSynthesis:
        pair = state.current_model_pair or ""
        await self._remote_load(server, state)
        try:
            aux = [str((await self._named(p)).path) for p in req.aux_ref_audio_paths or []]
        except RefAudioError as exc:
            raise ValidationError(f"aux_ref_audio_paths: {exc}") from None
        body = req.model_dump() | {
            "ref_audio_path": str(ref.path),
            "aux_ref_audio_paths": aux or None,
            "prompt_text": req.prompt_text or ref.prompt_text or "",
            "text_lang": (req.text_lang or "").lower(),
            "prompt_lang": (req.prompt_lang or "").lower(),
        }
        client = self._http()
        try:
            response = await client.send(
                client.build_request("POST", f"{server}/tts", json=body), stream=True
            )
        except httpx.HTTPError as exc:
            raise _unreachable(server, exc) from exc
        return ForwardedSynthesis(
            f"gpt-sovits:{pair} ({server})",
            response.status_code,
            response.headers.get("content-type", "application/octet-stream"),
            response.aiter_raw(),
            response.aclose,
        )

    async def _remote_load(self, server: str, state: _State) -> None:
        """Load the pair's weights on the server (once per change), by absolute path."""
        gpt, sovits = state.gpt_weights, state.sovits_weights
        if gpt is None or sovits is None:
            name = state.current_model_pair or ""
            pair = next((g.pairs[name] for g in await self._groups() if name in g.pairs), None)
            if pair is not None:
                gpt, sovits = gpt or pair.gpt_path, sovits or pair.sovits_path
        wanted = tuple(str(self._confined(w)) if w else None for w in (gpt, sovits))
        loaded = self._remote_weights.get(server, (None, None))
        for index, (kind, path) in enumerate(zip(("gpt", "sovits"), wanted, strict=True)):
            if path is None or loaded[index] == path:
                continue
            try:
                answer = await self._http().get(f"{server}/set_{kind}_weights", params={"weights_path": path})
            except httpx.HTTPError as exc:
                raise _unreachable(server, exc) from exc
            if answer.status_code != 200:
                raise ProviderError(
                    f"GPT-SoVITS server at {server} could not load {path}: {answer.text[:300]}",
                    provider="gpt_sovits",
                )
        self._remote_weights[server] = (wanted[0] or loaded[0], wanted[1] or loaded[1])
