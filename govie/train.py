"""``govie train`` and ``govie evaluate``: rebuild the shipped pipeline from ``corpus/`` and score it.

Training is reproducible (fixed seeds) and runs in four stages:

1. silver-segment the training texts and train a pkuseg model (``segmentation.py``);
2. convert the corpus to DocBins (train + traditional-script augmentation, dev), splitting tokens
   where a gold boundary falls inside one (the count is printed: it should stay near 0);
3. train tok2vec + NER with spaCy's loop from ``training/config.cfg``;
4. assemble the shipped pipeline — tokenizer → tok2vec → ner → govie_quantities →
   govie_table_reader → govie_relations (fitted on the training documents) → govie_rule_linker
   (fallback for quantities the model leaves unlinked) → govie_indicators — and save it.
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
from spacy.training import Example
from spacy.util import fix_random_seed

from .corpus import PROJECT_ROOT, CorpusDoc, load_corpus
from .segmentation import train_pkuseg, write_training_file

DEFAULT_CONFIG = PROJECT_ROOT / "training" / "config.cfg"
DEFAULT_WORK = PROJECT_ROOT / "training" / "work"
DEFAULT_OUTPUT = Path(__file__).parent / "model"
CHUNK = 1500
#: written into every pipeline ``govie train`` saves: only a directory holding it may be replaced
MARKER = "govie-train.json"
#: the shipped pipeline's name (meta.json); a retrained one elsewhere defaults to CUSTOM_NAME
SHIPPED_NAME, CUSTOM_NAME = "govie_zh", "govie_zh_custom"
#: seconds between two "still running" lines of a stage that prints nothing itself
HEARTBEAT = 30.0


class TrainingError(ValueError):
    """Training cannot start: no documents, no config (one line, exit 2 on the command line)."""


def check_config(config: Path) -> Path:
    """The training config, or a ``TrainingError`` saying what to pass (an installed govie has no
    ``training/`` directory)."""
    config = Path(config)
    if not config.is_file():
        raise TrainingError(f"training config not found: {config}. An installed govie ships no training/ "
                            "directory: pass --config FILE (training/config.cfg of a govie checkout)")
    return config


def default_work_dir() -> Path:
    """``training/work`` of a checkout; for an installed govie (no ``training/``), a directory in the
    system's temporary directory (never inside site-packages)."""
    import tempfile

    if DEFAULT_WORK.parent.is_dir():
        return DEFAULT_WORK
    return Path(tempfile.gettempdir()) / "govie-train-work"


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
    from . import tokenizer  # noqa: F401 (registers govie.ChineseTokenizer.v1)

    if pkuseg_dir is None:
        return spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "govie.ChineseTokenizer.v1"}}})
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "govie.ChineseTokenizer.v1",
                                                          "segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=str(pkuseg_dir))
    return nlp


class Heartbeat:
    """While a silent stage runs, log a line every ``every`` seconds: the elapsed time and what
    ``progress()`` says (e.g. the last pkuseg iteration), so a long run never looks hung."""

    def __init__(self, what: str, every: Optional[float] = None, progress=None) -> None:
        import threading

        self.what, self.every, self.progress = what, HEARTBEAT if every is None else every, progress
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._last = None

    def _state(self) -> Optional[str]:
        if self.progress is None:
            return None
        try:
            return self.progress()
        except Exception:  # progress is a nicety: never let it end the run
            return None

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            extra = self._state()
            if extra and extra != self._last:
                self._last = extra
                log(f"{self.what}: {extra} ({time.monotonic() - self._start:.0f} s)")
            else:
                log(f"{self.what}: still running ({time.monotonic() - self._start:.0f} s)")

    def __enter__(self) -> "Heartbeat":
        self._start = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self._stop.set()
        self._thread.join()
        extra = self._state() if exc_type is None else None
        if extra and extra != self._last:  # the last step, when it ended between two beats
            log(f"{self.what}: {extra} ({time.monotonic() - self._start:.0f} s)")


