"""``govie train`` and ``govie evaluate``: the commands (the training itself is :mod:`govie.training.train`,
the scoring :mod:`govie.training.evaluate`).

Both take ``--corpus DIR`` and ``--reports DIR`` (repeatable) like the ``govie corpus`` commands, and
refuse at once, with the option to pass, what cannot work: no corpus (an installed govie), no training
config, a bad ``--name``/``--version``, an output directory that is somebody's data.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

from ..corpus.cli import add_reports_option
from ..corpus.records import CorpusDoc, CorpusError, load_corpus, reports_dirs, resolve_corpus_dir
from ..pipeline.tokenizer import pkuseg_model_dir
from . import train as training
from .subset import SubsetError
from .train import (CUSTOM_NAME, DEFAULT_NER_CONFIG, DEFAULT_OUTPUT, DEFAULT_REL_CONFIG, SHIPPED_NAME, TrainingError,
                    check_config, check_name_version, check_output_dir, default_name_version, default_work_dir, log)


def _usage(msg: str) -> int:
    print(f"govie: {' '.join(str(msg).split())}", file=sys.stderr)
    return 2


def cmd_train(args: argparse.Namespace) -> int:
    try:
        check_output_dir(Path(args.output))
        check_name_version(args.name, args.model_version)
        base = None
        if args.stages != "all":
            if not args.base:
                kept = "tokenizer, tok2vec and NER" if args.stages == "relations" else "tokenizer (pkuseg model)"
                return _usage(f"--stages {args.stages} needs --base MODEL (the pipeline whose {kept} to keep)")
            base = Path(args.base)
            if not (base / "config.cfg").is_file():
                return _usage(f"--base {base} is not a saved pipeline (no config.cfg)")
            if args.stages == "ner+relations":
                pkuseg_model_dir(base)
        elif args.base:
            return _usage("--base goes with --stages relations or ner+relations")
        if args.train_docs is not None and args.train_docs < 1:
            return _usage(f"--train-docs must be at least 1, not {args.train_docs}")
        check_config(Path(args.config), "--config")
        if args.stages != "relations":
            check_config(Path(args.ner_config), "--ner-config")
        corpus = resolve_corpus_dir(args.corpus)
    except (ValueError, CorpusError) as e:
        return _usage(str(e))
    name, version = default_name_version(Path(args.output), args.name, args.model_version)
    if Path(args.output).absolute() != DEFAULT_OUTPUT.absolute() and not (args.name and args.model_version):
        log(f"the new pipeline will be named {name} {version} (--name/--version to choose)")
    work = Path(args.work) if args.work else default_work_dir()
    try:
        training.train(Path(args.output), Path(args.ner_config), work, corpus_dir=corpus, reports_dir=args.reports,
                       max_docs=args.max_docs, max_epochs=args.max_epochs, pkuseg_iter=args.pkuseg_iter,
                       augment=not args.no_augment, rel_config=Path(args.config), base=base,
                       rel_epochs=args.rel_epochs, name=name, version=version, reuse_docbins=args.reuse_docbins,
                       stages=args.stages, train_subset=args.train_docs, subset_seed=args.subset_seed)
    except TrainingError as e:
        return _usage(str(e))
    except SubsetError as e:  # a --train-docs larger than the training split (raised before any training)
        return _usage(f"--train-docs: {e}")
    return 0


def _model_label(spec: Optional[str]) -> str:
    """How a --model/--compare argument is shown: 'shipped', 'rules', or the directory with the
    name and version in its meta.json."""
    if spec in (None, "", "shipped", "default"):
        path = DEFAULT_OUTPUT
    elif spec == "rules":
        return "rules (the rule baseline)"
    else:
        path = Path(spec)
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        ident = f"{meta.get('name')} {meta.get('version')}"
    except (OSError, ValueError, AttributeError):
        ident = "no meta.json"
    return f"{'shipped pipeline' if path == DEFAULT_OUTPUT else path} ({ident})"


def _load_model(spec: Optional[str]):
    from ..api import load

    if spec in (None, "", "shipped", "default"):
        return load()
    if spec != "rules" and not Path(spec).is_dir():
        raise ValueError(f"{spec}: no such pipeline directory (give a directory govie train wrote, 'shipped' "
                         "or 'rules')")
    return load(spec)


def score_with_progress(docs: Sequence[CorpusDoc], nlp, label: str):
    """:func:`govie.training.evaluate.evaluate`, with a line every few documents (a split takes minutes)."""
    from ..api import parse_many
    from .evaluate import Scores, score_doc

    scores = Scores()
    step = max(1, len(docs) // 10)
    start = time.monotonic()
    for n, (gold, report) in enumerate(zip(docs, parse_many([d.text for d in docs], nlp=nlp)), 1):
        score_doc(gold, report, scores)
        if n % step == 0 or n == len(docs):
            print(f"[govie evaluate] {label}: {n}/{len(docs)} documents ({time.monotonic() - start:.0f} s)",
                  file=sys.stderr, flush=True)
    return scores


def format_comparison(a, b) -> str:
    """Two pipelines' scores (A, B) side by side with the difference B − A (positive: B scores higher)."""
    from .evaluate import format_table

    table = format_table({"A": a, "B": b}).splitlines()
    rows = [line + f"{d:+12.3f}" for line, d in zip(table[1:-1], _score_rows(b, a))]
    return "\n".join([table[0] + "B − A".rjust(12), *rows, table[-1]])


