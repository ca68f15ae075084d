"""Logging: secret redaction on every handler, structured fields in the file, the bounded tail."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.core.logging import (
    MASK,
    LoggingHandles,
    LogTail,
    RedactingFilter,
    SecretRedactor,
    redactor,
    setup_logging,
)


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[LoggingHandles]:
    handles = setup_logging(tmp_path / "logs", "DEBUG")
    try:
        yield handles
    finally:
        handles.close()


def _file_text(handles: LoggingHandles) -> str:
    for handler in handles.handlers:
        handler.flush()
    return handles.log_file.read_text(encoding="utf-8")


def _tail_text(handles: LoggingHandles) -> str:
    return "\n".join(e.message for e in handles.tail.entries())


def _registered_secret() -> str:
    value = "sec-" + secrets.token_hex(12)
    redactor.register(value)
    return value


def _assert_hidden(handles: LoggingHandles, *values: str) -> str:
    text = _file_text(handles)
    tail = _tail_text(handles)
    for value in values:
        assert value not in text
        assert value not in tail
    assert MASK in text
    return text


def test_registered_secret_is_masked_in_message_and_args(logs: LoggingHandles) -> None:
    value = _registered_secret()
    log = logging.getLogger("studio.test.redact")
    log.info(f"literal {value} in the message")
    log.info("as an arg: key=%s", value)
    log.info("%s", value)
    log.warning("in a dict arg %r", {"k": value})
    text = _assert_hidden(logs, value)
    assert "literal *** in the message" in text
    assert text.count(MASK) >= 4


def test_registered_secret_is_masked_in_extra_fields(logs: LoggingHandles) -> None:
    value = _registered_secret()
    log = logging.getLogger("studio.test.redact")
    log.info("string field", extra={"detail": f"using {value}"})
    log.info("nested field", extra={"request": {"headers": {"x-key": value}, "list": [value, 1]}})
    log.info("object field", extra={"target": Path("/tmp") / value})
    _assert_hidden(logs, value)


def test_sensitive_field_names_are_masked(logs: LoggingHandles) -> None:
    plain = "unregistered" + secrets.token_hex(6)
    log = logging.getLogger("studio.test.redact")
    log.info("fields", extra={"api_key": plain, "settings": {"password": plain + "x"}, "secret_name": "llm"})
    text = _assert_hidden(logs, plain)
    assert '"secret_name": "llm"' in text  # a name of a secret is not a secret


def test_registered_secret_is_masked_in_exception_text(logs: LoggingHandles) -> None:
    value = _registered_secret()
    log = logging.getLogger("studio.test.redact")
    try:
        raise RuntimeError(f"provider rejected key {value}")
    except RuntimeError:
        log.exception("call failed")
    text = _assert_hidden(logs, value)
    assert "Traceback" in text
    assert "RuntimeError: provider rejected key ***" in text


@pytest.mark.parametrize(
    ("line", "leak", "kept"),
    [
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "eyJhbGciOiJIUzI1NiJ9", "Bearer ***"),
        ("GET /v1/models?api_key=abc123def456&page=2", "abc123def456", "api_key=***&page=2"),
        ("config apikey: zzTopSecret99", "zzTopSecret99", "apikey: ***"),
        ("password=hunter2hunter2", "hunter2hunter2", "password=***"),
        ("openai key sk-proj-abcdefghijklmnop1234", "abcdefghijklmnop1234", "sk-***"),
        ("rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop started", "abcd-efgh-ijkl-mnop", "live2/***"),
        ("rtmp://live.twitch.tv/app/live_123456_AbCdEf", "live_123456_AbCdEf", "app/***"),
        (
            "rtmp://live-push.bilivideo.com/live-bvc/?streamname=live_1_2&key=0a1b2c3d4e&schedule=rtmp",
            "0a1b2c3d4e",
            "live-bvc/***",
        ),
        ("stream_key=xyzxyzxyz", "xyzxyzxyz", "stream_key=***"),
    ],
)
def test_credential_shapes_are_masked(logs: LoggingHandles, line: str, leak: str, kept: str) -> None:
    logging.getLogger("studio.test.redact").info("%s", line)
    text = _assert_hidden(logs, leak)
    assert kept in text


def test_plain_text_and_server_urls_are_left_alone() -> None:
    red = SecretRedactor()
    for text in (
        "API listening on http://127.0.0.1:8765",
        "pushing to rtmp://live.twitch.tv/app",
        "tokens per second: 12.5",
        "secret stored",
    ):
        assert red.redact(text) == text


def test_short_values_are_not_registered() -> None:
    red = SecretRedactor()
    red.register("abc")
    red.register("")
    red.register(None)
    assert red.redact("abc abcd") == "abc abcd"
    red.register("abcd")
    assert red.redact("abc abcd") == f"abc {MASK}"


def test_longest_secret_wins_when_one_contains_another() -> None:
    red = SecretRedactor()
    red.register("passw0rd")
    red.register("passw0rd-extended")
    assert red.redact("x passw0rd-extended y") == f"x {MASK} y"


def test_uvicorn_loggers_write_to_the_same_redacted_file(logs: LoggingHandles) -> None:
    value = _registered_secret()
    logging.getLogger("uvicorn.error").info("client sent %s", value)
    text = _assert_hidden(logs, value)
    assert "uvicorn.error: client sent ***" in text


def test_structured_fields_appear_as_json_in_the_file(logs: LoggingHandles) -> None:
    logging.getLogger("studio.test.fields").info(
        "turn finished", extra={"turn_id": 17, "latency_ms": 245.5, "engine": "fake", "tags": ["a", "b"]}
    )
    line = next(line for line in _file_text(logs).splitlines() if "turn finished" in line)
    assert " INFO    studio.test.fields: turn finished " in line
    fields = json.loads(line[line.index("{") :])
    assert fields == {"turn_id": 17, "latency_ms": 245.5, "engine": "fake", "tags": ["a", "b"]}
    tail = logs.tail.entries()[-1]
    assert tail.logger == "studio.test.fields"
    assert tail.level == "INFO"
    assert json.loads(tail.message[tail.message.index("{") :])["turn_id"] == 17


def test_level_setting_filters_the_file(tmp_path: Path) -> None:
    handles = setup_logging(tmp_path / "logs", "WARNING")
    try:
        log = logging.getLogger("studio.test.level")
        log.info("quiet info")
        log.warning("loud warning")
        text = _file_text(handles)
    finally:
        handles.close()
    assert "loud warning" in text
    assert "quiet info" not in text


def test_close_detaches_the_handlers(tmp_path: Path) -> None:
    handles = setup_logging(tmp_path / "logs")
    handles.close()
    logging.getLogger("studio.test.closed").warning("after close")
    assert "after close" not in handles.log_file.read_text(encoding="utf-8")
    for handler in handles.handlers:
        assert handler not in logging.getLogger("studio").handlers
        assert handler not in logging.getLogger("uvicorn").handlers


def test_file_rotates_at_max_bytes(tmp_path: Path) -> None:
    handles = setup_logging(tmp_path / "logs", max_bytes=2000, backups=2)
    try:
        log = logging.getLogger("studio.test.rotate")
        for i in range(200):
            log.info("line %03d %s", i, "x" * 50)
    finally:
        handles.close()
    files = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert files == ["studio.log", "studio.log.1", "studio.log.2"]
    assert all((tmp_path / "logs" / f).stat().st_size <= 2000 for f in files)


def _tail_with_filter(capacity: int) -> tuple[logging.Logger, LogTail]:
    tail = LogTail(capacity)
    tail.addFilter(RedactingFilter(redactor))
    logger = logging.getLogger(f"studio.test.tail{secrets.token_hex(4)}")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(tail)
    logger.propagate = False
    return logger, tail


def test_log_tail_keeps_only_the_newest_entries() -> None:
    logger, tail = _tail_with_filter(capacity=5)
    try:
        logger.debug("below the tail's INFO level")
        for i in range(12):
            logger.info("entry %d", i)
        entries = tail.entries()
    finally:
        logger.removeHandler(tail)
    assert [e.message for e in entries] == [f"entry {i}" for i in range(7, 12)]
    assert all(e.level == "INFO" for e in entries)
    assert entries[0].created <= entries[-1].created


def test_log_tail_listeners_get_each_entry_and_can_be_removed() -> None:
    logger, tail = _tail_with_filter(capacity=100)
    got: list[str] = []

    def broken(entry: object) -> None:
        raise RuntimeError("a GUI listener bug")

    try:
        remove_broken = tail.add_listener(broken)
        remove = tail.add_listener(lambda e: got.append(e.message))
        logger.warning("first")
        remove()
        remove()  # idempotent
        logger.warning("second")
        remove_broken()
    finally:
        logger.removeHandler(tail)
    assert got == ["first"]
    assert [e.message for e in tail.entries()] == ["first", "second"]


def test_the_redactor_forgets_registered_values_on_request() -> None:
    red = SecretRedactor()
    red.register("sesame-open")
    assert red.redact("say sesame-open") == "say ***"
    red.forget_all()
    assert red.redact("say sesame-open") == "say sesame-open"