def pkuseg_progress(tmp_root: Path, iterations: int):
    """A function that reads the newest ``iterN …`` line of pkuseg's training log under ``tmp_root``
    (pkuseg writes ``trainLog.txt`` into a temporary directory of the training process)."""
    import re

    seen: list[str] = []  # the process removes its log when it ends: keep the last line read

    def progress() -> Optional[str]:
        lines = []
        for log_file in tmp_root.glob("*/.pkuseg/temp/output/trainLog.txt"):
            try:
                text = log_file.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            lines += [ln for ln in text.splitlines() if ln.startswith("iter")]
        if lines:
            seen[:] = lines[-1:]
        if not seen:
            return "reading the training data"
        lines = seen
        m = re.match(r"iter(\d+)\s+diff=(\S+)\s+train-time\(sec\)=(\S+)\s+(.*)", lines[-1])
        if not m:
            return lines[-1]
        return f"iteration {int(m.group(1)) + 1}/{iterations} done (diff {m.group(2)}, {m.group(4).strip()})"

    return progress


def stage_pkuseg(train_docs: Sequence[CorpusDoc], dev_docs: Sequence[CorpusDoc], work: Path,
                 iterations: int) -> Path:
    seg = work / "pkuseg"
    write_training_file([(d.text, bounds(d)) for d in train_docs], work / "seg-train.txt")
    write_training_file([(d.text, []) for d in dev_docs], work / "seg-dev.txt")
    if seg.exists():
        shutil.rmtree(seg)
    # the training process keeps its log in a temporary directory: put that where the heartbeat can read it
    tmp_root = work / "pkuseg-tmp"
    shutil.rmtree(tmp_root, ignore_errors=True)
    tmp_root.mkdir(parents=True)
    old = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(tmp_root.resolve())
    try:
        start = time.monotonic()
        with Heartbeat("stage 1/4: pkuseg", progress=pkuseg_progress(tmp_root, iterations)):
            train_pkuseg(work / "seg-train.txt", work / "seg-dev.txt", seg, iterations)
        log(f"stage 1/4: pkuseg done ({iterations} iterations, {time.monotonic() - start:.0f} s)")
    finally:
        if old is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = old
        shutil.rmtree(tmp_root, ignore_errors=True)
    return seg


def stage_docbins(nlp: Language, train_docs: Sequence[CorpusDoc], dev_docs: Sequence[CorpusDoc], work: Path) -> int:
    from .corpus import to_docbin

    pieces = [c for d in train_docs for c in chunk_doc(d)]
    random.Random(0).shuffle(pieces)
    db, mis_train = to_docbin(pieces, nlp)
    db.to_disk(work / "train.spacy")
    db, mis_dev = to_docbin([c for d in dev_docs for c in chunk_doc(d)], nlp)
    db.to_disk(work / "dev.spacy")
    log(f"DocBins: {len(pieces)} training pieces; entity boundaries inside a token (split): "
        f"train {mis_train}, dev {mis_dev}")
    return mis_train + mis_dev


def examples_for(nlp: Language, docs: Sequence[CorpusDoc]) -> list[Example]:
    from .corpus import to_docs

    refs, _ = to_docs(docs, nlp)
    return [Example(nlp.make_doc(r.text), r) for r in refs]


def assemble(ner_dir: Path, train_docs: Sequence[CorpusDoc], classifier: str = "thinc",
             rel_epochs: int = 8, propose: bool = True) -> Language:
    """The shipped pipeline: trained tok2vec/NER + rule quantities + table reader + relations."""
    from . import components, relations, tables, taxonomy  # noqa: F401  (register the factories)

    nlp = spacy.load(ner_dir)
    nlp.add_pipe("govie_metric_bounds", after="ner")
    nlp.add_pipe("govie_quantities", after="govie_metric_bounds")
    nlp.add_pipe("govie_table_reader", after="govie_quantities")
    rel = nlp.add_pipe("govie_relations", config={"classifier": classifier, "propose": propose})
    # quantities the relation model leaves unlinked or doubts fall back to the rule linker
    nlp.add_pipe("govie_rule_linker")
    nlp.add_pipe("govie_indicators")
    examples = examples_for(nlp, train_docs)
    fix_random_seed(0)  # the thinc network's initial weights and dropout
    rel.initialize(lambda: examples, nlp=nlp)
    if classifier == "thinc":
        optimizer = nlp.create_optimizer()
        rng = random.Random(0)
        for epoch in range(rel_epochs):
            rng.shuffle(examples)
            losses: dict = {}
            for i in range(0, len(examples), 4):
                rel.update(examples[i:i + 4], sgd=optimizer, losses=losses)
            log(f"relations (thinc) epoch {epoch + 1}/{rel_epochs} loss {losses.get(rel.name, 0):.3f}")
    return nlp


