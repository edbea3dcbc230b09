"""Doccano and Label Studio: export corpus records or pipeline predictions, import annotations.

The pivot is :class:`govie.corpus.records.CorpusDoc` (id, text, meta, entities, relations).

- **Doccano** (sequence labelling with relations), JSONL, one document a line::

    {"text": "…", "entities": [{"id": 1, "label": "QUANTITY", "start_offset": 12, "end_offset": 18}],
     "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "VALUE_OF"}], "govie": {…}}

- **Label Studio**, a JSON list of tasks::

    {"data": {"text": "…", "govie": {…}},
     "annotations": [{"result": [
        {"id": "e1", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 12, "end": 18, "text": "57194条", "labels": ["QUANTITY"]}},
        {"from_id": "e1", "to_id": "e2", "type": "relation", "direction": "right", "labels": ["VALUE_OF"]}]}]}

Offsets are Python string offsets (code points), as in the corpus. The ``govie`` object carries the
document id, ``text_ref``, ``meta`` and each exported QUANTITY's ``value``/``unit``/``approximate``
(keyed ``"start:end"``) so that an import can keep what the tools cannot edit. On import a
QUANTITY keeps carried *gold* attributes when its span is unchanged; every other QUANTITY is read
by :func:`govie.normalize.normalize` (unit ``None`` for a bare number), with ``approximate`` also
set by a prefix qualifier (近, 约, 超过 …) just before the span.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence, Union

from .records import LABELS, CorpusDoc, CorpusError, sha256
from ..normalize import NormalizationError, normalize

FORMATS = ("doccano", "labelstudio")
#: prefix qualifiers that make a figure approximate (schema v1; 达/共/累计 do not)
APPROX_PREFIXES = ("将近", "接近", "大约", "超过", "近", "约", "超", "逾")

#: a Label Studio labelling config that matches the exported tasks
LABEL_STUDIO_CONFIG = """<View>
  <Relations>
    <Relation value="VALUE_OF"/>
    <Relation value="PART_OF"/>
  </Relations>
  <Labels name="label" toName="text">
    <Label value="QUANTITY" background="#ff9f1c"/>
    <Label value="METRIC" background="#2ec4b6"/>
  </Labels>
  <Text name="text" value="$text" granularity="symbol"/>
</View>
"""


class InteropError(ValueError):
    """An annotation file or item that cannot be converted."""


# --------------------------------------------------------------------------- helpers
def _govie_block(doc_id: str, meta: dict, text: str, entities: Sequence[dict], source: str,
                 text_ref: Optional[str] = None) -> dict:
    attrs = {f"{e['start']}:{e['end']}": {"value": e.get("value"), "unit": e.get("unit"),
                                          "approximate": bool(e.get("approximate"))}
             for e in entities if e["label"] == "QUANTITY"}
    ids = {f"{e['start']}:{e['end']}:{e['label']}": e["id"] for e in entities if e.get("id")}
    out = {"doc_id": doc_id, "sha256": sha256(text), "meta": meta, "source": source, "quantities": attrs,
           "ids": ids}
    if text_ref:
        out["text_ref"] = text_ref
    return out


def _entity_order(entities: Sequence[dict]) -> list[dict]:
    return sorted(entities, key=lambda e: (e["start"], e["end"], e["label"]))


def _report_entities(report) -> tuple[list[dict], list[dict]]:
    """Entities (QUANTITY from ``report.quantities``, METRIC from relation ends) and relations."""
    ents: dict[tuple[int, int, str], dict] = {}

    def ent(start: int, end: int, label: str, **extra: Any) -> dict:
        key = (start, end, label)
        if key not in ents:
            ents[key] = {"label": label, "start": start, "end": end, "text": report.text[start:end], **extra}
        return ents[key]

    for f in report.quantities:
        ent(f.quantity.start, f.quantity.end, "QUANTITY", value=f.value, unit=f.unit,
            approximate=bool(f.approximate))
    rels = []
    for r in report.relations:
        label = r.get("label") or r.get("type")
        hl = "QUANTITY" if label == "VALUE_OF" else "METRIC"
        h = ent(r["head"]["start"], r["head"]["end"], hl)
        t = ent(r["tail"]["start"], r["tail"]["end"], "METRIC")
        rels.append((h, t, label))
    ordered = _entity_order(ents.values())
    for i, e in enumerate(ordered, 1):
        e["id"] = f"e{i}"
    relations = []
    seen = set()
    for h, t, label in rels:
        key = (h["id"], t["id"], label)
        if key not in seen:
            seen.add(key)
            relations.append({"type": label, "head": h["id"], "tail": t["id"]})
    return ordered, relations


def report_to_doc(report, doc_id: str, meta: Optional[dict] = None) -> CorpusDoc:
    """A :class:`CorpusDoc` holding a pipeline's predictions (every quantity, linked or not)."""
    ents, rels = _report_entities(report)
    return CorpusDoc(doc_id, report.text, dict(meta or {}), ents, rels)


