"""Command line: ``govie parse``, ``govie corpus …``, ``govie train``, ``govie evaluate``, ``govie annotate``.

Exit codes: 0 success (an empty input gives an empty result and a note on stderr);
1 some input could not be read (one line per file on stderr, the others still processed);
2 usage error (bad option, missing path).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn, Optional, Sequence

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2
from .io.formats import FACT_FIELDS, FORMULA_START, _tsv_row, fact_rows, sheet_cell  # noqa: E402,F401
from .io.readers import INPUT_SUFFIXES  # noqa: E402  (one suffix registry: govie.io.readers.READERS)
#: modules that add sub-commands: each has ``add_commands(subparsers)``
COMMAND_MODULES: list[str] = ["io.render", "training.cli", "corpus.cli", "corpus.labelstudio"]


def _err(msg: str) -> None:
    print(f"govie: {msg}", file=sys.stderr)


def _wants_batch(args: argparse.Namespace) -> bool:
    """``-o`` names a directory (existing, or ending with ``/``), or ``--jobs`` with a directory input."""
    out = args.output
    if not out:
        return False
    if out.endswith(("/", os.sep)) or Path(out).is_dir():
        return True
    return bool(args.jobs) and any(Path(p).is_dir() for p in args.paths)


def _inside(path: Path, directory: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(directory))
        return True
    except ValueError:
        return False


def output_problem(output: Path, paths: Sequence[str], files: Sequence[Path]) -> Optional[str]:
    """Why ``-o output`` (one file) must not be written, or None: it is one of the inputs (opening it
    would truncate the report), or a report file inside an input directory (the next run re-reads it)."""
    from .io.batch import display

    for f in files:
        try:
            same = os.path.samefile(output, f)
        except OSError:
            same = os.path.realpath(output) == os.path.realpath(f)
        if same:
            return f"-o {display(output)} is one of the input files; it would be overwritten. Write elsewhere"
    if output.suffix.lower() in INPUT_SUFFIXES:
        for raw in paths:
            if Path(raw).is_dir() and _inside(output, Path(raw)):
                return (f"-o {display(output)} is inside the input directory {display(raw)}; the next run would "
                        "re-read it as a report. Write elsewhere")
    return None


def cmd_batch(args: argparse.Namespace) -> int:
    from .io.batch import run_batch

    try:
        result = run_batch(args.paths, Path(args.output), jobs=args.jobs or 1, fmt=args.format,
                           nlp_path=args.model, force=args.force)
    except ValueError as e:
        _err(" ".join(str(e).split()))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err(f"interrupted: the outputs in {args.output} are complete; run the same command again to resume")
        raise
    _err(result.summary(Path(args.output)))
    return EXIT_INPUT if result.failed else EXIT_OK


def cmd_parse(args: argparse.Namespace) -> int:
    from .api import load
    from .io.batch import _atomic_write, display, one_line, parse_isolated, parse_parts, walk_inputs
    from .io.readers import InputError, read_file

    found, problems = walk_inputs(args.paths)
    files = [f for f, _ in found]
    missing = [p for p in files if not p.exists()]
    if missing:
        for p in missing:
            _err(f"{display(p)}: no such file or directory")
        return EXIT_USAGE
    if not files and not problems:
        _err("no input files found")
        return EXIT_USAGE
    if _wants_batch(args):
        return cmd_batch(args)
    if args.format == "parquet":
        from .io.tabular import _pandas, _pyarrow

        if not args.output:
            _err("--format parquet writes a binary file: give it with -o FILE.parquet")
            return EXIT_USAGE
        try:
            _pandas(), _pyarrow()
        except ImportError as e:
            _err(str(e))
            return EXIT_USAGE
    if args.output:
        problem = output_problem(Path(args.output), args.paths, files)
        if problem:
            _err(problem)
            return EXIT_USAGE
    status = EXIT_OK
    for path, message in problems:
        _err(f"{display(path)}: {message}")
        status = EXIT_INPUT
    several = len(files) > 1 or any(Path(p).is_dir() for p in args.paths)
    nlp = load(args.model)

    def read(path: Path) -> str:
        try:
            text = read_file(path)
        except InputError as e:  # the reader names the file: strip it, on_fail names it once
            raise InputError(one_line(e).removeprefix(f"{path}: ")) from None
        if not text.strip():
            _err(f"{display(path)}: empty input, no facts")
        return text

    def on_fail(path: Path, message: str) -> None:
        nonlocal status
        _err(f"{display(path)}: {message}")
        status = EXIT_INPUT

    def stream_one(path: Path, on_report) -> None:
        """One file, its facts written chunk by chunk (peak memory of one batch of chunks, not of the
        whole report): the same rows, in the same order, as parsing the whole text at once."""
        try:
            text = read(path)
        except InputError as e:
            on_fail(path, one_line(e))
            return
        except Exception as e:  # an extractor's unexpected failure
            on_fail(path, f"{type(e).__name__}: {one_line(e)}")
            return
        written = 0
        try:
            for part in parse_parts(text, nlp):
                on_report(path, text, part)
                written += len(part.facts)
        except (BrokenPipeError, KeyboardInterrupt):
            raise
        except Exception as e:
            on_fail(path, f"failed after {written} facts were written: {type(e).__name__}: {one_line(e)}")

    def run(out) -> None:
        reports: list = []
        writer = csv.writer(out, delimiter="\t") if args.format == "tsv" else None
        if writer:
            writer.writerow(FACT_FIELDS if several else FACT_FIELDS[1:])

        def on_report(path: Path, text: str, report) -> None:
            source = display(path) if several else None
            if args.format == "json":
                d = report.to_dict()
                reports.append({"source": source, **d} if source else d)
            elif args.format == "jsonl":
                out.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in fact_rows(source, report)))
            elif args.format == "tsv":
                rows = [_tsv_row(row) for row in fact_rows(source, report)]
                writer.writerows(rows if several else [r[1:] for r in rows])
            elif args.format == "csv":
                from .corpus.dataset import report_row

                reports.append({k: sheet_cell(v) for k, v in report_row(display(path), report).items()})
            elif args.format in ("facts.csv", "parquet"):
                from .io import tabular

                records = tabular.fact_records(report, display(path))
                if args.format == "parquet":
                    reports.extend(records)
                else:
                    tabular.write_facts_csv(records, out, header=not reports)
                    reports.append(None)  # the header is written once

        if not several and args.format in ("jsonl", "tsv") and (args.jobs or 1) == 1:
            stream_one(files[0], on_report)
        else:
            parse_isolated(files, read, nlp, args.jobs or 1, on_report, on_fail)
        if args.format == "json":
            json.dump(reports if several else (reports[0] if reports else {}), out, ensure_ascii=False, indent=1)
            out.write("\n")
        elif args.format == "csv":
            from .corpus.dataset import write_csv

            write_csv(reports, out)
        elif args.format == "facts.csv" and not reports:
            from .io.tabular import write_facts_csv

            write_facts_csv([], out)
        elif args.format == "parquet":
            from .io import tabular

            out.flush()
            tabular.write_parquet(tabular.frame(reports), out.buffer)

    if args.output:
        # a temporary file renamed at the end: an interrupted run leaves the previous output as it was
        try:
            _atomic_write(Path(args.output), run)
        except OSError as e:
            _err(f"cannot write {display(args.output)}: {e.strerror or one_line(e)} (nothing written there)")
            return EXIT_INPUT
    else:
        run(sys.stdout)
    return status


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return n


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The ``govie`` parser; ``commands=False``: ``parse`` only, without importing the modules of the other
    sub-commands (corpus, training, Label Studio, render: ~0.07 s CPU of a one-file run)."""
    ap = argparse.ArgumentParser(prog="govie", description=__doc__.splitlines()[0])
    ap.add_argument("--version", action="store_true", help="print the version and exit")
    sub = ap.add_subparsers(dest="command")
    p = sub.add_parser("parse", help="extract facts from report files or directories")
    p.add_argument("paths", nargs="+", help="files (.txt .html .docx .pdf) or directories")
    p.add_argument("--format", choices=["jsonl", "json", "tsv", "csv", "facts.csv", "parquet"], default="jsonl",
                   help="jsonl/json/tsv: fact records; csv: one row per report, one column per indicator id; "
                   "facts.csv/parquet: one row per fact with issuer and year (the panel for pandas)")
    p.add_argument("-o", "--output", help="write here instead of stdout; a directory (existing, or ending "
                   "with /) gets one output file per input, resumable, failures in errors.tsv")
    p.add_argument("--jobs", type=_positive_int, default=None,
                   help="worker processes (with a directory input and -o: batch mode, one output per input)")
    p.add_argument("--model", default=None, help="pipeline directory, or 'rules' for the rule baseline")
    p.add_argument("--force", action="store_true", help="directory output: redo every file, even where an output "
                   "exists (needed when OUTDIR holds outputs of another model, format or govie version)")
    p.set_defaults(func=cmd_parse)
    import importlib

    for module in COMMAND_MODULES if commands else ():
        importlib.import_module(f"govie.{module}").add_commands(sub)
    return ap


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGINT: unwinds like Ctrl-C, so that worker processes are ended and temporary files
    removed on the way out (exit status 128 + the signal number)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame) -> None:
    # a second signal must not interrupt the clean-up the first one started
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, signal.SIG_IGN)
    raise Interrupted(signum)


