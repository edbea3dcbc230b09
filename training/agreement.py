"""Inter-annotator agreement: the second, independent pass (corpus/agreement/) against the first
(corpus/annotations/, taken as gold), scored with govie.training.evaluate's own measures.

    python training/agreement.py [--corpus DIR] [--reports DIR]

Prints one row per document, then per kind (opening / report, micro-averaged) and overall (micro):
entity F1 (exact span + label), QUANTITY F1 (overlapping spans), fact F1 and fact F1 with the exact
indicator span. A second-pass record whose first-pass record does not exist yet (or whose text is
not available) is skipped, and named.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from govie.corpus.records import DEFAULT_CORPUS, KINDS, CorpusError, default_reports_dir, load_record
from govie.training.evaluate import PRF, Scores, score_doc
from govie.corpus.interop import doc_to_report


class Tally:
    """Entity PRF (exact span + label) next to the evaluation's Scores."""

    def __init__(self) -> None:
        self.entities = PRF()
        self.scores = Scores()

    def add(self, first, second) -> None:
        score_doc(first, doc_to_report(second), self.scores)
        g = {(e["start"], e["end"], e["label"]) for e in first.entities}
        p = {(e["start"], e["end"], e["label"]) for e in second.entities}
        self.entities.add(len(g & p), len(p - g), len(g - p))

    def cells(self) -> str:
        s = self.scores
        return f"{self.entities.f:.3f} | {s.quantity.f:.3f} | {s.fact.f:.3f} | {s.fact_exact.f:.3f}"


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"corpus directory (default {DEFAULT_CORPUS})")
    ap.add_argument("--reports", type=Path, default=None,
                    help="directory holding the report texts (default $GOVIE_REPORTS_DIR or ../shared/reports)")
    args = ap.parse_args(argv)
    corpus, reports = args.corpus, args.reports or default_reports_dir()
    if not (corpus / "agreement").is_dir():
        print(f"{corpus / 'agreement'}: no such directory", file=sys.stderr)
        return 2
    rows = []
    per_kind = {k: Tally() for k in KINDS}
    total = Tally()
    skipped = []
    for path in sorted((corpus / "agreement").glob("*.json")):
        first_path = corpus / "annotations" / path.name
        if not first_path.exists():
            skipped.append((path.stem, "no first-pass record yet"))
            continue
        try:
            second = load_record(path, corpus, reports)
            first = load_record(first_path, corpus, reports)
        except CorpusError as e:
            skipped.append((path.stem, str(e)))
            continue
        one = Tally()
        for t in (one, per_kind.setdefault(first.kind, Tally()), total):
            t.add(first, second)
        rows.append((first.id, first.kind, first.layout, one))
    print("| document | kind | layout | entity F1 (exact span+label) | QUANTITY F1 (overlap) | fact F1 | "
          "fact F1 (exact indicator) |")
    print("|---|---|---|---|---|---|---|")
    for doc_id, kind, layout, t in rows:
        print(f"| {doc_id} | {kind} | {layout} | {t.cells()} |")
    for kind, t in per_kind.items():
        if t.scores.documents:
            print(f"| **{kind}s ({t.scores.documents} docs, micro)** | {kind} | | {t.cells()} |")
    print(f"| **all ({total.scores.documents} docs, micro)** | | | {total.cells()} |")
    for doc_id, why in skipped:
        print(f"skipped {doc_id}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
