"""Message bodies of the Open-LLM-VTuber protocol (reference-contracts.md section 4.2).

Pure functions; any thread. The ``audio`` payload carries a 16-bit PCM WAV in base64 (the web
client lip-syncs from its samples, float WAVs give no mouth movement), ``volumes`` as the RMS of
each 20 ms slice normalised to the loudest slice, the raw sentence in ``display_text`` and the
expressions of the sentence's ``[emotion]`` keywords in ``actions``.
"""

from __future__ import annotations

import base64
import io
import math
import re
import time
import uuid
import wave
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from studio.core.errors import ValidationError

SLICE_MS = 20
THINKING = "Thinking..."
CONNECTED = "Connection established"
AI_WANTS_TO_SPEAK = "AI wants to speak something..."
PROACTIVE_PROMPT = "Please say something."
INTERRUPTED_NOTE = "[Interrupted by user]"

_KEYWORD = re.compile(r"\[([^\[\]\n]{1,32})\]")
_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)|（[^）]*）|<[^>]*>|【[^】]*】|\*")
_SPACES = re.compile(r"\s+")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def message(kind: str, **fields: Any) -> dict[str, Any]:
    """``{"type": kind, **fields}``."""
    return {"type": kind, **fields}


def control(text: str) -> dict[str, Any]:
    """``{"type": "control", "text": text}`` (start-mic, conversation-chain-start/-end, ...)."""
    return message("control", text=text)


def expressions_in(sentence: str, emotion_map: Mapping[str, int | str]) -> list[int | str]:
    """Expressions of the ``[keyword]`` tags of ``sentence`` found in ``emotion_map`` (any case),
    in order of appearance."""
    lowered = {key.lower(): value for key, value in emotion_map.items()}
    found: list[int | str] = []
    for match in _KEYWORD.finditer(sentence):
        value = lowered.get(match.group(1).strip().lower())
        if value is not None:
            found.append(value)
    return found


def speakable(sentence: str) -> str:
    """The text to synthesize: brackets, parentheses, angle brackets (with their content) and
    asterisks removed, whitespace collapsed."""
    return _SPACES.sub(" ", _BRACKETS.sub("", sentence)).strip()


def guess_language(text: str) -> str:
    """``ja`` with kana, ``zh`` with Han characters, else ``en`` (picks the default voice)."""
    if _KANA.search(text):
        return "ja"
    if _HAN.search(text):
        return "zh"
    return "en"


