"""The ``govie_table_reader`` spaCy component: the tables of a doc as entities, links and indicator ids."""
from __future__ import annotations

from bisect import bisect_right
from typing import Any, Dict, Mapping, Optional

import numpy as np
from spacy.attrs import ENT_IOB, ENT_KB_ID, ENT_TYPE, IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc

from ..pipeline import extensions
from ..checks import check_tables
from ..pipeline.spans import overlaps, span_mask
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

        # entities as (first token, end token, label) on the doc's arrays: no Token or Span objects
        arr = doc.to_array([IDX, LENGTH, ENT_IOB, ENT_TYPE, ENT_KB_ID]).reshape(-1, 5)
        toks = TokenOffsets(arr[:, 0].tolist(), (arr[:, 0] + arr[:, 1]).tolist(), len(text))
        strings = doc.vocab.strings
        quantity, metric = strings.add("QUANTITY"), strings.add("METRIC")
        quantity_info, indicator_ids = doc._.quantity_info, doc._.indicator_ids
        q_ents: list[_Ent] = []
        q_keys: set[Offsets] = set()
        for c in cells:
            tok = toks.strict(c.start, c.end)
            if tok is None:
                continue
            q_ents.append((*tok, quantity))
            q_keys.add((c.start, c.end))
            quantity_info[f"{c.start}:{c.end}"] = [c.value, c.unit, False]
            if c.indicator_id:
                indicator_ids[f"{c.start}:{c.end}"] = c.indicator_id
        in_cell = span_mask(len(text), q_keys)
        m_ents: dict[Offsets, _Ent] = {}
        for s, e in metric_offsets:
            if overlaps(s, e, in_cell):
                continue
            tok = toks.contract(s, e)
            if tok is not None:
                m_ents[(s, e)] = (*tok, metric)
        kept: list[_Ent] = []
        for ent in _entities(arr[:, 2], arr[:, 3]):
            s, e = toks.chars(ent[0], ent[1])
            if ent[2] == quantity and self.replace_quantities and in_region(s, e):
                if (s, e) not in q_keys:
                    quantity_info.pop(f"{s}:{e}", None)
                continue
            kept.append(ent)
        new = q_ents + list(m_ents.values())
        ents = _filter_spans(new + _without_overlaps(kept, new, len(doc)))
        _set_ents(doc, ents, arr[:, 4])
        final = {toks.chars(s, e) for s, e, _ in ents}
        m_chars = {key: toks.chars(s, e) for key, (s, e, _) in m_ents.items()}
        rels = list(doc._.relations or [])
        for c in cells:
            if (c.start, c.end) not in final:
                continue
            for m in c.metrics:
                sp = m_chars.get(m)
                if sp is not None and sp in final:
                    rels.append((c.start, c.end, sp[0], sp[1], "VALUE_OF", 1.0))
        for t in tables:
            for child, parent in t.part_of:
                ch, pa = m_chars.get(child), m_chars.get(parent)
                if ch is not None and pa is not None and ch in final and pa in final:
                    rels.append((ch[0], ch[1], pa[0], pa[1], "PART_OF", 1.0))
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


#: an entity as token offsets: first token, end token (exclusive), label (its string-store hash)
_Ent = tuple[int, int, int]
_IOB_I, _IOB_O, _IOB_B = 1, 2, 3


class TokenOffsets:
    """Character offsets ↔ token indices of a doc, from its token starts and ends (``Doc.char_span``
    makes ``Token`` objects on each call). :meth:`strict` and :meth:`contract` align as ``char_span``
    does."""

    def __init__(self, starts: list[int], ends: list[int], n_chars: int) -> None:
        self.starts = starts
        self.ends = ends
        self.n_chars = n_chars

    def _token_at(self, char: int) -> int:
        """The token holding ``char`` (its trailing space included), -1 outside the text."""
        return bisect_right(self.starts, char) - 1 if 0 <= char < self.n_chars else -1

    def strict(self, start: int, end: int) -> Optional[tuple[int, int]]:
        """``doc.char_span(start, end)``'s tokens: None unless both offsets are token boundaries."""
        s, last = self._token_at(start), self._token_at(end - 1)
        if s < 0 or last < s or self.starts[s] != start or self.ends[last] != end:
            return None
        return s, last + 1

    def contract(self, start: int, end: int) -> Optional[tuple[int, int]]:
        """``doc.char_span(start, end, alignment_mode="contract")``'s tokens: those wholly inside."""
        s, last = self._token_at(start), self._token_at(end - 1)
        if s < 0 or last < 0:
            return None
        if self.starts[s] < start:
            s += 1
        if end < self.ends[last]:
            last -= 1
        return (s, last + 1) if last >= s else None

    def chars(self, start: int, end: int) -> Offsets:
        """The character offsets of tokens ``[start, end)`` (``Span.start_char``, ``Span.end_char``)."""
        return self.starts[start], self.ends[end - 1]


def _entities(iob: np.ndarray, types: np.ndarray) -> list[_Ent]:
    """The doc's entities from its ENT_IOB and ENT_TYPE columns (as ``extensions.entities`` reads them)."""
    starts = np.flatnonzero((iob == _IOB_B) & (types != 0))
    boundary = np.flatnonzero(iob != _IOB_I)  # where a running entity stops
    ends = np.append(boundary, len(iob))[np.searchsorted(boundary, starts, side="right")]
    return list(zip(starts.tolist(), ends.tolist(), types[starts].tolist()))


def _set_ents(doc: Doc, ents: list[_Ent], kb_ids: np.ndarray) -> None:
    """``doc.set_ents(spans)`` for non-overlapping ``ents``, written as arrays (no Span objects): B then
    I over each entity with its label and no KB id, O elsewhere; the other tokens keep their KB ids."""
    n = len(doc)
    iob = np.full(n, _IOB_O, dtype=np.uint64)
    types = np.zeros(n, dtype=np.uint64)
    kb = np.array(kb_ids, dtype=np.uint64)
    for s, e, label in ents:
        iob[s] = _IOB_B
        iob[s + 1:e] = _IOB_I
        types[s:e] = label
        kb[s:e] = 0
    doc.from_array([ENT_IOB, ENT_TYPE, ENT_KB_ID], np.stack([iob, types, kb], axis=1))


def _without_overlaps(kept: list[_Ent], new: list[_Ent], n_tokens: int) -> list[_Ent]:
    """:func:`..pipeline.spans.without_overlaps` on token offsets."""
    taken = span_mask(n_tokens, ((s, e) for s, e, _ in new))
    return [k for k in kept if not overlaps(k[0], k[1], taken)]


def _filter_spans(ents: list[_Ent]) -> list[_Ent]:
    """``spacy.util.filter_spans`` on token offsets: the (first) longest entity wins where they overlap."""
    ranked = sorted(ents, key=lambda t: (t[1] - t[0], -t[0]), reverse=True)
    out: list[_Ent] = []
    seen: set[int] = set()
    for ent in ranked:
        s, e = ent[0], ent[1]
        if s not in seen and e - 1 not in seen:
            out.append(ent)
            seen.update(range(s, e))
    return sorted(out, key=lambda t: t[0])


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
