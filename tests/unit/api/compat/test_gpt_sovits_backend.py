"""GptSovitsBackend on a real container (SQLite, folders) and the real VoiceHub: reference audio
resolution and confinement, StreamCream's fallback chain and model-pair side effects, persistence,
uploads. The transcriber is a stand-in (the Whisper round trip is in the conformance test)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from studio.api.compat.gpt_sovits_params import RefAudioError, pair_from_weights, safe_file_name
from studio.app.container import Container
from studio.app.gpt_sovits_backend import GptSovitsBackend
from studio.app.runtime import EngineRuntime
from studio.app.voices import VoiceHub
from studio.core.errors import ValidationError
from tests.unit.speech.library._audio import encode, voiced

WAV = encode(voiced(2.0, 24000), 24000)


def transcribe(samples: np.ndarray, rate: int) -> tuple[str, str]:
    return "这是参考音频。", "zh"


class Studio:
    def __init__(self, container: Container) -> None:
        self.container = container
        self.runtime = EngineRuntime(container, serve_api=False)
        self.hub = VoiceHub(container, transcribe=transcribe)
        self.backend = GptSovitsBackend(self.runtime, self.hub)
        self.root = self.hub.models.gpt_sovits_root

    def put(self, rel: str, data: bytes = WAV) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


@pytest.fixture
async def studio(container: Container) -> AsyncIterator[Studio]:
    s = Studio(container)
    try:
        yield s
    finally:
        await s.backend.close()
        await s.hub.close()


def test_streamcream_file_name_rules() -> None:
    assert pair_from_weights("GPT_weights_v2/tomori1-e20.ckpt") == "tomori1"
    assert pair_from_weights("SoVITS_weights_v2/tomori1_e12_s2664.pth") == "tomori1"
    assert pair_from_weights("x/alice_e8-s96.pth") == "alice_e8", "a '-' anywhere wins over '_'"
    assert pair_from_weights("plain.ckpt") == "plain"
    assert safe_file_name("../../etc/passwd.wav") == "passwd.wav"
    assert safe_file_name("C:\\Users\\me\\声音 1.WAV") == "声音 1.wav"
    assert safe_file_name("..hidden.wav") == "hidden.wav"
    assert safe_file_name("a<b>|c?.mp3") == "a_b__c_.mp3"
    for bad in ("", "..", "noext", "evil.exe", ".wav", "/"):
        with pytest.raises(ValidationError):
            safe_file_name(bad)


async def test_named_references_resolve_inside_the_studio_only(studio: Studio, tmp_path: Path) -> None:
    ref = studio.put("参考音频/alice.wav")
    got = await studio.backend.reference("参考音频/alice.wav")
    assert got.path == ref.resolve() and got.prompt_text is None
    speaker = await studio.hub.speakers.register("Yuki", WAV)
    for name in (speaker.id, "Yuki", speaker.file.name):
        got = await studio.backend.reference(name)
        assert (
            got.path == speaker.file and got.prompt_text == "这是参考音频。" and got.speaker_id == speaker.id
        )
    inside = studio.container.paths.data_dir / "other.wav"
    inside.write_bytes(WAV)
    assert (await studio.backend.reference(str(inside))).path == inside.resolve()

    outside = tmp_path / "outside.wav"
    outside.write_bytes(WAV)
    link = studio.root / "参考音频" / "link.wav"
    os.symlink(outside, link)
    for bad in (
        str(outside),
        "../../../../outside.wav",
        "参考音频/../../../../../x.wav",
        "参考音频/link.wav",
        "/etc/passwd",
    ):
        with pytest.raises(RefAudioError, match="outside the studio's folders"):
            await studio.backend.reference(bad)
    with pytest.raises(RefAudioError) as info:
        await studio.backend.reference("参考音频/nobody.wav")
    assert str(info.value) == "Reference audio file not found: 参考音频/nobody.wav"


async def test_fallback_chain(studio: Studio) -> None:
    backend = studio.backend
    with pytest.raises(RefAudioError) as info:
        await backend.reference(None)
    assert str(info.value) == "ref_audio_path is required"
    speaker = await studio.hub.speakers.register("Clone", WAV)
    studio.container.config.tts.clone_speaker = speaker.id
    assert (await backend.reference("")).speaker_id == speaker.id, "the clone speaker comes last"
    studio.put("参考音频.wav")
    assert (await backend.reference(None)).given == "参考音频.wav"
    studio.put("参考音频/alice.wav")
    studio.put("GPT_weights_v2/alice-e15.ckpt", b"gpt")
    studio.put("SoVITS_weights_v2/alice_e8_s96.pth", b"sovits")
    await backend.set_weights("gpt", "GPT_weights_v2/alice-e15.ckpt")
    assert (await backend.status()).current_model_pair == "alice"
    assert await backend.pair_ref_audio("alice") == "参考音频/alice.wav"
    assert (await backend.reference(None)).given == "参考音频/alice.wav"
    studio.put("参考音频/manual.wav")
    await backend.set_refer_audio("参考音频/manual.wav")
    assert (await backend.reference(None)).given == "参考音频/manual.wav"
    (studio.root / "参考音频/manual.wav").unlink()
    with pytest.raises(RefAudioError, match=r"Reference audio file not found: 参考音频/manual\.wav"):
        await backend.reference(None)


async def test_weights_pairs_and_state_persist(studio: Studio) -> None:
    backend = studio.backend
    studio.put("GPT_weights_v2/alice-e15.ckpt", b"gpt")
    studio.put("SoVITS_weights_v2/alice_e8_s96.pth", b"sovits")
    studio.put("GPT_weights/bob-e5.ckpt", b"gpt")
    studio.put("SoVITS_weights/bob_e4_s40.pth", b"sovits")
    with pytest.raises(ValidationError, match="does not exist"):
        await backend.set_weights("gpt", "GPT_weights_v2/nobody-e1.ckpt")
    with pytest.raises(ValidationError, match=r"\.pth"):
        await backend.set_weights("sovits", "GPT_weights_v2/alice-e15.ckpt")
    with pytest.raises(ValidationError, match="outside"):
        await backend.set_weights("gpt", "../../../../../etc/passwd")
    await backend.set_weights("sovits", "SoVITS_weights_v2/alice_e8_s96.pth")
    assert (await backend.status()).current_model_pair == "alice"
    groups = await backend.model_groups()
    assert [g.name for g in groups] == ["默认模型", "v2模型"]
    assert groups[1].pairs["alice"].gpt_path == "GPT_weights_v2/alice-e15.ckpt"
    assert await backend.set_model_pair("bob") == "参考音频.wav"
    with pytest.raises(ValidationError):
        await backend.set_refer_audio("参考音频/none.wav")
    studio.put("参考音频/bob.wav")
    await backend.set_refer_audio("参考音频/bob.wav")

    again = GptSovitsBackend(studio.runtime, studio.hub)  # a restarted studio reads it back
    status = await again.status()
    assert (status.current_model_pair, status.current_ref_audio) == ("bob", "参考音频/bob.wav")
    assert (await again.reference(None)).path == (studio.root / "参考音频/bob.wav").resolve()


async def test_upload_is_sanitised_stored_and_registered(studio: Studio) -> None:
    backend = studio.backend
    name, speaker_id = await backend.upload_ref_audio("../../evil/小雪 voice.wav", WAV)
    assert name == "小雪 voice.wav"
    stored = studio.root / "参考音频" / name
    assert stored.read_bytes() == WAV
    assert not list((studio.root / "参考音频").glob(".*")), "no temporary files left"
    speaker = studio.hub.speakers.resolve(speaker_id)
    assert speaker is not None and speaker.name == "小雪 voice"
    ref = await backend.reference(f"参考音频/{name}")
    assert ref.speaker_id == speaker_id and ref.prompt_text == "这是参考音频。"
    assert ("小雪 voice", name, f"参考音频/{name}") in await backend.reference_audios()
    name2, speaker2 = await backend.upload_ref_audio("小雪 voice.wav", WAV)  # replaced, not duplicated
    assert name2 == name and speaker2 != speaker_id
    assert studio.hub.speakers.resolve(speaker_id) is None
    with pytest.raises(ValidationError):
        await backend.upload_ref_audio("notes.txt", b"hello")
    with pytest.raises(ValidationError):
        await backend.upload_ref_audio("short.wav", encode(voiced(0.2, 24000), 24000))
    assert not (studio.root / "参考音频" / "short.wav").exists()


async def test_exit_is_off_unless_the_setting_allows_it(studio: Studio) -> None:
    assert studio.backend.exit_allowed() is False
    assert (await studio.backend.restart()).startswith("restart")


def test_an_allowed_exit_stops_the_engine_only(container: Container) -> None:
    runtime = EngineRuntime(container, serve_api=False)
    hub = VoiceHub(container, transcribe=transcribe)
    backend = GptSovitsBackend(runtime, hub)
    runtime.start()
    try:
        runtime.submit(backend.exit()).result(5)
        assert runtime.wait_stopped(10), "the engine stops; the process (a test here) lives on"
    finally:
        runtime.stop(timeout=5)
        asyncio.run(hub.close())
