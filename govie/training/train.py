"""``govie train`` and ``govie evaluate``: rebuild the shipped pipeline from ``corpus/`` and score it.

Training is reproducible (fixed seeds) and runs in four stages:

1. silver-segment the training texts and train a pkuseg model (``segmentation.py``);
2. convert the corpus to DocBins (train + traditional-script augmentation, dev), splitting tokens
   where a gold boundary falls inside one (the count is printed: it should stay near 0);
3. train tok2vec + NER with spaCy's loop from ``training/ner.cfg``;
4. train ``govie_relations`` with spaCy's loop from ``training/config.cfg`` (on the DocBins of stage 2)
   and assemble the shipped pipeline — tokenizer → tok2vec → ner → govie_metric_bounds →
   govie_quantities → govie_table_reader → govie_rule_linker (proposals) → govie_relations (decides;
   falls back on the proposals for quantities it leaves unlinked) → govie_indicators — and save it.

``--stages relations --base MODEL`` runs stages 2 and 4 only, on MODEL's tokenizer, tok2vec and NER
(minutes instead of an hour: the pkuseg and NER stages are the long ones).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

import spacy
from spacy.language import Language

from ..corpus.records import PROJECT_ROOT, CorpusDoc, load_corpus
from ..pipeline.segmenter import train_pkuseg, write_training_file

DEFAULT_NER_CONFIG = PROJECT_ROOT / "training" / "ner.cfg"
DEFAULT_REL_CONFIG = PROJECT_ROOT / "training" / "config.cfg"
DEFAULT_WORK = PROJECT_ROOT / "training" / "work"
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "model"
CHUNK = 1500
#: written into every pipeline ``govie train`` saves: only a directory holding it may be replaced
MARKER = "govie-train.json"


def log(msg: str) -> None:
    print(f"[govie train {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def bounds(d: CorpusDoc) -> list[int]:
    return sorted({e["start"] for e in d.entities} | {e["end"] for e in d.entities})


def chunk_doc(d: CorpusDoc, size: int = CHUNK) -> list[CorpusDoc]:
    """Cut a document into pieces on newlines/sentence ends that cut no entity (NER batches)."""
    cuts = [0]
    occupied = [(e["start"], e["end"]) for e in d.entities]
    i = size
    while i < len(d.text):
        j = i
        while j < len(d.text) and (d.text[j - 1] not in "\n。；" or any(s < j < t for s, t in occupied)):
            j += 1
        if j >= len(d.text):
            break
        cuts.append(j)
        i = j + size
    cuts.append(len(d.text))
    out = []
    for k, (a, b) in enumerate(zip(cuts, cuts[1:])):
        ents = [{**e, "start": e["start"] - a, "end": e["end"] - a} for e in d.entities if a <= e["start"] and e["end"] <= b]
        ids = {e["id"] for e in ents}
        rels = [r for r in d.relations if r["head"] in ids and r["tail"] in ids]
        out.append(CorpusDoc(f"{d.id}#{k}", d.text[a:b], d.meta, ents, rels, d.split))
    return out


def make_tokenizer_nlp(pkuseg_dir: Optional[Path]) -> Language:
    from ..pipeline import tokenizer  # noqa: F401 (registers govie.ChineseTokenizer.v1)

    if pkuseg_dir is None:
        return spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "govie.ChineseTokenizer.v1"}}})
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "govie.ChineseTokenizer.v1",
                                                          "segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=str(pkuseg_dir))
    return nlp


def stage_pkuseg(train_docs: Sequence[CorpusDoc], dev_docs: Sequence[CorpusDoc], work: Path,
                 iterations: int) -> Path:
    seg = work / "pkuseg"
    write_training_file([(d.text, bounds(d)) for d in train_docs], work / "seg-train.txt")
    write_training_file([(d.text, []) for d in dev_docs], work / "seg-dev.txt")
    if seg.exists():
        shutil.rmtree(seg)
    train_pkuseg(work / "seg-train.txt", work / "seg-dev.txt", seg, iterations)
    return seg


#: bumped whenever what ``stage_docbins`` writes changes (DocBins of another format are rebuilt)
DOCBIN_FORMAT = 2
DOCBIN_STAMP = "docbins.json"


def docbin_fingerprint(nlp: Language, train_docs: Sequence[CorpusDoc], dev_docs: Sequence[CorpusDoc]) -> str:
    """What the DocBins of ``stage_docbins`` depend on: the documents (text, annotations, split), the
    tokenizer (its serialised bytes: pkuseg model and settings), the piece size and the format."""
    import hashlib

    h = hashlib.sha256(f"govie-docbins {DOCBIN_FORMAT} {CHUNK}".encode())
    for name, docs in (("train", train_docs), ("dev", dev_docs)):
        for d in docs:
            h.update(json.dumps([name, d.id, d.text, d.entities, d.relations], ensure_ascii=False,
                                sort_keys=True).encode("utf-8"))
    h.update(hashlib.sha256(nlp.tokenizer.to_bytes()).digest())
    return h.hexdigest()


def stage_docbins(nlp: Language, train_docs: Sequence[CorpusDoc], dev_docs: Sequence[CorpusDoc], work: Path,
                  reuse: bool = False) -> int:
    """Write ``train.spacy`` and ``dev.spacy`` into ``work``; returns the entity boundaries that needed a
    token split. With ``reuse``, DocBins an earlier run wrote from the same documents and tokenizer
    (``docbins.json`` holds their fingerprint) are kept as they are (-1 is returned)."""
    from .docbin import to_docbin

    stamp = work / DOCBIN_STAMP
    fingerprint = docbin_fingerprint(nlp, train_docs, dev_docs)
    if reuse and (work / "train.spacy").is_file() and (work / "dev.spacy").is_file():
        try:
            same = json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint") == fingerprint
        except (OSError, ValueError, AttributeError):
            same = False
        if same:
            log(f"DocBins: reusing those in {work} (same documents, tokenizer and format)")
            return -1
    stamp.unlink(missing_ok=True)
    pieces = [c for d in train_docs for c in chunk_doc(d)]
    random.Random(0).shuffle(pieces)
    db, mis_train = to_docbin(pieces, nlp)
    db.to_disk(work / "train.spacy")
    db, mis_dev = to_docbin([c for d in dev_docs for c in chunk_doc(d)], nlp)
    db.to_disk(work / "dev.spacy")
    stamp.write_text(json.dumps({"fingerprint": fingerprint, "format": DOCBIN_FORMAT, "train_pieces": len(pieces)},
                                indent=1) + "\n", encoding="utf-8")
    log(f"DocBins: {len(pieces)} training pieces; entity boundaries inside a token (split): "
        f"train {mis_train}, dev {mis_dev}")
    return mis_train + mis_dev


#: the components ``assemble`` adds after tok2vec and NER (those of a base pipeline are replaced)
GOVIE_COMPONENTS = ("govie_metric_bounds", "govie_quantities", "govie_table_reader", "govie_rule_linker",
                    "govie_relations", "govie_indicators")


def load_base(path: Path) -> Language:
    """The tokenizer, tok2vec and NER of a saved pipeline, without its govie components (an older
    govie's relation component need not load in this one)."""
    from spacy.util import load_config

    names = load_config(Path(path) / "config.cfg")["nlp"]["pipeline"]
    return spacy.load(path, exclude=[n for n in names if n not in ("tok2vec", "ner")])


def train_relations(config: Path, work: Path, max_epochs: Optional[int] = None) -> Path:
    """Stage 4a: ``spacy train`` of the relation config on the DocBins in ``work``; the best pipeline's
    directory."""
    from spacy.cli.train import train as spacy_train

    from ..pipeline import relations, rule_linker  # noqa: F401  (register the factories)
    from . import corpus_reader  # noqa: F401  (registers govie.RelationCorpus.v1)

    overrides: dict = {"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy")}
    if max_epochs:
        overrides["training.max_epochs"] = max_epochs
    out = work / "relations"
    spacy_train(config, out, overrides=overrides)
    return out / "model-best"