def _catch_signals() -> dict:
    """Raise :class:`Interrupted` on SIGTERM/SIGINT (main thread only); the previous handlers."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}
    old = {}
    for s in (signal.SIGTERM, signal.SIGINT):
        if signal.getsignal(s) is signal.SIG_IGN:
            continue  # started in the background (nohup, &): keep ignoring it
        old[s] = signal.signal(s, _on_signal)
    return old


def _import_spacy_without_its_cli() -> None:
    """Import spaCy for this process without ``spacy.cli`` (typer, weasel, requests, httpx: ~0.4 s CPU
    of a one-file ``govie parse``), which ``spacy/__init__`` imports only to offer ``spacy.info``
    (:func:`govie.optional.import_deferring`; ``spacy.info`` and a later ``import spacy.cli``, which
    ``govie train`` uses, work as usual). Nothing happens when spaCy is already imported."""
    from .optional import import_deferring

    import_deferring("spacy", "cli.info", "info")


def _command(argv: Sequence[str]) -> Optional[str]:
    """The sub-command ``argv`` names (its first word that is not an option), or None."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = _command(argv)
    if command is None and argv == ["--version"]:  # answered before any sub-command module is imported
        from . import __version__

        print(__version__)
        return EXIT_OK
    _import_spacy_without_its_cli()  # every other path uses spaCy (the command modules import it)
    ap = build_parser(commands=command != "parse")
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
    handlers = _catch_signals()
    try:
        return int(args.func(args) or 0)
    except Interrupted as e:
        return 128 + e.signum
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except (OSError, ValueError) as e:  # unwritable output, unreadable input (InputError): one line, no traceback
        from .corpus.records import CorpusNotFound

        if isinstance(e, CorpusNotFound):  # no corpus here (an installed govie): say which option to pass
            _err(" ".join(str(e).split()))
            return EXIT_USAGE
        msg = f"{e.filename}: {e.strerror}" if isinstance(e, OSError) and e.filename and e.strerror else str(e)
        _err(" ".join(msg.split()) or type(e).__name__)
        return EXIT_INPUT
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def run(argv: Optional[Sequence[str]] = None) -> NoReturn:
    """The ``govie`` command (``[project.scripts]``, ``python -m govie.cli``): :func:`main`, then
    :func:`_quick_exit`."""
    _quick_exit(main(argv))


def _quick_exit(code: int) -> NoReturn:
    """End the process with ``code`` without the interpreter's finalization: tearing down the ~1,000
    modules spaCy and its stack import costs 0.3–0.4 s CPU on this project's machine, about a fifth of a
    one-file ``govie parse``, and nothing is left to do once stdout and stderr are flushed and the
    ``atexit`` handlers (logging, multiprocessing) have run. With another thread still running, when a
    stream cannot be flushed, or on an interpreter without ``atexit._run_exitfuncs``, it exits the
    usual way."""
    import atexit
    import threading

    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe or stream: let the interpreter report it as it does
        sys.exit(code)
    if run_exitfuncs is None or threading.active_count() > 1:
        sys.exit(code)
    run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
