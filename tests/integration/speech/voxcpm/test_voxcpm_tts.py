"""VoxCpmTTS (the studio voice "voxcpm:<model>") on the tiny model: chunks with paced text spans,
cloning the selected speaker, clear errors, and speech through TtsService."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.core.errors import ProviderError
from studio.speech.tts.base import TtsEngine, TtsOptions
from studio.speech.tts.service import TtsService
from studio.speech.tts.voxcpm import VoxCpmEngine, VoxCpmTTS, read_model_config

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _tts(
    engine: VoxCpmEngine | None, speaker: tuple[Path, str] | None = None, rate: int | None = None
) -> VoxCpmTTS:
    async def get_engine() -> VoxCpmEngine | None:
        return engine

    return VoxCpmTTS(get_engine, "tiny", lambda: speaker, sample_rate=rate)


async def test_the_voice_is_listed_before_loading_with_the_configs_rate(tiny_voxcpm: Path) -> None:
    tts = _tts(None, rate=read_model_config(tiny_voxcpm).sample_rate)
    assert isinstance(tts, TtsEngine)
    [voice] = tts.voices()
    assert voice.id == "voxcpm:tiny" and voice.engine == "voxcpm"
    assert voice.languages == ("zh", "en", "ja")
    assert voice.sample_rate == 48000
    assert voice.offline


async def test_stream_yields_chunks_whose_spans_cover_the_text_in_order(shared_engine: VoxCpmEngine) -> None:
    tts = _tts(shared_engine)
    text = "今天直播聊游戏。"
    chunks = [c async for c in tts.stream(text, "voxcpm:tiny", TtsOptions())]
    assert len(chunks) > 10
    assert all(c.sample_rate == 48000 and c.voice_id == "voxcpm:tiny" for c in chunks)
    assert [c.final for c in chunks] == [False] * (len(chunks) - 1) + [True]
    assert chunks[-1].duration == pytest.approx(0.01)
    assert not np.any(chunks[-1].pcm)
    spans = [c.span for c in chunks]
    assert all(s is not None for s in spans)
    assert "".join(c.voiced_text for c in chunks) == text
    assert [s.start for s in spans if s] == sorted(s.start for s in spans if s)
    assert chunks[-1].voiced_text  # the last character is never handed out early
    # Paced: about one Han character per 0.2 s of audio, never ahead of it.
    heard = 0.0
    said = 0
    for chunk in chunks[:-1]:
        heard += chunk.duration
        said += len(chunk.voiced_text)
        assert said * 0.2 <= heard + 1e-9


async def test_the_selected_speaker_is_cloned(
    shared_engine: VoxCpmEngine, prompt_wavs: dict[str, Path]
) -> None:
    tts = _tts(shared_engine, speaker=(prompt_wavs["mono16k"], "This is my voice."))
    chunks = [c async for c in tts.stream("Hi.", "voxcpm:tiny", TtsOptions(volume=0.5))]
    assert chunks[-1].final and len(chunks) > 2
    no_transcript = _tts(shared_engine, speaker=(prompt_wavs["stereo44k"], ""))
    assert [c async for c in no_transcript.stream("Hi.", "voxcpm:tiny", TtsOptions())]


async def test_errors_are_provider_errors_the_service_can_fall_back_on(
    shared_engine: VoxCpmEngine, tmp_path: Path
) -> None:
    with pytest.raises(ProviderError, match="No VoxCPM model is selected"):
        [c async for c in _tts(None).stream("Hi.", "voxcpm:tiny", TtsOptions())]
    with pytest.raises(ProviderError, match="Unknown VoxCPM voice"):
        [c async for c in _tts(shared_engine).stream("Hi.", "voxcpm:other", TtsOptions())]
    missing = tmp_path / "deleted-speaker.wav"
    with pytest.raises(ProviderError, match=r"deleted-speaker\.wav"):
        [
            c
            async for c in _tts(shared_engine, speaker=(missing, "words")).stream(
                "Hi.", "voxcpm:tiny", TtsOptions()
            )
        ]
    assert [c async for c in _tts(shared_engine).stream("  ", "voxcpm:tiny", TtsOptions())] == []


async def test_tts_service_speaks_with_the_voxcpm_voice(shared_engine: VoxCpmEngine) -> None:
    tts = _tts(shared_engine)
    service = TtsService({"voxcpm": tts}, defaults={"zh": "voxcpm:tiny"})
    await service.warm_up(["voxcpm:tiny"])
    chunks = [c async for c in service.stream("你好。再见。", "voxcpm:tiny")]
    assert chunks[-1].final and sum(c.final for c in chunks) == 1
    assert {c.voice_id for c in chunks} == {"voxcpm:tiny"}
    assert sum(c.duration for c in chunks) > 1.0
    await service.close()  # closes the adapter, not the shared engine
    assert shared_engine.loaded
