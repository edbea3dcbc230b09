"""The shipped pipeline's scores on the dev split stay above a floor (#13): a retrained or edited
pipeline that loses more than a few points on dev fails here before it ships.

Floors are about a point under the shipped pipeline's dev scores on corpus v2 (`govie evaluate --split
dev`, pipeline 0.2.0: quantity 0.996, fact 0.958, exact indicator 0.921, PART_OF 0.689).
"""
import pytest

import govie
from govie.corpus.records import default_reports_dir, load_corpus
from govie.training.evaluate import evaluate

FLOORS = {"quantity": 0.99, "fact": 0.95, "fact_exact": 0.91, "part_of": 0.65}


@pytest.mark.skipif(default_reports_dir() is None, reason="needs ../shared/reports (the corpus texts)")
def test_shipped_pipeline_dev_scores_above_floor():
    dev = [d for d in load_corpus() if d.split == "dev"]
    assert len(dev) >= 40
    scores = evaluate(dev, govie.load())
    got = {"quantity": scores.quantity.f, "fact": scores.fact.f, "fact_exact": scores.fact_exact.f,
           "part_of": scores.relations["PART_OF"].f}
    low = {k: round(v, 3) for k, v in got.items() if v < FLOORS[k]}
    assert not low, f"dev scores under the floor {FLOORS}: {low}"
