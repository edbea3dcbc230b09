"""The govie tokenizer: spaCy's Chinese tokenizer (pkuseg or characters) plus number-safe splits.

Words from the segmenter are split into digits, Latin runs, CJK runs and symbols, so a
QUANTITY (``2543.19万元``) always starts and ends on a token boundary and a flattened table run
(``规章000``) separates from its label and into its cells.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import spacy
from spacy.attrs import IDX, LENGTH
from spacy.lang.zh import ChineseTokenizer, Segmenter
from spacy.tokens import Doc

from . import script
from .extensions import TEXT_KEY, doc_text, entity_offsets

#: one digit, a run of Latin letters, a run of CJK characters, whitespace, or one symbol. Digits are
#: single tokens because flattened tables glue cells together (``0000000`` is seven cells): only
#: digit-level tokens guarantee that every cell boundary is a token boundary.
_PIECE = re.compile(r"[A-Za-z]+|[\u3400-\u9fff]+|\s+|.", re.S)
#: a word that is one piece (most words: a run of CJK characters)
_ONE_PIECE = re.compile(r"[A-Za-z]+|[\u3400-\u9fff]+|\s+")


def _pieces(word: str) -> list[str]:
    if len(word) == 1 or _ONE_PIECE.fullmatch(word):
        return [word]
    return [m.group() for m in _PIECE.finditer(word)]


def _peel_unit(piece: str) -> list[str]:
    """After a digit, split 万/亿/余/多 and a unit off the front of a CJK word (``起因`` → 起 | 因)."""
    from .quantities import UNITS

    out = []
    while piece and piece[0] in "万萬亿億余多" and len(piece) > 1:
        out.append(piece[0])
        piece = piece[1:]
    for u in UNITS:
        if len(u) < len(piece) and piece.startswith(u):
            return out + [u, piece[len(u):]]
    return out + [piece]


def words_and_spaces(words: Iterable[str], text: str) -> tuple[list[str], list[bool]]:
    """``spacy.util.get_words_and_spaces`` in linear time, same result: spaCy's version slices the rest of
    the text for every word (``text[pos:].index(word)``), quadratic in a long run of one-character words
    (80,000 ``%`` took 2 s in it). Raises ``ValueError`` where spaCy's does (words that are not the text)."""
    words = list(words)
    if "".join("".join(words).split()) != "".join(text.split()):
        raise ValueError(f"[E194] Unable to align mismatched text and words: {text[:80]!r}")
    out_words: list[str] = []
    out_spaces: list[bool] = []
    pos, n = 0, len(text)
    for word in words:
        if word.isspace():
            continue
        start = text.find(word, pos)
        if start < 0:
            raise ValueError(f"[E194] Unable to align mismatched text and words: {text[:80]!r}")
        if start > pos:
            out_words.append(text[pos:start])
            out_spaces.append(False)
        out_words.append(word)
        pos = start + len(word)
        space = pos < n and text[pos] == " "
        out_spaces.append(space)
        pos += space
    if pos < n:
        out_words.append(text[pos:])
        out_spaces.append(False)
    return out_words, out_spaces


class CharTokenizer(ChineseTokenizer):
    """spaCy's character tokenizer for Chinese (``spacy.blank("zh")``), aligned in linear time."""

    def __call__(self, text: str) -> Doc:
        if self.segmenter != Segmenter.char:
            return super().__call__(text)
        words, spaces = words_and_spaces(list(text), text)
        return Doc(self.vocab, words=words, spaces=spaces)


