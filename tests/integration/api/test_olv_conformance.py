"""Open-LLM-VTuber conformance: a client behaving like the Open-LLM-VTuber web client against the
studio's real API server (real default voices, packaged Whisper, the local LLM test server, SQLite).

Every message is checked for order and shape against reference-contracts.md section 4.2.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import math
import os
import re
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import pytest

from studio.api.compat.olv_backend import StudioOlvBackend
from studio.app.container import Container
from studio.app.runtime import EngineRuntime
from studio.brain.memory import ConversationMemory
from studio.brain.openai_compat import OpenAICompatChat
from studio.brain.persona import PersonaStore
from studio.storage.history_repo import HistoryRepo, PersonaRepo
from studio.testing.llm_server import LlmTestServer
from studio.testing.metrics import char_error_rate

websockets_sync = pytest.importorskip("websockets.sync.client", reason="the websockets package is needed")

pytestmark = pytest.mark.slow

REPLY = "[happy] 你好呀！欢迎来到直播间。今天想聊点什么？"
QUESTION = "今天天气怎么样？"
LONG_REPLY = "[sad] 我们先说第一句话。" + "".join(f"这是第{n}句很长的话，还没有说完。" for n in range(2, 12))
WAIT = 90.0
HISTORY_UID = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_[0-9a-f]{32}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


@dataclass
class Live:
    runtime: EngineRuntime
    url: str
    ws_url: str
    llm: LlmTestServer
    memory: ConversationMemory


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One studio engine and one LLM test server for the module (voices and Whisper load once)."""
    home = tmp_path_factory.mktemp("olv-home")
    llm = LlmTestServer(REPLY)
    with llm.running() as llm_url, pytest.MonkeyPatch.context() as mp:
        mp.setenv("STUDIO_HOME", str(home))
        mp.setenv("STUDIO_SECRETS_BACKEND", "file")
        for key in list(os.environ):
            if key.startswith(("STUDIO_API_", "STUDIO_TTS_", "STUDIO_AUDIO_", "STUDIO_LLM_")):
                mp.delenv(key)
        container = Container.build()
        runtime = EngineRuntime(container, port=0)
        runtime.start()
        try:
            chat = OpenAICompatChat(base_url=llm_url, model="test-model", retries=0)
            memory = ConversationMemory(HistoryRepo(container.db), None, context_tokens=4096)
            runtime.api_services["olv"] = StudioOlvBackend(
                chat=chat, memory=memory, personas=PersonaStore(PersonaRepo(container.db))
            )
            assert runtime.api_url is not None
            ws_url = runtime.api_url.replace("http://", "ws://") + "/client-ws"
            yield Live(runtime, runtime.api_url, ws_url, llm, memory)
        finally:
            assert runtime.stop(timeout=5.0)
            container.close()


class Client:
    """The web client's side of ``/client-ws``."""

    def __init__(self, url: str) -> None:
        self.ws = websockets_sync.connect(url, max_size=64 * 1024 * 1024).__enter__()

    def send(self, kind: str, **fields: Any) -> None:
        self.ws.send(json.dumps({"type": kind, **fields}))

    def recv(self, timeout: float = WAIT) -> dict[str, Any]:
        msg = json.loads(self.ws.recv(timeout=timeout))
        assert isinstance(msg, dict) and isinstance(msg.get("type"), str), msg
        return msg

    def quiet(self, seconds: float) -> None:
        """Nothing arrives for ``seconds``."""
        with pytest.raises(TimeoutError):
            extra = self.recv(timeout=seconds)
            pytest.fail(f"unexpected message {extra}")

    def close(self) -> None:
        self.ws.close()


def _connect(live: Live) -> tuple[Client, str]:
    """Connect and check the connect sequence; returns the client and its client_uid."""
    client = Client(live.ws_url)
    first = [client.recv() for _ in range(5)]
    assert first[0] == {"type": "group-update", "members": [], "is_owner": False}
    assert first[1] == {"type": "full-text", "text": "Connection established"}
    conf = first[2]
    assert conf["type"] == "set-model-and-conf"
    assert set(conf) == {"type", "model_info", "conf_name", "conf_uid", "client_uid"}
    assert re.fullmatch(r"[0-9a-f-]{36}", conf["client_uid"])
    info = conf["model_info"]
    for key in ("name", "description", "url", "kScale", "idleMotionGroupName", "emotionMap", "tapMotions"):
        assert key in info
    assert conf["conf_uid"] and conf["conf_name"]
    assert first[3] == first[0]
    assert first[4] == {"type": "control", "text": "start-mic"}
    return client, conf["client_uid"]


