"""Ablations of the shipped pipeline on a corpus split, overall and per kind / format / layout / script.

    python training/ablations.py [--split dev] [--model DIR] --work WORK [--json OUT]

Configurations (columns):

- ``rules``: the rule-only pipeline (``govie.load("rules")``: rule quantities, table reader, rule
  linker, indicators);
- ``model``: the trained parts alone — tokenizer, tok2vec, NER (with ``govie_metric_bounds``, which
  trims the NER's METRIC spans), and a ``govie_relations`` trained here with spaCy's loop on the
  DocBins of ``--work`` without the rule linker (the shipped one learns from the rule linker's
  proposals as candidates and features, so it cannot simply be switched off); no ``govie_quantities``,
  no ``govie_table_reader``, no ``govie_rule_linker``, no fallback. QUANTITY values come from the
  normaliser reading the NER's spans;
- ``shipped``: the shipped pipeline as it is (``govie.load()`` or ``--model``).

Rows: fact F1, exact-indicator fact F1, quantity F1 and PART_OF F1 (``govie.training.evaluate``'s scoring,
:func:`govie.training.evaluate.score_groups`), for all documents and per group. ``--split test`` only once the
model is frozen: this script is for dev.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import spacy
from spacy.language import Language

import govie
from govie.api import MODEL_DIR
from govie.corpus import load_corpus
from govie.training.evaluate import GROUPINGS, Scores, score_groups


METRICS = (("fact F1", lambda s: s.fact.f), ("exact-indicator F1", lambda s: s.fact_exact.f),
           ("quantity F1", lambda s: s.quantity.f), ("PART_OF F1", lambda s: s.relations["PART_OF"].f))


def model_only(model_dir: Path, work: Path, max_epochs: Optional[int] = None,
               trained: Optional[Path] = None) -> Language:
    """The trained tokenizer, tok2vec and NER of ``model_dir`` (with ``govie_metric_bounds``) and a
    ``govie_relations`` trained here without the rule linker: no proposals as candidates or features, no
    fallback; no ``govie_quantities``, ``govie_table_reader`` or ``govie_rule_linker``. ``work`` must hold
    the DocBins ``govie train`` writes (``train.spacy``, ``dev.spacy``)."""
    from spacy.cli.train import train as spacy_train

    from govie.pipeline import register_components
    from govie.training import corpus_reader  # noqa: F401  (registers govie.RelationCorpus.v1)
    from govie.training.train import DEFAULT_REL_CONFIG

    register_components()
    if trained is None:
        out = Path(tempfile.mkdtemp(prefix="govie-ablation-"))
        overrides: dict = {"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy"),
                           "nlp.pipeline": ["govie_relations"], "training.annotating_components": [],
                           "components.govie_relations.fallback": False}
        if max_epochs:
            overrides["training.max_epochs"] = max_epochs
        spacy_train(DEFAULT_REL_CONFIG, out, overrides=overrides)
        print(f"(model-only relation component saved in {out / 'model-best'}; --model-only-from reuses it)",
              file=sys.stderr)
        trained = out / "model-best"
    nlp = spacy.load(model_dir)
    for name in list(nlp.pipe_names):
        if name not in ("tok2vec", "ner", "govie_metric_bounds"):
            nlp.remove_pipe(name)
    nlp.add_pipe("govie_relations", source=spacy.load(trained))
    nlp.add_pipe("govie_indicators")
    return nlp


def format_groups(named: dict[str, dict[str, dict[str, Scores]]]) -> str:
    """One block per group: a row per metric, a column per configuration."""
    configs = list(named)
    first = named[configs[0]]
    lines = []
    w = 22
    for grouping, groups in first.items():
        for group in sorted(groups):
            n = groups[group].documents
            title = "all documents" if grouping == "all" else f"{grouping} = {group}"
            lines.append(f"{title} ({n} documents)")
            lines.append("".ljust(w) + "".join(c.rjust(10) for c in configs))
            for label, fn in METRICS:
                lines.append(label.ljust(w) + "".join(f"{fn(named[c][grouping][group]):10.3f}" for c in configs))
            lines.append("")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    ap.add_argument("--model", default=None, help="the shipped pipeline's directory (default: govie/model)")
    ap.add_argument("--skip-model-only", action="store_true", help="no refitting: rules and shipped only")
    ap.add_argument("--work", default=None, help="the DocBins of `govie train` (train.spacy, dev.spacy) for the "
                    "model-only relation component")
    ap.add_argument("--rel-epochs", type=int, default=None)
    ap.add_argument("--model-only-from", default=None, help="a model-only relation pipeline trained by an earlier run")
    ap.add_argument("--json", default=None, help="also write the scores here")
    args = ap.parse_args(argv)
    model_dir = Path(args.model) if args.model else MODEL_DIR
    if not (model_dir / "config.cfg").exists():
        print(f"ablations: no trained pipeline at {model_dir}", file=sys.stderr)
        return 2
    docs = load_corpus()
    gold = [d for d in docs if d.split == args.split]
    if not gold:
        print(f"ablations: no documents in split {args.split!r}", file=sys.stderr)
        return 2
    has_docbins = bool(args.work) and (Path(args.work) / "train.spacy").exists()
    if not args.skip_model_only and not args.model_only_from and not has_docbins:
        print("ablations: the model-only column needs --work DIR with govie train's DocBins (train.spacy, "
              "dev.spacy), or --skip-model-only", file=sys.stderr)
        return 2
    pipelines = {"rules": lambda: govie.load("rules")}
    if not args.skip_model_only:
        def build():
            t0 = time.time()
            nlp = model_only(model_dir, Path(args.work or "."), args.rel_epochs,
                             Path(args.model_only_from) if args.model_only_from else None)
            where = f"reused from {args.model_only_from}" if args.model_only_from else f"trained on {args.work}"
            print(f"(model-only relation component {where}, {time.time() - t0:.0f} s)", file=sys.stderr)
            return nlp
        pipelines["model"] = build
    pipelines["shipped"] = lambda: govie.load(str(model_dir))
    named: dict[str, dict[str, dict[str, Scores]]] = {}
    for name, make in pipelines.items():
        nlp = make()
        named[name] = score_groups(gold, govie.parse_many([d.text for d in gold], nlp=nlp), GROUPINGS)
    print(f"split: {args.split} ({len(gold)} documents); model: {model_dir}")
    print(format_groups(named))
    if args.json:
        Path(args.json).write_text(json.dumps({c: {g: {k: s.to_dict() for k, s in groups.items()}
                                                   for g, groups in per.items()} for c, per in named.items()},
                                              indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
