"""Real PortAudio on ALSA virtual devices: a file tap, and no device at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.audio.conftest import FIXTURES, Runner, portaudio_missing

pytestmark = pytest.mark.skipif(bool(portaudio_missing()), reason=portaudio_missing() or "n/a")


def test_played_samples_reach_the_alsa_file_tap(run_scenario: Runner, tmp_path: Path) -> None:
    r = run_scenario(
        "tap",
        ALSA_CONFIG_PATH=str(FIXTURES / "file_tap.conf"),
        STUDIO_TEST_ALSA_TAP=str(tmp_path / "tap.raw"),
    )
    assert r["default"] == "default (ALSA)"
    assert r["mode"] == "device" and r["message"] == "playing on default (ALSA)"
    # The 24 kHz chirp arrives resampled, bit for bit, on both channels, and nothing after it.
    assert r["max_err_left"] < 1e-6 and r["max_err_right"] < 1e-6
    assert r["after"] == 0.0
    # Where it lands: its pts plus PortAudio's constant priming of the device buffer.
    assert 0 <= r["tap_onset"] - r["pts_frames"] <= 4 * 480
    # Switching devices by name, to a missing one (silent, says so), and back to the default.
    assert r["switches"] == [
        "playing on studio_null (ALSA)",
        "audio device not found: no such card; playing silently",
        "playing on default (ALSA)",
    ]


def test_no_device_plays_silently_and_says_so(run_scenario: Runner) -> None:
    r = run_scenario("no_devices", ALSA_CONFIG_PATH=str(FIXTURES / "no_devices.conf"))
    assert r["devices"] == [] and r["default"] is None and r["by_name"] is None
    assert r["mode"] == "null"
    assert r["message"] == "no audio output device; playing silently"
    assert r["named_message"] == "audio device not found: USB Audio; playing silently"
    assert r["clock_rate"] == pytest.approx(1.0, abs=0.05)
    assert r["events"][0] == ["unavailable", "no audio output device; playing silently"]
