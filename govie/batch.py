"""Batch parsing: ``govie parse DIR -o OUTDIR/ [--jobs N]``.

Files stream through :func:`govie.parse_many` (``n_process=jobs``); each input gets its own output,
``OUTDIR/<path relative to its input directory>.<format>``, written as soon as the report is parsed
(to a ``.part`` file renamed when complete). Inputs whose output already exists are skipped, so an
interrupted run resumes where it stopped. A file that cannot be read or parsed is recorded in
``OUTDIR/errors.tsv`` (``path<TAB>error``) and the run goes on. Progress (files, chars/s, ETA) goes
to stderr, and one summary line at the end.
"""
from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional, Sequence, TextIO

BATCH_FORMATS = ("jsonl", "json", "tsv")
ERRORS_FILE = "errors.tsv"


def add_commands(sub: argparse._SubParsersAction) -> None:
    """No sub-command of its own: ``govie parse`` calls :func:`run_batch` (see ``cli.cmd_parse``)."""


@dataclass
class BatchResult:
    parsed: int = 0
    skipped: int = 0
    failed: int = 0
    empty: int = 0
    chars: int = 0
    seconds: float = 0.0
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def summary(self, out_dir: Path) -> str:
        rate = self.chars / self.seconds if self.seconds > 0 else 0.0
        files_rate = self.parsed / self.seconds if self.seconds > 0 else 0.0
        line = (f"{self.parsed} parsed, {self.skipped} skipped (output exists), {self.failed} failed"
                f"{f' (see {out_dir / ERRORS_FILE})' if self.failed else ''}; {self.chars:,} chars in "
                f"{self.seconds:.1f} s ({files_rate:.1f} files/s, {rate:,.0f} chars/s)")
        if self.empty:
            line += f"; {self.empty} empty input(s)"
        return line


def plan(paths: Sequence[str], out_dir: Path, fmt: str) -> list[tuple[Path, str, Path]]:
    """``(input, relative name, output)`` for every input file; a directory's files relative to it."""
    from .readers import INPUT_SUFFIXES

    jobs: list[tuple[Path, str, Path]] = []
    seen: dict[Path, Path] = {}
    for raw in paths:
        root = Path(raw)
        if root.is_dir():
            files = sorted(f for f in root.rglob("*") if f.is_file() and f.suffix.lower() in INPUT_SUFFIXES)
            pairs = [(f, f.relative_to(root).as_posix()) for f in files]
        else:
            pairs = [(root, root.name)]
        for f, rel in pairs:
            out = out_dir / f"{rel}.{fmt}"
            if out in seen:
                raise ValueError(f"{f} and {seen[out]} would both write {out}")
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


def _write(out: Path, source: str, report, fmt: str) -> None:
    from .cli import FACT_FIELDS, _tsv_row, fact_rows

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        if fmt == "jsonl":
            for row in fact_rows(source, report):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        elif fmt == "json":
            json.dump({"source": source, **report.to_dict()}, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        elif fmt == "tsv":
            writer = csv.writer(fh, delimiter="\t")
            writer.writerow(FACT_FIELDS)
            for row in fact_rows(source, report):
                writer.writerow(_tsv_row(row))
        else:  # pragma: no cover - checked by run_batch
            raise ValueError(fmt)
    os.replace(tmp, out)


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def run_batch(paths: Sequence[str], out_dir, jobs: int = 1, fmt: str = "jsonl", nlp_path=None,
              progress: bool = True, stream: Optional[TextIO] = None) -> BatchResult:
    """Parse every input under ``paths`` into ``out_dir``, one output file per input (resumable)."""
    from .api import load, parse, parse_many
    from .readers import InputError, read_file

    if fmt not in BATCH_FORMATS:
        raise ValueError(f"--format {fmt} is not available for directory output (use {', '.join(BATCH_FORMATS)})")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"{out_dir} exists and is not a directory")
    todo_all = plan(paths, out_dir, fmt)
    result = BatchResult()
    todo = []
    for item in todo_all:
        if item[2].exists():
            result.skipped += 1
        else:
            todo.append(item)
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for f, _, _ in todo:
        try:
            sizes[f] = f.stat().st_size
        except OSError:
            sizes[f] = 0
    bar = Progress(len(todo), sum(sizes.values()), stream) if progress else None
    nlp = load(nlp_path)
    t0 = time.monotonic()
    errors_fh = open(out_dir / ERRORS_FILE, "w", encoding="utf-8", newline="")
    errors = csv.writer(errors_fh, delimiter="\t", lineterminator="\n")
    errors.writerow(["path", "error"])

    def fail(path: Path, message: str) -> None:
        result.failed += 1
        result.errors.append((str(path), message))
        errors.writerow([str(path), message])
        errors_fh.flush()
        if bar:
            bar.update(files=1, nbytes=sizes.get(path, 0))

    # files read but not yet written, in order: parse_many yields in input order
    pending: collections.deque = collections.deque()
    remaining = collections.deque(todo)

    def texts() -> Iterator[str]:
        while remaining:
            item = remaining.popleft()
            try:
                text = read_file(item[0])
            except InputError as e:
                fail(item[0], _one_line(e).removeprefix(f"{item[0]}: "))
                continue
            except Exception as e:  # an extractor's unexpected failure: record it, go on
                fail(item[0], f"{type(e).__name__}: {_one_line(e)}")
                continue
            pending.append((item, text))
            yield text

    def emit(item: tuple[Path, str, Path], text: str, report) -> None:
        path, _, out = item
        try:
            _write(out, str(path), report, fmt)
        except OSError as e:
            fail(path, f"cannot write {out}: {e.strerror or e}")
            return
        result.parsed += 1
        result.chars += len(text)
        result.empty += not text.strip()
        if bar:
            bar.update(files=1, nbytes=sizes.get(path, 0), chars=len(text))

    try:
        while remaining or pending:
            try:
                for report in parse_many(texts(), nlp=nlp, n_process=jobs):
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
                        fail(item[0], f"parse failed: {type(e).__name__}: {_one_line(e)}")
                        continue
                    emit(item, text, report)
    finally:
        errors_fh.close()
        result.seconds = time.monotonic() - t0
        if bar:
            bar.close()
    return result