def _open_like_web_client(live: Live) -> tuple[Client, str]:
    """Connect, then send what the web client sends on open; returns the client and new history."""
    client, _uid = _connect(live)
    for kind in ("fetch-backgrounds", "fetch-configs", "fetch-history-list", "create-new-history"):
        client.send(kind)
    bg, configs, histories, created = (client.recv() for _ in range(4))
    assert bg["type"] == "background-files" and isinstance(bg["files"], list)
    assert configs["type"] == "config-files"
    assert configs["configs"][0]["filename"] == "conf.yaml"
    assert all(set(c) == {"filename", "name"} for c in configs["configs"])
    assert histories["type"] == "history-list" and isinstance(histories["histories"], list)
    assert created["type"] == "new-history-created" and HISTORY_UID.match(created["history_uid"])
    return client, created["history_uid"]


def _check_audio(msg: dict[str, Any]) -> tuple[np.ndarray, int]:
    """An ``audio`` payload with a 16-bit PCM WAV and per-20 ms volumes."""
    assert set(msg) == {"type", "audio", "volumes", "slice_length", "display_text", "actions", "forwarded"}
    assert msg["slice_length"] == 20 and msg["forwarded"] is False
    assert set(msg["display_text"]) == {"text", "name", "avatar"}
    wav = base64.b64decode(msg["audio"])
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    with wave.open(io.BytesIO(wav), "rb") as wf:
        assert wf.getsampwidth() == 2 and wf.getnchannels() == 1 and wf.getcomptype() == "NONE"
        rate = wf.getframerate()
        pcm = np.frombuffer(wf.readframes(wf.getnframes()), dtype="<i2")
    assert pcm.size > rate * 0.2, "some speech"
    vols = msg["volumes"]
    assert len(vols) == math.ceil(pcm.size / (rate * 0.02))
    assert max(vols) == pytest.approx(1.0) and min(vols) >= 0.0
    step = int(rate * 0.02)
    rms = [np.sqrt(np.mean(pcm[i : i + step].astype(float) ** 2)) for i in range(0, pcm.size, step)]
    loudest = int(np.argmax(rms))
    assert vols[loudest] == pytest.approx(1.0, abs=1e-3), "volumes are the RMS of each 20 ms slice"
    return pcm, rate


def _turn(client: Client, *, transcription: bool = False) -> tuple[list[dict[str, Any]], str | None]:
    """Read a turn up to the two backend-synth-complete; returns the audio payloads and transcript."""
    assert client.recv() == {"type": "control", "text": "conversation-chain-start"}
    assert client.recv() == {"type": "full-text", "text": "Thinking..."}
    heard = None
    if transcription:
        msg = client.recv()
        assert msg["type"] == "user-input-transcription", msg
        heard = msg["text"]
    audio: list[dict[str, Any]] = []
    while (msg := client.recv())["type"] == "audio":
        audio.append(msg)
    assert msg == {"type": "backend-synth-complete"}
    assert client.recv() == {"type": "backend-synth-complete"}
    return audio, heard


def _finish(client: Client) -> None:
    """The server waits for frontend-playback-complete, then ends the chain."""
    client.quiet(0.5)
    client.send("frontend-playback-complete")
    assert client.recv() == {"type": "force-new-message"}
    assert client.recv() == {"type": "control", "text": "conversation-chain-end"}


def test_connect_sequence_and_the_web_clients_opening_requests(live: Live) -> None:
    client, _history = _open_like_web_client(live)
    client.send("heartbeat")
    assert client.recv() == {"type": "heartbeat-ack"}
    client.send("request-group-info")
    assert client.recv() == {"type": "group-update", "members": [], "is_owner": False}
    client.ws.send("not json")  # ignored
    client.send("no-such-type")  # only logged
    client.quiet(0.3)
    client.close()


