"""Seed-documented TTS and lip-sync routes (envelope responses): ``/api/tts/*``.

Thin: every request becomes a :class:`~studio.api.tts_service.SpeechApi` call through the app's
:class:`~studio.api.tts_service.TtsHub`. Engine loop; synthesis runs in the engines' own threads
and file work in worker threads, so no route blocks the loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, params
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from studio.api.deps import get_ctx
from studio.api.schemas import Envelope
from studio.api.tts_service import MAX_TEXT_CHARS, TtsHub, check_text, status_for, timeline_json
from studio.core.errors import StudioError

AUDIO_URL_PREFIX = "/api/tts/audio/"


def get_hub(request: Request) -> TtsHub:
    """FastAPI dependency: the app's :class:`TtsHub`, made on first use (engine loop)."""
    hub = getattr(request.app.state, "tts_hub", None)
    if hub is None:
        ctx = get_ctx(request)
        hub = TtsHub(ctx.services, ctx.data_dir)
        request.app.state.tts_hub = hub
    assert isinstance(hub, TtsHub)
    return hub


Hub = Annotated[TtsHub, Depends(get_hub)]


class TTSRequest(BaseModel):
    """``POST /api/tts/synthesize`` body (seed TTSRequest)."""

    text: str = Field("", description=f"Text to speak (1-{MAX_TEXT_CHARS} characters).")
    voice: str | None = Field(None, description="Voice id; empty = the default voice of each language.")
    language: str = Field("zh", description="Main language of the text (zh, en, ja).")
    speed: float = Field(1.0, ge=0.5, le=2.0, description="Speaking rate, 0.5-2.0.")
    pitch: float = Field(0.0, ge=-12, le=12, description="Pitch shift in semitones, -12..12.")


class TTSResponse(BaseModel):
    """``POST /api/tts/synthesize`` data (seed TTSResponse)."""

    audio_url: str
    text: str
    duration: float = Field(description="Real length of the audio in seconds.")
    file_size: int = Field(description="Bytes of the WAV file.")
    format: str = "wav"


class MouthShape(BaseModel):
    """The five Live2D mouth parameters."""

    ParamMouthOpenY: float
    ParamMouthOpenWidth: float
    ParamMouthForm: float
    ParamMouthSmile: float
    ParamMouthFrown: float


class MouthTimelineEntry(BaseModel):
    """One character, word or pause and the mouth while it is said."""

    start: float
    end: float
    vowel: str
    char: str
    mouth_open: float = Field(ge=0, le=1)
    mouth_shape: MouthShape


class MouthTimelineRequest(BaseModel):
    """``POST /api/tts/mouth-timeline`` body.

    With ``audio_file`` (a file of ``/api/tts/audio/``) the text is laid over that audio; without
    it the text is synthesized (and saved, see ``audio_url``) and the timeline fits that audio.
    """

    text: str = ""
    audio_file: str | None = Field(None, description="Name of a synthesized file to align to.")
    voice: str | None = None
    language: str = "zh"
    speed: float = Field(1.0, ge=0.5, le=2.0)
    pitch: float = Field(0.0, ge=-12, le=12)


class MouthTimelineData(BaseModel):
    """``POST /api/tts/mouth-timeline`` data."""

    timeline: list[MouthTimelineEntry]
    duration: float
    audio_url: str | None = None


class DeletedData(BaseModel):
    """What a delete removed."""

    deleted: int


def error_envelope(exc: StudioError) -> JSONResponse:
    """The envelope for a deliberate error, with its status (400/403/404/502/503)."""
    body = Envelope[Any](success=False, message=exc.user_message, code=exc.code)
    return JSONResponse(status_code=status_for(exc), content=body.model_dump(mode="json"))


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Envelope[None], "description": text}
    for code, text in {
        400: "Empty or too long text, unknown voice or language, bad file name",
        403: "File name outside the audio folder",
        404: "No such audio file",
        502: "The voice engine failed",
        503: "No speech engine running",
    }.items()
}

