"""Device listing over a fake sounddevice module (pure logic), and no-PortAudio tolerance."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from studio.audio import devices


class FakePortAudioError(Exception):
    pass


def _fake_sd(devs: list[dict[str, Any]], default_out: int, fail: bool = False) -> SimpleNamespace:
    apis = [{"name": "ALSA", "default_output_device": default_out}, {"name": "JACK Audio Connection Kit"}]

    def query_devices(device: int | None = None, kind: str | None = None) -> Any:
        if fail or (kind == "output" and default_out < 0):
            raise FakePortAudioError("Error querying device -1")
        if kind == "output":
            return {**devs[default_out], "index": default_out}
        return devs

    def query_hostapis(index: int | None = None) -> Any:
        return apis if index is None else apis[index]

    return SimpleNamespace(
        query_devices=query_devices,
        query_hostapis=query_hostapis,
        PortAudioError=FakePortAudioError,
    )


DEVS: list[dict[str, Any]] = [
    {"name": "USB Mic", "hostapi": 0, "max_output_channels": 0, "max_input_channels": 1},
    {
        "name": "HDA Intel PCH: ALC892 Analog (hw:0,0)",
        "hostapi": 0,
        "max_output_channels": 8,
        "default_samplerate": 44100.0,
        "default_low_output_latency": 0.0058,
    },
    {
        "name": "USB Audio Device (hw:1,0)",
        "hostapi": 0,
        "max_output_channels": 2,
        "default_samplerate": 48000.0,
    },
    {"name": "system", "hostapi": 1, "max_output_channels": 2},
]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimpleNamespace]:
    sd = _fake_sd(DEVS, default_out=2)
    monkeypatch.setattr(devices._PortAudio, "module", sd)
    monkeypatch.setattr(devices._PortAudio, "error", "")
    yield sd


def test_lists_only_outputs_with_hostapi_and_default(fake: SimpleNamespace) -> None:
    outs = devices.list_output_devices()
    assert [d.index for d in outs] == [1, 2, 3]
    usb = outs[1]
    assert usb.is_default and usb.hostapi == "ALSA" and usb.max_output_channels == 2
    assert outs[2].label == "system (JACK Audio Connection Kit)"
    assert devices.default_output_device() == usb


def test_find_by_index_exact_name_case_and_substring(fake: SimpleNamespace) -> None:
    assert devices.find_output_device(None) is not None
    assert devices.find_output_device("") == devices.default_output_device()
    assert devices.find_output_device(1).name.startswith("HDA")  # type: ignore[union-attr]
    assert devices.find_output_device(0) is None  # input-only
    assert devices.find_output_device("system").index == 3  # type: ignore[union-attr]
    assert devices.find_output_device("usb audio").index == 2  # type: ignore[union-attr]
    assert devices.find_output_device("JACK").index == 3  # type: ignore[union-attr]
    assert devices.find_output_device("nope") is None


def test_portaudio_error_means_no_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devices._PortAudio, "module", _fake_sd(DEVS, 2, fail=True))
    monkeypatch.setattr(devices._PortAudio, "error", "")
    assert devices.list_output_devices() == []
    assert devices.default_output_device() is None
    assert devices.find_output_device("USB") is None


def test_no_default_output_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devices._PortAudio, "module", _fake_sd(DEVS, -1))
    monkeypatch.setattr(devices._PortAudio, "error", "")
    assert devices.default_output_device() is None
    assert len(devices.list_output_devices()) == 3


def test_missing_portaudio_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devices._PortAudio, "module", None)
    monkeypatch.setattr(devices._PortAudio, "error", "PortAudio is not available: libportaudio.so.2")
    assert devices.sounddevice_module() is None
    assert devices.list_output_devices() == []
    assert devices.find_output_device(None) is None
    assert "PortAudio" in devices.why_unavailable()
    assert devices.refresh() is False
