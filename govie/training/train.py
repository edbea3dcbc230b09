"""``govie train``: rebuild the shipped pipeline from ``corpus/`` (the commands ``govie train`` and
``govie evaluate`` are in :mod:`govie.training.cli`).

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
(minutes instead of an hour: the pkuseg and NER stages are the long ones); ``ner+relations``: 2 to 4 on its pkuseg.

Every stage says how far it is: pkuseg a line per iteration (read from its training log), the silent
ones a :class:`Heartbeat` line every :data:`HEARTBEAT` seconds.
"""
from __future__ import annotations

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

from ..corpus.records import PROJECT_ROOT, CorpusDoc, PathsLike, load_corpus, reports_dirs, resolve_corpus_dir
from ..pipeline.tokenizer import pkuseg_model_dir
# (CUSTOM_NAME, MARKER, SHIPPED_NAME, check_*: the names govie.training.cli and callers import from here)
from .output import CUSTOM_NAME, DEFAULT_OUTPUT, MARKER, SHIPPED_NAME  # noqa: F401
from .output import check_name_version, check_output_dir, default_name_version, save_output, write_meta  # noqa: F401
from .segmentation import train_pkuseg, write_training_file
from .subset import issuer_subset

DEFAULT_NER_CONFIG = PROJECT_ROOT / "training" / "ner.cfg"
DEFAULT_REL_CONFIG = PROJECT_ROOT / "training" / "config.cfg"
DEFAULT_WORK = PROJECT_ROOT / "training" / "work"
CHUNK = 1500
#: seconds between two "still running" lines of a stage that prints nothing itself
HEARTBEAT = 30.0
#: the option that names each training config, and the file of a checkout it defaults to
CONFIG_OPTIONS = {"--config": "training/config.cfg", "--ner-config": "training/ner.cfg"}


class TrainingError(ValueError):
    """Training cannot start: no documents, no config (one line, exit 2 on the command line)."""


def check_config(config: Path, option: str = "--config") -> Path:
    """A training config (``option`` names it: ``--config`` for the relation stage, ``--ner-config``
    for tok2vec + NER), or a ``TrainingError`` saying what to pass (an installed govie has no
    ``training/`` directory)."""
    config = Path(config)
    if not config.is_file():
        raise TrainingError(f"training config not found: {config}. An installed govie ships no training/ "
                            f"directory: pass {option} FILE ({CONFIG_OPTIONS[option]} of a govie checkout)")
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


