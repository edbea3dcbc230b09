"""The pkuseg segmenter's decoding behind the same trained weights, several times faster
(:class:`FastSegmenter`, :func:`install_fast_cut`); see :mod:`govie.pipeline.pkuseg_features`."""
from __future__ import annotations

import re

from .pkuseg_features import (  # noqa: F401
    _LETTER, _NUM, _PAD, _BITS, _BLOOM_BITS, _CHAR_FEATS, _HASH_BASE, _HASH_INV, _NODE_CHAR, _NO_WORD, _SENTINELS, _Table, _compact, _first, build_tables,
    prefix_hashes)

_NON_SPACE = re.compile(r"\S+")  # \s is str.isspace(), as str.split() splits


class FastSegmenter:
    """Drop-in ``cut`` / ``_cut`` for a ``spacy_pkuseg.pkuseg`` instance (see :func:`install_fast_cut`)."""

    #: positions whose features are computed at once (bounds the memory of the per-position arrays:
    #: ~60 integer columns of this length)
    BLOCK = 16_384
    #: characters :meth:`cut` hands to spacy_pkuseg before it builds its tables: building them (~0.3 s
    #: CPU, and ~0.2 s for the postprocessor's words at first use) costs what spacy_pkuseg takes for
    #: about this much text, so a one-file run of a short report does not pay for it; same words either way
    WARMUP_CHARS = 20_000

    def __init__(self, seg) -> None:
        import numpy as np
        from spacy_pkuseg.config import config

        self.seg = self.loader = None  # spacy_pkuseg's object; what builds it where tables were read (attach)
        installed = getattr(seg.cut, "__self__", None)
        if isinstance(installed, FastSegmenter):  # spacy_pkuseg's own methods, not another fast path's
            self._orig = (installed.orig_cut, installed.orig_underscore_cut)
        else:
            self._orig = (seg.cut, seg._cut)
        self.seg = seg
        fe = self.fe = seg.feature_extractor
        self._weights(seg.model.w, seg.model.n_tag, seg.model.n_feature)
        self.is_b = np.array(["B" in seg.idx_to_tag[t] for t in range(self.n_tag)], dtype=bool)
        self.lengths = list(range(config.wordMax, config.wordMin - 1, -1))
        self.margin = config.wordMax + 2  # context a position's features read on each side
        table = {}
        for c in fe.letter:
            table[ord(c)] = _LETTER
        for c in fe.num:
            table[ord(c)] = _NUM
        for c in fe.keywords:  # renamed before the number/letter test
            table[ord(c)] = "&"
        self.table = table
        # the keys cover every input the feature extractor reads only under these conditions
        self.usable = bool(config.numLetterNorm and config.wordFeature and config.wordMin >= 2
                           and not getattr(seg, "postag", False)
                           and "" not in fe.unigram
                           and not any("*" in w or any(s in w for s in _SENTINELS) for w in fe.unigram))
        self.positions = 0  # characters segmented on the fast path
        self._dict_h = None  # hashes of the postprocessor's words (built at first use) and what they are of
        self._saved_words = self._saved_of = None  # the words as saved with the tables (pkuseg_tables.load_tables)
        self.seen = 0  # characters cut before the tables were built
        self._built = False

    def _weights(self, w, n_tag: int, n_feature: int) -> None:
        import numpy as np

        self.n_tag, self.n_feature = n_tag, n_feature
        self.pad = n_feature  # the feature id of "no feature": a row of zeros
        self.node_w = np.vstack([w[: n_feature * n_tag].reshape(n_feature, n_tag), np.zeros((1, n_tag))])
        edge = np.ones((n_tag, n_tag), dtype=np.float64)  # as inference.getLogYY builds it
        backoff = n_feature * n_tag
        for s in range(n_tag):
            for s_pre in range(n_tag):
                edge[s_pre, s] += w[backoff + s * n_tag + s_pre]
        self.edge = edge

    def attach(self, seg) -> None:
        """Tables read from disk (``pkuseg_tables.load_tables``) meet the spacy_pkuseg object of the same
        files, built when first needed: it gets the preprocessor / postprocessor read with the tables and
        this fast path as its ``cut``."""
        from .pkuseg_words import _of, processors_of

        self.seg, self.fe = seg, seg.feature_extractor
        self._orig = (seg.cut, seg._cut)
        post = self._post
        words = (post.common_words, post.other_words) if post.do_process else (set(), set())
        self._pre, self._post = processors_of(self._pre, post.do_process, *words)
        if self._saved_words is not None and not getattr(post, "replaced", False):
            self._saved_words = (self._post,) + self._saved_words[1:]  # the same words, now in real sets
            self._saved_of = _of(self._post)
        else:
            self._saved_words = None
        seg.preprocesser, seg.postprocesser = self._pre, self._post
        seg.cut = self.cut

    def _pkuseg(self):
        if self.seg is None and self.loader is not None:
            self.loader()  # calls attach
        return self.seg

    @property
    def orig_cut(self):
        """spacy_pkuseg's own ``cut``."""
        self._pkuseg()
        return self._orig[0]

    @property
    def orig_underscore_cut(self):
        self._pkuseg()
        return self._orig[1]

    def _processors(self):
        """The preprocessor (user dictionary) and postprocessor the words go through."""
        if self.seg is None:
            return self._pre, self._post
        return self.seg.preprocesser, self.seg.postprocesser

    def _prepare(self) -> None:
        if not self._built:
            self._build_tables()
            self._built = True

    def _build_tables(self) -> None:
        build_tables(self)

    def _singles(self) -> None:
        import numpy as np

        chars = np.unique(np.concatenate([t.keys[:-1] for t, offs in self.char_tables if len(offs) == 1]))
        dense = np.zeros(0x110000, dtype=np.uint16)  # 0: none of them
        dense[chars] = np.arange(1, len(chars) + 1)
        self.char_dense = dense
        self.char_single = {j: np.append(self.pad, t(chars)) for j, (t, offs) in enumerate(self.char_tables)
                            if len(offs) == 1}

    def _derive(self) -> None:
        """Lookups derived from the tables: the pair features and the trie's first level in one sorted key
        array (one binary search per character pair for all of them), and which words can begin / end a
        ``ww.`` key (most boundaries' word pairs need no lookup)."""
        import numpy as np

        none = self.n_words
        pairs = [t for t, offs in self.char_tables if len(offs) == 2]
        level2 = self.levels[0][0] if self.levels else _Table([], [], -1)
        keys = np.unique(np.concatenate([t.keys[:-1] for t in pairs + [level2]]))
        self.pair_keys = np.append(keys, np.iinfo(np.int64).max)
        self.pair_vals = [np.append(t(keys), t.missing) for t in pairs + [level2]]  # [-1]: the trie's ids
        self.ww_ends = []
        for t in self.ww_tables:
            k = t.keys[:-1]
            pre_ok = np.zeros(none + 1, dtype=bool)
            post_ok = np.zeros(none + 1, dtype=bool)
            pre_ok[k // (none + 1)] = True
            post_ok[k % (none + 1)] = True
            self.ww_ends.append((pre_ok, post_ok))

    # -- features ---------------------------------------------------------------------------------
    def _columns(self, c, lo: int, hi: int) -> list:
        """Feature ids of positions ``lo .. hi-1`` of the code points ``c`` (padded, at least
        ``self.margin`` on each side), one array per slot in the order ``__get_node_features_idx``
        lists them; ``self.pad`` where a slot has no feature."""
        import numpy as np

        n, m, none, pad = hi - lo, len(c), self.n_words, self.pad
        pc = (c[:-1] << _BITS) | c[1:]  # pc[j]: the characters j and j+1
        at = np.searchsorted(self.pair_keys, pc)
        at[self.pair_keys[at] != pc] = len(self.pair_keys) - 1  # the missing value's column
        cols = [np.zeros(n, dtype=np.int64)]  # "$$", feature 0, always first
        ci = self.char_dense[c]
        pair_vals = iter(self.pair_vals)
        for j, (table, offs) in enumerate(self.char_tables):
            if len(offs) == 1:
                cols.append(self.char_single[j][ci[lo + offs[0]:hi + offs[0]]])
            else:
                cols.append(next(pair_vals)[at[lo + offs[0]:hi + offs[0]]])
        # the longest lexicon word starting / ending at each position of c
        start = np.full(m, none, dtype=np.int64)
        end = np.full(m, none, dtype=np.int64)
        cand = np.arange(m - 1)
        ids = self.pair_vals[-1][at]  # the trie's first level
        for ln, (level, word_of) in enumerate(self.levels, start=2):
            if ln > 2:
                ids = level.positions((ids << _BITS) | c[cand + ln - 1])
            hit = ids >= 0
            cand, ids = cand[hit], ids[hit]
            if not len(cand):
                break
            wid = word_of[ids]
            isw = wid >= 0
            if isw.any():
                s = cand[isw]
                start[s] = wid[isw]  # longer words come later and overwrite
                end[s + ln - 1] = wid[isw]
            more = cand + ln < m
            cand, ids = cand[more], ids[more]
        for tab, at in ((self.w_end, end[lo:hi]), (self.w_start, start[lo:hi])):  # w-1., then w1.
            g = tab[at]
            cols.extend(g[:, j] for j in range(g.shape[1]))
        # ww.l. of i and ww.r. of i-1 read the words meeting at boundary i (ending at i-1, starting at i)
        bound = end[lo - 1:hi] * (none + 1) + start[lo:hi + 1]
        uniq, inv = np.unique(bound, return_inverse=True)
        pre, post = self.suff[uniq // (none + 1)], self.pref[uniq % (none + 1)]
        pairs = (pre[:, :, None] * (none + 1) + post[:, None, :]).reshape(len(uniq), -1)
        inv = inv.reshape(-1)
        for table, (pre_ok, post_ok), at in zip(self.ww_tables, self.ww_ends, (inv[:-1], inv[1:])):
            r, j = np.nonzero((pre_ok[pre][:, :, None] & post_ok[post][:, None, :]).reshape(pairs.shape))
            found = table(pairs[r, j])  # (row major: a row's keys in slot order)
            rows, k = _first(len(pairs), r[found != pad], found[found != pad], pad)
            if k:
                g = rows[at]
                cols.extend(g[:, j] for j in range(k))
        return cols

    def _blocks(self, pieces: list[str]):
        """(code points of the pieces normalised and padded, offset of each piece in them)."""
        import numpy as np

        mg = self.margin
        joined = _PAD * mg + (_PAD * 2).join(p.translate(self.table) for p in pieces) + _PAD * mg
        c = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        starts, at = [], mg
        for p in pieces:
            starts.append(at)
            at += len(p) + 2
        return c, starts

    def _sum(self, cols, n: int):
        import numpy as np

        node_w = self.node_w
        acc = np.zeros((n, self.n_tag), dtype=np.float64)
        row = np.empty((n, self.n_tag), dtype=np.float64)
        for col in cols:  # one slot after the other, as getLogYY adds them (a missing one adds zeros)
            np.take(node_w, col, axis=0, out=row)
            acc += row
        return acc

    def _all_scores(self, c):
        """Node scores of every position of ``c`` between the margins, block by block."""
        import numpy as np

        mg, total = self.margin, len(c) - 2 * self.margin
        y = np.empty((total, self.n_tag), dtype=np.float64)
        for a in range(0, total, self.BLOCK):
            b = min(total, a + self.BLOCK)
            ctx = c[a:b + 2 * mg]  # positions a .. b-1 of y are mg .. mg+(b-a)-1 of ctx
            y[a:b] = self._sum(self._columns(ctx, mg, mg + b - a), b - a)
        return y

    def features(self, text: str) -> list[list[int]]:
        """Feature ids per character of ``text``, as ``FeatureExtractor.get_node_features_idx`` lists them."""
        import numpy as np

        if not text:
            return []
        self._prepare()
        c, _ = self._blocks([text])
        mg = self.margin
        mat = np.stack(self._columns(c, mg, mg + len(text)), axis=1)
        return [[f for f in row if f != self.pad] for row in mat.tolist()]

    def scores(self, text: str):
        """Node scores ``Y`` (characters × tags) of ``text``, as ``inference.getLogYY`` computes them:
        ``Y[i, s]`` is ``w[f * n_tag + s]`` summed over the features ``f`` of ``i`` in order, one after
        the other (numpy's reductions sum in another order, and the last bit would differ)."""
        self._prepare()
        c, _ = self._blocks([text])
        return self._all_scores(c)

    # -- decoding ---------------------------------------------------------------------------------
    def _bounds(self, pieces: list[str]):
        """Word boundaries of the (non-empty) pieces: offsets into ``"".join(pieces)`` of every word's start
        and of the end, and the piece of each word. Features and scores of all pieces at once, one Viterbi
        per piece (``run_viterbi`` itself, on bit-identical scores)."""
        import numpy as np

        from .pkuseg_words import import_spacy_pkuseg

        import_spacy_pkuseg()
        from spacy_pkuseg.inference import run_viterbi

        self._prepare()
        c, starts = self._blocks(pieces)
        y = self._all_scores(c)
        mg, is_b, edge = self.margin, self.is_b, self.edge
        lens = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        off = np.cumsum(lens) - lens
        at = int(lens.sum())
        starts_mask = np.zeros(at, dtype=bool)
        for s, o, n in zip(starts, off.tolist(), lens.tolist()):
            if n > 1:  # (one character is one word, whatever its tag)
                _, tags = run_viterbi(y[s - mg:s - mg + n], edge)
                starts_mask[o:o + n] = is_b[tags]
        starts_mask[off] = True  # a piece's first character starts a word, whatever its tag
        bnd = np.append(np.flatnonzero(starts_mask), at)
        pid = np.repeat(np.arange(len(pieces)), np.add.reduceat(starts_mask, off))
        self.positions += int(at)
        return bnd, pid

    def _post_process(self, text: str, bnd, pid, dicts):
        """``Postprocesser.post_process(words, check_seperated=True)`` of every piece at once.

        For m = 7 .. 2 spacy_pkuseg scans the windows of m words left to right and merges a window when
        its text is a common word, or an "other" word whose words are not all dictionary words; after a
        merge at i it goes on at the window after the merged word, so within one m the merges are the
        leftmost non-overlapping windows that qualify in the words as they were before that m. Here the
        windows' texts are hashed with numpy and only those whose hash is a dictionary word's are checked,
        exactly, in Python (~1.4% of the windows of report text)."""
        import numpy as np

        hashes, bits, common, other = dicts
        if not len(hashes):
            return bnd, pid
        g, inv = prefix_hashes(text)
        for m in range(7, 1, -1):
            k = np.arange(len(bnd) - m)  # windows of words k .. k+m-1
            if not len(k):
                continue
            k = k[pid[k] == pid[k + m - 1]]
            a, b = bnd[k], bnd[k + m]
            h = (g[b] - g[a]) * inv[a]
            top = h >> np.uint64(64 - _BLOOM_BITS)  # a bitmap of the words' hashes rules out most windows
            maybe = np.flatnonzero((bits[top >> np.uint64(3)] >> (top & np.uint64(7)).astype(np.uint8)) & 1)
            k, h = k[maybe], h[maybe]
            pos = np.searchsorted(hashes, h)
            hit = k[hashes[np.minimum(pos, len(hashes) - 1)] == h]
            if not len(hit):
                continue
            drop = []
            nxt = -1
            e = bnd.tolist()  # (a list's items are cheaper to read one by one)
            for i in hit.tolist():
                if i < nxt:
                    continue  # inside the window merged last
                merged = text[e[i]:e[i + m]]
                if merged in common:
                    do_seg = True
                elif merged in other:
                    do_seg = not all((w in common) or (w in other)
                                     for w in (text[e[j]:e[j + 1]] for j in range(i, i + m)))
                else:
                    do_seg = False
                if do_seg:
                    drop.extend(range(i + 1, i + m))
                    nxt = i + m
            if drop:
                bnd = np.delete(bnd, drop)
                pid = np.delete(pid, drop)
        return bnd, pid

    def _dict_hashes(self):
        """Sorted hashes of the postprocessor's words and a bitmap of their top bits (built at first use),
        and the two word sets; None if a word has a newline in it."""
        import numpy as np

        from .pkuseg_words import _of

        post = self._processors()[1]
        saved = self._saved_words
        if saved is not None:
            owner, h, bits, words = saved
            same = self._saved_of is None or self._saved_of == _of(post)  # (a stand-in: not replaced)
            if post is owner and not getattr(post, "replaced", False) and same:
                return h, bits, words.common, words.other
            self._saved_words = None  # the words were replaced: hash them as they are now
        common, other = post.common_words, post.other_words
        of = _of(post)
        if self._dict_h is None or self._dict_h[0] != of:
            joined = "\n".join(other) + "\n" + "\n".join(common)  # words have no newline
            g, inv = prefix_hashes(joined)
            nl = np.flatnonzero(np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) == 10)
            if len(nl) > len(common) + len(other):  # a word with a newline in it: cut() falls back
                self._dict_h = (of, None, None)
                return None
            at = np.append(0, nl + 1)  # word k is joined[at[k]:ends[k]]
            ends = np.append(nl, len(joined))
            h = np.sort((g[ends] - g[at]) * inv[at])  # (duplicates, and "" for an empty set, do no harm)
            top = h >> np.uint64(64 - _BLOOM_BITS)
            bits = np.zeros(1 << (_BLOOM_BITS - 3), dtype=np.uint8)
            np.bitwise_or.at(bits, top >> np.uint64(3), (1 << (top & np.uint64(7))).astype(np.uint8))
            self._dict_h = (of, h, bits)
        if self._dict_h[1] is None:
            return None
        return self._dict_h[1], self._dict_h[2], common, other

    def cut_pieces(self, pieces: list[str]) -> list[list[str]]:
        """``_cut`` of each (non-empty) piece, without the postprocessor."""
        if not pieces:
            return []
        text = "".join(pieces)
        bnd, pid = self._bounds(pieces)
        return self._split(text, bnd, pid, len(pieces))

    @staticmethod
    def _split(text: str, bnd, pid, n: int) -> list[list[str]]:
        import numpy as np

        edges = bnd.tolist()
        words = [text[a:b] for a, b in zip(edges, edges[1:])]
        counts = np.bincount(pid, minlength=n).tolist()
        out, at = [], 0
        for k in counts:
            out.append(words[at:at + k])
            at += k
        return out

    def _cut(self, text: str) -> list[str]:
        if not self.usable or not text or any(s in text for s in _SENTINELS):
            return self.orig_underscore_cut(text)
        return self.cut_pieces([text])[0]

    def spans(self, txt: str):
        """Start and end offsets in ``txt`` of the words :meth:`cut` returns (two int64 arrays, in order), or
        None where ``cut`` hands the text to spacy_pkuseg (``self.orig_cut(txt)`` gives the words then)."""
        import numpy as np

        if not self.usable or any(s in txt for s in _SENTINELS):
            return None
        if not self._built and self.seen + len(txt) < self.WARMUP_CHARS:
            self.seen += len(txt)
            return None
        pre, post = self._processors()
        dicts = self._dict_hashes() if post.do_process else None
        if post.do_process and dicts is None:
            return None
        chunks = list(_NON_SPACE.finditer(txt))  # the pieces of txt.split(), with their offsets
        user: list[tuple[int, int]] = []  # the user dictionary's words, kept whole
        if not getattr(getattr(pre, "trie", None), "children", True):  # no user words: solve finds nothing
            pieces, at = [m.group() for m in chunks], [m.start() for m in chunks]
        else:
            pieces, at = [], []
            for m in chunks:
                a = m.start()
                lst, isword, _ = pre.solve(m.group())
                for w, isw in zip(lst, isword):
                    if isw:
                        user.append((a, a + len(w)))
                    else:
                        pieces.append(w)
                        at.append(a)
                    a += len(w)
        starts = ends = np.zeros(0, dtype=np.int64)
        if pieces:
            bnd, pid = self._bounds(pieces)
            if dicts is not None:
                bnd, pid = self._post_process("".join(pieces), bnd, pid, dicts)
            lens = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
            shift = (np.asarray(at, dtype=np.int64) - (np.cumsum(lens) - lens))[pid]  # joined -> txt offsets
            starts, ends = bnd[:-1] + shift, bnd[1:] + shift
        if user:
            u = np.array(user, dtype=np.int64)
            starts, ends = np.concatenate([starts, u[:, 0]]), np.concatenate([ends, u[:, 1]])
            order = np.argsort(starts, kind="stable")
            starts, ends = starts[order], ends[order]
        return starts, ends

    def cut(self, txt: str) -> list[str]:
        """``pkuseg.cut``: whitespace-separated pieces, the user dictionary's words, the rest segmented and
        post-processed."""
        found = self.spans(txt)
        if found is None:
            return self.orig_cut(txt)
        return [txt[a:b] for a, b in zip(found[0].tolist(), found[1].tolist())]


def install_fast_cut(seg) -> None:
    """Give a ``spacy_pkuseg.pkuseg`` instance the fast path (idempotent). Only ``cut`` is replaced:
    spacy_pkuseg's own ``cut`` (the fallback) calls ``self._cut``, which stays spacy_pkuseg's."""
    if seg is not None and not isinstance(getattr(seg.cut, "__self__", None), FastSegmenter):
        seg.cut = FastSegmenter(seg).cut