def assemble(base: Language, relations_dir: Path) -> Language:
    """The shipped pipeline: ``base``'s tokenizer, tok2vec and NER, the rule components, and the
    relation component trained in ``relations_dir``."""
    from ..pipeline import components, relations, rule_linker  # noqa: F401  (register the factories)
    from .. import tables, taxonomy  # noqa: F401

    nlp = base
    for name in GOVIE_COMPONENTS:
        if name in nlp.pipe_names:
            nlp.remove_pipe(name)
    nlp.add_pipe("govie_metric_bounds", after="ner" if "ner" in nlp.pipe_names else None)
    nlp.add_pipe("govie_quantities")
    nlp.add_pipe("govie_table_reader")
    trained = spacy.load(relations_dir)
    nlp.add_pipe("govie_rule_linker", source=trained)
    nlp.add_pipe("govie_relations", source=trained)
    nlp.add_pipe("govie_indicators")
    return nlp


def write_meta(nlp: Language) -> None:
    """Name and describe the pipeline; ``govie evaluate --update-meta`` adds the measured scores."""
    nlp.meta.update({"name": "govie_zh", "version": _version(), "description":
                     "govie: QUANTITY/METRIC NER and VALUE_OF/PART_OF relations for Chinese government "
                     "information-disclosure annual reports", "license": "MIT", "author": "govie"})


