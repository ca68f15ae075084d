"""The studio's error hierarchy.

Every error the studio raises on purpose derives from :class:`StudioError`, so the GUI, the CLI
and the API can show one clear message (``user_message``) and keep details for the log.
"""

from __future__ import annotations


class StudioError(Exception):
    """Root of all deliberate studio errors.

    Args:
        message: A short, user-facing explanation of what went wrong and what to do.
        code: A stable machine-readable code (used in API error bodies).
    """

    code: str = "studio_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def user_message(self) -> str:
        """The message to show a person."""
        return str(self)


class ConfigError(StudioError):
    """A configuration value is invalid or a config file cannot be read or written."""

    code = "config_error"

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class StorageError(StudioError):
    """The database could not be opened, migrated or written."""

    code = "storage_error"


class SecretsError(StudioError):
    """The secrets store is unavailable or a secret cannot be read or written."""

    code = "secrets_error"


class PortInUseError(StudioError):
    """A network port the studio wants to listen on is taken.

    Args:
        host: The interface that was asked for.
        port: The port that is taken.
        suggestion: A free port the caller may offer instead, if one was found.
    """

    code = "port_in_use"

    def __init__(self, host: str, port: int, suggestion: int | None = None) -> None:
        hint = (
            f" Port {suggestion} is free; use --port {suggestion} or change it in Settings."
            if suggestion
            else ""
        )
        super().__init__(f"Port {port} on {host} is already in use by another program.{hint}")
        self.host = host
        self.port = port
        self.suggestion = suggestion


class EngineError(StudioError):
    """The engine runtime failed to start, stop or run a job."""

    code = "engine_error"


class ProviderError(StudioError):
    """An engine or remote provider (TTS, ASR, LLM, RTMP server ...) failed.

    Args:
        message: What failed, for a person.
        provider: Which provider failed (e.g. ``"openai_compat"``).
        retryable: True when trying again later may succeed (timeouts, 429, 5xx, dropped links).
    """

    code = "provider_error"

    def __init__(self, message: str, *, provider: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.provider = provider
        self.retryable = retryable


class ValidationError(StudioError):
    """Input from outside (API, GUI, files) was rejected at the boundary."""

    code = "invalid_input"


class PathNotAllowedError(ValidationError):
    """A path from outside resolved outside the studio's folders."""

    code = "path_not_allowed"


class NotFoundError(ValidationError):
    """Something named in a request (a speaker, a model ...) does not exist; the API answers 404."""

    code = "not_found"
