"""StreamCream's TTS and lip-sync helper (port 5001), with its exact shapes.

Paths and bodies follow reference-contracts.md 1.2: ``/synthesize-speech``, ``/static/audio/{file}``,
``/delete-audio/{file}``, ``/delete-all-audio`` (DELETE, and GET as BroadcastInterface.vue sends
it), ``/text2mouth_timeline``, ``/text2mouth_param`` and ``/generate-speech``. Errors keep the
foreign ``{"error": ...}`` / ``{"message": ...}`` bodies. Better than the original on purpose:
``duration`` is the real audio length, file names never collide, timelines come from the real
audio (the ``duration`` a client sends to ``/text2mouth_timeline`` is an estimate and is not
used; ``/text2mouth_param`` stretches the real track over it), and ``/generate-speech`` works when
a language model is configured. Engine loop; no logic of its own beyond translating shapes.
"""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel

from studio.api.routes.tts import Hub
from studio.api.tts_service import (
    AudioNotFoundError,
    SpeechUnavailableError,
    check_text,
    resample_mouth,
    status_for,
    timeline_json,
)
from studio.core.errors import StudioError, ValidationError

AUDIO_URL_PREFIX = "/static/audio/"
MAX_FPS = 120
MAX_PARAM_SECONDS = 600.0

router = APIRouter(tags=["compat: StreamCream TTS"])


def _error(exc: StudioError, prefix: str = "") -> JSONResponse:
    return JSONResponse(status_code=status_for(exc), content={"error": prefix + exc.user_message})


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError("The body must be JSON.") from None
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object.")
    return body


