"""Presets: ingest URL validation with actionable messages, key joining, redaction."""

from __future__ import annotations

import pytest

from studio.broadcast.presets import PRESETS, join_rtmp_url, preset, redact_url, validate_server
from studio.core.errors import ValidationError


@pytest.mark.parametrize(
    ("server", "key", "expected"),
    [
        ("rtmp://live.twitch.tv/app/", "live_123", "rtmp://live.twitch.tv/app/live_123"),
        ("rtmp://live.twitch.tv/app", "live_123", "rtmp://live.twitch.tv/app/live_123"),
        ("rtmp://live.twitch.tv/app//", "/live_123", "rtmp://live.twitch.tv/app/live_123"),
        ("  rtmps://a.example:443/live2/ ", " k?x=1 ", "rtmps://a.example:443/live2/k?x=1"),
        ("rtmp://127.0.0.1:1935/live", "", "rtmp://127.0.0.1:1935/live"),
    ],
)
def test_join_never_doubles_the_slash(server: str, key: str, expected: str) -> None:
    joined = join_rtmp_url(server, key)
    assert joined == expected
    assert "//" not in joined.split("://", 1)[1]


@pytest.mark.parametrize(
    ("server", "words"),
    [
        ("", "Enter the RTMP server URL"),
        ("   ", "Enter the RTMP server URL"),
        ("http://live.twitch.tv/app", "rtmp:// or rtmps://"),
        ("live.twitch.tv/app", "rtmp:// or rtmps://"),
        ("rtmp:///app", "with a host"),
        ("rtmp://user:pw@host/app", "stream key in the key field"),
        ("rtmp://host/my app", "must not contain spaces"),
    ],
)
def test_validation_messages_say_what_to_do(server: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        validate_server(server)


def test_a_key_with_spaces_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValidationError) as info:
        join_rtmp_url("rtmp://host/app", "abc def")
    assert "abc def" not in str(info.value)


def test_redaction_masks_the_key_or_the_last_segment() -> None:
    url = join_rtmp_url("rtmp://host/app/", "sk-987")
    assert redact_url(url, "sk-987") == "rtmp://host/app/***"
    assert redact_url(url) == "rtmp://host/app/***"
    assert redact_url("rtmp://host/app") == "rtmp://host/app"  # no key segment to hide
    assert redact_url("rtmp://host/app/") == "rtmp://host/app/"
    assert "sk-987" not in redact_url("rtmps://host:443/a/b/sk-987?x=sk-987", "sk-987")


def test_presets_are_consistent() -> None:
    assert preset("nope") is PRESETS["custom"]
    for p in PRESETS.values():
        assert p.width % 2 == 0 and p.height % 2 == 0
        assert p.video_bitrate_kbps <= p.max_video_bitrate_kbps
        if p.server:
            assert validate_server(p.server) == p.server
