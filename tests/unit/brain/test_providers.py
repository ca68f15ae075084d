"""Provider presets, resolution of settings against them, and the [llm] settings area."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from studio.brain.providers import PRESETS, preset, resolve
from studio.config.llm_settings import LlmProviderId, LlmSettings
from studio.core.errors import ConfigError

REQUIRED = {
    "openai", "deepseek", "siliconflow", "volcano_ark", "hunyuan", "zhipu", "moonshot", "dashscope",
    "ollama", "lmstudio", "custom",
}  # fmt: skip


def test_every_required_provider_has_a_preset() -> None:
    assert set(PRESETS) == REQUIRED == set(get_args(LlmProviderId))
    assert all(p.id == key for key, p in PRESETS.items())


@pytest.mark.parametrize("pid", sorted(REQUIRED - {"custom"}))
def test_presets_have_a_usable_base_url_and_model(pid: str) -> None:
    p = preset(pid)
    if p.needs_key:  # cloud: TLS, a default model and a place to get a key
        assert p.base_url.startswith("https://") and p.default_model and p.docs_url
    else:  # local servers on loopback
        assert p.base_url.startswith("http://127.0.0.1:")
    assert not p.base_url.endswith(("/", "/chat/completions"))


def test_known_base_urls() -> None:
    assert preset("deepseek").base_url.startswith("https://api.deepseek.com")
    assert preset("dashscope").base_url == "https://dashscope.aliyuncs.com/compatible-mode/v1"
    assert preset("zhipu").base_url == "https://open.bigmodel.cn/api/paas/v4"
    assert preset("moonshot").base_url == "https://api.moonshot.cn/v1"
    assert preset("ollama").base_url == "http://127.0.0.1:11434/v1"


def test_resolve_prefers_explicit_settings() -> None:
    r = resolve(LlmSettings(provider="moonshot"))
    assert (r.base_url, r.model, r.needs_key) == ("https://api.moonshot.cn/v1", "moonshot-v1-8k", True)
    r = resolve(LlmSettings(provider="ollama", base_url="http://10.0.0.5:11434/v1/", model="llama3.2"))
    assert (r.base_url, r.model, r.needs_key) == ("http://10.0.0.5:11434/v1", "llama3.2", False)


def test_custom_provider_needs_a_url() -> None:
    with pytest.raises(ConfigError, match="base URL") as err:
        resolve(LlmSettings(provider="custom"))
    assert err.value.key == "llm.base_url"
    with pytest.raises(ConfigError):
        preset("nope")


def test_settings_validate_and_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError):
        LlmSettings(base_url="ftp://x")
    with pytest.raises(ValidationError):
        LlmSettings(provider="unknown")  # type: ignore[arg-type]
    monkeypatch.setenv("STUDIO_LLM_PROVIDER", "zhipu")
    monkeypatch.setenv("STUDIO_LLM_CONTEXT_TOKENS", "4096")
    s = LlmSettings(provider="openai")  # the environment wins over the file
    assert (s.provider, s.context_tokens, s.persona) == ("zhipu", 4096, "cream")
    assert "api_key" not in LlmSettings.model_fields  # the key is never a setting