def doc_to_report(doc: CorpusDoc):
    """A :class:`govie.Report` built from annotations (the gold reading of the document)."""
    from ..report import Fact, Report, TextSpan

    quantities, facts = [], []
    for f in doc.facts():
        q = f["quantity"]
        fact = Fact(TextSpan(q["start"], q["end"], q["text"]), f["value"], f["unit"], f["approximate"],
                    [TextSpan(m["start"], m["end"], m["text"]) for m in f["metrics"]])
        quantities.append(fact)
        if fact.metrics:
            facts.append(fact)
    idx = {e["id"]: e for e in doc.entities}
    rels = [{"label": r["type"],
             "head": {k: idx[r["head"]][k] for k in ("start", "end", "text")},
             "tail": {k: idx[r["tail"]][k] for k in ("start", "end", "text")}, "score": 1.0}
            for r in doc.relations if r["head"] in idx and r["tail"] in idx]
    return Report(text=doc.text, facts=facts, quantities=quantities, relations=rels, meta=dict(doc.meta))


def _int_ids(entities: Sequence[dict]) -> dict[str, int]:
    """Integer ids for Doccano: ``e12`` → 12 when every id has that form, else 1..N."""
    ids = [e["id"] for e in entities]
    if all(re.fullmatch(r"e\d+", i) for i in ids) and len({int(i[1:]) for i in ids}) == len(ids):
        return {i: int(i[1:]) for i in ids}
    return {i: n for n, i in enumerate(ids, 1)}


# --------------------------------------------------------------------------- Doccano
def doc_to_doccano(doc: CorpusDoc, source: str = "gold", text_ref: Optional[str] = None) -> dict:
    """One Doccano JSONL item (``source``: ``gold`` for corpus records, ``model`` for predictions)."""
    ents = _entity_order(doc.entities)
    ids = _int_ids(ents)
    return {
        "doc_id": doc.id,
        "text": doc.text,
        "entities": [{"id": ids[e["id"]], "label": e["label"], "start_offset": e["start"],
                      "end_offset": e["end"]} for e in ents],
        "relations": [{"id": n, "from_id": ids[r["head"]], "to_id": ids[r["tail"]], "type": r["type"]}
                      for n, r in enumerate(doc.relations, 1) if r["head"] in ids and r["tail"] in ids],
        "govie": _govie_block(doc.id, doc.meta, doc.text, ents, source, text_ref),
    }


def report_to_doccano(report, doc_id: str, meta: Optional[dict] = None, text_ref: Optional[str] = None) -> dict:
    """Pre-annotation of one report's predictions as a Doccano item."""
    return doc_to_doccano(report_to_doc(report, doc_id, meta), "model", text_ref)


def _govie_of(item: dict, data: Optional[dict] = None) -> dict:
    for holder in (data or {}, item, item.get("meta") or {}):
        g = holder.get("govie") if isinstance(holder, dict) else None
        if isinstance(g, str):
            try:
                g = json.loads(g)
            except json.JSONDecodeError:
                g = None
        if isinstance(g, dict):
            return g
    return {}


@dataclass
class Imported:
    """An annotated document read from a tool, before it is tied to a text file."""

    doc: CorpusDoc
    govie: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def doccano_to_doc(item: dict) -> Imported:
    """Read one Doccano item (relation format, or the older ``"label": [[s, e, L], …]`` format)."""
    text = item.get("text", item.get("data"))
    if not isinstance(text, str):
        raise InteropError("Doccano item without a text")
    g = _govie_of(item)
    raw: list[tuple[Any, str, int, int]] = []
    if isinstance(item.get("entities"), list):
        for n, e in enumerate(item["entities"]):
            raw.append((e.get("id", n), e["label"], int(e["start_offset"]), int(e["end_offset"])))
    for n, lab in enumerate(item.get("label") or item.get("labels") or []):
        if isinstance(lab, (list, tuple)) and len(lab) == 3:
            raw.append((f"l{n}", lab[2], int(lab[0]), int(lab[1])))
    rels = [(r.get("from_id"), r.get("to_id"), r.get("type") or r.get("label")) for r in item.get("relations") or []]
    doc_id = g.get("doc_id") or item.get("doc_id") or (item.get("meta") or {}).get("doc_id") or ""
    return _build(str(doc_id), text, raw, rels, g)


