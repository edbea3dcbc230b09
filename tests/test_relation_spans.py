"""Relations as spaCy users expect them (#18): typed records in ``Doc._.relations`` that survive
``nlp.pipe(n_process=2)``, and a ``doc.spans`` group per relation label (what displaCy draws)."""
from __future__ import annotations

import pytest
from spacy.tokens import Doc

import govie
from govie.pipeline.extensions import Relation

TEXT = "全市累计主动公开政府信息57194条，共受理依申请公开169件，其中当面申请34件。"


@pytest.fixture(scope="module")
def nlp():
    return govie.load("rules")


def _check_records(doc: Doc) -> None:
    rels = doc._.relations
    assert rels, "the sample text has relations"
    for r in rels:
        assert isinstance(r, tuple) and isinstance(r, Relation), type(r)
        hs, he, ts, te, label, score = r  # still unpacks like the plain 6-tuple
        assert (r.head_start, r.head_end, r.tail_start, r.tail_end, r.label, r.score) == (hs, he, ts, te, label, score)
        assert label in ("VALUE_OF", "PART_OF")


def test_relations_are_typed_records(nlp):
    _check_records(nlp(TEXT))


def test_relations_stay_tuples_after_n_process_2(nlp):
    one = [nlp(t) for t in [TEXT] * 4]
    docs = list(nlp.pipe([TEXT] * 4, n_process=2, batch_size=1))
    for doc, ref in zip(docs, one):
        _check_records(doc)
        assert doc._.relations == ref._.relations
        assert sorted(doc._.relations) == doc._.relations
        assert {k: [(s.start_char, s.end_char, s.id_) for s in g] for k, g in doc.spans.items()} == \
            {k: [(s.start_char, s.end_char, s.id_) for s in g] for k, g in ref.spans.items()}


def test_relation_span_groups(nlp):
    doc = nlp(TEXT)
    value_of = doc.spans["VALUE_OF"]
    pairs = {(s.text, s._.tail.text) for s in value_of}
    assert ("57194条", "主动公开政府信息") in pairs
    assert ("34件", "当面申请") in pairs
    n_value_of = sum(1 for r in doc._.relations if r.label == "VALUE_OF")
    assert len(value_of) == n_value_of
    for s in value_of:
        assert s.label_ == "VALUE_OF"
        assert s._.tail.label_ == "METRIC"
        assert any(e.start_char == s.start_char and e.label_ == "QUANTITY" for e in doc.ents)
        assert s._.score == 1.0
    part_of = doc.spans["PART_OF"]
    assert ("当面申请", "受理依申请公开") in {(s.text, s._.tail.text) for s in part_of}


def test_span_groups_follow_the_relations(nlp):
    doc = nlp(TEXT)
    doc._.relations = [r for r in doc._.relations if r.label == "PART_OF"]
    assert len(doc.spans["VALUE_OF"]) == 0
    assert len(doc.spans["PART_OF"]) >= 1
    doc._.relations = []
    assert len(doc.spans["PART_OF"]) == 0


def test_a_metric_linked_from_two_quantities_and_a_quantity_with_two_metrics():
    nlp = govie.load("rules")
    doc = nlp("受理申请10件，办结10件。")
    # hand-made relations: one quantity to two metrics, both kept apart in the group
    q = next(e for e in doc.ents if e.label_ == "QUANTITY")
    ms = [e for e in doc.ents if e.label_ == "METRIC"] or [doc[0:2]]
    doc._.relations = [(q.start_char, q.end_char, m.start_char, m.end_char, "VALUE_OF", 0.5) for m in ms] + \
        [(q.start_char, q.end_char, 0, 2, "VALUE_OF", 0.25)]
    tails = sorted((s._.tail.start_char, s._.tail.end_char, s._.score) for s in doc.spans["VALUE_OF"])
    assert tails == sorted((r.tail_start, r.tail_end, r.score) for r in doc._.relations)


def test_displacy_draws_a_relation_group(nlp):
    from spacy import displacy

    doc = nlp(TEXT)
    html = displacy.render(doc, style="span", options={"spans_key": "VALUE_OF"})
    assert html.count(">VALUE_OF<") + html.count("VALUE_OF\n") >= 1
    assert html.count("VALUE_OF") >= len(doc.spans["VALUE_OF"]) >= 3


def test_relations_of_a_doc_bin_round_trip(nlp):
    from spacy.tokens import DocBin

    doc = nlp(TEXT)
    db = DocBin(store_user_data=True, docs=[doc])
    (back,) = DocBin().from_bytes(db.to_bytes()).get_docs(nlp.vocab)
    _check_records(back)
    assert back._.relations == doc._.relations
    assert [s._.tail.text for s in back.spans["VALUE_OF"]] == [s._.tail.text for s in doc.spans["VALUE_OF"]]
