"""``govie corpus validate|stats|split|convert|export|import`` and the top-level aliases
``govie export-annotations`` / ``govie import-annotations``.

Exit codes follow :mod:`govie.cli`: 0 success, 1 a problem in the data (validation errors, a
record that cannot be written, an annotation whose text cannot be found), 2 usage error.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Optional, Sequence

from .corpus import (LAYOUTS, SPLITS, CorpusDoc, CorpusError, Problem, load_record, read_splits, reports_dirs,
                     resolve_corpus_dir, sha256)

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
STAT_COLUMNS = ("documents", "QUANTITY", "METRIC", "VALUE_OF", "PART_OF", "issuers")
#: ``validate --lint`` prints this many uncovered numerals unless ``--limit``/``--doc`` say otherwise
LINT_LIMIT = 30


def _err(msg: str) -> None:
    print(f"govie: {msg}", file=sys.stderr)


def _corpus_dir(args: argparse.Namespace, must_exist: bool = True) -> Path:
    """``--corpus``, ``$GOVIE_CORPUS_DIR`` or the checkout's corpus (:func:`govie.corpus.resolve_corpus_dir`);
    raises :class:`CorpusNotFound` (a usage error, exit 2) when there is none."""
    return resolve_corpus_dir(getattr(args, "corpus", None), must_exist=must_exist)


def _reports_dir(args: argparse.Namespace) -> list[Path]:
    """The reports directories to search, in order (:func:`govie.corpus.reports_dirs`)."""
    return reports_dirs(getattr(args, "reports", None))


def reports_options(dirs: Sequence[Path]) -> str:
    """`` --reports A --reports B`` for a command line that must find the same texts."""
    import shlex

    return "".join(f" --reports {shlex.quote(str(d))}" for d in dirs)


def _text_missing(path: Path, corpus_dir: Path, reports_dir) -> bool:
    """True when a record's text is simply not available here (as opposed to a bad record)."""
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
        ref = rec["text_ref"]
    except Exception:
        return False
    source = (rec.get("meta") or {}).get("source")
    if source == "corpus" or (source is None and (corpus_dir / "texts" / ref).exists()):
        return not (corpus_dir / "texts" / ref).exists()
    dirs = [reports_dir] if isinstance(reports_dir, (str, Path)) else list(reports_dir or [])
    return not any((Path(d) / ref).exists() for d in dirs)


def load_checked(corpus_dir: Path, reports_dir, skip_missing: bool = False,
                 augment: bool = False) -> tuple[list[CorpusDoc], list[Problem]]:
    """Every loadable record (with its split), and a problem for each one that is not loadable.

    Unlike :func:`govie.corpus.load_corpus` this never stops at the first bad record.
    ``skip_missing``: a record whose text is unavailable is a warning, not an error.
    """
    from .corpus import to_traditional

    if not (corpus_dir / "annotations").is_dir():
        raise FileNotFoundError(f"{corpus_dir / 'annotations'}: no such directory")
    splits = read_splits(corpus_dir)
    docs, problems = [], []
    for path in sorted((corpus_dir / "annotations").glob("*.json")):
        try:
            doc = load_record(path, corpus_dir, reports_dir)
        except CorpusError as e:
            missing = _text_missing(path, corpus_dir, reports_dir)
            problems.append(Problem(path.stem, "text-missing" if missing else "load", str(e),
                                    "warning" if missing and skip_missing else "error"))
            continue
        doc.split = splits.get(doc.id, "train" if doc.origin != "real" else None)
        docs.append(doc)
    if augment:
        docs += [to_traditional(d) for d in docs if d.split == "train" and d.origin == "real"]
    return docs, problems