def test_text_input_turn_and_history(live: Live) -> None:
    client, history = _open_like_web_client(live)
    client.send("text-input", text="你好！", images=[])
    audio, _ = _turn(client)
    assert len(audio) >= 2
    assert "".join(a["display_text"]["text"] for a in audio) == REPLY
    for payload in audio:
        _check_audio(payload)
        assert payload["display_text"]["name"]
    assert audio[0]["display_text"]["text"].startswith("[happy]"), "display text keeps the tag"
    assert audio[0]["actions"] == {"expressions": ["happy"]}
    assert all(a["actions"] is None for a in audio[1:])
    _finish(client)

    client.send("fetch-history-list")
    listed = client.recv()
    mine = [h for h in listed["histories"] if h["uid"] == history]
    assert len(mine) == 1
    assert mine[0]["latest_message"]["role"] == "ai" and mine[0]["latest_message"]["content"] == REPLY
    assert TIMESTAMP.match(mine[0]["timestamp"])
    client.send("fetch-and-set-history", history_uid=history)
    data = client.recv()
    assert data["type"] == "history-data"
    assert [(m["role"], m["content"]) for m in data["messages"]] == [("human", "你好！"), ("ai", REPLY)]
    assert all(TIMESTAMP.match(m["timestamp"]) for m in data["messages"])
    client.close()


