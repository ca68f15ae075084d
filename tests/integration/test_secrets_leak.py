"""A secret set through the SecretStore never reaches any file of the profile in plain text."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.config.secrets import SecretStore
from studio.config.settings import UiSettings
from studio.core.errors import ProviderError, SecretsError
from studio.core.events import ErrorEvent
from studio.storage.repos import EventLogRow


def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def files_containing(root: Path, needle: bytes) -> list[Path]:
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files, f"nothing under {root}"
    return [p for p in files if needle in p.read_bytes()]


def _exercise_everything(c: Container, value: str) -> None:
    """Log, journal, save config and serve the API while the secret is known."""
    log = logging.getLogger("studio.x")
    log.info("key=%s", value)
    log.info("%s", value)
    log.info(f"inline {value}")
    log.warning("structured", extra={"detail": value, "request": {"headers": {"x-api-key": value}}})
    try:
        raise ProviderError(f"401 Unauthorized: key {value} rejected", provider="openai_compat")
    except ProviderError:
        log.exception("provider call failed")
    logging.getLogger("uvicorn.error").info("client header Bearer %s", value)

    runtime = EngineRuntime(c, port=0)
    runtime.start()
    try:
        assert runtime.api_url is not None
        assert httpx.get(runtime.api_url + "/v1/info", timeout=5).status_code == 200
        # a provider echoing the key in its error text, reported through the one error path
        c.bus.publish_threadsafe(ErrorEvent(source="brain", message=f"auth failed for {value}", code="auth"))
        wait_for(lambda: any(r.source == "brain" for r in c.event_log.recent()))
    finally:
        assert runtime.stop() is True

    for i in range(50):
        c.event_log.append(EventLogRow("note", "test", f"row {i}", {"i": i}))
    c.event_log.append(EventLogRow("error", "tts", f"remote TTS said: bad token {value}", {"key": value}))
    c.meta.set("last_provider", "openai_compat")
    c.config = c.config_store.save_area(c.config, UiSettings(theme="dark"))
    c.config_store.save(c.config)


def test_secret_is_never_written_in_plain_text(studio_home: Path) -> None:
    value = "csk-" + secrets.token_urlsafe(24)
    needle = value.encode()
    c = Container.build()
    try:
        c.secrets.set("llm_api_key", value)
        assert c.secrets.get("llm_api_key") == value
        _exercise_everything(c, value)
        # while the database is open the rows sit in the WAL: look there too
        wal = c.paths.database_file.with_name("studio.db-wal")
        assert wal.exists()
        assert wal.stat().st_size > 0
        assert files_containing(studio_home, needle) == []
    finally:
        c.close()

    assert files_containing(studio_home, needle) == []
    for folder in ("config", "data", "logs"):
        assert any(p.is_file() for p in (studio_home / folder).rglob("*")), folder
    log_text = (studio_home / "logs" / "studio.log").read_text(encoding="utf-8")
    assert "key=***" in log_text  # the lines were written, masked
    assert "401 Unauthorized: key *** rejected" in log_text
    assert "Traceback" in log_text

    encrypted = studio_home / "data" / "secrets" / "secrets.enc"
    assert encrypted.exists()
    assert needle not in encrypted.read_bytes()

    # persisted: a new store (and a new container) on the same profile reads it back
    fresh = SecretStore.for_profile(studio_home / "data", studio_home / "config", default_profile=False)
    assert fresh.get("llm_api_key") == value
    again = Container.build()
    try:
        assert again.secrets.get("llm_api_key") == value
        assert again.config.ui.theme == "dark"
    finally:
        again.close()


def test_wrong_secrets_key_is_a_clear_error(studio_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    value = "csk-" + secrets.token_urlsafe(24)
    data, config = studio_home / "data", studio_home / "config"
    SecretStore.for_profile(data, config, default_profile=False).set("stream_key", value)

    monkeypatch.setenv("STUDIO_SECRETS_KEY", "not the key this file was sealed with")
    with pytest.raises(
        SecretsError, match=r"Cannot decrypt .*secrets\.enc: wrong key \(check \$STUDIO_SECRETS_KEY\)"
    ):
        SecretStore.for_profile(data, config, default_profile=False).get("stream_key")

    monkeypatch.delenv("STUDIO_SECRETS_KEY")
    assert SecretStore.for_profile(data, config, default_profile=False).get("stream_key") == value


def test_passphrase_from_the_environment(studio_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    value = "csk-" + secrets.token_urlsafe(24)
    data, config = studio_home / "data", studio_home / "config"
    monkeypatch.setenv("STUDIO_SECRETS_KEY", "the right passphrase")
    SecretStore.for_profile(data, config, default_profile=False).set("stream_key", value)
    assert not (config / ".secrets-key").exists()
    assert files_containing(studio_home, value.encode()) == []

    monkeypatch.setenv("STUDIO_SECRETS_KEY", "a wrong passphrase")
    with pytest.raises(SecretsError, match="wrong key"):
        SecretStore.for_profile(data, config, default_profile=False).get("stream_key")
    monkeypatch.setenv("STUDIO_SECRETS_KEY", "the right passphrase")
    assert SecretStore.for_profile(data, config, default_profile=False).get("stream_key") == value