# --------------------------------------------------------------------------- Label Studio
def doc_to_labelstudio(doc: CorpusDoc, source: str = "gold", text_ref: Optional[str] = None,
                       key: str = "annotations", model_version: Optional[str] = None) -> dict:
    """One Label Studio task; ``key="predictions"`` makes the regions pre-annotations."""
    ents = _entity_order(doc.entities)
    result: list[dict] = [{"id": e["id"], "from_name": "label", "to_name": "text", "type": "labels",
                           "value": {"start": e["start"], "end": e["end"], "text": e["text"],
                                     "labels": [e["label"]]}} for e in ents]
    known = {e["id"] for e in ents}
    result += [{"from_id": r["head"], "to_id": r["tail"], "type": "relation", "direction": "right",
                "labels": [r["type"]]} for r in doc.relations if r["head"] in known and r["tail"] in known]
    block: dict[str, Any] = {"result": result}
    if key == "predictions":
        block["model_version"] = model_version or "govie"
    return {"data": {"text": doc.text, "doc_id": doc.id,
                     "govie": _govie_block(doc.id, doc.meta, doc.text, ents, source, text_ref)},
            key: [block]}


def report_to_labelstudio(report, doc_id: str, meta: Optional[dict] = None, text_ref: Optional[str] = None,
                          key: str = "annotations", model_version: Optional[str] = None) -> dict:
    """Pre-annotation of one report's predictions as a Label Studio task."""
    return doc_to_labelstudio(report_to_doc(report, doc_id, meta), "model", text_ref, key, model_version)


def labelstudio_to_doc(task: dict) -> Imported:
    """Read one Label Studio task: the first annotation not cancelled, else the first prediction."""
    data = task.get("data") or {}
    text = data.get("text")
    if not isinstance(text, str):
        raise InteropError(f"Label Studio task {task.get('id')} has no data.text")
    g = _govie_of(task, data)
    notes = []
    anns = [a for a in task.get("annotations") or task.get("completions") or [] if not a.get("was_cancelled")]
    if anns:
        result = anns[0].get("result") or []
        if len(anns) > 1:
            notes.append(f"{len(anns)} annotations; the first was used")
    elif task.get("predictions"):
        result = task["predictions"][0].get("result") or []
        notes.append("no annotation; the prediction was used")
    else:
        result = []
    raw, rels = [], []
    for r in result:
        if r.get("type") == "labels":
            v = r.get("value") or {}
            labels = v.get("labels") or []
            if len(labels) != 1:
                notes.append(f"region {r.get('id')} has labels {labels}; skipped")
                continue
            raw.append((r.get("id"), labels[0], int(v["start"]), int(v["end"]), v.get("text")))
        elif r.get("type") == "relation":
            a, b = r.get("from_id"), r.get("to_id")
            if r.get("direction") == "left":
                a, b = b, a
            labels = r.get("labels") or [None]
            for lab in labels:
                rels.append((a, b, lab))
    doc_id = g.get("doc_id") or data.get("doc_id") or ""
    imp = _build(str(doc_id), text, raw, rels, g)
    imp.notes[:0] = notes
    return imp


# --------------------------------------------------------------------------- shared import logic
def _repair(text: str, start: int, end: int, shown: Optional[str]) -> tuple[int, int, Optional[str]]:
    """Where a region's recorded text is not at its offsets, find it nearby (tools that count
    UTF-16 units or rewrite line breaks shift offsets by a few characters)."""
    if shown is None or text[start:end] == shown or not shown:
        return start, end, None
    best = None
    for delta in range(1, 64):
        for s in (start - delta, start + delta):
            if 0 <= s and text[s:s + len(shown)] == shown:
                best = s
                break
        if best is not None:
            break
    if best is None:
        return start, end, f"region [{start},{end}) records {shown!r} but the text has {text[start:end]!r}"
    return best, best + len(shown), f"region {shown!r} moved from {start} to {best}"


def _approx_prefix(text: str, start: int) -> bool:
    return any(text[max(0, start - len(p)):start] == p for p in APPROX_PREFIXES)


def quantity_attributes(text: str, start: int, end: int) -> dict[str, Any]:
    """``value``/``unit``/``approximate`` of a QUANTITY span from the normaliser (unit None for a
    bare number); ``approximate`` also from a prefix qualifier before the span."""
    try:
        n = normalize(text[start:end])
    except (NormalizationError, ValueError):
        return {"value": None, "unit": None, "approximate": _approx_prefix(text, start)}
    return {"value": n.value, "unit": n.unit, "approximate": bool(n.approximate or _approx_prefix(text, start))}


