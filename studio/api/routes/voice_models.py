"""Native voice model routes under ``/v1/voices/models`` (envelope responses; changes need an admin).

``GET`` lists the imported GPT-SoVITS groups (StreamCream's grouping, with where they run: the
configured GPT-SoVITS server, or a note that none is set) and the VoxCPM models (with the selected
one's engine state). ``POST /import`` copies a folder inside the studio's folders (JSON) or an
uploaded zip (multipart, extracted safely). ``POST /voxcpm/select`` saves ``[tts] voxcpm_model``
the way the settings dialog does. ``DELETE`` removes a GPT-SoVITS pair or a VoxCPM model.

Thin: everything goes through the ``services["voices"]`` hub (:class:`studio.api.routes.voices.VoicesApi`).
Engine loop; copies and extraction run in worker threads.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import uuid
from pathlib import Path
from typing import Any, BinaryIO, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError
from starlette.datastructures import UploadFile as AnyUpload

from studio.api.auth import AdminUser, CurrentUser
from studio.api.deps import get_ctx
from studio.api.routes.voices import ERRORS, Deleted, VoicesApi, error_response, voices_hub
from studio.api.schemas import Envelope
from studio.api.streaming import ConfigService
from studio.core.errors import StudioError, ValidationError
from studio.speech.library import GptSovitsGroup, VoxCpmModelInfo

__all__ = ["router"]

router = APIRouter(prefix="/v1/voices/models", tags=["voices"])

MAX_ZIP_BYTES = 16 * 1024**3
_CHUNK = 4 * 1024 * 1024
ModelKind = Literal["gpt_sovits", "voxcpm"]
NO_SERVER = "no GPT-SoVITS server configured: set one in Settings -> Voice"


class PairOut(BaseModel):
    """A GPT + SoVITS weights pair (paths relative to the GPT-SoVITS root)."""

    gpt_path: str
    sovits_path: str


class GroupOut(BaseModel):
    """A GPT-SoVITS group, as StreamCream's ``/list_model_groups`` lists it."""

    name: str
    suffix: str
    pairs: dict[str, PairOut]


class RefAudioOut(BaseModel):
    """A reference recording in ``参考音频/``."""

    pair_name: str
    file_name: str
    path: str


class GptSovitsOut(BaseModel):
    """Imported GPT-SoVITS weights and where they run."""

    runs_on: str
    server_url: str | None
    groups: list[GroupOut]
    reference_audios: list[RefAudioOut]


class VoxCpmModelOut(BaseModel):
    """An imported VoxCPM model."""

    name: str
    architecture: str
    sample_rate: int | None
    size_mb: float
    selected: bool
    loaded: bool
    device: str | None


class VoxCpmOut(BaseModel):
    """Imported VoxCPM models and the engine of the selected one."""

    selected: str
    status: dict[str, Any]
    models: list[VoxCpmModelOut]


class ModelsOut(BaseModel):
    """``GET /v1/voices/models``."""

    gpt_sovits: GptSovitsOut
    voxcpm: VoxCpmOut


class ImportIn(BaseModel):
    """``POST /v1/voices/models/import`` JSON body."""

    kind: ModelKind
    path: str = Field(min_length=1, max_length=4096, description="A folder inside the studio's folders.")
    name: str | None = Field(None, max_length=64, description="VoxCPM: the model's name (default: folder's).")


class ImportOut(BaseModel):
    """What an import produced."""

    kind: ModelKind
    groups: list[GroupOut] | None = None
    model: VoxCpmModelOut | None = None


class SelectIn(BaseModel):
    """``POST /v1/voices/models/voxcpm/select``: the model to load (``""`` turns VoxCPM off)."""

    name: str = Field(max_length=64)


def _group(g: GptSovitsGroup) -> GroupOut:
    pairs = {b: PairOut(gpt_path=p.gpt_path, sovits_path=p.sovits_path) for b, p in g.pairs.items()}
    return GroupOut(name=g.name, suffix=g.suffix, pairs=pairs)


def _voxcpm(m: VoxCpmModelInfo, status: dict[str, object]) -> VoxCpmModelOut:
    selected = status.get("model") == m.name
    device = status.get("device") if selected else None
    return VoxCpmModelOut(
        name=m.name,
        architecture=m.architecture,
        sample_rate=m.sample_rate,
        size_mb=m.size_mb,
        selected=selected,
        loaded=bool(selected and status.get("loaded")),
        device=device if isinstance(device, str) else None,
    )


