"""Audio as GPT-SoVITS ``api_v2`` sends it: wav / raw / ogg / aac, whole files and streams.

Facts (reference-contracts.md section 2): mono int16 everywhere. A whole file is one complete
file of its type (WAV with correct sizes; raw = bare int16 LE PCM; ogg = Ogg/Vorbis; aac = ADTS).
A stream (``streaming_mode`` 1-3) sends, for wav, one 44-byte header whose RIFF size is 36 and data
size 0 and then bare PCM chunks; for ogg every chunk is a complete Ogg/Vorbis file (the body is a
chain of Ogg streams); for aac every chunk is an independent ADTS segment; raw is bare PCM. Each
text fragment is followed by ``fragment_interval`` seconds of silence.

Stream shapes: mode 1 sends one chunk per text fragment; mode 2 sends each piece of audio as the
engine yields it; mode 3 sends fixed-length pieces (:data:`FIXED_CHUNK_S`) as soon as they are full.
Vorbis and AAC encoding run in a worker thread. :func:`synthesis_response` turns a synthesis into
the HTTP answer. Engine loop for the async parts.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from fastapi.responses import Response, StreamingResponse

from studio.audio.resample import StreamResampler
from studio.core.errors import StudioError
from studio.speech.tts.wav import wav_header

log = logging.getLogger(__name__)

MEDIA_TYPES = ("wav", "raw", "ogg", "aac")
AAC_BIT_RATE = 192_000
"""The bit rate upstream gives ffmpeg (``-b:a 192k``)."""
FIXED_CHUNK_S = 0.2
"""Length of the pieces streaming mode 3 sends."""
_OGG_BLOCK = 16_384  # frames per libsndfile write: very long single writes overflow small stacks

Int16Array = npt.NDArray[np.int16]
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class PcmPiece:
    """Audio of one engine step: mono float32 in -1..1 at the synthesis rate.

    ``fragment_end`` marks the end of a text fragment (its ``pcm`` may be empty); the fragment's
    silence follows it.
    """

    pcm: FloatArray
    fragment_end: bool = False


@dataclass(slots=True)
class PcmSynthesis:
    """Audio the studio synthesizes itself, at ``sample_rate``, fragment by fragment.

    Attributes:
        voice: What answered (the ``X-Studio-Voice`` header).
        sample_rate: Rate of every piece.
        pieces: The audio; closing it stops the synthesis.
    """

    voice: str
    sample_rate: int
    pieces: AsyncIterator[PcmPiece]


@dataclass(slots=True)
class ForwardedSynthesis:
    """A GPT-SoVITS server's answer, passed on byte for byte.

    Attributes:
        voice: What answered (the ``X-Studio-Voice`` header).
        status: The server's status code.
        content_type: The server's ``Content-Type``.
        body: The body as it arrives.
        close: Releases the connection.
    """

    voice: str
    status: int
    content_type: str
    body: AsyncIterator[bytes]
    close: Callable[[], Awaitable[None]] = field(repr=False)


class Resampler:
    """Chunks at any rate -> one continuous stream at ``rate`` (a new voice flushes the old filter)."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._stream: StreamResampler | None = None

    def feed(self, pcm: FloatArray, rate: int) -> FloatArray:
        head = np.zeros(0, dtype=np.float32)
        if self._stream is None or self._stream.in_rate != rate:
            head = self.flush()
            self._stream = StreamResampler(rate, self.rate)
        body = self._stream.process(np.asarray(pcm, dtype=np.float32))
        return np.concatenate([head, body]).astype(np.float32) if head.size else body

    def flush(self) -> FloatArray:
        stream, self._stream = self._stream, None
        return stream.flush() if stream is not None else np.zeros(0, dtype=np.float32)


Source = Callable[[str], AsyncGenerator[tuple[FloatArray, int], None]]


async def fragment_pieces(fragments: list[str], source: Source, rate: int) -> AsyncIterator[PcmPiece]:
    """Each fragment's audio from ``source`` at ``rate``, each fragment's end marked. Engine loop."""
    resampler = Resampler(rate)
    for fragment in fragments:
        async with contextlib.aclosing(source(fragment)) as stream:
            async for pcm, pcm_rate in stream:
                out = resampler.feed(pcm, pcm_rate)
                if out.size:
                    yield PcmPiece(out)
        yield PcmPiece(resampler.flush(), fragment_end=True)


