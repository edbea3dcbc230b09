"""The public entry points: :func:`load`, :func:`parse`, :func:`parse_file`, :func:`parse_many`."""
from __future__ import annotations

import functools
import os
import pickle
import re
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, TypeVar, Union

import spacy
from spacy.language import Language

from .pipeline.extensions import no_relation_spans
from .report import Fact, Report, TextSpan, report_from_doc

MODEL_DIR = Path(__file__).parent / "model"
#: texts longer than this are processed in chunks cut on paragraph boundaries
CHUNK_CHARS = 50_000
#: runs of word characters (no space, no punctuation) longer than this are cut into pieces this long
MAX_RUN = 1_000
#: control characters and lone surrogates (which spaCy cannot encode) are blanked before parsing
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def build_rule_pipeline() -> Language:
    """The rule-only pipeline: character tokens, rule quantities, statistics tables, the rule linker's
    proposals all accepted, indicators."""
    from .pipeline import register_components

    register_components()

    from .pipeline.tokenizer import CharTokenizer

    nlp = spacy.blank("zh")
    nlp.tokenizer = CharTokenizer(nlp.vocab)  # spaCy's character tokenizer, aligned in linear time
    nlp.add_pipe("govie_quantities")
    nlp.add_pipe("govie_table_reader")
    nlp.add_pipe("govie_rule_linker")
    nlp.add_pipe("govie_rule_relations")
    nlp.add_pipe("govie_counted_nouns")
    nlp.add_pipe("govie_breakdown_sums")
    nlp.add_pipe("govie_metric_bounds", name="govie_metric_bounds_final", config={"relations": True})
    nlp.add_pipe("govie_indicators")
    return nlp


#: id(pipeline) -> the path it was loaded from (worker processes reload it from there)
_LOADED_FROM: dict[int, str] = {}


@functools.lru_cache(maxsize=4)
def _load_cached(path: str) -> Language:
    if path == "rules":
        nlp = build_rule_pipeline()
    else:
        from .pipeline import register_components

        register_components()

        _refuse_legacy(Path(path))
        nlp = spacy.load(path)
    _LOADED_FROM[id(nlp)] = path
    return nlp


def _refuse_legacy(path: Path) -> None:
    """A pipeline saved by govie 0.1 (relation component v1, rule linker after it) does not load in this
    govie: say so, and how to rebuild it, instead of a configuration traceback."""
    try:
        config = (path / "config.cfg").read_text(encoding="utf-8")
    except OSError:
        return  # spacy.load says what is missing
    if '"govie.RelationMLP.v1"' in config:
        raise ValueError(f"{path} was saved by govie 0.1 (relation component v1), which this govie cannot load; "
                         f"retrain its relation component: govie train --stages relations --base {path} "
                         f"--output NEW_DIR")


def load(path: Union[str, Path, None] = None) -> Language:
    """The shipped pipeline (or the pipeline saved at ``path``; ``"rules"`` for the rule baseline)."""
    if path is None:
        path = MODEL_DIR if (MODEL_DIR / "config.cfg").exists() else "rules"
    return _load_cached(str(path))


def _forced_cuts(text: str, run: int) -> list[int]:
    """Positions every ``run`` characters inside runs of word characters longer than ``run``."""
    return [p for m in re.finditer(rf"(?<!\w)\w{{{run + 1},}}", text) for p in range(m.start() + run, m.end(), run)]


