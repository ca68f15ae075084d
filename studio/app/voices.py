"""VoiceHub: the studio's voice library in one place (speakers, imported models, the VoxCPM engine).

Built once by the runtime (``runtime.voices``, ``api_services["voices"]``); the routers, the GUI's
Voice pages and the TTS adapters all go through it:

* :attr:`VoiceHub.speakers` -- reference recordings for cloning (``data/voices/speakers``),
  transcribed with the packaged Whisper model on a model thread of its own.
* :attr:`VoiceHub.models` -- imported GPT-SoVITS weights and VoxCPM models (``data/models/voices``).
* :meth:`VoiceHub.voxcpm` -- the engine of ``[tts] voxcpm_model`` on ``[tts] voxcpm_device``; one at
  a time, loaded on first use, closed when either setting changes. A crash of its worker process is
  published as an :class:`~studio.core.events.ErrorEvent` (the GUI's error path).

GPT-SoVITS weights run on a configured GPT-SoVITS server (``[tts] gpt_sovits_url``) until the
studio has local GPT-SoVITS inference; :meth:`VoiceHub.gpt_sovits_server` says where.

Thread affinity: coroutines on the engine loop; construction and the sync methods on any thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from studio.app.container import Container
from studio.core.bus import Subscription
from studio.core.errors import ProviderError, StudioError, ValidationError
from studio.core.events import ConfigChangedEvent, ErrorEvent
from studio.core.tasks import TaskOwner
from studio.inference.host import ThreadModelHost
from studio.speech.library.model_files import content_root, extract_zip, remove_tree
from studio.speech.library.speakers import SpeakerLibrary
from studio.speech.library.voice_models import GptSovitsGroup, VoiceModelManager, VoxCpmModelInfo

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from studio.speech.tts.base import TtsEngine
    from studio.speech.tts.voxcpm.engine import VoxCpmEngine

__all__ = ["VoiceHub", "WhisperTranscriber"]

log = logging.getLogger(__name__)

WHISPER_RATE = 16000


class WhisperTranscriber:
    """``(samples, rate) -> (text, language)`` with the packaged Whisper base, zh/en/ja detected.

    The model loads on first use on its own model thread; calls are serialised. Blocking: called
    from worker threads (the speaker library runs it with ``asyncio.to_thread``).
    """

    def __init__(self, cache_dir: Path, threads: int = 2) -> None:
        self._cache_dir = cache_dir
        self._threads = threads
        self._host: ThreadModelHost[WhisperModel] = ThreadModelHost("whisper-speakers", self._load)
        self._lock = threading.Lock()

    def _load(self) -> WhisperModel:
        from studio.speech.asr.packaged_whisper import PROVIDER, packaged_whisper_model_dir

        model_dir = packaged_whisper_model_dir(self._cache_dir)
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise ProviderError("faster-whisper is not installed.", provider=PROVIDER) from exc
        return WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=self._threads)

    def __call__(self, samples: npt.NDArray[np.float32], rate: int) -> tuple[str, str]:
        """Transcribe mono audio; ``(text, "zh"|"en"|"ja")``. Worker thread, blocking."""
        from studio.audio.resample import resample
        from studio.speech.asr.stream import transcribe_utterance

        pcm = resample(np.asarray(samples, dtype=np.float32).reshape(-1), rate, WHISPER_RATE)
        with self._lock:  # one load, one call at a time
            result: tuple[str, str] = self._host.run_sync(lambda m: transcribe_utterance(m, pcm, None))
        return result

    async def close(self) -> None:
        """Release the model thread."""
        await self._host.close()


class VoiceHub:
    """Speakers, voice models and the VoxCPM engine of one studio.

    Args:
        container: The studio's container (config, paths, db, bus).
        transcribe: The speakers' transcriber (default: :class:`WhisperTranscriber`).
    """

    def __init__(
        self,
        container: Container,
        transcribe: Callable[[npt.NDArray[np.float32], int], tuple[str, str]] | None = None,
    ) -> None:
        self._container = container
        paths = container.paths
        self._whisper = WhisperTranscriber(paths.cache_dir) if transcribe is None else None
        self.speakers = SpeakerLibrary(
            container.db, paths.data_dir / "voices" / "speakers", transcribe or self._whisper
        )
        self.models = VoiceModelManager(paths.user_models_dir / "voices")
        self.models.clean_staging()
        self._engine: VoxCpmEngine | None = None
        self._engine_key: tuple[str, str] | None = None
        self._engine_lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks = TaskOwner("voices")
        self._sub: Subscription | None = container.bus.subscribe(ConfigChangedEvent, self._on_config)
        self._closed = False

    # ---- VoxCPM engine ----------------------------------------------------------------------------

    def _wanted(self) -> tuple[str, str] | None:
        tts = self._container.config.tts
        return (tts.voxcpm_model, tts.voxcpm_device) if tts.voxcpm_model else None

    async def voxcpm(self) -> VoxCpmEngine | None:
        """The engine of ``[tts] voxcpm_model`` (``None`` when empty), loaded (engine loop).

        Raises:
            NotFoundError: the configured model is not imported.
            ProviderError: the voxcpm package is missing or the model does not load.
        """
        if self._closed:
            raise ProviderError("The voice library is closed.", provider="voxcpm")
        self._loop = asyncio.get_running_loop()
        if self._engine_lock is None:
            self._engine_lock = asyncio.Lock()
        async with self._engine_lock:
            wanted = self._wanted()
            if wanted != self._engine_key:
                await self._drop_engine()
            if wanted is None:
                return None
            if self._engine is None:
                model, device = wanted
                info = self.models.voxcpm_model(model)
                try:
                    from studio.speech.tts.voxcpm.engine import VoxCpmEngine
                except ImportError as exc:
                    raise ProviderError(
                        f"VoxCPM is not available in this build ({exc}); install the voxcpm extra.",
                        provider="voxcpm",
                    ) from exc
                self._engine = VoxCpmEngine(info.folder, device=device, name=model, on_crash=self._on_crash)
                self._engine_key = wanted
            engine = self._engine
        await engine.load()
        return engine

    async def _drop_engine(self) -> None:
        engine, self._engine, self._engine_key = self._engine, None, None
        if engine is not None:
            log.info("VoxCPM engine closed", extra={"model": engine.model_name})
            await engine.close()

    def _on_crash(self, message: str) -> None:
        self._container.bus.publish_threadsafe(
            ErrorEvent(source="voxcpm", message=message, code="voxcpm_worker_restarted", retryable=True)
        )

    def _on_config(self, event: ConfigChangedEvent) -> None:
        if event.area != "tts" or self._closed or self._engine_key is None:
            return
        if self._wanted() == self._engine_key:
            return
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._spawn_drop()
        else:  # announced from another thread: close on the engine loop
            loop.call_soon_threadsafe(self._spawn_drop)

    def _spawn_drop(self) -> None:
        async def drop() -> None:
            if self._engine_lock is None:
                return
            async with self._engine_lock:
                if self._wanted() != self._engine_key:
                    await self._drop_engine()

        if not self._closed:
            self._tasks.spawn(drop(), "close-voxcpm")

    def voxcpm_status(self) -> dict[str, object]:
        """``{"model", "loaded", "device", "restarts", "sample_rate"}`` of the set model (any thread)."""
        wanted = self._wanted()
        engine = self._engine if wanted is not None and wanted == self._engine_key else None
        return {
            "model": wanted[0] if wanted else "",
            "loaded": bool(engine is not None and engine.loaded),
            "device": engine.device_label if engine is not None else None,
            "restarts": engine.restarts if engine is not None else 0,
            "sample_rate": engine.sample_rate if engine is not None else None,
        }

    def clone_speaker(self) -> tuple[Path, str] | None:
        """``(recording, transcript)`` of ``[tts] clone_speaker``, or ``None`` (unset or unknown).

        What :class:`~studio.speech.tts.voxcpm.tts.VoxCpmTTS` takes as ``speaker``; sync and cheap.
        """
        ref = self._container.config.tts.clone_speaker
        speaker = self.speakers.resolve(ref) if ref else None
        return (speaker.file, speaker.transcript) if speaker is not None else None

    def tts_engines(self) -> dict[str, TtsEngine]:
        """Engines the hub adds to the studio's TTS: the VoxCPM voice of ``[tts] voxcpm_model``.

        The voice speaks through the hub's one engine (shared with the VoxCPM router) and imitates
        ``[tts] clone_speaker``. Any thread; cheap (reads the model's config, loads nothing).
        """
        name = self._container.config.tts.voxcpm_model
        if not name:
            return {}
        try:
            info = self.models.voxcpm_model(name)
        except StudioError as exc:
            log.warning("VoxCPM voice unavailable", extra={"model": name, "reason": exc.user_message})
            return {}
        from studio.speech.tts.voxcpm.tts import VoxCpmTTS

        return {"voxcpm": VoxCpmTTS(self.voxcpm, name, self.clone_speaker, sample_rate=info.sample_rate)}

    # ---- GPT-SoVITS ------------------------------------------------------------------------------

    def gpt_sovits_server(self) -> str | None:
        """The GPT-SoVITS server imported weights run on (``[tts] gpt_sovits_url``), or ``None``."""
        url = self._container.config.tts.gpt_sovits_url.strip()
        return url or None

    # ---- imports from the API --------------------------------------------------------------------

    def confine(self, path: str) -> Path:
        """A path from a request, allowed only inside the studio's folders.

        Raises:
            PathNotAllowedError: outside them (traversal, absolute elsewhere, a link out).
        """
        return self._container.paths.confine(path)

    def scratch_dir(self) -> Path:
        """Where uploads and extractions wait while they are imported (the cache folder)."""
        return self._container.paths.cache_dir / "voice-imports"

    async def import_folder(
        self, kind: str, folder: Path, name: str | None = None
    ) -> list[GptSovitsGroup] | VoxCpmModelInfo:
        """Import ``folder`` as ``gpt_sovits`` weights or a ``voxcpm`` model (copy in a worker thread)."""
        if kind == "gpt_sovits":
            return await asyncio.to_thread(self.models.import_gpt_sovits, folder)
        if kind == "voxcpm":
            return await asyncio.to_thread(self.models.import_voxcpm, folder, name)
        raise ValidationError(f"Unknown model kind {kind!r}; use gpt_sovits or voxcpm.")

    async def import_zip(
        self, kind: str, archive: Path, name: str | None = None
    ) -> list[GptSovitsGroup] | VoxCpmModelInfo:
        """Extract an uploaded zip safely into the cache, import it, then delete the extraction."""
        if kind not in ("gpt_sovits", "voxcpm"):
            raise ValidationError(f"Unknown model kind {kind!r}; use gpt_sovits or voxcpm.")
        work = self.scratch_dir() / uuid.uuid4().hex
        try:
            work.mkdir(parents=True)
            await asyncio.to_thread(extract_zip, archive, work)
            root = await asyncio.to_thread(content_root, work)
            if kind == "voxcpm" and name is None and root == work:
                name = archive.stem
            return await self.import_folder(kind, root, name)
        finally:
            await asyncio.to_thread(remove_tree, work)

    # ---- lifetime ---------------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the VoxCPM engine and the Whisper thread (engine loop; idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._sub is not None:
            self._sub.close()
            self._sub = None
        await self._tasks.close(2.0)
        await self._drop_engine()
        if self._whisper is not None:
            await self._whisper.close()
