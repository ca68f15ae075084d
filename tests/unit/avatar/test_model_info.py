"""Model json parsing (Cubism 3+ and 2), file checks, and the settings guessed from a model."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from studio.avatar.archive import find_model_json
from studio.avatar.model_info import ModelFileError, is_model_json, load_model, parse_model_json
from studio.avatar.settings import (
    AvatarSettings,
    EmotionAction,
    check_settings,
    default_settings,
    guess_emotion,
)
from studio.core.errors import ValidationError
from tests.unit.avatar.avatar_files import mini_model_files, png_bytes, sample, write_files


def test_mao_parses_with_its_lipsync_group() -> None:
    info, warnings = load_model(sample("Mao") / "Mao.model3.json")
    assert (info.cubism, info.version, info.name) == (3, 3, "Mao")
    assert info.moc == "Mao.moc3"
    assert info.textures == ("Mao.2048/texture_00.png",)
    assert (info.physics, info.pose, info.display_info) == (
        "Mao.physics3.json",
        "Mao.pose3.json",
        "Mao.cdi3.json",
    )
    assert info.expression_names == tuple(f"exp_0{i}" for i in range(1, 9))
    assert {g: len(m) for g, m in info.motions.items()} == {"Idle": 2, "TapBody": 6}
    assert info.lip_sync_ids == ("ParamA",)
    assert info.mouth_ids == ("ParamA",)
    assert info.eye_blink_ids == ("ParamEyeLOpen", "ParamEyeROpen")
    assert [(h.id, h.key) for h in info.hit_areas] == [("HitAreaHead", "Head"), ("HitAreaBody", "Body")]
    kinds = [r.kind for r in info.referenced_files()]
    assert kinds.count("moc") == 1 and kinds.count("texture") == 1
    assert kinds.count("expression") == 8 and kinds.count("motion") == 8
    assert warnings == []


def test_hiyori_has_no_expressions_and_the_standard_mouth() -> None:
    info, warnings = load_model(sample("Hiyori") / "Hiyori.model3.json")
    assert info.expressions == ()
    assert info.user_data == "Hiyori.userdata3.json"
    assert len(info.textures) == 2
    assert info.mouth_ids == ("ParamMouthOpenY",)
    idle = info.motions["Idle"][0]
    assert (idle.fade_in, idle.fade_out) == (0.5, 0.5)
    assert warnings == []


def test_haru_missing_sounds_are_warnings_not_errors() -> None:
    info, warnings = load_model(sample("Haru") / "Haru.model3.json")
    sounds = [m.sound for m in info.motions["TapBody"]]
    assert sounds[0] == "sounds/haru_talk_13.wav"
    assert len(warnings) == 4
    assert all("sound file" in w and "missing" in w for w in warnings)


def _cubism2(folder: Path) -> Path:
    model = {
        "type": "Live2D Model Setting",
        "model": "moc/tiny.moc",
        "textures": ["moc/tiny.2048/texture_00.png"],
        "physics": "tiny.physics.json",
        "expressions": [{"name": "f01", "file": "exp/f01.exp.json"}],
        "motions": {"idle": [{"file": "mtn/idle.mtn", "fade_in": 2000, "fade_out": 500}], "tap_body": []},
        "hit_areas": [{"name": "head", "id": "D_REF.HEAD"}, {"name": "body", "id": "D_REF.BODY"}],
    }
    write_files(
        folder,
        {
            "tiny.model.json": json.dumps(model).encode("utf-8-sig"),  # a BOM, as Windows editors write
            "moc/tiny.moc": b"moc",
            "moc/tiny.2048/texture_00.png": png_bytes(),
            "exp/f01.exp.json": b"{}",
            "mtn/idle.mtn": b"# motion",
        },
    )
    return folder / "tiny.model.json"


def test_cubism2_model_json(tmp_path: Path) -> None:
    info, warnings = load_model(_cubism2(tmp_path))
    assert (info.cubism, info.name, info.moc) == (2, "tiny", "moc/tiny.moc")
    assert info.mouth_ids == ("PARAM_MOUTH_OPEN_Y",)
    assert info.motions["idle"][0].fade_in == 2.0  # ms -> s
    assert [h.key for h in info.hit_areas] == ["head", "body"]
    assert warnings == ["tiny.model.json: the physics file 'tiny.physics.json' is missing."]
    settings = default_settings(info)
    assert settings.idle_motion_group == "idle"
    assert settings.lip_sync_ids == ("PARAM_MOUTH_OPEN_Y",)
    assert settings.hit_motions == {}  # tap_body is empty: nothing to play
    assert settings.emotion_map == {}


def test_cubism2_tap_body_group_is_found(tmp_path: Path) -> None:
    path = _cubism2(tmp_path)
    data = json.loads(path.read_text("utf-8-sig"))
    data["motions"]["tap_body"] = [{"file": "mtn/idle.mtn"}]
    path.write_text(json.dumps(data))
    assert default_settings(parse_model_json(path)).hit_motions == {"body": "tap_body", "head": "tap_body"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Tiny.model3.json", True),
        ("shizuku.model.json", True),
        ("MODEL.JSON", True),
        ("Tiny.physics3.json", False),
        ("model3.json.bak", False),
    ],
)
def test_is_model_json(name: str, expected: bool) -> None:
    assert is_model_json(name) is expected


def test_references_may_not_leave_the_model_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(png_bytes())
    for bad in ("../secret.png", str(tmp_path / "secret.png")):
        files = mini_model_files()
        model = json.loads(files["Tiny.model3.json"])
        model["FileReferences"]["Textures"] = [bad]
        files["Tiny.model3.json"] = json.dumps(model).encode()
        folder = write_files(tmp_path / f"m{len(bad)}", files)
        with pytest.raises(ModelFileError, match="outside the model folder"):
            load_model(folder / "Tiny.model3.json")


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "m", mini_model_files())
    (tmp_path / "elsewhere.png").write_bytes(png_bytes())
    texture = folder / "Tiny.1024" / "texture_00.png"
    texture.unlink()
    os.symlink(tmp_path / "elsewhere.png", texture)
    with pytest.raises(ModelFileError, match="outside the model folder"):
        load_model(folder / "Tiny.model3.json")


@pytest.mark.parametrize("missing", ["Tiny.moc3", "Tiny.1024/texture_00.png"])
def test_missing_moc_or_texture_is_an_error(tmp_path: Path, missing: str) -> None:
    folder = write_files(tmp_path, mini_model_files())
    (folder / missing).unlink()
    with pytest.raises(ModelFileError, match=f"incomplete: missing .*'{missing}'"):
        load_model(folder / "Tiny.model3.json")


def test_missing_motion_is_a_warning(tmp_path: Path) -> None:
    folder = write_files(tmp_path, mini_model_files())
    (folder / "mtn" / "tap.motion3.json").unlink()
    _, warnings = load_model(folder / "Tiny.model3.json")
    assert warnings == ["Tiny.model3.json: the motion file 'mtn/tap.motion3.json' is missing."]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not a readable JSON file"),
        (b"\xff\xfe\x00garbage", "not a readable JSON file"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"Version": 3}', "FileReferences is missing"),
        (b'{"FileReferences": {"Moc": "a.moc3", "Textures": "t.png"}}', "Textures should be a list"),
        (b'{"FileReferences": {"Moc": "a.moc3", "Textures": []}}', "lists no Textures"),
        (b'{"FileReferences": {"Textures": ["t.png"]}}', "FileReferences.Moc is missing"),
        (
            b'{"FileReferences": {"Moc": "a", "Textures": ["t"], "Motions": {"Idle": [{"File": 3}]}}}',
            r"Motions.Idle\[0\].File should be a string",
        ),
        (b'{"name": "x"}', "no 'FileReferences' for Cubism 3\\+, no 'model' for Cubism 2"),
    ],
)
def test_invalid_model_files_say_what_is_wrong(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / ("x.model.json" if b'"name"' in content else "x.model3.json")
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message):
        parse_model_json(path)


def test_find_model_json_in_nested_folders(tmp_path: Path) -> None:
    write_files(tmp_path / "pack" / "runtime", mini_model_files())
    assert find_model_json(tmp_path) == tmp_path / "pack" / "runtime" / "Tiny.model3.json"
    write_files(tmp_path / "other", mini_model_files("Other"))
    with pytest.raises(ModelFileError, match=r"Found 2 model files \(other/Other.model3.json, pack/runtime"):
        find_model_json(tmp_path)
    with pytest.raises(ModelFileError, match="No Live2D model file found"):
        find_model_json(tmp_path / "pack" / "runtime" / "mtn")


# -- default settings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "emotion"),
    [
        ("Smile", "happy"),
        ("exp_smile02", "happy"),
        ("angry_01", "angry"),
        ("SadFace", "sad"),
        ("Surprised", "surprised"),
        ("blush", "shy"),
        ("normal", "neutral"),
        ("f03", None),
        ("exp_01", None),
        ("happy_sad", None),  # two emotions: no guess
        ("madoka", None),  # words, not substrings
    ],
)
def test_guess_emotion(name: str, emotion: str | None) -> None:
    assert guess_emotion(name) == emotion


def test_defaults_for_a_model_with_named_expressions(tmp_path: Path) -> None:
    folder = write_files(tmp_path, mini_model_files())
    settings = default_settings(parse_model_json(folder / "Tiny.model3.json"))
    assert settings.idle_motion_group == "Idle"
    assert settings.lip_sync_ids == ("ParamMouthA", "ParamMouthB")
    assert settings.emotion_map == {
        "happy": EmotionAction(expression="Smile"),
        "angry": EmotionAction(expression="angry_01"),
    }
    assert settings.hit_motions == {"Head": "TapHead", "Body": "Tap"}
    check_settings(settings, parse_model_json(folder / "Tiny.model3.json"))


def test_defaults_for_the_samples() -> None:
    mao = default_settings(parse_model_json(sample("Mao") / "Mao.model3.json"))
    assert mao.lip_sync_ids == ("ParamA",)
    assert mao.idle_motion_group == "Idle"
    assert mao.hit_motions == {"Head": "TapBody", "Body": "TapBody"}
    assert mao.emotion_map == {}  # exp_01..exp_08 say nothing about emotions
    hiyori = default_settings(parse_model_json(sample("Hiyori") / "Hiyori.model3.json"))
    assert hiyori.lip_sync_ids == ("ParamMouthOpenY",)
    assert hiyori.hit_motions == {"Body": "TapBody"}


def test_check_settings_lists_unknown_names() -> None:
    info = parse_model_json(sample("Mao") / "Mao.model3.json")
    bad = AvatarSettings(
        idle_motion_group="Sleep",
        emotion_map={"Happy": EmotionAction(expression="exp_99", motion="Dance")},
        hit_motions={"Tail": "TapBody"},
    )
    assert "happy" in bad.emotion_map  # keys are lower-cased
    with pytest.raises(ValidationError) as caught:
        check_settings(bad, info)
    message = str(caught.value)
    for part in ("'Sleep'", "'exp_99'", "'Dance'", "'Tail'"):
        assert part in message
    check_settings(AvatarSettings(emotion_map={"happy": EmotionAction(expression="exp_03")}), info)


def test_settings_validation() -> None:
    from pydantic import ValidationError as PydanticError

    with pytest.raises(PydanticError):
        AvatarSettings(scale=0)
    with pytest.raises(PydanticError):
        AvatarSettings(lip_sync_ids=())
    with pytest.raises(PydanticError):
        AvatarSettings.model_validate({"background": {"mode": "chroma", "color": "green"}})
    with pytest.raises(PydanticError):
        AvatarSettings.model_validate({"background": {"mode": "image", "image": "../x.png"}})
    with pytest.raises(PydanticError):
        AvatarSettings.model_validate({"background": {"mode": "image"}})
    with pytest.raises(PydanticError):
        EmotionAction()
    ok = AvatarSettings.model_validate({"background": {"mode": "chroma", "color": "#00ff00"}})
    assert ok.background.color == "#00FF00"
    assert AvatarSettings.model_validate_json(ok.model_dump_json()) == ok
