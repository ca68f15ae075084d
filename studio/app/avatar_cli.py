"""``studio avatar``: list, import, rename, remove and choose the avatars of the library."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from studio.core.errors import StudioError

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.avatar.library import AvatarLibrary

__all__ = ["avatar"]


@contextmanager
def _library() -> Iterator[tuple[Container, AvatarLibrary]]:
    """The container and the avatar library; studio errors become a clean exit 1."""
    from studio.app.avatar import open_library
    from studio.app.container import Container

    try:
        container = Container.build()
    except StudioError as exc:
        raise click.ClickException(exc.user_message) from exc
    try:
        yield container, open_library(container.paths, container.db)
    except StudioError as exc:
        raise click.ClickException(exc.user_message) from exc
    finally:
        container.close()


def _use(container: Container, avatar_id: str) -> None:
    """Save ``[avatar] current = avatar_id`` in config.toml."""
    area = container.config.avatar.model_copy(update={"current": avatar_id})
    container.config = container.config_store.save_area(container.config, area)


@click.group()
def avatar() -> None:
    """The avatar library: Live2D models imported from a folder or a .zip, plus the built-in avatar."""


@avatar.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the avatars as JSON.")
def avatar_list(as_json: bool) -> None:
    """List the avatars (the current one is marked with *)."""
    with _library() as (container, library):
        current = container.config.avatar.current
        rows = [
            {
                "id": a.id,
                "name": a.name,
                "kind": a.kind,
                "current": a.id == current,
                "builtin": a.builtin,
                "folder": str(a.folder),
            }
            for a in library.list_avatars()
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        mark = "*" if row["current"] else " "
        click.echo(f"{mark} {row['id']:<24} {row['kind']:<9} {row['name']:<24} {row['folder']}")


@avatar.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", default=None, help="Display name (default: the model's name).")
def avatar_import(path: Path, name: str | None) -> None:
    """Import the Live2D model in PATH (a model folder or a .zip of it)."""
    from studio.app.avatar import LIVE2D_LICENCE_NOTE

    with _library() as (_container, library):
        result = library.import_model(path, name=name)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"Imported {result.avatar.name} as {result.avatar.id} ({result.avatar.folder}).")
    click.echo(f"Use it with: studio avatar use {result.avatar.id}")
    click.echo(LIVE2D_LICENCE_NOTE, err=True)


@avatar.command("rename")
@click.argument("avatar_id", metavar="ID")
@click.argument("name")
def avatar_rename(avatar_id: str, name: str) -> None:
    """Change the display name of avatar ID (its id stays)."""
    with _library() as (_container, library):
        renamed = library.rename(avatar_id, name)
    click.echo(f"Renamed {renamed.id} to {renamed.name}.")


@avatar.command("remove")
@click.argument("avatar_id", metavar="ID")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def avatar_remove(avatar_id: str, yes: bool) -> None:
    """Delete the imported avatar ID and its files (the built-in avatar cannot be removed)."""
    from studio.avatar.library import BUILTIN_ID

    with _library() as (container, library):
        target = library.get(avatar_id)
        if target.builtin:
            raise click.ClickException("The built-in avatar cannot be removed.")
        if not yes:
            click.confirm(f"Remove {target.name} ({target.id}) and its files?", abort=True)
        library.remove(avatar_id)
        click.echo(f"Removed {target.name} ({target.id}).")
        if container.config.avatar.current == avatar_id:
            _use(container, BUILTIN_ID)
            click.echo("The built-in avatar is the current one again.")


@avatar.command("use")
@click.argument("avatar_id", metavar="ID")
def avatar_use(avatar_id: str) -> None:
    """Show avatar ID from the next start of the studio (saved as [avatar] current)."""
    with _library() as (container, library):
        chosen = library.get(avatar_id)
        _use(container, chosen.id)
    click.echo(f"Current avatar: {chosen.name} ({chosen.id}).")
