"""The seam between the TTS/lip-sync routes and the speech engine, and the audio file folder.

Routes (``studio.api.routes.tts`` and ``studio.api.compat.streamcream_tts``) translate requests to
:class:`SpeechApi` calls; the composition root registers an implementation as
``ApiContext.services["speech"]`` (``studio.app.speech_api``). A language model that writes speech
text from a topic plugs in as ``services["speech_writer"]`` (:class:`SpeechWriter`).

:class:`AudioStore` owns ``<data_dir>/tts_audio``: unique file names, and every file name that
arrives in a request is confined to that folder (no traversal, absolute paths or symlinks out).
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from studio.core.errors import PathNotAllowedError, StudioError, ValidationError

if TYPE_CHECKING:  # the avatar analysis (numpy) loads only when something is synthesized
    from studio.avatar.mouth_timeline import MouthTimelineItem

log = logging.getLogger(__name__)

AUDIO_DIR_NAME = "tts_audio"
MAX_TEXT_CHARS = 2000
"""Longest text one request may synthesize (about two minutes of speech)."""
MOUTH_HOP = 0.010
"""Seconds between the values of :attr:`SynthesisResult.mouth_open`."""

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class SpeechUnavailableError(StudioError):
    """No speech engine (or no language model) is registered with the API: answered with 503."""

    code = "speech_unavailable"


class AudioNotFoundError(StudioError):
    """The named audio file does not exist: answered with 404."""

    code = "not_found"


@dataclass(frozen=True, slots=True)
class SynthesisResult:
    """Speech for one text, with its mouth timeline aligned to this very audio.

    Attributes:
        wav: A complete mono 16-bit WAV file (correct header sizes).
        sample_rate: Samples per second of ``wav``.
        duration: Real length of the audio in seconds (samples / rate).
        timeline: One item per character (Han), word or pause of the text, in text order,
            contiguous, ending at ``duration``.
        mouth_open: ParamMouthOpenY (0..1) every :data:`MOUTH_HOP` seconds over the audio.
        voices: Voice ids that spoke it, in order of first use.
    """

    wav: bytes
    sample_rate: int
    duration: float
    timeline: list[MouthTimelineItem]
    mouth_open: list[float] = field(default_factory=list)
    voices: list[str] = field(default_factory=list)


@runtime_checkable
class SpeechApi(Protocol):
    """What the TTS routes need from the engine. Called on the engine loop; never blocks it."""

    async def synthesize(
        self, text: str, *, voice: str | None, language: str, speed: float, pitch: float
    ) -> SynthesisResult:
        """Speak ``text`` and align the mouth timeline to the audio.

        Concurrent calls are queued, never refused.

        Raises:
            ValidationError: unknown voice or language, or nothing speakable in ``text``.
            ProviderError: the engine failed.
        """
        ...

    async def align(self, text: str, wav: bytes, *, language: str) -> list[MouthTimelineItem]:
        """The mouth timeline of ``text`` laid over existing audio (a WAV file's bytes).

        Raises:
            ValidationError: ``wav`` is not a 16-bit PCM WAV file.
        """
        ...


@dataclass(frozen=True, slots=True)
class SpeechScript:
    """Speech text written for a topic (``/generate-speech``)."""

    speech_content: str
    sentences: list[str]


@runtime_checkable
class SpeechWriter(Protocol):
    """A language model that writes speech text from a topic (``services["speech_writer"]``)."""

    async def write_speech(self, topic: str) -> SpeechScript:
        """Write a short speech about ``topic`` (engine loop).

        Raises:
            ProviderError: the model failed.
        """
        ...


def check_text(text: object, *, allow_empty: bool = False) -> str:
    """The request's text, validated.

    Raises:
        ValidationError: not a string, empty (unless allowed) or longer than :data:`MAX_TEXT_CHARS`.
    """
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise ValidationError("'text' must be a string.")
    if not text.strip() and not allow_empty:
        raise ValidationError("Text is empty: give the text to speak.", code="empty_text")
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            f"Text is too long ({len(text)} characters; the limit is {MAX_TEXT_CHARS}).", code="text_too_long"
        )
    return text


def resample_mouth(mouth_open: list[float], audio_duration: float, duration: float, fps: int) -> list[float]:
    """``int(duration * fps)`` mouth openings, the real track stretched over ``duration`` seconds.

    StreamCream's ``/text2mouth_param`` returns one value per frame of the duration the client
    asks for; the values here come from the real audio, time-scaled to that duration.
    """
    import numpy as np

    count = int(duration * fps)
    if count <= 0:
        return []
    if not mouth_open or audio_duration <= 0:
        return [0.0] * count
    frame_times = np.arange(len(mouth_open)) * MOUTH_HOP
    at = (np.arange(count) / fps) * (audio_duration / duration)
    values = np.interp(at, frame_times, np.asarray(mouth_open, dtype=np.float64))
    return [round(float(v), 4) for v in np.clip(values, 0.0, 1.0)]


class AudioStore:
    """The synthesized-audio folder. File operations run in worker threads (never on the loop).

    Args:
        folder: ``<data_dir>/tts_audio``; created on first write.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_of(self, name: str) -> Path:
        """The file ``name`` inside the folder (it need not exist).

        Raises:
            ValidationError: ``name`` is not a plain ``.wav`` file name (slashes, ``..``, absolute).
            PathNotAllowedError: it resolves outside the folder (e.g. a symlink pointing out).
        """
        if not isinstance(name, str) or not _SAFE_NAME.fullmatch(name) or ".." in name:
            raise PathNotAllowedError(
                f"File name not allowed: {name[:80]!r}. Use a plain file name from this folder."
            )
        if not name.lower().endswith(".wav"):
            raise ValidationError(f"Only .wav files live here, not {name[:80]!r}.", code="invalid_file_type")
        candidate = self.folder / name
        if candidate.is_symlink():
            raise PathNotAllowedError(f"File name not allowed: {name!r} is a link.")
        base = self.folder.resolve()
        resolved = candidate.resolve()
        if resolved.parent != base:
            raise PathNotAllowedError(f"File name not allowed: {name!r} is outside the audio folder.")
        return candidate

    def existing(self, name: str) -> Path:
        """Like :meth:`path_of`, for a file that must exist.

        Raises:
            AudioNotFoundError: no such file.
        """
        path = self.path_of(name)
        if not path.is_file():
            raise AudioNotFoundError(f"Audio file {name!r} not found.")
        return path

    async def save(self, wav: bytes, prefix: str = "speech") -> str:
        """Write ``wav`` under a new unique name; returns the name."""
        name = f"{prefix}_{uuid.uuid4().hex}.wav"
        await asyncio.to_thread(self._write, name, wav)
        return name

    def _write(self, name: str, wav: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.folder / f".{name}.part"
        tmp.write_bytes(wav)
        tmp.replace(self.folder / name)

    async def read(self, name: str) -> bytes:
        """The bytes of an existing file."""
        path = self.existing(name)
        return await asyncio.to_thread(path.read_bytes)

    async def delete(self, name: str) -> None:
        """Delete one file.

        Raises:
            AudioNotFoundError: no such file.
        """
        path = self.existing(name)
        try:
            await asyncio.to_thread(path.unlink)
        except FileNotFoundError:
            raise AudioNotFoundError(f"Audio file {name!r} not found.") from None

    async def delete_all(self) -> int:
        """Delete every ``.wav`` file in the folder; returns how many."""
        return await asyncio.to_thread(self._delete_all)

    def _delete_all(self) -> int:
        if not self.folder.is_dir():
            return 0
        count = 0
        for path in self.folder.glob("*.wav"):
            if path.is_file() or path.is_symlink():
                path.unlink(missing_ok=True)
                count += 1
        return count


@dataclass(frozen=True, slots=True)
class RecentSpeech:
    """What a recent synthesis left for the text-only lip-sync endpoints."""

    duration: float
    timeline: list[MouthTimelineItem]
    mouth_open: list[float]


class RecentSyntheses:
    """The last few syntheses by text, so ``/text2mouth_timeline`` for a text just synthesized
    describes the audio the client is playing instead of synthesizing it again. Engine loop only."""

    def __init__(self, capacity: int = 32) -> None:
        self._items: OrderedDict[str, RecentSpeech] = OrderedDict()
        self._capacity = capacity

    def remember(self, text: str, result: SynthesisResult) -> None:
        """Keep ``result``'s timeline for ``text``."""
        self._items[text] = RecentSpeech(result.duration, result.timeline, result.mouth_open)
        self._items.move_to_end(text)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)

    def get(self, text: str) -> RecentSpeech | None:
        """The remembered synthesis of ``text``, if any."""
        return self._items.get(text)


def timeline_json(items: list[MouthTimelineItem]) -> list[dict[str, object]]:
    """Timeline items as JSON: ``{start, end, vowel, char, mouth_open, mouth_shape}``."""
    return [item.to_dict() for item in items]


def status_for(exc: StudioError) -> int:
    """The HTTP status of a deliberate error from these routes."""
    if isinstance(exc, PathNotAllowedError):
        return 403
    if isinstance(exc, ValidationError):
        return 400
    if isinstance(exc, AudioNotFoundError):
        return 404
    if isinstance(exc, SpeechUnavailableError):
        return 503
    return 502 if exc.code == "provider_error" else 500


class TtsHub:
    """What both TTS routers share for one app: the services, the audio folder, recent timelines.

    Args:
        services: ``ApiContext.services`` (read at each call, so a late registration counts).
        data_dir: The studio's data folder (``None``: no files can be written).
    """

    def __init__(self, services: dict[str, object], data_dir: Path | None) -> None:
        self._services = services
        self._store = AudioStore(data_dir / AUDIO_DIR_NAME) if data_dir is not None else None
        self.recent = RecentSyntheses()

    def speech(self) -> SpeechApi:
        """The registered speech service.

        Raises:
            SpeechUnavailableError: none is registered.
        """
        service = self._services.get("speech")
        if not isinstance(service, SpeechApi):
            raise SpeechUnavailableError("Speech synthesis is not available: no speech engine is running.")
        return service

    def writer(self) -> SpeechWriter:
        """The registered speech writer (a language model).

        Raises:
            SpeechUnavailableError: none is configured.
        """
        writer = self._services.get("speech_writer")
        if not isinstance(writer, SpeechWriter):
            raise SpeechUnavailableError(
                "no language model configured: set one up in Settings to write speech from a topic.",
                code="llm_unavailable",
            )
        return writer

    @property
    def store(self) -> AudioStore:
        """The audio folder.

        Raises:
            SpeechUnavailableError: the studio has no data folder.
        """
        if self._store is None:
            raise SpeechUnavailableError("Audio files are not available: the studio has no data folder.")
        return self._store

    async def synthesize_to_file(
        self, text: str, *, voice: str | None, language: str, speed: float, pitch: float
    ) -> tuple[SynthesisResult, str]:
        """Synthesize, save the WAV and remember the timeline; returns the result and file name."""
        store = self.store
        result = await self.speech().synthesize(
            text, voice=voice, language=language, speed=speed, pitch=pitch
        )
        name = await store.save(result.wav)
        self.recent.remember(text, result)
        log.info("speech synthesized", extra={"file": name, "seconds": round(result.duration, 3)})
        return result, name

    async def speech_for(self, text: str, language: str = "zh") -> RecentSpeech:
        """The timeline of ``text``: from a recent synthesis of it, else from a fresh one (not saved)."""
        recent = self.recent.get(text)
        if recent is not None:
            return recent
        result = await self.speech().synthesize(text, voice=None, language=language, speed=1.0, pitch=0.0)
        self.recent.remember(text, result)
        return RecentSpeech(result.duration, result.timeline, result.mouth_open)
