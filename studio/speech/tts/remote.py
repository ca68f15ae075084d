"""Remote TTS clients: a GPT-SoVITS ``api_v2`` server and any OpenAI-compatible ``/audio/speech``.

Both stream: audio is yielded as it arrives, parsed from open-ended WAV. Failures become
:class:`ProviderError` with ``retryable`` set for network trouble, timeouts, 429 and 5xx.
Keys come from the secrets store through a callable, so they are read when needed and never kept
in settings.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import numpy as np

from studio.core.errors import ProviderError
from studio.core.frames import AudioChunk, PcmArray, TextSpan
from studio.speech.tts.base import TtsOptions, VoiceInfo
from studio.speech.tts.wav import StreamingWavParser, WavFormatError

log = logging.getLogger(__name__)

_MIN_CHUNK_S = 0.1  # coalesce tiny network reads into chunks of at least this long


def _error_message(response: httpx.Response, body: bytes) -> str:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body[:200].decode("utf-8", "replace") or response.reason_phrase
    if isinstance(data, dict):
        for key in ("message", "detail", "error"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("message", value)
            if value:
                return str(value)
    return str(data)[:200]


async def stream_wav_response(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    provider: str,
    voice_id: str,
    text: str,
    gain: float,
) -> AsyncIterator[AudioChunk]:
    """Send ``request`` and yield the streamed WAV body as chunks (~100 ms or more each).

    Raises:
        ProviderError: connection, protocol or HTTP errors (retryable where sensible).
    """
    parser = StreamingWavParser()
    pending: list[PcmArray] = []
    pending_len = 0
    try:
        response = await client.send(request, stream=True)
    except httpx.TimeoutException as exc:
        raise ProviderError(
            f"{provider}: the server did not answer in time", provider=provider, retryable=True
        ) from exc
    except httpx.TransportError as exc:
        raise ProviderError(
            f"{provider}: cannot reach {request.url.host}:{request.url.port} ({exc})",
            provider=provider,
            retryable=True,
        ) from exc
    try:
        if response.status_code >= 400:
            body = await response.aread()
            retryable = response.status_code == 429 or response.status_code >= 500
            raise ProviderError(
                f"{provider}: HTTP {response.status_code}: {_error_message(response, body)}",
                provider=provider,
                retryable=retryable,
            )
        async for data in response.aiter_bytes():
            try:
                samples = parser.feed(data)
            except WavFormatError as exc:
                raise ProviderError(f"{provider}: {exc}", provider=provider) from exc
            if samples.size:
                pending.append(samples)
                pending_len += samples.size
            if parser.sample_rate and pending_len >= parser.sample_rate * _MIN_CHUNK_S:
                yield _chunk(pending, parser.sample_rate, voice_id, text, gain, final=False)
                pending, pending_len = [], 0
    except httpx.TimeoutException as exc:
        raise ProviderError(
            f"{provider}: the audio stream stalled", provider=provider, retryable=True
        ) from exc
    except httpx.TransportError as exc:
        raise ProviderError(
            f"{provider}: the audio stream broke ({exc})", provider=provider, retryable=True
        ) from exc
    finally:
        await response.aclose()
    if not parser.header_done:
        raise ProviderError(f"{provider}: the server sent no audio", provider=provider, retryable=True)
    yield _chunk(pending, parser.sample_rate, voice_id, text, gain, final=True)


def _chunk(
    parts: list[PcmArray], rate: int, voice_id: str, text: str, gain: float, *, final: bool
) -> AudioChunk:
    pcm = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    if gain != 1.0:
        pcm = (pcm * gain).astype(np.float32)
    return AudioChunk(
        pcm=pcm, sample_rate=rate, span=TextSpan(0, len(text), text), voice_id=voice_id, final=final
    )


@dataclass(frozen=True, slots=True)
class GptSovitsSettings:
    """How to call a GPT-SoVITS ``api_v2`` server."""

    base_url: str
    ref_audio_path: str
    prompt_text: str = ""
    prompt_lang: str = "zh"
    streaming_mode: int = 2
    text_split_method: str = "cut5"
    timeout_s: float = 120.0


class GptSovitsRemoteTTS:
    """A GPT-SoVITS ``api_v2`` server as a TTS engine (voice ``gpt_sovits:remote``). Engine loop."""

    name = "gpt_sovits"
    voice_id = "gpt_sovits:remote"

    def __init__(
        self, settings: GptSovitsSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        if settings.streaming_mode not in (0, 1, 2, 3):
            raise ValueError("streaming_mode must be 0, 1, 2 or 3")
        self.settings = settings
        self._client = httpx.AsyncClient(
            base_url=settings.base_url.rstrip("/"),
            timeout=httpx.Timeout(settings.timeout_s, connect=5.0),
            transport=transport,
        )

    def voices(self) -> list[VoiceInfo]:
        """One voice: whatever model the server has loaded."""
        return [
            VoiceInfo(
                self.voice_id,
                self.name,
                ("zh", "en", "ja"),
                32000,
                f"GPT-SoVITS ({self.settings.base_url})",
                licence="your own GPT-SoVITS model",
                offline=False,
            )
        ]

    async def warm_up(self, voice_id: str) -> None:
        """Nothing to load locally; the server loads its model itself."""

    def stream(self, text: str, voice_id: str, options: TtsOptions) -> AsyncIterator[AudioChunk]:
        """Stream ``text`` from ``GET /tts`` (streaming WAV)."""
        s = self.settings
        params: dict[str, str | int | float] = {
            "text": text,
            "text_lang": "auto",
            "ref_audio_path": s.ref_audio_path,
            "prompt_text": s.prompt_text,
            "prompt_lang": s.prompt_lang.lower(),
            "text_split_method": s.text_split_method,
            "batch_size": 1,
            "media_type": "wav",
            "streaming_mode": s.streaming_mode,
            "speed_factor": options.speed,
        }
        request = self._client.build_request("GET", "/tts", params=params)
        return stream_wav_response(
            self._client, request, provider=self.name, voice_id=self.voice_id, text=text, gain=options.volume
        )

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


@dataclass(frozen=True, slots=True)
class OpenAISpeechSettings:
    """How to call an OpenAI-compatible ``POST {base_url}/audio/speech``."""

    base_url: str
    model: str = "tts-1"
    voice: str = "alloy"
    languages: tuple[str, ...] = ("en", "zh", "ja")
    timeout_s: float = 60.0


class OpenAISpeechTTS:
    """An OpenAI-compatible speech endpoint as a TTS engine (voice ``openai:<voice>``). Engine loop.

    Args:
        settings: Endpoint, model and voice.
        api_key: Returns the key (from the secrets store) or ``None`` for keyless local servers.
    """

    name = "openai"

    def __init__(
        self,
        settings: OpenAISpeechSettings,
        api_key: Callable[[], str | None],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._api_key = api_key
        self._client = httpx.AsyncClient(
            base_url=settings.base_url.rstrip("/"),
            timeout=httpx.Timeout(settings.timeout_s, connect=5.0),
            transport=transport,
        )

    @property
    def voice_id(self) -> str:
        """The one voice this engine offers."""
        return f"openai:{self.settings.voice}"

    def voices(self) -> list[VoiceInfo]:
        """The configured voice."""
        return [
            VoiceInfo(
                self.voice_id,
                self.name,
                self.settings.languages,
                24000,
                f"{self.settings.voice} ({self.settings.model})",
                licence="remote service terms",
                offline=False,
            )
        ]

    async def warm_up(self, voice_id: str) -> None:
        """Nothing to load locally."""

    def stream(self, text: str, voice_id: str, options: TtsOptions) -> AsyncIterator[AudioChunk]:
        """Stream ``text`` as WAV from the speech endpoint."""
        headers = {}
        key = self._api_key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        body = {
            "model": self.settings.model,
            "input": text,
            "voice": self.settings.voice,
            "response_format": "wav",
            "speed": options.speed,
        }
        request = self._client.build_request("POST", "/audio/speech", json=body, headers=headers)
        return stream_wav_response(
            self._client, request, provider=self.name, voice_id=self.voice_id, text=text, gain=options.volume
        )

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()
