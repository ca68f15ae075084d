"""The tiny VoxCPM recipe as data (building it needs torch: see the integration tests)."""

from __future__ import annotations

import pytest

from studio.testing.voxcpm_tiny import ARCHITECTURES, tiny_config


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_the_recipe_matches_the_published_rates(architecture: str) -> None:
    config = tiny_config(architecture)
    vae = config["audio_vae_config"]
    assert config["architecture"] == architecture
    assert vae["sample_rate"] == 16000
    assert config["lm_config"]["vocab_size"] > 104  # audio / ref-audio marker ids 101-104 exist
    if architecture == "voxcpm2":
        assert vae["out_sample_rate"] == 48000 and config["patch_size"] == 4
    else:
        assert "out_sample_rate" not in vae and config["patch_size"] == 2


def test_an_unknown_architecture_is_refused() -> None:
    with pytest.raises(ValueError, match="architecture must be one of voxcpm2, voxcpm"):
        tiny_config("vits")
