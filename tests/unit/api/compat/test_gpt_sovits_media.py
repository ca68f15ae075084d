"""GPT-SoVITS audio packing: whole files and streams of each media type, parsed like a client would.

The parsers here (WAV header, chained Ogg, ADTS) are also used by the conformance test.
"""

from __future__ import annotations

import io
import struct
import wave
from collections.abc import AsyncIterator

import numpy as np
import pytest

from studio.api.compat.audio_media import (
    FIXED_CHUNK_S,
    PcmPiece,
    Resampler,
    fragment_pieces,
    pack,
    stream_chunks,
    wav_stream_header,
    whole_file,
)

RATE = 32000


def tone(seconds: float, rate: int = RATE, freq: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


# ---- client-side parsers ---------------------------------------------------------------------


def stream_wav_header(data: bytes) -> tuple[int, bytes]:
    """Checks upstream's streaming header (44 bytes, RIFF 36, data 0, mono 16-bit); (rate, PCM)."""
    assert len(data) >= 44
    assert data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt "
    assert struct.unpack_from("<I", data, 4)[0] == 36
    fmt_size, fmt, channels, rate, byte_rate, align, bits = struct.unpack_from("<IHHIIHH", data, 16)
    assert (fmt_size, fmt, channels, bits, align, byte_rate) == (16, 1, 1, 16, 2, rate * 2)
    assert data[36:40] == b"data" and struct.unpack_from("<I", data, 40)[0] == 0
    return rate, data[44:]


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """A complete WAV file: real sizes, mono 16-bit."""
    assert struct.unpack_from("<I", data, 4)[0] == len(data) - 8
    with wave.open(io.BytesIO(data), "rb") as wf:
        assert wf.getnchannels() == 1 and wf.getsampwidth() == 2
        pcm = np.frombuffer(wf.readframes(wf.getnframes()), dtype="<i2")
        assert pcm.size == wf.getnframes()
        return pcm, wf.getframerate()


def split_ogg_chain(data: bytes) -> list[bytes]:
    """Cuts a chain of Ogg streams at each beginning-of-stream page (RFC 3533 page headers)."""
    streams: list[bytes] = []
    pos = 0
    start = 0
    while pos < len(data):
        assert data[pos : pos + 4] == b"OggS", f"no Ogg page at byte {pos}"
        header_type = data[pos + 5]
        segments = data[pos + 26]
        body = sum(data[pos + 27 : pos + 27 + segments])
        if header_type & 0x02 and pos > start:
            streams.append(data[start:pos])
            start = pos
        pos += 27 + segments + body
    assert pos == len(data), "the body ends inside an Ogg page"
    streams.append(data[start:])
    return streams


def decode_ogg(data: bytes) -> tuple[np.ndarray, int]:
    import soundfile

    pcm, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    return pcm, rate


def adts_frames(data: bytes) -> list[tuple[int, int]]:
    """(sample rate, frame length) of each ADTS frame; the frames must tile the body exactly."""
    rates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]
    frames: list[tuple[int, int]] = []
    pos = 0
    while pos < len(data):
        head = data[pos : pos + 7]
        assert len(head) == 7 and head[0] == 0xFF and head[1] & 0xF0 == 0xF0, f"no ADTS sync at {pos}"
        profile = (head[2] >> 6) + 1
        assert profile == 2, "AAC-LC"
        rate = rates[(head[2] >> 2) & 0x0F]
        channels = ((head[2] & 1) << 2) | (head[3] >> 6)
        assert channels == 1
        length = ((head[3] & 0x03) << 11) | (head[4] << 3) | (head[5] >> 5)
        assert length >= 7
        frames.append((rate, length))
        pos += length
    assert pos == len(data)
    return frames


def decode_aac(data: bytes) -> tuple[int, int]:
    """Decodes ADTS frame by frame with FFmpeg's AAC decoder (PyAV), as a streaming client does:
    (samples, rate). FFmpeg's file probe is not used: it misjudges very short segments."""
    import av

    decoder = av.CodecContext.create("aac", "r")
    samples = 0
    rate = 0
    pos = 0
    for _, length in adts_frames(data):
        for frame in decoder.decode(av.Packet(data[pos : pos + length])):  # type: ignore[attr-defined]
            samples += frame.samples
            rate = frame.sample_rate
        pos += length
    for frame in decoder.decode(None):  # type: ignore[attr-defined]
        samples += frame.samples
    return samples, rate


# ---- tests -----------------------------------------------------------------------------------


def test_stream_header_is_upstreams_44_bytes() -> None:
    header = wav_stream_header(32000)
    assert len(header) == 44
    rate, rest = stream_wav_header(header)
    assert rate == 32000 and rest == b""
    # the same bytes as Python's wave module writes for zero frames (what upstream uses)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(32000)
        wf.writeframes(b"")
    assert buf.getvalue() == header


