"""The effect of ``govie_metric_bounds`` on METRIC exact match and exact-indicator fact F1 (issue #17).

    python training/metric_bounds_effect.py --split dev [--split train]

Rows: the shipped pipeline with the component's pre-#17 behaviour (``trim_metric`` alone, word
lists empty), with its current word lists (after the NER, as shipped), and with a second instance
after the linkers (``relations = true``: the final METRICs, their relations moved with them); the
rule pipeline without and with that final instance. Train and dev only.
"""
from __future__ import annotations

import argparse
import sys

import govie
from govie.api import build_rule_pipeline
from govie.pipeline.metric_bounds import METRIC_BOUNDS_CONFIG
from govie.corpus import load_corpus
from govie.training.evaluate import Scores, score_doc


def variants():
    def shipped(lists: bool, final: bool):
        nlp = govie.api._load_cached.__wrapped__(str(govie.api.MODEL_DIR))  # a fresh copy, not the cached one
        if "govie_metric_bounds_final" in nlp.pipe_names:  # shipped since #17: measured with and without
            nlp.remove_pipe("govie_metric_bounds_final")
        if not lists:
            nlp.replace_pipe("govie_metric_bounds", "govie_metric_bounds", config={k: [] for k in METRIC_BOUNDS_CONFIG})
        if final:
            nlp.add_pipe("govie_metric_bounds", name="govie_metric_bounds_final", before="govie_indicators",
                         config={"relations": True})
        return nlp

    def rules(final: bool):
        nlp = build_rule_pipeline()
        if final:
            nlp.add_pipe("govie_metric_bounds", name="metric_bounds_final", before="govie_indicators",
                         config={"relations": True})
        return nlp

    yield "shipped, pre-#17 bounds", lambda: shipped(False, False)
    yield "shipped, word lists", lambda: shipped(True, False)
    yield "shipped + final (as now)", lambda: shipped(True, True)
    yield "rules", lambda: rules(False)
    yield "rules + final bounds", lambda: rules(True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", action="append", choices=["train", "dev"], help="repeatable; default dev")
    args = ap.parse_args(argv)
    docs_all = load_corpus(missing="skip")
    print(f"{'split':6} {'pipeline':26} {'METRIC P':>9} {'R':>6} {'F':>6} {'fact F1':>8} {'exact-ind. F1':>14} "
          f"{'VALUE_OF F':>11}")
    for split in args.split or ["dev"]:
        docs = [d for d in docs_all if d.split == split]
        for name, make in variants():
            s = Scores()
            for d, r in zip(docs, govie.parse_many([d.text for d in docs], nlp=make())):
                score_doc(d, r, s)
            m = s.ner["METRIC"]
            print(f"{split:6} {name:26} {m.p:9.3f} {m.r:6.3f} {m.f:6.3f} {s.fact.f:8.3f} {s.fact_exact.f:14.3f} "
                  f"{s.relations['VALUE_OF'].f:11.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
