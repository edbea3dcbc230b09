"""Silver word segmentation for training govie's own pkuseg model.

Pretrained pkuseg models cannot be downloaded here, so govie trains one on report text
segmented by forward maximum matching against spacy-pkuseg's bundled word list plus
domain terms, with numbers kept whole (``2543.19``, ``1.03万``) and, for annotated
training documents, every gold entity boundary forced to be a word boundary.
"""
from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

#: domain terms the general word list lacks (information-disclosure vocabulary)
DOMAIN_TERMS = """
政府信息 政务公开 主动公开 依申请公开 信息公开 公开申请 政府网站 政务微博 政务微信 政务新媒体 政府公报 新闻发布会
在线访谈 政策解读 回应解读 规范性文件 行政规范性文件 行政许可 行政处罚 行政强制 行政事业性收费 政府集中采购 行政复议
行政诉讼 结果维持 结果纠正 其他结果 尚未审结 未经复议 直接起诉 复议后起诉 本年新收 上年结转 结转下年度 办理结果 予以公开
部分公开 不予公开 无法提供 不予处理 其他处理 自然人 法人 其他组织 商业企业 科研机构 社会公益组织 法律服务机构 总计 合计
申请人 收到申请 申请数 办结数 答复数 当面申请 传真申请 网络申请 信函申请 按时办结 延期办结 已主动公开 同意公开 不同意公开
国家秘密 商业秘密 个人隐私 第三方 内部事务 过程性信息 行政执法案卷 行政查询 信访 举报投诉 重复申请 公开出版物 收费 减免
工作人员 专职人员 兼职人员 专项经费 培训班 工作会议 专题会议 年度报告 统计数 历年累计 本年制发 本年废止 现行有效 件数
人次 场次 件次 个百分点 百分点 工作日 万元 亿元
""".split()
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_TOKEN = re.compile(r"[-－]?[0-9０-９]+(?:[.．,][0-9０-９]+)*(?:[万萬亿億])?[%％]?|[\u3400-\u9fff]+|[A-Za-z]+|\S")
_SENT_END = re.compile(r"(?<=[。！？!?；;])|\n+")
MAX_WORD = 8


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    import spacy_pkuseg

    path = Path(spacy_pkuseg.__file__).parent / "dicts" / "default.pkl"
    with open(path, "rb") as f:
        words = pickle.load(f)
    words = words.split("\n") if isinstance(words, str) else list(words)
    return frozenset(w for w in words if 1 < len(w) <= MAX_WORD and _CJK_RUN.fullmatch(w)) | frozenset(DOMAIN_TERMS)


def max_match(run: str, words: frozenset[str]) -> list[str]:
    """Forward maximum matching of a run of CJK characters."""
    out = []
    i = 0
    while i < len(run):
        for n in range(min(MAX_WORD, len(run) - i), 0, -1):
            if n == 1 or run[i:i + n] in words:
                out.append(run[i:i + n])
                i += n
                break
    return out


def segment(text: str, bounds: Sequence[int] = (), words: Optional[frozenset[str]] = None) -> list[str]:
    """Words of ``text`` (whitespace dropped), with a boundary at every offset in ``bounds``."""
    words = words or lexicon()
    cuts = sorted(set(b for b in bounds if 0 < b < len(text)) | {0, len(text)})
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        for m in _TOKEN.finditer(text, a, b):
            tok = m.group()
            if _CJK_RUN.fullmatch(tok):
                out.extend(max_match(tok, words))
            else:
                out.append(tok)
    return out


def sentences(text: str, bounds: Sequence[int] = ()) -> Iterator[str]:
    """Segmented sentences (one line each, words joined by spaces) for ``spacy_pkuseg.train``."""
    start = 0
    for m in list(_SENT_END.finditer(text)) + [None]:
        end = len(text) if m is None else m.end()
        if m is not None and m.start() == m.end() and end == start:
            continue
        piece_bounds = [b - start for b in bounds if start < b < end]
        words = segment(text[start:end], piece_bounds)
        if words:
            yield " ".join(words)
        start = end


