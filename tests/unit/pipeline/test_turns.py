"""What was heard of a reply cut at a given pts."""

from __future__ import annotations

from studio.pipeline.turns import HeardTracker, _ClauseAudio

REPLY = "你好呀！今天天气真不错。"


def tracker(complete_second: bool = True) -> HeardTracker:
    t = HeardTracker()
    first = _ClauseAudio("你好呀！", 0, 4, None, chunks=[(1.0, 0.3, 3)])
    first.complete.set()
    second = _ClauseAudio("今天天气真不错。", 4, 12, None, chunks=[(1.3, 0.4, 4), (1.7, 0.3, 3)])
    if complete_second:
        second.complete.set()
    t.clauses += [first, second]
    return t


def test_heard_text_follows_the_cut_pts() -> None:
    t = tracker()
    assert t.heard_text(REPLY, 0.5) == ""
    assert t.heard_text(REPLY, 1.3) == "你好呀！"
    assert t.heard_text(REPLY, 1.5) == "你好呀！今天"  # half of the first chunk: 2 of 7 voiced characters
    assert t.heard_text(REPLY, 1.7) == "你好呀！今天天气真"  # 4 of 7
    assert t.heard_text(REPLY, 9.0) == REPLY


def test_a_clause_still_being_synthesised_counts_its_speakable_characters() -> None:
    t = tracker(complete_second=False)
    assert t.heard_text(REPLY, 9.0) == REPLY  # 7 of its 7 speakable characters
    t.clauses[1].chunks.pop()
    assert t.heard_text(REPLY, 9.0) == "你好呀！今天天气真"  # 4 of 7 voiced, of its 8 characters