class _ConfigUnavailableError(StudioError):
    code = "config_unavailable"


def _config(request: Request) -> ConfigService:
    service = get_ctx(request).services.get("config")
    if service is None or not hasattr(service, "save_area"):
        raise _ConfigUnavailableError("Settings cannot be saved from the API in this studio.")
    return service  # type: ignore[no-any-return]


def _invalid(errors: list[dict[str, Any]]) -> JSONResponse:
    body = Envelope[Any](
        success=False, message="Invalid request.", code="invalid_input", data={"errors": errors}
    )
    return JSONResponse(status_code=422, content=body.model_dump(mode="json"))


def _models_out(hub: VoicesApi, groups: list[GptSovitsGroup], voxcpm: list[VoxCpmModelInfo]) -> ModelsOut:
    server = hub.gpt_sovits_server()
    status = hub.voxcpm_status()
    refs = [RefAudioOut(pair_name=p, file_name=f, path=r) for p, f, r in hub.models.reference_audios()]
    return ModelsOut(
        gpt_sovits=GptSovitsOut(
            runs_on=f"GPT-SoVITS server at {server}" if server else NO_SERVER,
            server_url=server,
            groups=[_group(g) for g in groups],
            reference_audios=refs,
        ),
        voxcpm=VoxCpmOut(
            selected=str(status.get("model") or ""),
            status=dict(status),
            models=[_voxcpm(m, status) for m in voxcpm],
        ),
    )


@router.get("", response_model=Envelope[ModelsOut], responses=ERRORS, summary="Imported voice models")
async def list_models(_user: CurrentUser, request: Request) -> Envelope[ModelsOut] | JSONResponse:
    """GPT-SoVITS groups (and where they run) and VoxCPM models (and the selected one's engine)."""
    try:
        hub = voices_hub(request)
        groups, voxcpm = await asyncio.to_thread(
            lambda: (hub.models.gpt_sovits_groups(), hub.models.voxcpm_models())
        )
    except StudioError as exc:
        return error_response(exc)
    return Envelope(data=_models_out(hub, groups, voxcpm))


_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ImportIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["kind", "file"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["gpt_sovits", "voxcpm"]},
                        "name": {"type": "string", "maxLength": 64},
                        "file": {"type": "string", "format": "binary", "description": "A zip of the folder"},
                    },
                }
            },
        },
    }
}


def _open_scratch(scratch: Path, filename: str | None) -> tuple[Path, BinaryIO]:
    # Its own folder, named like the upload (a VoxCPM zip without a top folder is named after it).
    stem = re.sub(r"[^\w.\-]+", "-", Path(filename or "upload").stem).strip(".-")[:64] or "upload"
    folder = scratch / uuid.uuid4().hex
    folder.mkdir(parents=True)
    target = folder / f"{stem}.zip"
    return target, target.open("xb")


async def _save_upload(upload: AnyUpload, scratch: Path) -> Path:
    """The upload as a file in its own folder under ``scratch`` (removed again on failure)."""
    target, out = await asyncio.to_thread(_open_scratch, scratch, upload.filename)
    total = 0
    try:
        with out:
            while chunk := await upload.read(_CHUNK):
                total += len(chunk)
                if total > MAX_ZIP_BYTES:
                    raise ValidationError(f"The zip is larger than {MAX_ZIP_BYTES // 1024**3} GiB.")
                await asyncio.to_thread(out.write, chunk)
    except BaseException:
        await asyncio.to_thread(shutil.rmtree, target.parent, True)
        raise
    return target


def _import_out(kind: ModelKind, result: list[GptSovitsGroup] | VoxCpmModelInfo, hub: VoicesApi) -> ImportOut:
    if isinstance(result, VoxCpmModelInfo):
        return ImportOut(kind=kind, model=_voxcpm(result, hub.voxcpm_status()))
    return ImportOut(kind=kind, groups=[_group(g) for g in result])