def write_training_file(items: Iterable[tuple[str, Sequence[int]]], path: Path) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for text, bounds in items:
            for line in sentences(text, bounds):
                f.write(line + "\n")
                n += 1
    return n


def train_pkuseg(train_file: Path, test_file: Path, out_dir: Path, iterations: int = 10) -> Path:
    """Train a pkuseg model in a subprocess (``spacy_pkuseg.config`` is a global singleton)."""
    # the subprocess runs inside out_dir (pkuseg writes scratch files to its cwd): absolute paths
    train_file, test_file, out_dir = Path(train_file).resolve(), Path(test_file).resolve(), Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    # pkuseg's optimiser shuffles with the unseeded ``random`` module: seeded here, or two builds of
    # the same corpus give different weights
    code = ("import random,numpy,spacy_pkuseg,sys; random.seed(0); numpy.random.seed(0); "
            "spacy_pkuseg.train(sys.argv[1], sys.argv[2], sys.argv[3], train_iter=int(sys.argv[4]))")
    env = dict(os.environ, PYTHONHASHSEED="0")
    subprocess.run([sys.executable, "-c", code, str(train_file), str(test_file), str(out_dir), str(iterations)],
                   check=True, env=env, cwd=str(out_dir), stdout=subprocess.DEVNULL)
    return out_dir


# --- fast decoding behind the same trained weights ---------------------------------------------------
#
# spacy_pkuseg builds ~20 substrings and looks up ~60 feature keys for every character
# (``get_node_features_idx``), then sums the weights of the features found into a row of node scores.
# The features of a position depend on nothing but the normalised characters two to each side
# (character features) and the lexicon words that end at i-1 / i or start at i / i+1 (word features).
# :class:`FastSegmenter` finds each lexicon word once, reads the character features from dictionaries
# keyed by characters, caches both kinds of feature lists by what they depend on (bounded), and sums the
# weights in the order ``inference.getLogYY`` does: the Viterbi decoder gets bit-identical scores and
# returns the same tags. ``benchmarks/segmenter_check.py`` (every corpus text) and
# ``tests/test_segmentation_fast.py`` check it against spacy_pkuseg itself.

_PAD, _NUM, _LETTER = "\U000F0000", "\U000F0001", "\U000F0002"
_SENTINELS = (_PAD, _NUM, _LETTER)
_NODE_CHAR = {"**Num": _NUM, "**Letter": _LETTER}


