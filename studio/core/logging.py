"""Logging for the studio: a rotating file, structured fields, a bounded tail for the GUI, and
secret redaction on every handler.

Secrets never reach a log: the secrets store registers every value it hands out with
:data:`redactor`, and common credential shapes (bearer tokens, ``api_key=...``, RTMP stream keys in
URLs) are masked as well. The redactor is process-wide because :mod:`logging` itself is.
"""

from __future__ import annotations

import contextlib
import json
import logging
import logging.handlers
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MASK = "***"

# Attributes every LogRecord has; anything else came in through ``extra=`` and is a structured field.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
    | {"message", "asctime", "color_message"}  # uvicorn's coloured duplicate of the message
)

_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(
        r"(?i)((?:api[_-]?key|apikey|token|secret|password|passwd|stream[_-]?key)\s*[=:]\s*)([^\s,;&\"']+)"
    ),
    # the key follows the app path; Bilibili and Douyin put it (and its signature) in the query
    re.compile(r"(?i)(rtmps?://[^\s/]+/[^\s/?]+/)(\S{6,})"),
    re.compile(r"\b(sk-)[A-Za-z0-9_-]{12,}"),
]


# ``extra=`` field names whose whole value is a credential.
_SENSITIVE_FIELD = re.compile(
    r"(?i)^(api[_-]?key|apikey|token|access[_-]?token|secret|password|passwd|stream[_-]?key|authorization)$"
)


class SecretRedactor:
    """Masks registered secret values and credential-shaped substrings. Thread-safe."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def register(self, value: str | None) -> None:
        """Mask ``value`` wherever it appears in future log lines (values under 4 chars are ignored)."""
        if value and len(value) >= 4:
            with self._lock:
                self._values.add(value)

    def forget_all(self) -> None:
        """Forget every registered value (tests: one test's secrets must not mask the next's logs)."""
        with self._lock:
            self._values.clear()

    def redact(self, text: str) -> str:
        """Return ``text`` with every known secret and credential pattern masked."""
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            if value in text:
                text = text.replace(value, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text

    def redact_value(self, value: object, key: str = "") -> object:
        """Redact a structured value: strings inside mappings and sequences too; a value under a
        credential-like key (``api_key``, ``password`` ...) is masked whole; other objects become their
        redacted ``str``."""
        if key and value and _SENSITIVE_FIELD.match(key):
            return MASK
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {self.redact(str(k)): self.redact_value(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self.redact_value(v) for v in value]
        return self.redact(str(value))


redactor = SecretRedactor()


class RedactingFilter(logging.Filter):
    """Renders the message once, redacts it and the structured fields, and freezes the result."""

    def __init__(self, red: SecretRedactor) -> None:
        super().__init__()
        self._red = red

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "_studio_redacted", False):
            record.msg = self._red.redact(record.getMessage())
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = self._red.redact(logging.Formatter().formatException(record.exc_info))
            elif record.exc_text:
                record.exc_text = self._red.redact(record.exc_text)
            for key, value in list(vars(record).items()):
                if key not in _STANDARD_ATTRS and not key.startswith("_"):
                    setattr(record, key, self._red.redact_value(value, key))
            record._studio_redacted = True
        return True


def structured_fields(record: logging.LogRecord) -> dict[str, object]:
    """The ``extra=`` fields of ``record``."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and not k.startswith("_")}


class StructuredFormatter(logging.Formatter):
    """``time level logger: message {"field": value}`` - readable, and greppable by field."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = structured_fields(record)
        if fields:
            line += " " + json.dumps(fields, ensure_ascii=False, default=str)
        return line


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of the in-memory tail shown by the GUI log panel."""

    created: float
    level: str
    logger: str
    message: str


class LogTail(logging.Handler):
    """Keeps the last ``capacity`` records; listeners are called (on the logging thread) for each."""

    def __init__(self, capacity: int = 2000) -> None:
        super().__init__(level=logging.INFO)
        self._entries: deque[LogEntry] = deque(maxlen=capacity)
        self._listeners: list[Callable[[LogEntry], None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        fields = structured_fields(record)
        if fields:
            msg += " " + json.dumps(fields, ensure_ascii=False, default=str)
        entry = LogEntry(record.created, record.levelname, record.name, msg)
        self._entries.append(entry)
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):  # a broken GUI listener must never break logging
                listener(entry)

    def entries(self) -> list[LogEntry]:
        """A snapshot of the tail, oldest first."""
        with self.lock or threading.Lock():
            return list(self._entries)

    def add_listener(self, listener: Callable[[LogEntry], None]) -> Callable[[], None]:
        """Call ``listener`` for each new entry; returns a function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None


@dataclass(slots=True)
class LoggingHandles:
    """What :func:`setup_logging` installed, so it can be removed again."""

    log_file: Path
    tail: LogTail
    handlers: list[logging.Handler]

    def close(self) -> None:
        """Detach and close the handlers installed by :func:`setup_logging`."""
        for name in ("studio", "uvicorn"):
            logger = logging.getLogger(name)
            for handler in self.handlers:
                logger.removeHandler(handler)
        logging.getLogger("uvicorn").propagate = True
        for handler in self.handlers:
            handler.close()


def setup_logging(
    log_dir: Path,
    level: str = "INFO",
    *,
    console: bool = False,
    max_bytes: int = 5_000_000,
    backups: int = 5,
    tail_capacity: int = 2000,
) -> LoggingHandles:
    """Install the file, tail (and optional console) handlers on the ``studio`` logger.

    Args:
        log_dir: Folder for ``studio.log`` (rotated at ``max_bytes`` with ``backups`` old files).
        level: Level name for the ``studio`` logger.
        console: Also write to stderr.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "studio.log"
    red_filter = RedactingFilter(redactor)
    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
    )
    file_handler.setFormatter(StructuredFormatter())
    tail = LogTail(tail_capacity)
    handlers: list[logging.Handler] = [file_handler, tail]
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(StructuredFormatter())
        handlers.append(stream)
    root = logging.getLogger("studio")
    root.setLevel(level.upper())
    for handler in handlers:
        handler.addFilter(red_filter)
        root.addHandler(handler)
    # uvicorn logs through its own loggers ("uvicorn.error" propagates to "uvicorn"); route them to
    # the same file, and not also to the root logger.
    ext = logging.getLogger("uvicorn")
    ext.handlers = []
    ext.propagate = False
    ext.setLevel(logging.INFO)
    for handler in handlers:
        ext.addHandler(handler)
    # A uvicorn.Config made elsewhere in the process (with its default log config or a log_level)
    # sets levels, handlers and propagation on the child loggers; take them back.
    for name in ("uvicorn.error", "uvicorn.asgi"):
        child = logging.getLogger(name)
        child.handlers = []
        child.setLevel(logging.NOTSET)
        child.propagate = True
        child.disabled = False
    logging.getLogger("uvicorn.access").disabled = True
    return LoggingHandles(log_file, tail, handlers)
