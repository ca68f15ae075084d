"""GPT-SoVITS ``api_v2`` request parameters: names, defaults, checks and messages, text splitting.

Facts from reference-contracts.md section 2 (upstream ``api_v2.py`` and its text segmentation):
the POST body ``TTS_Request`` and the GET query share names and defaults (``top_k`` 15,
``text_split_method`` cut5 ...); every check answers 400 ``{"message": ...}`` with upstream's
wording; languages are those of model version v2. The types crossing the seam to the back end
(:class:`RefAudio`, :class:`GptSovitsApi` ...) live here too, and StreamCream's file-name rules.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from studio.api.compat.audio_media import MEDIA_TYPES, ForwardedSynthesis, PcmSynthesis
from studio.core.errors import ValidationError

MODEL_VERSION = "v2"
LANGUAGES = ("auto", "auto_yue", "en", "zh", "ja", "yue", "ko", "all_zh", "all_ja", "all_yue", "all_ko")
"""``text_lang`` / ``prompt_lang`` values of model versions v2, v2Pro, v2ProPlus, v3 and v4."""
CUT_METHODS = ("cut0", "cut1", "cut2", "cut3", "cut4", "cut5")
STREAMING_MODE_MESSAGE = "the value of streaming_mode must be 0, 1, 2, 3(int) or true/false(bool)"
MAX_TEXT_CHARS = 5000
MAX_FRAGMENT_INTERVAL_S = 10.0
REFERENCE_DIR = "参考音频"
DEFAULT_REFERENCE = "参考音频.wav"
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')

_SPLITS = frozenset("，。？！,.?!~:：—…")
_CUT5_MARKS = frozenset(",.;?!、，。？！;：…")
_PUNCTUATION = frozenset("!?…,.- ")  # a fragment of only these is dropped
_MERGE_BELOW = 5  # shorter fragments join their neighbours
_MAX_FRAGMENT = 510


class TtsRequest(BaseModel):
    """``POST /tts`` body (upstream ``TTS_Request``): every field and its default."""

    model_config = ConfigDict(extra="ignore")

    text: str | None = Field(None, description="Text to speak (required).")
    text_lang: str | None = Field(None, description=f"Language of the text: {', '.join(LANGUAGES)}.")
    ref_audio_path: str | None = Field(
        None,
        description="Reference audio: a speaker of the studio's library (id, name or file name), a path "
        "relative to the GPT-SoVITS model folder, or a file inside the studio's folders. Optional: "
        "falls back to the reference set with /set_refer_audio, then the model pair's.",
    )
    aux_ref_audio_paths: list[str] | None = Field(None, description="Extra reference audios (tone fusion).")
    prompt_lang: str | None = Field(None, description="Language of the reference audio's transcript.")
    prompt_text: str | None = Field("", description="Transcript of the reference audio.")
    top_k: int = 15
    top_p: float = 1
    temperature: float = 1
    text_split_method: str = Field("cut5", description="cut0 (none) ... cut5 (every punctuation mark).")
    batch_size: int = 1
    batch_threshold: float = 0.75
    split_bucket: bool = True
    speed_factor: float = 1.0
    fragment_interval: float = Field(0.3, description="Seconds of silence after each text fragment.")
    seed: int = -1
    media_type: str = Field("wav", description="wav, raw, ogg or aac.")
    streaming_mode: bool | int = Field(
        False, description="0/false whole file, 1/true a chunk per fragment, 2 medium chunks, 3 small chunks."
    )
    parallel_infer: bool = True
    repetition_penalty: float = 1.35
    sample_steps: int = 32
    super_sampling: bool = False
    overlap_length: int = 2
    min_chunk_length: int = 16


def check_params(req: TtsRequest) -> str | None:
    """Upstream's checks after the reference audio, in its order: the 400 message or ``None``."""
    if not req.text:
        return "text is required"
    for name in ("text_lang", "prompt_lang"):
        value = getattr(req, name)
        if not value:
            return f"{name} is required"
        if value.lower() not in LANGUAGES:
            return f"{name}: {value} is not supported in version {MODEL_VERSION}"
    if req.media_type not in MEDIA_TYPES:
        return f"media_type: {req.media_type} is not supported"
    if req.text_split_method not in CUT_METHODS:
        return f"text_split_method:{req.text_split_method} is not supported"
    return None


def streaming_mode_of(value: bool | int) -> int | None:
    """``streaming_mode`` as 0-3 (false = 0, true = 1), or ``None`` for any other value."""
    if isinstance(value, bool):
        return int(value)
    return value if value in (0, 1, 2, 3) else None


