"""Batch parsing: ``govie parse DIR -o OUTDIR/ [--jobs N] [--force]``.

Files stream through :func:`govie.parse_many` (``n_process=jobs``); each input gets its own output,
``OUTDIR/<path relative to its input directory>.<format>``, written as soon as the report is parsed.

Safety (#13, #19):

- ``OUTDIR/.govie-batch.json`` records what made the outputs (model name, version and path, format,
  govie version). A later run resumes only when it matches; otherwise it stops and asks for
  ``--force`` (redo everything).
- Resume validates each existing output (complete JSON / JSONL / TSV, not truncated) and redoes those
  that are not; an empty ``.jsonl`` counts as done only for an empty input.
- Writes are atomic: a temporary name unique to the run (pid + random), fsync, ``os.replace``; two runs
  into one OUTDIR do not collide, and an interrupted run leaves no half file that counts as done.
- A file that cannot be found, read, parsed or written — an unreadable directory or a symbolic link
  loop too — gets one line on stderr naming it and a row in ``OUTDIR/errors.tsv``
  (``path<TAB>error``, appended under a lock); the run goes on, prints its summary and exits 1.
- Names that are not valid UTF-8 are processed; in messages and ``source`` fields their undecodable
  bytes are shown as ``\\xNN`` escapes.

Progress (files, chars/s, ETA) goes to stderr, and one summary line at the end.
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, TextIO


# writing, validating and stacking outputs live in outputs.py; re-exported here, batch being their public face
from .outputs import (BATCH_FORMATS, ERRORS_FILE, MANIFEST, PANEL_FORMATS, PANEL_NAME, _append_errors,  # noqa: F401
                      _atomic_write, _differences, _remove_dead_temporaries, check_manifest, display, model_identity,
                      one_line, stack_outputs, valid_output, write_report)


def add_commands(sub: argparse._SubParsersAction) -> None:
    """No sub-command of its own: ``govie parse`` calls :func:`run_batch` (see ``cli.cmd_parse``)."""


@dataclass
class BatchResult:
    parsed: int = 0
    skipped: int = 0
    failed: int = 0
    empty: int = 0
    redone: int = 0
    chars: int = 0
    seconds: float = 0.0
    errors: list[tuple[str, str]] = field(default_factory=list)
    panel: Optional[Path] = None  # OUTDIR/all.<format>, where the format has one
    panel_rows: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def summary(self, out_dir: Path) -> str:
        rate = self.chars / self.seconds if self.seconds > 0 else 0.0
        files_rate = self.parsed / self.seconds if self.seconds > 0 else 0.0
        line = (f"{self.parsed} parsed, {self.skipped} skipped (output exists), {self.failed} failed"
                f"{f' (see {display(out_dir / ERRORS_FILE)})' if self.failed else ''}; {self.chars:,} chars in "
                f"{self.seconds:.1f} s ({files_rate:.1f} files/s, {rate:,.0f} chars/s)")
        if self.redone:
            line += f"; {self.redone} incomplete output(s) redone"
        if self.empty:
            line += f"; {self.empty} empty input(s)"
        if self.panel is not None:
            line += f"; all outputs stacked in {display(self.panel)} ({self.panel_rows:,} rows)"
        return line


# ------------------------------------------------------------------------------------ finding inputs
def walk_inputs(paths: Sequence[str], exclude: Iterable[Path] = ()) -> tuple[list[tuple[Path, str]],
                                                                           list[tuple[Path, str]]]:
    """``([(file, name relative to its input directory)], [(path, problem)])`` for ``paths``.

    Directories are read recursively, in name order, following symbolic links to directories but
    never into a loop (reported); unreadable directories and broken links are reported, not skipped
    silently. Directories in ``exclude`` (the batch output directory) are not entered.
    """
    from .readers import INPUT_SUFFIXES

    files: list[tuple[Path, str]] = []
    problems: list[tuple[Path, str]] = []
    skip = set()
    for d in exclude:
        try:
            st = os.stat(d)
            skip.add((st.st_dev, st.st_ino))
        except OSError:
            pass

    def walk(d: Path, rel: str, ancestors: frozenset) -> None:
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: os.fsencode(e.name))
        except OSError as e:
            problems.append((d, f"cannot read directory: {e.strerror or one_line(e)}"))
            return
        for entry in entries:
            p = Path(entry.path)
            name = f"{rel}/{entry.name}" if rel else entry.name
            wanted = p.suffix.lower() in INPUT_SUFFIXES
            try:
                is_dir = entry.is_dir()  # follows links
                is_link = entry.is_symlink()
                if is_dir:
                    st = os.stat(p)
            except OSError as e:
                problems.append((p, f"cannot read: {e.strerror or one_line(e)}"))
                continue
            if is_dir:
                key = (st.st_dev, st.st_ino)
                if key in skip:
                    continue
                if key in ancestors:
                    problems.append((p, f"symbolic link loop (points to {display(os.readlink(p)) if is_link else '?'}), "
                                        "not followed"))
                    continue
                walk(p, name, ancestors | {key})
            elif is_link and wanted and not p.exists():
                problems.append((p, "broken symbolic link"))
            elif wanted:
                try:
                    regular = entry.is_file()
                except OSError:
                    regular = False
                if regular:
                    files.append((p, name))

    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            st = os.stat(root)
            walk(root, "", frozenset({(st.st_dev, st.st_ino)}))
        else:
            files.append((root, root.name))
    return files, problems


def plan(paths: Sequence[str], out_dir: Path, fmt: str,
         problems: Optional[list] = None) -> list[tuple[Path, str, Path]]:
    """``(input, relative name, output)`` for every input file; a directory's files relative to it.
    Walk problems (unreadable directories, link loops) are appended to ``problems`` when given."""
    found, issues = walk_inputs(paths, exclude=[out_dir])
    if problems is not None:
        problems.extend(issues)
    jobs: list[tuple[Path, str, Path]] = []
    seen: dict[Path, Path] = {}
    for f, rel in found:
        out = out_dir / f"{rel}.{fmt}"
        if out in seen:
            raise ValueError(f"{display(f)} and {display(seen[out])} would both write {display(out)}")
        seen[out] = f
        jobs.append((f, rel, out))
    return jobs


class Progress:
    """A one-line progress bar on stderr: redrawn in place on a terminal, a line every 10 s otherwise."""

    def __init__(self, total_files: int, total_bytes: int, stream: Optional[TextIO] = None) -> None:
        self.total_files, self.total_bytes = total_files, max(1, total_bytes)
        self.stream = stream or sys.stderr
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.start = self.last = time.monotonic()
        self.files = self.bytes = self.chars = 0
        self.drawn = False

    def update(self, files: int = 0, nbytes: int = 0, chars: int = 0) -> None:
        self.files += files
        self.bytes += nbytes
        self.chars += chars
        now = time.monotonic()
        if now - self.last >= (0.2 if self.tty else 10.0) or (self.tty and self.files == self.total_files):
            self.last = now
            self.draw(now)

    def line(self, now: Optional[float] = None) -> str:
        elapsed = max(1e-9, (now or time.monotonic()) - self.start)
        frac = min(1.0, self.bytes / self.total_bytes)
        eta = elapsed * (1 - frac) / frac if frac > 0 else float("nan")
        eta_s = "?" if eta != eta else time.strftime("%H:%M:%S", time.gmtime(eta))
        bar = "#" * int(frac * 20)
        return (f"[{bar:<20}] {self.files}/{self.total_files} files  {self.chars / elapsed:,.0f} chars/s  "
                f"ETA {eta_s}")

    def draw(self, now: Optional[float] = None) -> None:
        if self.tty:
            self.stream.write("\r" + self.line(now) + "\x1b[K")
            self.drawn = True
        else:
            self.stream.write(self.line(now) + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


# ------------------------------------------------------------------------------------ isolated parsing
def parse_isolated(items: Sequence[Any], read: Callable[[Any], str], nlp: Any, jobs: int,
                   on_report: Callable[[Any, str, Any], None], on_fail: Callable[[Any, str], None]) -> None:
    """Parse ``items`` (read by ``read(item)``) in order with :func:`govie.parse_many`; a file that
    cannot be read or parsed, or whose result ``on_report`` cannot store, costs only itself:
    ``on_fail(item, message)`` and the others go on. ``KeyboardInterrupt`` (a signal) stops the run."""
    from ..api import parse, parse_many
    from .readers import InputError

    pending: collections.deque = collections.deque()  # read, not yet reported: parse_many keeps order
    remaining = collections.deque(items)

    def texts() -> Iterator[str]:
        while remaining:
            item = remaining.popleft()
            try:
                text = read(item)
            except InputError as e:
                on_fail(item, one_line(e))
                continue
            except Exception as e:  # an extractor's unexpected failure: record it, go on
                on_fail(item, f"{type(e).__name__}: {one_line(e)}")
                continue
            pending.append((item, text))
            yield text

    def emit(item: Any, text: str, report: Any) -> None:
        try:
            on_report(item, text, report)
        except BrokenPipeError:
            raise
        except OSError as e:
            on_fail(item, e.strerror or one_line(e))
        except Exception as e:
            on_fail(item, f"cannot store the result: {type(e).__name__}: {one_line(e)}")

    while remaining or pending:
        gen = parse_many(texts(), nlp=nlp, n_process=jobs)
        try:
            for report in gen:
                item, text = pending.popleft()
                emit(item, text, report)
        except Exception:
            # the pipeline failed on some text in flight: redo those one by one to find it, go on
            if not pending:
                raise
            stuck = list(pending)
            pending.clear()
            for item, text in stuck:
                try:
                    report = parse(text, nlp=nlp)
                except Exception as e:
                    on_fail(item, f"parse failed: {type(e).__name__}: {one_line(e)}")
                    continue
                emit(item, text, report)
        finally:
            gen.close()  # worker processes end now, also on a signal


def parse_parts(text: str, nlp: Any) -> Iterator[Any]:
    """The reports of ``text``'s chunks in order, offsets into ``text``: their facts, quantities and
    relations, one after the other, are those of ``govie.parse(text)``. Only one ``nlp.pipe`` batch of
    chunks is held at a time, so a writer that stores each part before taking the next keeps the memory
    of a 50 MB input to that of a batch (the whole ``Report`` holds ~70 bytes per input character)."""
    from ..api import (BATCH_CHARS, CHUNK_CHARS, DEFAULT_BATCH_SIZE, MAX_RUN, _batches, _check_text, _clean,
                      _CONTROL, _retext, _shift, chunks)
    from ..report import report_from_doc

    _check_text(text)
    dirty = _CONTROL.search(text) is not None  # span texts then come from text, not the blanked copy
    pieces = ((_clean(piece), offset) for offset, piece in chunks(text, CHUNK_CHARS, MAX_RUN))
    for group in _batches(pieces, DEFAULT_BATCH_SIZE, BATCH_CHARS, size=lambda item: len(item[0])):
        for doc, offset in nlp.pipe(group, as_tuples=True, batch_size=len(group)):
            part = _shift(report_from_doc(doc), offset)
            yield _retext(text, part) if dirty else part


# ----------------------------------------------------------------------------------------------- run
def run_batch(paths: Sequence[str], out_dir, jobs: int = 1, fmt: str = "jsonl", nlp_path=None,
              progress: bool = True, stream: Optional[TextIO] = None, force: bool = False) -> BatchResult:
    """Parse every input under ``paths`` into ``out_dir``, one output file per input (resumable)."""
    from .. import __version__
    from ..api import load
    from .readers import InputError, read_file

    if fmt not in BATCH_FORMATS:
        raise ValueError(f"--format {fmt} is not available for directory output (use {', '.join(BATCH_FORMATS)})")
    if fmt == "parquet":
        from .tabular import _pandas, _pyarrow

        try:
            _pandas(), _pyarrow()
        except ImportError as e:
            raise ValueError(str(e)) from None
    out_dir = Path(out_dir)
    stream = stream or sys.stderr
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"{display(out_dir)} exists and is not a directory")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ValueError(f"cannot create {display(out_dir)}: {e.strerror or one_line(e)}") from None
    problems: list[tuple[Path, str]] = []
    todo_all = plan(paths, out_dir, fmt, problems)
    want = {"written_by": "govie parse", "govie_version": __version__, "format": fmt,
            "model": model_identity(nlp_path)}
    check_manifest(out_dir, want, [o for _, _, o in todo_all], force)
    _remove_dead_temporaries(out_dir)
    result = BatchResult()
    todo = []
    for item in todo_all:
        if not force and item[2].exists():
            if valid_output(item[2], fmt, item[0]):
                result.skipped += 1
                continue
            result.redone += 1
        todo.append(item)
    sizes = {}
    for f, _, _ in todo:
        try:
            sizes[f] = f.stat().st_size
        except OSError:
            sizes[f] = 0
    bar = Progress(len(todo), sum(sizes.values()), stream) if progress else None
    t0 = time.monotonic()
    attempted: set[str] = set()
    my_errors: list[tuple[str, str]] = []
    errors_ok = True

    def note(line: str) -> None:
        if bar and bar.drawn:
            stream.write("\r\x1b[K")
        stream.write(f"govie: {line}\n")
        stream.flush()

    def record(path: Path, message: str) -> None:
        nonlocal errors_ok
        result.failed += 1
        name = display(path)
        result.errors.append((name, message))
        my_errors.append((name, message))
        note(f"{name}: {message}")
        if errors_ok:
            try:
                _append_errors(out_dir, [(name, message)])
            except OSError as e:
                errors_ok = False
                note(f"cannot record errors in {display(out_dir / ERRORS_FILE)}: {e.strerror or one_line(e)}")

    def fail(item: tuple[Path, str, Path], message: str) -> None:
        attempted.add(display(item[0]))
        record(item[0], message)
        if bar:
            bar.update(files=1, nbytes=sizes.get(item[0], 0))

    def read(item: tuple[Path, str, Path]) -> str:
        try:
            return read_file(item[0])
        except InputError as e:
            # the reader names the file itself; one name per line is enough
            raise InputError(one_line(e).removeprefix(f"{item[0]}: ").removeprefix(f"{display(item[0])}: ")) from None

    def store(item: tuple[Path, str, Path], text: str, report) -> None:
        path, _, out = item
        try:
            _atomic_write(out, lambda fh: write_report(fh, display(path), report, fmt))
        except OSError as e:
            raise OSError(e.errno, f"cannot write {display(out)}: {e.strerror or one_line(e)}") from None
        attempted.add(display(path))
        result.parsed += 1
        result.chars += len(text)
        result.empty += not text.strip()
        if bar:
            bar.update(files=1, nbytes=sizes.get(path, 0), chars=len(text))

    try:
        for path, message in problems:
            record(path, message)
        if todo:
            nlp = load(nlp_path)
            parse_isolated(todo, read, nlp, jobs, store, fail)
        if fmt in PANEL_FORMATS:
            stack_outputs(out_dir, [o for _, _, o in todo_all], fmt, result)
    finally:
        result.seconds = time.monotonic() - t0
        if bar:
            bar.close()
        if errors_ok and attempted:
            try:  # rows of earlier runs about files this run redid are now stale
                _append_errors(out_dir, my_errors, replace_paths=attempted)
            except OSError:
                pass
    return result
