"""The request side of the VoxCPM router: form fields, prompt recordings, WAV framing.

Form: :func:`build_request` turns the multipart (or urlencoded) form into a validated
:class:`VoxCpmRequest`. Empty fields count as absent; numbers and flags are parsed strictly (400
with the field's name otherwise); unknown fields are ignored, as FastAPI's form handling does.

Prompt files: every recording a request brings (an upload, or a path inside the studio's
folders) is decoded (any format soundfile or FFmpeg reads), checked (size, length) and written as
a 16-bit mono WAV (``voxcpm-prompt-*.wav``; a 16-bit mono upload sample for sample) in the voice
library's scratch folder in the studio's cache; :class:`PromptFiles` deletes them when the request
is over. Files older than :data:`STALE_S` left there by a crash are swept on the next request. A
speaker of the library is used in place (its stored WAV).

Streaming WAV: one 44-byte header whose RIFF and ``data`` sizes are both ``0xFFFFFFFF`` ("as long
as the stream lasts"), then little-endian int16 mono PCM. Measured on a finished stream: Python's
``wave``, soundfile (libsndfile), PyAV and ffmpeg (file and pipe) read every sample; with
GPT-SoVITS's sizes (36 / 0) ``wave`` and soundfile read none. Clients that parse the header once
and then treat the rest as PCM (``StreamingWavParser``, browsers) accept both.

Thread affinity: :func:`build_request` on the engine loop (blocking work goes to threads);
:class:`PromptFiles` methods block (decode, disk) and run in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

from studio.core.errors import PathNotAllowedError, ValidationError
from studio.speech.tts.voxcpm.request import VoxCpmRequest
from studio.speech.tts.wav import float_to_int16, wav_header

log = logging.getLogger(__name__)

OPEN_SIZE = 0xFFFFFFFF
"""RIFF and data size of the streaming header: "unknown, read to the end"."""
MAX_PROMPT_BYTES = 10 * 1024 * 1024
"""Largest recording one form field may bring (the API's default body limit is 10 MiB too)."""
MIN_PROMPT_S = 0.5
MAX_PROMPT_S = 60.0
STALE_S = 3600.0
TEMP_PREFIX = "voxcpm-prompt-"
FILE_FIELDS = ("prompt_audio", "reference_audio")
_BOOLS = {
    "true": True,
    "1": True,
    "yes": True,
    "on": True,
    "false": False,
    "0": False,
    "no": False,
    "off": False,
}
SpeakerResolver = Callable[[str], tuple[Path, str] | None]
"""Speaker id or name -> (its recording, its transcript), or None when unknown."""
Confiner = Callable[[str], Path]
"""A path from the request -> the resolved path; PathNotAllowedError outside the studio's folders."""


class RefusedError(Exception):
    """The request is answered with ``status`` and ``{"detail": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def streaming_header(sample_rate: int) -> bytes:
    """The 44-byte header of an open-ended mono 16-bit PCM WAV stream at ``sample_rate``."""
    return wav_header(sample_rate, riff_size=OPEN_SIZE, data_size=OPEN_SIZE)


def pcm16(chunk: npt.ArrayLike) -> bytes:
    """One engine chunk (float samples in -1..1, any shape) as little-endian int16 bytes."""
    samples = np.nan_to_num(np.asarray(chunk, dtype=np.float32).reshape(-1), nan=0.0, posinf=1.0, neginf=-1.0)
    return float_to_int16(samples)


def _exact_wav(audio: npt.NDArray[np.float32], rate: int) -> bytes:
    # x / 32768 is how 16-bit samples decode, so a 16-bit mono upload is stored sample for sample.
    pcm = np.clip(np.round(audio.astype(np.float64) * 32768.0), -32768, 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(pcm.tobytes())
    return buf.getvalue()


@dataclass(slots=True)
class PromptFiles:
    """Temporary WAV files made for one request; :meth:`cleanup` deletes them (idempotent).

    Args:
        folder: The scratch folder in the studio's cache (created on first use; set before the
            first file is made).
    """

    folder: Path | None = None
    files: list[Path] = field(default_factory=list)

    def from_upload(self, data: bytes, what: str) -> Path:
        """Decode an uploaded recording and store it as a temporary mono WAV (blocking).

        Raises:
            ValidationError: too large, empty, not decodable, too short or too long.
        """
        if len(data) > MAX_PROMPT_BYTES:
            raise ValidationError(f"'{what}' is larger than {MAX_PROMPT_BYTES // (1024 * 1024)} MiB.")
        return self._store(data, what)

    def from_file(self, path: Path, what: str) -> Path:
        """Check a recording already in the studio's folders and store a mono WAV copy (blocking).

        Raises:
            ValidationError: missing, too large, not decodable, too short or too long.
        """
        if not path.is_file():
            raise ValidationError(f"'{what}': no such file in the studio's folders: {path.name}.")
        if path.stat().st_size > MAX_PROMPT_BYTES:
            raise ValidationError(f"'{what}' is larger than {MAX_PROMPT_BYTES // (1024 * 1024)} MiB.")
        return self._store(path, what)

    def _store(self, source: bytes | Path, what: str) -> Path:
        from studio.speech.library.audio_prep import decode_audio

        if isinstance(source, bytes) and not source:
            raise ValidationError(f"'{what}' is empty (0 bytes).")
        try:
            audio, rate = decode_audio(source)
        except ValidationError as exc:
            raise ValidationError(f"'{what}': {exc.user_message}") from exc
        seconds = len(audio) / rate if rate else 0.0
        if not MIN_PROMPT_S <= seconds <= MAX_PROMPT_S:
            raise ValidationError(
                f"'{what}' is {seconds:.1f} s long; give {MIN_PROMPT_S:g}-{MAX_PROMPT_S:g} s of speech "
                "(5-15 s works best)."
            )
        if self.folder is None:
            raise RuntimeError("PromptFiles.folder is not set")
        self._sweep(self.folder)
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".wav", dir=self.folder)
        path = Path(name)
        self.files.append(path)
        with os.fdopen(fd, "wb") as out:
            out.write(_exact_wav(audio, rate))
        return path

    @staticmethod
    def _sweep(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - STALE_S
        for old in folder.glob(f"{TEMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                if old.stat().st_mtime < cutoff:
                    old.unlink()

    def cleanup(self) -> None:
        """Delete the files made so far (idempotent; any thread)."""
        while self.files:
            path = self.files.pop()
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:  # swept on a later request
                log.warning("temporary prompt file not deleted", extra={"file": path.name, "error": str(exc)})


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if isinstance(value, UploadFile):
        raise ValidationError(f"'{name}' must be a text field, not a file.")
    return value.strip() if value is not None and value.strip() else None


def _number(form: FormData, name: str, default: float) -> float:
    raw = _text(form, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValidationError(f"'{name}' must be a number, got {raw[:40]!r}.") from None
    if not np.isfinite(value):
        raise ValidationError(f"'{name}' must be a finite number.")
    return value


def _whole(form: FormData, name: str, default: int) -> int:
    value = float(_number(form, name, default))
    if not value.is_integer() or abs(value) > 2**53:
        raise ValidationError(f"'{name}' must be a whole number, got {_text(form, name)!r:.40}.")
    return int(value)


def _flag(form: FormData, name: str, default: bool) -> bool:
    raw = _text(form, name)
    if raw is None:
        return default
    if raw.lower() not in _BOOLS:
        raise ValidationError(f"'{name}' must be true or false, got {raw[:40]!r}.")
    return _BOOLS[raw.lower()]


async def _upload(form: FormData, name: str) -> bytes | None:
    value = form.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, UploadFile):
        path_field = name.replace("_audio", "_wav_path")
        raise ValidationError(
            f"'{name}' must be an uploaded file (to name a recording in the studio's folders use "
            f"'{path_field}')."
        )
    data = await value.read(MAX_PROMPT_BYTES + 1)
    if not data and not value.filename:  # a browser form's empty file input
        return None
    return data


async def read_form(request: Request) -> FormData:
    """The request's form (multipart or urlencoded; any other body reads as an empty form).

    Raises:
        RefusedError: malformed multipart (400) or a body over the API's limit (413).
    """
    try:
        return await request.form(max_files=len(FILE_FIELDS) + 2, max_fields=64)
    except StarletteHTTPException as exc:
        raise RefusedError(exc.status_code, str(exc.detail)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise RefusedError(400, f"The form could not be read: {exc}") from None


async def _recording(
    form: FormData, files: PromptFiles, confine: Confiner, upload_field: str, path_field: str
) -> Path | None:
    data = await _upload(form, upload_field)
    raw_path = _text(form, path_field)
    if data is not None and raw_path is not None:
        raise ValidationError(f"Give '{upload_field}' or '{path_field}', not both.")
    if data is not None:
        return await asyncio.to_thread(files.from_upload, data, upload_field)
    if raw_path is None:
        return None
    try:
        path = confine(raw_path)
    except PathNotAllowedError as exc:
        raise PathNotAllowedError(f"'{path_field}': {exc.user_message}") from exc
    return await asyncio.to_thread(files.from_file, path, path_field)


def _speaker_prompt(ref: str, resolve: SpeakerResolver, prompt_text: str | None) -> tuple[Path, str]:
    found = resolve(ref)
    if found is None:
        raise ValidationError(
            f"Unknown speaker {ref[:80]!r}: register the recording in Voice -> Speakers "
            "(or give its id or name)."
        )
    wav, transcript = found
    if not wav.is_file():
        raise ValidationError(f"The recording of speaker {ref[:80]!r} is missing; register it again.")
    text = prompt_text or transcript.strip()
    if not text:
        raise ValidationError(
            f"Speaker {ref[:80]!r} has no transcript: add one in Voice -> Speakers or send 'prompt_text'."
        )
    return wav, text


async def build_request(
    form: FormData, files: PromptFiles, confine: Confiner, resolve: SpeakerResolver, *, streaming: bool
) -> VoxCpmRequest:
    """Translate the form into a validated :class:`VoxCpmRequest` (engine loop).

    Args:
        form: The request's form.
        files: Where uploaded or named recordings are stored for the engine (caller cleans up).
        confine: Resolves ``*_wav_path`` fields, refusing paths outside the studio's folders
            (``StudioPaths.confine``: relative paths are taken from the data folder).
        resolve: Looks up the ``speaker`` field in the speaker library.
        streaming: ``/api/tts/stream`` (refuses ``retry_badcase``) or ``/api/tts``.

    Raises:
        ValidationError: a missing or invalid field (PathNotAllowedError for a path outside).
    """
    if streaming and "retry_badcase" in form:
        raise ValidationError(
            "'retry_badcase' is not supported by /api/tts/stream: streaming never retries a bad "
            "case. Leave it out, or use POST /api/tts for whole-file synthesis with retries."
        )
    text = _text(form, "text")
    if text is None:
        raise ValidationError("'text' is required: the words to speak.")
    prompt_text = _text(form, "prompt_text")
    speaker = _text(form, "speaker")
    prompt_wav = await _recording(form, files, confine, "prompt_audio", "prompt_wav_path")
    reference_wav = await _recording(form, files, confine, "reference_audio", "reference_wav_path")
    if speaker is not None:
        if prompt_wav is not None:
            raise ValidationError("Give 'speaker' or 'prompt_audio' (or 'prompt_wav_path'), not both.")
        prompt_wav, prompt_text = _speaker_prompt(speaker, resolve, prompt_text)
    elif prompt_wav is not None and prompt_text is None:
        raise ValidationError(
            "'prompt_text' is required with 'prompt_audio': the words spoken in the recording."
        )
    elif prompt_wav is None and prompt_text is not None:
        raise ValidationError(
            "'prompt_text' needs 'prompt_audio' (or 'speaker'): the recording it transcribes."
        )
    req = VoxCpmRequest(
        text=text,
        prompt_wav=prompt_wav,
        prompt_text=prompt_text,
        reference_wav=reference_wav,
        cfg_value=_number(form, "cfg_value", 2.0),
        inference_timesteps=_whole(form, "inference_timesteps", 10),
        min_len=_whole(form, "min_len", 2),
        max_len=_whole(form, "max_len", 4096),
        normalize=_flag(form, "normalize", False),
        denoise=_flag(form, "denoise", False),
        retry_badcase=False if streaming else _flag(form, "retry_badcase", True),
        seed=None if _text(form, "seed") is None else _whole(form, "seed", 0),
    )
    req.validate()
    return req


def form_doc(*, streaming: bool) -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of the two synthesis routes."""
    text = {"type": "string"}
    binary = {"type": "string", "format": "binary"}
    fields: dict[str, Any] = {
        "text": {**text, "description": "Text to speak (required)."},
        "prompt_audio": {**binary, "description": "Recording to continue (cloning); needs prompt_text."},
        "prompt_text": {**text, "description": "Words spoken in prompt_audio."},
        "cfg_value": {"type": "number", "default": 2.0},
        "inference_timesteps": {"type": "integer", "default": 10},
        "min_len": {"type": "integer", "default": 2},
        "max_len": {"type": "integer", "default": 4096},
        "normalize": {"type": "boolean", "default": False},
        "denoise": {"type": "boolean", "default": False},
        "speaker": {**text, "description": "Studio: speaker id or name; its recording and transcript."},
        "reference_audio": {**binary, "description": "Studio: VoxCPM2 timbre reference."},
        "prompt_wav_path": {**text, "description": "Studio: recording under the data folder."},
        "reference_wav_path": {**text, "description": "Studio: reference under the data folder."},
        "seed": {"type": "integer"},
    }
    if not streaming:
        fields["retry_badcase"] = {"type": "boolean", "default": True}
    schema = {"type": "object", "properties": fields, "required": ["text"]}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}