def word_spans(words: Iterable[str], text: str) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the words that are not whitespace, aligned as :func:`words_and_spaces`
    aligns them (``ValueError`` where it raises)."""
    out, spaces = words_and_spaces(words, text)
    lens = np.fromiter(map(len, out), dtype=np.int64, count=len(out))
    ends = np.cumsum(lens + np.array(spaces, dtype=np.int64)) - np.array(spaces, dtype=np.int64)
    keep = np.array([not w.isspace() for w in out], dtype=bool)  # gaps between words are all whitespace
    return (ends - lens)[keep], ends[keep]


#: the class of a code point below 0xA000 for :data:`_PIECE`: 0 a piece of its own, 1 Latin, 2 CJK
_CLASS = np.zeros(0xA000, dtype=np.int8)
_CLASS[ord("A"):ord("Z") + 1] = _CLASS[ord("a"):ord("z") + 1] = 1
_CLASS[0x3400:0xA000] = 2


def tokens(text: str, starts: np.ndarray, ends: np.ndarray) -> tuple[list[str], list[bool]]:
    """The tokens and trailing spaces of ``text`` cut into the segmenter's words (``starts``/``ends``: their
    offsets, in order, no whitespace in them): what :func:`words_and_spaces` aligns and ``_pieces`` /
    ``_peel_unit`` split, word by word, computed with numpy for the whole text at once."""
    n = len(text)
    if not len(starts):
        return ([text], [False]) if n else ([], [])
    code = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cls = np.where(code < 0xA000, _CLASS[np.minimum(code, 0x9FFF)], 0)
    depth = np.zeros(n + 1, dtype=np.int32)
    depth[starts] += 1
    depth[ends] -= 1
    inside = np.cumsum(depth[:n]) > 0  # a character of a word
    # a piece starts where the class changes or at a character that is a piece of its own (a digit)
    cut = np.zeros(n, dtype=bool)
    cut[1:] = ((cls[1:] != cls[:-1]) | (cls[1:] == 0)) & inside[1:] & inside[:-1]
    cut[starts] = True
    t = np.flatnonzero(cut)
    word = np.searchsorted(starts, t, side="right") - 1
    e = np.minimum(np.append(t[1:], n), ends[word])
    # after a digit (the last character of the word before, or one space before), 万/亿/余/多 and a unit
    # come off the front of a word's first CJK piece
    peel = (t == starts[word]) & (cls[t] == 2) & (e - t > 1) & (word > 0)
    prev_end = ends[np.maximum(word - 1, 0)]
    peel &= (prev_end == t) | ((prev_end == t - 1) & (code[t - 1] == 32))
    before = code[prev_end - 1]
    digits = np.unique(before[peel])
    peel &= np.isin(before, digits[[chr(d).isdigit() for d in digits.tolist()]])
    extra = []
    for i in np.flatnonzero(peel).tolist():
        a = int(t[i])
        for p in _peel_unit(text[a:int(e[i])])[:-1]:
            a += len(p)
            extra.append(a)
    if extra:
        t = np.sort(np.concatenate([t, np.array(extra, dtype=np.int64)]))
        word = np.searchsorted(starts, t, side="right") - 1
        e = np.minimum(np.append(t[1:], n), ends[word])
    last = e == ends[word]
    space = last & (e < n) & (code[np.minimum(e, n - 1)] == 32)
    # whitespace not taken as a trailing space is a token of its own: before the first word, after a word
    gap_s = np.append(0, ends + space[last])
    gap_e = np.append(starts, n)
    gap = gap_s < gap_e
    if gap.any():
        t = np.concatenate([t, gap_s[gap]])
        e = np.concatenate([e, gap_e[gap]])
        space = np.concatenate([space, np.zeros(int(gap.sum()), dtype=bool)])
        order = np.argsort(t, kind="stable")
        t, e, space = t[order], e[order], space[order]
    return [text[a:b] for a, b in zip(t.tolist(), e.tolist())], space.tolist()


class GovieTokenizer(ChineseTokenizer):
    """ChineseTokenizer whose words are split at number / non-number and punctuation boundaries.

    Saved with pkuseg, it also writes the fast segmenter's tables (:mod:`.pkuseg_tables`); loading a
    directory that has them reads them and builds spacy_pkuseg's own object (``pkuseg_seg``) only when
    something asks for it."""

    _seg = None  # spacy_pkuseg's object, once built
    _fast = None  # the fast path read from saved tables, while spacy_pkuseg's object is not built
    _model_files: dict[str, bytes] = {}

    @property
    def pkuseg_seg(self):
        if self._seg is None and self._fast is not None:
            self._fast._pkuseg()  # builds it (_build_pkuseg)
        return self._seg

    @pkuseg_seg.setter
    def pkuseg_seg(self, seg) -> None:
        self._seg, self._fast = seg, None

    def _build_pkuseg(self) -> None:
        import tempfile

        from .pkuseg_words import import_spacy_pkuseg

        spacy_pkuseg = import_spacy_pkuseg()

        with tempfile.TemporaryDirectory() as tmp:
            for name, data in self._model_files.items():
                (Path(tmp) / name).write_bytes(data)
            seg = spacy_pkuseg.pkuseg(tmp)
        self._fast.attach(seg)
        self._seg = seg

    def _spans(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Offsets of the segmenter's words (whitespace between them is not a word)."""
        from . import segmenter

        if self.segmenter == Segmenter.pkuseg and self._seg is None and self._fast is not None:
            fast = self._fast
        elif self.segmenter == Segmenter.pkuseg and self._seg is not None:
            segmenter.install_fast_cut(self._seg)  # same weights, same words, several times faster
            fast = getattr(self._seg.cut, "__self__", None)
            if not isinstance(fast, segmenter.FastSegmenter):
                return word_spans(self._seg.cut(text), text)
        elif self.segmenter == Segmenter.char:
            return word_spans(list(text), text)
        else:
            doc = super().__call__(text)
            return word_spans([t.text for t in doc], text)
        found = fast.spans(text)
        return found if found is not None else word_spans(fast.orig_cut(text), text)

    #: cut traditional-script text where its simplified view is cut and give its tokens simplified norms
    #: (``govie.ChineseTokenizer.v1``'s ``script_view``; saved in the tokenizer's ``cfg``: a tok2vec trained
    #: on one setting reads text tokenized with it)
    script_view: bool = False

    def _get_config(self) -> dict:
        return {**super()._get_config(), "script_view": self.script_view}

    def _set_config(self, config: dict = {}) -> None:  # noqa: B006 (spaCy's signature)
        super()._set_config(config)
        # a tokenizer saved before the setting existed keeps the value its pipeline's config gave it
        self.script_view = bool(config.get("script_view", self.script_view))

    def __call__(self, text: str) -> Doc:
        view = script.simplified_view(text) if self.script_view else text
        # the segmenter was trained on simplified text: a traditional report is cut where its simplified
        # view is cut (same length, same offsets), and the tokens keep the original characters
        words, spaces = tokens(text, *self._spans(view))
        doc = Doc(self.vocab, words=words, spaces=spaces)  # one Doc, of the final tokens
        doc.user_data[TEXT_KEY] = text  # the components read the text from here (Doc.text is O(tokens))
        if self.script_view:
            script.store_view(doc, text, view)
            script.set_view_norms(doc)
        return doc

    def to_disk(self, path, **kwargs) -> None:
        from .pkuseg_tables import TABLES, save_tables
        from .segmenter import FastSegmenter

        super().to_disk(path, **kwargs)
        path = Path(path)
        (path / TABLES).unlink(missing_ok=True)
        seg = self.pkuseg_seg if self.segmenter == Segmenter.pkuseg else None
        if seg is not None:
            fast = getattr(seg.cut, "__self__", None)
            fast = fast if isinstance(fast, FastSegmenter) else FastSegmenter(seg)
            if fast.usable:
                save_tables(fast, path / TABLES)

    def from_disk(self, path, **kwargs) -> None:
        import srsly

        from .pkuseg_tables import PROCESSORS, TABLES, load_tables

        path = Path(path)
        if not (path / TABLES).exists() or srsly.read_json(path / "cfg").get("segmenter") != Segmenter.pkuseg:
            return super().from_disk(path, **kwargs)
        files = {name: (path / "pkuseg_model" / name).read_bytes() for name in ("features.msgpack", "weights.npz")}
        with np.load(path / "pkuseg_model" / "weights.npz") as npz:
            w = npz["w"]
        fast = load_tables(path / TABLES, w, path / PROCESSORS)
        if fast is None:
            return super().from_disk(path, **kwargs)
        self._set_config(srsly.read_json(path / "cfg"))
        self.pkuseg_seg = None
        self._fast, self._model_files = fast, files
        fast.loader = self._build_pkuseg


