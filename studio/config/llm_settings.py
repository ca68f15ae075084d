"""The ``[llm]`` settings area: which OpenAI-compatible chat provider the brain talks to.

The provider's API key is a secret: it lives in the secrets store under :data:`LLM_API_KEY_SECRET`,
never in ``config.toml``, the database or the logs. Empty ``base_url`` / ``model`` mean "the
preset's" (:mod:`studio.brain.providers` holds the presets; the ids are defined here because
config sits below brain in the layers).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from studio.config.settings import AreaSettings

__all__ = ["LLM_API_KEY_SECRET", "LlmProviderId", "LlmSettings"]

LLM_API_KEY_SECRET = "llm.api_key"  # noqa: S105 (a name in the secrets store)

LlmProviderId = Literal[
    "openai",
    "deepseek",
    "siliconflow",
    "volcano_ark",
    "hunyuan",
    "zhipu",
    "moonshot",
    "dashscope",
    "ollama",
    "lmstudio",
    "custom",
]


class LlmSettings(AreaSettings):
    """Chat model (LLM) provider, model and limits. The key is in the secrets store."""

    area: ClassVar[str] = "llm"
    title: ClassVar[str] = "Chat model (LLM)"
    model_config = SettingsConfigDict(env_prefix="STUDIO_LLM_", extra="ignore")

    provider: LlmProviderId = Field(
        "deepseek",
        description="Provider preset: sets the base URL and a default model (custom = your own URL).",
    )
    base_url: str = Field(
        "",
        description="OpenAI-compatible API base, e.g. https://api.deepseek.com/v1; empty = the preset's.",
    )
    model: str = Field("", description="Model name at the provider; empty = the preset's default model.")
    temperature: float = Field(0.8, ge=0.0, le=2.0, description="Randomness of replies (0-2).")
    max_tokens: int = Field(
        400, ge=16, le=32768, description="Longest reply, in tokens (spoken replies are short)."
    )
    timeout_s: float = Field(
        20.0,
        ge=1.0,
        le=600.0,
        description="Give up when the provider sends nothing for this long (connect, first token, gaps).",
    )
    retries: int = Field(
        2, ge=0, le=5, description="Retries of a failed request before the reply starts (429, 5xx, network)."
    )
    context_tokens: int = Field(
        8000,
        ge=512,
        le=1_000_000,
        description="Prompt budget in tokens; older turns are summarised to stay within it.",
    )
    persona: str = Field("cream", description="Id of the character card (persona) the studio speaks as.")

    @field_validator("base_url", "model", "persona")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")
