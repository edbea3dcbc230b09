"""Share of gold QUANTITY/METRIC boundaries that fall on token boundaries of a pipeline's tokenizer.

    python training/boundaries.py [--model DIR]
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter

import govie
from govie.corpus.records import load_corpus


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    nlp = govie.load(args.model)
    docs = load_corpus()
    rows = Counter()
    misses = []
    for d in docs:
        doc = nlp.make_doc(d.text)
        edges = {t.idx for t in doc} | {t.idx + len(t.text) for t in doc}
        for e in d.entities:
            for b in (e["start"], e["end"]):
                ok = b in edges
                rows[(d.split, e["label"], ok)] += 1
                if not ok:
                    misses.append(f"{d.id} {e['label']} {d.text[max(0, b - 4):b]!r}|{d.text[b:b + 4]!r}")
    print("| split | label | boundaries | on a token boundary | share |")
    print("|---|---|---|---|---|")
    for split in ("train", "dev", "test"):
        for label in ("QUANTITY", "METRIC"):
            ok, bad = rows[(split, label, True)], rows[(split, label, False)]
            print(f"| {split} | {label} | {ok + bad} | {ok} | {ok / max(1, ok + bad):.4%} |")
    ok = sum(v for k, v in rows.items() if k[2])
    total = sum(rows.values())
    print(f"| all | all | {total} | {ok} | {ok / total:.4%} |")
    for m in misses:
        print("miss:", m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
