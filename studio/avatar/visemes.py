"""Mouth shapes: the A/I/U/E/O visemes, the five Live2D mouth parameters and pinyin finals.

The five Cubism parameters and the ``a``/``i``/``u`` values follow StreamCream's vowel table
(reference-contracts.md 1.6); the other vowels are ours, in the same style. StreamCream's final
extraction tried compound finals in a fixed order and took the first *substring* match, so
``ang``/``eng``/``ing``/``ong`` were shadowed by ``an``/``en``/``in`` and ``xiang`` came out as
``ia``. Here the initial is stripped first (with the y/w/ü spelling rules undone) and the rest is
looked up whole; only malformed input falls back to a longest-first substring search.

Pure functions and constant tables: safe on any thread.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

#: Order of the viseme weights everywhere in the avatar package.
VISEMES: Final = ("A", "I", "U", "E", "O")

#: Cubism parameter ids, in the column order of :data:`SHAPE_PARAMS`.
PARAM_IDS: Final = (
    "ParamMouthOpenY",
    "ParamMouthOpenWidth",
    "ParamMouthForm",
    "ParamMouthSmile",
    "ParamMouthFrown",
)

#: (low, high) of each parameter. StreamCream clamps width to 0.1..1 and smile/frown to 0..0.3;
#: OpenY reaches 0 (a closed mouth in silence, where StreamCream idles at 0.2) and Form keeps the
#: Cubism range -1..1 (the table only uses 0..1, as StreamCream does).
PARAM_RANGES: Final = MappingProxyType(
    {
        "ParamMouthOpenY": (0.0, 1.0),
        "ParamMouthOpenWidth": (0.1, 1.0),
        "ParamMouthForm": (-1.0, 1.0),
        "ParamMouthSmile": (0.0, 0.3),
        "ParamMouthFrown": (0.0, 0.3),
    }
)

#: The closed/idle mouth: StreamCream's idle width/form/smile/frown with OpenY 0.
NEUTRAL_SHAPE: Final = (0.0, 0.5, 0.0, 0.0, 0.0)

#: Shape (OpenY, OpenWidth, Form, Smile, Frown) of each pure viseme; A/I/U as StreamCream.
VISEME_SHAPES: Final = MappingProxyType(
    {
        "A": (0.8, 0.7, 0.8, 0.1, 0.0),
        "I": (0.4, 0.3, 0.2, 0.0, 0.1),
        "U": (0.3, 0.2, 0.1, 0.0, 0.2),
        "E": (0.6, 0.6, 0.5, 0.05, 0.0),
        "O": (0.6, 0.3, 0.3, 0.0, 0.1),
    }
)

Weights = tuple[float, float, float, float, float]
"""A/I/U/E/O weights in :data:`VISEMES` order."""


def _w(a: float = 0.0, i: float = 0.0, u: float = 0.0, e: float = 0.0, o: float = 0.0) -> Weights:
    return (a, i, u, e, o)


_A, _I, _U, _E, _O = _w(a=1), _w(i=1), _w(u=1), _w(e=1), _w(o=1)
_YU = _w(u=0.6, i=0.4)  # ü: tongue of i, lips of u
_ONG = _w(o=0.6, u=0.4)  # [ʊŋ]
_APICAL = _w(i=0.5, e=0.5)  # the "-i" of zhi/zi: barely open, lips spread a little
_ER = _w(e=0.6, a=0.4)

Trajectory = tuple[tuple[Weights, float], ...]
"""Successive (weights, fraction of the syllable) targets of one final."""

#: Every pinyin final (as spelled after the initial, ü written ``ü``) -> its mouth trajectory.
#: Compound finals glide: ``iang`` is a short i then a long a; ``ian``/``üan`` are [iɛn]/[yɛn].
FINALS: Final[MappingProxyType[str, Trajectory]] = MappingProxyType(
    {
        "a": ((_A, 1.0),),
        "o": ((_O, 1.0),),
        "e": ((_E, 1.0),),
        "ê": ((_E, 1.0),),
        "i": ((_I, 1.0),),
        "u": ((_U, 1.0),),
        "ü": ((_YU, 1.0),),
        "-i": ((_APICAL, 1.0),),
        "er": ((_ER, 1.0),),
        "ai": ((_A, 0.6), (_I, 0.4)),
        "ao": ((_A, 0.6), (_O, 0.4)),
        "ei": ((_E, 0.6), (_I, 0.4)),
        "ou": ((_O, 0.6), (_U, 0.4)),
        "ia": ((_I, 0.3), (_A, 0.7)),
        "ie": ((_I, 0.3), (_E, 0.7)),
        "io": ((_I, 0.3), (_O, 0.7)),
        "ua": ((_U, 0.3), (_A, 0.7)),
        "uo": ((_U, 0.3), (_O, 0.7)),
        "üe": ((_YU, 0.3), (_E, 0.7)),
        "an": ((_A, 1.0),),
        "en": ((_E, 1.0),),
        "in": ((_I, 1.0),),
        "un": ((_U, 0.4), (_E, 0.6)),
        "ün": ((_YU, 1.0),),
        "ang": ((_A, 1.0),),
        "eng": ((_E, 1.0),),
        "ing": ((_I, 1.0),),
        "ong": ((_ONG, 1.0),),
        "iao": ((_I, 0.25), (_A, 0.45), (_O, 0.3)),
        "iu": ((_I, 0.3), (_O, 0.4), (_U, 0.3)),
        "ian": ((_I, 0.3), (_E, 0.7)),
        "iang": ((_I, 0.25), (_A, 0.75)),
        "iong": ((_I, 0.25), (_ONG, 0.75)),
        "uai": ((_U, 0.25), (_A, 0.45), (_I, 0.3)),
        "ui": ((_U, 0.3), (_E, 0.3), (_I, 0.4)),
        "uan": ((_U, 0.25), (_A, 0.75)),
        "üan": ((_YU, 0.3), (_E, 0.7)),
        "uang": ((_U, 0.25), (_A, 0.75)),
        "ueng": ((_U, 0.3), (_E, 0.7)),
    }
)

#: OpenY scale of finals that open less than their visemes say (apical and syllabic nasals).
_OPEN_SCALE: Final = MappingProxyType({"-i": 0.6, "": 0.4})

# Longest first, so "zh" is never read as "z" and "h".
_INITIALS: Final = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q",
                    "x", "r", "z", "c", "s")  # fmt: skip
_APICAL_SYLLABLES: Final = frozenset({"zhi", "chi", "shi", "ri", "zi", "ci", "si"})
# y/w spellings of finals without an initial.
_Y_FINALS: Final = MappingProxyType(
    {
        "yi": "i",
        "yin": "in",
        "ying": "ing",
        "yu": "ü",
        "yue": "üe",
        "yuan": "üan",
        "yun": "ün",
        "you": "iu",
        "yong": "iong",
        "yo": "io",
    }
)
_W_FINALS: Final = MappingProxyType({"wu": "u", "wei": "ui", "wen": "un", "weng": "ueng"})
# Finals ordered longest first, for the substring fallback.
_BY_LENGTH: Final = tuple(sorted((f for f in FINALS if f != "-i"), key=len, reverse=True))


def normalize_syllable(syllable: str) -> str:
    """Lower-case ASCII-ish pinyin: tone marks and digits dropped, ü spelled ``v``.

    Accepts ``lü``, ``lǜ``, ``lv``, ``lu:``, ``lv4`` and ``LÜE`` alike.
    """
    text = unicodedata.normalize("NFD", syllable.strip().lower())
    text = text.replace("u\u0308", "v").replace("u:", "v")
    return "".join(c for c in text if c.isascii() and c.isalpha())


def pinyin_final(syllable: str) -> str:
    """The final of one pinyin syllable, as a :data:`FINALS` key (``''`` if it has none).

    Args:
        syllable: One syllable, e.g. ``xiang``, ``guo``, ``lv``, ``nü3``, ``zhi``, ``er``.

    Returns:
        The final with ü written ``ü``: ``xiang`` -> ``iang``, ``ju`` -> ``ü``, ``zhi`` -> ``-i``,
        ``liu`` -> ``iu``; ``''`` for syllabic nasals (``m``, ``n``, ``ng``, ``hm``) and non-pinyin.
    """
    s = normalize_syllable(syllable)
    if not s:
        return ""
    if s in _APICAL_SYLLABLES:
        return "-i"
    if s in _Y_FINALS:
        return _Y_FINALS[s]
    if s in _W_FINALS:
        return _W_FINALS[s]
    if s[0] == "y":  # ya, ye, yao, yan, yang -> ia, ie, iao, ian, iang
        rest = s[1:]
        rest = rest if rest.startswith("i") else "i" + rest
    elif s[0] == "w":  # wa, wo, wai, wan, wang -> ua, uo, uai, uan, uang
        rest = "u" + s[1:]
    else:
        initial = next((i for i in _INITIALS if s.startswith(i) and len(s) > len(i)), "")
        rest = s[len(initial) :]
        if initial in ("j", "q", "x") and rest.startswith("u"):
            rest = "v" + rest[1:]  # ju, que, xuan are written without the diaeresis
    rest = rest.replace("v", "ü")
    if rest in FINALS:
        return rest
    return next((f for f in _BY_LENGTH if f in rest), "")


@dataclass(frozen=True, slots=True)
class VowelShape:
    """The mouth for one final: its mean A/I/U/E/O weights and the five Cubism values.

    Attributes:
        vowel: The :data:`FINALS` key (``''`` for none).
        weights: Mean A/I/U/E/O weights over the syllable (sum 1, or 0 for ``''``).
        params: Cubism parameter id -> value (see :data:`PARAM_RANGES`).
    """

    vowel: str
    weights: Weights
    params: MappingProxyType[str, float]


def shape_of_weights(weights: Weights, open_scale: float = 1.0) -> tuple[float, ...]:
    """Blend :data:`VISEME_SHAPES` by ``weights``; the rest of 1 goes to the neutral mouth."""
    total = sum(weights)
    rest = max(0.0, 1.0 - total)
    out = [n * rest for n in NEUTRAL_SHAPE]
    for w, name in zip(weights, VISEMES, strict=True):
        if w:
            for k, v in enumerate(VISEME_SHAPES[name]):
                out[k] += w * v
    out[0] *= open_scale
    return tuple(out)


def trajectory_mean(trajectory: Trajectory) -> Weights:
    """Time-weighted mean of a trajectory's weights."""
    acc = [0.0] * 5
    for weights, frac in trajectory:
        for k, w in enumerate(weights):
            acc[k] += w * frac
    return (acc[0], acc[1], acc[2], acc[3], acc[4])


