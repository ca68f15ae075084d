"""Native voice library routes under ``/v1/voices`` (envelope responses, signed-in users).

* Speakers (voice cloning references): list, register (multipart ``file`` + ``name``, optional
  ``transcript``/``language``; Whisper fills the transcript in), get, patch, delete, the stored WAV,
  transcribe again.
* Models: list (GPT-SoVITS groups with where they run, VoxCPM models with loaded/device), import
  (JSON ``{kind, path, name?}`` with ``path`` inside the studio's folders, or a multipart zip),
  select the VoxCPM model (saved as ``[tts] voxcpm_model``), remove. Model changes need an admin.

Thin: the engine side is the :class:`VoicesApi` registered as ``services["voices"]`` (the app's
``VoiceHub``). Engine loop; audio, Whisper and file copies run in worker threads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Protocol, runtime_checkable

from fastapi import APIRouter, FastAPI, File, Form, Request, UploadFile, params
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile as AnyUpload

from studio.api.auth import CurrentUser
from studio.api.deps import get_ctx
from studio.api.schemas import Envelope
from studio.core.errors import NotFoundError, PathNotAllowedError, ProviderError, StudioError, ValidationError
from studio.speech.library import GptSovitsGroup, Speaker, SpeakerLibrary, VoiceModelManager, VoxCpmModelInfo

__all__ = [
    "ERRORS",
    "Deleted",
    "VoicesApi",
    "error_response",
    "include_voices_routes",
    "router",
    "voices_hub",
]

router = APIRouter(prefix="/v1/voices", tags=["voices"])

VOICES_SERVICE_KEY = "voices"
MAX_RECORDING_BYTES = 20 * 1024 * 1024
_CHUNK = 1024 * 1024


@runtime_checkable
class VoicesApi(Protocol):
    """What the routes need from the engine (``services["voices"]``, the ``VoiceHub``)."""

    speakers: SpeakerLibrary
    models: VoiceModelManager

    def voxcpm_status(self) -> dict[str, object]: ...
    def gpt_sovits_server(self) -> str | None: ...
    def confine(self, path: str) -> Path: ...
    def scratch_dir(self) -> Path: ...
    async def import_folder(
        self, kind: str, folder: Path, name: str | None = None
    ) -> list[GptSovitsGroup] | VoxCpmModelInfo: ...
    async def import_zip(
        self, kind: str, archive: Path, name: str | None = None
    ) -> list[GptSovitsGroup] | VoxCpmModelInfo: ...


class _UnavailableError(StudioError):
    code = "voices_unavailable"


def voices_hub(request: Request) -> VoicesApi:
    hub = get_ctx(request).services.get(VOICES_SERVICE_KEY)
    if not isinstance(hub, VoicesApi):
        raise _UnavailableError("The voice library is not available in this studio.")
    return hub


def _status(exc: StudioError) -> int:
    if isinstance(exc, PathNotAllowedError):
        return 403
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ValidationError):
        return 400
    if isinstance(exc, _UnavailableError):
        return 503
    return 502 if isinstance(exc, ProviderError) else 500


def error_response(exc: StudioError) -> JSONResponse:
    body = Envelope[Any](success=False, message=exc.user_message, code=exc.code)
    return JSONResponse(status_code=_status(exc), content=body.model_dump(mode="json"))


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


# ---- schemas ---------------------------------------------------------------------------------------


class SpeakerOut(BaseModel):
    """A registered speaker (reference recording)."""

    id: str
    name: str
    file_name: str = Field(description="Stored WAV; usable as ref_audio_path / speaker by the routers.")
    transcript: str
    language: str = Field(description="zh, en, ja or empty.")
    duration_s: float
    sample_rate: int
    created_at: str
    audio_url: str
    note: str = Field("", description="Why the transcript is empty right after registering, if it is.")

    @classmethod
    def of(cls, s: Speaker) -> SpeakerOut:
        """From the library's record."""
        return cls(
            id=s.id,
            name=s.name,
            file_name=s.file.name,
            transcript=s.transcript,
            language=s.language,
            duration_s=round(s.duration_s, 3),
            sample_rate=s.sample_rate,
            created_at=_iso(s.created_at),
            audio_url=f"{router.prefix}/speakers/{s.id}/audio",
            note=s.note,
        )


class SpeakerList(BaseModel):
    """Every speaker, oldest first."""

    speakers: list[SpeakerOut]


class SpeakerPatch(BaseModel):
    """``PATCH /v1/voices/speakers/{id}``: the fields to change."""

    name: str | None = Field(None, max_length=200)
    transcript: str | None = Field(None, max_length=5000)
    language: str | None = Field(None, max_length=8, description="zh, en, ja or empty.")


class Deleted(BaseModel):
    """What was removed."""

    deleted: str


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Envelope[None], "description": text}
    for code, text in {
        400: "Bad audio (unreadable, silent, < 1 s of speech, > 60 s), bad name/transcript, bad model folder",
        401: "Not signed in",
        403: "A path outside the studio's folders; model changes by a non-admin",
        404: "No such speaker or model",
        413: "Upload too large",
        503: "No voice library in this studio",
    }.items()
}
ERRORS[422] = {"model": Envelope[dict[str, Any]], "description": "A malformed parameter (data.errors)"}


