"""Where the studio keeps its files.

By default the per-user folders of the OS (platformdirs). ``STUDIO_HOME`` (or ``--home``) puts
config, data, cache and logs in one folder, so tests and several profiles never touch the user's
real folders. Paths that arrive from outside (API, plugins) are confined with :meth:`StudioPaths.confine`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from studio.config.secrets import SecretStore
from studio.core.errors import PathNotAllowedError, StorageError

APP_NAME = "CreamStudio"
HOME_ENV = "STUDIO_HOME"

# The source tree (or installed package) root: resources/ and models/ live beside studio/.
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class StudioPaths:
    """The studio's folders. Create them with :meth:`ensure`."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path
    resources_dir: Path
    models_dir: Path
    custom_home: bool = False
    """True when the folders come from ``STUDIO_HOME``/``--home`` rather than the OS defaults."""

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> StudioPaths:
        """Pick the folders: ``home`` argument, else ``$STUDIO_HOME``, else the OS user folders."""
        home = home or os.environ.get(HOME_ENV) or None
        resources = _PROJECT_ROOT / "resources"
        models = _PROJECT_ROOT / "models"
        if home:
            root = Path(home).expanduser().absolute()
            return cls(root / "config", root / "data", root / "cache", root / "logs", resources, models, True)
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
            resources,
            models,
        )

    @property
    def config_file(self) -> Path:
        """The TOML settings file."""
        return self.config_dir / "config.toml"

    @property
    def database_file(self) -> Path:
        """The SQLite database."""
        return self.data_dir / "studio.db"

    @property
    def secrets_dir(self) -> Path:
        """Folder of the encrypted-file secrets backend (used only when the OS has no keyring)."""
        return self.data_dir / "secrets"

    @property
    def user_models_dir(self) -> Path:
        """Models the user imported (avatars, voices)."""
        return self.data_dir / "models"

    def secret_store(self) -> SecretStore:
        """The secrets store of this profile (each ``STUDIO_HOME`` has its own keyring service)."""
        return SecretStore.for_profile(self.data_dir, self.config_dir, default_profile=not self.custom_home)

    def writable_dirs(self) -> tuple[Path, ...]:
        """Folders the studio writes to."""
        return (self.config_dir, self.data_dir, self.cache_dir, self.log_dir)

    def ensure(self) -> None:
        """Create the writable folders (owner-only where the OS supports it).

        Raises:
            StorageError: a folder cannot be created (named in the message).
        """
        for folder in self.writable_dirs():
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            except OSError as exc:
                raise StorageError(f"Cannot create the folder {folder}: {exc.strerror or exc}") from exc

    def confine(self, candidate: str | os.PathLike[str], *, within: Path | None = None) -> Path:
        """Resolve a path that came from outside, allowing only the studio's folders.

        Relative paths are taken relative to ``within`` (default: the data folder). Symlinks are
        resolved first, so a link pointing out of the folders is refused too.

        Raises:
            PathNotAllowedError: the path resolves outside the allowed folders.
        """
        base = (within or self.data_dir).resolve()
        raw = Path(candidate)
        try:
            target = (raw if raw.is_absolute() else base / raw).resolve()
        except (ValueError, OSError, RuntimeError) as exc:  # NUL byte, symlink loop
            raise PathNotAllowedError(f"Path not allowed: {os.fspath(candidate)!r} ({exc}).") from exc
        roots = (
            [base] if within is not None else [p.resolve() for p in (*self.writable_dirs(), self.models_dir)]
        )
        if not any(target == root or target.is_relative_to(root) for root in roots):
            raise PathNotAllowedError(
                f"Path not allowed: {os.fspath(candidate)!r} is outside the studio's folders."
            )
        return target