def _split_problems(docs: Sequence[CorpusDoc], corpus_dir: Path) -> list[Problem]:
    """splits.json against the records: unknown splits, ids without a record, real documents without a
    split (warnings), one issuing body in two splits and duplicate texts across splits (errors)."""
    from .corpus import duplicate_problems, split_problems

    splits = read_splits(corpus_dir)
    out = []
    recorded = {p.stem for p in (corpus_dir / "annotations").glob("*.json")}
    for i, s in sorted(splits.items()):
        if s not in SPLITS:
            out.append(Problem(i, "split", f"splits.json assigns unknown split {s!r}"))
        elif i not in recorded:
            out.append(Problem(i, "split", "splits.json names a document with no record", "warning"))
    for d in docs:
        if d.origin == "real" and d.id not in splits:
            out.append(Problem(d.id, "split", "not in splits.json (run `govie corpus split --extend`)", "warning"))
    # every record's meta, whether or not its text is available
    out += split_problems(light_docs(corpus_dir), {i: s for i, s in splits.items() if s in SPLITS})
    out += duplicate_problems(docs, splits)
    return out


# --------------------------------------------------------------------------- validate
def cmd_validate(args: argparse.Namespace) -> int:
    from .corpus import validate_doc

    corpus_dir, reports_dir = _corpus_dir(args), _reports_dir(args)
    try:
        docs, problems = load_checked(corpus_dir, reports_dir, args.skip_missing)
    except FileNotFoundError as e:
        _err(str(e))
        return EXIT_USAGE
    wanted = set(args.doc or [])
    if wanted:
        known = {p.stem for p in (corpus_dir / "annotations").glob("*.json")}
        unknown = sorted(wanted - known)
        if unknown:
            _err(f"--doc {', '.join(unknown)}: no such record in {corpus_dir / 'annotations'}")
            return EXIT_USAGE
        docs = [d for d in docs if d.id in wanted]
    for d in docs:
        problems += validate_doc(d, lint=True)
    problems += _split_problems(docs, corpus_dir)
    if wanted:
        problems = [p for p in problems if p.doc in wanted]
    by = Counter(p.severity for p in problems)
    lint = [p for p in problems if p.severity == "lint"]
    limit = args.limit if args.limit is not None else (0 if wanted else LINT_LIMIT)
    shown = 0
    for p in problems:
        if p.severity != "lint":
            print(p)
        elif args.lint and (not limit or shown < limit):
            print(p)
            shown += 1
    if args.lint and shown < len(lint):
        per_doc = Counter(p.doc for p in lint).most_common()
        top = ", ".join(f"{i} {n}" for i, n in per_doc[:8]) + (", …" if len(per_doc) > 8 else "")
        print(f"… {len(lint) - shown} more uncovered numerals not shown (in {len(per_doc)} documents: {top}); "
              "--doc ID lists one document's, --limit 0 all")
    ents = Counter(e["label"] for d in docs for e in d.entities)
    rels = sum(len(d.relations) for d in docs)
    not_loaded = sum(p.kind in ("load", "text-missing") for p in problems)
    lint_note = "" if args.lint else " (--lint lists them)"
    print(f"{len(docs)} documents validated" + (f", {not_loaded} not loaded" if not_loaded else "")
          + f": {ents['QUANTITY']} QUANTITY, {ents['METRIC']} METRIC, {rels} relations; "
          f"{by['error']} errors, {by['warning']} warnings, {by['lint']} uncovered numerals{lint_note}")
    return EXIT_DATA if by["error"] else EXIT_OK


# --------------------------------------------------------------------------- stats
def format_stats(st: dict[str, Any]) -> str:
    """The table printed by ``govie corpus stats``."""
    from .corpus import STAT_GROUPS

    rows: list[tuple[str, str, dict]] = [("all", "", st["all"])]
    for group in STAT_GROUPS:
        for n, (k, v) in enumerate(st.get(group, {}).items()):
            rows.append((group if n == 0 else "", k, v))
    w1 = max(len(r[0]) for r in rows) + 2
    w2 = max(len(r[1]) + sum(ord(ch) > 0x2e80 for ch in r[1]) for r in rows) + 2
    widths = [max(len(c), 7) + 2 for c in STAT_COLUMNS]
    # CJK keys (provinces) are two columns wide on a terminal
    def ljust(text: str, width: int) -> str:
        return text + " " * max(0, width - len(text) - sum(ord(ch) > 0x2e80 for ch in text))

    lines = ["".ljust(w1 + w2) + "".join(c.rjust(w) for c, w in zip(STAT_COLUMNS, widths))]
    for i, (group, key, counts) in enumerate(rows):
        if group and i:
            lines.append("")
        lines.append(group.ljust(w1) + ljust(key, w2)
                     + "".join(str(counts.get(c, 0)).rjust(w) for c, w in zip(STAT_COLUMNS, widths)))
    return "\n".join(lines)


