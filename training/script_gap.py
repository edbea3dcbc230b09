"""The script gap of the rule and shipped pipelines on train/dev (issue #17, "traditional within 2 points").

    python training/script_gap.py [--split dev train] [--model DIR] [--out PREFIX]

For each split: the simplified originals, an OpenCC s2t copy of each (``corpus.records.to_traditional``,
the copies training adds) and the traditional originals, each group scored apart (fact F1, exact-indicator
fact F1, quantity F1, PART_OF F1), for ``govie.load("rules")`` and the shipped pipeline. The copies carry the
same gold as their originals, so a gap between the two rows is the script alone. Train and dev only: the
test split is for the frozen pipeline (``govie evaluate --split test``).
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import govie
from govie.corpus import load_corpus
from govie.corpus.records import to_traditional
from govie.training.evaluate import Scores, score_doc, score_groups


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", nargs="+", default=["dev", "train"], choices=["train", "dev"])
    ap.add_argument("--model", default=None, help="the pipeline scored beside the rules (default: the shipped one)")
    ap.add_argument("--out", default=None, help="also write per-document scores to PREFIX.SPLIT.PIPELINE.jsonl")
    args = ap.parse_args(argv)
    docs = load_corpus()
    rows = {}
    for split in args.split:
        real = [d for d in docs if d.split == split and d.origin == "real"]
        simp = [d for d in real if d.script == "simplified"]
        copies = [to_traditional(d) for d in simp]
        trad = [d for d in real if d.script == "traditional"]
        gold = simp + copies + trad
        group = {id(d): g for ds, g in ((simp, "simplified"), (copies, "s2t copy"), (trad, "traditional original"))
                 for d in ds}
        for name in ("rules", "shipped"):
            nlp = govie.load("rules") if name == "rules" else govie.load(args.model)
            t0 = time.process_time()
            reports = list(govie.parse_many([d.text for d in gold], nlp=nlp))
            if args.out:
                with open(f"{args.out}.{split}.{name}.jsonl", "w", encoding="utf-8") as f:
                    for d, r in zip(gold, reports):
                        one = Scores()
                        score_doc(d, r, one)
                        f.write(json.dumps({"id": d.id, "group": group[id(d)], "fact": one.fact.to_dict(),
                                            "exact": one.fact_exact.to_dict()}, ensure_ascii=False) + "\n")
            groups = score_groups(gold, reports, {"g": lambda d: group[id(d)]})
            for g, s in sorted(groups["g"].items()):
                rows[f"{split} | {name} | {g}"] = (s.documents, s.fact.f, s.fact_exact.f, s.quantity.f,
                                                   s.relations["PART_OF"].f)
            print(f"{split} {name}: {time.process_time() - t0:.0f} s CPU", file=sys.stderr)
    print(f"{'split | pipeline | group':44s} docs  fact F1  exact F1  qty F1  PART_OF F1")
    for k, v in rows.items():
        print(f"{k:44s} {v[0]:4d}  {v[1]:.3f}    {v[2]:.3f}     {v[3]:.3f}   {v[4]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
