"""Rule components: ``govie_quantities`` (QUANTITY) and ``govie_rule_linker`` (METRIC + links).

Both are registered with ``@Language.factory`` and exposed through the ``spacy_factories``
entry point, so ``nlp.add_pipe("govie_quantities")`` works in any Chinese pipeline.
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import extensions
from .quantities import QuantityMatch, span_mask, find_quantities, overlaps
from .rule_linker import link_quantities, trim_metric, part_of_links


def char_span(doc: Doc, start: int, end: int, label: str) -> Optional[Span]:
    """A span on token boundaries, or None when a boundary falls inside a token."""
    return doc.char_span(start, end, label=label, alignment_mode="strict")


def without_overlaps(kept: Iterable[Span], new: Sequence[Span], n_tokens: int) -> list[Span]:
    """The spans of ``kept`` that share no token with a span of ``new`` (linear in the doc's length)."""
    taken = span_mask(n_tokens, ((n.start, n.end) for n in new))
    return [e for e in kept if not overlaps(e.start, e.end, taken)]


def set_entities(doc: Doc, spans: Iterable[Span], replace_labels: Iterable[str],
                 ents: Optional[Sequence[Span]] = None) -> list[Span]:
    """Replace the entities of ``replace_labels`` by ``spans``, keeping the other labels.

    ``ents``: the doc's current entities when the caller has them (``Doc.ents`` scans every token).
    Returns the entities set.
    """
    drop = set(replace_labels)
    kept = [e for e in (extensions.entities(doc) if ents is None else ents) if e.label_ not in drop]
    new = list(spans)
    # new spans win over kept ones where they overlap
    final = filter_spans(new + without_overlaps(kept, new, len(doc)))
    doc.set_ents(final)
    return final


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


class RuleLinker:
    """Baseline linker: METRIC phrases by rule, VALUE_OF to each quantity, PART_OF breakdowns."""

    def __init__(self, nlp: Language, name: str, part_of: bool) -> None:
        self.name = name
        self.part_of = part_of

    def __call__(self, doc: Doc) -> Doc:
        extensions.init_doc(doc)
        # quantities already linked by an earlier component (table cells) keep their links and METRICs
        existing = list(doc._.relations or [])
        linked = {(r[0], r[1]) for r in existing if r[4] == "VALUE_OF"}
        owned = {(r[2], r[3]) for r in existing} | {(r[0], r[1]) for r in existing if r[4] == "PART_OF"}
        ents = extensions.entities(doc)
        keep_metrics = [e for e in ents if e.label_ == "METRIC" and (e.start_char, e.end_char) in owned]
        all_q = [(e.start_char, e.end_char) for e in ents if e.label_ == "QUANTITY"]
        # the unlinked quantities, each with the one before it: the rules read that one too (it bounds
        # the clause; 占N% after a count takes the count's indicator) but link only the unlinked ones
        quantities: list[QuantityMatch] = []
        spans = [e for e in ents if e.label_ == "QUANTITY"]
        wanted = [i for i, e in enumerate(spans) if (e.start_char, e.end_char) not in linked]
        for i in sorted(set(wanted) | {i - 1 for i in wanted if i > 0}):
            e = spans[i]  # (Span._ readings are slow: only these)
            value, unit = e._.value, e._.unit
            if value is not None:
                quantities.append(QuantityMatch(e.start_char, e.end_char, e.text, value, unit,
                                                bool(e._.approximate), unit is None))
        text = extensions.doc_text(doc)
        links = [link for link in link_quantities(text, quantities)
                 if (link.quantity.start, link.quantity.end) not in linked]
        metrics: dict[tuple[int, int], Span] = {}
        in_quantity = span_mask(len(text), all_q)
        for link in links:
            key = (link.metric.start, link.metric.end)
            if key in metrics:
                continue
            if overlaps(key[0], key[1], in_quantity):
                continue
            span = doc.char_span(key[0], key[1], label="METRIC", alignment_mode="contract")
            if span is not None and len(span):
                metrics[key] = span
        chosen = without_overlaps(filter_spans(list(metrics.values())), keep_metrics, len(doc))
        final = set_entities(doc, chosen + keep_metrics, ["METRIC"], ents)
        kept = {(s.start_char, s.end_char) for s in final if s.label_ == "METRIC"}
        spans_by_key = {k: v for k, v in metrics.items() if (v.start_char, v.end_char) in kept}
        rels = []
        for link in links:
            m = spans_by_key.get((link.metric.start, link.metric.end))
            if m is None:
                continue
            rels.append((link.quantity.start, link.quantity.end, m.start_char, m.end_char, "VALUE_OF", 1.0))
        if self.part_of:
            for child, parent in part_of_links(text, links):
                c = spans_by_key.get((child.start, child.end))
                p = spans_by_key.get((parent.start, parent.end))
                if c is not None and p is not None:
                    rels.append((c.start_char, c.end_char, p.start_char, p.end_char, "PART_OF", 1.0))
        doc._.relations = sorted(set(existing + rels))
        return doc


@Language.factory("govie_rule_linker", default_config={"part_of": True},
                  assigns=["doc.ents", "doc._.relations"], requires=["doc.ents"])
def make_rule_linker(nlp: Language, name: str, part_of: bool) -> RuleLinker:
    return RuleLinker(nlp, name, part_of)
