"""A tiny, randomly initialised VoxCPM model for tests and the plumbing benchmark.

The model is built from the ``voxcpm`` package's own config classes (VoxCPM2 or VoxCPM 1.x), so
``VoxCPM.from_pretrained(folder, load_denoiser=False, optimize=False)`` loads it offline exactly
like a downloaded model: ``config.json`` with ``architecture``, ``model.safetensors``,
``audiovae.safetensors`` and a small character-level ``LlamaTokenizerFast`` (ASCII, kana, some
Chinese characters, and byte fallback for everything else).

It says nothing: the output is shaped noise. Its timing is what matters: every decoded patch is
one streamed chunk (160 ms of audio for VoxCPM2 at 48 kHz, 80 ms for 1.x at 16 kHz). The stop head
is zeroed, so the model never decides to stop by itself: an utterance has
``min(int(6 * text_tokens + 10), max_len)`` patches, which tests can set precisely with
``max_len``. (With ``retry_badcase=True`` a whole-file synthesis of that length counts as a "bad
case" and is retried, as upstream does; pass a ``max_len`` below ``6 * text_tokens`` to avoid it.)

Importing this module is cheap; ``torch`` and ``voxcpm`` are imported only while building.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import warnings
import wave
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

#: Bump when the recipe changes, so cached folders from older recipes are not reused.
TINY_VERSION = "1"
ARCHITECTURES = ("voxcpm2", "voxcpm")
TINY_NOTE = (
    "This is a tiny randomly initialised VoxCPM model: it measures the plumbing (worker process, "
    "streaming, latency), not real voice quality or a real model's speed."
)

_HIDDEN = 16
_HEADS = 2
_SPECIAL = ("<unk>", "<s>", "</s>")
# Ids 101-104 are VoxCPM's audio/ref-audio start and end markers: they must exist in the embedding.
_RESERVED_UNTIL = 112
_CJK = (
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么"
    "心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民"
    "今直播聊最近很火新游戏欢迎朋友谢谢声音世界语言唱歌喜欢晚早再吗呢吧啊哦嗯"
    "，。！？、：；“”（）《》…"
)
_KANA = "".join(chr(c) for c in range(0x3041, 0x3097)) + "".join(chr(c) for c in range(0x30A1, 0x30FB))


def _lm_config(vocab_size: int, max_length: int) -> dict[str, Any]:
    head_dim = _HIDDEN // _HEADS
    return {
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_size": _HIDDEN,
        "intermediate_size": 2 * _HIDDEN,
        "max_position_embeddings": max_length,
        "num_attention_heads": _HEADS,
        "num_hidden_layers": 1,
        "num_key_value_heads": 1,
        "rms_norm_eps": 1e-5,
        "rope_scaling": {
            "type": "longrope",
            "long_factor": [1.0] * (head_dim // 2),
            "short_factor": [1.0] * (head_dim // 2),
            "original_max_position_embeddings": max_length,
        },
        "vocab_size": vocab_size,
        "use_mup": False,
        "scale_emb": 1.0,
        "dim_model_base": _HIDDEN,
        "scale_depth": 1.0,
        "rope_theta": 10000.0,
    }


def _block(num_layers: int = 1) -> dict[str, Any]:
    return {"hidden_dim": _HIDDEN, "ffn_dim": 2 * _HIDDEN, "num_heads": _HEADS, "num_layers": num_layers}


def tiny_config(architecture: str = "voxcpm2", vocab_size: int = 1024) -> dict[str, Any]:
    """The ``config.json`` content of the tiny model (plain data, validated by voxcpm on load).

    Raises:
        ValueError: unknown architecture.
    """
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {', '.join(ARCHITECTURES)}, not {architecture!r}")
    max_length = 4096
    common: dict[str, Any] = {
        "architecture": architecture,
        "lm_config": _lm_config(vocab_size, max_length),
        "feat_dim": 8,
        "residual_lm_num_layers": 1,
        "scalar_quantization_latent_dim": 8,
        "scalar_quantization_scale": 9,
        "encoder_config": _block(),
        "max_length": max_length,
        # Like the published models: "auto" then prefers CUDA, then MPS, then the CPU.
        "device": "cuda",
        "dtype": "float32",
    }
    cfm = {"sigma_min": 1e-6, "solver": "euler", "t_scheduler": "log-norm"}
    if architecture == "voxcpm2":
        return {
            **common,
            "patch_size": 4,
            "residual_lm_no_rope": False,
            "dit_config": {**_block(), "dit_mean_mode": False, "cfm_config": cfm},
            # Same rates as VoxCPM2 (16 kHz in, 48 kHz out, 40 ms per latent frame), tiny widths.
            "audio_vae_config": {
                "encoder_dim": 4,
                "encoder_rates": [2, 5, 8, 8],
                "latent_dim": 8,
                "decoder_dim": 64,
                "decoder_rates": [8, 6, 5, 2, 2, 2],
                "depthwise": True,
                "sample_rate": 16000,
                "out_sample_rate": 48000,
            },
        }
    return {
        **common,
        "patch_size": 2,
        "dit_config": {**_block(), "cfm_config": cfm},
        "dit_mean_mode": False,
        # VoxCPM-0.5B's rates (16 kHz in and out), tiny widths.
        "audio_vae_config": {
            "encoder_dim": 4,
            "encoder_rates": [2, 5, 8, 8],
            "latent_dim": 8,
            "decoder_dim": 32,
            "decoder_rates": [8, 8, 5, 2],
            "depthwise": True,
            "sample_rate": 16000,
        },
    }


def _vocabulary() -> dict[str, int]:
    vocab = {token: i for i, token in enumerate(_SPECIAL)}
    for i in range(len(vocab), _RESERVED_UNTIL):
        vocab[f"<reserved_{i}>"] = i
    for byte in range(256):
        vocab[f"<0x{byte:02X}>"] = len(vocab)
    for ch in ["▁", *(chr(c) for c in range(0x21, 0x7F)), *_CJK, *_KANA]:
        vocab.setdefault(ch, len(vocab))
    return vocab


def write_tiny_tokenizer(folder: Path) -> int:
    """Write a character-level Llama-style tokenizer into ``folder``; returns its vocabulary size.

    ``LlamaTokenizerFast.from_pretrained(folder)`` loads it with no network.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    vocab = _vocabulary()
    tokenizer = Tokenizer(
        models.BPE(vocab=vocab, merges=[], unk_token=_SPECIAL[0], fuse_unk=True, byte_fallback=True)
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    tokenizer.decoder = decoders.Sequence(
        [decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)]
    )
    tokenizer.save(str(folder / "tokenizer.json"))
    special = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}
    config = {
        "tokenizer_class": "LlamaTokenizerFast",
        **special,
        "add_bos_token": True,
        "add_eos_token": False,
        "legacy": False,
        "model_max_length": 4096,
    }
    _write_json(folder / "tokenizer_config.json", config)
    _write_json(folder / "special_tokens_map.json", special)
    return len(vocab)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def build_tiny_voxcpm(folder: Path, *, architecture: str = "voxcpm2", seed: int = 0) -> Path:
    """Write a tiny randomly initialised VoxCPM model into ``folder`` (created if missing).

    Deterministic for a given ``seed`` and package versions; takes a few seconds (mostly importing
    torch). Thread affinity: any thread (blocking; not on the engine loop).

    Args:
        folder: Where to write ``config.json``, the weights and the tokenizer files.
        architecture: ``"voxcpm2"`` (48 kHz, supports ``reference_wav_path``) or ``"voxcpm"`` (1.x, 16 kHz).
        seed: Seed of the random weights.

    Returns:
        ``folder``.

    Raises:
        ValueError: unknown architecture.
        ImportError: torch or voxcpm is not installed.
    """
    config = tiny_config(architecture)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from safetensors.torch import save_file
    from transformers import LlamaTokenizerFast

    vocab_size = write_tiny_tokenizer(folder)
    config["lm_config"]["vocab_size"] = max(vocab_size, 128)
    _write_json(folder / "config.json", config)
    tokenizer = LlamaTokenizerFast.from_pretrained(str(folder))
    with torch.random.fork_rng(devices=[]), warnings.catch_warnings():
        # The package's audio VAE uses torch's old weight_norm (a FutureWarning; not ours to fix).
        warnings.simplefilter("ignore", FutureWarning)
        torch.manual_seed(seed)
        with contextlib.redirect_stderr(io.StringIO()):  # the package narrates its set-up on stderr
            model = _instantiate(architecture, config, tokenizer)
        with torch.no_grad():
            # Never stop by itself: the utterance length is then set by the text and max_len.
            model.stop_head.weight.zero_()
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    vae = {k[len("audio_vae.") :]: v for k, v in state.items() if k.startswith("audio_vae.")}
    main = {k: v for k, v in state.items() if not k.startswith("audio_vae.")}
    save_file(main, str(folder / "model.safetensors"))
    save_file(vae, str(folder / "audiovae.safetensors"))
    for name in ("model.safetensors", "audiovae.safetensors"):
        (folder / name).chmod(0o644)
    (folder / "README.md").write_text(
        f"# Tiny VoxCPM ({architecture}, seed {seed}, recipe {TINY_VERSION})\n\n{TINY_NOTE}\n"
        "Built by studio.testing.voxcpm_tiny for tests; not for use as a voice.\n",
        encoding="utf-8",
    )
    return folder