def _load_for_command(args: argparse.Namespace):
    """The corpus for ``stats``/``convert``: the documents, or an exit code after reporting problems."""
    try:
        docs, problems = load_checked(_corpus_dir(args), _reports_dir(args), skip_missing=args.skip_missing,
                                      augment=args.augment)
    except FileNotFoundError as e:
        _err(str(e))
        return EXIT_USAGE
    for p in problems:
        _err(str(p))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        _err(f"{len(errors)} records could not be loaded (--skip-missing counts only the available ones)")
        return EXIT_DATA
    return docs


def cmd_stats(args: argparse.Namespace) -> int:
    from .corpus import stats

    loaded = _load_for_command(args)
    if isinstance(loaded, int):
        return loaded
    docs = loaded
    st = stats(docs)
    if args.json:
        print(json.dumps(st, ensure_ascii=False, indent=1))
    else:
        print(format_stats(st))
    return EXIT_OK


# --------------------------------------------------------------------------- split
def light_docs(corpus_dir: Path) -> list[CorpusDoc]:
    """Records without their texts (ids and meta are all a split needs)."""
    out = []
    for path in sorted((corpus_dir / "annotations").glob("*.json")):
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue
        if isinstance(rec, dict) and "id" in rec:
            out.append(CorpusDoc(rec["id"], "", rec.get("meta") or {}, [], []))
    return out


def split_docs(corpus_dir: Path, reports_dir: Optional[Path]) -> tuple[list[CorpusDoc], list[str]]:
    """Every record for a split: with its text where it loads (for near-duplicate linking), else meta
    only; and the ids whose text did not load."""
    light = light_docs(corpus_dir)
    try:
        loaded, _ = load_checked(corpus_dir, reports_dir, skip_missing=True)
    except FileNotFoundError:
        loaded = []
    texts = {d.id: d for d in loaded}
    return [texts.get(d.id, d) for d in light], [d.id for d in light if d.id not in texts]


def cmd_split(args: argparse.Namespace) -> int:
    from .corpus import extend_split, issuer_key, make_split, write_split

    corpus_dir = _corpus_dir(args)
    if not (corpus_dir / "annotations").is_dir():
        _err(f"{corpus_dir / 'annotations'}: no such directory")
        return EXIT_USAGE
    docs, textless = split_docs(corpus_dir, _reports_dir(args))
    if textless:
        _err(f"note: {len(textless)} records without a loadable text ({', '.join(textless[:5])}"
             f"{', …' if len(textless) > 5 else ''}) are split by issuer only (no near-duplicate check); "
             "pass --reports")
    path = corpus_dir / "splits.json"
    old = read_splits(corpus_dir)
    if args.extend:
        split = extend_split(docs, old, seed=args.seed, dev=args.dev, test=args.test)
    else:
        split = make_split(docs, seed=args.seed, dev=args.dev, test=args.test)
    if path.exists() and split == old:
        print(f"{path} already holds this split ({len(split)} documents); unchanged")
        return EXIT_OK
    if path.exists() and not (args.force or args.extend):
        moved = sum(old.get(i) != s for i, s in split.items()) + sum(i not in split for i in old)
        _err(f"{path} exists and the new split differs for {moved} documents; use --force to overwrite "
             "(or --extend to assign only documents not yet in it)")
        return EXIT_DATA
    write_split(split, corpus_dir, seed=args.seed)
    counts = Counter(split.values())
    meta = {d.id: d for d in docs}
    print(f"wrote {path}: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in SPLITS) + f" (seed {args.seed})"
          + (f"; {sum(i not in old for i in split)} newly assigned" if args.extend else ""))
    for s in SPLITS:
        ds = [meta[i] for i, v in split.items() if v == s and i in meta]
        if ds:
            parts = [", ".join(f"{k} {v}" for k, v in sorted(Counter(f(d) for d in ds).items()))
                     for f in (lambda d: d.kind, lambda d: d.meta.get("format") or "?", lambda d: d.script,
                               lambda d: d.layout)]
            print(f"  {s}: {len(ds)} documents, {len({issuer_key(d) for d in ds})} issuers; " + "; ".join(parts))
    return EXIT_OK


