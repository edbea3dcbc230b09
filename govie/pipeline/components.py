"""Rule components: ``govie_quantities`` (QUANTITY) and ``govie_metric_bounds`` (METRIC bounds).

Both are registered with ``@Language.factory`` and exposed through the ``spacy_factories``
entry point, so ``nlp.add_pipe("govie_quantities")`` works in any Chinese pipeline.
"""
from __future__ import annotations

from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import extensions
from .extensions import set_entities, without_overlaps  # noqa: F401  (re-exported: tables.py)
from .quantities import QuantityMatch, find_quantities
from .rule_linker import trim_metric


def char_span(doc: Doc, start: int, end: int, label: str) -> Optional[Span]:
    """A span on token boundaries, or None when a boundary falls inside a token."""
    return doc.char_span(start, end, label=label, alignment_mode="strict")


def record_quantity(doc: Doc, q: QuantityMatch) -> None:
    doc._.quantity_info[f"{q.start}:{q.end}"] = [q.value, q.unit, q.approximate]


class QuantityRecognizer:
    """Finds QUANTITY spans by rule and records their normalised values."""

    def __init__(self, nlp: Language, name: str, bare: bool, overwrite: bool) -> None:
        self.name = name
        self.bare = bare
        self.overwrite = overwrite
        self.misaligned = 0

    def __call__(self, doc: Doc) -> Doc:
        extensions.init_doc(doc)
        spans = []
        for q in find_quantities(extensions.doc_text(doc), bare=self.bare):
            span = char_span(doc, q.start, q.end, "QUANTITY")
            if span is None:
                self.misaligned += 1
                continue
            record_quantity(doc, q)
            spans.append(span)
        if self.overwrite:
            set_entities(doc, spans, ["QUANTITY"])
        else:
            existing = extensions.entities(doc)
            doc.set_ents(filter_spans(existing + without_overlaps(spans, existing, len(doc))))
        return doc


@Language.factory("govie_quantities", default_config={"bare": True, "overwrite": True},
                  assigns=["doc.ents", "doc._.quantity_info"])
def make_quantities(nlp: Language, name: str, bare: bool, overwrite: bool) -> QuantityRecognizer:
    return QuantityRecognizer(nlp, name, bare, overwrite)


class MetricBounds:
    """Trims the NER's METRIC spans to the guidelines' bounds (:func:`govie.pipeline.rule_linker.trim_metric`):
    no punctuation, linking word or qualifier at either end (``;土地交易公告``, ``信息约``)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        text = extensions.doc_text(doc)
        ents, changed = [], False
        for e in extensions.entities(doc):
            if e.label_ == "METRIC":
                start, end = trim_metric(text, e.start_char, e.end_char)
                if end > start and (start, end) != (e.start_char, e.end_char):
                    span = doc.char_span(start, end, label="METRIC", alignment_mode="contract")
                    if span is not None and len(span) and span != e:
                        e, changed = span, True
            ents.append(e)
        if changed:
            doc.set_ents(ents)
        return doc


@Language.factory("govie_metric_bounds", assigns=["doc.ents"], requires=["doc.ents"])
def make_metric_bounds(nlp: Language, name: str) -> MetricBounds:
    return MetricBounds(nlp, name)