def _build(doc_id: str, text: str, raw: list[tuple], rels: list[tuple], g: dict) -> Imported:
    notes: list[str] = []
    gold_attrs = (g.get("quantities") or {}) if g.get("source") == "gold" else {}
    ents: list[dict] = []
    key_of: dict[Any, tuple] = {}
    for item in raw:
        rid, label, start, end = item[:4]
        shown = item[4] if len(item) > 4 else None
        if label not in LABELS:
            notes.append(f"entity {rid} has unknown label {label!r}; kept (validation will report it)")
        start, end, note = _repair(text, start, end, shown)
        if note:
            notes.append(note)
        key = (start, end, label)
        key_of[rid] = key
        if any((e["start"], e["end"], e["label"]) == key for e in ents):
            continue
        e = {"label": label, "start": start, "end": end, "text": text[start:end]}
        if label == "QUANTITY":
            carried = gold_attrs.get(f"{start}:{end}")
            e.update(carried if carried else quantity_attributes(text, start, end))
        ents.append(e)
    ents = _entity_order(ents)
    # entities whose span and label are unchanged keep their corpus id; the others get fresh ids
    old_ids = (g.get("ids") or {}) if g.get("source") == "gold" else {}
    used: set[str] = set()
    for e in ents:
        oid = old_ids.get(f"{e['start']}:{e['end']}:{e['label']}")
        if oid and oid not in used:
            e["id"] = oid
            used.add(oid)
    nums = [int(i[1:]) for i in used if re.fullmatch(r"e\d+", i)]
    fresh = max(nums, default=0)
    new_id = {}
    for e in ents:
        if "id" not in e:
            fresh += 1
            while f"e{fresh}" in used:
                fresh += 1
            e["id"] = f"e{fresh}"
        new_id[(e["start"], e["end"], e["label"])] = e["id"]
        # keep the documented key order of a record
        e_ordered = {k: e[k] for k in ("id", "label", "start", "end", "text")}
        e_ordered.update({k: v for k, v in e.items() if k not in e_ordered})
        e.clear()
        e.update(e_ordered)
    by_id = {e["id"]: e for e in ents}
    relations: list[dict] = []
    seen = set()
    for a, b, label in rels:
        if a not in key_of or b not in key_of:
            notes.append(f"relation {a}->{b} refers to a missing region; dropped")
            continue
        h, t = by_id[new_id[key_of[a]]], by_id[new_id[key_of[b]]]
        if label is None:  # an unlabelled relation drawn in the tool: infer from the entity labels
            label = "VALUE_OF" if "QUANTITY" in (h["label"], t["label"]) else "PART_OF"
        if label == "VALUE_OF" and h["label"] == "METRIC" and t["label"] == "QUANTITY":
            h, t = t, h
            notes.append(f"VALUE_OF {t['text']!r}->{h['text']!r} drawn from the METRIC; reversed")
        key = (h["id"], t["id"], label)
        if key not in seen:
            seen.add(key)
            relations.append({"type": label, "head": h["id"], "tail": t["id"]})
    meta = dict(g.get("meta") or {})
    meta.setdefault("layout", guess_layout(text))
    meta.setdefault("script", guess_script(text))
    meta.setdefault("origin", "real")
    return Imported(CorpusDoc(doc_id, text, meta, ents, relations), g, notes)


# --------------------------------------------------------------------------- files
def read_doccano(path: Union[str, Path]) -> list[dict]:
    items = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise InteropError(f"{path}:{n}: invalid JSON ({e})") from None
    return items


def write_doccano(items: Iterable[dict], path: Union[str, Path, Any]) -> int:
    n = 0
    fh = path if hasattr(path, "write") else open(path, "w", encoding="utf-8")
    try:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
            n += 1
    finally:
        if fh is not path:
            fh.close()
    return n


def read_labelstudio(path: Union[str, Path]) -> list[dict]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise InteropError(f"{path}: invalid JSON ({e})") from None
    return data if isinstance(data, list) else [data]


def write_labelstudio(tasks: Iterable[dict], path: Union[str, Path, Any]) -> int:
    tasks = list(tasks)
    text = json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"
    if hasattr(path, "write"):
        path.write(text)
    else:
        Path(path).write_text(text, encoding="utf-8")
    return len(tasks)


def read_items(path: Union[str, Path], fmt: str) -> list[Imported]:
    if fmt == "doccano":
        return [doccano_to_doc(i) for i in read_doccano(path)]
    if fmt == "labelstudio":
        return [labelstudio_to_doc(t) for t in read_labelstudio(path)]
    raise InteropError(f"unknown format {fmt!r}; one of {FORMATS}")


