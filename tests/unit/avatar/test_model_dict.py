"""Open-LLM-VTuber views of the library: /live2d-models/info and model_dict.json entries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

from studio.avatar.library import BUILTIN_ID, AvatarLibrary
from studio.avatar.model_dict import live2d_models_info, model_dict, model_dict_entry
from studio.avatar.settings import EmotionAction
from tests.unit.avatar.avatar_files import copy_sample, make_library, open_db, png_bytes, write_files

ENTRY_KEYS = {
    "name",
    "description",
    "url",
    "kScale",
    "initialXshift",
    "initialYshift",
    "kXOffset",
    "idleMotionGroupName",
    "emotionMap",
    "tapMotions",
}


@pytest.fixture
def library(tmp_path: Path) -> Iterator[AvatarLibrary]:
    with open_db(tmp_path / "studio.db") as db:
        lib = make_library(tmp_path, db)
        for name in ("Hiyori", "Mao", "Haru"):
            lib.import_model(copy_sample(name, tmp_path / "in"))
        yield lib


def _served(library: AvatarLibrary, url: str) -> Path:
    """The file a static mount of the library folder at /live2d-models would serve for ``url``."""
    prefix = "live2d-models/"
    path = url.lstrip("/")
    assert path.startswith(prefix)
    return library.root / unquote(path[len(prefix) :])


def test_live2d_models_info_shape(library: AvatarLibrary) -> None:
    info = live2d_models_info(library)
    assert set(info) == {"type", "count", "characters"}
    assert info["type"] == "live2d-models/info"
    assert info["count"] == 3 == len(info["characters"])
    assert [c["name"] for c in info["characters"]] == ["hiyori", "mao", "haru"]
    for character in info["characters"]:
        assert set(character) == {"name", "avatar", "model_path"}
        name = character["name"]
        assert character["model_path"] == f"live2d-models/{name}/model/{name.title()}.model3.json"
        assert character["avatar"] == f"live2d-models/{name}/thumbnail.png"
        assert _served(library, character["model_path"]).is_file()
        assert _served(library, character["avatar"]).is_file()
    json.dumps(info)


def test_entries_for_the_samples(library: AvatarLibrary) -> None:
    mao = model_dict_entry(library.get("mao"))
    assert set(mao) == ENTRY_KEYS
    assert mao == {
        "name": "mao",
        "description": "Mao",
        "url": "/live2d-models/mao/model/Mao.model3.json",
        "kScale": 0.5,
        "initialXshift": 0,
        "initialYshift": 0,
        "kXOffset": 1150,
        "idleMotionGroupName": "Idle",
        "emotionMap": {},
        "tapMotions": {"Head": {"TapBody": 1}, "Body": {"TapBody": 1}},
    }
    assert _served(library, mao["url"]).is_file()
    hiyori = model_dict_entry(library.get("hiyori"))
    assert hiyori["tapMotions"] == {"Body": {"TapBody": 1}}
    assert [e["name"] for e in model_dict(library)] == ["hiyori", "mao", "haru"]
    json.dumps(model_dict(library))


def test_entry_follows_the_avatar_settings(library: AvatarLibrary) -> None:
    haru = library.get("haru")
    settings = haru.settings.model_copy(
        update={
            "scale": 1.5,
            "offset_x": 0.25,
            "offset_y": -0.5,
            "idle_motion_group": None,
            "emotion_map": {
                "happy": EmotionAction(expression="F05"),
                "sad": EmotionAction(expression="F03", motion="TapBody"),
                "surprised": EmotionAction(motion="TapBody"),  # motion only: not in emotionMap
            },
            "hit_motions": {"Head": "Idle"},
        }
    )
    entry = model_dict_entry(library.update_settings("haru", settings))
    assert entry["kScale"] == 0.75
    assert (entry["initialXshift"], entry["initialYshift"]) == (320, -360)
    assert entry["idleMotionGroupName"] == ""
    assert entry["emotionMap"] == {"happy": "F05", "sad": "F03"}
    assert entry["tapMotions"] == {"Head": {"Idle": 1}}
    assert library.rename("haru", "Haru (stream)")  # the name is the stable id; the label follows
    renamed = model_dict_entry(library.get("haru"))
    assert (renamed["name"], renamed["description"]) == ("haru", "Haru (stream)")


def test_only_cubism3_live2d_avatars_are_listed(tmp_path: Path, library: AvatarLibrary) -> None:
    cubism2 = write_files(
        tmp_path / "old",
        {"old.model.json": b'{"model": "o.moc", "textures": ["o.png"]}', "o.moc": b"m", "o.png": png_bytes()},
    )
    library.import_model(cubism2)
    assert [c["name"] for c in live2d_models_info(library)["characters"]] == ["hiyori", "mao", "haru"]
    with pytest.raises(ValueError, match="not a Live2D"):
        model_dict_entry(library.get(BUILTIN_ID))
    with pytest.raises(ValueError, match="not a Live2D"):
        model_dict_entry(library.get("old"))


def test_urls_are_percent_encoded(tmp_path: Path, library: AvatarLibrary) -> None:
    mao = copy_sample("Mao", tmp_path / "spaced")
    nested = tmp_path / "pack"
    nested.mkdir()
    mao.rename(nested / "Mao #1 ミ")
    avatar = library.import_model(nested, name="Mao two").avatar
    entry = model_dict_entry(avatar)
    assert entry["url"] == "/live2d-models/mao-two/model/Mao%20%231%20%E3%83%9F/Mao.model3.json"
    assert _served(library, entry["url"]).is_file()


def test_an_empty_library_lists_nothing(tmp_path: Path) -> None:
    with open_db(tmp_path / "db") as db:
        library = make_library(tmp_path, db)
        assert live2d_models_info(library) == {"type": "live2d-models/info", "count": 0, "characters": []}
        assert model_dict(library) == []
