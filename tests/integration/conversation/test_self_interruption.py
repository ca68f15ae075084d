"""Echo safety on virtual devices: the studio's own voice, looped from the virtual speaker (the
PulseAudio null sink) into the virtual microphone (its monitor), must not barge in; a second voice
(the default Japanese voice) mixed in over it must, within 1.5 s of its first word, and the speaker
falls silent within 100 ms of the trigger."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.integration.conversation._common import WHY, run, voice_file
from tests.unit.speech.vad.voices import RATE, speech_onset

pytestmark = [pytest.mark.skipif(bool(WHY), reason=WHY or "n/a"), pytest.mark.slow]


def test_own_voice_does_not_barge_in_but_a_second_voice_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    voice2 = voice_file(tmp_path, "すみません、ちょっと待ってください。質問があります。", "kokoro", "voice2")
    onset_s = speech_onset(np.fromfile(voice2, dtype="<f4")) / RATE  # the file starts with silence
    r = run(tmp_path, "barge", voice2, voice2)
    delay = r.get("barge_after_voice_s")
    with capsys.disabled():
        print(
            f"\nself-interruption: self barge-ins {r.get('self_started')}, echo frames vetoed "
            f"{r.get('echo_rejected')}, second voice recognised "
            + (f"{delay - onset_s:.2f} s after its first word" if delay is not None else "never")
            + f", speaker silent {r.get('silent_after_trigger_ms', float('nan')):.1f} ms after the "
            f"trigger, speech events {r.get('speech')}"
        )
    assert r["mic"] == "capturing" and r["mode"] == "device", r
    assert r["errors"] == []
    assert r["self_started"] == 0, r  # 4 s of its own voice through the loop: no barge-in
    assert r["barge_in"] and delay is not None, f"the second voice was not recognised: {r}"
    assert delay - onset_s <= 1.5, r  # within 1.5 s of its first word (pacat's start-up included)
    assert r["silent_after_trigger_ms"] <= 100, r
    assert r["loud_after_trigger_ms"] <= 100, r
    history = r["history"]
    assert history[0][0] == "user" and history[1][0] == "assistant", history
    heard = history[1][2]
    assert heard is not None and len(heard) < len(history[1][1]), history  # the cut reply, as heard
