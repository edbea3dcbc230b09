"""pkuseg's feature keys and the numpy tables :class:`govie.pipeline.segmenter.FastSegmenter` looks them up in."""
from __future__ import annotations



# --- fast decoding behind the same trained weights ---------------------------------------------------
#
# spacy_pkuseg builds ~20 substrings and looks up ~60 feature keys for every character
# (``get_node_features_idx``), then sums the weights of the features found into a row of node scores.
# The features of a position depend on nothing but the normalised characters two to each side
# (character features) and the lexicon words that end at i-1 / i or start at i / i+1 (word features).
# :class:`FastSegmenter` computes them for a whole text at once with numpy, no Python per character:
#
# - a character feature is a sorted array of keys (a code point, or two packed into one integer) looked
#   up with ``np.searchsorted`` for every position;
# - lexicon words are found by walking a trie level by level over all positions at once (the prefixes of
#   length l are numbered; a prefix of length l+1 is that number and one more code point);
# - the words ending (starting) at a position are the suffixes (prefixes) of the longest one, so a
#   position's ``w-1.``/``w1.`` features are a row of a table indexed by that word, and its ``ww.l.``/
#   ``ww.r.`` features depend on the pair of longest words meeting at boundary i (or i+1): they are
#   looked up once per distinct pair in the text;
# - the weights of the features are summed slot by slot in the order ``inference.getLogYY`` adds them
#   (a missing feature adds a row of zeros, and x + 0.0 == x), so the node scores are bit-identical.
#
# ``benchmarks/segmenter_check.py`` (every corpus text) and ``tests/test_segmentation_fast.py`` check
# feature ids, node scores and words against spacy_pkuseg itself.

_PAD, _NUM, _LETTER = "\U000F0000", "\U000F0001", "\U000F0002"
_SENTINELS = (_PAD, _NUM, _LETTER)
_NODE_CHAR = {"**Num": _NUM, "**Letter": _LETTER}
_NO_WORD = "**noWord"
_BITS = 21  # every code point (and sentinel) is below 2**21
_HASH_BASE = 0x9E3779B97F4A7C15  # odd: invertible mod 2**64
_HASH_INV = pow(_HASH_BASE, -1, 1 << 64)
_BLOOM_BITS = 24  # a bitmap of 2**24 bits (2 MiB) of the top bits of the postprocessor words' hashes
#: the character features in the order ``__get_node_features_idx`` tries them, with the offsets of the
#: characters each names (a missing neighbour is padding, which no key matches)
_CHAR_FEATS = (("c.", (0,)), ("c-1.", (-1,)), ("c-1c.", (-1, 0)), ("c1.", (1,)), ("cc1.", (0, 1)),
               ("c-2.", (-2,)), ("c-2c-1.", (-2, -1)), ("c2.", (2,)))


class _Table:
    """Integer keys → values, looked up for a whole array of queries at once (missing → ``missing``)."""

    def __init__(self, keys, vals, missing: int) -> None:
        import numpy as np

        keys, vals = np.asarray(keys, dtype=np.int64), np.asarray(vals, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self.keys = np.append(keys[order], np.iinfo(np.int64).max)  # above every query
        self.vals = np.append(vals[order], missing)
        self.missing = missing

    def __call__(self, q):
        import numpy as np

        pos = np.searchsorted(self.keys, q)
        return np.where(self.keys[pos] == q, self.vals[pos], self.missing)

    def positions(self, q):
        """Index of each query among the keys, -1 where it is not one."""
        import numpy as np

        pos = np.searchsorted(self.keys, q)
        return np.where(self.keys[pos] == q, pos, -1)


def _compact(rows, pad: int):
    """Each row's entries other than ``pad`` moved to its front, in order; and the widest row's count."""
    import numpy as np

    if rows.size == 0:
        return rows[:, :0], 0
    order = np.argsort(rows == pad, axis=1, kind="stable")
    rows = np.take_along_axis(rows, order, axis=1)
    k = int((rows != pad).sum(axis=1).max())
    return rows[:, :k], k


def _first(n: int, r, vals, pad: int):
    """Rows of ``n``: row ``r[i]`` holds ``vals[i]`` (``r`` ascending, a row's values in order), each moved
    to its row's front, padded with ``pad``; and the widest row's count (what :func:`_compact` makes of the
    full rows)."""
    import numpy as np

    rank = np.arange(len(r)) - np.searchsorted(r, r)  # place within the row
    k = int(rank.max()) + 1 if len(r) else 0
    out = np.full((n, k), pad, dtype=np.int64)
    out[r, rank] = vals
    return out, k
