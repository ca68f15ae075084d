"""The composition root: builds every long-lived object once and hands them out. No globals.

``Container.build()`` is called by the CLI (``studio``, ``studio serve`` ...) and by tests; the GUI
receives a built container. Order matters: folders, then logging (so everything after is logged),
then config, secrets and the database.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from studio import __version__
from studio.api.schemas import EngineInfo
from studio.app.paths import StudioPaths
from studio.config.secrets import SecretStore
from studio.config.settings import LoggingSettings, StudioConfig
from studio.config.store import ConfigProblem, ConfigStore
from studio.core.bus import EventBus
from studio.core.clock import MediaClock
from studio.core.logging import LoggingHandles, setup_logging
from studio.storage.db import Database
from studio.storage.repos import EventLogRepo, MetaRepo

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Container:
    """Everything the studio is made of, built once per process (or per test)."""

    paths: StudioPaths
    config_store: ConfigStore
    config: StudioConfig
    config_problems: list[ConfigProblem]
    logs: LoggingHandles
    bus: EventBus
    clock: MediaClock
    secrets: SecretStore
    db: Database
    event_log: EventLogRepo
    meta: MetaRepo
    version: str = __version__
    _closed: bool = field(default=False, repr=False)

    @classmethod
    def build(cls, home: str | os.PathLike[str] | None = None, *, console_log: bool = False) -> Container:
        """Create folders, logging, config, secrets and the database (blocking; ~100 ms).

        Args:
            home: Put every folder under this one (else ``$STUDIO_HOME``, else the OS folders).
            console_log: Also log to stderr (``studio serve``).

        Raises:
            StudioError: a folder or the database cannot be used (the message says which).
        """
        paths = StudioPaths.resolve(home)
        paths.ensure()
        store = ConfigStore(paths.config_file)
        # Logging needs its own settings first; config problems are then logged by load().
        log_settings = store.peek(LoggingSettings)
        logs = setup_logging(
            paths.log_dir,
            log_settings.level,
            console=console_log,
            max_bytes=log_settings.max_file_mb * 1024 * 1024,
            backups=log_settings.keep_files,
        )
        result = store.load()
        log.info(
            "studio starting",
            extra={"version": __version__, "config": str(paths.config_file), "logs": str(logs.log_file)},
        )
        secrets = paths.secret_store()
        db = Database(paths.database_file, synchronous=result.config.storage.synchronous)
        try:
            db.open()
        except BaseException:
            logs.close()
            raise
        return cls(
            paths=paths,
            config_store=store,
            config=result.config,
            config_problems=result.problems,
            logs=logs,
            bus=EventBus(),
            clock=MediaClock(),
            secrets=secrets,
            db=db,
            event_log=EventLogRepo(db),
            meta=MetaRepo(db),
        )

    def engines(self) -> list[EngineInfo]:
        """Engines known to this build (filled by the speech, avatar and broadcast features)."""
        return []

    def close(self) -> None:
        """Close the database and the log handlers (idempotent; after the runtime stopped)."""
        if self._closed:
            return
        self._closed = True
        try:
            self.db.close()
        finally:
            log.info("studio closed")
            self.logs.close()
