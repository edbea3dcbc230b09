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
import re
import warnings
import zlib
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
KINDS = ("report", "opening")
LEVELS = ("national", "provincial", "city", "county", "town-street", "department")
FORMATS = ("old", "new")
SCRIPTS = ("simplified", "traditional")
ORIGINS = ("real", "augmented", "synthetic")
# the 34 provincial-level divisions by their short names, plus "national" (central bodies) and "unknown"
PROVINCES = ("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
             "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南",
             "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "香港", "澳门", "台湾", "national", "unknown")
YEAR_BANDS = ("2008–2012", "2013–2018", "2019+")
SPLIT_METHOD = ("grouped by issuing body (sklearn StratifiedGroupKFold, stratified by kind/format/script), "
                "70/15/15 by documents")


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

    @property
    def kind(self) -> str:
        """``meta.kind``; records without it: ``opening`` for ``o…`` ids, else ``report``."""
        return self.meta.get("kind") or ("opening" if self.id.startswith("o") else "report")

    @property
    def script(self) -> str:
        return self.meta.get("script", "simplified")

    @property
    def issuer(self) -> str:
        """The issuer group of :func:`issuer_key`."""
        return issuer_key(self)

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


def issuer_key(doc: CorpusDoc) -> str:
    """The group a document is split by: its ``meta.issuing_body`` without whitespace.

    A body that is missing or recorded as ``unknown …`` is a group of its own (``unknown:<id>``): two
    unknown bodies are not known to be the same body. An augmented copy counts as its source document.
    """
    body = doc.meta.get("issuing_body")
    norm = re.sub(r"\s+", "", body) if isinstance(body, str) else ""
    if not norm or norm.lower().startswith("unknown"):
        return f"unknown:{doc.meta.get('augmented_from') or doc.id}"
    return norm


def year_band(year: Any) -> str:
    """``2008–2012`` (the 2008 regulations), ``2013–2018``, ``2019+`` (the 2019 regulations and template)."""
    if not isinstance(year, int) or isinstance(year, bool):
        return "unknown"
    return YEAR_BANDS[0] if year <= 2012 else YEAR_BANDS[1] if year <= 2018 else YEAR_BANDS[2]


#: where the corpus and the report texts are looked for, besides the options
CORPUS_ENV, REPORTS_ENV = "GOVIE_CORPUS_DIR", "GOVIE_REPORTS_DIR"
PathsLike = Union[str, Path, Sequence[Union[str, Path]], None]


class CorpusNotFound(CorpusError):
    """No corpus directory where one was looked for (e.g. govie installed with pip, no ``--corpus``)."""


def resolve_corpus_dir(option: Union[str, Path, None] = None, must_exist: bool = True) -> Path:
    """The corpus directory: ``option`` (``--corpus``), else ``$GOVIE_CORPUS_DIR``, else the
    checkout's ``corpus/`` (:data:`DEFAULT_CORPUS`), else ``./corpus``.

    An installed govie (``pip install .``) holds no corpus: without an option this raises
    :class:`CorpusNotFound` saying where it looked and what to pass. ``must_exist=False`` (a corpus
    to write into) returns the option or default without checking it.
    """
    if option:
        corpus = Path(option)
        if must_exist and not (corpus / "annotations").is_dir():
            raise CorpusNotFound(f"--corpus {corpus}: no annotations/ directory there (a corpus directory holds "
                                 "annotations/<id>.json and splits.json, like corpus/ of a govie checkout)")
        return corpus
    env = os.environ.get(CORPUS_ENV)
    if env:
        corpus = Path(env)
        if must_exist and not (corpus / "annotations").is_dir():
            raise CorpusNotFound(f"${CORPUS_ENV}={env}: no annotations/ directory there; pass --corpus DIR")
        return corpus
    candidates = [DEFAULT_CORPUS, Path.cwd() / "corpus"]
    for corpus in candidates:
        if (corpus / "annotations").is_dir():
            return corpus
    if not must_exist:
        return DEFAULT_CORPUS
    raise CorpusNotFound("no annotated corpus found (looked in " + " and ".join(str(c) for c in candidates)
                         + "). An installed govie ships the trained pipeline, not the corpus: pass --corpus DIR "
                         f"(the corpus/ directory of a govie checkout, or your own) or set ${CORPUS_ENV}")


def _split_env(value: str) -> list[Path]:
    return [Path(v) for v in value.split(os.pathsep) if v]


def reports_dirs(option: PathsLike = None) -> list[Path]:
    """The directories searched for a record's text, in order: ``option`` (one directory or several:
    ``--reports`` may be repeated), then ``$GOVIE_REPORTS_DIR`` (several joined by ``os.pathsep``), then
    ``../shared/reports`` (next to the working directory or to the checkout) where it exists.

    A record's text is the first ``DIR/text_ref`` whose sha256 matches, so texts annotated from
    several folders load together. This is the one place that decides where report texts are.
    """
    if option is None:
        given: list[Path] = []
    elif isinstance(option, (str, Path)):
        given = [Path(option)]
    else:
        given = [Path(o) for o in option]
    out = given + _split_env(os.environ.get(REPORTS_ENV, ""))
    for cand in (Path.cwd().parent / "shared" / "reports", PROJECT_ROOT.parent / "shared" / "reports"):
        if cand.is_dir():
            out.append(cand)
            break
    seen, unique = set(), []
    for d in out:
        key = os.path.abspath(d)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return unique


def default_reports_dir() -> Optional[Path]:
    """The first directory of :func:`reports_dirs` without options (None when there is none)."""
    dirs = reports_dirs()
    return dirs[0] if dirs else None


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_splits(corpus_dir: Path) -> dict[str, str]:
    p = corpus_dir / "splits.json"
    return json.loads(p.read_text(encoding="utf-8"))["documents"] if p.exists() else {}


def load_record(path: Path, corpus_dir: Path, reports_dir: PathsLike) -> CorpusDoc:
    """One record with its text: from ``corpus/texts`` (``meta.source`` ``corpus``) or from the first of
    the reports directories (one, or a list in search order) whose ``text_ref`` has the record's sha256."""
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
        if not tpath.exists():
            raise CorpusError(f"{rec['id']}: text not found at {tpath}")
        text = tpath.read_text(encoding="utf-8")
        if sha256(text) != rec["sha256"]:
            raise CorpusError(f"{rec['id']}: sha256 of {tpath} does not match the record (text changed?)")
        return CorpusDoc(rec["id"], text, rec.get("meta", {}), rec["entities"], rec["relations"])
    dirs = [Path(d) for d in ([reports_dir] if isinstance(reports_dir, (str, Path)) else reports_dir or [])]
    if not dirs:
        raise CorpusError(f"{rec['id']}: text {rec['text_ref']} lives in the reports directory; pass "
                          f"reports_dir= (--reports DIR) or set {REPORTS_ENV}")
    found = [d / rec["text_ref"] for d in dirs if (d / rec["text_ref"]).is_file()]
    if not found:
        if len(dirs) == 1:
            raise CorpusError(f"{rec['id']}: text not found at {dirs[0] / rec['text_ref']}")
        raise CorpusError(f"{rec['id']}: text {rec['text_ref']} not found in any of "
                          f"{', '.join(str(d) for d in dirs)} (pass --reports DIR for the folder that holds it)")
    for tpath in found:  # the first file with the annotated text: a same-named file elsewhere may differ
        text = tpath.read_text(encoding="utf-8")
        if sha256(text) == rec["sha256"]:
            return CorpusDoc(rec["id"], text, rec.get("meta", {}), rec["entities"], rec["relations"])
    raise CorpusError(f"{rec['id']}: sha256 of {found[0]} does not match the record (text changed?)"
                      + (f"; nor does any of {', '.join(map(str, found[1:]))}" if len(found) > 1 else ""))


def load_corpus(corpus_dir: Union[str, Path, None] = None, reports_dir: PathsLike = None,
                missing: str = "error", augment: bool = False) -> list[CorpusDoc]:
    """Load every record; ``missing="skip"`` drops records whose text is unavailable.

    ``corpus_dir``: see :func:`resolve_corpus_dir`; ``reports_dir``: one directory or several, searched
    before the defaults (:func:`reports_dirs`).

    ``augment=True`` adds traditional-script copies of the training documents (origin ``augmented``).
    """
    corpus_dir = resolve_corpus_dir(corpus_dir)
    dirs = reports_dirs(reports_dir)
    splits = read_splits(corpus_dir)
    docs = []
    for path in sorted((corpus_dir / "annotations").glob("*.json")):
        try:
            doc = load_record(path, corpus_dir, dirs)
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
    out += validate_meta(doc)
    if lint:
        qspans = [(e["start"], e["end"]) for e in doc.entities if e["label"] == "QUANTITY"]
        for m in iter_numerals(doc.text):
            if not any(s <= m.start() < t for s, t in qspans):
                ctx = doc.text[max(0, m.start() - 6):m.end() + 4].replace("\n", "⏎")
                out.append(Problem(doc.id, "uncovered", f"{m.start()} {m.group()!r} in {ctx!r}", "lint"))
    return out


_META_VALUES = (("layout", LAYOUTS, True), ("kind", KINDS, False), ("level", LEVELS, False),
                ("province", PROVINCES, False), ("format", FORMATS, False), ("script", SCRIPTS, None),
                ("origin", ORIGINS, None))


def validate_meta(doc: CorpusDoc) -> list[Problem]:
    """``meta``: a value outside the allowed ones is an error; a missing ``layout`` is an error, a missing
    ``kind``/``level``/``province``/``format``/``year``/``issuing_body`` a warning (``script`` and ``origin``
    default to ``simplified``/``real``)."""
    out: list[Problem] = []
    meta = doc.meta
    for key, allowed, required in _META_VALUES:
        value = meta.get(key)
        if value is None:
            if required:
                out.append(Problem(doc.id, "meta", f"{key} {value!r} not one of {allowed}"))
            elif required is False:
                one_of = "a province's short name, national or unknown" if key == "province" else \
                    f"one of {', '.join(allowed)}"
                out.append(Problem(doc.id, "meta-missing", f"meta.{key} missing ({one_of})", "warning"))
        elif value not in allowed:
            shown = ", ".join(allowed) if len(allowed) < 10 else "a province's short name (PROVINCES), national or unknown"
            out.append(Problem(doc.id, "meta", f"{key} {value!r} not one of {shown}"))
    year = meta.get("year")
    if year is None:
        out.append(Problem(doc.id, "meta-missing", "meta.year missing", "warning"))
    elif not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        out.append(Problem(doc.id, "meta", f"year {year!r} is not a year (an integer 2000–2100)"))
    if not isinstance(meta.get("issuing_body"), str) or not meta["issuing_body"].strip():
        out.append(Problem(doc.id, "meta-missing", "meta.issuing_body missing (the split puts the document in "
                                                   "a group of its own)", "warning"))
    kind = meta.get("kind")
    if doc.origin == "real" and kind in KINDS and doc.id[:1] in ("o", "r") and (kind == "opening") != (doc.id[0] == "o"):
        out.append(Problem(doc.id, "meta", f"kind {kind!r} but the id says {'opening' if doc.id[0] == 'o' else 'report'}",
                           "warning"))
    if kind == "opening" and not meta.get("source_url"):
        out.append(Problem(doc.id, "meta-missing", "meta.source_url missing (an opening names its web page)",
                           "warning"))
    return out


def validate(docs: Iterable[CorpusDoc], lint: bool = True) -> list[Problem]:
    return [p for d in docs for p in validate_doc(d, lint)]


# --------------------------------------------------------------------------- stats and split
STAT_GROUPS = ("split", "kind", "level", "province", "layout", "format", "script", "year", "origin")


def _group_value(d: CorpusDoc, key: str) -> str:
    if key == "split":
        return d.split or "unassigned"
    if key == "kind":
        return d.kind
    if key == "year":
        return year_band(d.meta.get("year"))
    if key == "layout":
        return d.layout
    if key == "script":
        return d.script
    if key == "origin":
        return d.origin
    v = d.meta.get(key)
    return str(v) if v not in (None, "") else "(missing)"


def stats(docs: Sequence[CorpusDoc]) -> dict[str, Any]:
    """Counts (documents, QUANTITY, METRIC, VALUE_OF, PART_OF, distinct issuers) for the whole corpus
    (``all``) and per value of each of :data:`STAT_GROUPS` (``year`` by :func:`year_band`)."""
    def count(ds: Sequence[CorpusDoc]) -> dict[str, int]:
        c: Counter = Counter({"documents": len(ds), "QUANTITY": 0, "METRIC": 0, "VALUE_OF": 0, "PART_OF": 0})
        for d in ds:
            c.update(e["label"] for e in d.entities)
            c.update(r["type"] for r in d.relations)
        c["issuers"] = len({issuer_key(d) for d in ds})
        return dict(c)

    out: dict[str, Any] = {"all": count(docs)}
    for key in STAT_GROUPS:
        groups: dict[str, list] = {}
        for d in docs:
            groups.setdefault(_group_value(d, key), []).append(d)
        out[key] = {k: count(v) for k, v in sorted(groups.items())}
    return out


def _stratum(d: CorpusDoc) -> str:
    return f"{d.kind}/{d.meta.get('format') or '?'}/{d.script}"


def _tags(d: CorpusDoc) -> set[tuple[str, str]]:
    """What each of dev and test should hold an example of (when the corpus has one)."""
    return {("kind", d.kind), ("format", str(d.meta.get("format"))), ("script", d.script)}


def _group_folds(labels: list[str], groups: list[str], k: int, seed: int) -> list[list[int]]:
    """``StratifiedGroupKFold`` folds (indices); unstratified (one label) where stratifying is impossible."""
    import numpy as np
    from sklearn.model_selection import StratifiedGroupKFold

    k = min(k, len(set(groups)))
    if k < 2:
        return []
    x = np.zeros(len(labels))
    for y in (labels, ["-"] * len(labels)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "least populated class has fewer members than n_splits"
                folds = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed).split(x, y, groups)
                return [sorted(int(i) for i in test) for _, test in folds]
        except ValueError:
            continue
    return []


def split_groups(docs: Sequence[CorpusDoc], link_duplicates: bool = True) -> dict[str, str]:
    """Document id → the group the split keeps together: its :func:`issuer_key`, with the groups of
    near-duplicate texts (:func:`near_duplicates`, among the documents whose text is loaded) merged."""
    key = {d.id: issuer_key(d) for d in docs}
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        while parent.get(k, k) != k:
            k = parent[k]
        return k

    if link_duplicates:
        for a, b, _ in near_duplicates([d for d in docs if d.text and d.origin == "real"]):
            ra, rb = find(key[a]), find(key[b])
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {i: find(k) for i, k in key.items()}


def make_split(docs: Sequence[CorpusDoc], seed: int = 13, dev: float = 0.15, test: float = 0.15,
               link_duplicates: bool = True) -> dict[str, str]:
    """Deterministic document-level train/dev/test split **grouped by issuing body** (:func:`issuer_key`):
    every document of one issuer lands in the same split, and so do near-duplicate texts of different
    issuers (:func:`split_groups`; only where the documents' texts are loaded).

    scikit-learn ``StratifiedGroupKFold`` (stratified by kind/format/script) cuts the real documents into
    about ``1/test`` folds; each fold is a candidate test set, and the rest is cut the same way into
    candidate dev sets. Of those candidates the split keeps the one where dev, test and train each hold
    an opening and a full report, an old- and a new-format report and a traditional-script original (as
    far as the corpus allows), then the one closest to the target sizes. Augmented and synthetic
    documents are always train. Fewer than 3 issuers: all train. The same documents and seed give the
    same split, whatever their order.
    """
    real = sorted((d for d in docs if d.origin == "real"), key=lambda d: d.id)
    out: dict[str, str] = {d.id: "train" for d in real}
    by_id = split_groups(real, link_duplicates)
    groups = [by_id[d.id] for d in real]
    if len(set(groups)) >= 3 and dev >= 0 and test >= 0 and 0 < dev + test < 1:
        assign = _grouped_split(real, groups, seed, dev, test)
        out.update({real[i].id: s for i, s in assign.items()})
    for d in docs:
        if d.origin != "real":
            out[d.id] = "train"
    return dict(sorted(out.items()))


def _grouped_split(real: list[CorpusDoc], groups: list[str], seed: int, dev: float, test: float) -> dict[int, str]:
    n = len(real)
    labels = [_stratum(d) for d in real]
    tags = [_tags(d) for d in real]
    wanted = set().union(*tags)

    def candidates(idx: list[int], frac: float) -> list[list[int]]:
        if frac <= 0 or not idx:
            return [[]]
        folds = _group_folds([labels[i] for i in idx], [groups[i] for i in idx], max(2, round(1 / frac)), seed)
        return [[idx[j] for j in f] for f in folds] or [[]]

    best: Optional[tuple] = None
    everything = list(range(n))
    for ti, t_idx in enumerate(candidates(everything, test)):
        t_set = set(t_idx)
        rest = [i for i in everything if i not in t_set]
        for di, d_idx in enumerate(candidates(rest, dev / (1 - test))):
            parts = {"test": set(t_idx), "dev": set(d_idx)}
            parts["train"] = set(rest) - parts["dev"]
            missing = 0
            for name, frac in (("train", 1.0), ("dev", dev), ("test", test)):
                if frac > 0:
                    have = set().union(*(tags[i] for i in parts[name])) if parts[name] else set()
                    missing += len(wanted - have)
            off = abs(len(parts["dev"]) - dev * n) + abs(len(parts["test"]) - test * n)
            key = (missing, off, ti, di)
            if best is None or key < best[0]:
                best = (key, parts)
    assert best is not None
    return {i: name for name, idx in best[1].items() for i in idx}


def extend_split(docs: Sequence[CorpusDoc], existing: dict[str, str], seed: int = 13, dev: float = 0.15,
                 test: float = 0.15, link_duplicates: bool = True) -> dict[str, str]:
    """Assign only the documents not in ``existing``, keeping every existing assignment.

    A new document of an issuer that already has documents (or a near-duplicate of an assigned
    document, :func:`split_groups`) goes to that issuer's split (the split holding most of them; train
    on a tie). The new documents of new issuers are split with
    :func:`make_split`, with fractions chosen so that the whole corpus comes as close to
    ``dev``/``test`` as the kept assignments allow. Assignments of documents that have no record any
    more are dropped.
    """
    ids = {d.id for d in docs}
    keep = {i: s for i, s in existing.items() if i in ids}
    group = split_groups([d for d in docs if d.origin == "real"], link_duplicates)
    by_issuer: dict[str, Counter] = {}
    for d in docs:
        if d.id in keep and d.origin == "real":
            by_issuer.setdefault(group[d.id], Counter())[keep[d.id]] += 1
    out = dict(keep)
    pool = []
    for d in sorted(docs, key=lambda d: d.id):
        if d.id in keep:
            continue
        if d.origin != "real":
            out[d.id] = "train"
        elif group[d.id] in by_issuer:
            c = by_issuer[group[d.id]]
            out[d.id] = max(SPLITS, key=lambda s: (c[s], -SPLITS.index(s)))
        else:
            pool.append(d)
    if pool:
        n_real = sum(d.origin == "real" for d in docs)
        have = Counter(out[d.id] for d in docs if d.origin == "real" and d.id in out)
        want = {s: max(0.0, f * n_real - have[s]) / len(pool) for s, f in (("dev", dev), ("test", test))}
        total = want["dev"] + want["test"]
        if total > 0.9:  # keep some train in the new issuers' documents
            want = {s: v * 0.9 / total for s, v in want.items()}
        out.update(make_split(pool, seed=seed, dev=want["dev"], test=want["test"], link_duplicates=link_duplicates))
    return dict(sorted(out.items()))


def write_split(split: dict[str, str], corpus_dir: Union[str, Path, None] = None, seed: int = 13) -> Path:
    p = Path(corpus_dir or DEFAULT_CORPUS) / "splits.json"
    p.write_text(json.dumps({"seed": seed, "method": SPLIT_METHOD, "documents": split}, ensure_ascii=False,
                            indent=1) + "\n", encoding="utf-8")
    return p


# --------------------------------------------------------------------------- split guards
def split_problems(docs: Sequence[CorpusDoc], splits: dict[str, str]) -> list[Problem]:
    """An error for each issuing body (:func:`issuer_key`) whose real documents sit in more than one split."""
    by: dict[str, dict[str, list[str]]] = {}
    for d in sorted(docs, key=lambda d: d.id):
        if d.origin == "real" and d.id in splits:
            by.setdefault(issuer_key(d), {}).setdefault(splits[d.id], []).append(d.id)
    out = []
    for key, parts in sorted(by.items(), key=lambda kv: min(i for ids in kv[1].values() for i in ids)):
        if len(parts) > 1:
            where = "; ".join(f"{s}: {', '.join(parts[s])}" for s in SPLITS if s in parts)
            first = min(i for ids in parts.values() for i in ids)
            out.append(Problem(first, "split-issuer", f"issuing body {key!r} has documents in {len(parts)} splits "
                                                      f"({where})"))
    return out


def _shingles(text: str, n: int) -> set[int]:
    t = re.sub(r"\s+", "", text)
    if len(t) <= n:
        return {zlib.crc32(t.encode("utf-8"))} if t else set()
    return {zlib.crc32(t[i:i + n].encode("utf-8")) for i in range(len(t) - n + 1)}


def near_duplicates(docs: Sequence[CorpusDoc], threshold: float = 0.8, n: int = 5) -> list[tuple[str, str, float]]:
    """Pairs of documents whose texts (whitespace removed) share at least ``threshold`` of their
    ``n``-character shingles (Jaccard), with that Jaccard; exact duplicates included (1.0).

    Exact set comparison; pairs are pruned first by the sets' sizes (Jaccard ≤ smaller/larger) and, for
    long texts, by the Jaccard of a 1-in-16 sample of the (crc32-hashed) shingles, with a 0.2 margin.
    """
    docs = sorted(docs, key=lambda d: d.id)
    sets = [_shingles(d.text, n) for d in docs]
    samples = [{h for h in s if h % 16 == 0} for s in sets]
    out = []
    for a in range(len(docs)):
        A, sa = sets[a], samples[a]
        for b in range(a + 1, len(docs)):
            B, sb = sets[b], samples[b]
            if not A or not B or min(len(A), len(B)) < threshold * max(len(A), len(B)):
                continue
            if len(sa) >= 32 and len(sb) >= 32 and len(sa & sb) < (threshold - 0.2) * len(sa | sb):
                continue
            inter = len(A & B)
            j = inter / (len(A) + len(B) - inter)
            if j >= threshold:
                out.append((docs[a].id, docs[b].id, round(j, 4)))
    return out


def duplicate_problems(docs: Sequence[CorpusDoc], splits: dict[str, str], threshold: float = 0.8) -> list[Problem]:
    """Duplicate texts (same sha256) and near-duplicates (:func:`near_duplicates`) under different ids:
    an error when the two sit in different splits, a warning otherwise (same split, or not assigned)."""
    real = [d for d in docs if d.origin == "real"]
    shas = {d.id: sha256(d.text) for d in real}
    out = []
    for a, b, j in near_duplicates(real, threshold):
        sa, sb = splits.get(a), splits.get(b)
        sev = "error" if sa and sb and sa != sb else "warning"
        where = f"{a} in {sa or 'no split'}, {b} in {sb or 'no split'}"
        if shas[a] == shas[b]:
            out.append(Problem(b, "duplicate", f"same text as {a} (sha256 {shas[a][:12]}…; {where})", sev))
        else:
            out.append(Problem(b, "near-duplicate", f"text nearly the same as {a}'s (Jaccard {j:.2f} of 5-character "
                                                    f"shingles; {where})", sev))
    return out



# --------------------------------------------------------------------------- conversions
_ENTITY_FIELDS = ("id", "label", "start", "end", "text", "value", "value_float", "unit", "approximate")
_META_COLUMNS = ("kind", "level", "province", "layout", "format", "script", "origin", "issuing_body", "source_url")


def dataset_features():
    """The ``datasets.Features`` of :func:`to_dataset` / :func:`load_dataset` (see ``docs/corpus.md``)."""
    from datasets import Features, Value

    ent = {"id": Value("string"), "label": Value("string"), "start": Value("int32"), "end": Value("int32"),
           "text": Value("string"),
           # a recorded value keeps its JSON type: integers in ``value`` (int64), the rest in ``value_float``
           "value": Value("int64"), "value_float": Value("float64"),
           "unit": Value("string"), "approximate": Value("bool")}
    return Features({
        "id": Value("string"), "text": Value("string"), **{k: Value("string") for k in _META_COLUMNS},
        "year": Value("int32"), "sha256": Value("string"),
        # ``[struct]`` is a list of structs in every datasets version (``Sequence(dict)`` is a struct of lists)
        "entities": [ent],
        "relations": [{"type": Value("string"), "head": Value("string"), "tail": Value("string")}],
    })


def _split_value(v: Any) -> tuple[Optional[int], Optional[float]]:
    if v is None:
        return None, None
    if isinstance(v, int) and not isinstance(v, bool) and -2 ** 63 <= v < 2 ** 63:
        return v, None
    return None, float(v)


def entity_value(entity: dict[str, Any]) -> Union[int, float, None]:
    """The number of a dataset entity: ``value`` (an integer) or else ``value_float``."""
    return entity["value"] if entity.get("value") is not None else entity.get("value_float")


def _dataset_row(d: CorpusDoc) -> dict:
    ents = []
    for e in d.entities:
        iv, fv = _split_value(e.get("value"))
        ents.append({"id": e["id"], "label": e["label"], "start": e["start"], "end": e["end"], "text": e["text"],
                     "value": iv, "value_float": fv, "unit": e.get("unit"),
                     "approximate": bool(e.get("approximate", False))})
    year = d.meta.get("year")
    row = {"id": d.id, "text": d.text, **{k: d.meta.get(k) for k in _META_COLUMNS},
           "year": year if isinstance(year, int) and not isinstance(year, bool) else None, "sha256": sha256(d.text),
           "entities": ents,
           "relations": [{"type": r["type"], "head": r["head"], "tail": r["tail"]} for r in d.relations]}
    row.update(kind=d.kind, layout=d.layout, script=d.script, origin=d.origin)
    return row


def to_dataset(docs: Sequence[CorpusDoc], splits: Optional[Sequence[str]] = None):
    """A ``datasets.DatasetDict``, one split per corpus split (``unassigned`` for documents not in
    ``splits.json``), with the features of :func:`dataset_features`. ``splits``: exactly these splits,
    empty where no document falls in one (others are left out)."""
    from datasets import Dataset, DatasetDict

    features = dataset_features()
    by: dict[str, list] = {s: [] for s in splits} if splits is not None else {}
    for d in docs:
        s = d.split or "unassigned"
        if splits is None or s in by:
            by.setdefault(s, []).append(_dataset_row(d))
    return DatasetDict({k: Dataset.from_list(v, features=features) if v else
                        Dataset.from_dict({f: [] for f in features}, features=features) for k, v in by.items()})


def load_dataset(corpus_dir: Union[str, Path, None] = None, reports_dir: Union[str, Path, None] = None,
                 augment: bool = False, missing: str = "error"):
    """The corpus as a ``datasets.DatasetDict`` with ``train``, ``dev`` and ``test``::

        from govie.corpus import load_dataset
        ds = load_dataset()                      # corpus/ and ../shared/reports (or $GOVIE_REPORTS_DIR)
        ds["train"][0]["entities"][1]["value"]   # 57194: integers stay int (floats in "value_float")

    Arguments as :func:`load_corpus`; documents not in ``splits.json`` are left out (with a warning).
    Schema: ``docs/corpus.md``.
    """
    docs = load_corpus(corpus_dir, reports_dir, missing=missing, augment=augment)
    unassigned = [d.id for d in docs if d.split not in SPLITS]
    if unassigned:
        warnings.warn(f"{len(unassigned)} documents are not in splits.json and are left out ({', '.join(unassigned[:5])}"
                      f"{', …' if len(unassigned) > 5 else ''}); run `govie corpus split --extend`", stacklevel=2)
    return to_dataset(docs, splits=SPLITS)


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