async def _read_limited(file: AnyUpload, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while chunk := await file.read(_CHUNK):
        total += len(chunk)
        if total > limit:
            raise ValidationError(f"The recording is larger than {limit // (1024 * 1024)} MB.")
        chunks.append(chunk)
    return b"".join(chunks)


# ---- speakers --------------------------------------------------------------------------------------


@router.get("/speakers", response_model=Envelope[SpeakerList], responses=ERRORS, summary="Speakers")
async def list_speakers(_user: CurrentUser, request: Request) -> Envelope[SpeakerList] | JSONResponse:
    """Every registered speaker, oldest first."""
    try:
        speakers = await voices_hub(request).speakers.list()
    except StudioError as exc:
        return error_response(exc)
    return Envelope(data=SpeakerList(speakers=[SpeakerOut.of(s) for s in speakers]))


@router.post(
    "/speakers",
    status_code=201,
    response_model=Envelope[SpeakerOut],
    responses=ERRORS,
    summary="Register a speaker from a recording",
)
async def register_speaker(
    _user: CurrentUser,
    request: Request,
    file: Annotated[UploadFile, File(description="WAV, FLAC, OGG, MP3, M4A or WebM; 1-60 s of speech")],
    name: Annotated[str, Form(max_length=200)],
    transcript: Annotated[str | None, Form(max_length=5000)] = None,
    language: Annotated[str | None, Form(max_length=8)] = None,
) -> JSONResponse:
    """The recording is trimmed and normalised; without ``transcript`` Whisper transcribes it
    (zh/en/ja detected). If that fails the speaker is still registered, and ``note`` says so."""
    try:
        hub = voices_hub(request)
        data = await _read_limited(file, MAX_RECORDING_BYTES)
        speaker = await hub.speakers.register(
            name, data, transcript=transcript or None, language=language or None
        )
    except StudioError as exc:
        return error_response(exc)
    finally:
        await file.close()
    message = "Speaker registered." + (f" {speaker.note}" if speaker.note else "")
    body = Envelope[SpeakerOut](message=message, data=SpeakerOut.of(speaker))
    return JSONResponse(status_code=201, content=body.model_dump(mode="json"))


@router.get(
    "/speakers/{speaker_id}", response_model=Envelope[SpeakerOut], responses=ERRORS, summary="A speaker"
)
async def get_speaker(
    _user: CurrentUser, request: Request, speaker_id: str
) -> Envelope[SpeakerOut] | JSONResponse:
    """One speaker by id."""
    try:
        speaker = await voices_hub(request).speakers.get(speaker_id)
    except StudioError as exc:
        return error_response(exc)
    return Envelope(data=SpeakerOut.of(speaker))


@router.patch(
    "/speakers/{speaker_id}", response_model=Envelope[SpeakerOut], responses=ERRORS, summary="Edit a speaker"
)
async def patch_speaker(
    _user: CurrentUser, request: Request, speaker_id: str, body: SpeakerPatch
) -> Envelope[SpeakerOut] | JSONResponse:
    """Change the name, transcript or language (the id and recording stay)."""
    try:
        speaker = await voices_hub(request).speakers.update(
            speaker_id, name=body.name, transcript=body.transcript, language=body.language
        )
    except StudioError as exc:
        return error_response(exc)
    return Envelope(message="Speaker updated.", data=SpeakerOut.of(speaker))


@router.post(
    "/speakers/{speaker_id}/transcribe",
    response_model=Envelope[SpeakerOut],
    responses=ERRORS,
    summary="Transcribe a speaker's recording again",
)
async def retranscribe_speaker(
    _user: CurrentUser, request: Request, speaker_id: str
) -> Envelope[SpeakerOut] | JSONResponse:
    """Replace the transcript with Whisper's (``note`` says why if nothing was heard)."""
    try:
        speaker = await voices_hub(request).speakers.retranscribe(speaker_id)
    except StudioError as exc:
        return error_response(exc)
    return Envelope(message=speaker.note or "Transcribed.", data=SpeakerOut.of(speaker))


@router.delete(
    "/speakers/{speaker_id}", response_model=Envelope[Deleted], responses=ERRORS, summary="Delete a speaker"
)
async def delete_speaker(
    _user: CurrentUser, request: Request, speaker_id: str
) -> Envelope[Deleted] | JSONResponse:
    """Remove the speaker and its recording."""
    try:
        await voices_hub(request).speakers.remove(speaker_id)
    except StudioError as exc:
        return error_response(exc)
    return Envelope(message="Speaker deleted.", data=Deleted(deleted=speaker_id))


@router.get(
    "/speakers/{speaker_id}/audio",
    response_class=FileResponse,
    responses={200: {"content": {"audio/wav": {}}, "description": "The stored WAV"}, **ERRORS},
    summary="A speaker's recording",
)
async def speaker_audio(_user: CurrentUser, request: Request, speaker_id: str) -> Response:
    """The trimmed, normalised 16-bit mono WAV."""
    try:
        speaker = await voices_hub(request).speakers.get(speaker_id)
        if not await asyncio.to_thread(speaker.file.is_file):
            raise NotFoundError(f"The recording of {speaker_id!r} is missing from the library folder.")
    except StudioError as exc:
        return error_response(exc)
    return FileResponse(
        speaker.file, media_type="audio/wav", filename=speaker.file.name, content_disposition_type="inline"
    )


def include_voices_routes(app: FastAPI, dependencies: Sequence[params.Depends] = ()) -> None:
    """Mount ``/v1/voices`` (speakers and models)."""
    from studio.api.routes import voice_models

    app.include_router(router, dependencies=list(dependencies))
    app.include_router(voice_models.router, dependencies=list(dependencies))