@spacy.registry.tokenizers("govie.ChineseTokenizer.v1")
def create_govie_tokenizer(segmenter: Segmenter = Segmenter.char, script_view: bool = False):
    """``segmenter``: ``pkuseg`` (trained) or ``char``. ``script_view``: cut traditional-script text where
    its simplified view is cut and give its tokens the simplified text as ``norm_`` (what tok2vec reads:
    the words it learnt from simplified reports). ``govie train`` trains with it on; it is off by default
    because a tok2vec trained without it (the shipped pipeline's) must read the original characters."""

    def tokenizer_factory(nlp) -> GovieTokenizer:
        tok = GovieTokenizer(nlp.vocab, segmenter=segmenter)
        tok.script_view = script_view
        return tok

    return tokenizer_factory


def pkuseg_model_dir(pipeline_dir) -> Path:
    """The pkuseg model saved inside a pipeline's tokenizer (``ValueError`` if it has none): what
    ``govie train --stages ner+relations --base`` trains a new NER on, without a new segmenter."""
    seg = Path(pipeline_dir) / "tokenizer" / "pkuseg_model"
    if not (seg / "weights.npz").is_file():
        raise ValueError(f"{pipeline_dir} has no pkuseg model ({seg}); --stages ner+relations reuses a pkuseg tokenizer")
    return seg


