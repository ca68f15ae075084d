"""VoxCpmEngine with the real voxcpm package and the tiny random model, in its worker process:
plain, streaming and cloning paths, cancellation, GPU status and validation at the boundary."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest

from studio.core.errors import ValidationError
from studio.speech.tts.voxcpm import VoxCpmEngine, VoxCpmRequest

pytestmark = pytest.mark.asyncio(loop_scope="session")

PATCH_SAMPLES = 7680  # tiny VoxCPM2: 4 latent frames x 1920 samples at 48 kHz = 160 ms per chunk


async def test_load_reports_the_device_and_rate_and_is_idempotent(shared_engine: VoxCpmEngine) -> None:
    assert shared_engine.loaded
    await shared_engine.load()  # again: nothing happens
    assert shared_engine.sample_rate == 48000
    assert shared_engine.device_label == "cpu"  # no GPU here; "auto" fell back to the CPU
    assert shared_engine.architecture == "voxcpm2"
    assert shared_engine.model_name == "tiny"


async def test_plain_generate_returns_float32_audio_of_the_requested_length(
    shared_engine: VoxCpmEngine,
) -> None:
    audio = await shared_engine.generate(
        VoxCpmRequest("Hello world, 你好。", max_len=12, retry_badcase=False)
    )
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert len(audio) == 12 * PATCH_SAMPLES
    assert np.all(np.isfinite(audio)) and 0 < np.max(np.abs(audio)) <= 1.0


async def test_streaming_yields_chunks_as_they_are_made(shared_engine: VoxCpmEngine) -> None:
    t0 = time.perf_counter()
    arrivals: list[float] = []
    chunks = []
    async for chunk in shared_engine.stream(VoxCpmRequest("Streaming test sentence.", max_len=40)):
        arrivals.append(time.perf_counter() - t0)
        chunks.append(chunk)
    total = time.perf_counter() - t0
    assert len(chunks) == 40
    assert all(c.dtype == np.float32 and c.shape == (PATCH_SAMPLES,) for c in chunks)
    # The first chunk comes right after the first decoded patch, long before the end.
    assert arrivals[0] < 0.5 * total, (arrivals[0], total)
    assert arrivals[len(arrivals) // 2] < 0.9 * total


async def test_the_same_seed_gives_the_same_audio(shared_engine: VoxCpmEngine) -> None:
    req = VoxCpmRequest("Seeded.", max_len=6, seed=1234, retry_badcase=False)
    first = await shared_engine.generate(req)
    second = await shared_engine.generate(req)
    other = await shared_engine.generate(VoxCpmRequest("Seeded.", max_len=6, seed=99, retry_badcase=False))
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("wav", ["mono16k", "stereo44k", "mono22k"])
async def test_continuation_cloning_reads_the_prompt_recording(
    shared_engine: VoxCpmEngine, prompt_wavs: dict[str, Path], wav: str
) -> None:
    req = VoxCpmRequest(
        "Continue in my voice.", prompt_wav=prompt_wavs[wav], prompt_text="This is me.", max_len=8
    )
    chunks = [c async for c in shared_engine.stream(req)]
    # Continuation streams start from the prompt's last patches, so the first chunk may be shorter.
    assert len(chunks) >= 8
    assert all(np.all(np.isfinite(c)) for c in chunks)


async def test_reference_cloning_and_the_combined_mode(
    shared_engine: VoxCpmEngine, prompt_wavs: dict[str, Path]
) -> None:
    reference = prompt_wavs["stereo44k"]
    audio = await shared_engine.generate(
        VoxCpmRequest("Timbre only.", reference_wav=reference, max_len=6, retry_badcase=False)
    )
    assert len(audio) == 6 * PATCH_SAMPLES
    both = VoxCpmRequest(
        "Both.", prompt_wav=prompt_wavs["mono16k"], prompt_text="Hi.", reference_wav=reference, max_len=5
    )
    chunks = [c async for c in shared_engine.stream(both)]
    assert sum(len(c) for c in chunks) >= 5 * PATCH_SAMPLES


async def test_leaving_a_stream_early_stops_the_generation(shared_engine: VoxCpmEngine) -> None:
    got = 0
    stream = shared_engine.stream(VoxCpmRequest("A very long utterance. " * 20, max_len=3000))
    async for _ in stream:
        got += 1
        if got == 2:
            break
    await stream.aclose()
    t0 = time.perf_counter()
    audio = await shared_engine.generate(VoxCpmRequest("Next.", max_len=3, retry_badcase=False))
    # 3000 patches would take about a minute; the worker stopped at the next one instead.
    assert time.perf_counter() - t0 < 5.0
    assert len(audio) == 3 * PATCH_SAMPLES


async def test_cancelling_the_consumer_task_stops_the_generation(shared_engine: VoxCpmEngine) -> None:
    started = asyncio.Event()

    async def consume() -> None:
        async for _ in shared_engine.stream(VoxCpmRequest("Cancel me. " * 30, max_len=3000)):
            started.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    audio = await asyncio.wait_for(
        shared_engine.generate(VoxCpmRequest("After.", max_len=2, retry_badcase=False)), 5.0
    )
    assert len(audio) == 2 * PATCH_SAMPLES


async def test_gpu_status_reports_the_cpu_and_answers_during_a_synthesis(shared_engine: VoxCpmEngine) -> None:
    status = await shared_engine.gpu_status()
    assert status.available is False
    assert status.device == "cpu"
    assert status.name
    stream = shared_engine.stream(VoxCpmRequest("Busy. " * 20, max_len=200))
    await stream.__anext__()
    t0 = time.perf_counter()
    assert (await shared_engine.gpu_status()).device == "cpu"
    assert time.perf_counter() - t0 < 1.0  # not queued behind the 200-patch synthesis
    await stream.aclose()


async def test_requests_are_validated_before_reaching_the_worker(
    shared_engine: VoxCpmEngine, tmp_path: Path, prompt_wavs: dict[str, Path]
) -> None:
    cases = {
        "text is empty": VoxCpmRequest("   "),
        "prompt_text is required": VoxCpmRequest("Hi", prompt_wav=prompt_wavs["mono16k"]),
        "prompt_wav is required": VoxCpmRequest("Hi", prompt_text="words"),
        f"prompt_wav file not found: {tmp_path / 'nope.wav'}": VoxCpmRequest(
            "Hi", prompt_wav=tmp_path / "nope.wav", prompt_text="x"
        ),
        "reference_wav file not found": VoxCpmRequest("Hi", reference_wav=tmp_path / "gone.wav"),
        "cfg_value must be between": VoxCpmRequest("Hi", cfg_value=0.0),
        "inference_timesteps must be a whole number between 1 and 100": VoxCpmRequest(
            "Hi", inference_timesteps=0
        ),
        "max_len must be": VoxCpmRequest("Hi", max_len=0),
        "min_len (9) must not be greater than max_len (3)": VoxCpmRequest("Hi", min_len=9, max_len=3),
        "denoise is not available": VoxCpmRequest("Hi", denoise=True),
    }
    for message, req in cases.items():
        with pytest.raises(ValidationError) as info:
            shared_engine.stream(req)  # raised at once, before any iteration
        assert message in str(info.value), (message, str(info.value))
        with pytest.raises(ValidationError):
            await shared_engine.generate(req)
