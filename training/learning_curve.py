"""Learning curve: scores against the number of training documents (issue #17 item 4).

    python training/learning_curve.py --sizes 25 50 100 225 --split dev [--out DIR] [--base MODEL]
    python training/learning_curve.py --sizes 25 50 100 225 --split test --reuse   # once, at the end

For each size N the pipeline is retrained on N training documents drawn by issuer
(``govie/training/subset.py``: whole issuers in an order shuffled with ``--seed``, nested for growing
N, plus their traditional-script copies): tok2vec + NER (``training/ner.cfg``) and ``govie_relations``
(``training/config.cfg``), i.e. ``govie train --stages ner+relations --base MODEL --train-docs N``.
Both select their best epoch on the dev split, as ``govie train`` does. Each pipeline is scored on
``--split`` and the script prints one row per size (row 0: the rule pipeline, no training at all):
documents, issuers, quantity F1, fact F1, exact-indicator fact F1, PART_OF F1, the openings' fact F1
and exact-indicator fact F1, and the training time (CPU seconds of the process and wall seconds).

**The tokenizer is not retrained.** Every size reuses the pkuseg model of ``--base`` (default: the
shipped pipeline, whose segmenter was trained on all training documents): the pkuseg stage of
``govie train`` takes about 40 minutes and is not repeated per size. The smaller sizes therefore
get a segmenter that has seen more training text than their NER and relations; the curve measures
the NER and relation data, not the segmenter's. At the full size the base's tok2vec + NER are reused
as well (same training: all training documents, ``training/ner.cfg``, seed 0) unless
``--retrain-full`` is given, so only the relations are retrained there; that row's time does not
count the base's NER training (marked ``*``).

Pipelines, their subsets and times stay under ``--out`` (default ``../lc`` beside the project), one
directory per size (``n025/model``, ``n025/run.json``); ``--reuse`` scores them again without
training (an error if one is missing or was drawn from another subset; ``--base`` plays no part, the
note names the base each was trained on). Without ``--reuse`` a size already trained with the same
subset and base (same pkuseg, and NER where reused, by sha256) is kept, so an interrupted run resumes.
After a change to the relation stage only, ``--ner-from EARLIER_OUT`` retrains just the relations of
each size on its own earlier tok2vec + NER (the time column then counts the relation stage, ``*``). Scores are
also written to ``DIR/scores-<split>.json``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Optional, Sequence

from govie.corpus.records import PROJECT_ROOT, CorpusDoc, issuer_key, load_corpus
from govie.pipeline.tokenizer import pkuseg_model_dir
from govie.training import train as train_mod
from govie.training.evaluate import Scores, score_doc
from govie.training.subset import SubsetError, issuer_subset

DEFAULT_OUT = PROJECT_ROOT.parent / "lc"
DEFAULT_BASE = train_mod.DEFAULT_OUTPUT
TOKENIZER_NOTE = ("tokenizer: the pkuseg model of {base} is reused at every size (not retrained: the pkuseg "
                  "stage takes ~40 minutes); it was trained on the whole train split, so smaller sizes get a "
                  "segmenter that has seen more text than their NER and relations")


class CurveError(ValueError):
    """A learning-curve run that cannot go on (bad size, missing or stale pipeline under --out)."""


def parse_sizes(values: Sequence[str], available: int) -> list[int]:
    """Sizes as given (``all`` = every training document), sorted, without repeats."""
    out = set()
    for v in values:
        if v == "all":
            out.add(available)
            continue
        try:
            n = int(v)
        except ValueError:
            raise CurveError(f"--sizes: {v!r} is not a number of documents (or 'all')") from None
        if not 1 <= n <= available:
            raise CurveError(f"--sizes: {n} is not between 1 and {available} (the real training documents)")
        out.add(n)
    return sorted(out)


def size_dir(out: Path, n: int) -> Path:
    return out / f"n{n:03d}"


def read_run(out: Path, n: int) -> Optional[dict[str, Any]]:
    p = size_dir(out, n) / "run.json"
    if not p.is_file() or not (size_dir(out, n) / "model" / "config.cfg").is_file():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def base_fingerprint(base: Path, with_ner: bool) -> str:
    """sha256 of what a size reuses from ``base``: its pkuseg model (and tok2vec + NER at full size)."""
    import hashlib

    h = hashlib.sha256()
    parts = [Path("tokenizer") / "pkuseg_model"] + ([Path("tok2vec"), Path("ner")] if with_ner else [])
    for part in parts:
        for f in sorted(p for p in (Path(base) / part).rglob("*") if p.is_file()):
            h.update(str(f.relative_to(base)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def run_record(n: int, subset: Sequence[CorpusDoc], seed: int, base: Path, ner: str) -> dict[str, Any]:
    real = [d for d in subset if d.origin != "augmented"]
    return {"size": n, "seed": seed, "base": str(base), "ner": ner, "documents": sorted(d.id for d in real),
            "issuers": len({issuer_key(d) for d in real}), "augmented": len(subset) - len(real),
            "characters": sum(len(d.text) for d in real)}


def train_size(n: int, train_docs: Sequence[CorpusDoc], base: Path, out: Path, seed: int, full: bool,
               retrain_full: bool, reuse: bool, max_epochs: Optional[int] = None,
               rel_epochs: Optional[int] = None, ner_from: Optional[Path] = None,
               reports: Optional[str] = None) -> dict[str, Any]:
    """The run record of size ``n``: read from ``out`` (``reuse``: trained on the same subset, whatever
    the base; or trained before with the same subset and base contents) or trained now."""
    subset = issuer_subset(train_docs, n, seed)
    have = read_run(out, n)
    if reuse:
        if have is None:
            raise CurveError(f"--reuse: no trained pipeline for size {n} under {size_dir(out, n)}")
        if have.get("documents") != sorted(d.id for d in subset if d.origin != "augmented") or have.get("seed") != seed:
            raise CurveError(f"--reuse: {size_dir(out, n)} was trained on another subset (the corpus or --seed "
                             "changed); retrain without --reuse into a new --out")
        return have
    ner_base = base if full and not retrain_full else None
    if ner_base is None and ner_from is not None:  # this size's own tok2vec + NER, trained by an earlier run
        earlier = read_run(ner_from, n)
        if earlier is None or earlier.get("documents") != sorted(d.id for d in subset if d.origin != "augmented"):
            raise CurveError(f"--ner-from: {size_dir(ner_from, n)} holds no pipeline of this subset")
        ner_base = size_dir(ner_from, n) / "model"
    reuse_ner = ner_base is not None
    ner = "trained" if not reuse_ner else "reused from base" if ner_base == base else f"reused from {ner_base}"
    want = run_record(n, subset, seed, base, ner)
    want["base_sha256"] = base_fingerprint(ner_base or base, reuse_ner)
    same = have is not None and all(have.get(k) == want[k] for k in ("documents", "seed", "ner", "base_sha256"))
    if same:
        print(f"size {n}: already trained in {size_dir(out, n)}, kept (delete it to retrain)", file=sys.stderr)
        return have
    d = size_dir(out, n)
    d.mkdir(parents=True, exist_ok=True)
    cpu, wall = time.process_time(), time.perf_counter()
    train_mod.train(d / "model", work=d / "work", reports_dir=reports, base=ner_base or base,
                    stages="relations" if reuse_ner else "ner+relations", train_subset=n, subset_seed=seed,
                    max_epochs=max_epochs, rel_epochs=rel_epochs)
    want.update({"cpu_s": round(time.process_time() - cpu, 1), "wall_s": round(time.perf_counter() - wall, 1),
                 "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    if max_epochs or rel_epochs:
        want["epochs"] = {"ner": max_epochs, "relations": rel_epochs}
    (d / "run.json").write_text(json.dumps(want, indent=1) + "\n", encoding="utf-8")
    return want


def score(docs: Sequence[CorpusDoc], nlp) -> dict[str, Scores]:
    """Scores of ``nlp`` on ``docs``: all of them and the openings alone."""
    from govie.api import parse_many

    out = {"all": Scores(), "opening": Scores()}
    for gold, report in zip(docs, parse_many([d.text for d in docs], nlp=nlp)):
        score_doc(gold, report, out["all"])
        if gold.kind == "opening":
            score_doc(gold, report, out["opening"])
    return out


def row(size: int, run: Optional[dict[str, Any]], scores: dict[str, Scores]) -> dict[str, Any]:
    s, o = scores["all"], scores["opening"]
    r = {"size": size, "documents": len(run["documents"]) if run else 0, "issuers": run["issuers"] if run else 0,
         "quantity_f": s.quantity.f, "fact_f": s.fact.f, "fact_exact_f": s.fact_exact.f,
         "part_of_f": s.relations["PART_OF"].f, "opening_fact_f": o.fact.f, "opening_fact_exact_f": o.fact_exact.f,
         "cpu_s": run.get("cpu_s") if run else None, "wall_s": run.get("wall_s") if run else None,
         "ner_reused": bool(run and str(run.get("ner", "")).startswith("reused")),
         "scores": s.to_dict(), "opening_scores": o.to_dict()}
    return r


COLUMNS = (("size", 6), ("documents", 10), ("issuers", 8), ("quantity F1", 12), ("fact F1", 8),
           ("exact F1", 9), ("PART_OF F1", 11), ("open. fact", 11), ("open. exact", 12), ("train CPU s", 12),
           ("train wall s", 13))


def format_curve(rows: Sequence[dict[str, Any]], split: str, n_docs: int) -> str:
    """The learning-curve table (one line per row of :func:`row`; size 0 is the rule pipeline)."""
    def secs(v, reused):
        return "—" if v is None else f"{v:.0f}{'*' if reused else ''}"

    lines = [f"split: {split} ({n_docs} documents); size 0 = the rule pipeline (no training)",
             "".join(name.rjust(w) for name, w in COLUMNS)]
    for r in rows:
        cells = [str(r["size"]), str(r["documents"]) if r["size"] else "rules", str(r["issuers"]),
                 f"{r['quantity_f']:.3f}", f"{r['fact_f']:.3f}", f"{r['fact_exact_f']:.3f}", f"{r['part_of_f']:.3f}",
                 f"{r['opening_fact_f']:.3f}", f"{r['opening_fact_exact_f']:.3f}",
                 secs(r["cpu_s"], r["ner_reused"]), secs(r["wall_s"], r["ner_reused"])]
        lines.append("".join(c.rjust(w) for c, (_, w) in zip(cells, COLUMNS)))
    if any(r["ner_reused"] for r in rows):
        lines.append("* tok2vec + NER reused (the base's at full size, same training; --ner-from's at the others, "
                     "trained on the same subset); the time is the relation stage's (with DocBins) only")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=["25", "50", "100", "all"],
                    help="numbers of training documents ('all' = the whole train split)")
    ap.add_argument("--split", default="dev", choices=["dev", "test"], help="the split to score on")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="where the pipelines of each size are kept")
    ap.add_argument("--base", default=str(DEFAULT_BASE), help="the pipeline whose tokenizer (and, at full size, "
                    "tok2vec + NER) is reused")
    ap.add_argument("--seed", type=int, default=0, help="the subset seed (issuer order)")
    ap.add_argument("--reuse", action="store_true", help="score the pipelines already under --out; train nothing")
    ap.add_argument("--retrain-full", action="store_true", help="retrain tok2vec + NER at full size too")
    ap.add_argument("--ner-from", default=None, help="an earlier --out: reuse each size's tok2vec + NER from it "
                    "(same subset) and retrain only the relations (after a change to the relation stage)")
    ap.add_argument("--no-rules", action="store_true", help="leave out the rule pipeline's row (size 0)")
    ap.add_argument("--max-epochs", type=int, default=None, help="NER epochs (smoke runs; default: ner.cfg)")
    ap.add_argument("--rel-epochs", type=int, default=None, help="relation epochs (smoke runs; default: config)")
    ap.add_argument("--reports", default=None, help="directory of the report texts (default ../shared/reports)")
    args = ap.parse_args(argv)
    try:
        return run(args)
    except (CurveError, SubsetError) as e:
        print(f"learning_curve: {e}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    import govie

    base, out = Path(args.base), Path(args.out)
    if not args.reuse:
        try:
            pkuseg_model_dir(base)  # a clear error before anything is trained
        except ValueError as e:
            raise CurveError(str(e)) from None
    docs = load_corpus(reports_dir=args.reports, missing="skip", augment=True)  # as govie train loads it
    train_docs = [d for d in docs if d.split == "train"]
    eval_docs = [d for d in docs if d.split == args.split]
    if not train_docs or not eval_docs:
        raise CurveError(f"no {'training' if not train_docs else args.split} documents (is the reports "
                         "directory available?)")
    n_real = sum(d.origin != "augmented" for d in train_docs)
    sizes = parse_sizes(args.sizes, n_real)
    if not args.reuse:
        print(TOKENIZER_NOTE.format(base=base), file=sys.stderr, flush=True)
    runs = {}
    for n in sizes:  # train everything first: a failure shows before any scoring
        runs[n] = train_size(n, train_docs, base, out, args.seed, n == n_real, args.retrain_full,
                             args.reuse, args.max_epochs, args.rel_epochs, Path(args.ner_from) if args.ner_from else None,
                             args.reports)
    rows = []
    if not args.no_rules:
        rows.append(row(0, None, score(eval_docs, govie.load("rules"))))
    for n in sizes:
        rows.append(row(n, runs[n], score(eval_docs, govie.load(size_dir(out, n) / "model"))))
        print(f"size {n} scored on {args.split}", file=sys.stderr, flush=True)
    bases = ", ".join(sorted({str(r.get("base")) for r in runs.values()}))  # as trained (--reuse: not --base)
    print(TOKENIZER_NOTE.format(base=bases))
    print(format_curve(rows, args.split, len(eval_docs)))
    out.mkdir(parents=True, exist_ok=True)
    (out / f"scores-{args.split}.json").write_text(json.dumps(
        {"split": args.split, "documents": len(eval_docs), "base": bases, "seed": args.seed, "rows": rows},
        indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