router = APIRouter(tags=["tts"])


@router.post(
    "/api/tts/synthesize",
    response_model=Envelope[TTSResponse],
    responses=_ERRORS,
    summary="Speak text into a WAV file",
)
async def synthesize(body: TTSRequest, hub: Hub) -> Envelope[TTSResponse] | JSONResponse:
    """Synthesize ``text``; the file is served at ``audio_url`` and ``duration`` is its real length."""
    try:
        text = check_text(body.text)
        result, name = await hub.synthesize_to_file(
            text, voice=body.voice or None, language=body.language, speed=body.speed, pitch=body.pitch
        )
    except StudioError as exc:
        return error_envelope(exc)
    data = TTSResponse(
        audio_url=AUDIO_URL_PREFIX + name,
        text=text,
        duration=result.duration,
        file_size=len(result.wav),
        format="wav",
    )
    return Envelope(message="Speech synthesized.", data=data)


@router.post(
    "/api/tts/mouth-timeline",
    response_model=Envelope[MouthTimelineData],
    responses=_ERRORS,
    summary="Lip-sync timeline aligned to the real audio",
)
async def mouth_timeline(body: MouthTimelineRequest, hub: Hub) -> Envelope[MouthTimelineData] | JSONResponse:
    """Per character: ``{start, end, vowel, char, mouth_open, mouth_shape}`` in seconds of the audio."""
    try:
        text = check_text(body.text)
        if body.audio_file:
            wav = await hub.store.read(body.audio_file)
            items = await hub.speech().align(text, wav, language=body.language)
            duration = items[-1].end if items else 0.0
            url = AUDIO_URL_PREFIX + body.audio_file
        else:
            result, name = await hub.synthesize_to_file(
                text, voice=body.voice or None, language=body.language, speed=body.speed, pitch=body.pitch
            )
            items, duration, url = result.timeline, result.duration, AUDIO_URL_PREFIX + name
    except StudioError as exc:
        return error_envelope(exc)
    data = MouthTimelineData.model_validate(
        {"timeline": timeline_json(items), "duration": duration, "audio_url": url}
    )
    return Envelope(data=data)


@router.get(
    "/api/tts/audio/{file:path}",
    response_class=FileResponse,
    responses={200: {"content": {"audio/wav": {}}, "description": "The WAV file"}, **_ERRORS},
    summary="A synthesized WAV file",
)
async def audio(file: str, hub: Hub) -> Response:
    """The file, ``audio/wav``. Names are confined to the audio folder."""
    try:
        path = hub.store.existing(file)
    except StudioError as exc:
        return error_envelope(exc)
    return FileResponse(path, media_type="audio/wav", filename=path.name, content_disposition_type="inline")


@router.delete(
    "/api/tts/audio/{file:path}",
    response_model=Envelope[DeletedData],
    responses=_ERRORS,
    summary="Delete a synthesized WAV file",
)
async def delete_audio(file: str, hub: Hub) -> Envelope[DeletedData] | JSONResponse:
    """Delete one file of the audio folder."""
    try:
        await hub.store.delete(file)
    except StudioError as exc:
        return error_envelope(exc)
    return Envelope(message="Audio file deleted.", data=DeletedData(deleted=1))


def include_tts_routes(app: FastAPI, dependencies: Sequence[params.Depends] = ()) -> None:
    """Mount the seed-documented ``/api/tts/*`` routes and StreamCream's legacy TTS paths.

    Args:
        app: The API application.
        dependencies: Run before every TTS route. Loopback binds need none yet; for a
            non-loopback bind pass ``[Depends(require_user)]`` from ``studio.api.auth`` here.
    """
    from studio.api.compat import streamcream_tts

    app.include_router(router, dependencies=list(dependencies))
    app.include_router(streamcream_tts.router, dependencies=list(dependencies))