def make_tokenizer_nlp(pkuseg_dir: Optional[Path], script_view: bool = False) -> Language:
    """A blank pipeline with govie's tokenizer (pkuseg from ``pkuseg_dir``, else characters).
    ``script_view``: the NER config's setting (:func:`ner_script_view`), so that the DocBins are tokenized
    as the pipeline the NER stage saves will tokenize."""
    from ..pipeline import tokenizer  # noqa: F401 (registers govie.ChineseTokenizer.v1)

    tokenizer = {"@tokenizers": "govie.ChineseTokenizer.v1", "script_view": script_view}
    if pkuseg_dir is None:
        return spacy.blank("zh", config={"nlp": {"tokenizer": tokenizer}})
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {**tokenizer, "segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=str(pkuseg_dir))
    return nlp


def ner_script_view(config: Path) -> bool:
    """The ``script_view`` of the tokenizer in the NER training config (``[nlp.tokenizer]``)."""
    from spacy.util import load_config

    return bool(load_config(config)["nlp"]["tokenizer"].get("script_view", False))


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
GOVIE_COMPONENTS = ("govie_metric_bounds", "govie_metric_bounds_final", "govie_quantities", "govie_table_reader", "govie_rule_linker",
                    "govie_relations", "govie_counted_nouns", "govie_breakdown_sums", "govie_indicators")


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
    from ..pipeline import register_components

    register_components()

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
    nlp.add_pipe("govie_counted_nouns")  # 26家政府部门: the noun after the measure word
    nlp.add_pipe("govie_breakdown_sums")  # figures that add up to an earlier one are its breakdown
    # the METRICs relations point to, trimmed to the guidelines' bounds (relations move with them)
    nlp.add_pipe("govie_metric_bounds", name="govie_metric_bounds_final", config={"relations": True})
    nlp.add_pipe("govie_indicators")
    return nlp


def train(output: Path = DEFAULT_OUTPUT, config: Path = DEFAULT_NER_CONFIG, work: Path = DEFAULT_WORK,
          corpus_dir: Optional[Path] = None, reports_dir: PathsLike = None, max_docs: Optional[int] = None,
          max_epochs: Optional[int] = None, pkuseg_iter: int = 10, augment: bool = True,
          rel_config: Path = DEFAULT_REL_CONFIG, base: Optional[Path] = None,
          rel_epochs: Optional[int] = None, name: Optional[str] = None, version: Optional[str] = None,
          reuse_docbins: bool = False, stages: str = "relations", train_subset: Optional[int] = None,
          subset_seed: int = 0) -> Language:
    """All four stages; with ``base`` (a saved pipeline) stages 2 and 4 on its tokenizer/tok2vec/NER, or with
    ``stages="ner+relations"`` 2 to 4 on its pkuseg model. ``train_subset``: :func:`.subset.issuer_subset`.
    ``reuse_docbins``: keep the DocBins in ``work`` written from the same documents and tokenizer.

    ``config`` is the tok2vec + NER config (``--ner-config``), ``rel_config`` the relation config
    (``--config``); ``reports_dir`` one directory or several (:func:`govie.corpus.records.reports_dirs`);
    ``name``/``version`` go into meta.json (:func:`default_name_version` when not given).
    """
    from spacy.cli.train import train as spacy_train

    from ..pipeline import tokenizer  # noqa: F401

    check_output_dir(output)  # before the long run, not after it
    check_name_version(name, version)
    name, version = default_name_version(output, name, version)
    rel_config = check_config(rel_config, "--config")
    keep_ner = base is not None and stages == "relations"
    if not keep_ner:
        config = check_config(config, "--ner-config")
    random.seed(0)
    work.mkdir(parents=True, exist_ok=True)
    log("loading the corpus")
    docs = load_corpus(corpus_dir, reports_dir, augment=augment, missing="skip")
    train_docs = [d for d in docs if d.split == "train"]
    dev_docs = [d for d in docs if d.split == "dev"]
    if train_subset is not None:
        train_docs = issuer_subset(train_docs, train_subset, subset_seed)
        log(f"training subset: {train_subset} documents drawn by issuer (seed {subset_seed})")
    if max_docs:
        train_docs, dev_docs = train_docs[:max_docs], dev_docs[:max(1, max_docs // 2)]
    if not train_docs:
        searched = ", ".join(str(d) for d in reports_dirs(reports_dir)) or "none found"
        raise TrainingError(f"no training documents could be loaded from {resolve_corpus_dir(corpus_dir)} "
                            f"(reports directories searched: {searched}); pass --reports DIR for the folder(s) "
                            "holding the texts, --corpus DIR for another corpus")
    if not dev_docs:  # a corpus too small for a dev split (smoke runs): score on the training data
        log("no dev documents available: the training documents stand in for dev")
        dev_docs = train_docs[:1]
    log(f"corpus: {len(train_docs)} training documents ({sum(d.origin == 'augmented' for d in train_docs)} "
        f"augmented), {len(dev_docs)} dev")
    if keep_ner:
        log(f"stages 2 and 4 only, on the tokenizer, tok2vec and NER of {base}")
        nlp = load_base(base)
    elif base is not None:
        log(f"stages 2 to 4 on the pkuseg model of {base} (stage 1 skipped)")
        nlp = make_tokenizer_nlp(seg := pkuseg_model_dir(base), ner_script_view(config))
    else:
        log(f"stage 1/4: pkuseg segmenter ({pkuseg_iter} iterations)")
        seg = stage_pkuseg(train_docs, dev_docs, work, pkuseg_iter)
        nlp = make_tokenizer_nlp(seg, ner_script_view(config))
    log("stage 2/4: DocBins")
    with Heartbeat("stage 2/4: DocBins"):
        stage_docbins(nlp, train_docs, dev_docs, work, reuse=reuse_docbins)
    if not keep_ner:
        log("stage 3/4: tok2vec + NER (spaCy training loop)")
        overrides = {"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy"),
                     "paths.pkuseg_model": str(seg)}
        if max_epochs:
            overrides["training.max_epochs"] = max_epochs
        ner_out = work / "ner"
        with Heartbeat("stage 3/4: tok2vec + NER", every=4 * HEARTBEAT):
            spacy_train(config, ner_out, overrides=overrides)
        nlp = spacy.load(ner_out / "model-best")
    log("stage 4/4: govie_relations (spaCy training loop), assembling the pipeline")
    with Heartbeat("stage 4/4: govie_relations", every=4 * HEARTBEAT):
        relations_dir = train_relations(rel_config, work, rel_epochs)
    with Heartbeat("stage 4/4: assembling"):
        final = assemble(nlp, relations_dir)
    write_meta(final, name, version)
    save_output(final, output)
    log(f"saved {output}: pipeline {name} {version}")
    return final
