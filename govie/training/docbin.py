"""Corpus documents as spaCy ``Doc`` objects with gold entities and relations, and as ``DocBin`` files.
"""
from __future__ import annotations

import zlib
from typing import Sequence

from ..corpus.records import CorpusDoc


def to_docs(docs: Sequence[CorpusDoc], nlp) -> tuple[list, int]:
    """spaCy ``Doc`` objects with gold entities and relations; returns (docs, misaligned entities).

    Entities are aligned strictly to the tokens of ``nlp``; where a boundary falls inside a token the
    token is split there (the corpus defines the boundaries), so a correct tokenizer loses nothing.
    """
    from ..pipeline import extensions
    from ..pipeline.tokenizer import split_at

    out = []
    misaligned = 0
    for d in docs:
        doc = nlp.make_doc(d.text)
        bounds = sorted({e["start"] for e in d.entities} | {e["end"] for e in d.entities})
        # a boundary is aligned when it is a token start or a token end (a token's trailing
        # whitespace lies outside it); only the others need a split
        edges = {t.idx for t in doc} | {t.idx + len(t.text) for t in doc}
        inside = [b for b in bounds if b not in edges]
        if inside:
            doc, n_split = split_at(doc, inside)
            misaligned += n_split
        extensions.init_doc(doc)
        spans = []
        for e in d.entities:
            span = doc.char_span(e["start"], e["end"], label=e["label"], alignment_mode="strict")
            assert span is not None, (d.id, e)
            spans.append(span)
            if e["label"] == "QUANTITY":
                doc._.quantity_info[f"{e['start']}:{e['end']}"] = [e.get("value"), e.get("unit"),
                                                                     bool(e.get("approximate"))]
        doc.set_ents(spans)
        doc._.relations = sorted({(*r, 1.0) for r in d.relation_offsets()})
        doc.user_data["govie_id"] = d.id
        out.append(doc)
    return out, misaligned


def to_docbin(docs: Sequence[CorpusDoc], nlp):
    """A ``DocBin`` for training and the count of entity boundaries that needed a token split."""
    from spacy.tokens import DocBin

    sdocs, mis = to_docs(docs, nlp)
    return DocBin(docs=sdocs, store_user_data=True), mis