@pytest.mark.parametrize("media", ["wav", "raw", "ogg", "aac"])
def test_each_media_type_is_one_complete_file(media: str) -> None:
    pcm = (tone(1.0) * 32767).astype("<i2")
    data = pack(media, pcm, RATE)
    if media == "wav":
        got, rate = read_wav(data)
        assert rate == RATE and np.array_equal(got, pcm)
    elif media == "raw":
        assert data == pcm.tobytes()
    elif media == "ogg":
        assert len(split_ogg_chain(data)) == 1
        decoded, rate = decode_ogg(data)
        assert rate == RATE and abs(decoded.size - RATE) < 100
    else:
        frames = adts_frames(data)
        assert {r for r, _ in frames} == {RATE}
        samples, rate = decode_aac(data)
        assert rate == RATE and RATE <= samples <= RATE + 3 * 1024


async def _pieces(fragments: list[float]) -> AsyncIterator[PcmPiece]:
    for seconds in fragments:
        whole = tone(seconds)
        for start in range(0, whole.size, 3000):  # engine-sized pieces
            yield PcmPiece(whole[start : start + 3000])
        yield PcmPiece(np.zeros(0, dtype=np.float32), fragment_end=True)


async def _collect(mode: int, media: str, fragments: list[float], interval: float = 0.3) -> list[bytes]:
    return [c async for c in stream_chunks(_pieces(fragments), media, mode, RATE, interval)]


async def test_mode_1_sends_one_chunk_per_fragment_with_its_silence() -> None:
    chunks = await _collect(1, "wav", [0.5, 0.25])
    assert len(chunks) == 3 and len(chunks[0]) == 44
    assert [len(c) // 2 for c in chunks[1:]] == [round(0.8 * RATE), round(0.55 * RATE)]
    tail = np.frombuffer(chunks[1], dtype="<i2")[-round(0.3 * RATE) :]
    assert not tail.any(), "each fragment ends in fragment_interval of silence"
    raw = await _collect(1, "raw", [0.5, 0.25])
    assert raw == chunks[1:]


async def test_mode_2_sends_the_engines_pieces_and_mode_3_fixed_lengths() -> None:
    two = await _collect(2, "raw", [0.5])
    assert len(two) == 7  # 16000 samples in pieces of 3000 -> 6, then the silence
    assert sum(len(c) for c in two) // 2 == round(0.8 * RATE)
    three = await _collect(3, "raw", [0.5, 0.5])
    fixed = round(FIXED_CHUNK_S * RATE)
    sizes = [len(c) // 2 for c in three]
    assert sum(sizes) == round(1.6 * RATE)
    assert sizes[:4] == [fixed] * 4 and max(sizes) == fixed


@pytest.mark.parametrize("mode", [1, 2, 3])
async def test_streamed_ogg_is_a_chain_and_aac_independent_segments(mode: int) -> None:
    ogg = await _collect(mode, "ogg", [0.5, 0.4])
    for chunk in ogg:
        assert len(split_ogg_chain(chunk)) == 1
        decode_ogg(chunk)
    streams = split_ogg_chain(b"".join(ogg))
    assert len(streams) == len(ogg)
    total = sum(decode_ogg(s)[0].size for s in streams)
    assert abs(total - round(1.5 * RATE)) < 50 * len(streams)
    aac = await _collect(mode, "aac", [0.5, 0.4])
    for chunk in aac:
        assert chunk[:2] == b"\xff\xf1"
        adts_frames(chunk)
        assert decode_aac(chunk)[1] == RATE
    adts_frames(b"".join(aac))


async def test_whole_file_joins_fragments_and_silences() -> None:
    data = await whole_file(_pieces([0.5, 0.25]), "wav", RATE, 0.1)
    pcm, rate = read_wav(data)
    assert rate == RATE and pcm.size == round(0.95 * RATE)


async def test_fragment_pieces_resample_to_one_rate_and_mark_ends() -> None:
    async def source(text: str) -> AsyncIterator[tuple[np.ndarray, int]]:
        rate = 22050 if text == "a" else 24000
        for _ in range(4):
            yield tone(0.25, rate), rate

    pieces = [p async for p in fragment_pieces(["a", "b"], source, RATE)]  # type: ignore[arg-type]
    ends = [i for i, p in enumerate(pieces) if p.fragment_end]
    assert len(ends) == 2 and ends[-1] == len(pieces) - 1
    first = sum(p.pcm.size for p in pieces[: ends[0] + 1])
    second = sum(p.pcm.size for p in pieces[ends[0] + 1 :])
    assert abs(first - RATE) < 64 and abs(second - RATE) < 64


def test_resampler_passes_the_output_rate_through() -> None:
    r = Resampler(RATE)
    pcm = tone(0.1)
    assert np.array_equal(r.feed(pcm, RATE), pcm)
    assert r.flush().size == 0
