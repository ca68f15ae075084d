"""End to end on virtual devices: a PulseAudio virtual microphone speaks a question made with the
default voice -> the Listener (real PortAudio capture, AEC, VAD, Whisper) -> the right transcript ->
the local LLM test server's reply spoken to the virtual speaker (the null sink) -> history holds
both turns."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conversation._common import WHY, run, voice_file
from tests.integration.conversation.scenario import SHORT_REPLY

pytestmark = [pytest.mark.skipif(bool(WHY), reason=WHY or "n/a"), pytest.mark.slow]


def test_spoken_question_is_answered_aloud_and_stored(tmp_path: Path) -> None:
    question = voice_file(tmp_path, "What is the capital of France?", "piper", "question")
    r = run(tmp_path, "turn", question)
    assert r["mic"] == "capturing" and r["mode"] == "device", r
    assert r["errors"] == []
    assert len(r["finals"]) == 1, r
    text = r["finals"][0].lower()
    assert "capital" in text and "france" in text, r
    history = r["history"]
    assert [row[0] for row in history] == ["user", "assistant"], history
    assert "france" in history[0][1].lower() and history[0][3] == "mic"
    assert history[1][1] == SHORT_REPLY and history[1][2] in (None, SHORT_REPLY), history
    # the reply heard through the speaker -> mic loop did not start a second user turn
    assert r["speech"].count("started") == 1, r