# --------------------------------------------------------------------------- convert
def cmd_convert(args: argparse.Namespace) -> int:
    from .corpus import to_dataset, to_docbin

    loaded = _load_for_command(args)
    if isinstance(loaded, int):
        return loaded
    docs = loaded
    if args.split:
        docs = [d for d in docs if (d.split or "unassigned") in args.split]
    if not docs:
        _err("no documents to convert")
        return EXIT_DATA
    out = Path(args.out)
    if args.to == "dataset":
        import datasets

        datasets.disable_progress_bars()
        ds = to_dataset(docs)
        ds.save_to_disk(str(out))
        print(f"wrote {out}: " + ", ".join(f"{k} {len(v)}" for k, v in ds.items()) + " documents")
        return EXIT_OK
    import spacy

    nlp = spacy.load(args.model) if args.model else spacy.blank("zh")
    if out.suffix == ".spacy":
        groups = {out: docs}
    else:
        out.mkdir(parents=True, exist_ok=True)
        groups = {}
        for d in docs:
            groups.setdefault(out / f"{d.split or 'unassigned'}.spacy", []).append(d)
    total = 0
    for path, group in sorted(groups.items()):
        db, splits_needed = to_docbin(group, nlp)
        path.parent.mkdir(parents=True, exist_ok=True)
        db.to_disk(path)
        total += splits_needed
        n_ents = sum(len(d.entities) for d in group)
        print(f"wrote {path}: {len(group)} documents, {n_ents} entities, "
              f"{splits_needed} entity boundaries needed a token split")
    print(f"entity boundaries that needed a token split: {total}")
    return EXIT_OK


# --------------------------------------------------------------------------- export / import
def _doc_id_from_path(path: Path, root: Path) -> str:
    return _doc_id_from_ref(path.relative_to(root).as_posix())


def _doc_id_from_ref(ref: str) -> str:
    rel = Path(ref).with_suffix("").as_posix()
    return re.sub(r"[^0-9A-Za-z_\-\u4e00-\u9fff]+", "_", rel).strip("_") or "doc"


def _open_out(out: str):
    return sys.stdout if out == "-" else open(out, "w", encoding="utf-8")


