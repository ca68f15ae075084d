"""The ``[llm]`` settings area: which OpenAI-compatible chat provider the brain talks to.

The provider's API key is a secret: it lives in the secrets store under :data:`LLM_API_KEY_SECRET`,
never in ``config.toml``, the database or the logs. The model is defined with the other areas in
:mod:`studio.config.settings` (``StudioConfig.llm``); this module keeps the brain's imports.
"""

from __future__ import annotations

from studio.config.settings import LLM_API_KEY_SECRET, LlmProviderId, LlmSettings

__all__ = ["LLM_API_KEY_SECRET", "LlmProviderId", "LlmSettings"]
