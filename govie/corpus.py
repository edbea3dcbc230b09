"""The annotated corpus: standoff records, validation, splits, datasets and DocBins.

A record (``corpus/annotations/<id>.json``) holds offsets into a text that lives either in
``corpus/texts/`` (the seeds) or in a reports directory outside the project
(``../shared/reports`` by default), verified by its sha256. See ``corpus/README.md``.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence, Union

from .normalize import NormalizationError, normalize
from .quantities import iter_numerals

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "corpus"
LABELS = ("QUANTITY", "METRIC")
RELATIONS = ("VALUE_OF", "PART_OF")
LAYOUTS = ("narrative", "table-2008", "standard-2019")
SPLITS = ("train", "dev", "test")


class CorpusError(ValueError):
    """A corpus record that cannot be loaded (missing text, hash mismatch, bad JSON)."""


@dataclass
class CorpusDoc:
    id: str
    text: str
    meta: dict[str, Any]
    entities: list[dict[str, Any]]
    relations: list[dict[str, str]]
    split: Optional[str] = None

    @property
    def layout(self) -> str:
        return self.meta.get("layout", "narrative")

    @property
    def origin(self) -> str:
        return self.meta.get("origin", "real")

    def entity(self, eid: str) -> dict[str, Any]:
        return self._index()[eid]

    def _index(self) -> dict[str, dict[str, Any]]:
        return {e["id"]: e for e in self.entities}

    def facts(self) -> list[dict[str, Any]]:
        """Gold fact records (schema v1) of this document."""
        idx = self._index()
        metrics: dict[str, list[dict]] = {}
        for r in self.relations:
            if r["type"] == "VALUE_OF":
                m = idx[r["tail"]]
                metrics.setdefault(r["head"], []).append({"start": m["start"], "end": m["end"], "text": m["text"]})
        out = []
        for e in self.entities:
            if e["label"] == "QUANTITY":
                out.append({"quantity": {"start": e["start"], "end": e["end"], "text": e["text"]},
                            "value": e.get("value"), "unit": e.get("unit"), "approximate": bool(e.get("approximate")),
                            "metrics": sorted(metrics.get(e["id"], []), key=lambda m: m["start"])})
        return out


def default_reports_dir() -> Optional[Path]:
    env = os.environ.get("GOVIE_REPORTS_DIR")
    if env:
        return Path(env)
    for cand in (Path.cwd().parent / "shared" / "reports", PROJECT_ROOT.parent / "shared" / "reports"):
        if cand.is_dir():
            return cand
    return None


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_splits(corpus_dir: Path) -> dict[str, str]:
    p = corpus_dir / "splits.json"
    return json.loads(p.read_text(encoding="utf-8"))["documents"] if p.exists() else {}


def load_record(path: Path, corpus_dir: Path, reports_dir: Optional[Path]) -> CorpusDoc:
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise CorpusError(f"{path}: invalid JSON ({e})") from None
    if not isinstance(rec, dict):
        raise CorpusError(f"{path}: a record is a JSON object")
    lacking = [k for k in ("id", "text_ref", "sha256", "entities", "relations") if k not in rec]
    if lacking:
        raise CorpusError(f"{path}: record lacks {', '.join(lacking)}")
    source = (rec.get("meta") or {}).get("source")
    if source is None:
        source = "corpus" if (corpus_dir / "texts" / rec["text_ref"]).exists() else "reports"
    if source == "corpus":
        tpath = corpus_dir / "texts" / rec["text_ref"]
    else:
        if reports_dir is None:
            raise CorpusError(f"{rec['id']}: text {rec['text_ref']} lives in the reports directory; pass "
                              "reports_dir= or set GOVIE_REPORTS_DIR")
        tpath = Path(reports_dir) / rec["text_ref"]
    if not tpath.exists():
        raise CorpusError(f"{rec['id']}: text not found at {tpath}")
    text = tpath.read_text(encoding="utf-8")
    if sha256(text) != rec["sha256"]:
        raise CorpusError(f"{rec['id']}: sha256 of {tpath} does not match the record (text changed?)")
    return CorpusDoc(rec["id"], text, rec.get("meta", {}), rec["entities"], rec["relations"])


def load_corpus(corpus_dir: Union[str, Path, None] = None, reports_dir: Union[str, Path, None] = None,
                missing: str = "error", augment: bool = False) -> list[CorpusDoc]:
    """Load every record; ``missing="skip"`` drops records whose text is unavailable.

    ``augment=True`` adds traditional-script copies of the training documents (origin ``augmented``).
    """
    corpus_dir = Path(corpus_dir) if corpus_dir else DEFAULT_CORPUS
    reports_dir = Path(reports_dir) if reports_dir else default_reports_dir()
    splits = read_splits(corpus_dir)
    docs = []
    for path in sorted((corpus_dir / "annotations").glob("*.json")):
        try:
            doc = load_record(path, corpus_dir, reports_dir)
        except CorpusError:
            if missing == "skip":
                continue
            raise
        doc.split = splits.get(doc.id, "train" if doc.origin != "real" else None)
        docs.append(doc)
    if augment:
        docs += [to_traditional(d) for d in docs if d.split == "train" and d.origin == "real"]
    return docs


# --------------------------------------------------------------------------- augmentation
@functools.lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(doc: CorpusDoc) -> CorpusDoc:
    """A traditional-script copy: each stretch between entity boundaries converted on its own,
    so every offset is recomputed exactly and verified."""
    conv = _s2t()
    cuts = sorted({0, len(doc.text)} | {e["start"] for e in doc.entities} | {e["end"] for e in doc.entities})
    new_pos = {}
    pieces = []
    pos = 0
    for a, b in zip(cuts, cuts[1:]):
        new_pos[a] = pos
        piece = conv.convert(doc.text[a:b])
        pieces.append(piece)
        pos += len(piece)
    new_pos[cuts[-1]] = pos
    text = "".join(pieces)
    ents = []
    for e in doc.entities:
        s, t = new_pos[e["start"]], new_pos[e["end"]]
        ne = {**e, "start": s, "end": t, "text": text[s:t]}
        if e["label"] == "QUANTITY":
            # the value is script-independent; the unit is reported in simplified form
            ne["value"], ne["unit"] = e.get("value"), e.get("unit")
        ents.append(ne)
    for e in ents:
        assert text[e["start"]:e["end"]] == e["text"]
    meta = {**doc.meta, "script": "traditional", "origin": "augmented", "augmented_from": doc.id}
    return CorpusDoc(doc.id + "-t", text, meta, ents, [dict(r) for r in doc.relations], "train")


# --------------------------------------------------------------------------- validation
@dataclass
class Problem:
    doc: str
    kind: str
    message: str
    severity: str = "error"  # error | warning | lint

    def __str__(self) -> str:
        return f"{self.severity}\t{self.doc}\t{self.kind}\t{self.message}"


def validate_doc(doc: CorpusDoc, lint: bool = True) -> list[Problem]:
    """Structural errors, normaliser disagreements (warnings) and uncovered numerals (lint)."""
    out: list[Problem] = []
    idx: dict[str, dict] = {}
    n = len(doc.text)
    for e in doc.entities:
        if e["id"] in idx:
            out.append(Problem(doc.id, "duplicate-id", e["id"]))
        idx[e["id"]] = e
        if e["label"] not in LABELS:
            out.append(Problem(doc.id, "label", f"{e['id']} has unknown label {e['label']!r}"))
        if not (0 <= e["start"] < e["end"] <= n):
            out.append(Problem(doc.id, "offsets", f"{e['id']} [{e['start']},{e['end']}) outside the text"))
            continue
        if doc.text[e["start"]:e["end"]] != e["text"]:
            out.append(Problem(doc.id, "text", f"{e['id']} records {e['text']!r} but the text has "
                                               f"{doc.text[e['start']:e['end']]!r}"))
        if e["label"] == "QUANTITY":
            for k in ("value", "unit", "approximate"):
                if k not in e:
                    out.append(Problem(doc.id, "field", f"{e['id']} QUANTITY lacks {k!r}"))
            try:
                r = normalize(e["text"])
                if "value" in e and (r.unit is not None or e.get("unit") is None) and r.value != e["value"]:
                    out.append(Problem(doc.id, "value", f"{e['id']} {e['text']!r}: value {e['value']} but the "
                                                        f"normaliser reads {r.value}", "warning"))
                if r.unit is not None and r.unit != e.get("unit"):
                    out.append(Problem(doc.id, "unit", f"{e['id']} {e['text']!r}: unit {e.get('unit')!r} but "
                                                       f"the normaliser reads {r.unit!r}", "warning"))
            except NormalizationError as err:
                out.append(Problem(doc.id, "value", f"{e['id']} {e['text']!r}: {err}"))
    spans = sorted((e["start"], e["end"], e["id"]) for e in doc.entities)
    for (s1, e1, i1), (s2, e2, i2) in zip(spans, spans[1:]):
        if s2 < e1:
            out.append(Problem(doc.id, "overlap", f"{i1} [{s1},{e1}) overlaps {i2} [{s2},{e2})"))
    linked = set()
    for r in doc.relations:
        h, t = idx.get(r["head"]), idx.get(r["tail"])
        if r["type"] not in RELATIONS:
            out.append(Problem(doc.id, "relation", f"unknown relation type {r['type']!r}"))
            continue
        if h is None or t is None:
            out.append(Problem(doc.id, "relation", f"{r['type']} {r['head']}->{r['tail']}: missing entity"))
            continue
        want = ("QUANTITY", "METRIC") if r["type"] == "VALUE_OF" else ("METRIC", "METRIC")
        if (h["label"], t["label"]) != want:
            out.append(Problem(doc.id, "relation", f"{r['type']} {r['head']}->{r['tail']} links "
                                                   f"{h['label']}->{t['label']}"))
        linked.update((r["head"], r["tail"]))
    for e in doc.entities:
        if e["label"] == "METRIC" and e["id"] not in linked:
            out.append(Problem(doc.id, "orphan-metric", f"{e['id']} {e['text']!r} measures nothing", "warning"))
    if doc.meta.get("layout") not in LAYOUTS:
        out.append(Problem(doc.id, "meta", f"layout {doc.meta.get('layout')!r} not one of {LAYOUTS}"))
    if lint:
        qspans = [(e["start"], e["end"]) for e in doc.entities if e["label"] == "QUANTITY"]
        for m in iter_numerals(doc.text):
            if not any(s <= m.start() < t for s, t in qspans):
                ctx = doc.text[max(0, m.start() - 6):m.end() + 4].replace("\n", "⏎")
                out.append(Problem(doc.id, "uncovered", f"{m.start()} {m.group()!r} in {ctx!r}", "lint"))
    return out


def validate(docs: Iterable[CorpusDoc], lint: bool = True) -> list[Problem]:
    return [p for d in docs for p in validate_doc(d, lint)]


# --------------------------------------------------------------------------- stats and split
def stats(docs: Sequence[CorpusDoc]) -> dict[str, Any]:
    def count(ds: Sequence[CorpusDoc]) -> dict[str, int]:
        c: Counter = Counter()
        c["documents"] = len(ds)
        for d in ds:
            c.update(e["label"] for e in d.entities)
            c.update(r["type"] for r in d.relations)
        return dict(c)

    out: dict[str, Any] = {"all": count(docs)}
    for key, fn in (("layout", lambda d: d.layout), ("split", lambda d: d.split or "unassigned"),
                    ("origin", lambda d: d.origin), ("script", lambda d: d.meta.get("script", "simplified"))):
        groups: dict[str, list] = {}
        for d in docs:
            groups.setdefault(fn(d), []).append(d)
        out[key] = {k: count(v) for k, v in sorted(groups.items())}
    return out


def _split_off(ids: list[str], strata: list[str], size: float, seed: int) -> tuple[list[str], list[str]]:
    """``train_test_split`` stratified where the strata allow it, plain otherwise (tiny corpora)."""
    from sklearn.model_selection import train_test_split

    try:
        a, b = train_test_split(ids, test_size=size, random_state=seed, stratify=strata)
    except ValueError:  # a stratum with one member, or fewer test items than strata
        a, b = train_test_split(ids, test_size=size, random_state=seed)
    return list(a), list(b)


def make_split(docs: Sequence[CorpusDoc], seed: int = 13, dev: float = 0.15, test: float = 0.15) -> dict[str, str]:
    """Deterministic document-level train/dev/test split, stratified by layout and script.

    Only real documents are split; augmented and synthetic documents are always train. Strata with
    fewer than 3 documents are pooled as ``other``; where stratifying is impossible (a very small
    corpus) the split falls back to a plain seeded shuffle. Fewer than 3 real documents: all train.
    """
    real = sorted((d for d in docs if d.origin == "real"), key=lambda d: d.id)
    ids = [d.id for d in real]
    strata = [f"{d.layout}/{d.meta.get('script', 'simplified')}" for d in real]
    counts = Counter(strata)
    strata = [s if counts[s] >= 3 else "other" for s in strata]
    out: dict[str, str] = {}
    if len(ids) < 3 or dev + test <= 0:
        out = {i: "train" for i in ids}
    else:
        by_id = dict(zip(ids, strata))
        train_ids, rest_ids = _split_off(ids, strata, dev + test, seed)
        rest_strata = [by_id[i] for i in rest_ids]
        rc = Counter(rest_strata)
        rest_strata = [s if rc[s] >= 2 else "other" for s in rest_strata]
        if len(rest_ids) < 2 or dev <= 0 or test <= 0:
            dev_ids, test_ids = (rest_ids, []) if test <= 0 else ([], rest_ids)
        else:
            dev_ids, test_ids = _split_off(rest_ids, rest_strata, test / (dev + test), seed)
        out = {i: "train" for i in train_ids}
        out.update({i: "dev" for i in dev_ids})
        out.update({i: "test" for i in test_ids})
    for d in docs:
        if d.origin != "real":
            out[d.id] = "train"
    return dict(sorted(out.items()))


def write_split(split: dict[str, str], corpus_dir: Union[str, Path, None] = None, seed: int = 13) -> Path:
    p = Path(corpus_dir or DEFAULT_CORPUS) / "splits.json"
    p.write_text(json.dumps({"seed": seed, "method": "sklearn train_test_split, stratified by layout/script, "
                             "70/15/15", "documents": split}, ensure_ascii=False, indent=1) + "\n",
                 encoding="utf-8")
    return p


# --------------------------------------------------------------------------- conversions
def to_dataset(docs: Sequence[CorpusDoc]):
    """A ``datasets.DatasetDict`` (one split per corpus split) with typed features."""
    from datasets import Dataset, DatasetDict, Features, Value

    ent = {"id": Value("string"), "label": Value("string"), "start": Value("int32"), "end": Value("int32"),
           "text": Value("string"), "value": Value("float64"), "unit": Value("string"),
           "approximate": Value("bool")}
    features = Features({
        "id": Value("string"), "text": Value("string"), "layout": Value("string"), "script": Value("string"),
        "origin": Value("string"), "issuing_body": Value("string"), "year": Value("int32"),
        "sha256": Value("string"),
        # ``[struct]`` is a list of structs in every datasets version (``Sequence(dict)`` is a struct of lists)
        "entities": [ent],
        "relations": [{"type": Value("string"), "head": Value("string"), "tail": Value("string")}],
    })

    def row(d: CorpusDoc) -> dict:
        return {"id": d.id, "text": d.text, "layout": d.layout, "script": d.meta.get("script", "simplified"),
                "origin": d.origin, "issuing_body": d.meta.get("issuing_body"),
                "year": int(d.meta["year"]) if d.meta.get("year") else None, "sha256": sha256(d.text),
                "entities": [{k: e.get(k) for k in ent} | {"value": None if e.get("value") is None else float(e["value"]),
                                                          "approximate": bool(e.get("approximate", False))}
                             for e in d.entities],
                "relations": [{"type": r["type"], "head": r["head"], "tail": r["tail"]} for r in d.relations]}

    by: dict[str, list] = {}
    for d in docs:
        by.setdefault(d.split or "train", []).append(row(d))
    return DatasetDict({k: Dataset.from_list(v, features=features) for k, v in by.items()})


def to_docs(docs: Sequence[CorpusDoc], nlp) -> tuple[list, int]:
    """spaCy ``Doc`` objects with gold entities and relations; returns (docs, misaligned entities).

    Entities are aligned strictly to the tokens of ``nlp``; where a boundary falls inside a token the
    token is split there (the corpus defines the boundaries), so a correct tokenizer loses nothing.
    """
    from . import extensions
    from .tokenizer import split_at

    out = []
    misaligned = 0
    for d in docs:
        doc = nlp.make_doc(d.text)
        bounds = sorted({e["start"] for e in d.entities} | {e["end"] for e in d.entities})
        # a boundary is aligned when it is a token start or a token end (a token's trailing
        # whitespace lies outside it); only the others need a split
        edges = {t.idx for t in doc} | {t.idx + len(t.text) for t in doc}
        inside = [b for b in bounds if b not in edges]
        if inside:
            doc, n_split = split_at(doc, inside)
            misaligned += n_split
        extensions.init_doc(doc)
        spans = []
        for e in d.entities:
            span = doc.char_span(e["start"], e["end"], label=e["label"], alignment_mode="strict")
            assert span is not None, (d.id, e)
            spans.append(span)
            if e["label"] == "QUANTITY":
                doc._.quantity_info[f"{e['start']}:{e['end']}"] = [e.get("value"), e.get("unit"),
                                                                     bool(e.get("approximate"))]
        doc.set_ents(spans)
        idx = {e["id"]: e for e in d.entities}
        doc._.relations = sorted({(idx[r["head"]]["start"], idx[r["head"]]["end"], idx[r["tail"]]["start"],
                                   idx[r["tail"]]["end"], r["type"], 1.0) for r in d.relations})
        doc.user_data["govie_id"] = d.id
        out.append(doc)
    return out, misaligned


def to_docbin(docs: Sequence[CorpusDoc], nlp):
    """A ``DocBin`` for training and the count of entity boundaries that needed a token split."""
    from spacy.tokens import DocBin

    sdocs, mis = to_docs(docs, nlp)
    return DocBin(docs=sdocs, store_user_data=True), mis
