"""The character-level features of the relation featurizer (:mod:`.relation_model`): hashed character
pairs, the text around a METRIC, and counts of digits, punctuation and keywords between two spans,
each computed once per text (cumulative counts, one scan for all keywords) or once per METRIC text.
"""
from __future__ import annotations

import re
import zlib
from functools import lru_cache
from typing import Optional, Sequence

import numpy as np

HASH_BINS = 64
_PUNCT = ["，,", "。", "；;", "、", "：:", "\n", "（(", "）)", "|｜\t"]
_KEYWORDS = ["其中", "分别", "共", "包括", "均", "为", "达", "合计", "总计", "累计", "含", "占"]
_GAP_BUCKETS = (0, 1, 2, 4, 8, 16, 32, 64, 128, 256)
_DIGIT_AHEAD = re.compile(r"\s*[0-9]")


def _bucket(x: int, edges: Sequence[int]) -> list[float]:
    out = [0.0] * (len(edges) + 1)
    i = 0
    while i < len(edges) and x >= edges[i]:
        i += 1
    out[i] = 1.0
    return out


@lru_cache(maxsize=1 << 16)
def _hash(s: str, salt: str) -> int:
    return zlib.crc32((salt + s).encode("utf-8")) % HASH_BINS


#: the characters counted between two spans (besides digits): newlines, clause punctuation, full
#: stops, then each group of _PUNCT
_COUNTED = ["\n", "，,。；;\n", "。", *_PUNCT]
#: where each keyword starts (a lookahead: every start; no keyword is a prefix of another or overlaps
#: itself, so these are the starts ``re.finditer`` finds for each keyword alone)
_KEYWORD_AHEAD = re.compile("(?=(" + "|".join(map(re.escape, _KEYWORDS)) + "))")


@lru_cache(maxsize=1)
def _char_classes() -> np.ndarray:
    """One bit per group for each code point of the Basic Multilingual Plane: bit 0 a digit
    (``str.isdigit``), bit ``j`` a character of ``_COUNTED[j - 1]`` (made once, on first use)."""
    table = np.zeros(0x10000, dtype=np.uint16)
    table[[i for i in range(0x10000) if chr(i).isdigit()]] |= 1
    for j, chars in enumerate(_COUNTED, 1):
        table[[ord(ch) for ch in chars]] |= 1 << j
    return table


def _char_counts(text: str) -> np.ndarray:
    """Cumulative counts (``len(text) + 1`` rows) of the digits (``str.isdigit``) and of the characters
    of each group of ``_COUNTED`` (a column each) before each position of ``text``."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    bits = _char_classes()[np.minimum(codes, 0xFFFF)]
    astral = np.flatnonzero(codes > 0xFFFF)  # beyond the table: digits only (the groups are all BMP)
    if len(astral):
        bits[astral] = [chr(c).isdigit() for c in codes[astral].tolist()]
    counts = np.zeros((1 + len(_COUNTED), len(codes) + 1), dtype=np.int64)
    for j in range(len(counts)):
        np.cumsum((bits >> j) & 1, dtype=np.int64, out=counts[j, 1:])
    return counts.T


def _keyword_starts(text: str) -> dict[str, np.ndarray]:
    """The start positions of each of ``_KEYWORDS`` in ``text`` (one pass for all)."""
    found: dict[str, list[int]] = {k: [] for k in _KEYWORDS}
    for m in _KEYWORD_AHEAD.finditer(text):
        found[m.group(1)].append(m.start())
    return {k: np.asarray(v, dtype=np.int64) for k, v in found.items()}


@lru_cache(maxsize=1 << 14)
def _tail_features(mtext: str, ahead: str) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """The dense values and hashed columns of a tail span of text ``mtext`` followed by ``ahead`` (the
    next three characters): a pure function of the two, so the same METRIC is read once."""
    after_m = ahead[:1]
    v = [float(after_m.isdigit()), float(after_m.isspace() or after_m == ""), min(len(mtext), 20) / 20,
         float(bool(_DIGIT_AHEAD.match(ahead)))] + _bucket(len(mtext), (2, 4, 7, 11))
    idx = [_hash(mtext[i:i + 2], "m") for i in range(len(mtext) - 1)]
    idx.append(_hash(mtext[-2:], "mend"))
    idx.append(3 * HASH_BINS + _hash(ahead[:2], "am"))
    return tuple(v), tuple(idx)


def _contains(text: str, word: str, a: np.ndarray, b: np.ndarray, starts: Optional[np.ndarray] = None) -> np.ndarray:
    """For each range ``[a, b)`` of ``text``: does ``word`` occur inside it? ``starts``: where ``word``
    starts in ``text`` (sorted; found here when None)."""
    if starts is None:
        starts = np.asarray([m.start() for m in re.finditer(re.escape(word), text)], dtype=np.int64)
    if not len(starts):
        return np.zeros(len(a), dtype=bool)
    last = b - len(word)  # the last start position that fits
    return (np.searchsorted(starts, last, side="right") - np.searchsorted(starts, a)) > 0
