"""Cross-validated choice of the linker order on the *training* documents (dev and test untouched).

The relation model is fitted on one half of the training documents and scored on the other half,
beside the rule-only pipeline: as shipped (``govie_relations`` first, the rule linker for what it
leaves unlinked), with a low-confidence fallback link (the best candidate of a quantity from 0.2 up),
with other thresholds (``--thresholds``), without the rule-linker fallback, and with the rule linker first (the model only links what
the rules leave). Scores are printed per layout, so the decision can be made where they differ.

    python training/cv_linker.py --ner training/work/ner/model-best [--folds 2]
    python training/cv_linker.py --retrain-ner --pkuseg training/work/pkuseg --fold 0   # one fold

``--ner`` reuses a NER trained on all training documents (it has seen the held-out half: its METRICs
there are better than on new text, which favours "model first"). ``--retrain-ner`` trains the
tok2vec+NER of each fold on that fold's training half only (``training/config.cfg``, dev split for
progress, ``model-last`` kept), so both variants meet text no trained part has seen.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from govie.corpus.records import load_corpus
from govie.training.evaluate import Scores, score_doc


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ner", default=None, help="trained tok2vec+NER pipeline (govie train's work/ner/model-best)")
    ap.add_argument("--retrain-ner", action="store_true", help="train the NER of each fold on its training half")
    ap.add_argument("--pkuseg", default="training/work/pkuseg", help="segmenter for --retrain-ner")
    ap.add_argument("--work", default="training/work-cv")
    ap.add_argument("--folds", type=int, default=2)
    ap.add_argument("--fold", type=int, default=None, help="run only this fold")
    ap.add_argument("--classifier", choices=["sklearn", "thinc"], default="thinc")
    ap.add_argument("--thresholds", type=float, nargs="*", default=[0.6, 0.7],
                    help="also score the model with threshold = best_threshold = each of these")
    args = ap.parse_args()
    if not args.ner and not args.retrain_ner:
        ap.error("give --ner or --retrain-ner")
    import govie
    from govie.training.train import assemble

    docs = [d for d in load_corpus(augment=True) if d.split == "train"]
    real = sorted({d.id for d in docs if d.origin != "augmented"})
    fold_of = {doc_id: i % args.folds for i, doc_id in enumerate(real)}

    def fold(d) -> int:
        return fold_of[d.meta.get("augmented_from", d.id)]

    # (name, relation thresholds (threshold, best_threshold) or None as shipped)
    variants = [("rules only", None), ("model first", None), ("fallback 0.2", (0.5, 0.2))]
    variants += [(f"model>={t:g}", (t, t)) for t in args.thresholds]
    variants += [("no fallback", None), ("rules first", None)]
    rules = govie.load("rules")
    totals: dict[str, dict[str, Scores]] = {v: {} for v, _ in variants}
    for k in range(args.folds) if args.fold is None else [args.fold]:
        fit = [d for d in docs if fold(d) != k]
        held = [d for d in docs if fold(d) == k and d.origin != "augmented"]
        ner = Path(args.ner) if args.ner else fold_ner(fit, Path(args.work) / f"fold{k}", Path(args.pkuseg))
        nlp = assemble(ner, fit, classifier=args.classifier)
        rel = nlp.get_pipe("govie_relations")
        shipped = (rel.threshold, rel.best_threshold)
        for v, thresholds in variants:
            rel.threshold, rel.best_threshold = thresholds or shipped
            if v == "rules first":
                nlp.remove_pipe("govie_rule_linker")
                nlp.add_pipe("govie_rule_linker", before="govie_relations")
            pipe = rules if v == "rules only" else nlp
            off = ["govie_rule_linker"] if v == "no fallback" else []
            with pipe.select_pipes(disable=off):
                for d, r in zip(held, govie.parse_many([d.text for d in held], nlp=pipe)):
                    for key in (d.layout, "all"):
                        score_doc(d, r, totals[v].setdefault(key, Scores()))
        print(f"fold {k + 1}/{args.folds} done ({len(held)} held-out documents)", file=sys.stderr)
    print(f"{'layout':<16}" + "".join(f"{v + ' fact F1':>22}{'exact':>8}" for v, _ in variants))
    for key in sorted(totals["rules only"]):
        row = f"{key:<16}"
        for v, _ in variants:
            s = totals[v][key]
            row += f"{s.fact.f:>22.3f}{s.fact_exact.f:>8.3f}"
        print(row)
    return 0


def fold_ner(fit, work: Path, pkuseg: Path) -> Path:
    """tok2vec+NER trained on ``fit`` only (same config as ``govie train``); returns model-last."""
    from spacy.cli.train import train as spacy_train

    from govie.training.train import DEFAULT_CONFIG, make_tokenizer_nlp, stage_docbins

    if (work / "ner" / "model-last").exists():  # already trained for this fold (same corpus, same seed)
        return work / "ner" / "model-last"
    work.mkdir(parents=True, exist_ok=True)
    dev = [d for d in load_corpus() if d.split == "dev"]
    stage_docbins(make_tokenizer_nlp(pkuseg), fit, dev, work)
    spacy_train(DEFAULT_CONFIG, work / "ner", overrides={
        "paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy"),
        "paths.pkuseg_model": str(pkuseg.resolve())})
    return work / "ner" / "model-last"


if __name__ == "__main__":
    sys.exit(main())