def read_pcm16_wav(data: bytes) -> tuple[npt.NDArray[np.int16], int]:
    """Mono int16 samples and rate of a 16-bit PCM WAV (first channel of a multi-channel one).

    Raises:
        ValidationError: not a 16-bit PCM WAV file.
    """
    try:
        with wave.open(io.BytesIO(data), "rb") as wf:
            if wf.getsampwidth() != 2:
                raise ValidationError("The audio is not 16-bit PCM.")
            channels, rate = wf.getnchannels(), wf.getframerate()
            frames = wf.readframes(wf.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ValidationError(f"Not a PCM WAV file: {exc}") from None
    samples = np.frombuffer(frames, dtype="<i2")
    if channels > 1:
        samples = samples[: len(samples) - len(samples) % channels].reshape(-1, channels)[:, 0]
    return samples.astype(np.int16), rate


def volumes(samples: npt.NDArray[np.int16], rate: int, slice_ms: int = SLICE_MS) -> list[float]:
    """RMS of each ``slice_ms`` slice (the last may be shorter), divided by the loudest one.

    All zeros for silence; ``[]`` for no samples.
    """
    if samples.size == 0 or rate <= 0:
        return []
    step = max(int(rate * slice_ms / 1000), 1)
    count = math.ceil(samples.size / step)
    padded = np.zeros(count * step, dtype=np.float64)
    padded[: samples.size] = samples.astype(np.float64)
    sums = (padded.reshape(count, step) ** 2).sum(axis=1)
    lengths = np.full(count, step, dtype=np.float64)
    lengths[-1] = samples.size - (count - 1) * step
    rms = np.sqrt(sums / lengths)
    top = float(rms.max())
    if top <= 0.0:
        return [0.0] * count
    return [round(float(v), 6) for v in rms / top]


def audio_payload(
    wav: bytes | None,
    *,
    text: str,
    name: str,
    avatar: str | None,
    expressions: Sequence[int | str] = (),
    forwarded: bool = False,
) -> dict[str, Any]:
    """The ``audio`` message: base64 WAV (or ``None`` for a silent, text-only payload), volumes per
    20 ms, ``display_text`` and ``actions`` (``None`` when there are no expressions).

    Raises:
        ValidationError: ``wav`` is not a 16-bit PCM WAV file.
    """
    vols: list[float] = []
    encoded: str | None = None
    if wav is not None:
        samples, rate = read_pcm16_wav(wav)
        vols = volumes(samples, rate)
        encoded = base64.b64encode(wav).decode("ascii")
    return message(
        "audio",
        audio=encoded,
        volumes=vols,
        slice_length=SLICE_MS,
        display_text={"text": text, "name": name, "avatar": avatar},
        actions={"expressions": list(expressions)} if expressions else None,
        forwarded=forwarded,
    )


def float_pcm(values: object) -> npt.NDArray[np.float32]:
    """``mic-audio-data``'s ``audio`` (numbers in -1..1) as float32, clipped.

    Raises:
        ValidationError: not a list of numbers.
    """
    if not isinstance(values, list):
        raise ValidationError("'audio' must be a list of numbers.")
    try:
        pcm = np.asarray(values, dtype=np.float32).reshape(-1)
    except (TypeError, ValueError):
        raise ValidationError("'audio' must be a list of numbers.") from None
    return np.clip(np.nan_to_num(pcm), -1.0, 1.0)


def asr_samples(data: bytes) -> npt.NDArray[np.float32]:
    """``POST /asr``'s upload as float samples: the first 44 bytes (the header) are skipped, the rest
    is 16-bit PCM (16 kHz mono assumed), like the reference server.

    Raises:
        ValueError: with the reference's messages: file too small, odd size, no audio.
    """
    if len(data) < 44:
        raise ValueError("Invalid WAV file: File too small")
    body = data[44:]
    if len(body) % 2:
        raise ValueError("Invalid audio data: Buffer size must be even")
    if not body:
        raise ValueError("Empty audio data")
    return (np.frombuffer(body, dtype="<i2").astype(np.float32) / 32768.0).astype(np.float32)


def new_history_uid(now: float | None = None) -> str:
    """``YYYY-MM-DD_HH-MM-SS_<uuid4 hex>``."""
    stamp = time.strftime("%Y-%m-%d_%H-%M-%S", time.localtime(time.time() if now is None else now))
    return f"{stamp}_{uuid.uuid4().hex}"


def timestamp(ts: float) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` (local time), the history timestamp format."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(ts))


def history_message(
    role: str, text: str, ts: float, *, name: str | None = None, avatar: str | None = None
) -> dict[str, Any] | None:
    """A stored message as ``{role: human|ai, timestamp, content, name?, avatar?}``; ``None`` for
    system messages (they are filtered out)."""
    olv_role = {"user": "human", "assistant": "ai"}.get(role)
    if olv_role is None:
        return None
    out: dict[str, Any] = {"role": olv_role, "timestamp": timestamp(ts), "content": text}
    if olv_role == "ai" and name is not None:
        out["name"] = name
        if avatar is not None:
            out["avatar"] = avatar
    return out


def history_entry(uid: str, latest: dict[str, Any]) -> dict[str, Any]:
    """One ``history-list`` item: ``{uid, latest_message, timestamp}``."""
    return {"uid": uid, "latest_message": latest, "timestamp": latest["timestamp"]}


def config_files(characters: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """``config-files`` from ``(filename, name)`` pairs (``conf.yaml`` first)."""
    configs = [{"filename": f, "name": n} for f, n in characters]
    configs.sort(key=lambda c: c["filename"] != "conf.yaml")
    return message("config-files", configs=configs)
