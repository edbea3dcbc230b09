"""Per-document scores of a pipeline on a corpus split (for the model card's error analysis).

    python training/per_doc.py --split dev [--model DIR|rules]
"""
from __future__ import annotations

import argparse
import sys

import govie
from govie.corpus.records import load_corpus
from govie.training.evaluate import Scores, score_doc


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="dev")
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    nlp = govie.load(args.model)
    docs = [d for d in load_corpus() if d.split == args.split]
    print("| document | layout | quantities | quantity F1 | fact F1 | fact F1 (exact) |")
    print("|---|---|---|---|---|---|")
    for d, r in zip(docs, govie.parse_many([d.text for d in docs], nlp=nlp)):
        s = Scores()
        score_doc(d, r, s)
        n = sum(e["label"] == "QUANTITY" for e in d.entities)
        print(f"| {d.id} | {d.layout} | {n} | {s.quantity.f:.3f} | {s.fact.f:.3f} | {s.fact_exact.f:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
