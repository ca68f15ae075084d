"""Script mode for the GUI: write (topic -> outline -> chapters), store and read scripts aloud.

:class:`ScriptService` puts the three script pieces on the running engine: a
:class:`~studio.pipeline.script_reader.ScriptReader` on the speech stack's speaker, a
:class:`~studio.brain.script_writer.ScriptWriter` on the conversation's chat model (built only
when something is written, so a pasted script reads without any LLM) and a
:class:`~studio.storage.script_repo.ScriptRepo` on the studio database.

Thread: engine loop (every method; build it with :func:`build_script_service`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from studio.core.errors import ValidationError

if TYPE_CHECKING:
    from studio.app.runtime import EngineRuntime
    from studio.brain.script import Chapter, Script
    from studio.brain.script_writer import ScriptWriter
    from studio.pipeline.script_reader import ScriptReader
    from studio.storage.script_repo import ScriptRepo, ScriptSummary

log = logging.getLogger(__name__)

__all__ = ["ScriptService", "build_script_service"]


class ScriptService:
    """Writing, storage and read-aloud of scripts on one engine runtime (engine loop).

    Args:
        runtime: The running engine (its speech stack and conversation are used).
        reader: The read-aloud queue.
        repo: The scripts table.
    """

    def __init__(self, runtime: EngineRuntime, reader: ScriptReader, repo: ScriptRepo) -> None:
        self.runtime = runtime
        self.reader = reader
        self.repo = repo

    async def writer(self, language: str = "zh") -> ScriptWriter:
        """A writer on the conversation's chat model and persona (builds the conversation).

        Raises:
            ConfigError: the ``[llm]`` settings name no usable provider.
        """
        from studio.brain.persona import build_system_prompt
        from studio.brain.script_writer import ScriptWriter

        conversation = await self.runtime.conversation()
        persona = conversation.persona
        return ScriptWriter(
            conversation.llm,
            persona=build_system_prompt(persona),
            language=language,
            emotions=persona.emotions,
        )

    async def outline(self, topic: str, language: str = "zh") -> Script:
        """Steps 1 and 2: a script with the outline's chapters (no text yet).

        Raises:
            ScriptError: empty topic; OutlineError: no outline in the reply; LlmError: model failed.
        """
        return await (await self.writer(language)).outline(topic)

    async def write_chapter(
        self, script: Script, index: int, on_delta: Callable[[int, str], None] | None = None
    ) -> Chapter:
        """Step 3 for chapter ``index``: streamed (``on_delta`` sees each piece) into ``script``."""
        writer = await self.writer(script.language)
        return await writer.write_chapter(script, index, on_delta)

    @staticmethod
    def parse_pasted(text: str, title: str = "") -> Script:
        """A script from pasted text, no LLM needed (any thread).

        Raises:
            ScriptError: nothing speakable.
        """
        from studio.brain.script import parse_pasted_script

        return parse_pasted_script(text, title)

    async def save(self, script: Script) -> ScriptSummary:
        """Store ``script`` (insert or replace)."""
        return await self.repo.save(script)

    async def list(self) -> list[ScriptSummary]:
        """Every stored script, most recently changed first."""
        return await self.repo.list()

    async def load(self, script_id: str) -> Script:
        """The stored script ``script_id``.

        Raises:
            ValidationError: no such script.
        """
        from studio.brain.script import Script

        row = await self.repo.get(script_id)
        if row is None:
            raise ValidationError("That script no longer exists.")
        return Script.from_json(row.json)

    async def delete(self, script_id: str) -> bool:
        """Delete a stored script; False when it did not exist."""
        return await self.repo.delete(script_id)

    async def play(self, script: Script, chapter: int = 0, sentence: int = 0) -> None:
        """Read ``script`` aloud from ``(chapter, sentence)``; progress goes to the bus.

        Raises:
            IndexError: no such chapter or sentence.
        """
        await self.reader.play(script, chapter, sentence)

    async def pause(self) -> None:
        """Pause reading (the sentence is read again from its start on resume)."""
        self.reader.pause()

    async def resume(self) -> None:
        """Continue after :meth:`pause`."""
        self.reader.resume()

    async def skip(self) -> None:
        """Go on with the next sentence now."""
        self.reader.skip()

    async def jump(self, chapter: int) -> None:
        """Read from the start of ``chapter`` now (IndexError when there is no such chapter)."""
        self.reader.jump(chapter)

    async def stop(self) -> None:
        """Stop reading and drop queued audio."""
        await self.reader.stop()

    async def close(self) -> None:
        """Stop reading (the speech stack itself belongs to the runtime)."""
        await self.reader.close()


async def build_script_service(runtime: EngineRuntime) -> ScriptService:
    """Build the service on ``runtime``'s speech stack and database (engine loop)."""
    from studio.pipeline.script_reader import ScriptReader
    from studio.speech.tts.base import TtsOptions
    from studio.storage.script_repo import ScriptRepo

    c = runtime.container
    stack = await runtime.speech()
    tts = c.config.tts
    reader = ScriptReader(
        stack.speaker,
        c.bus,
        voice_id=tts.voice or None,
        options=TtsOptions(speed=tts.speed, pitch=tts.pitch, volume=tts.volume),
    )
    service = ScriptService(runtime, reader, ScriptRepo(c.db))
    runtime.on_shutdown(service.close)  # stop reading before the speech stack closes
    log.info("script service ready")
    return service
