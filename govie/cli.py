"""Command line: ``govie parse``, ``govie corpus …``, ``govie train``, ``govie evaluate``.

Exit codes: 0 success (an empty input gives an empty result and a note on stderr);
1 some input could not be read (one line per file on stderr, the others still processed);
2 usage error (bad option, missing path).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2
from .readers import INPUT_SUFFIXES  # noqa: E402  (one suffix registry: govie.readers.READERS)
#: modules that add sub-commands: each has ``add_commands(subparsers)``
COMMAND_MODULES: list[str] = ["render", "train", "corpus_cli"]


def _err(msg: str) -> None:
    print(f"govie: {msg}", file=sys.stderr)


def iter_inputs(paths: Sequence[str]) -> Iterator[Path]:
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in INPUT_SUFFIXES)
        else:
            yield p


FACT_FIELDS = ["source", "quantity_start", "quantity_end", "quantity", "value", "unit", "approximate",
               "indicator", "indicator_id", "metrics"]


def fact_rows(source: Optional[str], report) -> Iterable[dict]:
    for f in report.facts:
        d = f.to_dict()
        if source is not None:
            d = {"source": source, **d}
        yield d


def _tsv_row(d: dict) -> list:
    return [d.get("source", ""), d["quantity"]["start"], d["quantity"]["end"], d["quantity"]["text"], d["value"],
            d["unit"] or "", str(d["approximate"]).lower(), d["indicator"] or "", d.get("indicator_id") or "",
            " | ".join(m["text"] for m in d["metrics"])]


def _wants_batch(args: argparse.Namespace) -> bool:
    """``-o`` names a directory (existing, or ending with ``/``), or ``--jobs`` with a directory input."""
    out = args.output
    if not out:
        return False
    if out.endswith(("/", os.sep)) or Path(out).is_dir():
        return True
    return bool(args.jobs) and any(Path(p).is_dir() for p in args.paths)


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import run_batch

    try:
        result = run_batch(args.paths, Path(args.output), jobs=args.jobs or 1, fmt=args.format,
                           nlp_path=args.model)
    except ValueError as e:
        _err(str(e))
        return EXIT_USAGE
    _err(result.summary(Path(args.output)))
    return EXIT_INPUT if result.failed else EXIT_OK


def cmd_parse(args: argparse.Namespace) -> int:
    from .api import load, parse_many
    from .readers import InputError, read_file

    files = list(iter_inputs(args.paths))
    missing = [p for p in files if not p.exists()]
    if missing:
        for p in missing:
            _err(f"{p}: no such file or directory")
        return EXIT_USAGE
    if not files:
        _err("no input files found")
        return EXIT_USAGE
    if _wants_batch(args):
        return cmd_batch(args)
    several = len(files) > 1 or any(Path(p).is_dir() for p in args.paths)
    nlp = load(args.model)
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    status = EXIT_OK
    reports = []
    read: list[Path] = []  # files read, in order, not yet written: parse_many yields in order

    def texts() -> Iterator[str]:
        nonlocal status
        for path in files:
            try:
                text = read_file(path)
            except InputError as e:
                _err(str(e))
                status = EXIT_INPUT
                continue
            if not text.strip():
                _err(f"{path}: empty input, no facts")
            read.append(path)
            yield text

    try:
        writer = csv.writer(out, delimiter="\t") if args.format == "tsv" else None
        if writer:
            writer.writerow(FACT_FIELDS if several else FACT_FIELDS[1:])
        for report in parse_many(texts(), nlp=nlp, n_process=args.jobs or 1):
            path = read.pop(0)
            source = str(path) if several else None
            if args.format == "json":
                d = report.to_dict()
                if source:
                    d = {"source": source, **d}
                reports.append(d)
            elif args.format == "jsonl":
                for row in fact_rows(source, report):
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
            elif args.format == "tsv":
                for row in fact_rows(source, report):
                    r = _tsv_row(row)
                    writer.writerow(r if several else r[1:])
            elif args.format == "csv":
                from .dataset import report_row

                reports.append(report_row(str(path), report))
        if args.format == "json":
            json.dump(reports if several else (reports[0] if reports else {}), out, ensure_ascii=False, indent=1)
            out.write("\n")
        elif args.format == "csv":
            from .dataset import write_csv

            write_csv(reports, out)
    finally:
        if out is not sys.stdout:
            out.close()
    return status


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return n


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="govie", description=__doc__.splitlines()[0])
    ap.add_argument("--version", action="store_true", help="print the version and exit")
    sub = ap.add_subparsers(dest="command")
    p = sub.add_parser("parse", help="extract facts from report files or directories")
    p.add_argument("paths", nargs="+", help="files (.txt .html .docx .pdf) or directories")
    p.add_argument("--format", choices=["jsonl", "json", "tsv", "csv"], default="jsonl")
    p.add_argument("-o", "--output", help="write here instead of stdout; a directory (existing, or ending "
                   "with /) gets one output file per input, resumable, failures in errors.tsv")
    p.add_argument("--jobs", type=_positive_int, default=None,
                   help="worker processes (with a directory input and -o: batch mode, one output per input)")
    p.add_argument("--model", default=None, help="pipeline directory, or 'rules' for the rule baseline")
    p.set_defaults(func=cmd_parse)
    import importlib

    for module in COMMAND_MODULES:
        importlib.import_module(f"govie.{module}").add_commands(sub)
    return ap


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = build_parser()
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0) and EXIT_USAGE
    if args.version:
        from . import __version__

        print(__version__)
        return EXIT_OK
    if not getattr(args, "func", None):
        ap.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except (OSError, ValueError) as e:  # unwritable output, unreadable input (InputError): one line, no traceback
        msg = f"{e.filename}: {e.strerror}" if isinstance(e, OSError) and e.filename and e.strerror else str(e)
        _err(" ".join(msg.split()) or type(e).__name__)
        return EXIT_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