def _score_rows(b, a) -> list[float]:
    """B − A for each row of :func:`govie.training.evaluate.format_table`, in its order."""
    def flat(s) -> list[float]:
        vals = [s.quantity.f, s.fact.f, s.fact_exact.f, s.fact.p, s.fact.r]
        for lab in ("QUANTITY", "METRIC"):
            vals += [s.ner[lab].p, s.ner[lab].r, s.ner[lab].f]
        for lab in ("VALUE_OF", "PART_OF"):
            vals += [s.relations[lab].p, s.relations[lab].r, s.relations[lab].f]
        return vals

    return [x - y for x, y in zip(flat(b), flat(a))]


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import format_table

    try:
        corpus = resolve_corpus_dir(args.corpus)
        print(f"[govie evaluate] loading the {args.split} split of {corpus}", file=sys.stderr, flush=True)
        # every document of the split or none: a score over the documents that happen to load misleads
        docs = [d for d in load_corpus(corpus, args.reports) if d.split == args.split]
    except CorpusError as e:
        return _usage(f"{e} (pass --reports DIR, repeatable, for the folders holding the texts)")
    if not docs:
        searched = ", ".join(str(d) for d in reports_dirs(args.reports)) or "none found"
        return _usage(f"no documents of split {args.split!r} could be loaded from {corpus} (reports directories "
                      f"searched: {searched}); pass --reports DIR for the folder(s) holding the texts")
    try:
        if args.compare:
            if args.model or args.update_meta:
                return _usage("--compare takes the two pipelines itself; leave out --model/--update-meta")
            a_spec, b_spec = args.compare
            models = [(_model_label(a_spec), _load_model(a_spec)), (_model_label(b_spec), _load_model(b_spec))]
        else:
            models = [(_model_label(args.model), _load_model(args.model))]
            if not args.no_baseline:
                models.append(("rules only", _load_model("rules")))
    except (OSError, ValueError) as e:
        return _usage(str(e))
    scored = [score_with_progress(docs, nlp, label) for label, nlp in models]
    print(f"split: {args.split}")
    if args.compare:
        print(f"A = {models[0][0]}")
        print(f"B = {models[1][0]}")
        print(format_comparison(scored[0], scored[1]))
        named = {"A": scored[0], "B": scored[1]}
    else:
        named = {"govie": scored[0]}
        if len(scored) > 1:
            named["rules only"] = scored[1]
        print(format_table(named))
    if args.json:
        Path(args.json).write_text(json.dumps({k: v.to_dict() for k, v in named.items()}, indent=1), encoding="utf-8")
    if args.update_meta:
        update_meta(Path(args.model) if args.model else DEFAULT_OUTPUT, args.split, named["govie"])
    return 0


