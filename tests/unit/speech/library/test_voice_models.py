"""Voice model imports on real folders: StreamCream's GPT-SoVITS grouping rules, VoxCPM folders,
links, zips, removal. The weights are tiny fake files: the manager only copies and groups them."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from studio.core.errors import NotFoundError, ValidationError
from studio.speech.library.model_files import content_root, extract_zip
from studio.speech.library.voice_models import (
    GptSovitsGroup,
    GptSovitsPair,
    VoiceModelManager,
    group_name,
    pair_base,
)


def _touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def manager(tmp_path: Path) -> VoiceModelManager:
    return VoiceModelManager(tmp_path / "studio" / "models" / "voices")


def make_install(root: Path) -> Path:
    """A folder laid out like a GPT-SoVITS install (with things that must not be copied)."""
    for rel in (
        "GPT_weights/alice-e10.ckpt",
        "GPT_weights/alice-e15.ckpt",  # same base: the later epoch wins
        "GPT_weights/bob_e8.ckpt",
        "GPT_weights/lonely-e5.ckpt",  # no SoVITS twin: not listed
        "SoVITS_weights/alice_e8_s100.pth",
        "SoVITS_weights/bob-e8_s200.pth",
        "GPT_weights_v2/carol-e10.ckpt",
        "SoVITS_weights_v2/carol_e8_s96.pth",
        "GPT_weights_v2/notes.txt",
        "GPT_weights_v3/dave-e5.ckpt",  # no SoVITS_weights_v3 folder: no group
        "参考音频/alice.wav",
        "参考音频/carol.wav",
        "参考音频/readme.txt",
        "参考音频.wav",
        "GPT_SoVITS/pretrained_models/s1bert.ckpt",  # the install's own models: ignored
        "runtime/python.exe",
        "api_v2.py",
    ):
        _touch(root / rel, rel.encode())
    return root


EXPECTED = [
    GptSovitsGroup(
        "默认模型",
        "",
        {
            "alice": GptSovitsPair("alice", "GPT_weights/alice-e15.ckpt", "SoVITS_weights/alice_e8_s100.pth"),
            "bob": GptSovitsPair("bob", "GPT_weights/bob_e8.ckpt", "SoVITS_weights/bob-e8_s200.pth"),
        },
    ),
    GptSovitsGroup(
        "v2模型",
        "_v2",
        {
            "carol": GptSovitsPair(
                "carol", "GPT_weights_v2/carol-e10.ckpt", "SoVITS_weights_v2/carol_e8_s96.pth"
            )
        },
    ),
]


def test_streamcream_naming_rules() -> None:
    assert group_name("") == "默认模型"
    assert group_name("_v2") == "v2模型"
    assert group_name("_v2Pro") == "v2Pro模型"
    assert pair_base("foo-e15.ckpt") == "foo"
    assert pair_base("foo_e8_s100.pth") == "foo"
    assert pair_base("a_b-c.pth") == "a_b"  # '-' first, whatever comes before it
    assert pair_base("plain.ckpt") == "plain"


def test_import_install_layout_groups_exactly(manager: VoiceModelManager, tmp_path: Path) -> None:
    src = make_install(tmp_path / "GPT-SoVITS-v2")
    seen: list[float] = []
    groups = manager.import_gpt_sovits(src, seen.append)
    assert groups == EXPECTED
    assert list(groups[0].pairs) == ["alice", "bob"]
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
    root = manager.gpt_sovits_root
    assert (root / "参考音频.wav").read_bytes() == "参考音频.wav".encode()
    assert manager.reference_audios() == [
        ("alice", "alice.wav", "参考音频/alice.wav"),
        ("carol", "carol.wav", "参考音频/carol.wav"),
    ]
    copied = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert not any(c.startswith(("GPT_SoVITS/", "runtime/")) or c.endswith((".txt", ".py")) for c in copied)
    assert not [p for p in root.iterdir() if p.name.startswith(".staging-")]
    assert manager.gpt_sovits_groups() == EXPECTED


def test_import_flat_folder_goes_to_default_group(manager: VoiceModelManager, tmp_path: Path) -> None:
    src = tmp_path / "my voice"
    for rel in ("xiaoxue-e15.ckpt", "xiaoxue_e8_s120.pth", "xiaoxue.wav", "notes.md"):
        _touch(src / rel)
    groups = manager.import_gpt_sovits(src)
    assert groups == [
        GptSovitsGroup(
            "默认模型",
            "",
            {
                "xiaoxue": GptSovitsPair(
                    "xiaoxue", "GPT_weights/xiaoxue-e15.ckpt", "SoVITS_weights/xiaoxue_e8_s120.pth"
                )
            },
        )
    ]
    assert manager.reference_audios() == [("xiaoxue", "xiaoxue.wav", "参考音频/xiaoxue.wav")]


def test_reimport_replaces_and_adds(manager: VoiceModelManager, tmp_path: Path) -> None:
    manager.import_gpt_sovits(make_install(tmp_path / "a"))
    src = tmp_path / "b"
    _touch(src / "bob-e8_s200.pth", b"new")  # pairs with the bob .ckpt already imported
    _touch(src / "eve-e1.ckpt")
    _touch(src / "eve-e1.pth")
    groups = manager.import_gpt_sovits(src)
    assert list(groups[0].pairs) == ["alice", "bob", "eve"]
    assert (manager.gpt_sovits_root / "SoVITS_weights/bob-e8_s200.pth").read_bytes() == b"new"


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ((), "No GPT-SoVITS weights"),
        (("readme.txt", "song.mp3"), "No GPT-SoVITS weights"),
        (("a-e1.ckpt", "b-e1.pth"), "none pair up"),
        (("GPT_weights_v2/a-e1.ckpt", "SoVITS_weights/a_e1.pth"), "none pair up"),
    ],
)
def test_invalid_folders_are_refused(
    manager: VoiceModelManager, tmp_path: Path, files: tuple[str, ...], words: str
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for rel in files:
        _touch(src / rel)
    with pytest.raises(ValidationError, match=words):
        manager.import_gpt_sovits(src)
    assert manager.gpt_sovits_groups() == []


def test_missing_folder_and_own_folder_refused(manager: VoiceModelManager, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not a folder"):
        manager.import_gpt_sovits(tmp_path / "nope")
    manager.import_gpt_sovits(make_install(tmp_path / "a"))
    with pytest.raises(ValidationError, match="outside the studio"):
        manager.import_gpt_sovits(manager.gpt_sovits_root)


def test_links_out_of_the_source_are_refused(manager: VoiceModelManager, tmp_path: Path) -> None:
    secret = _touch(tmp_path / "elsewhere" / "secret.ckpt", b"secret")
    src = tmp_path / "src"
    _touch(src / "a-e1.ckpt")
    _touch(src / "a-e1.pth")
    os.symlink(secret, src / "b-e1.ckpt")
    with pytest.raises(ValidationError, match="outside the folder"):
        manager.import_gpt_sovits(src)
    # a linked weights folder pointing out is refused too
    src2 = tmp_path / "src2"
    src2.mkdir()
    os.symlink(secret.parent, src2 / "GPT_weights")
    with pytest.raises(ValidationError, match="outside"):
        manager.import_gpt_sovits(src2)
    # a link that stays inside the source is read through
    src3 = tmp_path / "src3"
    real = _touch(src3 / "store" / "c-e1.ckpt", b"real")
    _touch(src3 / "c-e1.pth")
    os.symlink(real, src3 / "c-e1.ckpt")
    groups = manager.import_gpt_sovits(src3)
    assert list(groups[0].pairs) == ["c"]
    assert (manager.gpt_sovits_root / "GPT_weights/c-e1.ckpt").read_bytes() == b"real"


def test_remove_pair(manager: VoiceModelManager, tmp_path: Path) -> None:
    manager.import_gpt_sovits(make_install(tmp_path / "a"))
    manager.remove_gpt_sovits_pair("alice")
    groups = manager.gpt_sovits_groups()
    assert [list(g.pairs) for g in groups] == [["bob"], ["carol"]]
    assert (manager.gpt_sovits_root / "参考音频/alice.wav").exists()  # references stay
    manager.remove_gpt_sovits_pair("carol")
    assert [g.name for g in manager.gpt_sovits_groups()] == ["默认模型"]
    with pytest.raises(NotFoundError):
        manager.remove_gpt_sovits_pair("alice")


# ---- VoxCPM ----------------------------------------------------------------------------------------


def make_voxcpm(folder: Path, architecture: str = "voxcpm2", **vae: int) -> Path:
    config = {
        "architecture": architecture,
        "lm_config": {"hidden_size": 8},
        "encoder_config": {"hidden_dim": 8},
        "dit_config": {"hidden_dim": 8, "cfm_config": {}},
    }
    if vae:
        config["audio_vae_config"] = vae
    _touch(folder / "config.json", json.dumps(config).encode())
    _touch(folder / "model.safetensors", b"w" * 1000)
    _touch(folder / "audiovae.pth", b"v" * 500)
    _touch(folder / "tokenizer.json", b"{}")
    _touch(folder / "tokenizer_config.json", b"{}")
    _touch(folder / ".git" / "HEAD", b"ref")  # hidden: not copied
    return folder


def test_voxcpm_import_list_remove(manager: VoiceModelManager, tmp_path: Path) -> None:
    seen: list[float] = []
    info = manager.import_voxcpm(make_voxcpm(tmp_path / "VoxCPM2"), progress=seen.append)
    assert (info.name, info.architecture, info.sample_rate) == ("VoxCPM2", "voxcpm2", 48000)
    assert info.folder == manager.voxcpm_root / "VoxCPM2"
    assert (info.folder / "tokenizer_config.json").exists() and not (info.folder / ".git").exists()
    assert seen[-1] == 1.0
    v1 = manager.import_voxcpm(make_voxcpm(tmp_path / "v15", "voxcpm", sample_rate=44100), name="小雪 1.5")
    assert (v1.name, v1.architecture, v1.sample_rate) == ("小雪-1.5", "voxcpm", 44100)
    custom = manager.import_voxcpm(make_voxcpm(tmp_path / "c", out_sample_rate=24000), name="c")
    assert custom.sample_rate == 24000
    assert [m.name for m in manager.voxcpm_models()] == ["c", "VoxCPM2", "小雪-1.5"]
    with pytest.raises(ValidationError, match="exists"):
        manager.import_voxcpm(make_voxcpm(tmp_path / "again"), name="VoxCPM2")
    manager.remove_voxcpm("VoxCPM2")
    assert [m.name for m in manager.voxcpm_models()] == ["c", "小雪-1.5"]
    with pytest.raises(NotFoundError):
        manager.voxcpm_model("VoxCPM2")
    with pytest.raises(NotFoundError):
        manager.remove_voxcpm("../gpt_sovits")


@pytest.mark.parametrize(
    ("breakage", "words"),
    [
        ("config.json", "no config.json"),
        ("model.safetensors", "weights"),
        ("audiovae.pth", "AudioVAE"),
        ("tokenizer.json", "tokenizer"),
        ("arch", "architecture 'cosyvoice'"),
        ("json", "not valid JSON"),
    ],
)
def test_voxcpm_invalid_folders(
    manager: VoiceModelManager, tmp_path: Path, breakage: str, words: str
) -> None:
    folder = make_voxcpm(tmp_path / "m")
    if breakage == "arch":
        make_voxcpm(folder, "cosyvoice")
    elif breakage == "json":
        (folder / "config.json").write_text("{nope")
    else:
        (folder / breakage).unlink()
    with pytest.raises(ValidationError, match=words):
        manager.import_voxcpm(folder)
    assert manager.voxcpm_models() == []


# ---- zips ------------------------------------------------------------------------------------------


def test_zip_extraction_is_safe(tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("voice/GPT_weights/a-e1.ckpt", b"g")
        zf.writestr("voice/SoVITS_weights/a_e1.pth", b"s")
        zf.writestr("__MACOSX/voice/._a-e1.ckpt", b"junk")
    dest = tmp_path / "out"
    dest.mkdir()
    assert extract_zip(good, dest) == 2
    assert content_root(dest) == dest / "voice"
    for name, words in (("../evil.ckpt", "leaving"), ("/etc/evil", "absolute"), ("C:/x.pth", "absolute")):
        bad = tmp_path / "bad.zip"
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr(name, b"x")
        out = tmp_path / f"o{len(name)}"
        out.mkdir()
        with pytest.raises(ValidationError, match=words):
            extract_zip(bad, out)
        assert not (tmp_path / "evil.ckpt").exists()
    link = tmp_path / "link.zip"
    with zipfile.ZipFile(link, "w") as zf:
        info = zipfile.ZipInfo("a-e1.ckpt")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    out = tmp_path / "olink"
    out.mkdir()
    with pytest.raises(ValidationError, match="link"):
        extract_zip(link, out)
    notzip = tmp_path / "x.zip"
    notzip.write_bytes(b"nope")
    with pytest.raises(ValidationError, match="not a readable zip"):
        extract_zip(notzip, out)


def test_zip_limit_and_gbk_names(tmp_path: Path) -> None:
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w") as zf:
        zf.writestr("a.bin", b"\0" * 5000)
    out = tmp_path / "o"
    out.mkdir()
    with pytest.raises(ValidationError, match="larger than"):
        extract_zip(big, out, max_total_bytes=4000)
    # a zip made on Chinese Windows: GBK names without the UTF-8 flag
    gbk = tmp_path / "gbk.zip"

    class GbkInfo(zipfile.ZipInfo):  # what such a zip tool writes: raw GBK bytes, no flag
        def _encodeFilenameFlags(self) -> tuple[bytes, int]:
            return self.filename.encode("gbk"), self.flag_bits

    with zipfile.ZipFile(gbk, "w") as zf:
        zf.writestr(GbkInfo("参考音频/a.wav"), b"w")
    out2 = tmp_path / "o2"
    out2.mkdir()
    extract_zip(gbk, out2)
    assert (out2 / "参考音频" / "a.wav").read_bytes() == b"w"
