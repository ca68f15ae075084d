"""The voice cloning library ("speakers"): reference recordings with their transcripts.

A speaker is a short recording of a voice (trimmed, loudness-normalised, 16-bit mono WAV in the
library folder) and what is said in it. Cloning engines imitate the voice (VoxCPM's prompt audio,
GPT-SoVITS's ``ref_audio_path``) and need the transcript as the prompt text, so registration
transcribes the recording with the packaged Whisper model (zh/en/ja detected), and the transcript
stays editable. A failed transcription still registers the speaker, with an empty transcript and a
note saying so: the recording is never lost.

Rows live in the ``speakers`` table (migration 7); ``file`` there is relative to the folder, so a
moved data folder keeps working. Ids are slugs of the name (``alice``, ``alice-2``); names without
Latin letters or digits (``小雪``) get ``speaker-<n>`` and keep their name for display.
:meth:`SpeakerLibrary.resolve` answers from an in-memory index (replaced whole on every change), so
routers can call it on every request without touching the database.

Thread affinity: coroutines on the engine loop (audio work and Whisper in worker threads, SQL on
the DB thread); :meth:`SpeakerLibrary.resolve` from any thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlite_utils

from studio.core.errors import NotFoundError, ValidationError
from studio.speech.library.audio_prep import prepare_recording, read_wav, write_wav_atomic
from studio.storage.db import Database

__all__ = ["LANGUAGES", "Speaker", "SpeakerLibrary", "Transcriber", "guess_language", "slugify"]

log = logging.getLogger(__name__)

Transcriber = Callable[[npt.NDArray[np.float32], int], tuple[str, str]]
"""``(mono float32 samples, sample rate) -> (text, language)``; blocking, called in a worker thread."""

LANGUAGES = ("zh", "en", "ja", "")
MAX_NAME_CHARS = 64
MAX_TRANSCRIPT_CHARS = 2000
_COLUMNS = "id, name, file, transcript, language, duration_s, sample_rate, created_at"


@dataclass(frozen=True, slots=True)
class Speaker:
    """A registered reference recording.

    Attributes:
        id: Slug, unique (``alice``, ``alice-2``, ``speaker-3``).
        name: Display name (any script).
        file: Absolute path of the stored 16-bit mono WAV.
        transcript: What is said in it (editable).
        language: ``zh``, ``en``, ``ja`` or ``""``.
        duration_s: Length of the stored recording.
        sample_rate: Its rate.
        created_at: Registration time (epoch seconds).
        note: Why the transcript is empty right after registration (transcription failed or heard
            nothing); not stored.
    """

    id: str
    name: str
    file: Path
    transcript: str
    language: str
    duration_s: float
    sample_rate: int
    created_at: float
    note: str = ""


def slugify(name: str) -> str:
    """Lower-case ASCII slug of ``name`` (``"Alice Smith"`` -> ``"alice-smith"``); ``""`` if none."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")


def unique_id(name: str, taken: Callable[[str], bool]) -> str:
    """A free id for ``name``: its slug, then ``slug-2``, ``slug-3`` ...; ``speaker-<n>`` without a slug."""
    base = slugify(name)
    if base and not taken(base):
        return base
    stem, n = (base, 2) if base else ("speaker", 1)
    while taken(f"{stem}-{n}"):
        n += 1
    return f"{stem}-{n}"


def guess_language(text: str) -> str:
    """``ja`` for kana, ``zh`` for other CJK, ``en`` for Latin letters, else ``""`` (typed transcripts)."""
    if re.search(r"[\u3040-\u30ff]", text):
        return "ja"
    if re.search(r"[\u4e00-\u9fff]", text):
        return "zh"
    return "en" if re.search(r"[A-Za-z]", text) else ""


def _check_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean or len(clean) > MAX_NAME_CHARS or any(unicodedata.category(c) == "Cc" for c in clean):
        raise ValidationError(f"A speaker name needs 1-{MAX_NAME_CHARS} printable characters.")
    return clean


def _check_transcript(text: str) -> str:
    clean = text.strip()
    if len(clean) > MAX_TRANSCRIPT_CHARS:
        raise ValidationError(f"The transcript is longer than {MAX_TRANSCRIPT_CHARS} characters.")
    return clean


def _check_language(language: str) -> str:
    code = language.strip().lower()
    if code not in LANGUAGES:
        raise ValidationError(f"Unknown language {language!r}; use zh, en or ja (or leave it empty).")
    return code


