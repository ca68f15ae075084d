"""Background images (seed-documented, envelope responses): ``POST /api/files/upload-background``,
``GET /api/files/backgrounds``, ``GET``/``DELETE /api/files/background?name=``.

Each user has their own backgrounds. Uploads are decoded with Pillow (PNG, JPEG, WebP, GIF; 10 MB;
40 megapixels); names in requests are confined to the caller's folder. Engine loop; decoding and
file work run in worker threads.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile as AnyUpload

from studio.api.auth import CurrentUser
from studio.api.backgrounds_service import MAX_BACKGROUND_BYTES, BackgroundStore
from studio.api.deps import ApiContext, get_ctx
from studio.api.preferences_service import RequestRefusedError
from studio.api.routes.preferences import problem_response
from studio.api.schemas import Envelope
from studio.storage.prefs_repo import BackgroundRepo, BackgroundRow

BACKGROUNDS_SERVICE_KEY = "backgrounds"
READ_CHUNK = 1024 * 1024

router = APIRouter(tags=["files"])


def background_store_for(ctx: ApiContext) -> BackgroundStore | None:
    """The context's shared :class:`BackgroundStore` (made on first use); ``None`` without storage."""
    store = ctx.services.get(BACKGROUNDS_SERVICE_KEY)
    if isinstance(store, BackgroundStore):
        return store
    if ctx.db is None or ctx.data_dir is None:
        return None
    store = BackgroundStore(BackgroundRepo(ctx.db), ctx.data_dir / "backgrounds")
    ctx.services[BACKGROUNDS_SERVICE_KEY] = store
    return store


def require_store(ctx: ApiContext) -> BackgroundStore:
    """The store, or 503 when the studio runs without database or data folder."""
    store = background_store_for(ctx)
    if store is None:
        raise RequestRefusedError(
            "Backgrounds are not available: the studio has no data folder here.",
            code="storage_unavailable",
            status=503,
        )
    return store


def get_store(ctx: Annotated[ApiContext, Depends(get_ctx)]) -> BackgroundStore:
    """FastAPI dependency: :func:`require_store`."""
    return require_store(ctx)


Store = Annotated[BackgroundStore, Depends(get_store)]


async def read_upload(file: AnyUpload) -> bytes:
    """The upload's bytes; 413 as soon as it goes over the size limit (never reads it all)."""
    chunks: list[bytes] = []
    total = 0
    while chunk := await file.read(READ_CHUNK):
        total += len(chunk)
        if total > MAX_BACKGROUND_BYTES:
            raise RequestRefusedError(
                f"The image is larger than {MAX_BACKGROUND_BYTES // 1_000_000} MB.",
                code="file_too_large",
                status=413,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def image_response(row: BackgroundRow, path: Any) -> Response:
    """The image bytes, with its type, shown inline; never sniffed as something else."""
    return FileResponse(
        path,
        media_type=row.content_type,
        filename=row.name,
        content_disposition_type="inline",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
    )


class BackgroundInfo(BaseModel):
    """One background image."""

    name: str
    url: str
    content_type: str
    size: int
    width: int
    height: int
    created_at: str

    @classmethod
    def of(cls, row: BackgroundRow) -> BackgroundInfo:
        """From a stored record."""
        created = datetime.fromtimestamp(row.created_at, UTC).isoformat().replace("+00:00", "Z")
        url = f"/api/files/background?name={quote(row.name)}"
        return cls(
            name=row.name,
            url=url,
            content_type=row.content_type,
            size=row.size,
            width=row.width,
            height=row.height,
            created_at=created,
        )


class BackgroundList(BaseModel):
    """The caller's backgrounds, newest first."""

    backgrounds: list[BackgroundInfo]


class DeletedBackground(BaseModel):
    """What was deleted."""

    deleted: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Envelope[None], "description": text}
    for code, text in {
        400: "No file, not an image, damaged image, bad name",
        401: "Not signed in",
        403: "A path instead of a name (traversal, absolute, link)",
        404: "No such background",
        413: "Over 10 MB or 40 megapixels",
        415: "An image type other than PNG, JPEG, WebP or GIF",
        503: "No database or data folder",
    }.items()
}
_ERRORS[422] = {"model": Envelope[dict[str, Any]], "description": "A malformed parameter (data.errors)"}


@router.post(
    "/api/files/upload-background",
    status_code=201,
    response_model=Envelope[BackgroundInfo],
    responses=_ERRORS,
    summary="Upload a background image",
)
async def upload_background(
    principal: CurrentUser, store: Store, file: Annotated[UploadFile, File()]
) -> JSONResponse:
    """Multipart field ``file``: a PNG, JPEG, WebP or GIF up to 10 MB. The studio names the stored
    file (the response says how); the client's file name is never used as a path."""
    try:
        row = await store.save(principal.user.id, file.filename, await read_upload(file))
    except RequestRefusedError as exc:
        return problem_response(exc)
    finally:
        await file.close()
    body = Envelope[BackgroundInfo](message="Background uploaded.", data=BackgroundInfo.of(row))
    return JSONResponse(status_code=201, content=body.model_dump(mode="json"))


@router.get(
    "/api/files/backgrounds",
    response_model=Envelope[BackgroundList],
    responses=_ERRORS,
    summary="Your background images",
)
async def list_backgrounds(principal: CurrentUser, store: Store) -> Envelope[BackgroundList]:
    """Every background of the caller, newest first."""
    rows = await store.list(principal.user.id)
    return Envelope(data=BackgroundList(backgrounds=[BackgroundInfo.of(r) for r in rows]))


@router.get(
    "/api/files/background",
    response_class=FileResponse,
    responses={
        200: {"content": {t: {} for t in ("image/png", "image/jpeg", "image/webp", "image/gif")}},
        **_ERRORS,
    },
    summary="A background image (by name, or the latest)",
)
async def get_background(
    principal: CurrentUser,
    store: Store,
    name: Annotated[
        str | None, Query(max_length=200, description="File name from the list; empty = latest")
    ] = None,
) -> Response:
    """The image bytes of ``name``, or of the latest upload when no name is given."""
    try:
        row, path = await store.find(principal.user.id, name)
    except RequestRefusedError as exc:
        return problem_response(exc)
    return image_response(row, path)


@router.delete(
    "/api/files/background",
    response_model=Envelope[DeletedBackground],
    responses=_ERRORS,
    summary="Delete a background image",
)
async def delete_background(
    principal: CurrentUser, store: Store, name: Annotated[str, Query(max_length=200)]
) -> JSONResponse:
    """Remove one of the caller's backgrounds (file and record)."""
    try:
        await store.delete(principal.user.id, name)
    except RequestRefusedError as exc:
        return problem_response(exc)
    body = Envelope[DeletedBackground](message="Background deleted.", data=DeletedBackground(deleted=name))
    return JSONResponse(body.model_dump(mode="json"))