def chunks(text: str, size: int = CHUNK_CHARS, run: int = MAX_RUN) -> Iterator[tuple[int, str]]:
    """Cut ``text`` into pieces of at most about ``size`` characters on paragraph boundaries.

    A run of more than ``run`` word characters with no space or punctuation (a damaged extraction)
    is also cut every ``run`` characters: some quantity rules scan such runs in quadratic time.
    """
    start = 0
    n = len(text)
    forced = _forced_cuts(text, run) if n > run else []
    fi = 0
    while start < n:
        while fi < len(forced) and forced[fi] <= start:
            fi += 1
        end = min(n, start + size)
        if fi < len(forced) and forced[fi] < end:
            end = cut = forced[fi]
            while cut > start + 1 and cut > end - 20 and text[cut - 1].isdigit() and text[cut].isdigit():
                cut -= 1  # not inside a number, if it is short
            end = cut if not (text[cut - 1].isdigit() and text[cut].isdigit()) else end
        elif end < n:
            cut = text.rfind("\n", start + size // 2, end)
            if cut < 0:
                cut = max(text.rfind(p, start + size // 2, end) for p in "。；;!！?？")
            end = cut + 1 if cut >= 0 else end
        yield start, text[start:end]
        start = end


def _clean(text: str) -> str:
    """Control characters become spaces (same length, so offsets into ``text`` stay valid)."""
    return _CONTROL.sub(" ", text)


def _shift(report: Report, offset: int) -> Report:
    if not offset:
        return report

    def sh(s: TextSpan) -> TextSpan:
        return TextSpan(s.start + offset, s.end + offset, s.text)

    def shf(f: Fact) -> Fact:
        return replace(f, quantity=sh(f.quantity), metrics=[sh(m) for m in f.metrics])

    rels = [{**r, "head": {**r["head"], "start": r["head"]["start"] + offset, "end": r["head"]["end"] + offset},
             "tail": {**r["tail"], "start": r["tail"]["start"] + offset, "end": r["tail"]["end"] + offset}}
            for r in report.relations]
    checks = [replace(c, spans=[{**sp, "start": sp["start"] + offset, "end": sp["end"] + offset} for sp in c.spans])
              if c.spans else c for c in report.checks]
    return replace(report, facts=[shf(f) for f in report.facts], quantities=[shf(f) for f in report.quantities],
                   relations=rels, checks=checks)


def _retext(text: str, report: Report) -> Report:
    """Span texts taken from ``text`` itself (the parsed copy had its control characters blanked)."""

    def rt(s: TextSpan) -> TextSpan:
        return TextSpan(s.start, s.end, text[s.start:s.end])

    def rtf(f: Fact) -> Fact:
        return replace(f, quantity=rt(f.quantity), metrics=[rt(m) for m in f.metrics])

    quantities = [rtf(f) for f in report.quantities]
    by_span = {(f.quantity.start, f.quantity.end): f for f in quantities}
    facts = [by_span.get((f.quantity.start, f.quantity.end)) or rtf(f) for f in report.facts]
    rels = [{**r, "head": {**r["head"], "text": text[r["head"]["start"]:r["head"]["end"]]},
             "tail": {**r["tail"], "text": text[r["tail"]["start"]:r["tail"]["end"]]}} for r in report.relations]
    return replace(report, text=text, facts=facts, quantities=quantities, relations=rels)


def _merge(text: str, parts: list[Report]) -> Report:
    dirty = _CONTROL.search(text) is not None  # span texts then come from the blanked copy
    if len(parts) == 1:
        return _retext(text, parts[0]) if dirty else replace(parts[0], text=text)
    meta: dict = {}
    for p in parts:
        for k, v in p.meta.items():
            meta.setdefault(k, v)
    merged = Report(text=text, facts=[f for p in parts for f in p.facts],
                    quantities=[f for p in parts for f in p.quantities],
                    relations=[r for p in parts for r in p.relations],
                    checks=[c for p in parts for c in p.checks], meta=meta)
    return _retext(text, merged) if dirty else merged


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"govie.parse expects str, got {type(text).__name__}; decode bytes first "
                        "or use govie.parse_file(path)")
    return text


def parse(text: str, nlp: Optional[Language] = None) -> Report:
    """Read one report: every QUANTITY, and a :class:`Fact` for each one linked to an indicator.

    Empty or whitespace-only text gives an empty :class:`Report`. Offsets refer to ``text``.
    """
    return next(parse_many([text], nlp=nlp))


def parse_file(path: Union[str, Path], nlp: Optional[Language] = None) -> Report:
    """Read one report file (``.txt`` in any supported encoding, ``.html``, ``.docx``, ``.pdf``).

    ``Report.text`` is the extracted text and offsets refer to it. A file that cannot be read
    raises :class:`govie.io.readers.InputError` (a ``ValueError``) with a one-line message.
    """
    from .io.readers import read_file

    return parse(read_file(path), nlp=nlp)


_WORKER_NLP: Optional[Language] = None


def _init_worker(spec: tuple[str, object]) -> None:
    """Set up a worker: its pipeline (``spec``: ``("object", nlp)`` inherited by a forked worker,
    ``("path", path)`` to load, ``("pickle", bytes)``), signals and one thread per process."""
    global _WORKER_NLP
    import signal

    from .parallel import die_with_parent

    # Ctrl-C reaches the whole process group: the parent ends the workers (see parallel.stop_pool), so
    # that they do not each print a KeyboardInterrupt traceback; a forked worker also inherited the
    # parent's SIGTERM handler (the CLI's, which unwinds the parent): a worker just ends
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent()
    # one process per core: no nested OpenMP/BLAS threads (spinning OpenMP threads of two workers
    # on two cores made each worker three times slower). The variables cover libraries loaded
    # later (the relation classifier's OpenMP runtime), threadpool_limits those already loaded.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    from threadpoolctl import threadpool_limits

    kind, value = spec
    if kind == "object":
        _WORKER_NLP = value  # type: ignore[assignment]
    else:
        _WORKER_NLP = load(value) if kind == "path" else pickle.loads(value)  # type: ignore[arg-type]
    threadpool_limits(1)


def _parse_in_worker(texts: list[str], batch_size: int) -> list[Report]:
    return list(parse_many(texts, nlp=_WORKER_NLP, batch_size=batch_size))


_T = TypeVar("_T")


def _batches(items: Iterable[_T], max_items: int, max_size: Optional[int] = None,
             size: Callable[[_T], int] = lambda _: 0) -> Iterator[list[_T]]:
    """``items`` in order, in lists of at most ``max_items`` and (but for a single item larger than
    that) at most ``max_size`` summed ``size``."""
    group: list[_T] = []
    total = 0
    for item in items:
        n = size(item)
        if group and (len(group) >= max_items or (max_size is not None and total + n > max_size)):
            yield group
            group, total = [], 0
        group.append(item)
        total += n
    if group:
        yield group


def _parse_parallel(texts: Iterable[str], nlp: Optional[Language], n_process: int,
                    batch_size: int) -> Iterator[Report]:
    """This process and ``n_process - 1`` workers parse batches of texts; results come back in order.

    Workers are forked where that is safe, inheriting the pipeline, else spawned, loading it once
    (:mod:`govie.parallel`); the pool is kept for the next call with the same pipeline. This process
    parses whenever the workers have enough queued, so it works while spawned workers start up and
    only half of the results cross a process boundary when ``n_process=2``.
    """
    from collections import deque
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from threadpoolctl import threadpool_limits

    from . import parallel

    parallel.check_main_guard()
    local = nlp or load()

    def spec(method: str) -> tuple[str, object]:
        if method == "fork":
            return ("object", local)  # a forked worker inherits it: nothing is pickled
        if nlp is None:
            return ("path", None)
        if id(nlp) in _LOADED_FROM:
            return ("path", _LOADED_FROM[id(nlp)])
        return ("pickle", pickle.dumps(nlp))

    workers = n_process - 1
    window = 2 * workers  # tasks queued per worker pool: each worker has the next one waiting
    if hasattr(texts, "__len__"):  # a short list: smaller batches, so that every process gets some
        batch_size = max(1, min(batch_size, -(-len(texts) // (2 * n_process))))  # type: ignore[arg-type]

    pending: deque = deque()  # in text order: a Future of a worker, or the reports parsed here
    queued: list[tuple[Future, int]] = []  # the workers' tasks not done yet, and their characters

    def take() -> list[Report]:
        item = pending.popleft()
        return item.result() if isinstance(item, Future) else item

    ex, method = parallel.acquire(local, workers, _init_worker, spec)
    ok = False
    try:
        with threadpool_limits(1):
            # small tasks (the NER is as fast on one doc as on 16), so that every process stays busy
            # to the end; this process takes a task when the workers have enough queued: as many tasks
            # as ``window`` and, per worker, as many characters as the task (a long text parsed here
            # must not leave a worker idle)
            for batch in _batches(map(_check_text, texts), batch_size, TASK_CHARS, size=len):
                busy = [(f, n) for f, n in queued if not f.done()]
                queued[:] = busy
                chars = sum(len(t) for t in batch)
                if len(busy) < window or sum(n for _, n in busy) < workers * chars:
                    future = ex.submit(_parse_in_worker, batch, batch_size)
                    queued.append((future, chars))
                    pending.append(future)
                else:
                    pending.append(list(parse_many(batch, nlp=local, batch_size=batch_size)))
                while pending and (not isinstance(pending[0], Future) or pending[0].done()
                                   or len(pending) > 4 * window):
                    yield from take()
            while pending:
                yield from take()
        ok = True
    except BrokenProcessPool as e:
        raise RuntimeError(f"a govie worker process died ({e}); if this runs from a script, check that "
                           f"it calls parse_many under if __name__ == \"__main__\":") from e
    finally:  # a signal (KeyboardInterrupt), an error, or the caller closed the generator: no worker is left
        parallel.release(ex, local, workers, method, ok)


#: characters per task (but for a single longer text) when ``n_process>1``
TASK_CHARS = 10_000
#: texts (or chunks of long texts) per ``nlp.pipe`` batch in :func:`parse_many`: the fastest of 2–32 on
#: the corpus reports (``benchmarks/components.py --batch-size``)
DEFAULT_BATCH_SIZE = 16
#: and at most this many characters per batch: the network's arrays grow with the characters in flight
#: (16 chunks of a long text at once doubled the peak memory of a 1 MB input)
BATCH_CHARS = 4 * CHUNK_CHARS


def parse_many(texts: Iterable[str], nlp: Optional[Language] = None, n_process: int = 1,
               batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[Report]:
    """Parse many texts, yielding one :class:`Report` per text, in order.

    ``batch_size``: pieces (texts, or chunks of long texts) per ``nlp.pipe`` batch (and at most
    ``BATCH_CHARS`` characters), and texts per task sent to a worker.

    ``n_process=1`` streams through ``nlp.pipe``; ``n_process>1`` (``-1``: one per CPU) parses in this
    process and ``n_process - 1`` worker processes, each with its own copy of the pipeline.
    """
    if n_process == -1:
        n_process = os.cpu_count() or 1
    if n_process > 1:
        yield from _parse_parallel(texts, nlp, n_process, batch_size)
        return
    nlp = nlp or load()

    def pieces() -> Iterator[tuple[str, tuple[int, int, int]]]:
        for i, text in enumerate(texts):
            text = _check_text(text)
            parts = list(chunks(text, CHUNK_CHARS, MAX_RUN)) or [(0, "")]
            registry[i] = (text, [o for o, _ in parts])
            for j, (_, piece) in enumerate(parts):
                yield _clean(piece), (i, j, len(parts))

    registry: dict[int, tuple[str, list[int]]] = {}
    pending: list[Report] = []
    for group in _batches(pieces(), batch_size, BATCH_CHARS, size=lambda item: len(item[0])):
        docs = nlp.pipe(group, as_tuples=True, batch_size=len(group))
        while True:
            with no_relation_spans():  # the Reports read doc._.relations; the Docs stay here
                item = next(docs, None)
            if item is None:
                break
            doc, (i, j, n) = item
            text, offsets = registry[i]
            pending.append(_shift(report_from_doc(doc), offsets[j]))
            if j == n - 1:
                yield _merge(text, pending)
                pending = []
                del registry[i]
