"""SecretStore and the encrypted-file keyring backend (the profile's file backend, forced by conftest)."""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

import pytest

from studio.config.secrets import EncryptedFileKeyring, SecretStore, _os_keyring_usable
from studio.core.errors import SecretsError
from studio.core.logging import MASK, redactor


def _value() -> str:
    return "v-" + secrets.token_urlsafe(18)


@pytest.fixture
def store(tmp_path: Path) -> SecretStore:
    return SecretStore("cream-test", tmp_path / "data" / "secrets", tmp_path / "config" / ".secrets-key")


def test_file_backend_is_used_when_forced(store: SecretStore, tmp_path: Path) -> None:
    info = store.info
    assert info.name == "encrypted file"
    assert info.secure_os_store is False
    assert str(tmp_path / "data" / "secrets" / "secrets.enc") in info.detail


def test_set_get_delete(store: SecretStore) -> None:
    assert store.get("llm") is None
    value = _value()
    store.set("llm", value)
    assert store.get("llm") == value
    other = _value()
    store.set("llm", other)
    assert store.get("llm") == other
    assert store.delete("llm") is True
    assert store.get("llm") is None
    assert store.delete("llm") is False


def test_empty_secret_is_refused(store: SecretStore) -> None:
    with pytest.raises(SecretsError, match="empty"):
        store.set("llm", "")


def test_get_or_create_is_stable(store: SecretStore) -> None:
    first = store.get_or_create("jwt", nbytes=16)
    assert len(first) >= 20
    assert store.get_or_create("jwt") == first


def test_values_are_registered_with_the_log_redactor(store: SecretStore, tmp_path: Path) -> None:
    value = _value()
    store.set("stream", value)
    assert redactor.redact(f"key is {value}") == f"key is {MASK}"
    # values read back (e.g. by a new process) are registered too
    read_value = _value()
    backend = EncryptedFileKeyring(tmp_path / "other.enc", tmp_path / "other.key")
    backend.set_password("svc", "n", read_value)
    assert redactor.redact(read_value) == read_value
    SecretStore("svc", tmp_path, tmp_path / "x", backend=backend).get("n")
    assert redactor.redact(read_value) == MASK


def test_mask() -> None:
    assert SecretStore.mask("anything") == "***"
    assert SecretStore.mask("") == ""
    assert SecretStore.mask(None) == ""


def test_encrypted_file_holds_no_plaintext_and_files_are_owner_only(tmp_path: Path) -> None:
    path, key_file = tmp_path / "s" / "secrets.enc", tmp_path / "c" / ".key"
    backend = EncryptedFileKeyring(path, key_file)
    value = _value()
    backend.set_password("svc", "llm-api-key", value)
    blob = path.read_bytes()
    assert blob.startswith(b"CSSEC1")
    assert value.encode() not in blob
    assert b"llm-api-key" not in blob  # names are sealed too
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["secrets.enc"]  # no temp files left
    assert EncryptedFileKeyring(path, key_file).get_password("svc", "llm-api-key") == value
    # each write uses a fresh salt and nonce
    backend.set_password("svc", "llm-api-key", value)
    assert path.read_bytes() != blob


def test_passphrase_key_round_trip_and_wrong_passphrase(tmp_path: Path) -> None:
    path, key_file = tmp_path / "secrets.enc", tmp_path / ".key"
    value = _value()
    EncryptedFileKeyring(path, key_file, passphrase="correct horse").set_password("svc", "n", value)
    assert not key_file.exists()  # the passphrase replaces the key file
    assert EncryptedFileKeyring(path, key_file, passphrase="correct horse").get_password("svc", "n") == value
    with pytest.raises(SecretsError, match=r"wrong key \(check \$STUDIO_SECRETS_KEY\)"):
        EncryptedFileKeyring(path, key_file, passphrase="wrong").get_password("svc", "n")


def test_wrong_key_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "secrets.enc"
    EncryptedFileKeyring(path, tmp_path / "key1").set_password("svc", "n", _value())
    with pytest.raises(SecretsError, match="wrong key") as info:
        EncryptedFileKeyring(path, tmp_path / "key2").get_password("svc", "n")
    assert str(tmp_path / "key2") in str(info.value)


def test_damaged_files_are_clear_errors(tmp_path: Path) -> None:
    path, key_file = tmp_path / "secrets.enc", tmp_path / ".key"
    backend = EncryptedFileKeyring(path, key_file)
    backend.set_password("svc", "n", _value())
    blob = path.read_bytes()
    path.write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
    with pytest.raises(SecretsError, match="wrong key"):
        backend.get_password("svc", "n")
    path.write_bytes(b"plain text, not ours")
    with pytest.raises(SecretsError, match="not a Cream Studio secrets file"):
        backend.get_password("svc", "n")
    path.write_bytes(blob)
    key_file.write_bytes(b"c2hvcnQ=")
    with pytest.raises(SecretsError, match=r"key file .* is damaged"):
        backend.get_password("svc", "n")


def test_store_wraps_backend_errors(store: SecretStore, tmp_path: Path) -> None:
    store.set("a", _value())
    (tmp_path / "data" / "secrets" / "secrets.enc").write_bytes(b"garbage")
    with pytest.raises(SecretsError):
        store.get("a")


def test_profiles_get_their_own_service(tmp_path: Path) -> None:
    a = SecretStore.for_profile(tmp_path / "a" / "data", tmp_path / "a" / "config", default_profile=False)
    b = SecretStore.for_profile(tmp_path / "b" / "data", tmp_path / "b" / "config", default_profile=False)
    default = SecretStore.for_profile(tmp_path / "c" / "data", tmp_path / "c" / "cfg", default_profile=True)
    assert a.service != b.service
    assert a.service.startswith("cream-studio@")
    assert default.service == "cream-studio"


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STUDIO_SECRETS_KEY", "env passphrase")
    store = SecretStore("svc", tmp_path / "secrets", tmp_path / ".key")
    assert "$STUDIO_SECRETS_KEY" in store.info.detail
    store.set("n", "value-1234")
    assert not (tmp_path / ".key").exists()


def test_forcing_the_os_backend_without_one_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("STUDIO_SECRETS_BACKEND", "os")
    if _os_keyring_usable() is not None:
        pytest.skip("this machine has an OS keyring")
    with pytest.raises(SecretsError, match="no usable keyring"):
        SecretStore("svc", tmp_path, tmp_path / ".key")
