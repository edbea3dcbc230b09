"""The annotated corpus: standoff records, augmentation and validation.

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
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence, Union

from ..normalize import NormalizationError, normalize
from ..pipeline.quantities import iter_numerals

PROJECT_ROOT = Path(__file__).resolve().parents[2]
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

    def relation_offsets(self) -> list[tuple[int, int, int, int, str]]:
        """The relations as ``(head_start, head_end, tail_start, tail_end, type)``, in record order."""
        idx = self._index()
        return [(idx[r["head"]]["start"], idx[r["head"]]["end"], idx[r["tail"]]["start"], idx[r["tail"]]["end"],
                 r["type"]) for r in self.relations]

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
