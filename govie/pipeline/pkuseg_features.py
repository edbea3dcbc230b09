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


def build_tables(fast) -> None:
    """The tables of a :class:`FastSegmenter`, from its spacy_pkuseg object's feature dictionary."""
    import numpy as np

    f2i, pad, lengths = fast.fe.feature_to_idx, fast.pad, fast.lengths
    lo_s, hi_s = min(map(ord, _SENTINELS)), max(map(ord, _SENTINELS))
    # lexicon words the word features can name, numbered; NONE (== their count) stands for no word
    words = sorted(w for w in fast.fe.unigram if min(lengths) <= len(w) <= max(lengths))
    widx = {w: k for k, w in enumerate(words)}
    none = fast.n_words = len(words)
    # the feature keys as one array of code points (one pass in Python would take ~1 s)
    keys = list(f2i)
    ids = np.fromiter(f2i.values(), dtype=np.int64, count=len(keys))
    lens = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    buf = np.frombuffer("".join(keys).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    buf = np.append(buf, np.zeros(16, dtype=np.int64))  # reads past the last key see zeros
    at = np.cumsum(lens) - lens
    char_tables = []
    for name, offs in _CHAR_FEATS:
        # keys of single characters: NAME + X (+ "." + Y); keys naming **Num / **Letter below
        ln = len(name) + 2 * len(offs) - 1
        sel = lens == ln
        for j, ch in enumerate(name):
            sel &= buf[at + j] == ord(ch)
        codes = [buf[at + len(name)]] + ([buf[at + len(name) + 2]] if len(offs) == 2 else [])
        if len(offs) == 2:
            sel &= buf[at + len(name) + 1] == ord(".")
        for x in codes:  # a literal sentinel: never a node of a text taken here
            sel &= (x < lo_s) | (x > hi_s)
        k = codes[0] << _BITS | codes[1] if len(offs) == 2 else codes[0]
        char_tables.append([k[sel], ids[sel]])
    ww = {"ww.l.": ([], []), "ww.r.": ([], [])}
    # the keys with a "*" in them: ww. keys, and character keys naming **Num / **Letter
    starred = np.searchsorted(at, np.flatnonzero(buf == ord("*")), side="right") - 1  # ascending
    starred = starred[np.append(True, starred[1:] != starred[:-1])]
    idv = ids.tolist()
    by_name = {name: j for j, (name, _) in enumerate(_CHAR_FEATS)}
    extra: list = [([], []) for _ in _CHAR_FEATS]
    for i in starred.tolist():
        key = keys[i]
        if key.startswith(("ww.l.", "ww.r.")):
            rest = key[5:]
            if rest.startswith(_NO_WORD + "*"):
                pre, post = _NO_WORD, rest[len(_NO_WORD) + 1:]
            else:
                pre, _, post = rest.partition("*")
            a = none if pre == _NO_WORD else widx.get(pre)
            b = none if post == _NO_WORD else widx.get(post)
            if a is not None and b is not None:
                ww[key[:5]][0].append(a * (none + 1) + b)
                ww[key[:5]][1].append(idv[i])
            continue
        head, dot, rest = key.partition(".")
        j = by_name.get(head + dot)
        if j is None or "*" not in rest:
            continue
        parts = rest.split(".")
        if len(parts) != len(_CHAR_FEATS[j][1]):
            continue
        nodes = [_NODE_CHAR.get(x, x) for x in parts]
        if any(len(x) != 1 for x in nodes):
            continue
        extra[j][0].append(ord(nodes[0]) << _BITS | ord(nodes[1]) if len(nodes) == 2 else ord(nodes[0]))
        extra[j][1].append(idv[i])
    fast.char_tables = [(_Table(np.append(k, ek), np.append(v, ev), pad), offs)
                        for (k, v), (ek, ev), (_, offs) in zip(char_tables, extra, _CHAR_FEATS)]
    # the features of one character: a dense map code point -> a small number, and per feature an
    # array indexed by it (a gather instead of a binary search; 2 bytes per code point)
    fast._singles()
    fast.ww_tables = [_Table(*ww["ww.l."], pad), _Table(*ww["ww.r."], pad)]
    # a trie over the words' code points, one level per length: a prefix of length 2 is its two code
    # points packed; of length l > 2, the number of its first l-1 characters' prefix and one code point
    fast.levels = []
    prev: dict[str, int] = {}
    for ln in range(2, max(lengths) + 1):
        codes = {}
        for w in words:
            if len(w) >= ln:
                p = w[:ln]
                codes[p] = (ord(p[0]) << _BITS | ord(p[1])) if ln == 2 else (prev[p[:-1]] << _BITS | ord(p[-1]))
        items = sorted(codes.items(), key=lambda kv: kv[1])
        prev = {p: i for i, (p, _) in enumerate(items)}
        fast.levels.append((_Table([k for _, k in items], range(len(items)), -1),
                            np.array([widx.get(p, -1) for p, _ in items], dtype=np.int64)))
    # per word (and NONE): its suffixes / prefixes of each length (wordMax .. wordMin) that are words
    # (the words ending / starting at the same place), and the w-1. / w1. features they give
    suff = np.full((none + 1, len(lengths)), none, dtype=np.int64)
    pref = np.full((none + 1, len(lengths)), none, dtype=np.int64)
    w_end = np.full((none + 1, len(lengths)), pad, dtype=np.int64)
    w_start = np.full((none + 1, len(lengths)), pad, dtype=np.int64)
    for k, w in enumerate(words):
        for j, ln in enumerate(lengths):
            if ln <= len(w):
                s, p = w[len(w) - ln:], w[:ln]
                if s in widx:
                    suff[k, j] = widx[s]
                    w_end[k, j] = f2i.get("w-1." + s, pad)
                if p in widx:
                    pref[k, j] = widx[p]
                    w_start[k, j] = f2i.get("w1." + p, pad)
    fast.suff, fast.pref = suff, pref
    fast.w_end, _ = _compact(w_end, pad)
    fast.w_start, _ = _compact(w_start, pad)
    fast._derive()


def prefix_hashes(text: str):
    """``g``, ``inv`` such that ``(g[b] - g[a]) * inv[a]`` (mod 2**64) is a polynomial hash of
    ``text[a:b]`` that does not depend on ``a``."""
    import numpy as np

    c = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    n = len(c)
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(n + 1, _HASH_BASE, dtype=np.uint64))
        powers[1:] = powers[:-1]
        powers[0] = 1
        inv = np.cumprod(np.full(n + 1, _HASH_INV, dtype=np.uint64))
        inv[1:] = inv[:-1]
        inv[0] = 1
        g = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(c * powers[:n], out=g[1:])
    return g, inv