def to_int16(pcm: npt.NDArray[np.floating]) -> Int16Array:
    """Float samples (-1..1, clipped) to little-endian int16."""
    clipped = np.clip(np.asarray(pcm, dtype=np.float32), -1.0, 1.0)
    return (clipped * 32767.0).astype("<i2")


def wav_stream_header(sample_rate: int) -> bytes:
    """The 44-byte header upstream streams first: mono, 16-bit, RIFF size 36, data size 0."""
    return wav_header(sample_rate, riff_size=36, data_size=0)


def pack_wav(pcm: Int16Array, sample_rate: int) -> bytes:
    """A complete WAV file (correct RIFF and data sizes)."""
    data = pcm.astype("<i2", copy=False).tobytes()
    return wav_header(sample_rate, riff_size=36 + len(data), data_size=len(data)) + data


def pack_raw(pcm: Int16Array) -> bytes:
    """Bare int16 little-endian PCM."""
    return pcm.astype("<i2", copy=False).tobytes()


def pack_ogg(pcm: Int16Array, sample_rate: int) -> bytes:
    """One complete Ogg/Vorbis file (libsndfile through soundfile). Blocking."""
    import soundfile

    buf = io.BytesIO()
    with soundfile.SoundFile(
        buf, mode="w", samplerate=sample_rate, channels=1, format="OGG", subtype="VORBIS"
    ) as out:
        for start in range(0, len(pcm), _OGG_BLOCK):
            out.write(pcm[start : start + _OGG_BLOCK])
    return buf.getvalue()


def pack_aac(pcm: Int16Array, sample_rate: int) -> bytes:
    """One ADTS stream of AAC-LC frames at 192 kb/s (FFmpeg's encoder through PyAV). Blocking."""
    import av

    buf = io.BytesIO()
    with av.open(buf, mode="w", format="adts") as out:
        stream = out.add_stream("aac", rate=sample_rate, layout="mono")
        stream.bit_rate = AAC_BIT_RATE
        if len(pcm):
            frame = av.AudioFrame.from_ndarray(
                pcm.astype(np.int16, copy=False).reshape(1, -1), format="s16", layout="mono"
            )
            frame.sample_rate = sample_rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def pack(media_type: str, pcm: Int16Array, sample_rate: int) -> bytes:
    """``pcm`` as one complete file of ``media_type`` (wav, raw, ogg, aac). Blocking for ogg/aac."""
    if media_type == "wav":
        return pack_wav(pcm, sample_rate)
    if media_type == "ogg":
        return pack_ogg(pcm, sample_rate)
    if media_type == "aac":
        return pack_aac(pcm, sample_rate)
    if media_type == "raw":
        return pack_raw(pcm)
    raise ValueError(f"media_type: {media_type} is not supported")


def silence(seconds: float, sample_rate: int) -> FloatArray:
    """``seconds`` of silence."""
    return np.zeros(max(0, round(seconds * sample_rate)), dtype=np.float32)


async def whole_file(
    pieces: AsyncIterator[PcmPiece], media_type: str, sample_rate: int, fragment_interval: float
) -> bytes:
    """Streaming mode 0: every piece, each fragment followed by its silence, as one file."""
    parts: list[FloatArray] = []
    gap = silence(fragment_interval, sample_rate)
    async for piece in pieces:
        if piece.pcm.size:
            parts.append(piece.pcm)
        if piece.fragment_end:
            parts.append(gap)

    def work() -> bytes:  # a long utterance: conversion and encoding stay off the loop
        pcm = to_int16(np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32))
        return pack(media_type, pcm, sample_rate)

    return await asyncio.to_thread(work)


class _StreamPacker:
    """Turns PCM into the chunks of one streamed body (wav: the header first, then bare PCM)."""

    def __init__(self, media_type: str, sample_rate: int) -> None:
        self.media_type = media_type
        self.sample_rate = sample_rate
        self._header_sent = False

    async def chunks(self, pcm: FloatArray) -> list[bytes]:
        data = to_int16(pcm)
        out: list[bytes] = []
        if self.media_type == "wav":
            if not self._header_sent:
                out.append(wav_stream_header(self.sample_rate))
                self._header_sent = True
            if data.size:
                out.append(pack_raw(data))
        elif self.media_type == "raw":
            if data.size:
                out.append(pack_raw(data))
        elif data.size:
            out.append(await asyncio.to_thread(pack, self.media_type, data, self.sample_rate))
        return out


