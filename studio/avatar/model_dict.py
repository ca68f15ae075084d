"""Open-LLM-VTuber views of the avatar library (reference-contracts.md 4.1 and 4.3).

* :func:`live2d_models_info` is the body of ``GET /live2d-models/info``.
* :func:`model_dict_entry` is one ``model_dict.json`` entry, sent as ``model_info`` in
  ``set-model-and-conf``; :func:`model_dict` is the whole array.

URLs (percent-encoded) assume the library folder is served as static files under ``/live2d-models`` (so
``live2d-models/<id>/model/Mao.model3.json`` is the file ``<library>/<id>/model/Mao.model3.json``).
The entry ``name`` is the avatar id (stable and URL-safe; Open-LLM-VTuber uses the folder name
there); the display name goes to ``description``.

Open-LLM-VTuber lists only Cubism 3+ models (``.model3.json``), so Cubism 2 avatars and the
built-in PNGTuber avatar are left out. Placement: the reference entry frames a model with
``kScale`` 0.5, so ``kScale`` = 0.5 x the avatar's scale; the shifts are the avatar's frame
offsets in pixels of a 1280 x 720 canvas. Pure functions; any thread (the library calls block).
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import quote

from studio.avatar.library import Avatar
from studio.avatar.model_info import MODEL3_SUFFIX

URL_PREFIX = "live2d-models"
BASE_K_SCALE = 0.5
"""The bundled reference entry's kScale, used for an avatar at scale 1.0."""
CANVAS = (1280, 720)
"""Frame size the pixel shifts are computed for."""
K_X_OFFSET = 1150
"""Legacy field, unused by current clients; the reference value."""


class AvatarSource(Protocol):
    """What the views need from :class:`~studio.avatar.library.AvatarLibrary`."""

    def list_avatars(self) -> list[Avatar]:
        """Every avatar, built-in first."""
        ...


def _url(ref: str | None) -> str:
    """``live2d-models/<ref>`` with the file path percent-encoded (spaces, ``#``, non-ASCII)."""
    return f"{URL_PREFIX}/{quote(ref or '', safe='/')}"


def is_olv_model(avatar: Avatar) -> bool:
    """True for an avatar Open-LLM-VTuber clients can load (a Cubism 3+ Live2D model)."""
    return (
        avatar.kind == "live2d"
        and avatar.model_ref is not None
        and avatar.model_ref.lower().endswith(MODEL3_SUFFIX)
    )


def live2d_models_info(library: AvatarSource) -> dict[str, Any]:
    """``{"type": "live2d-models/info", "count": n, "characters": [{name, avatar, model_path}]}``."""
    characters = [
        {
            "name": a.id,
            "avatar": _url(a.thumbnail_ref) if a.thumbnail_ref else None,
            "model_path": _url(a.model_ref),
        }
        for a in library.list_avatars()
        if is_olv_model(a)
    ]
    return {"type": "live2d-models/info", "count": len(characters), "characters": characters}


def model_dict_entry(avatar: Avatar) -> dict[str, Any]:
    """The ``model_dict.json`` entry of a Live2D avatar.

    ``emotionMap`` maps each emotion with an expression to that expression's name (the web
    client accepts names as well as indexes); emotions bound only to a motion are left out.
    ``tapMotions`` gives each hit area its motion group with weight 1.

    Raises:
        ValueError: the avatar is not a Cubism 3+ Live2D model (see :func:`is_olv_model`).
    """
    if not is_olv_model(avatar):
        raise ValueError(f"{avatar.name} is not a Live2D (Cubism 3+) avatar")
    s = avatar.settings
    return {
        "name": avatar.id,
        "description": avatar.name,
        "url": "/" + _url(avatar.model_ref),
        "kScale": round(BASE_K_SCALE * s.scale, 6),
        "initialXshift": round(s.offset_x * CANVAS[0]),
        "initialYshift": round(s.offset_y * CANVAS[1]),
        "kXOffset": K_X_OFFSET,
        "idleMotionGroupName": s.idle_motion_group or "",
        "emotionMap": {emotion: a.expression for emotion, a in s.emotion_map.items() if a.expression},
        "tapMotions": {area: {group: 1} for area, group in s.hit_motions.items()},
    }


def model_dict(library: AvatarSource) -> list[dict[str, Any]]:
    """The whole ``model_dict.json`` array: one entry per Cubism 3+ avatar."""
    return [model_dict_entry(a) for a in library.list_avatars() if is_olv_model(a)]