def _number(body: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = body.get(key, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationError(f"'{key}' must be a number.")
    try:
        number = float(value)
    except ValueError:
        raise ValidationError(f"'{key}' must be a number.") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValidationError(f"'{key}' must be between {low:g} and {high:g}.")
    return number


def _body_doc(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "requestBody": {
            "content": {"application/json": {"schema": model.model_json_schema()}},
            "required": True,
        }
    }


class SynthesizeSpeechBody(BaseModel):
    """``/synthesize-speech`` body; ``voice`` and the GPT-SoVITS fields the front end adds are ignored."""

    text: str
    voice: str | None = None


class MouthTimelineBody(BaseModel):
    """``/text2mouth_timeline`` body (``duration`` is accepted and not needed)."""

    text: str
    duration: float = 1.0


class MouthParamBody(BaseModel):
    """``/text2mouth_param`` body."""

    text: str
    duration: float = 1.0
    fps: int = 30


class GenerateSpeechBody(BaseModel):
    """``/generate-speech`` body."""

    topic: str


@router.post("/synthesize-speech", openapi_extra=_body_doc(SynthesizeSpeechBody))
async def synthesize_speech(request: Request, hub: Hub) -> JSONResponse:
    """``{text}`` -> ``{audio_url: "/static/audio/<file>.wav", text, duration}`` (real duration)."""
    try:
        body = await _json_object(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return JSONResponse(status_code=400, content={"error": "文本不能为空"})
        text = check_text(text)
        result, name = await hub.synthesize_to_file(text, voice=None, language="zh", speed=1.0, pitch=0.0)
    except (ValidationError, SpeechUnavailableError) as exc:
        return _error(exc)
    except StudioError as exc:
        return JSONResponse(status_code=500, content={"error": f"语音合成失败: {exc.user_message}"})
    return JSONResponse({"audio_url": AUDIO_URL_PREFIX + name, "text": text, "duration": result.duration})


@router.get(
    "/static/audio/{file:path}",
    response_class=FileResponse,
    responses={
        200: {"content": {"audio/x-wav": {}}},
        400: {"description": 'Not a WAV file name: ``{"error": ...}``'},
        403: {"description": 'A path outside the audio folder: ``{"error": ...}``'},
        404: {"description": 'No such file: ``{"error": ...}``'},
    },
)
async def static_audio(file: str, hub: Hub) -> Response:
    """The WAV file (``audio/x-wav``); 404 when missing."""
    try:
        path = hub.store.existing(file)
    except StudioError as exc:
        return _error(exc)
    return FileResponse(path, media_type="audio/x-wav")


@router.delete(
    "/delete-audio/{file:path}",
    responses={
        400: {"description": 'Not a WAV file name: ``{"error": ...}``'},
        403: {"description": 'A path outside the audio folder: ``{"error": ...}``'},
        404: {"description": '``{"message": "文件不存在"}``'},
    },
)
async def delete_audio(file: str, hub: Hub) -> JSONResponse:
    """200 ``{"message":"文件删除成功"}``; 404 ``{"message":"文件不存在"}``."""
    try:
        await hub.store.delete(file)
    except AudioNotFoundError:
        return JSONResponse(status_code=404, content={"message": "文件不存在"})
    except StudioError as exc:
        return _error(exc)
    return JSONResponse({"message": "文件删除成功"})


@router.delete("/delete-all-audio", operation_id="streamcream_delete_all_audio")
@router.get("/delete-all-audio", operation_id="streamcream_delete_all_audio_get")
async def delete_all_audio(hub: Hub) -> JSONResponse:
    """Delete every synthesized WAV file: ``{"message":"所有音频文件删除成功"}``."""
    try:
        await hub.store.delete_all()
    except StudioError as exc:
        return _error(exc)
    except OSError as exc:
        return JSONResponse(status_code=500, content={"error": f"删除失败: {exc.strerror or exc}"})
    return JSONResponse({"message": "所有音频文件删除成功"})


@router.post("/text2mouth_timeline", openapi_extra=_body_doc(MouthTimelineBody))
async def text2mouth_timeline(request: Request, hub: Hub) -> JSONResponse:
    """``{text, duration}`` -> ``{timeline: [{start, end, vowel, char, mouth_open, mouth_shape}]}``.

    The timeline fits the audio of the last synthesis of the same text (else a fresh one).
    """
    try:
        body = await _json_object(request)
        text = check_text(body.get("text"), allow_empty=True)
        _number(body, "duration", 1.0, 0.0, MAX_PARAM_SECONDS)
        if not text.strip():
            return JSONResponse({"timeline": []})
        speech = await hub.speech_for(text)
    except StudioError as exc:
        return _error(exc)
    return JSONResponse({"timeline": timeline_json(speech.timeline)})


@router.post("/text2mouth_param", openapi_extra=_body_doc(MouthParamBody))
async def text2mouth_param(request: Request, hub: Hub) -> JSONResponse:
    """``{text, duration=1.0, fps=30}`` -> ``{mouth_param: [float per frame]}`` (``int(duration*fps)``)."""
    try:
        body = await _json_object(request)
        text = check_text(body.get("text"), allow_empty=True)
        duration = _number(body, "duration", 1.0, 0.0, MAX_PARAM_SECONDS)
        fps = int(_number(body, "fps", 30, 1, MAX_FPS))
        if not text.strip():
            return JSONResponse({"mouth_param": [0.0] * int(duration * fps)})
        speech = await hub.speech_for(text)
    except StudioError as exc:
        return _error(exc)
    values = resample_mouth(speech.mouth_open, speech.duration, duration, fps)
    return JSONResponse({"mouth_param": values})


@router.post("/generate-speech", openapi_extra=_body_doc(GenerateSpeechBody))
async def generate_speech(request: Request, hub: Hub) -> JSONResponse:
    """``{topic}`` -> ``{speech_content, sentences}`` from the configured language model (503 without)."""
    try:
        body = await _json_object(request)
        topic = body.get("topic")
        if not isinstance(topic, str) or not topic.strip():
            return JSONResponse(status_code=400, content={"error": "主题不能为空"})
        script = await hub.writer().write_speech(check_text(topic))
    except StudioError as exc:
        return _error(exc)
    return JSONResponse({"speech_content": script.speech_content, "sentences": list(script.sentences)})
