"""Incremental clause splitting of streamed text (LLM deltas) for speech synthesis.

:class:`ClauseSplitter` turns a stream of text deltas into clauses that are worth synthesising on
their own, as soon as they are known:

- Sentence ends: ``。！？．…`` and newlines always; ASCII ``. ! ?`` only when followed by a space,
  a CJK character or the end of the stream, so "3.14", "example.com/a?b=1" and "e.g." do not split.
  A single ``.`` after a known abbreviation ("Mr.", "Dr.", "vs."), a single capital ("J. K.") or a
  dotted word ("e.g.", "U.S.") is not a sentence end. Closing quotes and brackets after a sentence
  end ("好！”") stay with it.
- Clause marks ``，、；：`` and ASCII ``, ; :`` (the latter only before a space or a CJK character,
  so "1,000" and "14:30" stay whole) split once the clause is ``min_chars`` long.
- The first clause of a stream is cut at any of these marks once it is ``first_min_chars`` long,
  so speech starts quickly; with no mark it is cut at a word boundary after ``first_max_chars``.
- A fragment shorter than ``first_min_chars`` is never emitted alone (except by :meth:`flush`); it
  is merged into the next clause. Text without marks is hard-split after ``max_chars``, at a space
  when there is one (else between characters, avoiding the middle of a Latin word or number).
- Nothing is split inside a ``[...]`` tag (at most 32 characters, no newline); tags stay in the
  text for the brain to handle.

Lengths count non-space characters outside tags. Clauses carry offsets into the whole stream, and every
non-space character of the stream ends up in exactly one clause: the text between clauses is
whitespace only. The result does not depend on how the stream was cut into deltas.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Clause", "ClauseSplitter"]

_TERMINATORS = frozenset("。！？!?．….")
_WIDE_TERMINATORS = frozenset("。！？．…")
_WIDE_CLAUSE = frozenset("，、；：")
_ASCII_CLAUSE = frozenset(",;:")
_CLOSERS = frozenset("”’\"'）)」』】》〉*_`")
_MARKUP = frozenset("*_`")
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "fig", "inc", "ltd", "mt", "approx"}
    | {"jan", "feb", "aug", "sept", "oct", "nov", "dec", "dept", "no", "vol", "ch", "p", "pp"}
)
_MAX_TAG = 32
_MAX_RUN = 16  # longest run of marks looked at as one boundary
_NONE, _CLAUSE, _SENTENCE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of the stream.

    Attributes:
        text: The clause, trimmed of surrounding whitespace.
        start: Offset of ``text[0]`` in the whole stream (all deltas since the last flush/reset).
        end: Offset after the last character; ``stream[start:end] == text``.
        sentence_end: True when the clause ends a sentence (or the stream), False after a clause
            mark or a hard split; TTS can pause longer after a sentence.
    """

    text: str
    start: int
    end: int
    sentence_end: bool


def _breaks_after_ascii(nxt: str) -> bool:
    """Whether ASCII punctuation followed by ``nxt`` can end a clause."""
    return nxt.isspace() or nxt == "[" or ord(nxt) >= 0x2E80


def _markup_open(buf: str, end: int, mark: str) -> bool:
    """Whether ``buf[:end]`` leaves a run of ``mark`` (markdown emphasis or code) unclosed."""
    runs = 0
    previous = ""
    for ch in buf[:end]:
        if ch == mark and previous != mark:
            runs += 1
        previous = ch
    return runs % 2 == 1


def _weight(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def _is_abbreviation(buf: str, dot: int) -> bool:
    k = dot
    while k > 0 and (buf[k - 1].isalpha() or buf[k - 1] == "."):
        k -= 1
    word = buf[k:dot]
    if not word or not word.isascii():
        return False
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper()) or "." in word