def _instantiate(architecture: str, config: dict[str, Any], tokenizer: Any) -> Any:
    if architecture == "voxcpm2":
        from voxcpm.model.voxcpm2 import VoxCPM2Model, VoxCPMConfig
        from voxcpm.modules.audiovae import AudioVAEConfigV2, AudioVAEV2

        cfg2 = VoxCPMConfig.model_validate(config)
        vae2 = AudioVAEV2(config=AudioVAEConfigV2.model_validate(config["audio_vae_config"]))
        return VoxCPM2Model(cfg2, tokenizer, vae2, device="cpu")
    from voxcpm.model.voxcpm import VoxCPMConfig as VoxCPM1Config
    from voxcpm.model.voxcpm import VoxCPMModel
    from voxcpm.modules.audiovae import AudioVAE, AudioVAEConfig

    cfg1 = VoxCPM1Config.model_validate(config)
    vae1 = AudioVAE(config=AudioVAEConfig.model_validate(config["audio_vae_config"]))
    return VoxCPMModel(cfg1, tokenizer, vae1, device="cpu")


def _cache_key(architecture: str, seed: int) -> str:
    try:
        package = metadata.version("voxcpm")
    except metadata.PackageNotFoundError:
        package = "none"
    return f"voxcpm-tiny-{architecture}-s{seed}-r{TINY_VERSION}-pkg{package}"