def open_scale(final: str) -> float:
    """How much of the envelope's opening a final keeps (1 for ordinary vowels)."""
    return _OPEN_SCALE.get(final, 1.0)


def _build_shape(final: str) -> VowelShape:
    traj = FINALS.get(final)
    weights = trajectory_mean(traj) if traj else _w()
    values = shape_of_weights(weights, open_scale(final))
    params = {pid: round(v, 4) for pid, v in zip(PARAM_IDS, values, strict=True)}
    return VowelShape(final, weights, MappingProxyType(params))


_SHAPES: Final = MappingProxyType({f: _build_shape(f) for f in (*FINALS, "")})


def vowel_shape(final: str) -> VowelShape:
    """The :class:`VowelShape` of a final key (``''`` or unknown -> the half-closed neutral)."""
    return _SHAPES.get(final, _SHAPES[""])


def pinyin_vowel_shape(syllable: str) -> tuple[str, dict[str, float]]:
    """Vowel and Cubism mouth parameters for one pinyin syllable (``/text2mouth_param``).

    Args:
        syllable: A pinyin syllable with or without tone (``xiang``, ``lü``, ``lv3``).

    Returns:
        ``(final, {ParamMouthOpenY, ParamMouthOpenWidth, ParamMouthForm, ParamMouthSmile,
        ParamMouthFrown})``. Unlike StreamCream, unknown input gives the neutral mouth, not ``a``.
    """
    shape = vowel_shape(pinyin_final(syllable))
    return shape.vowel, dict(shape.params)


def dominant_viseme(weights: Weights) -> str:
    """``'A'``..``'O'`` with the largest weight, or ``''`` when all are ~0."""
    best = max(range(5), key=lambda k: weights[k])
    return VISEMES[best] if weights[best] > 1e-6 else ""