def check_name_version(name: Optional[str], version: Optional[str]) -> None:
    """``--name``/``--version`` usable by ``spacy package`` (package ``zh_<name>-<version>``), or a
    one-line ``ValueError``."""
    import re

    if name is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise ValueError(f"--name {name!r}: letters, digits and _ only, starting with a letter (spacy package "
                         "makes it the Python package zh_<name>)")
    if version is not None:
        from packaging.version import InvalidVersion, Version

        try:
            Version(version)
        except InvalidVersion:
            raise ValueError(f"--version {version!r} is not a version number such as 1.0.0 or 0.1.0+mine") from None


def default_name_version(output: Path, name: Optional[str], version: Optional[str]) -> tuple[str, str]:
    """The name and version of a pipeline trained into ``output``: the shipped pipeline's
    (``govie_zh``, govie's version) when it replaces the shipped one, else ``govie_zh_custom`` and
    ``<govie version>+custom`` unless ``--name``/``--version`` say otherwise — a retrained pipeline
    never passes for the shipped one."""
    shipped = Path(output).absolute() == DEFAULT_OUTPUT.absolute()
    return (name or (SHIPPED_NAME if shipped else CUSTOM_NAME),
            version or (_version() if shipped else f"{_version()}+custom"))


def write_meta(nlp: Language, name: str = SHIPPED_NAME, version: Optional[str] = None) -> None:
    """Name and describe the pipeline; ``govie evaluate --update-meta`` adds the measured scores."""
    nlp.meta.update({"name": name, "version": version or _version(), "description":
                     "govie: QUANTITY/METRIC NER and VALUE_OF/PART_OF relations for Chinese government "
                     "information-disclosure annual reports", "license": "MIT", "author": "govie"})


def _version() -> str:
    from . import __version__

    return __version__


def _is_training_output(path: Path) -> bool:
    """``path`` holds a pipeline ``govie train`` wrote: its marker, or (written before the marker
    existed) a ``meta.json`` naming the ``govie_zh`` pipeline."""
    if (path / MARKER).is_file():
        return True
    try:
        return json.loads((path / "meta.json").read_text(encoding="utf-8")).get("name") == SHIPPED_NAME
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


