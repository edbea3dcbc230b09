"""Inter-annotator agreement: the second, independent pass (corpus/agreement/) against the corpus.

    python training/agreement.py            # prints the table used in corpus/README.md
"""
from __future__ import annotations

import sys

from govie.corpus import DEFAULT_CORPUS, default_reports_dir, load_record
from govie.evaluate import PRF, Scores, score_doc
from govie.interop import doc_to_report


def main() -> int:
    reports = default_reports_dir()
    rows = []
    total = Scores()
    exact = PRF()
    for path in sorted((DEFAULT_CORPUS / "agreement").glob("*.json")):
        second = load_record(path, DEFAULT_CORPUS, reports)
        first = load_record(DEFAULT_CORPUS / "annotations" / path.name, DEFAULT_CORPUS, reports)
        s = Scores()
        score_doc(first, doc_to_report(second), s)
        score_doc(first, doc_to_report(second), total)
        g = {(e["start"], e["end"], e["label"]) for e in first.entities}
        p = {(e["start"], e["end"], e["label"]) for e in second.entities}
        exact.add(len(g & p), len(p - g), len(g - p))
        ent = PRF(); ent.add(len(g & p), len(p - g), len(g - p))
        rows.append((first.id, first.layout, ent.f, s.quantity.f, s.fact.f, s.fact_exact.f))
    print("| document | layout | entity F1 (exact span+label) | QUANTITY F1 (overlap) | fact F1 | fact F1 (exact indicator) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]:.3f} | {r[3]:.3f} | {r[4]:.3f} | {r[5]:.3f} |")
    print(f"| **all ({len(rows)} docs, micro)** | | {exact.f:.3f} | {total.quantity.f:.3f} | {total.fact.f:.3f} | "
          f"{total.fact_exact.f:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