# --------------------------------------------------------------------------- metadata guesses
def guess_layout(text: str) -> str:
    """``standard-2019`` (2019+ national tables), ``table-2008`` (2008 statistics table) or ``narrative``."""
    if re.search(r"本年新收政府信息公开申请数量|第二十条第[（(]|收到和处理政府信息公开申请情况", text):
        return "standard-2019"
    markers = set(re.findall(r"指标名称|计量单位|年末统计|统计指标|历年累计|主动公开信息数|主动公开政府信息数|"
                             r"受理依申请公开信息总数|对申请的答复总数|当面申请数", text))
    return "table-2008" if len(markers) >= 2 else "narrative"


def guess_script(text: str) -> str:
    """``traditional`` when converting to simplified changes more than 5% of the Han characters."""
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return "simplified"
    import opencc

    conv = opencc.OpenCC("t2s").convert("".join(han))
    changed = sum(a != b for a, b in zip(han, conv)) if len(conv) == len(han) else abs(len(conv) - len(han))
    return "traditional" if changed / len(han) > 0.05 else "simplified"


def guess_year(text: str) -> Optional[int]:
    m = re.search(r"((?:19|20)\d{2})\s*年", text[:300])
    return int(m.group(1)) if m else None


# --------------------------------------------------------------------------- records
def index_texts(reports_dir: Union[str, Path]) -> dict[str, str]:
    """sha256 of every ``.txt`` file under ``reports_dir`` (read as the corpus reads it) → relative path."""
    root = Path(reports_dir)
    out: dict[str, str] = {}
    for p in sorted(root.rglob("*.txt")):
        try:
            out.setdefault(sha256(p.read_text(encoding="utf-8")), p.relative_to(root).as_posix())
        except (UnicodeDecodeError, OSError):
            continue
    return out


def locate_text(imp: Imported, reports_dir: Union[str, Path],
                index: Union[dict[str, str], Callable[[], dict[str, str]], None] = None) -> str:
    """The path (relative to ``reports_dir``) of the file whose text is the imported text.

    The carried ``text_ref`` is tried first; then ``index`` (sha256 → path, or a function that
    builds it lazily; by default :func:`index_texts` of ``reports_dir``).
    """
    root = Path(reports_dir)
    h = sha256(imp.doc.text)
    ref = imp.govie.get("text_ref")
    if ref and (root / ref).is_file():
        if sha256((root / ref).read_text(encoding="utf-8")) == h:
            return ref
    if index is None:
        index = index_texts(root)
    elif callable(index):
        index = index()
    if h in index:
        return index[h]
    if ref and (root / ref).is_file():
        raise CorpusError(f"{imp.doc.id or '?'}: {root / ref} differs from the annotated text (sha256 mismatch: "
                          "the tool changed the text, or the file was edited)")
    raise CorpusError(f"{imp.doc.id or '?'}: no .txt file under {root} has the annotated text (sha256 {h[:12]}…)")


def to_record(doc: CorpusDoc, text_ref: str, source: str = "reports") -> dict:
    """The corpus record (``corpus/annotations/<id>.json``) of a document."""
    meta = {k: v for k, v in doc.meta.items() if k != "text_ref"}
    meta.setdefault("layout", guess_layout(doc.text))
    meta.setdefault("script", guess_script(doc.text))
    meta.setdefault("origin", "real")
    if meta.get("year") is None and guess_year(doc.text):
        meta["year"] = guess_year(doc.text)
    meta["source"] = source
    return {"id": doc.id, "text_ref": text_ref, "sha256": sha256(doc.text), "meta": meta,
            "entities": _entity_order(doc.entities), "relations": doc.relations}


def write_record(record: dict, corpus_dir: Union[str, Path], force: bool = False) -> Path:
    out = Path(corpus_dir) / "annotations" / f"{record['id']}.json"
    if out.exists() and not force:
        raise FileExistsError(f"{out} exists (use --force to replace it)")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


__all__ = ["FORMATS", "LABEL_STUDIO_CONFIG", "InteropError", "Imported", "doc_to_doccano", "report_to_doccano",
           "doccano_to_doc", "doc_to_labelstudio", "report_to_labelstudio", "labelstudio_to_doc", "report_to_doc",
           "doc_to_report", "read_doccano", "write_doccano", "read_labelstudio", "write_labelstudio", "read_items",
           "guess_layout", "guess_script", "guess_year", "index_texts", "locate_text", "to_record", "write_record",
           "quantity_attributes"]
