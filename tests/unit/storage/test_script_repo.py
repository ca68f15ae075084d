"""The scripts table (migration 6) through its typed repo, on a real database, with real scripts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from studio.brain.script import Script, parse_pasted_script
from studio.storage.db import Database
from studio.storage.script_repo import ScriptRepo


async def test_scripts_are_saved_listed_updated_and_deleted(tmp_path: Path) -> None:
    db = Database(tmp_path / "studio.db")
    db.open()
    try:
        repo = ScriptRepo(db)
        assert await repo.list() == [] and await repo.get("nope") is None
        first = parse_pasted_script("## 开场\n[happy] 大家好！\n## 结尾\n拜拜。", title="第一场")
        second = parse_pasted_script("Hello there. Bye now.", title="Second")
        saved = await repo.save(first)
        await asyncio.sleep(0.01)
        await repo.save(second)
        assert [s.title for s in await repo.list()] == ["Second", "第一场"]  # newest change first

        first.chapters[1].set_text("[sad] 下次见。")
        first.title = "第一场（改）"
        await asyncio.sleep(0.01)
        updated = await repo.save(first)
        assert updated.created_at == saved.created_at and updated.updated_at > saved.updated_at
        assert [s.id for s in await repo.list()] == [first.id, second.id]
        row = await repo.get(first.id)
        assert row is not None and row.title == "第一场（改）" and row.language == "zh"
        assert Script.from_json(row.json) == first

        assert await repo.delete(second.id) is True
        assert await repo.delete(second.id) is False
        assert [s.id for s in await repo.list()] == [first.id]
    finally:
        db.close()

    reopened = Database(tmp_path / "studio.db")
    reopened.open()
    try:
        row = await ScriptRepo(reopened).get(first.id)
        assert row is not None and Script.from_json(row.json).chapters[1].sentences[0].emotion == "sad"
    finally:
        reopened.close()
