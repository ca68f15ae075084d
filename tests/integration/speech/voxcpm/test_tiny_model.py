"""The tiny VoxCPM builder: deterministic, cached by recipe version, tokenizer loads offline."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from studio.testing.voxcpm_tiny import TINY_VERSION, build_tiny_voxcpm, tiny_voxcpm_dir


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_the_build_is_deterministic_and_cached(tiny_voxcpm: Path, tmp_path: Path) -> None:
    assert f"-r{TINY_VERSION}-" in tiny_voxcpm.name
    again = build_tiny_voxcpm(tmp_path / "again")
    assert _digest(again) == _digest(tiny_voxcpm)
    other_seed = build_tiny_voxcpm(tmp_path / "seed1", seed=1)
    assert _digest(other_seed)["model.safetensors"] != _digest(tiny_voxcpm)["model.safetensors"]
    stamp = (tiny_voxcpm / "model.safetensors").stat().st_mtime_ns
    assert tiny_voxcpm_dir(tiny_voxcpm.parent) == tiny_voxcpm
    assert (tiny_voxcpm / "model.safetensors").stat().st_mtime_ns == stamp  # reused, not rebuilt
    config = json.loads((tiny_voxcpm / "config.json").read_text(encoding="utf-8"))
    assert config["architecture"] == "voxcpm2"
    size = sum(p.stat().st_size for p in tiny_voxcpm.iterdir())
    assert size < 2_000_000


def test_the_tokenizer_loads_offline_and_covers_zh_en_ja(
    tiny_voxcpm: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from transformers import LlamaTokenizerFast

    tokenizer = LlamaTokenizerFast.from_pretrained(str(tiny_voxcpm))
    tokens = tokenizer.tokenize("Hi 今天直播，ありがとう!")
    ids = tokenizer.convert_tokens_to_ids(tokens)
    assert tokenizer.unk_token_id not in ids
    assert "今" in tokens and "あ" in tokens
    assert tokenizer.convert_tokens_to_ids(tokenizer.tokenize("鬱")) != [
        tokenizer.unk_token_id
    ]  # byte fallback
