"""Shared fixtures for the voice tests."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest

from studio.core.errors import ProviderError

Transcriber = Callable[..., str]


@pytest.fixture(scope="session")
def transcriber(tmp_path_factory: pytest.TempPathFactory) -> Transcriber:
    """The packaged Whisper base model (studio.speech.asr.packaged_whisper), joined once per run."""
    pytest.importorskip("faster_whisper", reason="faster-whisper is not installed")
    from studio.speech.asr.packaged_whisper import packaged_whisper_model_dir, transcribe

    folder = tmp_path_factory.mktemp("whisper")
    try:
        packaged_whisper_model_dir(folder)
    except ProviderError as exc:
        pytest.skip(f"packaged Whisper model unavailable: {exc}")
    return partial(transcribe, cache_dir=folder)
