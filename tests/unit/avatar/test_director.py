"""AvatarDirector with an injected clock: idle/blink schedules, emotions, decay, motions, mouth."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from studio.avatar.direction import EYE_PARAMS
from studio.avatar.director import (
    PRIORITY_IDLE,
    AvatarDirector,
    BlinkSchedule,
    DirectorConfig,
    EmotionBinding,
)
from studio.avatar.emotion import EmotionClassifier
from studio.avatar.lipsync import LipSyncTimeline
from studio.avatar.state import MotionRequest
from studio.brain.tags import EmotionTagEvent
from studio.core.bus import EventBus
from studio.core.errors import ConfigError
from studio.core.frames import AudioChunk
from studio.pipeline.speaker import SpeechEvent
from tests.unit.avatar.signals import HILLENBRAND, silence, syllable

SR = 22050
AUDIO_AT = 1.0
LIVE2D = {
    "emotions": {"neutral": None, "joy": {"expression": "f01", "motion": "Happy"}, "sad": "f03"},
    "talk_motion": "TapBody",
    "idle_motion": "Idle",
    "idle_interval": [5, 10],
    "expression_hold": 2.0,
}


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def classifier() -> Iterator[EmotionClassifier]:
    c = EmotionClassifier()
    c.classify_sync("warm up")
    yield c
    asyncio.run(c.close())


@pytest.fixture
def lipsync() -> LipSyncTimeline:
    """Three syllables with pauses, heard from pts 1.0 s."""
    (f1, f2), _ = HILLENBRAND["A"]
    parts = [syllable(f1, f2, dur=0.25), silence(0.5), syllable(f1, f2, dur=0.2), silence(0.2)]
    parts.append(syllable(f1, f2, dur=0.3))
    pcm = np.concatenate(parts).astype(np.float32)
    timeline = LipSyncTimeline()
    timeline.add(AudioChunk(pcm=pcm, sample_rate=SR, language="en", final=True), AUDIO_AT)
    return timeline


def closed_inside(timeline: LipSyncTimeline) -> float:
    """A pts inside the audio where the mouth is closed (a pause between syllables)."""
    for pts in np.arange(AUDIO_AT + 0.3, timeline.end_pts, 0.01):
        if timeline.value_at(float(pts)).mouth_open == 0.0:
            return float(pts)
    raise AssertionError("no pause")


def director(lipsync: LipSyncTimeline, clock: Clock, config: object = None, **kw: object) -> AvatarDirector:
    return AvatarDirector(lipsync, config=config or LIVE2D, monotonic=clock, seed=3, **kw)  # type: ignore[arg-type]


def idle_times(seed: int, seconds: float = 120.0) -> list[float]:
    clock = Clock(0.0)
    d = AvatarDirector(LipSyncTimeline(), config=LIVE2D, monotonic=clock, seed=seed)
    out: list[float] = []
    serial = -1
    for k in range(int(seconds * 10) + 1):
        clock.t = k / 10
        d.tick()
        motion = d.state.motion
        if motion is not None and motion.serial != serial:
            serial = motion.serial
            assert motion.group == "Idle" and motion.priority == PRIORITY_IDLE
            out.append(round(clock.t, 1))
    return out


def test_frame_state_mouth_is_the_timeline_value_at_pts(lipsync: LipSyncTimeline) -> None:
    d = director(lipsync, Clock())
    saw_open = False
    for pts in np.arange(0.5, 2.8, 0.0071):
        state = d.frame_state(float(pts))
        frame = lipsync.value_at(float(pts))
        assert state.mouth == frame.as_params()
        if frame.mouth_open > 0:
            saw_open = True
            assert state.speaking
    assert saw_open
    assert not d.frame_state(0.5).speaking
    assert not d.frame_state(3.5).speaking


def test_mouth_always_comes_from_lipsync_while_a_motion_is_active(lipsync: LipSyncTimeline) -> None:
    clock = Clock()
    d = director(lipsync, clock, {**LIVE2D, "drive_blink": True})
    d.tick()  # idle motion
    assert d.state.motion is not None
    d.speech_started("hello there")
    assert d.state.motion == MotionRequest("TapBody", -1, 2, d.state.motion.serial)
    mouth_ids = set(lipsync.value_at(0).as_params())
    for pts in np.arange(AUDIO_AT, AUDIO_AT + 1.2, 0.01):
        state = d.frame_state(float(pts))
        assert state.motion is not None and state.motion.group == "TapBody"
        assert state.mouth == lipsync.value_at(float(pts)).as_params()
        assert not mouth_ids & set(state.params)  # nothing else writes mouth parameters
    assert d.state.mouth == {}  # the snapshot itself never carries a mouth


def test_speaking_holds_through_a_pause_inside_an_utterance(lipsync: LipSyncTimeline) -> None:
    d = director(lipsync, Clock())
    pause = closed_inside(lipsync)
    assert not d.frame_state(pause).speaking
    d.speech_started("hello")
    assert d.frame_state(pause).speaking
    d.speech_ended()
    assert not d.frame_state(pause).speaking


def test_reader_thread_always_sees_a_whole_snapshot(lipsync: LipSyncTimeline) -> None:
    d = director(lipsync, Clock())
    pairs: set[tuple[str | None, str | None]] = set()
    stop = threading.Event()

    def render() -> None:
        while not stop.is_set():
            state = d.frame_state(AUDIO_AT + 0.1)
            pairs.add((state.expression, state.motion.group if state.motion else None))

    thread = threading.Thread(target=render)
    thread.start()
    for k in range(3000):  # each change publishes expression and motion together
        d.set_emotion("happy" if k % 2 else "sad", motion=True)
    stop.set()
    thread.join()
    assert pairs <= {(None, None), ("f01", "Happy"), ("f03", "TapBody")}
    assert len(pairs) >= 2


def test_idle_schedule_is_deterministic_with_a_seed() -> None:
    a, b, c = idle_times(11), idle_times(11), idle_times(12)
    assert a == b
    assert a != c
    assert a[0] == 0.0  # idle starts at once
    gaps = np.diff(a)
    assert len(a) >= 120 / 10
    assert gaps.min() >= 5.0 - 0.1 and gaps.max() <= 10.0 + 0.1


def test_no_idle_motion_while_speaking_or_while_a_motion_plays(lipsync: LipSyncTimeline) -> None:
    clock = Clock()
    d = director(lipsync, clock)
    d.tick()
    d.speech_started("a long speech")
    serial = d.state.motion.serial if d.state.motion else 0
    for _ in range(300):  # 30 s of speech
        clock.t += 0.1
        d.tick()
    assert d.state.motion is not None and d.state.motion.serial == serial
    d.speech_ended()
    clock.t += 4.9
    d.tick()
    assert d.state.motion.serial == serial  # the next idle is at least 5 s away
    d.play_motion("Wave")
    clock.t += 3.9
    d.tick()
    assert d.state.motion.group == "Wave"
    clock.t += 10.2
    d.tick()
    assert d.state.motion.group == "Idle"


def test_blink_schedule_is_deterministic_and_natural() -> None:
    ts = np.arange(0.0, 600.0, 0.01)
    a = np.array([BlinkSchedule(5).eye_open(float(t)) for t in ts])
    b = np.array([BlinkSchedule(5).eye_open(float(t)) for t in ts])
    c = np.array([BlinkSchedule(6).eye_open(float(t)) for t in ts])
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.min() < 0.1 and a.max() == 1.0
    closes = np.count_nonzero((a[1:] < 0.5) & (a[:-1] >= 0.5))
    assert 12 * 10 <= closes <= 20 * 10  # 12-20 blinks a minute, like people
    # Any instant can be asked alone (renderers may jump in time): same answer as in sequence.
    assert BlinkSchedule(5).eye_open(float(ts[4321])) == a[4321]


def test_director_drives_blink_only_when_asked(lipsync: LipSyncTimeline) -> None:
    plain = director(lipsync, Clock())
    assert not set(EYE_PARAMS) & set(plain.frame_state(1.0).params)
    driven = director(lipsync, Clock(), {**LIVE2D, "drive_blink": True})
    for pts in (0.3, 1.7, 12.34):
        params = driven.frame_state(pts).params
        assert params[EYE_PARAMS[0]] == params[EYE_PARAMS[1]] == driven.blink.eye_open(pts)
    assert driven.config.auto_blink and driven.config.auto_breath


def test_emotion_tag_sets_expression_and_its_motion(lipsync: LipSyncTimeline) -> None:
    d = director(lipsync, Clock())
    d.tag(" 太好了！", "happy")
    d.speech_started("太好了！")
    assert d.emotion == "happy"
    assert d.state.expression == "f01"
    assert d.state.motion is not None and d.state.motion.group == "Happy"
    d.speech_ended()
    d.speech_started("太好了！")  # a tag is used once
    assert d.state.motion is not None and d.state.motion.group == "TapBody"


async def test_tag_events_and_speech_events_from_the_bus(lipsync: LipSyncTimeline) -> None:
    bus = EventBus()
    d = director(lipsync, Clock())
    d.attach(bus)
    bus.publish(EmotionTagEvent(text="好难过", emotion="sad"))
    bus.publish(SpeechEvent(state="started", text="好难过"))
    assert d.state.expression == "f03"
    assert d.frame_state(AUDIO_AT + 0.1).speaking
    assert d.frame_state(closed_inside(lipsync)).speaking
    bus.publish(SpeechEvent(state="interrupted", text="好难过"))
    assert not d.frame_state(closed_inside(lipsync)).speaking
    await d.close()
    bus.publish(SpeechEvent(state="started", text="x"))
    assert d.state.expression == "f03"  # detached


@pytest.mark.parametrize(
    ("text", "emotion", "expression"),
    [("I'm so sorry for your loss.", "sad", "f03"), ("太好了！我们赢了！", "happy", "f01")],
)
async def test_classifier_sets_the_emotion_when_there_is_no_tag(
    lipsync: LipSyncTimeline, classifier: EmotionClassifier, text: str, emotion: str, expression: str
) -> None:
    d = director(lipsync, Clock(), classifier=classifier)
    d.speech_started(text)
    assert d.state.motion is None  # the motion waits for the emotion (until classify_timeout)
    await d.settle()
    assert d.emotion == emotion
    assert d.state.expression == expression
    group = {"happy": "Happy", "sad": "TapBody"}[emotion]
    assert d.state.motion is not None and d.state.motion.group == group
    await d.close()


async def test_a_late_classification_only_sets_the_expression(
    lipsync: LipSyncTimeline, classifier: EmotionClassifier
) -> None:
    clock = Clock()
    d = director(lipsync, clock, classifier=classifier)
    d.speech_started("太好了！我们赢了！")
    clock.t += 0.31
    d.tick()
    talk = d.state.motion
    assert talk is not None and talk.group == "TapBody"
    await d.settle()
    assert d.state.expression == "f01"
    assert d.state.motion == talk
    await d.close()


async def test_tag_wins_and_a_stale_classification_is_dropped(
    lipsync: LipSyncTimeline, classifier: EmotionClassifier
) -> None:
    d = director(lipsync, Clock(), classifier=classifier)
    d.tag("Hooray, we won!", "sad")
    d.speech_started("Hooray, we won!")
    await d.settle()
    assert d.emotion == "sad"  # the tag, although the line reads happy
    d.speech_started("太好了！我们赢了！")  # classified ...
    d.speech_ended()
    d.tag("好难过", "sad")
    d.speech_started("好难过")  # ... but the next utterance starts before the answer
    await d.settle()
    assert d.emotion == "sad"
    await d.close()


async def test_a_broken_classifier_falls_back_to_the_talk_motion(
    lipsync: LipSyncTimeline, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> object:
        raise RuntimeError("model missing")

    c = EmotionClassifier(embedder=broken)  # type: ignore[arg-type]
    d = director(lipsync, Clock(), classifier=c)
    d.speech_started("hello")
    await d.settle()
    assert d.emotion == "neutral"
    assert d.state.motion is not None and d.state.motion.group == "TapBody"
    assert "emotion classification failed" in caplog.text
    await d.close()
    await c.close()


def test_expression_holds_for_the_utterance_then_decays(lipsync: LipSyncTimeline) -> None:
    clock = Clock()
    d = director(lipsync, clock)
    d.tag("yay", "happy")
    d.speech_started("yay")
    clock.t += 30.0  # a long utterance: no decay while it plays
    d.tick()
    assert d.state.expression == "f01"
    d.speech_ended()
    clock.t += 1.99
    d.tick()
    assert d.state.expression == "f01"
    clock.t += 0.01
    d.tick()
    assert d.emotion == "neutral" and d.state.expression is None


def test_the_next_utterance_cancels_the_decay(lipsync: LipSyncTimeline) -> None:
    clock = Clock()
    d = director(lipsync, clock)
    d.tag("yay", "happy")
    d.speech_started("yay")
    d.speech_ended()
    clock.t += 1.0
    d.speech_started("and more")  # no tag, no classifier: the emotion carries on
    clock.t += 5.0
    d.tick()
    assert d.state.expression == "f01"


def test_set_emotion_outside_speech_decays_and_defaults_name_expressions(lipsync: LipSyncTimeline) -> None:
    clock = Clock()
    d = director(lipsync, clock)
    d.set_emotion("sad")
    assert d.state.expression == "f03"
    clock.t += 2.0
    d.tick()
    assert d.state.expression is None
    default = AvatarDirector(lipsync, monotonic=Clock(), seed=1)
    default.set_emotion("shy")
    assert default.state.expression == "shy"
    default.set_emotion("neutral")
    assert default.state.expression is None


def test_speech_start_triggers_the_talk_motion_each_time(lipsync: LipSyncTimeline) -> None:
    d = director(lipsync, Clock())
    serials = []
    for text in ("one", "two"):
        d.speech_started(text)
        motion = d.state.motion
        assert motion is not None and (motion.group, motion.priority) == ("TapBody", 2)
        serials.append(motion.serial)
        d.speech_ended()
    assert serials[1] > serials[0]
    quiet = director(lipsync, Clock(), {"idle_motion": None})  # no talk motion configured
    quiet.speech_started("hello")
    assert quiet.state.motion is None


def test_config_from_dict() -> None:
    config = DirectorConfig.from_dict(LIVE2D)
    assert config.binding("happy") == EmotionBinding("f01", "Happy")
    assert config.binding("sad") == EmotionBinding("f03")
    assert config.binding("angry") == EmotionBinding()  # a given table replaces the defaults
    assert config.idle_interval == (5.0, 10.0)
    bad_emotions = ({"banana": "x"}, {"happy": 3}, {"happy": "a", "joy": "b"})
    bad_values = {"idle_interval": [3], "drive_blink": "yes", "expression_hold": "long", "talk_motion": 5}
    cases = [{"colour": 1}, {"idle_interval": [5, 1]}, *({"emotions": e} for e in bad_emotions)]
    for bad in [*cases, *({k: v} for k, v in bad_values.items())]:
        with pytest.raises(ConfigError):
            DirectorConfig.from_dict(bad)


async def test_start_and_close(lipsync: LipSyncTimeline) -> None:
    d = director(lipsync, Clock())
    d.start()
    await asyncio.sleep(0)  # let the tick task run once
    assert d.state.motion is not None and d.state.motion.group == "Idle"
    await d.close()
