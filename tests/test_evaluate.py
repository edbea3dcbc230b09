"""govie.training.evaluate on hand-computed cases: every model-card figure comes from these functions."""
import pytest

from govie.corpus.records import CorpusDoc
from govie.training.evaluate import PRF, Scores, format_table, score_doc
from govie.report import Fact, Report, TextSpan

TEXT = "受理申请5件，办结4件，当面申请3件。"
#       0123456789...: 受理申请[0,4) 5件[4,6) 办结[7,9) 4件[9,11) 当面申请[12,16) 3件[16,18)


def _gold() -> CorpusDoc:
    ents = [
        {"id": "m1", "label": "METRIC", "start": 0, "end": 4, "text": "受理申请"},
        {"id": "q1", "label": "QUANTITY", "start": 4, "end": 6, "text": "5件", "value": 5, "unit": "件", "approximate": False},
        {"id": "m2", "label": "METRIC", "start": 7, "end": 9, "text": "办结"},
        {"id": "q2", "label": "QUANTITY", "start": 9, "end": 11, "text": "4件", "value": 4, "unit": "件", "approximate": False},
        {"id": "m3", "label": "METRIC", "start": 12, "end": 16, "text": "当面申请"},
        {"id": "q3", "label": "QUANTITY", "start": 16, "end": 18, "text": "3件", "value": 3, "unit": "件", "approximate": False},
    ]
    rels = [{"type": "VALUE_OF", "head": "q1", "tail": "m1"}, {"type": "VALUE_OF", "head": "q2", "tail": "m2"},
            {"type": "VALUE_OF", "head": "q3", "tail": "m3"}, {"type": "PART_OF", "head": "m3", "tail": "m1"}]
    return CorpusDoc("t1", TEXT, {"layout": "narrative"}, ents, rels)


def _span(s: int, e: int) -> TextSpan:
    return TextSpan(s, e, TEXT[s:e])


def _pred() -> Report:
    f1 = Fact(_span(4, 6), 5, "件", False, [_span(0, 4)])      # right, exact indicator
    f2 = Fact(_span(9, 11), 4, "件", False, [_span(8, 9)])     # right figure, indicator only overlaps (结)
    f3 = Fact(_span(16, 18), 30, "件", False, [_span(12, 16)])  # wrong value
    rel = lambda q, m: {"label": "VALUE_OF", "head": {"start": q.start, "end": q.end, "text": q.text},  # noqa: E731
                        "tail": {"start": m.start, "end": m.end, "text": m.text}, "score": 1.0}
    return Report(TEXT, [f1, f2, f3], [f1, f2, f3], [rel(f.quantity, f.metrics[0]) for f in (f1, f2, f3)])


@pytest.fixture
def scores() -> Scores:
    s = Scores()
    score_doc(_gold(), _pred(), s)
    return s


def test_quantity_counts_overlapping_spans(scores):
    assert (scores.quantity.tp, scores.quantity.fp, scores.quantity.fn) == (3, 0, 0)


def test_fact_needs_value_unit_and_an_overlapping_metric(scores):
    assert (scores.fact.tp, scores.fact.fp, scores.fact.fn) == (2, 1, 1)
    assert scores.fact.f == pytest.approx(2 / 3)


def test_exact_fact_needs_the_exact_metric(scores):
    assert (scores.fact_exact.tp, scores.fact_exact.fp, scores.fact_exact.fn) == (1, 2, 2)
    assert scores.fact_exact.f == pytest.approx(1 / 3)


def test_ner_and_relations_are_exact(scores):
    assert (scores.ner["METRIC"].tp, scores.ner["METRIC"].fp, scores.ner["METRIC"].fn) == (2, 1, 1)
    assert (scores.ner["QUANTITY"].tp, scores.ner["QUANTITY"].fp) == (3, 0)
    assert (scores.relations["VALUE_OF"].tp, scores.relations["VALUE_OF"].fp, scores.relations["VALUE_OF"].fn) == (2, 1, 1)
    assert (scores.relations["PART_OF"].tp, scores.relations["PART_OF"].fn) == (0, 1)
    assert scores.relations["PART_OF"].f == 0.0


def test_unit_mismatch_is_a_miss():
    s = Scores()
    pred = _pred()
    pred.facts[0] = Fact(_span(4, 6), 5, "条", False, [_span(0, 4)])
    score_doc(_gold(), pred, s)
    assert s.fact.tp == 1


def test_matching_is_one_to_one():
    """Two predictions on one gold figure: one true positive, one false positive."""
    s = Scores()
    f = Fact(_span(4, 6), 5, "件", False, [_span(0, 4)])
    dup = Fact(_span(5, 6), 5, "件", False, [_span(0, 4)])
    score_doc(_gold(), Report(TEXT, [f, dup], [f, dup]), s)
    assert (s.fact.tp, s.fact.fp, s.fact.fn) == (1, 1, 2)
    assert (s.quantity.tp, s.quantity.fp, s.quantity.fn) == (1, 1, 2)


def test_micro_average_over_documents(scores):
    score_doc(_gold(), Report(TEXT, [], []), scores)
    assert scores.documents == 2
    assert (scores.fact.tp, scores.fact.fp, scores.fact.fn) == (2, 1, 4)
    assert scores.fact.p == pytest.approx(2 / 3) and scores.fact.r == pytest.approx(2 / 6)


def test_prf_edge_cases():
    assert PRF().f == 0.0 and PRF(0, 3, 0).p == 0.0 and PRF(1, 0, 0).f == 1.0
    assert PRF(1, 1, 1).p == 0.5 and PRF(1, 1, 1).r == 0.5 and PRF(1, 1, 1).f == 0.5


def test_format_table_prints_each_pipeline(scores):
    table = format_table({"a": scores, "b": Scores()})
    assert "fact F1" in table.splitlines()[2] and "0.667" in table.splitlines()[2]
    assert table.splitlines()[-1] == "(1 documents)"
    label_width = len("fact F1 (exact indicator)") + 2  # the longest row label, then two spaces
    assert table.splitlines()[1] == "quantity F1".ljust(label_width) + "1.000".rjust(12) + "0.000".rjust(12)


# --------------------------------------------------------------------------- mutation survivors (#13)
def test_an_exact_indicator_alone_is_an_exact_fact():
    s = Scores()
    f1 = Fact(_span(4, 6), 5, "件", False, [_span(0, 4)])  # 受理申请 exactly
    score_doc(_gold(), Report(TEXT, [f1], [f1]), s)
    assert (s.fact_exact.tp, s.fact_exact.fp, s.fact_exact.fn) == (1, 0, 2)
    assert (s.fact.tp, s.fact.fp, s.fact.fn) == (1, 0, 2)


def test_score_groups_takes_one_report_per_gold_document():
    from govie.training.evaluate import score_groups

    groups = score_groups([_gold()], [_pred()], {"layout": lambda d: d.layout})
    assert (groups["all"]["all"].fact.tp, groups["all"]["all"].fact.fp, groups["all"]["all"].fact.fn) == (2, 1, 1)
    assert groups["layout"]["narrative"].documents == 1
    with pytest.raises(ValueError, match="2 gold documents but 1 reports"):
        score_groups([_gold(), _gold()], [_pred()], {})


def test_format_table_header_names_stand_over_their_columns(scores):
    table = format_table({"a": scores, "b": Scores()})
    label_width = len("fact F1 (exact indicator)") + 2
    assert table.splitlines()[0] == " " * label_width + "a".rjust(12) + "b".rjust(12)