def cmd_export(args: argparse.Namespace) -> int:
    from . import interop

    items: list[dict] = []
    n_ents = n_rels = 0
    if args.texts:
        from .api import load, parse_many

        root = Path(args.texts)
        if not root.is_dir():
            _err(f"{root}: no such directory")
            return EXIT_USAGE
        files = sorted(p for p in root.rglob("*.txt") if p.is_file())
        if not files:
            _err(f"{root}: no .txt files")
            return EXIT_USAGE
        texts = [p.read_text(encoding="utf-8") for p in files]
        nlp = load(args.model)
        for path, text, report in zip(files, texts, parse_many(texts, nlp=nlp)):
            ref = path.relative_to(root).as_posix()
            meta = {"layout": interop.guess_layout(text), "script": interop.guess_script(text), "origin": "real"}
            year = interop.guess_year(text)
            if year:
                meta["year"] = year
            doc = interop.report_to_doc(report, _doc_id_from_path(path, root), meta)
            n_ents += len(doc.entities)
            n_rels += len(doc.relations)
            if args.format == "doccano":
                items.append(interop.doc_to_doccano(doc, "model", ref))
            else:
                items.append(interop.doc_to_labelstudio(doc, "model", ref, key=args.as_,
                                                        model_version=str(args.model or "govie")))
    else:
        corpus_dir = _corpus_dir(args)
        try:
            docs, problems = load_checked(corpus_dir, _reports_dir(args), skip_missing=True)
        except FileNotFoundError as e:
            _err(str(e))
            return EXIT_USAGE
        for p in problems:
            _err(str(p))
        if args.split:
            docs = [d for d in docs if (d.split or "unassigned") in args.split]
        for d in docs:
            ref = json.loads((corpus_dir / "annotations" / f"{d.id}.json").read_text(encoding="utf-8"))["text_ref"]
            n_ents += len(d.entities)
            n_rels += len(d.relations)
            if args.format == "doccano":
                items.append(interop.doc_to_doccano(d, "gold", ref))
            else:
                items.append(interop.doc_to_labelstudio(d, "gold", ref, key=args.as_))
    fh = _open_out(args.out)
    try:
        if args.format == "doccano":
            interop.write_doccano(items, fh)
        else:
            interop.write_labelstudio(items, fh)
    finally:
        if fh is not sys.stdout:
            fh.close()
    if args.format == "labelstudio" and args.ls_config:
        Path(args.ls_config).write_text(interop.LABEL_STUDIO_CONFIG, encoding="utf-8")
    what = "pre-annotated" if args.texts else "corpus"
    print(f"exported {len(items)} {what} documents ({n_ents} entities, {n_rels} relations) as {args.format} "
          f"to {args.out}", file=sys.stderr if args.out == "-" else sys.stdout)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from . import interop

    corpus_dir = _corpus_dir(args, must_exist=False)
    reports = [Path(r) for r in args.reports]
    for r in reports:
        if not r.is_dir():
            _err(f"{r}: no such directory")
            return EXIT_USAGE
    try:
        items = interop.read_items(args.input, args.format)
    except (OSError, interop.InteropError, KeyError, TypeError, ValueError) as e:
        _err(f"{args.input}: {e}")
        return EXIT_DATA
    status, written = import_items(items, corpus_dir, reports, origin=args.input, layout=args.layout,
                                   id_prefix=args.id_prefix, force=args.force, dry_run=args.dry_run,
                                   allow_duplicate=args.allow_duplicate)
    print(f"imported {written} of {len(items)} documents from {args.input}")
    if written and not args.dry_run:
        print(f"next: {next_steps(corpus_dir, reports, explicit_corpus=bool(args.corpus))}")
    return status


def next_steps(corpus_dir: Path, reports: Sequence[Path], explicit_corpus: bool = True) -> str:
    """The commands to run after an import: they name the same corpus and every reports directory
    the imported texts were found in (the defaults are searched as well)."""
    import shlex

    corpus = f" --corpus {shlex.quote(str(corpus_dir))}" if explicit_corpus else ""
    texts_dir = (corpus_dir / "texts").resolve()
    extra = [r for r in reports if not (r.resolve() == texts_dir or texts_dir in r.resolve().parents)]
    opts = corpus + reports_options(extra)
    return f"govie corpus validate{opts} --lint; govie corpus split{opts} --extend"


