"""The bodies of ``govie corpus export|import`` (and the aliases ``govie export-annotations`` /
``govie import-annotations``): corpus records or pipeline pre-annotations out to Doccano / Label Studio,
their exports back in as corpus records (:func:`import_items`, also used by ``govie annotate pull``).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Optional, Sequence

from .commands import EXIT_DATA, EXIT_OK, EXIT_USAGE, _corpus_dir, _err, _reports_dir, load_checked, reports_options
from .records import CorpusDoc, CorpusError, sha256


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
        from ..api import load, parse_many

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
    """Write imported documents (:class:`govie.corpus.interop.Imported`) as corpus records; each text is found
    under one of ``reports`` (by its carried ``text_ref``, else by sha256) or in ``corpus/texts``.
    Prints a line per document and its problems; returns (exit status, documents written)."""
    from . import interop
    from .records import validate_doc

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
