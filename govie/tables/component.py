"""The ``govie_table_reader`` spaCy component: the tables of a doc as entities, links and indicator ids."""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .. import extensions
from ..checks import check_tables
from ..pipeline.spans import overlaps, span_mask, without_overlaps
from ..taxonomy import load_taxonomy
from ..pipeline.tokenizer import split_at
from .lexicon import Lexicon, default_lexicon, default_lexicon_data
from .model import Offsets
from .reader import read_tables


class TableReader:
    """Reads the statistics tables into QUANTITY/METRIC entities, VALUE_OF links and indicator ids."""

    def __init__(self, nlp: Language, name: str, checks: bool, replace_quantities: bool,
                 lexicon: Optional[Mapping[str, Any]] = None) -> None:
        self.name = name
        self.checks = checks
        self.replace_quantities = replace_quantities
        self.taxonomy = load_taxonomy()
        #: the vocabulary (units, header words): ``lexicon.json`` with the keys of ``lexicon`` replaced
        self.lexicon = Lexicon.from_data(lexicon) if lexicon else default_lexicon()

    def __call__(self, doc: Doc) -> Doc:
        extensions.init_doc(doc)
        text = extensions.doc_text(doc)
        tables = read_tables(text, self.taxonomy, self.lexicon)
        if not tables:
            return doc
        cells = [c for t in tables for c in t.cells]
        metric_offsets = sorted({m for c in cells for m in c.metrics})
        # cells and labels must start and end on token boundaries (a run 898989 is three cells)
        split_at(doc, [o for c in cells for o in (c.start, c.end)] + [o for m in metric_offsets for o in m],
                 in_place=True)
        regions = [(t.start, t.end) for t in tables]

        def in_region(s: int, e: int) -> bool:
            return any(rs <= s and e <= re_ + 1 for rs, re_ in regions)

        q_spans: list[Span] = []
        for c in cells:
            sp = doc.char_span(c.start, c.end, label="QUANTITY")
            if sp is None:
                continue
            q_spans.append(sp)
            doc._.quantity_info[f"{c.start}:{c.end}"] = [c.value, c.unit, False]
            if c.indicator_id:
                doc._.indicator_ids[f"{c.start}:{c.end}"] = c.indicator_id
        q_keys = {(s.start_char, s.end_char) for s in q_spans}
        in_cell = span_mask(len(text), q_keys)
        m_spans: dict[Offsets, Span] = {}
        for s, e in metric_offsets:
            if overlaps(s, e, in_cell):
                continue
            sp = doc.char_span(s, e, label="METRIC", alignment_mode="contract")
            if sp is not None and len(sp):
                m_spans[(s, e)] = sp
        kept = []
        for ent in extensions.entities(doc):
            if ent.label_ == "QUANTITY" and self.replace_quantities and in_region(ent.start_char, ent.end_char):
                if (ent.start_char, ent.end_char) not in q_keys:
                    doc._.quantity_info.pop(f"{ent.start_char}:{ent.end_char}", None)
                continue
            kept.append(ent)
        new = q_spans + list(m_spans.values())
        ents = filter_spans(new + without_overlaps(kept, new, len(doc)))
        doc.set_ents(ents)
        final = {(e.start_char, e.end_char) for e in ents}
        rels = list(doc._.relations or [])
        for c in cells:
            if (c.start, c.end) not in final:
                continue
            for m in c.metrics:
                sp = m_spans.get(m)
                if sp is not None and (sp.start_char, sp.end_char) in final:
                    rels.append((c.start, c.end, sp.start_char, sp.end_char, "VALUE_OF", 1.0))
        for t in tables:
            for child, parent in t.part_of:
                c, p = m_spans.get(child), m_spans.get(parent)
                if c is not None and p is not None and {(c.start_char, c.end_char), (p.start_char, p.end_char)} <= final:
                    rels.append((c.start_char, c.end_char, p.start_char, p.end_char, "PART_OF", 1.0))
        doc._.relations = sorted(set(rels))
        warnings = [w for t in tables for w in t.warnings]
        checks = list(doc.user_data.get("govie_checks") or [])
        checks.extend(warnings)
        if self.checks:
            checks.extend(check_tables(tables, self.taxonomy))
        doc.user_data["govie_checks"] = checks
        meta = dict(doc.user_data.get("govie_meta") or {})
        meta["tables"] = [{"kind": t.kind, "start": t.start, "end": t.end, "cells": len(t.cells)} for t in tables]
        doc.user_data["govie_meta"] = meta
        return doc


@Language.factory("govie_table_reader",
                  default_config={"checks": True, "replace_quantities": True, "lexicon": default_lexicon_data()},
                  assigns=["doc.ents", "doc._.quantity_info", "doc._.relations", "doc._.indicator_ids",
                           "doc.user_data"],
                  requires=["doc.ents", "doc._.quantity_info"], retokenizes=True)
def make_table_reader(nlp: Language, name: str, checks: bool, replace_quantities: bool,
                      lexicon: Dict[str, Any]) -> TableReader:
    """The ``govie_table_reader`` component. It reads the QUANTITY entities and values an earlier
    component set (``govie_quantities``) and replaces those inside a table by its cells; it splits
    tokens where a cell or a label starts or ends (``retokenizes``), writes QUANTITY and METRIC
    entities, their values (``doc._.quantity_info``), VALUE_OF and PART_OF links
    (``doc._.relations``), the cells' indicator ids (``doc._.indicator_ids``), and its warnings, checks
    and the tables it found to ``doc.user_data["govie_checks"]`` / ``["govie_meta"]``.

    ``lexicon``: the table vocabulary (keys of ``govie/tables/lexicon.json``); a key left out keeps
    the shipped list, e.g. ``config={"lexicon": {"row_units": ["人次", "件", "宗"]}}``.
    """
    return TableReader(nlp, name, checks, replace_quantities, lexicon)