class SpeakerLibrary:
    """Registered speakers: rows in SQLite, recordings in ``folder``.

    Args:
        db: The studio database (migration 7 applied).
        folder: Where recordings are stored (``data_dir / "voices" / "speakers"``).
        transcribe: Whisper (or ``None``: no automatic transcripts); called in a worker thread.
    """

    def __init__(self, db: Database, folder: Path, transcribe: Transcriber | None) -> None:
        self._db = db
        self.folder = folder
        self._transcribe = transcribe
        self._index: dict[str, Speaker] = {}
        self._refresh_sync()

    # -- reading ------------------------------------------------------------------------------------

    def _speaker(self, r: Any, note: str = "") -> Speaker:
        return Speaker(
            str(r[0]),
            str(r[1]),
            self.folder / str(r[2]),
            str(r[3]),
            str(r[4]),
            float(r[5]),
            int(r[6]),
            float(r[7]),
            note,
        )

    def _rows(self, db: sqlite_utils.Database) -> list[Speaker]:
        sql = f"SELECT {_COLUMNS} FROM speakers ORDER BY created_at, id"  # noqa: S608 (constant)
        return [self._speaker(r) for r in db.execute(sql).fetchall()]

    def _set_index(self, speakers: list[Speaker]) -> None:
        self._index = {s.id: s for s in speakers}  # replaced whole: readers on other threads see one

    def _refresh_sync(self) -> None:
        self._set_index(self._db.call(self._rows))

    async def refresh(self) -> list[Speaker]:
        """Reload the index from the database; returns every speaker, oldest first."""
        speakers = await self._db.run(self._rows)
        self._set_index(speakers)
        return speakers

    async def list(self) -> list[Speaker]:
        """Every speaker, oldest first."""
        return await self.refresh()

    async def get(self, speaker_id: str) -> Speaker:
        """The speaker ``speaker_id``.

        Raises:
            NotFoundError: no such speaker.
        """
        for speaker in await self.refresh():
            if speaker.id == speaker_id:
                return speaker
        raise NotFoundError(
            f"There is no speaker {speaker_id!r}; register the voice under Voice -> Speakers."
        )

    def resolve(self, ref: str) -> Speaker | None:
        """The speaker named by ``ref``: id, stored file name (``alice.wav``), its path, or display
        name (exact, then ignoring case). Sync and cheap (in-memory index); any thread."""
        ref = ref.strip()
        if not ref:
            return None
        index = self._index
        if ref in index:
            return index[ref]
        speakers = list(index.values())
        for s in speakers:
            if ref == s.file.name or ref == str(s.file):
                return s
        for s in speakers:
            if ref == s.name:
                return s
        folded = ref.casefold()
        return next((s for s in speakers if s.name.casefold() == folded), None)

    # -- changing -----------------------------------------------------------------------------------

    async def register(
        self,
        name: str,
        audio: bytes | Path,
        *,
        transcript: str | None = None,
        language: str | None = None,
    ) -> Speaker:
        """Store a reference recording as a new speaker.

        Args:
            name: Display name (any script; the id is derived from it).
            audio: File bytes or a file (wav, flac, ogg, mp3, m4a, webm).
            transcript: What is said; ``None`` transcribes it with Whisper.
            language: ``zh``/``en``/``ja``; ``None`` takes Whisper's (or the transcript's) language.

        Raises:
            ValidationError: a bad name, transcript or language, or audio that is unreadable,
                silent, under 1 s of speech or over 60 s.
        """
        name = _check_name(name)
        text = None if transcript is None else _check_transcript(transcript)
        lang = None if language is None else _check_language(language)
        prepared = await asyncio.to_thread(prepare_recording, audio)
        note = ""
        if text is None:
            text, heard, note = await self._auto_transcript(prepared.samples, prepared.sample_rate)
            lang = lang or heard
        lang = lang if lang is not None else guess_language(text)
        tmp = await asyncio.to_thread(write_wav_atomic, self.folder, prepared.samples, prepared.sample_rate)
        now = time.time()
        values = (text, lang, prepared.duration_s, prepared.sample_rate, now)
        try:
            row = await self._db.run(lambda db: self._insert(db, name, tmp, values))
        finally:
            tmp.unlink(missing_ok=True)
        speaker = self._speaker(row, note)
        self._set_index([*self._index.values(), replace(speaker, note="")])
        log.info(
            "speaker registered", extra={"speaker": speaker.id, "duration_s": round(speaker.duration_s, 2)}
        )
        return speaker

    def _insert(self, db: sqlite_utils.Database, name: str, tmp: Path, values: tuple[Any, ...]) -> Any:
        """DB thread: pick a free id, move the recording into place and record it, atomically."""
        text, lang, duration, rate, now = values
        with db.atomic():
            ids = {str(r[0]) for r in db.execute("SELECT id FROM speakers")}
            sid = unique_id(name, lambda s: s in ids or (self.folder / f"{s}.wav").exists())
            file = f"{sid}.wav"
            db.execute(
                "INSERT INTO speakers (id, name, file, transcript, language, duration_s, sample_rate, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sid, name, file, text, lang, duration, rate, now, now],
            )
            os.replace(tmp, self.folder / file)
        return (sid, name, file, text, lang, duration, rate, now)

    async def _auto_transcript(self, samples: npt.NDArray[np.float32], rate: int) -> tuple[str, str, str]:
        if self._transcribe is None:
            return "", "", "Automatic transcription is not available here; type the transcript in."
        try:
            text, lang = await asyncio.to_thread(self._transcribe, samples, rate)
        except Exception as exc:
            log.warning("speaker transcription failed: %s", exc)
            return "", "", f"Automatic transcription failed ({exc}); type the transcript in."
        text = text.strip()
        lang = lang if lang in LANGUAGES else ""
        if not text:
            return "", lang, "Whisper heard no words in the recording; type the transcript in."
        return text, lang, ""

    async def retranscribe(self, speaker_id: str) -> Speaker:
        """Transcribe the stored recording again (replaces the transcript and language).

        Raises:
            NotFoundError: no such speaker.
        """
        speaker = await self.get(speaker_id)
        samples, rate = await asyncio.to_thread(read_wav, speaker.file)
        text, lang, note = await self._auto_transcript(samples, rate)
        if note and not text:
            return replace(speaker, note=note)
        updated = await self.update(speaker_id, transcript=text, language=lang or speaker.language)
        return updated

    async def update(
        self,
        speaker_id: str,
        *,
        name: str | None = None,
        transcript: str | None = None,
        language: str | None = None,
    ) -> Speaker:
        """Change a speaker's name, transcript or language (the id and file stay).

        Raises:
            NotFoundError: no such speaker. ValidationError: a bad value.
        """
        changes: dict[str, str] = {}
        if name is not None:
            changes["name"] = _check_name(name)
        if transcript is not None:
            changes["transcript"] = _check_transcript(transcript)
        if language is not None:
            changes["language"] = _check_language(language)

        def _update(db: sqlite_utils.Database) -> bool:
            with db.atomic():
                if not changes:
                    found = db.execute("SELECT 1 FROM speakers WHERE id = ?", [speaker_id]).fetchone()
                    return found is not None
                sets = ", ".join(f"{k} = ?" for k in changes)
                cursor = db.execute(
                    f"UPDATE speakers SET {sets}, updated_at = ? WHERE id = ?",  # noqa: S608 (fixed keys)
                    [*changes.values(), time.time(), speaker_id],
                )
                return cursor.rowcount > 0

        if not await self._db.run(_update):
            raise NotFoundError(f"There is no speaker {speaker_id!r}.")
        return await self.get(speaker_id)

    async def remove(self, speaker_id: str) -> None:
        """Delete a speaker and its recording.

        Raises:
            NotFoundError: no such speaker.
        """

        def _delete(db: sqlite_utils.Database) -> str | None:
            with db.atomic():
                row = db.execute("SELECT file FROM speakers WHERE id = ?", [speaker_id]).fetchone()
                if row is None:
                    return None
                db.execute("DELETE FROM speakers WHERE id = ?", [speaker_id])
            return str(row[0])

        file = await self._db.run(_delete)
        if file is None:
            raise NotFoundError(f"There is no speaker {speaker_id!r}.")
        self._set_index([s for s in self._index.values() if s.id != speaker_id])
        try:
            await asyncio.to_thread((self.folder / file).unlink, True)
        except OSError as exc:
            log.warning("speaker recording not deleted: %s", exc, extra={"speaker": speaker_id})
        log.info("speaker removed", extra={"speaker": speaker_id})