def _version() -> str:
    from .. import __version__

    return __version__


def _is_training_output(path: Path) -> bool:
    """``path`` holds a pipeline ``govie train`` wrote: its marker, or (written before the marker
    existed) a ``meta.json`` naming the ``govie_zh`` pipeline."""
    if (path / MARKER).is_file():
        return True
    try:
        return json.loads((path / "meta.json").read_text(encoding="utf-8")).get("name") == "govie_zh"
    except (OSError, ValueError, AttributeError):
        return False


def check_output_dir(output: Path) -> None:
    """Refuse an output location before hours of training, with a one-line ``ValueError``.

    ``output`` may be missing (its parents are created at the end), an empty directory, or a previous
    training output; anything else is somebody's data, never deleted. Its parent must be writable.
    """
    output = Path(output)
    if output.exists() or output.is_symlink():
        if output.is_symlink():
            raise ValueError(f"--output {output} is a symbolic link; give the directory itself or a new path")
        if not output.is_dir():
            raise ValueError(f"--output {output} exists and is not a directory; choose another path")
        try:
            empty = next(output.iterdir(), None) is None
        except OSError as e:
            raise ValueError(f"--output {output}: cannot read it ({e.strerror or e})") from None
        if not empty and not _is_training_output(output):
            raise ValueError(f"--output {output} is not empty and not a govie training output (no {MARKER}); "
                             "govie train replaces its output directory, so choose a new or empty one")
    parent = output.absolute().parent
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ValueError(f"--output {output}: cannot create {parent} ({existing} is not a directory)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"--output {output}: {existing} is not writable")


def save_output(nlp, output: Path) -> None:
    """Save ``nlp`` to ``output`` with the marker: written into a temporary sibling, renamed at the
    end, so that an interrupted run leaves the previous output as it was."""
    import tempfile

    output = Path(output)
    try:
        check_output_dir(output)  # again: the directory may have been filled while training ran
        refused = None
    except ValueError as e:
        refused = e
    output.absolute().parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.tmp-", dir=output.absolute().parent))
    old = None
    saved_aside = False
    try:
        nlp.to_disk(tmp)
        (tmp / MARKER).write_text(json.dumps({"written_by": "govie train", "govie_version": _version(),
                                              "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                                             indent=1) + "\n", encoding="utf-8")
        if refused is not None:  # keep the new pipeline next to it, touch nothing else
            kept = output.with_name(f"{output.name}.new-{os.getpid()}")
            os.replace(tmp, kept)
            tmp, saved_aside = kept, True
            raise ValueError(f"{refused}; the new pipeline was saved to {kept} instead")
        if output.exists():
            old = output.with_name(f".{output.name}.old-{os.getpid()}")
            os.replace(output, old)
        os.replace(tmp, output)
    except BaseException:
        if old is not None and not output.exists():
            os.replace(old, output)  # put the previous output back
            old = None
        if not saved_aside:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def train(output: Path = DEFAULT_OUTPUT, config: Path = DEFAULT_NER_CONFIG, work: Path = DEFAULT_WORK,
          corpus_dir: Optional[Path] = None, reports_dir: Optional[Path] = None, max_docs: Optional[int] = None,
          max_epochs: Optional[int] = None, pkuseg_iter: int = 10, augment: bool = True,
          rel_config: Path = DEFAULT_REL_CONFIG, base: Optional[Path] = None,
          rel_epochs: Optional[int] = None, reuse_docbins: bool = False) -> Language:
    """All four stages, or with ``base`` (a saved pipeline) stages 2 and 4 on its tokenizer/tok2vec/NER.
    ``reuse_docbins``: keep the DocBins in ``work`` when they were written from the same documents and
    tokenizer (see :func:`stage_docbins`)."""
    from spacy.cli.train import train as spacy_train

    from ..pipeline import tokenizer  # noqa: F401

    check_output_dir(output)  # before the long run, not after it
    random.seed(0)
    work.mkdir(parents=True, exist_ok=True)
    docs = load_corpus(corpus_dir, reports_dir, augment=augment, missing="skip")
    train_docs = [d for d in docs if d.split == "train"]
    dev_docs = [d for d in docs if d.split == "dev"]
    if max_docs:
        train_docs, dev_docs = train_docs[:max_docs], dev_docs[:max(1, max_docs // 2)]
    if not train_docs:
        raise SystemExit("govie train: no training documents (is the reports directory available?)")
    if not dev_docs:  # a corpus too small for a dev split (smoke runs): score on the training data
        log("no dev documents available: the training documents stand in for dev")
        dev_docs = train_docs[:1]
    log(f"corpus: {len(train_docs)} training documents ({sum(d.origin == 'augmented' for d in train_docs)} "
        f"augmented), {len(dev_docs)} dev")
    if base is not None:
        log(f"stages 2 and 4 only, on the tokenizer, tok2vec and NER of {base}")
        nlp = load_base(base)
        log("stage 2/4: DocBins")
        stage_docbins(nlp, train_docs, dev_docs, work, reuse=reuse_docbins)
        log("stage 4/4: govie_relations (spaCy training loop), assembling the pipeline")
        final = assemble(nlp, train_relations(rel_config, work, rel_epochs))
        write_meta(final)
        save_output(final, output)
        log(f"saved {output}")
        return final
    log(f"stage 1/4: pkuseg segmenter ({pkuseg_iter} iterations)")
    seg = stage_pkuseg(train_docs, dev_docs, work, pkuseg_iter)
    nlp = make_tokenizer_nlp(seg)
    log("stage 2/4: DocBins")
    stage_docbins(nlp, train_docs, dev_docs, work)
    log("stage 3/4: tok2vec + NER (spaCy training loop)")
    overrides = {"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy"),
                 "paths.pkuseg_model": str(seg)}
    if max_epochs:
        overrides["training.max_epochs"] = max_epochs
    ner_out = work / "ner"
    spacy_train(config, ner_out, overrides=overrides)
    log("stage 4/4: govie_relations (spaCy training loop), assembling the pipeline")
    final = assemble(spacy.load(ner_out / "model-best"), train_relations(rel_config, work, rel_epochs))
    write_meta(final)
    save_output(final, output)
    log(f"saved {output}")
    return final


# --------------------------------------------------------------------------- CLI
def cmd_train(args: argparse.Namespace) -> int:
    try:
        check_output_dir(Path(args.output))
    except ValueError as e:
        print(f"govie: {e}", file=sys.stderr)
        return 2
    base = None
    if args.stages == "relations":
        if not args.base:
            print("govie: --stages relations needs --base MODEL (the pipeline whose tokenizer, tok2vec and NER "
                  "to keep)", file=sys.stderr)
            return 2
        base = Path(args.base)
        if not (base / "config.cfg").is_file():
            print(f"govie: --base {base} is not a saved pipeline (no config.cfg)", file=sys.stderr)
            return 2
    elif args.base:
        print("govie: --base goes with --stages relations", file=sys.stderr)
        return 2
    train(Path(args.output), Path(args.ner_config), Path(args.work), reports_dir=args.reports,
          max_docs=args.max_docs, max_epochs=args.max_epochs, pkuseg_iter=args.pkuseg_iter,
          augment=not args.no_augment, rel_config=Path(args.config), base=base, rel_epochs=args.rel_epochs,
          reuse_docbins=args.reuse_docbins)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from ..api import load
    from .evaluate import evaluate, format_table

    docs = [d for d in load_corpus(reports_dir=args.reports) if d.split == args.split]
    if not docs:
        print(f"govie: no documents in split {args.split!r}", file=sys.stderr)
        return 2
    named = {}
    model = load(args.model) if args.model else load()
    named["govie"] = evaluate(docs, model)
    if not args.no_baseline:
        named["rules only"] = evaluate(docs, load("rules"))
    print(f"split: {args.split}")
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
    p = sub.add_parser("train", help="rebuild the pipeline from corpus/ (reproducible, fixed seeds)")
    p.add_argument("--output", default=str(DEFAULT_OUTPUT), help="where to save the pipeline (default: the package); a new or empty "
                   "directory, or a previous govie training output (it is replaced at the end)")
    p.add_argument("--config", default=str(DEFAULT_REL_CONFIG), help="the relation training config (spacy train)")
    p.add_argument("--ner-config", default=str(DEFAULT_NER_CONFIG), help="the tok2vec + NER training config")
    p.add_argument("--stages", choices=["all", "relations"], default="all",
                   help="relations: retrain only govie_relations on top of --base (DocBins + relation stage)")
    p.add_argument("--base", default=None, help="with --stages relations: the pipeline whose tokenizer, tok2vec "
                   "and NER the new pipeline keeps")
    p.add_argument("--rel-epochs", type=int, default=None, help="epochs of the relation stage (default: config)")
    p.add_argument("--reuse-docbins", action="store_true", help="with --stages relations: keep the DocBins in --work "
                   "when an earlier run wrote them from the same documents and tokenizer (tuning runs)")
    p.add_argument("--work", default=str(DEFAULT_WORK), help="directory for intermediate files")
    p.add_argument("--reports", default=None, help="directory of the report texts (default ../shared/reports)")
    p.add_argument("--max-docs", type=int, default=None, help="train on the first N documents only (smoke runs)")
    p.add_argument("--max-epochs", type=int, default=None)
    p.add_argument("--pkuseg-iter", type=int, default=10)
    p.add_argument("--no-augment", action="store_true", help="no traditional-script copies")
    p.set_defaults(func=cmd_train)
    e = sub.add_parser("evaluate", help="score a pipeline on a corpus split, side by side with the rules")
    e.add_argument("--split", default="test", choices=["train", "dev", "test"])
    e.add_argument("--model", default=None, help="pipeline directory (default: the shipped one)")
    e.add_argument("--reports", default=None)
    e.add_argument("--no-baseline", action="store_true")
    e.add_argument("--json", default=None, help="also write the scores here")
    e.add_argument("--update-meta", action="store_true", help="record the scores in the pipeline's meta.json")
    e.set_defaults(func=cmd_evaluate)
