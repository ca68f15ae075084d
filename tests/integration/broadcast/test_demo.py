"""`studio demo` end to end: a playable H.264 + AAC file, an intelligible voice, a mouth moving with it.

The command runs as a subprocess on its own profile (STUDIO_HOME), exactly as a user runs it. The
file is then decoded with PyAV: the audio is transcribed by the packaged Whisper model, and the
built-in avatar's mouth is measured in the pixels of the frames. The mouth box comes from the
PNGTuber layout itself (where :func:`studio.avatar.pngtuber_layout.layout` places the mouth sprites
at this frame size, padded for the head's bounce); inside it, the open mouth's dark red interior is
counted per frame (zero while the mouth rests) and compared with the loudness of the decoded audio
over the same frame.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from studio.avatar.pngtuber_layout import Pose, layout
from studio.avatar.pngtuber_model import SlotKind
from studio.avatar.pngtuber_sets import load_pngtuber
from studio.core.errors import ProviderError
from studio.testing.metrics import word_error_rate

pytestmark = pytest.mark.slow

TEXT = "Thank you all for watching the stream today, and see you again tomorrow night."
W, H, FPS = 640, 360, 30
RATE = 48000

Transcriber = Callable[..., str]
F64 = npt.NDArray[np.float64]


@pytest.fixture(scope="module")
def transcriber(tmp_path_factory: pytest.TempPathFactory) -> Transcriber:
    """The packaged Whisper base model, joined once for this module."""
    pytest.importorskip("faster_whisper", reason="faster-whisper is not installed")
    from studio.speech.asr.packaged_whisper import packaged_whisper_model_dir, transcribe

    folder = tmp_path_factory.mktemp("whisper")
    try:
        packaged_whisper_model_dir(folder)
    except ProviderError as exc:
        pytest.skip(f"packaged Whisper model unavailable: {exc}")
    return partial(transcribe, cache_dir=folder)


def run_demo(home: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STUDIO_HOME": str(home), "STUDIO_SECRETS_BACKEND": "file", **extra_env}
    return subprocess.run(
        [sys.executable, "-m", "studio", "demo", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def mouth_box(width: int, height: int) -> tuple[int, int, int, int]:
    """(x0, x1, y0, y1): where the built-in avatar draws its mouth sprites, padded for the bounce."""
    model = load_pngtuber()
    mouth_layers = {layer.name for layer in model.layers if layer.kind is SlotKind.MOUTH}
    xs: list[float] = []
    ys: list[float] = []
    for key in ("rest", "A", "I", "U", "E", "O", "open"):
        pose = Pose(expressions=((model.default_expression, 1.0),), mouth=key, mouth_open=1.0)
        for op in layout(model, pose, width, height):
            if op.layer in mouth_layers:
                xs += op.quad[0::2]
                ys += op.quad[1::2]
    assert xs, "the built-in avatar has mouth sprites"
    pad = 0.04 * height
    return (
        max(0, int(min(xs) - pad)),
        min(width, int(max(xs) + pad)),
        max(0, int(min(ys) - pad)),
        min(height, int(max(ys) + pad)),
    )


def mouth_pixels(rgb: npt.NDArray[np.uint8], box: tuple[int, int, int, int]) -> int:
    """Pixels of the open mouth's dark red interior inside ``box`` (after H.264's colour loss)."""
    x0, x1, y0, y1 = box
    crop = rgb[y0:y1, x0:x1].astype(np.int16)
    r, g = crop[..., 0], crop[..., 1]
    return int(np.count_nonzero((r >= 60) & (r <= 180) & (g <= 80) & (r >= 2 * g)))


def decode(path: Path) -> tuple[F64, list[npt.NDArray[np.uint8]], F64]:
    """(frame times, RGB frames, mono audio at 48 kHz)."""
    with av.open(str(path)) as container:
        frames, times = [], []
        for frame in container.decode(video=0):
            frames.append(frame.to_ndarray(format="rgb24"))
            times.append(float(frame.time or 0.0))
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        assert stream.sample_rate == RATE
        blocks = [f.to_ndarray() for f in container.decode(audio=0)]
    audio = np.concatenate(blocks, axis=1).astype(np.float64).mean(axis=0)
    return np.array(times), frames, audio


def loudness(audio: F64, times: F64, span: float) -> F64:
    """Per frame: RMS over the frame's span as loudness 0..1 (dBFS -50..0)."""
    rms = []
    for t in times:
        block = audio[int(t * RATE) : int((t + span) * RATE)]
        rms.append(float(np.sqrt(np.mean(block**2))) if block.size else 0.0)
    return np.clip((20 * np.log10(np.array(rms) + 1e-6) + 50) / 50, 0.0, 1.0)


