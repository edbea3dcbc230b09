"""The bodies of ``govie corpus validate|stats|split|convert`` and the helpers every corpus command
shares (which corpus, which reports directories, loading with problems instead of exceptions).
The argument parsers are in :mod:`govie.corpus.cli`; export and import in :mod:`govie.corpus.exchange`.

Exit codes follow :mod:`govie.cli`: 0 success, 1 a problem in the data (validation errors, a
record that cannot be written, an annotation whose text cannot be found), 2 usage error.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Optional, Sequence

from .records import (SPLITS, CorpusDoc, CorpusError, Problem, load_record, read_splits, reports_dirs,
                      resolve_corpus_dir)

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

    Unlike :func:`govie.corpus.records.load_corpus` this never stops at the first bad record.
    ``skip_missing``: a record whose text is unavailable is a warning, not an error.
    """
    from .records import to_traditional

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
    from .split import duplicate_problems, split_problems

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
    from .records import validate_doc

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
    from .split import STAT_GROUPS

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
    from .split import stats

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
    from .split import extend_split, make_split, write_split
    from .records import issuer_key

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
    from .hf import to_dataset
    from ..training.docbin import to_docbin

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
