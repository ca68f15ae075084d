"""Secrets (LLM keys, stream keys, the JWT secret, passwords) through the OS keyring.

Every secret the studio keeps goes through :class:`SecretStore`. Values never touch the config
file, the database or the logs: each value read or written is registered with the log redactor.
Where the OS has no usable keyring (a headless Linux without Secret Service), secrets go to
:class:`EncryptedFileKeyring`: one AES-GCM encrypted file whose key comes from
``STUDIO_SECRETS_KEY`` or from an owner-only key file in the config folder. Never plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets as pysecrets
import threading
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from studio.core.errors import SecretsError
from studio.core.logging import redactor

log = logging.getLogger(__name__)

KEY_ENV = "STUDIO_SECRETS_KEY"
BACKEND_ENV = "STUDIO_SECRETS_BACKEND"  # "os" or "file": force a backend
_MAGIC = b"CSSEC1"


class EncryptedFileKeyring(keyring.backend.KeyringBackend):
    """A keyring backend storing all entries in one AES-256-GCM encrypted file.

    Args:
        path: The encrypted file.
        key_file: Owner-only file holding a random 256-bit key (created on first use). Ignored
            when ``passphrase`` is given.
        passphrase: Derive the key from this (scrypt, salt stored in the file) instead.
    """

    priority = 0.5  # never picked by keyring's own auto-detection

    def __init__(self, path: Path, key_file: Path, passphrase: str | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.path = path
        self.key_file = key_file
        self.passphrase = passphrase
        self._lock = threading.Lock()

    @property
    def key_source(self) -> str:
        """Where the encryption key comes from (for ``studio doctor``)."""
        return f"${KEY_ENV}" if self.passphrase else str(self.key_file)

    def _key(self, salt: bytes) -> bytes:
        if self.passphrase:
            return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(self.passphrase.encode())
        if not self.key_file.exists():
            self.key_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(base64.b64encode(AESGCM.generate_key(bit_length=256)))
        raw = base64.b64decode(self.key_file.read_bytes().strip())
        if len(raw) != 32:
            raise SecretsError(f"The secrets key file {self.key_file} is damaged.")
        return raw

    def _read(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        blob = self.path.read_bytes()
        if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + 28:
            raise SecretsError(f"The secrets file {self.path} is not a Cream Studio secrets file.")
        salt = blob[len(_MAGIC) : len(_MAGIC) + 16]
        nonce = blob[len(_MAGIC) + 16 : len(_MAGIC) + 28]
        try:
            plain = AESGCM(self._key(salt)).decrypt(nonce, blob[len(_MAGIC) + 28 :], _MAGIC)
        except InvalidTag as exc:
            raise SecretsError(f"Cannot decrypt {self.path}: wrong key (check {self.key_source}).") from exc
        data = json.loads(plain)
        assert isinstance(data, dict)
        return data

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        from studio.config.store import atomic_write

        salt = pysecrets.token_bytes(16)
        nonce = pysecrets.token_bytes(12)
        sealed = AESGCM(self._key(salt)).encrypt(nonce, json.dumps(data).encode(), _MAGIC)
        atomic_write(self.path, _MAGIC + salt + nonce + sealed, mode=0o600)

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._read().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            data = self._read()
            data.setdefault(service, {})[username] = password
            self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            data = self._read()
            if username not in data.get(service, {}):
                raise keyring.errors.PasswordDeleteError(f"{service}/{username} not found")
            del data[service][username]
            self._write(data)


@dataclass(frozen=True, slots=True)
class BackendInfo:
    """Which backend holds the secrets, for ``studio doctor`` and the GUI."""

    name: str
    secure_os_store: bool
    detail: str


def _os_keyring_usable() -> keyring.backend.KeyringBackend | None:
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    priority = getattr(backend, "priority", 0)
    name = type(backend).__module__
    if name.startswith(("keyring.backends.fail", "keyring.backends.null")) or priority < 1:
        return None
    if name.startswith("keyring.backends.chainer") and not getattr(backend, "backends", []):
        return None
    return backend


class SecretStore:
    """Get and set named secrets. Thread-safe; blocking (call off the engine loop for OS keyrings).

    Args:
        service: Keyring service name; profiles (``STUDIO_HOME``) get their own.
        fallback_dir: Folder of the encrypted file backend.
        key_file: Key file of the encrypted file backend.
        backend: Force a backend (tests); default picks the OS keyring if usable.
    """

    def __init__(
        self,
        service: str,
        fallback_dir: Path,
        key_file: Path,
        backend: keyring.backend.KeyringBackend | None = None,
    ) -> None:
        self.service = service
        forced = os.environ.get(BACKEND_ENV, "").lower()
        if backend is None and forced != "file":
            backend = _os_keyring_usable()
            if backend is None and forced == "os":
                raise SecretsError("STUDIO_SECRETS_BACKEND=os, but this system has no usable keyring.")
        if backend is None:
            backend = EncryptedFileKeyring(
                fallback_dir / "secrets.enc", key_file, os.environ.get(KEY_ENV) or None
            )
        self._backend = backend

    @classmethod
    def for_profile(cls, data_dir: Path, config_dir: Path, default_profile: bool) -> SecretStore:
        """The store for a studio profile (the default folders, or a ``STUDIO_HOME``)."""
        service = "cream-studio"
        if not default_profile:
            service += "@" + hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:10]
        return cls(service, data_dir / "secrets", config_dir / ".secrets-key")

    @property
    def info(self) -> BackendInfo:
        """Describe the active backend."""
        if isinstance(self._backend, EncryptedFileKeyring):
            return BackendInfo(
                "encrypted file",
                False,
                f"no OS keyring here; AES-GCM file {self._backend.path}, key from {self._backend.key_source}",
            )
        return BackendInfo(
            type(self._backend).__name__, True, f"OS keyring ({type(self._backend).__module__})"
        )

    def get(self, name: str) -> str | None:
        """The secret ``name``, or ``None`` if unset."""
        try:
            value = self._backend.get_password(self.service, name)
        except keyring.errors.KeyringError as exc:
            raise SecretsError(f"Cannot read secret {name!r}: {exc}") from exc
        redactor.register(value)
        return value

    def set(self, name: str, value: str) -> None:
        """Store ``value`` under ``name`` (replacing any earlier value)."""
        if not value:
            raise SecretsError(f"Refusing to store an empty secret {name!r}; use delete() instead.")
        redactor.register(value)
        try:
            self._backend.set_password(self.service, name, value)
        except keyring.errors.KeyringError as exc:
            raise SecretsError(f"Cannot store secret {name!r}: {exc}") from exc
        log.info("secret stored", extra={"secret_name": name})

    def delete(self, name: str) -> bool:
        """Remove ``name``; True if it existed."""
        try:
            self._backend.delete_password(self.service, name)
        except keyring.errors.PasswordDeleteError:
            return False
        except keyring.errors.KeyringError as exc:
            raise SecretsError(f"Cannot delete secret {name!r}: {exc}") from exc
        return True

    def get_or_create(self, name: str, nbytes: int = 32) -> str:
        """The secret ``name``, creating a random URL-safe one on first use (e.g. the JWT key)."""
        value = self.get(name)
        if value is None:
            value = pysecrets.token_urlsafe(nbytes)
            self.set(name, value)
        return value

    @staticmethod
    def mask(value: str | None) -> str:
        """What the API and GUI show instead of a stored secret."""
        return "***" if value else ""
