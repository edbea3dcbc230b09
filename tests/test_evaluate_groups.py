"""govie.training.evaluate.score_groups: the per-kind / format / layout / script scores of training/ablations.py."""
import pytest

from govie.corpus import CorpusDoc
from govie.training.evaluate import Scores, score_doc, score_groups
from govie.report import Fact, Report, TextSpan

TEXT = "受理申请5件，办结4件。"


def _doc(i: str, kind: str, script: str, fmt: str) -> CorpusDoc:
    ents = [{"id": "m1", "label": "METRIC", "start": 0, "end": 4, "text": "受理申请"},
            {"id": "q1", "label": "QUANTITY", "start": 4, "end": 6, "text": "5件", "value": 5, "unit": "件",
             "approximate": False},
            {"id": "m2", "label": "METRIC", "start": 7, "end": 9, "text": "办结"},
            {"id": "q2", "label": "QUANTITY", "start": 9, "end": 11, "text": "4件", "value": 4, "unit": "件",
             "approximate": False}]
    rels = [{"type": "VALUE_OF", "head": "q1", "tail": "m1"}, {"type": "VALUE_OF", "head": "q2", "tail": "m2"}]
    return CorpusDoc(i, TEXT, {"layout": "narrative", "kind": kind, "script": script, "format": fmt}, ents, rels)


def _report(right: int) -> Report:
    """A report with ``right`` of the two facts correct (the other has a wrong value)."""
    facts = [Fact(TextSpan(4, 6, "5件"), 5 if right >= 1 else 50, "件", False, [TextSpan(0, 4, "受理申请")]),
             Fact(TextSpan(9, 11, "4件"), 4 if right >= 2 else 40, "件", False, [TextSpan(7, 9, "办结")])]
    return Report(TEXT, facts, facts)


def test_groups_add_up_to_the_whole_and_match_score_doc():
    docs = [_doc("a", "report", "simplified", "new"), _doc("b", "opening", "traditional", "old"),
            _doc("c", "opening", "simplified", "old")]
    reports = [_report(2), _report(0), _report(1)]
    groups = score_groups(docs, reports)
    assert set(groups) == {"all", "kind", "format", "layout", "script"}
    whole = Scores()
    for d, r in zip(docs, reports):
        score_doc(d, r, whole)
    assert groups["all"]["all"].to_dict() == whole.to_dict()
    assert groups["kind"]["report"].fact.f == pytest.approx(1.0)
    opening = groups["kind"]["opening"].fact
    assert (opening.tp, opening.fp, opening.fn) == (1, 3, 3)
    assert groups["script"]["traditional"].fact.f == 0.0 and groups["script"]["traditional"].documents == 1
    assert groups["format"]["old"].documents == 2 and groups["layout"]["narrative"].documents == 3
    for name in ("kind", "format", "script"):
        assert sum(s.fact.tp for s in groups[name].values()) == whole.fact.tp


def test_a_missing_report_is_an_error_not_a_silent_truncation():
    with pytest.raises(ValueError, match="2 gold documents but 1 reports"):
        score_groups([_doc("a", "report", "simplified", "new"), _doc("b", "report", "simplified", "new")],
                     [_report(2)])
