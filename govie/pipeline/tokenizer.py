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


class GovieTokenizer(ChineseTokenizer):
    """ChineseTokenizer whose words are split at number / non-number and punctuation boundaries."""

    def _segment(self, text: str) -> tuple[list[str], list[bool]]:
        """The segmenter's words and their trailing spaces (what ``ChineseTokenizer`` makes a Doc of)."""
        if self.segmenter == Segmenter.pkuseg and self.pkuseg_seg is not None:
            from .segmenter import install_fast_cut

            install_fast_cut(self.pkuseg_seg)  # same weights, same words, several times faster
            return words_and_spaces(self.pkuseg_seg.cut(text), text)
        if self.segmenter == Segmenter.char:
            return words_and_spaces(list(text), text)
        doc = super().__call__(text)
        return [t.text for t in doc], [bool(t.whitespace_) for t in doc]

    def __call__(self, text: str) -> Doc:
        seg_words, seg_spaces = self._segment(text)
        words: list[str] = []
        spaces: list[bool] = []
        prev = ""
        for word, space in zip(seg_words, seg_spaces):
            parts = _pieces(word)
            if prev.isdigit() and parts and len(parts[0]) > 1 and "\u3400" <= parts[0][0] <= "\u9fff":
                parts = _peel_unit(parts[0]) + parts[1:]
            prev = parts[-1] if parts else prev
            if len(parts) == 1:
                words.append(parts[0])
                spaces.append(space)
            else:
                words.extend(parts)
                spaces.extend([False] * (len(parts) - 1) + [space])
        doc = Doc(self.vocab, words=words, spaces=spaces)  # one Doc, of the final tokens
        doc.user_data[TEXT_KEY] = text  # the components read the text from here (Doc.text is O(tokens))
        return doc


@spacy.registry.tokenizers("govie.ChineseTokenizer.v1")
def create_govie_tokenizer(segmenter: Segmenter = Segmenter.char):
    def tokenizer_factory(nlp) -> GovieTokenizer:
        return GovieTokenizer(nlp.vocab, segmenter=segmenter)

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
    for tok in doc:
        s = tok.idx
        pieces = [i for i in range(s + 1, s + len(tok.text)) if i in cut]
        edges_t = [s] + pieces + [s + len(tok.text)]
        for a, b in zip(edges_t, edges_t[1:]):
            words.append(text[a:b])
            spaces.append(False)
        spaces[-1] = bool(tok.whitespace_)
    new = Doc(doc.vocab, words=words, spaces=spaces)
    new.user_data.update(doc.user_data)
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