class FastSegmenter:
    """Drop-in ``cut`` / ``_cut`` for a ``spacy_pkuseg.pkuseg`` instance (see :func:`install_fast_cut`)."""

    #: entries of each cache before the caches are emptied (a few hundred bytes each)
    MAX_KEYS = 200_000
    #: positions whose features are gathered at once in :meth:`scores` (bounds its arrays' memory)
    BLOCK = 4096

    def __init__(self, seg) -> None:
        import numpy as np
        from spacy_pkuseg.config import config

        self.seg = seg
        self.orig_cut, self.orig_underscore_cut = seg.cut, seg._cut
        fe = seg.feature_extractor
        self.fe = fe
        self.n_tag = seg.model.n_tag
        self.n_feature = seg.model.n_feature
        w = seg.model.w
        node_w = w[: self.n_feature * self.n_tag].reshape(self.n_feature, self.n_tag)
        self.node_w = np.vstack([node_w, np.zeros((1, self.n_tag))])  # + a row of zeros for padding
        edge = np.ones((self.n_tag, self.n_tag), dtype=np.float64)  # as inference.getLogYY builds it
        backoff = self.n_feature * self.n_tag
        for s in range(self.n_tag):
            for s_pre in range(self.n_tag):
                edge[s_pre, s] += w[backoff + s * self.n_tag + s_pre]
        self.edge = edge
        self.is_b = np.array(["B" in seg.idx_to_tag[t] for t in range(self.n_tag)], dtype=bool)
        self.lengths = list(range(config.wordMax, config.wordMin - 1, -1))
        self.unigram = fe.unigram
        self.prefixes = {word[:k] for word in fe.unigram for k in range(2, len(word) + 1)}
        table = {}
        for c in fe.letter:
            table[ord(c)] = _LETTER
        for c in fe.num:
            table[ord(c)] = _NUM
        for c in fe.keywords:  # renamed before the number/letter test
            table[ord(c)] = "&"
        self.table = table
        # character features by the (one or two) normalised characters they name
        self.char_feats: dict[str, dict[str, int]] = {k: {} for k in
                                                     ("c.", "c-1.", "c1.", "c-2.", "c2.", "c-1c.", "cc1.", "c-2c-1.")}
        for key, idx in fe.feature_to_idx.items():
            head, dot, rest = key.partition(".")
            head += dot
            if head not in self.char_feats:
                continue
            parts = rest.split(".")
            if len(parts) != (2 if head in ("c-1c.", "cc1.", "c-2c-1.") else 1):
                continue
            chars = [_NODE_CHAR.get(x, x) for x in parts]
            if all(len(c) == 1 for c in chars):
                self.char_feats[head]["".join(chars)] = idx
        post = seg.postprocesser
        # the keys cover every input the feature extractor reads only under these conditions
        self.usable = bool(config.numLetterNorm and config.wordFeature and config.wordMin >= 2
                           and not getattr(seg, "postag", False)
                           and "" not in fe.unigram
                           and not any("*" in w or any(s in w for s in _SENTINELS) for w in fe.unigram))
        self.post = post
        self.char_cache: dict = {}  # padded 5-character window -> character feature ids
        self.word_cache: dict = {}  # ids of the lexicon words around a position -> word feature ids
        self.wordsets: dict = {(): 0}  # a tuple of lexicon words -> its id in the word cache's keys
        self.byid: list = [()]  # and back
        self.positions = self.misses = 0

    # -- features ---------------------------------------------------------------------------------
    def _char_features(self, win: str) -> list[int]:
        """Feature ids of the character features at a position whose padded normalised window
        ``i-2 .. i+2`` is ``win``, in the order of ``__get_node_features_idx``."""
        cf = self.char_feats
        pp, p, c, nx, nn = win
        out = [0]
        for table, key, ok in ((cf["c."], c, True), (cf["c-1."], p, p != _PAD), (cf["c-1c."], p + c, p != _PAD),
                               (cf["c1."], nx, nx != _PAD), (cf["cc1."], c + nx, nx != _PAD),
                               (cf["c-2."], pp, pp != _PAD), (cf["c-2c-1."], pp + p, pp != _PAD),
                               (cf["c2."], nn, nn != _PAD)):
            if ok:
                k = table.get(key)
                if k is not None:
                    out.append(k)
        return out

    def _word_features(self, key: tuple) -> list[int]:
        """Feature ids of the word features (``w-1.``, ``w1.``, ``ww.l.``, ``ww.r.``) of a position whose
        lexicon words ending at i-1, ending at i, starting at i, starting at i+1 are ``key``."""
        f2i = self.fe.feature_to_idx
        no = "**noWord"
        pre_ex, pre_in, post_in, post_ex = ([{len(w): w for w in words}.get(ln, no) for ln in self.lengths]
                                            for words in key)
        out = []
        for prefix, lst in (("w-1.", pre_in), ("w1.", post_in)):
            for tmp in lst:
                if tmp is not no:
                    k = f2i.get(prefix + tmp)
                    if k is not None:
                        out.append(k)
        for prefix, pres, posts in (("ww.l.", pre_ex, post_in), ("ww.r.", pre_in, post_ex)):
            for pre in pres:
                for post in posts:
                    k = f2i.get(prefix + pre + "*" + post)
                    if k is not None:
                        out.append(k)
        return out

    def _features_into(self, text: str, flat: list, offsets: list) -> None:
        """Append the feature ids of every character of ``text`` to ``flat`` (a character's list starts
        at the offset appended to ``offsets``)."""
        n = len(text)
        norm = text.translate(self.table)
        padded = _PAD * 2 + norm + _PAD * 2
        unigram, prefixes, intern = self.unigram, self.prefixes, self._intern
        lo, hi = min(self.lengths), max(self.lengths)
        starts = [0] * (n + 2)  # id of the lexicon words starting at p (longest first); n, n+1: none
        ends_w: dict[int, tuple] = {}  # lexicon words ending at p (longest first: p rises)
        for p in range(n - lo + 1):
            if norm[p:p + lo] not in prefixes:
                continue
            found = []
            for ln in range(lo, min(hi, n - p) + 1):
                s = norm[p:p + ln]
                if s not in prefixes:
                    break
                if s in unigram:
                    found.append(s)
            if found:
                found.reverse()
                t = tuple(found)
                starts[p] = intern(t)
                for s in found:
                    e = p + len(s) - 1
                    ends_w[e] = ends_w.get(e, ()) + (s,)
        ends = [0] * (n + 1)  # index -1 (== n): none
        for e, t in ends_w.items():
            ends[e] = intern(t)
        chars, words = self.char_cache, self.word_cache
        none = words.get((0, 0, 0, 0))
        if none is None:
            none = words[(0, 0, 0, 0)] = self._word_features(((), (), (), ()))
        append, extend = offsets.append, flat.extend
        for i in range(n):
            append(len(flat))
            win = padded[i:i + 5]  # the boundary tests (i > 0, i + 1 < n, ...) are in the padding
            a = chars.get(win)
            if a is None:
                a = chars[win] = self._char_features(win)
                self.misses += 1
            extend(a)
            key = (ends[i - 1], ends[i], starts[i], starts[i + 1])
            if key == (0, 0, 0, 0):
                extend(none)
                continue
            b = words.get(key)
            if b is None:
                byid = self.byid
                b = words[key] = self._word_features(tuple(byid[k] for k in key))
                self.misses += 1
            extend(b)
        self.positions += n

    def _intern(self, words: tuple) -> int:
        k = self.wordsets.get(words)
        if k is None:
            k = self.wordsets[words] = len(self.byid)
            self.byid.append(words)
        return k

    def _bound_caches(self) -> None:
        if max(len(self.char_cache), len(self.word_cache), len(self.wordsets)) > self.MAX_KEYS:
            self.char_cache.clear()
            self.word_cache.clear()
            self.wordsets.clear()
            self.wordsets[()] = 0
            self.byid[:] = [()]

    def features(self, text: str) -> list[list[int]]:
        """Feature ids per character of ``text``, as ``FeatureExtractor.get_node_features_idx`` lists them."""
        flat: list[int] = []
        offsets: list[int] = []
        self._features_into(text, flat, offsets)
        return [flat[a:b] for a, b in zip(offsets, offsets[1:] + [len(flat)])]

    def _scores(self, flat_l: list, offsets_l: list):
        import numpy as np

        n = len(offsets_l)
        flat = np.array(flat_l, dtype=np.intp)
        offsets = np.array(offsets_l + [len(flat_l)], dtype=np.intp)
        out = np.empty((n, self.n_tag), dtype=np.float64)
        for a in range(0, n, self.BLOCK):
            b = min(n, a + self.BLOCK)
            lens = offsets[a + 1:b + 1] - offsets[a:b]
            k = int(lens.max())
            idx = np.full((b - a, k), self.n_feature, dtype=np.intp)  # padding: the row of zeros
            rows = np.repeat(np.arange(b - a), lens)
            cols = np.arange(offsets[a], offsets[b]) - np.repeat(offsets[a:b], lens)
            idx[rows, cols] = flat[offsets[a]:offsets[b]]
            g = self.node_w[idx]  # (positions, k, tags)
            acc = g[:, 0].copy()
            for j in range(1, k):
                acc += g[:, j]  # x + 0.0 == x: the padding changes nothing
            out[a:b] = acc
        return out

    def scores(self, text: str):
        """Node scores ``Y`` (characters × tags) of ``text``, as ``inference.getLogYY`` computes them:
        ``Y[i, s]`` is ``w[f * n_tag + s]`` summed over the features ``f`` of ``i`` in order, one after
        the other (numpy's reductions sum in another order, and the last bit would differ)."""
        flat: list[int] = []
        offsets: list[int] = []
        self._features_into(text, flat, offsets)
        return self._scores(flat, offsets)

    # -- decoding ---------------------------------------------------------------------------------
    def cut_pieces(self, pieces: list[str]) -> list[list[str]]:
        """``_cut`` of each piece: one pass of feature extraction and scoring, one Viterbi per piece."""
        from spacy_pkuseg.inference import run_viterbi

        self._bound_caches()
        flat: list[int] = []
        offsets: list[int] = []
        for piece in pieces:
            self._features_into(piece, flat, offsets)
        y = self._scores(flat, offsets) if offsets else None
        out = []
        at = 0
        for piece in pieces:
            n = len(piece)
            _, tags = run_viterbi(y[at:at + n], self.edge)
            at += n
            cuts = self.is_b[tags[1:]].nonzero()[0] + 1
            words = []
            a = 0
            for b in cuts.tolist():
                words.append(piece[a:b])
                a = b
            words.append(piece[a:])
            out.append(words)
        return out

    def _cut(self, text: str) -> list[str]:
        if not self.usable or not text or any(s in text for s in _SENTINELS):
            return self.orig_underscore_cut(text)
        return self.cut_pieces([text])[0]

    def post_process(self, sent: list[str]) -> list[str]:
        """``Postprocesser.post_process(sent, check_seperated=True)``, with slices of the joined text in
        place of joins of word slices."""
        common, other = self.post.common_words, self.post.other_words
        text = "".join(sent)
        off = [0]
        for w in sent:
            off.append(off[-1] + len(w))
        for m in range(7, 1, -1):
            end = len(sent) - m
            i = 0
            while i < end + 1:
                merged = text[off[i]:off[i + m]]
                if merged in common:
                    do_seg = True
                elif merged in other:
                    do_seg = not all((w in common) or (w in other) for w in sent[i:i + m])
                else:
                    do_seg = False
                if do_seg:
                    sent[i:i + m] = [merged]
                    del off[i + 1:i + m]
                    end = len(sent) - m
                i += 1
        return sent

    def cut(self, txt: str) -> list[str]:
        """``pkuseg.cut``: whitespace-separated pieces, the user dictionary's words, the rest segmented."""
        if not self.usable or any(s in txt for s in _SENTINELS):
            return self.orig_cut(txt)
        items: list[tuple[bool, str]] = []
        for w0 in txt.strip().split():
            lst, isword, _ = self.seg.preprocesser.solve(w0)
            items.extend(zip(isword, lst))
        cut = iter(self.cut_pieces([w for isw, w in items if not isw]))
        ret: list[str] = []
        for isw, w in items:
            if isw:
                ret.append(w)
            else:
                words = next(cut)
                ret.extend(self.post_process(words) if self.post.do_process else words)
        return ret


def install_fast_cut(seg) -> None:
    """Give a ``spacy_pkuseg.pkuseg`` instance the fast path (idempotent)."""
    if seg is not None and not isinstance(getattr(seg.cut, "__self__", None), FastSegmenter):
        fast = FastSegmenter(seg)
        seg.cut, seg._cut = fast.cut, fast._cut
