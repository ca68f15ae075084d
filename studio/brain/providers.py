"""Presets of OpenAI-compatible chat providers: base URL, default model, whether a key is needed.

Every provider here speaks the OpenAI Chat Completions protocol at its base URL, so one client
(:class:`~studio.brain.openai_compat.OpenAICompatChat`) serves them all. Base URLs are the
providers' documented OpenAI-compatible endpoints; where a fact was not confirmed against the
provider's own documentation it is marked "unconfirmed" below. Default models are cheap, fast
chat models suited to short spoken replies; users can type any model their account has.

Thread: any (pure data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from studio.config.llm_settings import LlmProviderId, LlmSettings
from studio.core.errors import ConfigError

__all__ = ["PRESETS", "ProviderPreset", "ResolvedProvider", "preset", "resolve"]


@dataclass(frozen=True, slots=True)
class ProviderPreset:
    """One provider.

    Attributes:
        id: Settings value (``[llm] provider``).
        label: Name shown in the GUI.
        base_url: OpenAI-compatible API base (``.../v1``-style; ``/chat/completions`` is appended).
        default_model: Model used when the settings leave ``model`` empty ("" = ask the server).
        needs_key: False for local servers (Ollama, LM Studio) that accept any key.
        docs_url: Where the user gets a key / model names.
    """

    id: LlmProviderId
    label: str
    base_url: str
    default_model: str
    needs_key: bool = True
    docs_url: str = ""


PRESETS: Final[dict[str, ProviderPreset]] = {
    p.id: p
    for p in (
        ProviderPreset(
            "openai", "OpenAI", "https://api.openai.com/v1", "gpt-4o-mini",
            docs_url="https://platform.openai.com/api-keys",
        ),
        ProviderPreset(
            # Documented base: https://api.deepseek.com (the /v1 form is also accepted).
            "deepseek", "DeepSeek 深度求索", "https://api.deepseek.com/v1", "deepseek-chat",
            docs_url="https://platform.deepseek.com/api_keys",
        ),
        ProviderPreset(
            "siliconflow", "SiliconFlow 硅基流动", "https://api.siliconflow.cn/v1",
            "Qwen/Qwen2.5-7B-Instruct", docs_url="https://cloud.siliconflow.cn/account/ak",
        ),
        ProviderPreset(
            # Ark model ids are versioned ("doubao-1-5-lite-32k-250115") or endpoint ids ("ep-...");
            # the default below is unconfirmed for every account: the connection test lists models.
            "volcano_ark", "Volcano Ark 火山方舟 (Doubao)", "https://ark.cn-beijing.volces.com/api/v3",
            "doubao-1-5-lite-32k-250115", docs_url="https://console.volcengine.com/ark",
        ),
        ProviderPreset(
            # Base URL and model name unconfirmed against Tencent's own docs (seen in third-party lists).
            "hunyuan", "Tencent Hunyuan 腾讯混元", "https://api.hunyuan.cloud.tencent.com/v1",
            "hunyuan-lite", docs_url="https://console.cloud.tencent.com/hunyuan/api-key",
        ),
        ProviderPreset(
            "zhipu", "Zhipu 智谱 (GLM)", "https://open.bigmodel.cn/api/paas/v4", "glm-4-flash",
            docs_url="https://open.bigmodel.cn/usercenter/apikeys",
        ),
        ProviderPreset(
            "moonshot", "Moonshot 月之暗面 (Kimi)", "https://api.moonshot.cn/v1", "moonshot-v1-8k",
            docs_url="https://platform.moonshot.cn/console/api-keys",
        ),
        ProviderPreset(
            # Beijing region; international accounts use https://dashscope-intl.aliyuncs.com/compatible-mode/v1.
            "dashscope", "Qwen 通义千问 (DashScope compatible mode)",
            "https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-plus",
            docs_url="https://bailian.console.aliyun.com/",
        ),
        ProviderPreset(
            "ollama", "Ollama (local)", "http://127.0.0.1:11434/v1", "qwen2.5:7b", needs_key=False,
            docs_url="https://ollama.com/library",
        ),
        ProviderPreset(
            # LM Studio serves whichever model is loaded: "" = take the first id of GET /models.
            "lmstudio", "LM Studio (local)", "http://127.0.0.1:1234/v1", "", needs_key=False,
            docs_url="https://lmstudio.ai/docs",
        ),
        ProviderPreset("custom", "Custom (OpenAI-compatible URL)", "", "", needs_key=False),
    )
}  # fmt: skip


def preset(provider_id: str) -> ProviderPreset:
    """The preset ``provider_id``. Thread: any.

    Raises:
        ConfigError: no such preset.
    """
    try:
        return PRESETS[provider_id]
    except KeyError:
        raise ConfigError(f"Unknown LLM provider {provider_id!r}.", key="llm.provider") from None


@dataclass(frozen=True, slots=True)
class ResolvedProvider:
    """Settings merged with the preset: what the client actually uses (no key)."""

    provider: str
    label: str
    base_url: str
    model: str
    needs_key: bool


def resolve(settings: LlmSettings) -> ResolvedProvider:
    """Merge ``settings`` with its preset: explicit ``base_url`` / ``model`` win. Thread: any.

    Raises:
        ConfigError: no base URL (the custom preset without one).
    """
    p = preset(settings.provider)
    base_url = (settings.base_url or p.base_url).rstrip("/")
    if not base_url:
        raise ConfigError(
            "Set the base URL of your OpenAI-compatible server (Settings > Chat model).",
            key="llm.base_url",
        )
    return ResolvedProvider(p.id, p.label, base_url, settings.model or p.default_model, p.needs_key)
