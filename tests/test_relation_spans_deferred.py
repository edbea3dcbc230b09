"""``extensions.deferred_relation_spans``: a component that sets ``Doc._.relations`` several times
(``govie_relations``) makes ``doc.spans`` once, and they are the spans of the relations set last."""
from __future__ import annotations

import pytest
from spacy.tokens import Doc

import govie
from govie.pipeline import extensions

TEXT = "全市累计主动公开政府信息57194条，共受理依申请公开169件，其中当面申请34件。"


@pytest.fixture(scope="module")
def doc() -> Doc:
    return govie.load("rules")(TEXT)


def _spans(doc: Doc) -> dict:
    return {k: [(s.start, s.end, s.label_, s.id_) for s in g] for k, g in doc.spans.items()}


def test_spans_are_made_on_leaving_from_the_relations_set_last(doc) -> None:
    rels = list(doc._.relations)
    assert len(rels) >= 2, "the sample text has relations"
    doc = doc.copy()
    before = _spans(doc)
    ref = doc.copy()
    ref._.relations = rels[:1]  # what setting the last relations directly gives
    with extensions.deferred_relation_spans(doc):
        doc._.relations = []
        assert _spans(doc) == before  # inside the block the spans stay as they were
        with extensions.deferred_relation_spans(doc):  # nested: the outer block makes them
            doc._.relations = rels[:1]
        assert _spans(doc) == before
    assert doc._.relations == rels[:1]
    assert _spans(doc) == _spans(ref) != before
    doc._.relations = rels  # outside a block: at once, as before
    assert _spans(doc) == before


def test_spans_are_made_when_the_block_fails(doc) -> None:
    doc = doc.copy()
    with pytest.raises(RuntimeError):
        with extensions.deferred_relation_spans(doc):
            doc._.relations = []
            raise RuntimeError("a component failed")
    assert all(not len(g) for g in doc.spans.values())


def test_a_block_that_sets_nothing_leaves_the_spans(doc) -> None:
    doc = doc.copy()
    before = _spans(doc)
    with extensions.deferred_relation_spans(doc):
        pass
    assert _spans(doc) == before


# --------------------------------------------------------------------------- no_relation_spans (#16)
def test_no_relation_spans_sets_the_relations_and_leaves_the_spans() -> None:
    nlp = govie.load("rules")
    with extensions.no_relation_spans():
        inside = nlp(TEXT)
    outside = nlp(TEXT)
    assert inside._.relations == outside._.relations and len(outside._.relations) >= 3
    assert "VALUE_OF" not in inside.spans and len(outside.spans["VALUE_OF"]) >= 3
    with extensions.no_relation_spans():  # also for a component that defers its spans
        with extensions.deferred_relation_spans(inside):
            inside._.relations = outside._.relations
    assert "VALUE_OF" not in inside.spans


def test_parse_many_skips_the_spans_only_for_its_own_docs() -> None:
    nlp = govie.load("rules")
    reports = govie.parse_many([TEXT, TEXT], nlp=nlp)
    first = next(reports)
    between = nlp(TEXT)  # a Doc of the caller's, made while parse_many is paused: spans as always
    second = next(reports)
    assert [s.text for s in between.spans["VALUE_OF"]] == ["57194条", "169件", "34件"]
    assert first.to_json() == second.to_json()
    assert [f.indicator for f in first.facts] == ["主动公开政府信息", "受理依申请公开", "当面申请"]