def update_meta(model_dir: Path, split: str, scores) -> None:
    """Record measured scores in the pipeline's meta.json (spaCy ``performance`` convention)."""
    meta_path = model_dir / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    s = scores.to_dict()
    perf = {"split": split, "documents": s["documents"], "fact_f": s["fact"]["f"], "fact_exact_f": s["fact_exact"]["f"],
            "quantity_f": s["quantity"]["f"], "ents_per_type": {k: v for k, v in s["ner"].items()},
            "rel_per_type": {k: v for k, v in s["relations"].items()}}
    meta["performance"] = perf
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote scores into {meta_path}")


def add_commands(sub) -> None:
    corpus_help = "corpus directory (default $GOVIE_CORPUS_DIR, the checkout's corpus/ or ./corpus)"
    p = sub.add_parser("train", help="rebuild the pipeline from corpus/ (reproducible, fixed seeds)")
    p.add_argument("--output", default=str(DEFAULT_OUTPUT), help="where to save the pipeline (default: the package); a new or empty "
                   "directory, or a previous govie training output (it is replaced at the end)")
    p.add_argument("--corpus", metavar="DIR", help=corpus_help)
    add_reports_option(p)
    p.add_argument("--name", default=None, help=f"pipeline name in meta.json (default {SHIPPED_NAME} for the shipped "
                   f"location, else {CUSTOM_NAME}); spacy package makes it zh_<name>")
    p.add_argument("--version", dest="model_version", default=None, help="pipeline version in meta.json (default govie's version for the "
                   "shipped location, else <govie version>+custom)")
    p.add_argument("--config", default=str(DEFAULT_REL_CONFIG), help="the relation training config (spacy train)")
    p.add_argument("--ner-config", default=str(DEFAULT_NER_CONFIG), help="the tok2vec + NER training config")
    p.add_argument("--stages", choices=["all", "ner+relations", "relations"], default="all",
                   help="relations: retrain only govie_relations on top of --base (DocBins + relation stage); "
                   "ner+relations: a new tok2vec + NER and relations on --base's pkuseg model (no segmenter stage)")
    p.add_argument("--base", default=None, help="with --stages relations: the pipeline whose tokenizer, tok2vec "
                   "and NER the new pipeline keeps; with ner+relations: whose tokenizer it keeps")
    p.add_argument("--train-docs", type=int, default=None, help="train on N training documents drawn by issuer "
                   "(whole issuers in a seeded order keeping the mix of reports and openings; nested for growing N) "
                   "and their augmented copies")
    p.add_argument("--subset-seed", type=int, default=0, help="the seed of --train-docs")
    p.add_argument("--rel-epochs", type=int, default=None, help="epochs of the relation stage (default: config)")
    p.add_argument("--reuse-docbins", action="store_true", help="keep the DocBins in --work when they were written "
                   "from the same documents and tokenizer (relation tuning runs)")
    p.add_argument("--work", default=None, help="directory for intermediate files (default training/work of the "
                   "checkout, else a temporary directory)")
    p.add_argument("--max-docs", type=int, default=None, help="train on the first N documents only (smoke runs)")
    p.add_argument("--max-epochs", type=int, default=None)
    p.add_argument("--pkuseg-iter", type=int, default=10)
    p.add_argument("--no-augment", action="store_true", help="no traditional-script copies")
    p.set_defaults(func=cmd_train)
    e = sub.add_parser("evaluate", help="score a pipeline on a corpus split, side by side with the rules")
    e.add_argument("--split", default="test", choices=["train", "dev", "test"])
    e.add_argument("--model", default=None, help="pipeline directory (default: the shipped one)")
    e.add_argument("--compare", nargs=2, metavar=("MODEL_A", "MODEL_B"), default=None,
                   help="score two pipelines (directories, 'shipped' or 'rules') side by side with B − A")
    e.add_argument("--corpus", metavar="DIR", help=corpus_help)
    add_reports_option(e)
    e.add_argument("--no-baseline", action="store_true")
    e.add_argument("--json", default=None, help="also write the scores here")
    e.add_argument("--update-meta", action="store_true", help="record the scores in the pipeline's meta.json")
    e.set_defaults(func=cmd_evaluate)