def train(output: Path = DEFAULT_OUTPUT, config: Path = DEFAULT_CONFIG, work: Path = DEFAULT_WORK,
          corpus_dir: Optional[Path] = None, reports_dir: Optional[Path] = None, max_docs: Optional[int] = None,
          max_epochs: Optional[int] = None, pkuseg_iter: int = 10, classifier: str = "thinc",
          augment: bool = True, name: Optional[str] = None, version: Optional[str] = None) -> Language:
    from spacy.cli.train import train as spacy_train

    from . import tokenizer  # noqa: F401

    check_output_dir(output)  # before the long run, not after it
    check_name_version(name, version)
    name, version = default_name_version(output, name, version)
    config = check_config(config)
    random.seed(0)
    work.mkdir(parents=True, exist_ok=True)
    log("loading the corpus")
    docs = load_corpus(corpus_dir, reports_dir, augment=augment, missing="skip")
    train_docs = [d for d in docs if d.split == "train"]
    dev_docs = [d for d in docs if d.split == "dev"]
    if max_docs:
        train_docs, dev_docs = train_docs[:max_docs], dev_docs[:max(1, max_docs // 2)]
    if not train_docs:
        from .corpus import reports_dirs, resolve_corpus_dir

        searched = ", ".join(str(d) for d in reports_dirs(reports_dir)) or "none found"
        raise TrainingError(f"no training documents could be loaded from {resolve_corpus_dir(corpus_dir)} "
                            f"(reports directories searched: {searched}); pass --reports DIR for the folder(s) "
                            "holding the texts, --corpus DIR for another corpus")
    if not dev_docs:  # a corpus too small for a dev split (smoke runs): score on the training data
        log("no dev documents available: the training documents stand in for dev")
        dev_docs = train_docs[:1]
    log(f"corpus: {len(train_docs)} training documents ({sum(d.origin == 'augmented' for d in train_docs)} "
        f"augmented), {len(dev_docs)} dev")
    log(f"stage 1/4: pkuseg segmenter ({pkuseg_iter} iterations)")
    seg = stage_pkuseg(train_docs, dev_docs, work, pkuseg_iter)
    nlp = make_tokenizer_nlp(seg)
    log("stage 2/4: DocBins")
    with Heartbeat("stage 2/4: DocBins"):
        stage_docbins(nlp, train_docs, dev_docs, work)
    log("stage 3/4: tok2vec + NER (spaCy training loop)")
    overrides = {"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy"),
                 "paths.pkuseg_model": str(seg)}
    if max_epochs:
        overrides["training.max_epochs"] = max_epochs
    ner_out = work / "ner"
    with Heartbeat("stage 3/4: tok2vec + NER", every=4 * HEARTBEAT):
        spacy_train(config, ner_out, overrides=overrides)
    log(f"stage 4/4: assembling the pipeline, fitting govie_relations ({classifier})")
    with Heartbeat("stage 4/4: relations"):
        final = assemble(ner_out / "model-best", train_docs, classifier=classifier)
    write_meta(final, name, version)
    save_output(final, output)
    log(f"saved {output}: pipeline {name} {version}")
    return final


# --------------------------------------------------------------------------- CLI
def _usage(msg: str) -> int:
    print(f"govie: {' '.join(str(msg).split())}", file=sys.stderr)
    return 2


def cmd_train(args: argparse.Namespace) -> int:
    from .corpus import CorpusError, resolve_corpus_dir

    try:
        check_output_dir(Path(args.output))
        check_name_version(args.name, args.model_version)
        check_config(Path(args.config))
        corpus = resolve_corpus_dir(args.corpus)
    except (ValueError, CorpusError) as e:
        return _usage(str(e))
    name, version = default_name_version(Path(args.output), args.name, args.model_version)
    if Path(args.output).absolute() != DEFAULT_OUTPUT.absolute() and not (args.name and args.model_version):
        log(f"the new pipeline will be named {name} {version} (--name/--version to choose)")
    work = Path(args.work) if args.work else default_work_dir()
    try:
        train(Path(args.output), Path(args.config), work, corpus_dir=corpus, reports_dir=args.reports,
              max_docs=args.max_docs, max_epochs=args.max_epochs, pkuseg_iter=args.pkuseg_iter,
              classifier=args.classifier, augment=not args.no_augment, name=name, version=version)
    except TrainingError as e:
        return _usage(str(e))
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
    from .api import load

    if spec in (None, "", "shipped", "default"):
        return load()
    if spec != "rules" and not Path(spec).is_dir():
        raise ValueError(f"{spec}: no such pipeline directory (give a directory govie train wrote, 'shipped' "
                         "or 'rules')")
    return load(spec)


def score_with_progress(docs: Sequence[CorpusDoc], nlp, label: str):
    """:func:`govie.evaluate.evaluate`, with a line every few documents (a split takes minutes)."""
    from .api import parse_many
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
    """B − A for each row of :func:`govie.evaluate.format_table`, in its order."""
    def flat(s) -> list[float]:
        vals = [s.quantity.f, s.fact.f, s.fact_exact.f, s.fact.p, s.fact.r]
        for lab in ("QUANTITY", "METRIC"):
            vals += [s.ner[lab].p, s.ner[lab].r, s.ner[lab].f]
        for lab in ("VALUE_OF", "PART_OF"):
            vals += [s.relations[lab].p, s.relations[lab].r, s.relations[lab].f]
        return vals

    return [x - y for x, y in zip(flat(b), flat(a))]


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .corpus import CorpusError, resolve_corpus_dir
    from .evaluate import format_table

    try:
        corpus = resolve_corpus_dir(args.corpus)
        print(f"[govie evaluate] loading the {args.split} split of {corpus}", file=sys.stderr, flush=True)
        # every document of the split or none: a score over the documents that happen to load misleads
        docs = [d for d in load_corpus(corpus, args.reports) if d.split == args.split]
    except CorpusError as e:
        return _usage(f"{e} (pass --reports DIR, repeatable, for the folders holding the texts)")
    if not docs:
        from .corpus import reports_dirs

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
    from .corpus_cli import add_reports_option

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
    p.add_argument("--config", default=str(DEFAULT_CONFIG))
    p.add_argument("--work", default=None, help="directory for intermediate files (default training/work of the "
                   "checkout, else a temporary directory)")
    p.add_argument("--max-docs", type=int, default=None, help="train on the first N documents only (smoke runs)")
    p.add_argument("--max-epochs", type=int, default=None)
    p.add_argument("--pkuseg-iter", type=int, default=10)
    p.add_argument("--classifier", choices=["sklearn", "thinc"], default="thinc")
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
