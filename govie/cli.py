"""Command line: ``govie parse``, ``govie corpus …``, ``govie train``, ``govie evaluate``.

Exit codes: 0 success (an empty input gives an empty result and a note on stderr);
1 some input could not be read (one line per file on stderr, the others still processed);
2 usage error (bad option, missing path).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2
INPUT_SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf")
#: modules that add sub-commands: each has ``add_commands(subparsers)``
COMMAND_MODULES: list[str] = []


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


def cmd_parse(args: argparse.Namespace) -> int:
    from .api import load, parse
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
    several = len(files) > 1 or any(Path(p).is_dir() for p in args.paths)
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    nlp = load(args.model)
    status = EXIT_OK
    reports = []
    try:
        writer = csv.writer(out, delimiter="\t") if args.format == "tsv" else None
        if writer:
            writer.writerow(FACT_FIELDS if several else FACT_FIELDS[1:])
        for path in files:
            try:
                text = read_file(path)
            except InputError as e:
                _err(str(e))
                status = EXIT_INPUT
                continue
            if not text.strip():
                _err(f"{path}: empty input, no facts")
            report = parse(text, nlp=nlp)
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


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="govie", description=__doc__.splitlines()[0])
    ap.add_argument("--version", action="store_true", help="print the version and exit")
    sub = ap.add_subparsers(dest="command")
    p = sub.add_parser("parse", help="extract facts from report files or directories")
    p.add_argument("paths", nargs="+", help="files (.txt .html .docx .pdf) or directories")
    p.add_argument("--format", choices=["jsonl", "json", "tsv", "csv"], default="jsonl")
    p.add_argument("-o", "--output", help="write here instead of stdout")
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