def test_demo_records_a_playable_video_where_the_avatar_says_the_text(
    tmp_path: Path, studio_home: Path, transcriber: Transcriber
) -> None:
    out = tmp_path / "demo out" / "x.mp4"  # a space in the path, as users have
    out.parent.mkdir()
    proc = run_demo(studio_home, "--out", str(out), "--text", TEXT, "--size", f"{W}x{H}")
    if proc.returncode != 0 and "No headless OpenGL" in proc.stderr:
        pytest.skip(proc.stderr.strip())
    assert proc.returncode == 0, proc.stderr
    print(proc.stdout)
    assert f"Wrote {out}" in proc.stdout
    assert "frames" in proc.stdout and "A/V drift" in proc.stdout
    assert "Warning" not in proc.stderr

    # Playable H.264 + AAC (ffprobe when present: what players and platforms use).
    if shutil.which("ffprobe"):
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "json", out],
            capture_output=True,
            text=True,
            check=True,
        )
        codecs = {s["codec_name"]: s for s in json.loads(probe.stdout)["streams"]}
        assert set(codecs) == {"h264", "aac"}
        assert (codecs["h264"]["width"], codecs["h264"]["height"]) == (W, H)
    times, frames, audio = decode(out)
    duration = len(audio) / RATE
    assert 3.0 < duration < 15.0
    # The rate itself is `studio bench stream`'s business: a busy machine renders fewer frames
    # (counted as missed), each still at its own time.
    assert len(frames) >= 3 * times[-1], "frames all along the recording"
    assert (np.diff(times) > 0).all()
    assert abs(times[-1] + 1 / FPS - duration) < 0.2, "audio and video end together"

    # The voice is the text.
    heard = transcriber(audio.astype(np.float32), RATE, "en")
    error = word_error_rate(TEXT, heard)
    print(f"heard {heard!r}, WER {error:.3f}")
    assert error <= 0.10, heard

    # The mouth moves with the voice.
    box = mouth_box(W, H)
    mouth = np.array([mouth_pixels(f, box) for f in frames], np.float64)
    loud = loudness(audio, times, 1 / FPS)
    speaking = loud > 0.3
    assert speaking.any() and not speaking[:3].any(), "the recording starts before the voice"
    first, last = int(np.argmax(speaking)), len(speaking) - 1 - int(np.argmax(speaking[::-1]))
    before = mouth[: max(1, first - 3)]
    assert before.max() <= 5, f"the mouth rests before the voice (interior {before.max():.0f} px)"
    # After the speech, an expression may show a smiling open mouth: compare inside the speech.
    window = slice(max(0, first - 6), min(len(mouth), last + 7))
    m, lw = mouth[window], loud[window]
    r = float(np.corrcoef(m, lw)[0, 1])
    talking, quiet = m[lw > 0.3], np.concatenate([before, m[lw < 0.05]])
    print(
        f"mouth box {box}: interior up to {mouth.max():.0f} px; r={r:.2f}; "
        f"mean {talking.mean():.1f} px speaking vs {quiet.mean():.1f} px silent; {len(frames)} frames"
    )
    assert mouth.max() >= 30, "the mouth visibly opened"
    assert np.mean(talking > 10) >= 0.4, "the mouth is open on many speech frames"
    assert talking.mean() >= quiet.mean() + 15
    assert r >= 0.35, f"mouth and loudness correlate only at r={r:.2f}"


def test_demo_refuses_a_missing_output_folder(tmp_path: Path, studio_home: Path) -> None:
    proc = run_demo(studio_home, "--out", str(tmp_path / "missing" / "x.mp4"), "--size", "640x360")
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr
    assert not (tmp_path / "missing").exists()


def test_demo_refuses_an_unknown_format_and_a_bad_size(tmp_path: Path, studio_home: Path) -> None:
    proc = run_demo(studio_home, "--out", str(tmp_path / "x.avi"))
    assert proc.returncode == 2 and ".mp4" in proc.stderr
    proc = run_demo(studio_home, "--out", str(tmp_path / "x.mp4"), "--size", "640by360")
    assert proc.returncode == 2 and "WIDTHxHEIGHT" in proc.stderr
    assert not list(tmp_path.glob("x.*"))


def test_demo_without_headless_opengl_says_so(tmp_path: Path, studio_home: Path) -> None:
    out = tmp_path / "x.mp4"
    # glvnd finds no EGL vendor: what a machine without Mesa's EGL looks like.
    proc = run_demo(
        studio_home,
        *("--out", str(out), "--text", "Hello.", "--size", "320x180"),
        __EGL_VENDOR_LIBRARY_FILENAMES=str(tmp_path / "none.json"),
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "No headless OpenGL for the avatar" in proc.stderr and "libegl1" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()