def split_at(doc: Doc, bounds: Sequence[int], *, in_place: bool = False) -> tuple[Doc, int]:
    """Split tokens so that every character offset in ``bounds`` is a token boundary.

    Returns the doc and how many boundaries fell inside a token. By default the doc is rebuilt from
    the split words (a new ``Doc`` carrying the old ``user_data``: for docs no component has
    annotated yet, as in corpus conversion). ``in_place=True`` splits the tokens with the
    retokenizer instead, so whatever earlier components wrote stays on the same doc: its entities
    (set again over the same characters), extension values and ``user_data`` — what a pipeline
    component needs, since it must return the doc it was given annotated, not a bare copy.
    """
    text = doc_text(doc)
    n = len(text)
    arr = doc.to_array([IDX, LENGTH]).reshape(-1, 2)  # not `t.idx for t in doc`: a Token object each
    idx = arr[:, 0]
    edges = set(idx.tolist()) | set((idx + arr[:, 1]).tolist()) | {n}
    inside = sorted({b for b in bounds if 0 < b < n and b not in edges})
    if not inside:
        return doc, 0
    if in_place:
        cuts: dict[int, list[int]] = {}
        for b, ti in zip(inside, np.searchsorted(idx, inside, side="right") - 1):
            cuts.setdefault(int(ti), []).append(b)
        ents = entity_offsets(doc)
        doc.ents = []
        with doc.retokenize() as retok:
            for ti, pieces in cuts.items():
                tok = doc[ti]
                s = tok.idx
                cut_edges = [s] + pieces + [s + len(tok.text)]
                orths = [text[a:b] for a, b in zip(cut_edges, cut_edges[1:])]
                retok.split(tok, orths, heads=[(tok, 0)] * len(orths))
        spans = [doc.char_span(s, e, label=lab) for s, e, lab in ents]
        doc.set_ents([sp for sp in spans if sp is not None])
        return doc, len(inside)
    cut = set(inside)
    words: list[str] = []
    spaces: list[bool] = []
    norms: dict[int, str] = {}  # a token's own norm of the same length (script_view) → its pieces' norms
    for tok in doc:
        s = tok.idx
        pieces = [i for i in range(s + 1, s + len(tok.text)) if i in cut]
        edges_t = [s] + pieces + [s + len(tok.text)]
        own = tok.norm_ if tok.norm_ != tok.lex.norm_ and len(tok.norm_) == len(tok.text) else None
        for a, b in zip(edges_t, edges_t[1:]):
            if own is not None:
                norms[len(words)] = own[a - s:b - s]
            words.append(text[a:b])
            spaces.append(False)
        spaces[-1] = bool(tok.whitespace_)
    new = Doc(doc.vocab, words=words, spaces=spaces)
    new.user_data.update(doc.user_data)
    for i, norm in norms.items():
        new[i].norm_ = norm
    return new, len(inside)


def boundary_coverage(docs, make_doc) -> tuple[int, int]:
    """(boundaries on token edges, all gold entity boundaries) for corpus docs under ``make_doc``."""
    ok = total = 0
    for d in docs:
        doc = make_doc(d.text)
        edges = {t.idx for t in doc} | {t.idx + len(t.text) for t in doc}
        for e in d.entities:
            for b in (e["start"], e["end"]):
                total += 1
                ok += b in edges
    return ok, total


__all__ = ["GovieTokenizer", "create_govie_tokenizer", "split_at", "boundary_coverage"]
