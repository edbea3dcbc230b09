"""Narrative facts on the canonical indicators, measured against the tables of the same report.

    python training/narrative_indicators.py [--split train,dev] [--model DIR|rules] [--show N]

For each document of the splits (never ``test``: the model is tuned on what this prints), parses the
text and prints

- how many narrative facts (a fact whose quantity lies outside the statistics tables the table reader
  found) carry an ``indicator_id``;
- of those, how many have a table cell with the same id in the same report ("comparable"), and how
  many of these agree with the cell (:func:`govie.checks.agrees`: same value, or within the precision
  a ``1.2万`` states; approximate figures ``约``/``余`` agree when within 10 %);
- per indicator id, the counts; with ``--show N``, the first N disagreements (id, narrative span,
  table span, values) — the list to read before changing a phrase pattern.

A wrong id is worse than none: a disagreement is read as a wrong id (or a report whose text and
table disagree — ``Report.checks`` flags those).
"""
from __future__ import annotations

import argparse
import collections
import sys

import govie
from govie.checks import compare, narrative_and_cells
from govie.corpus import load_corpus


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="train,dev", help="comma-separated splits (test is refused)")
    ap.add_argument("--model", default=None, help="pipeline directory or 'rules' (default: the shipped one)")
    ap.add_argument("--show", type=int, default=0, help="print the first N disagreements")
    ap.add_argument("--show-unmatched", type=int, default=0,
                    help="print N narrative facts without an id whose METRIC holds a template word")
    args = ap.parse_args(argv)
    splits = [s.strip() for s in args.split.split(",") if s.strip()]
    if "test" in splits:
        print("narrative_indicators: the test split is not for tuning; use train/dev", file=sys.stderr)
        return 2
    docs = [d for d in load_corpus() if d.split in splits]
    nlp = govie.load(args.model)
    totals = collections.Counter()
    per_id: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    shown = unmatched_shown = 0
    for d, report in zip(docs, govie.parse_many([d.text for d in docs], nlp=nlp)):
        narrative, cells = narrative_and_cells(report)
        totals["documents"] += 1
        totals["documents with tables"] += bool(report.meta.get("tables"))
        totals["narrative facts"] += len(narrative)
        for f in narrative:
            if not f.indicator_id:
                if unmatched_shown < args.show_unmatched and d.layout != "narrative":
                    unmatched_shown += 1
                    print(f"  no id  {d.id}  {f.quantity.text!r} ← {f.indicator!r}")
                continue
            totals["with id"] += 1
            c = per_id[f.indicator_id]
            c["with id"] += 1
            verdicts = [compare(f, cell) for cell in cells.get(f.indicator_id, [])]
            if not any(v is not None for v in verdicts):
                continue
            totals["comparable"] += 1
            c["comparable"] += 1
            if any(verdicts):
                totals["agree"] += 1
                c["agree"] += 1
            elif shown < args.show:
                shown += 1
                cell = cells[f.indicator_id][verdicts.index(False)]
                print(f"  differs  {d.id}  {f.indicator_id}: narrative {f.quantity.text!r}={f.value} "
                      f"({f.indicator!r} @{f.quantity.start}) vs table {cell.quantity.text!r}={cell.value} "
                      f"@{cell.quantity.start}")
    print(f"splits: {','.join(splits)}  model: {args.model or 'shipped'}")
    for k in ("documents", "documents with tables", "narrative facts", "with id", "comparable", "agree"):
        print(f"{k:24s}{totals[k]:8d}")
    wi, cmp_, ag = totals["with id"], totals["comparable"], totals["agree"]
    print(f"{'share with id':24s}{wi / max(1, totals['narrative facts']):8.3f}")
    print(f"{'agree / comparable':24s}{ag / max(1, cmp_):8.3f}")
    print("\nper indicator id: with id / comparable / agree")
    for iid, c in sorted(per_id.items(), key=lambda kv: -kv[1]["with id"]):
        print(f"  {iid:40s}{c['with id']:6d}{c['comparable']:6d}{c['agree']:6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