@router.post(
    "/import",
    status_code=201,
    response_model=Envelope[ImportOut],
    responses=ERRORS,
    summary="Import GPT-SoVITS weights or a VoxCPM model",
    openapi_extra=_IMPORT_BODY,
)
async def import_model(_admin: AdminUser, request: Request) -> JSONResponse:
    """JSON ``{kind, path, name?}``: copy a folder inside the studio's folders (others: 403).
    Multipart ``kind``, ``name?``, ``file`` (a zip): extracted safely (no paths leaving the folder,
    no links, size limits), then imported. GPT-SoVITS: a GPT-SoVITS install's weight folders or a
    flat folder of .ckpt/.pth (+ .wav); VoxCPM: a model folder (config.json, weights, tokenizer)."""
    try:
        hub = voices_hub(request)
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            async with request.form(max_files=1, max_fields=8) as form:
                upload, kind, name = form.get("file"), form.get("kind"), form.get("name")
                if not isinstance(upload, AnyUpload) or kind not in ("gpt_sovits", "voxcpm"):
                    return _invalid(
                        [{"loc": ["body"], "msg": "needs kind (gpt_sovits|voxcpm) and a zip file"}]
                    )
                archive = await _save_upload(upload, hub.scratch_dir())
            try:
                result = await hub.import_zip(str(kind), archive, str(name) if name else None)
            finally:
                await asyncio.to_thread(shutil.rmtree, archive.parent, True)
            model_kind: ModelKind = "voxcpm" if kind == "voxcpm" else "gpt_sovits"
        else:
            try:
                body = ImportIn.model_validate_json(await request.body())
            except PydanticValidationError as exc:
                errors = [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]} for e in exc.errors()]
                return _invalid(errors)
            folder = hub.confine(body.path)
            result = await hub.import_folder(body.kind, folder, body.name)
            model_kind = body.kind
    except StudioError as exc:
        return error_response(exc)
    out = Envelope[ImportOut](message="Imported.", data=_import_out(model_kind, result, hub))
    return JSONResponse(status_code=201, content=out.model_dump(mode="json"))


@router.post(
    "/voxcpm/select", response_model=Envelope[VoxCpmOut], responses=ERRORS, summary="Select the VoxCPM model"
)
async def select_voxcpm(
    _admin: AdminUser, request: Request, body: SelectIn
) -> Envelope[VoxCpmOut] | JSONResponse:
    """Save ``[tts] voxcpm_model`` (``""`` turns VoxCPM off); the engine loads on first use."""
    try:
        hub = voices_hub(request)
        if body.name:
            await asyncio.to_thread(hub.models.voxcpm_model, body.name)
        config = _config(request)
        await config.save_area(config.current().tts.model_copy(update={"voxcpm_model": body.name}))
        models = await asyncio.to_thread(hub.models.voxcpm_models)
    except StudioError as exc:
        return error_response(exc)
    status = hub.voxcpm_status()
    data = VoxCpmOut(selected=body.name, status=dict(status), models=[_voxcpm(m, status) for m in models])
    return Envelope(message="VoxCPM model selected." if body.name else "VoxCPM turned off.", data=data)


@router.delete(
    "/gpt_sovits/{base}",
    response_model=Envelope[Deleted],
    responses=ERRORS,
    summary="Remove a GPT-SoVITS pair",
)
async def delete_gpt_sovits(
    _admin: AdminUser, request: Request, base: str
) -> Envelope[Deleted] | JSONResponse:
    """Delete the pair's ``.ckpt`` and ``.pth`` files in every group (reference audios stay)."""
    try:
        await asyncio.to_thread(voices_hub(request).models.remove_gpt_sovits_pair, base)
    except StudioError as exc:
        return error_response(exc)
    return Envelope(message="GPT-SoVITS pair removed.", data=Deleted(deleted=base))


@router.delete(
    "/voxcpm/{name}", response_model=Envelope[Deleted], responses=ERRORS, summary="Remove a VoxCPM model"
)
async def delete_voxcpm(_admin: AdminUser, request: Request, name: str) -> Envelope[Deleted] | JSONResponse:
    """Delete the model folder; if it is the selected model, VoxCPM is turned off first."""
    try:
        hub = voices_hub(request)
        await asyncio.to_thread(hub.models.voxcpm_model, name)
        if hub.voxcpm_status().get("model") == name:
            config = _config(request)
            await config.save_area(config.current().tts.model_copy(update={"voxcpm_model": ""}))
        await asyncio.to_thread(hub.models.remove_voxcpm, name)
    except StudioError as exc:
        return error_response(exc)
    return Envelope(message="VoxCPM model removed.", data=Deleted(deleted=name))