def limits_problem(req: TtsRequest) -> str | None:
    """The studio's own bounds (reported as a failed synthesis, as upstream reports bad values)."""
    if len(req.text or "") > MAX_TEXT_CHARS:
        return f"text is too long ({len(req.text or '')} characters; at most {MAX_TEXT_CHARS})"
    interval = req.fragment_interval
    if not math.isfinite(interval) or not 0.0 <= interval <= MAX_FRAGMENT_INTERVAL_S:
        return f"fragment_interval must be between 0 and {MAX_FRAGMENT_INTERVAL_S:g} seconds"
    if not math.isfinite(req.speed_factor) or not 0.0 < req.speed_factor <= 10.0:
        return "speed_factor must be above 0 and at most 10"
    return None


def query_request(values: dict[str, Any]) -> TtsRequest:
    """A GET query (already typed by FastAPI) as the request, languages lower-cased like upstream."""
    data = {k: v for k, v in values.items() if v is not None and k in TtsRequest.model_fields}
    for name in ("text_lang", "prompt_lang"):
        if isinstance(data.get(name), str):
            data[name] = data[name].lower()
    return TtsRequest.model_validate(data)


# ---- the engines' side of the seam ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RefAudio:
    """A resolved reference audio.

    Attributes:
        given: The name the client sent (or the fallback used).
        path: Absolute path of an existing file inside the studio's folders.
        prompt_text: Transcript from the speaker library, when the reference is a speaker.
        speaker_id: That speaker's id.
    """

    given: str
    path: Path
    prompt_text: str | None = None
    speaker_id: str | None = None


class RefAudioError(Exception):
    """The reference audio cannot be used; ``str(exc)`` is upstream's 400 message."""


@dataclass(frozen=True, slots=True)
class ModelPair:
    """One GPT + SoVITS weights pair (paths relative to the GPT-SoVITS model folder, "/" separated)."""

    gpt_path: str
    sovits_path: str


@dataclass(frozen=True, slots=True)
class ModelGroup:
    """A ``GPT_weights<suffix>`` / ``SoVITS_weights<suffix>`` folder pair and its pairs by base name."""

    name: str
    pairs: dict[str, ModelPair]


@dataclass(frozen=True, slots=True)
class RouterStatus:
    """StreamCream's router state: the model pair and the reference set by hand."""

    current_model_pair: str | None
    current_ref_audio: str | None


@runtime_checkable
class GptSovitsApi(Protocol):
    """What the router needs from the engine (``services["gpt_sovits"]``; engine loop).

    Failures are :class:`~studio.core.errors.StudioError` s; the router words them as upstream.
    """

    async def reference(self, given: str | None) -> RefAudio:
        """The reference audio for ``/tts``: the named one or StreamCream's fallback chain.

        Raises:
            RefAudioError: none, missing or outside the studio's folders (the 400 message).
        """
        ...

    async def synthesize(
        self, req: TtsRequest, mode: int, ref: RefAudio
    ) -> PcmSynthesis | ForwardedSynthesis:
        """Start speaking ``req.text`` (already checked) with the engine chosen for it."""
        ...

    async def set_weights(self, kind: Literal["gpt", "sovits"], path: str) -> None:
        """Select GPT or SoVITS weights; the model pair follows the file name (StreamCream)."""
        ...

    async def set_refer_audio(self, path: str | None) -> None:
        """Set the reference audio ``/tts`` uses when it names none."""
        ...

    async def set_model_pair(self, name: str) -> str:
        """Select a model pair; returns its reference audio."""
        ...

    async def status(self) -> RouterStatus:
        """The current model pair and hand-set reference."""
        ...

    async def pair_ref_audio(self, pair: str | None) -> str:
        """``参考音频/<pair>.wav`` when it exists, else ``参考音频.wav``."""
        ...

    async def model_groups(self) -> list[ModelGroup]:
        """The imported GPT-SoVITS weights, grouped."""
        ...

    async def reference_audios(self) -> list[tuple[str, str, str]]:
        """(pair name, file name, ``参考音频/<file>``) of each reference WAV."""
        ...

    async def upload_ref_audio(self, filename: str, data: bytes) -> tuple[str, str]:
        """Store an uploaded reference and register it as a speaker: (stored file name, speaker id)."""
        ...

    async def restart(self) -> str:
        """Reload the studio's voice engines; says what happened."""
        ...

    def exit_allowed(self) -> bool:
        """Whether ``/control?command=exit`` may stop the studio's engine."""
        ...

    async def exit(self) -> None:
        """Stop the studio's engine soon (after the answer went out)."""
        ...


