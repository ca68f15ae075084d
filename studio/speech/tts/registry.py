"""Which TTS engines exist and how to build them: one line per engine.

The built-in offline voices always load (lazily: building an engine reads no model); remote voices
appear when configured. An engine whose package is missing is reported, not fatal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from studio.config.settings import TtsSettings
from studio.speech.tts.base import TtsEngine, TtsOptions
from studio.speech.tts.service import TtsService

log = logging.getLogger(__name__)

OPENAI_KEY_SECRET = "tts.openai_api_key"  # noqa: S105 - a name, not a value
"""Name of the OpenAI-compatible speech API key in the secrets store."""

# Built-in default voice per language (used when the settings leave it empty).
BUILTIN_DEFAULTS = {"zh": "zh_onnx:databaker-female", "en": "piper:en_US-joe-medium", "ja": "kokoro:jf_alpha"}


@dataclass(frozen=True, slots=True)
class EngineContext:
    """What engine factories may use."""

    models_dir: Path
    cache_dir: Path
    settings: TtsSettings
    secret: Callable[[str], str | None]


def _zh(ctx: EngineContext) -> TtsEngine | None:
    from studio.speech.tts.zh_onnx import ZhOnnxTTS  # engines import heavy packages: only when built

    return ZhOnnxTTS(ctx.models_dir)


def _piper(ctx: EngineContext) -> TtsEngine | None:
    from studio.speech.tts.piper_en import PiperEnglishTTS

    return PiperEnglishTTS()


def _kokoro(ctx: EngineContext) -> TtsEngine | None:
    from studio.speech.tts.kokoro_ja import KokoroJapaneseTTS

    return KokoroJapaneseTTS(ctx.cache_dir)


def _gpt_sovits(ctx: EngineContext) -> TtsEngine | None:
    s = ctx.settings
    if not s.gpt_sovits_url:
        return None
    from studio.speech.tts.remote import GptSovitsRemoteTTS, GptSovitsSettings

    return GptSovitsRemoteTTS(
        GptSovitsSettings(
            s.gpt_sovits_url,
            ref_audio_path=s.gpt_sovits_ref_audio,
            prompt_text=s.gpt_sovits_prompt_text,
            prompt_lang=s.gpt_sovits_prompt_lang,
            streaming_mode=s.gpt_sovits_streaming_mode,
        )
    )


def _openai(ctx: EngineContext) -> TtsEngine | None:
    s = ctx.settings
    if not s.openai_tts_url:
        return None
    from studio.speech.tts.remote import OpenAISpeechSettings, OpenAISpeechTTS

    return OpenAISpeechTTS(
        OpenAISpeechSettings(s.openai_tts_url, model=s.openai_tts_model, voice=s.openai_tts_voice),
        lambda: ctx.secret(OPENAI_KEY_SECRET),
    )


ENGINES: dict[str, Callable[[EngineContext], TtsEngine | None]] = {
    "zh_onnx": _zh,
    "piper": _piper,
    "kokoro": _kokoro,
    "gpt_sovits": _gpt_sovits,
    "openai": _openai,
}
"""Engine name -> factory (returns ``None`` when the engine is not configured)."""


@dataclass(slots=True)
class TtsBuild:
    """The built service and what could not be built."""

    service: TtsService
    unavailable: dict[str, str]


def build_tts(
    settings: TtsSettings,
    *,
    models_dir: Path,
    cache_dir: Path,
    secret: Callable[[str], str | None] = lambda name: None,
    on_warning: Callable[[str], None] | None = None,
    only: tuple[str, ...] | None = None,
    extra: Mapping[str, TtsEngine] | None = None,
) -> TtsBuild:
    """Build every available engine and the routing service (cheap: models load on first use).

    Args:
        settings: The ``[tts]`` settings.
        models_dir: The project's ``models/`` folder.
        cache_dir: Cache folder (e.g. Kokoro's reassembled model).
        secret: Reads a secret by name (keys of remote voices).
        on_warning: Shown to the person when a voice falls back.
        only: Build just these engines (tests, benchmarks).
        extra: Engines built elsewhere, by name (the VoxCPM voice, whose engine the voice hub owns).
    """
    ctx = EngineContext(models_dir, cache_dir, settings, secret)
    engines: dict[str, TtsEngine] = {}
    unavailable: dict[str, str] = {}
    for name, factory in ENGINES.items():
        if only is not None and name not in only:
            continue
        try:
            engine = factory(ctx)
        except Exception as exc:  # a missing optional package must not stop the studio
            unavailable[name] = f"{type(exc).__name__}: {exc}"
            log.warning("TTS engine unavailable", extra={"engine": name, "reason": unavailable[name]})
            continue
        if engine is not None:
            engines[name] = engine
    engines.update(extra or {})
    configured = {"zh": settings.zh_voice, "en": settings.en_voice, "ja": settings.ja_voice}
    defaults = {lang: configured[lang] or BUILTIN_DEFAULTS[lang] for lang in BUILTIN_DEFAULTS}
    service = TtsService(engines, defaults, on_warning=on_warning)
    for lang, vid in defaults.items():
        if service.default_voice(lang) is None:
            log.warning("no default voice", extra={"language": lang, "voice": vid})
    return TtsBuild(service, unavailable)


def options_from(settings: TtsSettings) -> TtsOptions:
    """The prosody options of the ``[tts]`` settings."""
    return TtsOptions(speed=settings.speed, pitch=settings.pitch, volume=settings.volume)