class ClauseSplitter:
    """Splits streamed text into speakable clauses (engine loop; one instance per stream).

    Args:
        first_min_chars: The first clause is emitted at the first clause mark past this length;
            also the shortest fragment ever emitted on its own before :meth:`flush`.
        min_chars: Later clauses are cut at clause marks (, ， 、 ...) only once this long;
            sentence ends cut at ``first_min_chars``.
        max_chars: Hard split of text that runs this long without a usable mark.
        first_max_chars: Hard split of the first clause, for a quick start of speech.

    Raises:
        ValueError: a length is not positive, or ``first_min_chars <= min_chars <= max_chars`` and
            ``first_min_chars <= first_max_chars`` do not hold.
    """

    def __init__(
        self,
        first_min_chars: int = 4,
        min_chars: int = 12,
        max_chars: int = 80,
        first_max_chars: int = 24,
    ) -> None:
        if min(first_min_chars, min_chars, max_chars, first_max_chars) < 1:
            raise ValueError("clause lengths must be positive")
        if not first_min_chars <= min_chars <= max_chars or first_min_chars > first_max_chars:
            raise ValueError("need first_min_chars <= min_chars <= max_chars and first_min <= first_max")
        self.first_min_chars = first_min_chars
        self.min_chars = min_chars
        self.max_chars = max_chars
        self.first_max_chars = first_max_chars
        self.reset()

    def reset(self) -> None:
        """Forget everything (barge-in); the next delta starts a new stream at offset 0."""
        self._buf = ""
        self._offset = 0  # stream offset of _buf[0]
        self._pos = 0  # where scanning resumes in _buf
        self._weight = 0  # _weight(_buf[:_pos])
        self._soft = 0  # last boundary in _buf that was too short to emit, 0 if none
        self._tag = -1  # start of an unclosed "[" in _buf, -1 if none
        self._tags: list[tuple[int, int]] = []  # closed tags in _buf
        self._emitted = 0

    def feed(self, delta: str) -> list[Clause]:
        """Add streamed text; return the clauses it completed (possibly none)."""
        if not delta:
            return []
        self._buf += delta
        return self._scan(final=False)

    def flush(self) -> list[Clause]:
        """End the stream: return the remaining clauses, then start over (offsets from 0)."""
        out = self._scan(final=True)
        if self._buf.strip():
            out.append(self._emit(len(self._buf), sentence_end=True))
        self.reset()
        return out

    @property
    def pending(self) -> str:
        """Text received but not yet emitted."""
        return self._buf

    def _limit(self) -> int:
        return self.first_max_chars if self._emitted == 0 else self.max_chars

    def _scan(self, *, final: bool) -> list[Clause]:
        out: list[Clause] = []
        i = self._pos
        while i < len(self._buf):
            ch = self._buf[i]
            if not ch.isspace() and self._weight >= self._limit() and not self._is_mark(ch):
                clause = self._hard_split(i)
                if clause is not None:
                    out.append(clause)
                    i = self._pos
                    continue
            if self._tag >= 0 and (ch == "\n" or i - self._tag > _MAX_TAG):
                self._tag = -1  # not a tag after all; this character is scanned as usual
            if self._tag >= 0:
                self._weight += not ch.isspace()
                if ch == "]":
                    self._tags.append((self._tag, i + 1))
                    self._weight -= _weight(self._buf[self._tag : i + 1])  # tags are not spoken
                    self._tag = -1
                i += 1
                continue
            if ch == "[":
                self._tag = i
                self._weight += 1
                i += 1
                continue
            found = self._boundary_at(i, final=final)
            if found is None:
                break
            end, kind = found
            self._weight += _weight(self._buf[i:end])
            i = end
            if kind == _NONE:
                continue
            first = self._emitted == 0
            needed = self.first_min_chars if kind == _SENTENCE or first else self.min_chars
            if self._weight >= needed:
                out.append(self._emit(end, sentence_end=kind == _SENTENCE))
                i = 0
            else:
                self._soft = end
        self._pos = i
        return out

    @staticmethod
    def _is_mark(ch: str) -> bool:
        return ch in _TERMINATORS or ch in _WIDE_CLAUSE or ch in _ASCII_CLAUSE

    def _boundary_at(self, i: int, *, final: bool) -> tuple[int, int] | None:
        """``(end, kind)`` of the boundary starting at ``i``; ``None`` when more text is needed."""
        buf = self._buf
        n = len(buf)
        ch = buf[i]
        if ch == "\n":
            return i + 1, _SENTENCE
        if ch in _WIDE_CLAUSE:
            return i + 1, _CLAUSE
        if ch in _ASCII_CLAUSE:
            if i + 1 >= n:
                return (i + 1, _CLAUSE) if final else None
            return (i + 1, _CLAUSE if _breaks_after_ascii(buf[i + 1]) else _NONE)
        if ch not in _TERMINATORS:
            return i + 1, _NONE
        j = i
        while j < n and buf[j] in _TERMINATORS and j - i < _MAX_RUN:
            j += 1
        stop = j + _MAX_RUN
        while j < n and buf[j] in _CLOSERS and j < stop:
            if buf[j] in _MARKUP and not _markup_open(buf, i, buf[j]):
                break  # "。**Next**": the stars open the next sentence
            j += 1
        if j >= n and not final:
            return None
        nxt = buf[j] if j < n else " "
        run = buf[i:j]
        if any(c in _WIDE_TERMINATORS for c in run):
            if run == "．" and i > 0 and buf[i - 1].isdigit() and nxt.isdigit():
                return i + 1, _NONE
            return j, _SENTENCE
        if not _breaks_after_ascii(nxt):
            return i + 1, _NONE
        if run.rstrip("".join(_CLOSERS)) == "." and _is_abbreviation(buf, i):
            return j, _NONE
        return j, _SENTENCE

    def _emit(self, end: int, *, sentence_end: bool) -> Clause:
        chunk = self._buf[:end]
        lead = len(chunk) - len(chunk.lstrip())
        text = chunk.strip()
        start = self._offset + lead
        self._buf = self._buf[end:]
        self._offset += end
        self._pos = max(0, self._pos - end)
        self._soft = 0
        self._tag = self._tag - end if self._tag >= end else -1
        self._tags = [(s - end, e - end) for s, e in self._tags if s >= end]
        self._emitted += 1
        # _scan calls this at self._pos == end, so the remainder has not been scanned yet.
        self._weight = 0
        return Clause(text, start, start + len(text), sentence_end)

    def _hard_split(self, i: int) -> Clause | None:
        """Cut the pending text before ``i`` (where it grew too long); ``None`` when impossible."""
        limit = self._limit()
        cut = self._choose_cut(i, limit)
        if cut <= 0 or not self._buf[:cut].strip():
            return None
        self._pos = i
        clause = self._emit(cut, sentence_end=False)
        self._weight = _weight(self._buf[: self._pos]) - sum(
            _weight(self._buf[s:e]) for s, e in self._tags if e <= self._pos
        )
        return clause

    def _choose_cut(self, i: int, limit: int) -> int:
        buf = self._buf
        if self._soft and _weight(buf[: self._soft]) >= limit // 3:
            return self._outside_tags(self._soft)
        low = 0  # the clause keeps at least half the limit
        weight = 0
        while low < i and weight < limit // 2:
            weight += not buf[low].isspace()
            low += 1
        for k in range(i - 1, low - 1, -1):
            if buf[k].isspace() and self._outside_tags(k) == k:
                return k
        cut = i
        k = i
        while k > low and _is_wordish(buf[k - 1]) and _is_wordish(buf[k]):
            k -= 1
        if k > low:
            cut = k
        return self._outside_tags(cut)

    def _outside_tags(self, cut: int) -> int:
        """Move ``cut`` back to the start of a tag it would fall into."""
        for s, e in self._tags:
            if s < cut < e:
                return s
        if 0 <= self._tag < cut:
            return self._tag
        return cut


def _is_wordish(ch: str) -> bool:
    # Latin words, numbers and URLs: any run of printable ASCII
    return "!" <= ch <= "~"