def test_mic_audio_turn(live: Live) -> None:
    speech = live.runtime.api_services["speech"]
    result = live.runtime.submit(
        speech.synthesize(QUESTION, voice=None, language="zh", speed=1.0, pitch=0.0)
    ).result(WAIT)
    with wave.open(io.BytesIO(result.wav), "rb") as wf:
        rate = wf.getframerate()
        pcm = np.frombuffer(wf.readframes(wf.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    import soxr

    pcm16k = np.asarray(soxr.resample(pcm, rate, 16000), dtype=np.float32)
    pcm16k = np.concatenate([np.zeros(3200, np.float32), pcm16k, np.zeros(4800, np.float32)])
    client, _history = _open_like_web_client(live)
    before = len(live.llm.completions)
    for start in range(0, pcm16k.size, 4096):  # the web client's chunking, as JSON numbers
        client.send("mic-audio-data", audio=[round(float(x), 5) for x in pcm16k[start : start + 4096]])
    client.send("mic-audio-end", images=[])
    audio, heard = _turn(client, transcription=True)
    assert heard is not None and char_error_rate(QUESTION, heard) <= 0.3, heard
    assert live.llm.completions[before].messages[-1] == {"role": "user", "content": heard}
    assert audio and all(_check_audio(a) for a in audio)
    _finish(client)
    client.close()


def test_interrupt_signal_mid_reply(live: Live) -> None:
    client, history = _open_like_web_client(live)
    live.llm.token_delay_s = 0.1
    live.llm.queue_reply(LONG_REPLY)
    try:
        client.send("text-input", text="讲个长故事")
        assert client.recv()["text"] == "conversation-chain-start"
        assert client.recv()["text"] == "Thinking..."
        first = client.recv()
        assert first["type"] == "audio" and first["actions"] == {"expressions": ["sad"]}
        _check_audio(first)
        heard = first["display_text"]["text"]
        started = time.monotonic()
        client.send("interrupt-signal", text=heard)
        client.send("heartbeat")
        while (msg := client.recv())["type"] == "audio":  # at most what was already on the way
            pass
        assert msg == {"type": "heartbeat-ack"}, "no reply to interrupt-signal when single"
        assert live.llm.wait_disconnected(5.0), "the LLM request was closed"
        assert time.monotonic() - started < 5.0
        client.quiet(1.5)  # the turn is over: no more audio, no chain-end
    finally:
        live.llm.token_delay_s = 0.0
    client.send("fetch-and-set-history", history_uid=history)
    data = client.recv()
    assert [(m["role"], m["content"]) for m in data["messages"]] == [("human", "讲个长故事"), ("ai", heard)]
    rows = live.runtime.submit(live.memory.repo.messages(history)).result(10)
    assert [r.role for r in rows] == ["user", "assistant", "system"]
    assert rows[1].heard_text == heard and rows[2].text == "[Interrupted by user]"
    client.close()


def test_history_messages(live: Live) -> None:
    client, history = _open_like_web_client(live)
    client.send("create-new-history")
    second = client.recv()
    assert second["type"] == "new-history-created" and second["history_uid"] != history
    client.send("fetch-history-list")
    listed = client.recv()
    assert all(h["uid"] not in (history, second["history_uid"]) for h in listed["histories"]), "empty omitted"
    for item in listed["histories"]:
        assert set(item) == {"uid", "latest_message", "timestamp"}
        assert set(item["latest_message"]) >= {"role", "timestamp", "content"}
    stamps = [h["timestamp"] for h in listed["histories"]]
    assert stamps == sorted(stamps, reverse=True), "newest first"
    client.send("delete-history", history_uid=history)
    assert client.recv() == {"type": "history-deleted", "success": True, "history_uid": history}
    client.send("delete-history", history_uid=history)
    assert client.recv() == {"type": "history-deleted", "success": False, "history_uid": history}
    client.send("fetch-and-set-history")  # no uid: ignored
    client.send("fetch-and-set-history", history_uid=second["history_uid"])
    assert client.recv() == {"type": "history-data", "messages": []}
    client.close()


def test_fetch_configs_switch_config_and_backgrounds(live: Live) -> None:
    client, _uid = _connect(live)
    client.send("fetch-configs")
    configs = client.recv()
    assert configs["configs"][0]["filename"] == "conf.yaml"
    client.send("switch-config", file="conf.yaml")
    switched = client.recv()
    assert switched["type"] == "set-model-and-conf" and "client_uid" not in switched
    assert client.recv() == {"type": "config-switched", "message": "Switched to config: conf.yaml"}
    client.send("switch-config", file="nope.yaml")
    error = client.recv()
    assert error["type"] == "error" and error["message"].startswith("Error switching configuration")

    png = _png()
    owner = live.runtime.submit(_owner_with_background(live, png)).result(10)
    client.send("fetch-backgrounds")
    files = client.recv()
    assert files["type"] == "background-files" and len(files["files"]) == 1
    name = files["files"][0]
    assert name.startswith(f"{owner}/") and name.endswith(".png")
    with httpx.Client(base_url=live.url, timeout=10) as http:
        assert http.get(f"/bg/{name}").content == png
        assert http.get("/bg/../studio.db").status_code == 404
        assert http.get("/live2d-models/info").status_code == 404  # no avatar library registered
        assert http.get("/web-tool", follow_redirects=False).headers["location"] == "/web-tool/index.html"
    client.close()


def test_asr_and_tts_ws(live: Live) -> None:
    with httpx.Client(base_url=live.url, timeout=WAIT) as http:
        r = http.post("/asr", files={"file": ("a.wav", b"RIFF1234", "audio/wav")})
        assert r.status_code == 400 and r.json() == {"error": "Invalid WAV file: File too small"}
        r = http.post("/asr", files={"file": ("a.wav", b"\0" * 45, "audio/wav")})
        assert r.json() == {"error": "Invalid audio data: Buffer size must be even"}
    with websockets_sync.connect(live.url.replace("http", "ws") + "/tts-ws") as ws:
        ws.send(json.dumps({"text": "Hello there. Nice to meet you"}))
        parts = [json.loads(ws.recv(timeout=WAIT)) for _ in range(3)]
    assert [p["status"] for p in parts] == ["partial", "partial", "complete"]
    assert [p["text"] for p in parts[:2]] == ["Hello there.", "Nice to meet you."]
    with httpx.Client(base_url=live.url, timeout=10) as http:
        audio = http.get("/" + parts[0]["audioPath"])
        assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
        with wave.open(io.BytesIO(audio.content), "rb") as wf:
            assert wf.getsampwidth() == 2
            pcm = np.frombuffer(wf.readframes(wf.getnframes()), dtype="<i2")
            rate = wf.getframerate()
        body = _wav16k(pcm, rate)
        r = http.post("/asr", files={"file": ("speech.wav", body, "audio/wav")})
        assert r.status_code == 200 and "hello" in r.json()["text"].lower()


def _wav16k(pcm: np.ndarray, rate: int) -> bytes:
    import soxr

    samples = np.asarray(soxr.resample(pcm.astype(np.float32) / 32768.0, rate, 16000))
    out = io.BytesIO()
    with wave.open(out, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(16000)
        wf.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return out.getvalue()


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 100, 50)).save(out, format="PNG")
    return out.getvalue()


async def _owner_with_background(live: Live, png: bytes) -> int:
    from studio.api.backgrounds_service import BackgroundStore
    from studio.storage.prefs_repo import BackgroundRepo
    from studio.storage.user_repo import UserRepo

    db = live.runtime.container.db
    user = await UserRepo(db).insert("owner", "owner@example.com", "x", email_verified=True, is_admin=True)
    data_dir = live.runtime.container.paths.data_dir
    await BackgroundStore(BackgroundRepo(db), data_dir / "backgrounds").save(user.id, "room.png", png)
    await asyncio.sleep(0)
    return user.id