def import_items(items: Sequence, corpus_dir: Path, reports: Sequence[Path], origin: str = "the input",
                 layout: Optional[str] = None, id_prefix: str = "", force: bool = False, dry_run: bool = False,
                 allow_duplicate: bool = False) -> tuple[int, int]:
    """Write imported documents (:class:`govie.interop.Imported`) as corpus records; each text is found
    under one of ``reports`` (by its carried ``text_ref``, else by sha256) or in ``corpus/texts``.
    Prints a line per document and its problems; returns (exit status, documents written)."""
    from . import interop
    from .corpus import validate_doc

    texts_dir = corpus_dir / "texts"
    # where a text may live: each reports directory, then the corpus's own texts (the seeds)
    places = []
    for r in reports:
        in_texts = texts_dir.is_dir() and (r.resolve() == texts_dir.resolve()
                                           or texts_dir.resolve() in r.resolve().parents)
        places.append((r, "corpus" if in_texts else "reports"))
    if texts_dir.is_dir() and all(src == "reports" for _, src in places):
        places.append((texts_dir, "corpus"))
    indexes: dict[Path, dict] = {}
    status = EXIT_OK
    seen: set[str] = set()
    # sha256 → id of every record already in the corpus (and of the items imported so far)
    known = _record_shas(corpus_dir)
    written = 0
    for n, imp in enumerate(items, 1):
        ref = source = None
        first_error = None
        for root, src in places:
            def index(root: Path = root) -> dict:
                if root not in indexes:
                    indexes[root] = interop.index_texts(root)
                return indexes[root]

            try:
                ref, source = interop.locate_text(imp, root, index), src
                if src == "corpus":  # text_ref of a corpus text is relative to corpus/texts
                    ref = (root / ref).resolve().relative_to(texts_dir.resolve()).as_posix()
                break
            except CorpusError as e:
                first_error = first_error or e
        if ref is None:
            if len(places) > 1 and "no .txt file" in str(first_error):
                first_error = f"{imp.doc.id or '?'}: no .txt file under " + ", ".join(str(r) for r, _ in places) + \
                              f" has the annotated text (sha256 {sha256(imp.doc.text)[:12]}…)"
            _err(f"item {n}: {first_error}")
            status = EXIT_DATA
            continue
        doc = imp.doc
        if not doc.id:
            doc.id = id_prefix + _doc_id_from_ref(ref)
        if layout:
            doc.meta["layout"] = layout
        if doc.id in seen:
            _err(f"item {n}: document id {doc.id!r} occurs twice in {origin}")
            status = EXIT_DATA
            continue
        seen.add(doc.id)
        digest = sha256(doc.text)
        twin = known.get(digest)
        if twin is not None and twin != doc.id:
            if not allow_duplicate:
                _err(f"item {n}: the text of {doc.id!r} ({ref}) is already in the corpus as {twin!r} (same sha256); "
                     "not imported (--allow-duplicate to import it anyway)")
                status = EXIT_DATA
                continue
            print(f"note\t{doc.id}\tsame text as {twin} (imported because of --allow-duplicate)")
        known.setdefault(digest, doc.id)
        for note in imp.notes:
            print(f"note\t{doc.id}\t{note}")
        record = interop.to_record(doc, ref, source)
        check = CorpusDoc(doc.id, doc.text, record["meta"], record["entities"], record["relations"])
        problems = validate_doc(check, lint=False)
        for p in problems:
            print(p)
        errors = sum(p.severity == "error" for p in problems)
        warnings = sum(p.severity == "warning" for p in problems)
        if errors:
            status = EXIT_DATA
        q = sum(e["label"] == "QUANTITY" for e in doc.entities)
        summary = (f"{q} QUANTITY, {len(doc.entities) - q} METRIC, {len(doc.relations)} relations "
                   f"({errors} errors, {warnings} warnings)")
        if dry_run:
            print(f"would write {corpus_dir / 'annotations' / (doc.id + '.json')}: {summary}")
            written += 1
            continue
        try:
            path = interop.write_record(record, corpus_dir, force=force)
        except FileExistsError as e:
            _err(str(e))
            status = EXIT_DATA
            continue
        written += 1
        print(f"wrote {path}: {summary}")
    return status, written


def _record_shas(corpus_dir: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted((corpus_dir / "annotations").glob("*.json")):
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
            out.setdefault(rec["sha256"], rec["id"])
        except (ValueError, KeyError, TypeError):
            continue
    return out


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


def _add_import(sub, name: str) -> None:
    p = sub.add_parser(name, help="turn a Doccano/Label Studio export into corpus records")
    p.add_argument("--format", required=True, choices=["doccano", "labelstudio"])
    p.add_argument("input", metavar="IN", help="the tool's export (.jsonl for doccano, .json for labelstudio)")
    add_reports_option(p, required=True, help="directory holding the annotated texts (matched by sha256; never "
                       "copied); repeat it when they sit in several folders")
    p.add_argument("--corpus", metavar="DIR", help="corpus directory to write into (default $GOVIE_CORPUS_DIR or "
                   "the checkout's corpus/)")
    p.add_argument("--layout", choices=LAYOUTS, help="meta.layout for every document (default: guessed)")
    p.add_argument("--id-prefix", default="", help="prefix for document ids taken from file names")
    p.add_argument("--force", action="store_true", help="replace existing records")
    p.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    p.add_argument("--allow-duplicate", action="store_true",
                   help="import a text even when the corpus already holds it under another id")
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
