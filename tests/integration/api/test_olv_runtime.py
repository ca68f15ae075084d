"""The studio's own Open-LLM-VTuber backend: with ``[llm]`` pointing at a server, an Open-LLM-VTuber
client gets spoken replies from the running studio with no extra wiring (services["olv"])."""

from __future__ import annotations

import base64
import io
import json
import wave
from typing import Any

import pytest
from websockets.sync import client as websockets_sync

from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.testing.llm_server import LlmTestServer

pytestmark = pytest.mark.slow

REPLY = "你好，我是奶油。"


def test_a_text_turn_is_answered_by_the_configured_llm_through_the_runtime(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    llm = LlmTestServer(REPLY)
    with llm.running() as llm_url:
        monkeypatch.setenv("STUDIO_LLM_PROVIDER", "custom")
        monkeypatch.setenv("STUDIO_LLM_BASE_URL", llm_url)
        monkeypatch.setenv("STUDIO_LLM_MODEL", "test-model")
        container = Container.build()
        runtime = EngineRuntime(container, port=0)
        runtime.start()
        try:
            assert runtime.api_url is not None
            url = runtime.api_url.replace("http://", "ws://") + "/client-ws"
            with websockets_sync.connect(url, max_size=64 * 1024 * 1024) as ws:

                def recv() -> dict[str, Any]:
                    msg: dict[str, Any] = json.loads(ws.recv(timeout=120))
                    return msg

                first = [recv()["type"] for _ in range(5)]  # the connect sequence
                assert "set-model-and-conf" in first
                ws.send(json.dumps({"type": "text-input", "text": "你好！", "images": []}))
                audio = None
                while audio is None:
                    msg = recv()
                    assert msg["type"] != "error", msg
                    if msg["type"] == "audio":
                        audio = msg
            with wave.open(io.BytesIO(base64.b64decode(audio["audio"]))) as wav:
                assert wav.getsampwidth() == 2 and wav.getnframes() > 0
            assert "你好" in audio["display_text"]["text"]
            assert any(r.messages and r.messages[-1]["role"] == "user" for r in llm.requests)
        finally:
            assert runtime.stop(timeout=5.0)
            container.close()
