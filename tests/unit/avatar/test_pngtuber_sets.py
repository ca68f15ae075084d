"""Users' PNGTuber image sets: the documented folder layout and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from studio.avatar.pngtuber import Pose, layout
from studio.avatar.pngtuber_model import PngTuberModelError, SlotKind
from studio.avatar.pngtuber_sets import load_image_set, load_pngtuber


def make_image(
    path: Path, colour: tuple[int, int, int], *, size: tuple[int, int] = (200, 240), mouth: bool = False
) -> None:
    """A simple blob character: a coloured circle, a mouth line or an open mouth."""
    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.new("RGBA", size, (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    w, h = size
    d.ellipse((10, 20, w - 10, h - 10), fill=(*colour, 255))
    if mouth:
        d.ellipse((w // 2 - 20, h * 2 // 3 - 10, w // 2 + 20, h * 2 // 3 + 20), fill=(80, 20, 30, 255))
    else:
        d.line((w // 2 - 20, h * 2 // 3, w // 2 + 20, h * 2 // 3), fill=(80, 20, 30, 255), width=4)
    im.save(path)


def make_set(folder: Path, *, expressions: tuple[str, ...] = ("happy",), blink: bool = True) -> Path:
    make_image(folder / "idle.png", (250, 200, 150))
    make_image(folder / "Talk.PNG", (250, 200, 150), mouth=True)  # names ignore case
    if blink:
        make_image(folder / "blink.png", (230, 180, 130))
    for k, expr in enumerate(expressions):
        make_image(folder / expr / "idle.png", (150, 200 + 20 * k, 250))
        make_image(folder / expr / "open.png", (150, 200 + 20 * k, 250), mouth=True)  # an alias of talk
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    return folder


def test_a_good_set_loads_as_one_frame_layer_per_expression(tmp_path: Path) -> None:
    model = load_pngtuber(make_set(tmp_path / "blob", expressions=("happy", "sad")))
    assert model.canvas == (200, 240)
    assert set(model.expressions) == {"neutral", "happy", "sad"}
    assert model.default_expression == "neutral"
    (layer,) = model.layers
    assert layer.kind is SlotKind.FRAME
    assert model.sprite_for(layer, "neutral", "talk") == "neutral/talk"
    assert model.sprite_for(layer, "neutral", "talk_blink") == "neutral/talk"  # talking wins over blinking
    assert model.sprite_for(layer, "happy", "blink") == "happy/idle"  # no blink image: eyes stay open
    assert model.sprite_for(layer, "happy", "talk") == "happy/talk"
    assert model.area_of("frame") == "Body"


def test_layout_picks_talk_and_blink_frames(tmp_path: Path) -> None:
    model = load_image_set(make_set(tmp_path / "blob"))
    base = (("neutral", 1.0),)
    assert [op.sprite for op in layout(model, Pose(base), 400, 480)] == ["neutral/idle"]
    assert [op.sprite for op in layout(model, Pose(base, mouth="A", mouth_open=0.8), 400, 480)] == [
        "neutral/talk"
    ]
    assert [op.sprite for op in layout(model, Pose(base, eye_open=0.0), 400, 480)] == ["neutral/blink"]
    (op,) = layout(model, Pose(base), 400, 480)
    assert op.quad == pytest.approx((0, 0, 400, 0, 400, 480, 0, 480))


def test_neutral_may_live_in_its_own_folder(tmp_path: Path) -> None:
    folder = tmp_path / "blob"
    make_image(folder / "neutral" / "idle.png", (250, 200, 150))
    make_image(folder / "neutral" / "talk.png", (250, 200, 150), mouth=True)
    model = load_pngtuber(folder)
    assert set(model.expressions) == {"neutral"}


@pytest.mark.parametrize("missing", ["idle.png", "Talk.PNG"])
def test_missing_required_images_name_the_file_and_the_layout(tmp_path: Path, missing: str) -> None:
    folder = make_set(tmp_path / "blob")
    (folder / missing).unlink()
    with pytest.raises(PngTuberModelError) as info:
        load_pngtuber(folder)
    text = info.value.user_message
    assert missing.lower() in text and "'neutral'" in text
    assert "Expected idle.png (mouth closed) and talk.png (mouth open)" in text


def test_an_expression_folder_without_talk_is_refused(tmp_path: Path) -> None:
    folder = make_set(tmp_path / "blob")
    (folder / "happy" / "open.png").unlink()
    with pytest.raises(
        PngTuberModelError, match=r"lacks talk\.png for the expression 'happy'\. It has: idle\.png"
    ):
        load_pngtuber(folder)


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(PngTuberModelError, match="It has no PNG images"):
        load_pngtuber(tmp_path / "empty")
    with pytest.raises(PngTuberModelError, match="does not exist"):
        load_pngtuber(tmp_path / "nowhere")


def test_images_of_different_sizes_are_refused(tmp_path: Path) -> None:
    folder = make_set(tmp_path / "blob")
    make_image(folder / "happy" / "idle.png", (150, 200, 250), size=(100, 120))
    with pytest.raises(
        PngTuberModelError, match=r"same size: happy/idle\.png is 100x120 but idle\.png is 200x240"
    ):
        load_pngtuber(folder)


def test_files_that_are_not_png_are_refused(tmp_path: Path) -> None:
    folder = make_set(tmp_path / "blob")
    Image.new("RGB", (200, 240), (1, 2, 3)).save(folder / "blink.png", "JPEG")
    with pytest.raises(PngTuberModelError, match=r"blink\.png is a JPEG file, not a PNG"):
        load_pngtuber(folder)
    (folder / "blink.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(PngTuberModelError, match=r"blink\.png is not a readable PNG"):
        load_pngtuber(folder)


def test_neutral_twice_and_bad_expression_names_are_refused(tmp_path: Path) -> None:
    folder = make_set(tmp_path / "blob")
    make_image(folder / "neutral" / "idle.png", (250, 200, 150))
    make_image(folder / "neutral" / "talk.png", (250, 200, 150), mouth=True)
    with pytest.raises(PngTuberModelError, match="both at the top and in neutral/"):
        load_pngtuber(folder)
    folder = make_set(tmp_path / "blob2")
    make_image(folder / "very happy" / "idle.png", (250, 200, 150))
    with pytest.raises(PngTuberModelError, match="unusable name"):
        load_pngtuber(folder)
