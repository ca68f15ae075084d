"""The avatars table (migration 2) through its typed repo, on a real database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from studio.storage.avatar_repo import AvatarRepo, AvatarRow
from studio.storage.db import Database


def _row(avatar_id: str, created: float) -> AvatarRow:
    return AvatarRow(
        avatar_id, avatar_id.title(), "live2d", avatar_id, "model/x.model3.json", "{}", created, created
    )


def test_avatar_rows_round_trip(tmp_path: Path) -> None:
    db = Database(tmp_path / "studio.db")
    db.open()
    try:
        repo = AvatarRepo(db)
        assert repo.all() == [] and repo.get("mao") is None
        repo.insert(_row("mao", 2.0))
        repo.insert(_row("hiyori", 1.0))
        with pytest.raises(sqlite3.IntegrityError):
            repo.insert(_row("mao", 3.0))
        assert [r.id for r in repo.all()] == ["hiyori", "mao"]  # oldest first
        assert repo.update("mao", 5.0, name="Mao Pro", settings='{"scale": 2.0}')
        assert repo.get("mao") == AvatarRow(
            "mao", "Mao Pro", "live2d", "mao", "model/x.model3.json", '{"scale": 2.0}', 2.0, 5.0
        )
        assert not repo.update("nobody", 5.0, name="x")
        with pytest.raises(ValueError, match="can be updated"):
            repo.update("mao", 5.0, folder="../elsewhere")
        repo.upsert(_row("default", 1.5))
        repo.upsert(AvatarRow("default", "Default", "pngtuber", "", "", '{"scale": 1.5}', 1.5, 6.0))
        default = repo.get("default")
        assert default is not None and (default.kind, default.settings) == ("pngtuber", '{"scale": 1.5}')
        assert repo.delete("mao") and not repo.delete("mao")
        assert [r.id for r in repo.all()] == ["hiyori", "default"]
    finally:
        db.close()
