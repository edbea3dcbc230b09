"""Ablations on a corpus split (default dev), printed side by side — the figures of the model card.

    python training/compare.py --model govie/model --ner training/work/ner/model-best [--split dev]

Columns:
- ``rules``: the rule-only pipeline (rule quantities, table reader, rule linker);
- ``ner only``: the trained NER's QUANTITY and METRIC and trained relations, no rules at all (the
  relation classifier fitted without the rule linker's proposals);
- ``ner+rules``: the shipped combination (rule/table quantities replace the model's, the rule linker's
  METRIC of each quantity proposed to the relation classifier next to the NER's, rule linker as
  fallback for quantities the relation model leaves unlinked);
- ``no proposals``: the same with the relation classifier fitted and run without the proposals;
- ``no fallback``: the shipped combination without the rule-linker fallback;
- ``rel=sklearn``: the same with the relation classifier a scikit-learn HistGradientBoosting model
  fitted in ``initialize`` instead of the thinc network trained in spaCy's loop (only with ``--sklearn``).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import govie
from govie.corpus.records import load_corpus
from govie.training.evaluate import evaluate, format_table


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--ner", default="training/work/ner/model-best")
    ap.add_argument("--split", default="dev")
    ap.add_argument("--sklearn", action="store_true", help="also fit and score the scikit-learn relation classifier")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    docs = load_corpus()
    gold = [d for d in docs if d.split == args.split]
    from govie.training.train import assemble

    train_docs = [d for d in load_corpus(augment=True) if d.split == "train"]
    nlp = govie.load(args.model)
    named = {"rules": evaluate(gold, govie.load("rules"))}
    plain = assemble(Path(args.ner), train_docs, propose=False)  # the shipped classifier (thinc)
    with plain.select_pipes(disable=["govie_quantities", "govie_table_reader", "govie_rule_linker"]):
        named["ner only"] = evaluate(gold, plain)
    named["ner+rules"] = evaluate(gold, nlp)
    named["no proposals"] = evaluate(gold, plain)
    if "govie_rule_linker" in nlp.pipe_names:
        with nlp.select_pipes(disable=["govie_rule_linker"]):
            named["no fallback"] = evaluate(gold, nlp)
    if args.sklearn:
        named["rel=sklearn"] = evaluate(gold, assemble(Path(args.ner), train_docs, classifier="sklearn"))
    print(f"split: {args.split} ({len(gold)} documents)")
    print(format_table(named))
    if args.json:
        Path(args.json).write_text(json.dumps({k: v.to_dict() for k, v in named.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
