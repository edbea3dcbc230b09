"""How much pre-annotation bent the gold toward the pipeline: a pipeline (by default the shipped one,
which pre-annotated corpus v2) scored against the first pass (pre-annotated, then corrected) and against
the independent second pass (annotated from scratch) of the same agreement documents.

    python training/preannotation_bias.py [--model DIR] [--corpus DIR] [--reports DIR]

If the first pass had been bent toward the pre-annotation, the pipeline would score clearly higher
against it than against the second pass. The v1 agreement documents (r018, r022, r030, r047, r051,
s000), annotated before pre-annotation was used, are left out.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import govie
from govie.corpus.records import DEFAULT_CORPUS, CorpusError, default_reports_dir, load_record
from govie.training.evaluate import Scores, score_doc

V1_SAMPLE = {"r018", "r022", "r030", "r047", "r051", "s000"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--reports", type=Path, default=None)
    args = ap.parse_args()
    reports = args.reports or default_reports_dir()
    nlp = govie.load(args.model)
    tallies: dict[tuple[str, str], Scores] = {}
    for path in sorted((args.corpus / "agreement").glob("*.json")):
        if path.stem in V1_SAMPLE:
            continue
        try:
            second = load_record(path, args.corpus, reports)
            first = load_record(args.corpus / "annotations" / path.name, args.corpus, reports)
        except (CorpusError, FileNotFoundError) as e:
            print(f"skipped {path.stem}: {e}")
            continue
        report = govie.parse(first.text, nlp=nlp)
        kind = first.meta.get("kind", "opening" if first.id.startswith("o") else "report")
        for name, gold in (("first pass (pre-annotated)", first), ("second pass (from scratch)", second)):
            score_doc(gold, report, tallies.setdefault((kind, name), Scores()))
    print("| kind (documents) | pipeline scored against | quantity F1 | fact F1 | fact F1 (exact indicator) |")
    print("|---|---|---|---|---|")
    for (kind, name), s in sorted(tallies.items()):
        print(f"| {kind} ({s.documents}) | {name} | {s.quantity.f:.3f} | {s.fact.f:.3f} | {s.fact_exact.f:.3f} |")


if __name__ == "__main__":
    main()