# ---- StreamCream's file names --------------------------------------------------------------


def pair_from_weights(path: str) -> str:
    """StreamCream's pair name: the file's stem up to its first ``-`` (else its first ``_``)."""
    stem = PurePosixPath(path.replace("\\", "/")).stem
    for sep in ("-", "_"):
        if sep in stem:
            return stem.split(sep)[0]
    return stem


def safe_file_name(name: str) -> str:
    """An uploaded file's name made safe to store: base name only, no separators or control characters.

    Raises:
        ValidationError: nothing usable is left, or it is not an audio file type.
    """
    base = PurePosixPath(name.replace("\\", "/")).name
    clean = _UNSAFE_NAME.sub("_", base).strip().lstrip(".")
    stem, dot, suffix = clean.rpartition(".")
    if not dot or not stem.strip("_ ") or f".{suffix.lower()}" not in AUDIO_SUFFIXES:
        raise ValidationError(f"Upload a recording named like voice.wav ({', '.join(AUDIO_SUFFIXES)}).")
    return f"{stem[:100]}.{suffix.lower()}"


# ---- text_split_method ------------------------------------------------------------------------


def _only_punctuation(text: str, marks: frozenset[str] = _PUNCTUATION) -> bool:
    return set(text) <= marks


def _sentences(text: str) -> list[str]:
    """Cut after every sentence mark (a closing mark is added when the text has none)."""
    text = text.replace("……", "。").replace("——", "，")
    if text and text[-1] not in _SPLITS:
        text += "。"
    out: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in _SPLITS:
            out.append(text[start : i + 1])
            start = i + 1
    return out


def _cut1(text: str) -> list[str]:
    # Groups start every 4 sentences; the last start is dropped, so the last group takes 4-7.
    parts = _sentences(text)
    starts = list(range(0, len(parts), 4))
    if len(starts) < 2:
        return [text]
    ends: list[int | None] = [*starts[1:-1], None]
    return ["".join(parts[s:e]) for s, e in zip(starts[:-1], ends, strict=True)]


def _cut2(text: str) -> list[str]:
    parts = _sentences(text)
    if len(parts) < 2:
        return [text]
    out: list[str] = []
    current = ""
    for part in parts:
        current += part
        if len(current) > 50:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    if len(out) > 1 and len(out[-1]) < 50:
        out[-2] += out.pop()
    return out


def _cut5(text: str) -> list[str]:
    out: list[str] = []
    current = ""
    for i, ch in enumerate(text):
        current += ch
        decimal = ch == "." and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
        if ch in _CUT5_MARKS and not decimal:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return [p for p in out if not _only_punctuation(p, _CUT5_MARKS)]


def _cut(text: str, method: str) -> list[str]:
    if method == "cut1":
        return _cut1(text)
    if method == "cut2":
        return _cut2(text)
    if method == "cut3":
        return text.strip("。").split("。")
    if method == "cut4":
        return re.split(r"(?<!\d)\.(?!\d)", text.strip("."))
    if method == "cut5":
        return _cut5(text)
    return [text]


def _merge_short(parts: list[str]) -> list[str]:
    if len(parts) < 2:
        return parts
    out: list[str] = []
    current = ""
    for part in parts:
        current += part
        if len(current) >= _MERGE_BELOW:
            out.append(current)
            current = ""
    if current:
        if out:
            out[-1] += current
        else:
            out.append(current)
    return out


def split_text(text: str, method: str, language: str = "zh") -> list[str]:
    """The fragments upstream synthesizes one by one (``text_split_method``; cut0 keeps the text whole).

    After the method's cut, as upstream's text preprocessor: lines split, blank ones dropped, short
    ones (< 5 characters) merged into their neighbours, fragments without a word character
    dropped, a closing mark added where missing ("." for English, "。" otherwise) and fragments
    over 510 characters cut.
    """
    lines = [line for part in _cut(text.strip("\n"), method) for line in part.split("\n")]
    out: list[str] = []
    for part in _merge_short([line for line in lines if line not in ("", " ")]):
        if not part.strip() or not re.sub(r"\W+", "", part):
            continue
        closed = part if part[-1] in _SPLITS else part + ("." if language == "en" else "。")
        out.extend(closed[i : i + _MAX_FRAGMENT] for i in range(0, len(closed), _MAX_FRAGMENT))
    return out