def tiny_voxcpm_dir(cache_root: Path, *, architecture: str = "voxcpm2", seed: int = 0) -> Path:
    """The tiny model's folder under ``cache_root``, built on first use (cached by recipe version).

    Safe when several processes ask at once: each builds in its own temporary folder and the
    first finished one is renamed into place. Thread affinity: any thread (blocking).

    Raises:
        ImportError: torch or voxcpm is not installed (tests turn this into a skip).
    """
    target = cache_root / _cache_key(architecture, seed)
    if (target / "model.safetensors").is_file() and (target / "README.md").is_file():
        return target
    cache_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=cache_root))
    try:
        build_tiny_voxcpm(scratch, architecture=architecture, seed=seed)
        try:
            scratch.rename(target)
        except OSError:
            if not (target / "README.md").is_file():
                raise
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return target


def voxcpm_available() -> str | None:
    """``None`` when torch and voxcpm can be imported here, else the reason (for ``pytest.skip``)."""
    for module in ("torch", "torchaudio", "voxcpm"):
        try:
            metadata.version(module)
        except metadata.PackageNotFoundError:
            return f"{module} is not installed (install the studio's 'voxcpm' extra)"
    return None


def write_prompt_wav(
    path: Path, *, seconds: float = 1.0, sample_rate: int = 16000, channels: int = 1
) -> Path:
    """Write a 16-bit WAV of a gliding tone with a little noise (a stand-in prompt recording)."""
    n = round(seconds * sample_rate)
    t = np.arange(n) / sample_rate
    tone = 0.3 * np.sin(2 * np.pi * (180 + 60 * t) * t) + 0.02 * np.random.default_rng(0).standard_normal(n)
    frames = np.repeat((np.clip(tone, -1, 1) * 32767).astype("<i2")[:, None], channels, axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(frames.tobytes())
    return path
