"""``govie corpus validate|stats|split|convert|export|import`` and the top-level aliases
``govie export-annotations`` / ``govie import-annotations``: the argument parsers. The command bodies
are in :mod:`govie.corpus.commands` (validate, stats, split, convert) and :mod:`govie.corpus.exchange`
(export, import).

Exit codes follow :mod:`govie.cli`: 0 success, 1 a problem in the data (validation errors, a
record that cannot be written, an annotation whose text cannot be found), 2 usage error.
"""
from __future__ import annotations

import argparse
import sys

from .commands import EXIT_USAGE, LINT_LIMIT, cmd_convert, cmd_split, cmd_stats, cmd_validate
from .exchange import cmd_export, cmd_import
from .records import LAYOUTS, SPLITS


# --------------------------------------------------------------------------- parser
def _common(p: argparse.ArgumentParser, reports: bool = True) -> None:
    p.add_argument("--corpus", metavar="DIR", help="corpus directory (default $GOVIE_CORPUS_DIR, the checkout's "
                   "corpus/ or ./corpus)")
    if reports:
        add_reports_option(p)


def add_reports_option(p: argparse.ArgumentParser, required: bool = False,
                       help: str = "a directory holding report texts; repeat it for texts in several folders "
                                   "(searched in order, then $GOVIE_REPORTS_DIR, then ../shared/reports)") -> None:
    """``--reports DIR`` (repeatable), the same for every command."""
    p.add_argument("--reports", metavar="DIR", action="append", required=required, help=help)


def _add_export(sub, name: str) -> None:
    p = sub.add_parser(name, help="write corpus records, or pipeline pre-annotations of raw texts, for "
                                  "Doccano or Label Studio")
    p.add_argument("--format", required=True, choices=["doccano", "labelstudio"])
    p.add_argument("out", metavar="OUT", help="output file (.jsonl for doccano, .json for labelstudio; - for stdout)")
    p.add_argument("--model", default=None, metavar="DIR|rules",
                   help="pipeline for pre-annotation (default: the shipped pipeline, govie.load())")
    p.add_argument("--texts", metavar="DIR", help="pre-annotate every .txt file under DIR (without it: export "
                                                  "the corpus records)")
    p.add_argument("--split", action="append", choices=[*SPLITS, "unassigned"],
                   help="only corpus documents of this split (repeatable)")
    p.add_argument("--as", dest="as_", choices=["annotations", "predictions"], default="annotations",
                   help="Label Studio: put regions under annotations (default) or predictions")
    p.add_argument("--ls-config", metavar="FILE", help="also write the matching Label Studio labelling config")
    _common(p)
    p.set_defaults(func=cmd_export)


def add_record_options(p) -> None:
    """The options of every command that writes corpus records (``corpus import``, ``annotate pull``)."""
    p.add_argument("--corpus", metavar="DIR", help="corpus directory to write into (default $GOVIE_CORPUS_DIR or "
                   "the checkout's corpus/)")
    p.add_argument("--layout", choices=LAYOUTS, help="meta.layout for every document (default: guessed)")
    p.add_argument("--id-prefix", default="", help="prefix for document ids taken from file names")
    p.add_argument("--force", action="store_true", help="replace existing records")
    p.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    p.add_argument("--allow-duplicate", action="store_true",
                   help="import a text even when the corpus already holds it under another id")


def _add_import(sub, name: str) -> None:
    p = sub.add_parser(name, help="turn a Doccano/Label Studio export into corpus records")
    p.add_argument("--format", required=True, choices=["doccano", "labelstudio"])
    p.add_argument("input", metavar="IN", help="the tool's export (.jsonl for doccano, .json for labelstudio)")
    add_reports_option(p, required=True, help="directory holding the annotated texts (matched by sha256; never "
                       "copied); repeat it when they sit in several folders")
    add_record_options(p)
    p.set_defaults(func=cmd_import)


def add_commands(sub) -> None:
    corpus = sub.add_parser("corpus", help="the annotated corpus: validate, stats, split, convert, export, import")
    csub = corpus.add_subparsers(dest="corpus_command", metavar="{validate,stats,split,convert,export,import}")

    def corpus_help(args: argparse.Namespace) -> int:
        corpus.print_help(sys.stderr)
        return EXIT_USAGE

    corpus.set_defaults(func=corpus_help)

    p = csub.add_parser("validate", help="check every record; exit 1 on errors")
    _common(p)
    p.add_argument("--lint", action="store_true", help="also list numerals not inside a QUANTITY "
                   f"(the first {LINT_LIMIT} and a count per document; see --doc, --limit)")
    p.add_argument("--doc", action="append", metavar="ID", help="only this document (repeatable); with --lint "
                   "every uncovered numeral of it is listed")
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help=f"--lint: list at most N uncovered numerals (default {LINT_LIMIT}, all with --doc; 0: all)")
    p.add_argument("--skip-missing", action="store_true",
                   help="a record whose text is unavailable is a warning, not an error")
    p.set_defaults(func=cmd_validate)

    p = csub.add_parser("stats", help="documents, entities and relations per layout, split, origin, script")
    _common(p)
    p.add_argument("--json", action="store_true", help="print the statistics as JSON")
    p.add_argument("--augment", action="store_true", help="include the traditional-script training copies")
    p.add_argument("--skip-missing", action="store_true", help="count only the records whose text is available")
    p.set_defaults(func=cmd_stats)

    p = csub.add_parser("split", help="write corpus/splits.json (deterministic, grouped by issuing body, stratified)")
    _common(p)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--dev", type=float, default=0.15, help="dev fraction (default 0.15)")
    p.add_argument("--test", type=float, default=0.15, help="test fraction (default 0.15)")
    p.add_argument("--force", action="store_true", help="overwrite an existing, different splits.json")
    p.add_argument("--extend", action="store_true",
                   help="keep every existing assignment; assign only documents not yet in splits.json (to their "
                        "issuer's split where the issuer is already assigned)")
    p.set_defaults(func=cmd_split)

    p = csub.add_parser("convert", help="write a spaCy DocBin or a Hugging Face dataset")
    p.add_argument("--to", required=True, choices=["docbin", "dataset"])
    p.add_argument("out", metavar="OUT", help="docbin: FILE.spacy, or a directory for <split>.spacy files; "
                                              "dataset: a directory (save_to_disk)")
    _common(p)
    p.add_argument("--split", action="append", choices=[*SPLITS, "unassigned"],
                   help="only documents of this split (repeatable)")
    p.add_argument("--augment", action="store_true", help="add traditional-script copies of the training documents")
    p.add_argument("--model", metavar="DIR", help="tokenize with this pipeline (default spacy.blank('zh'))")
    p.add_argument("--skip-missing", action="store_true", help="convert only the records whose text is available")
    p.set_defaults(func=cmd_convert)

    _add_export(csub, "export")
    _add_import(csub, "import")
    # top-level aliases
    _add_export(sub, "export-annotations")
    _add_import(sub, "import-annotations")