async def stream_chunks(
    pieces: AsyncIterator[PcmPiece],
    media_type: str,
    mode: int,
    sample_rate: int,
    fragment_interval: float,
) -> AsyncGenerator[bytes, None]:
    """Streaming modes 1-3: the body's chunks, in order, as soon as each is ready.

    Args:
        pieces: The synthesis; fragment ends are marked.
        media_type: wav, raw, ogg or aac.
        mode: 1 (a chunk per fragment), 2 (a chunk per engine piece) or 3 (fixed-length chunks).
        sample_rate: Rate of the pieces (and of the WAV header).
        fragment_interval: Seconds of silence after each fragment.
    """
    packer = _StreamPacker(media_type, sample_rate)
    gap = silence(fragment_interval, sample_rate)
    fixed = max(1, round(FIXED_CHUNK_S * sample_rate))
    pending: list[FloatArray] = []
    pending_len = 0
    if media_type == "wav":  # the header goes out at once: clients learn the rate before audio
        for chunk in await packer.chunks(np.zeros(0, dtype=np.float32)):
            yield chunk
    async for piece in pieces:
        if mode == 2:
            out = [piece.pcm, gap] if piece.fragment_end else [piece.pcm]
            for chunk in await packer.chunks(np.concatenate(out)):
                yield chunk
            continue
        if piece.pcm.size:
            pending.append(piece.pcm)
            pending_len += piece.pcm.size
        if piece.fragment_end:
            pending.append(gap)
            pending_len += gap.size
        if mode == 1:
            if piece.fragment_end:
                for chunk in await packer.chunks(np.concatenate(pending)):
                    yield chunk
                pending, pending_len = [], 0
            continue
        while pending_len >= fixed or (piece.fragment_end and pending_len):
            joined = np.concatenate(pending)
            head, rest = joined[:fixed], joined[fixed:]
            for chunk in await packer.chunks(head):
                yield chunk
            pending, pending_len = ([rest] if rest.size else []), rest.size
    if pending_len:
        for chunk in await packer.chunks(np.concatenate(pending)):
            yield chunk


async def synthesis_response(
    synthesis: PcmSynthesis | ForwardedSynthesis,
    media_type: str,
    mode: int,
    fragment_interval: float,
    headers: dict[str, str],
) -> Response:
    """The HTTP answer: one file (mode 0), a chunked stream (1-3) or the forwarded server's answer.

    Raises:
        Exception: whatever the engine raised before the first audio (the caller answers 400);
            a failure after the headers went out ends the stream early, as upstream's does.
    """
    if isinstance(synthesis, ForwardedSynthesis):
        return await _forwarded(synthesis, headers)
    media = f"audio/{media_type}"
    if mode == 0:
        data = await whole_file(synthesis.pieces, media_type, synthesis.sample_rate, fragment_interval)
        return Response(data, media_type=media, headers=headers)
    chunks = stream_chunks(synthesis.pieces, media_type, mode, synthesis.sample_rate, fragment_interval)
    first: list[bytes] = []
    try:  # up to the first audio (not just the WAV header): early failures still get a 400
        first.append(await anext(chunks))
        if media_type == "wav":
            first.append(await anext(chunks))
    except StopAsyncIteration:
        pass
    except BaseException:
        await chunks.aclose()
        raise
    return StreamingResponse(_continue(first, chunks), media_type=media, headers=headers)


async def _continue(first: list[bytes], rest: AsyncGenerator[bytes, None]) -> AsyncIterator[bytes]:
    try:
        for chunk in first:
            yield chunk
        async for chunk in rest:
            yield chunk
    except StudioError as exc:
        log.warning("gpt-sovits: stream ended early: %s", exc.user_message)
    finally:
        await rest.aclose()


async def _forwarded(synthesis: ForwardedSynthesis, headers: dict[str, str]) -> Response:
    if synthesis.status >= 400:
        try:
            body = b"".join([chunk async for chunk in synthesis.body])
        finally:
            await synthesis.close()
        return Response(
            body, status_code=synthesis.status, media_type=synthesis.content_type, headers=headers
        )

    async def relay() -> AsyncIterator[bytes]:
        try:
            async for chunk in synthesis.body:
                yield chunk
        finally:
            await synthesis.close()

    return StreamingResponse(
        relay(), status_code=synthesis.status, media_type=synthesis.content_type, headers=headers
    )
