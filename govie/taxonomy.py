"""Canonical indicators (package data ``govie/indicators/taxonomy.json``) and the ``govie_indicators`` component.

The taxonomy covers the 2008–2018 statistics table (ids ``s08.*``; the 历年累计 column adds ``.cum``),
the 2019+ national standard tables 表二/表三/表四 (``t2.*``, ``t3.<row>.<column>``, ``t4.<group>.<result>``),
the 信息处理费 table of the 2021 template (``t5.*``) and a few narrative-only indicators (``n.*``).
See ``docs/indicators.md``.

- :meth:`Taxonomy.match_cell` maps a table (row label, column header) to an indicator id;
- :meth:`Taxonomy.match_phrase` maps a narrative metric phrase (``受理依申请公开``) to one;
both return ``None`` where nothing fits.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from spacy.language import Language

TAXONOMY_PATH = Path(__file__).parent / "indicators" / "taxonomy.json"

_FULLWIDTH = str.maketrans("０１２３４５６７８９（）：，；／．", "0123456789():,;/.")
_MARKER = re.compile(r"^(?:其中\s*[:：]?\s*)?(?:[(（]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*[、.．]|"
                     r"\d{1,2}\s*[、.．](?!\d)|\d{1,2}(?=[\u4e00-\u9fff]))\s*")
_NOTE = re.compile(r"[(（][^()（）]*[)）]")
_DROP = re.compile(r"[\s\u3000“”\"'‘’《》〈〉「」:：|｜]")
_SEPS = re.compile(r"[、,，;；]")


@functools.lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc

        return opencc.OpenCC("t2s")
    except Exception:  # pragma: no cover - opencc is a dependency; without it traditional text is left as is
        return None


@functools.lru_cache(maxsize=20000)
def _simplified_char(ch: str) -> str:
    conv = _t2s()
    if conv is None:
        return ch
    out = conv.convert(ch)
    return out if len(out) == 1 else ch


def to_simplified(text: str) -> str:
    """``text`` with traditional characters replaced by simplified ones, one for one (offsets kept)."""
    if not text:
        return text
    table = {ord(c): _simplified_char(c) for c in set(text) if "\u3400" <= c <= "\u9fff"}
    table = {k: v for k, v in table.items() if chr(k) != v}
    return text.translate(table) if table else text


def normalise(label: str) -> str:
    """A label reduced for matching: simplified script; no whitespace, list markers, notes, quotes or
    separators' variants."""
    s = to_simplified(label or "").translate(_FULLWIDTH)
    s = re.sub(r"\s+", "", s)
    for _ in range(3):
        m = _MARKER.match(s)
        if not m or not m.end():
            break
        s = s[m.end():]
    s = _NOTE.sub("", s)
    s = _DROP.sub("", s)
    s = _SEPS.sub("、", s)
    return s.replace("其它", "其他")


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: Optional[str]
    parent: Optional[str]
    table: str
    row: Optional[str]
    column: Optional[str]
    aliases: tuple[str, ...] = ()
    sum_of_children: bool = False
    derived: bool = False


@dataclass
class Row:
    id: str
    table: str
    name: str
    aliases: list[str]
    unit: Optional[str] = None
    parent: Optional[str] = None
    marker: Optional[str] = None
    cells: bool = True
    derived: bool = False
    group: Optional[str] = None
    sum_of_children: bool = False


@dataclass
class Column:
    table: str
    id: str
    name: str
    aliases: list[str]
    unit: Optional[str] = None


@dataclass
class Phrase:
    pattern: re.Pattern
    ids: dict[str, Optional[str]]
    units: Optional[list[Optional[str]]] = None


@dataclass
class Taxonomy:
    indicators: dict[str, Indicator]
    rows: dict[str, Row]
    columns: dict[str, list[Column]]
    phrases: list[Phrase] = field(default_factory=list)
    tables: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ lookups
    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self.indicators

    def get(self, indicator_id: str) -> Optional[Indicator]:
        return self.indicators.get(indicator_id)

    def ids(self, table: Optional[str] = None, derived: bool = True) -> list[str]:
        """Indicator ids in taxonomy order (optionally of one table, without derived totals)."""
        return [i.id for i in self.indicators.values()
                if (table is None or i.table == table) and (derived or not i.derived)]

    def children(self, indicator_id: str) -> list[str]:
        return [i.id for i in self.indicators.values() if i.parent == indicator_id]

    def rows_of(self, table: str) -> list[Row]:
        return [r for r in self.rows.values() if r.table == table]

    @functools.cached_property
    def _row_index(self) -> dict[str, list[Row]]:
        idx: dict[str, list[Row]] = {}
        for r in self.rows.values():
            for a in [r.name, *r.aliases]:
                lst = idx.setdefault(normalise(a), [])
                if r not in lst:
                    lst.append(r)
        return idx

    def match_row(self, label: str, table: Optional[str] = None, group: Optional[str] = None) -> Optional[str]:
        """The row id whose name or alias is ``label`` (normalised); containment as a fallback."""
        key = normalise(label)
        if not key:
            return None
        cands = [r for r in self._row_index.get(key, []) if table is None or r.table == table]
        if not cands:
            # the label holds an alias (a longer printed label) or is a clipped alias (≥4 characters)
            best: list[tuple[int, Row]] = []
            for alias, rows in self._row_index.items():
                if len(alias) < 3:
                    continue
                if alias in key or (len(key) >= 4 and key in alias):
                    for r in rows:
                        if table is None or r.table == table:
                            best.append((-len(alias) if alias in key else -len(key), r))
            if not best:
                return None
            best.sort(key=lambda x: x[0])
            top = best[0][0]
            cands = [r for s, r in best if s == top]
        if len(cands) > 1 and group:
            g = [r for r in cands if r.group == group or r.id.split(".")[1:2] == [group]]
            cands = g or cands
        return cands[0].id

    def match_column(self, header: str, table: str) -> Optional[str]:
        key = normalise(header)
        if not key:
            return None
        cols = self.columns.get(table, [])
        for c in cols:
            if key in (normalise(a) for a in [c.name, *c.aliases]):
                return c.id
        for c in cols:
            for a in sorted([c.name, *c.aliases], key=len, reverse=True):
                if len(normalise(a)) >= 2 and normalise(a) in key:
                    return c.id
        return None

    def cell_id(self, row_id: Optional[str], column_id: Optional[str]) -> Optional[str]:
        """The indicator of a row × column (the row itself for single-value rows and s08 本年度)."""
        if row_id is None:
            return None
        row = self.rows.get(row_id)
        if row is None:
            return None
        if row.table == "s08" or row.table == "n":
            if column_id in (None, "year"):
                return row_id if row_id in self.indicators else None
            cid = f"{row_id}.{column_id}"
            return cid if cid in self.indicators else None
        if column_id is None:
            return row_id if row_id in self.indicators else None
        cid = f"{row_id}.{column_id}"
        return cid if cid in self.indicators else None

    def match_cell(self, row_label: str, column_header: Optional[str] = None, table: Optional[str] = None,
                   group: Optional[str] = None) -> Optional[str]:
        """Indicator id of a table cell given its row label and (most specific) column header."""
        row_id = self.match_row(row_label, table, group)
        if row_id is None:
            return None
        t = self.rows[row_id].table
        col = self.match_column(column_header, t) if column_header else None
        if column_header and col is None and t not in ("s08",):
            return None
        return self.cell_id(row_id, col)

    def match_phrase(self, phrase: str, era: Optional[str] = None, unit: Optional[str] = None) -> Optional[str]:
        """Indicator id of a narrative metric phrase; ``era`` ``"2008"`` (old reports) or ``"2019"``.

        Without ``era`` the 2008–2018 id is preferred. ``None`` where no pattern fits or the unit
        contradicts the indicator (a percentage, money for a count, …).
        """
        key = normalise(phrase)
        if not key:
            return None
        for p in self.phrases:
            if not p.pattern.search(key):
                continue
            if era in ("2008", "2019"):
                iid = p.ids.get(era)
            else:
                iid = p.ids.get("2008") or p.ids.get("2019")
            if iid is None:
                return None
            if not _unit_ok(unit, p.units, self.indicators.get(iid)):
                return None
            return iid
        # a table row label used in prose
        rid = self.match_row(phrase)
        if rid is not None and self.rows[rid].table in (("s08",) if era != "2019" else ("t2", "t3", "t4", "t5")):
            iid = self.cell_id(rid, "total" if self.rows[rid].table in ("t3", "t4") else None)
            if iid and _unit_ok(unit, None, self.indicators.get(iid)):
                return iid
        return None


_COUNT_UNITS = {"件", "条", "个", "次", "人", "人次", "项", "篇", "场", "场次", "期", "份", "家", "名", "起", "宗", "例", "批"}


def _unit_ok(unit: Optional[str], allowed: Optional[list], ind: Optional[Indicator]) -> bool:
    if allowed is not None:
        return unit in allowed
    if unit is None:
        return True
    if unit == "%" or (ind is not None and ind.unit == "元") != (unit == "元"):
        return False
    return unit in _COUNT_UNITS or unit == "元"


def _indicator(d: dict[str, Any]) -> Indicator:
    return Indicator(d["id"], d["name"], d.get("unit"), d.get("parent"), d["table"], d.get("row"), d.get("column"),
                     tuple(d.get("aliases") or ()), bool(d.get("sum_of_children")), bool(d.get("derived")))


def taxonomy_from_dict(data: dict[str, Any]) -> Taxonomy:
    inds = {d["id"]: _indicator(d) for d in data["indicators"]}
    rows = {}
    for d in data["rows"]:
        rows[d["id"]] = Row(d["id"], d["table"], d["name"], list(d.get("aliases") or [d["name"]]), d.get("unit"),
                            d.get("parent"), d.get("marker"), d.get("cells", True), bool(d.get("derived")),
                            d.get("group"), bool(d.get("sum_of_children")))
    cols: dict[str, list[Column]] = {}
    for d in data["columns"]:
        cols.setdefault(d["table"], []).append(Column(d["table"], d["id"], d["name"], list(d.get("aliases") or []),
                                                      d.get("unit")))
    phrases = [Phrase(re.compile(p["pattern"]), dict(p["ids"]), p.get("units")) for p in data.get("phrases", [])]
    return Taxonomy(inds, rows, cols, phrases, dict(data.get("tables") or {}))


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Taxonomy:
    return taxonomy_from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def load_taxonomy(path: Optional[str | Path] = None) -> Taxonomy:
    """The shipped taxonomy (cached), or the one at ``path``."""
    return _load(str(path or TAXONOMY_PATH))


def indicator_ids(table: Optional[str] = None) -> list[str]:
    return load_taxonomy().ids(table)


# --------------------------------------------------------------------------- era of a document
_STANDARD_2019 = re.compile(r"本年新收政府信息公开申请数量|第\s*二\s*十\s*条\s*第\s*[（(]\s*[一五六八九]\s*[)）]\s*项|"
                            r"收到和处理政府信息公开申请情况")
_TITLE_YEAR = re.compile(r"(20\d\d)\s*年度?\s*(?:政府|政务)?信息公开")


def document_era(text: str) -> str:
    """``"2019"`` for reports under the revised regulations (2019+ national tables), else ``"2008"``."""
    text = to_simplified(text)
    if _STANDARD_2019.search(text):
        return "2019"
    m = _TITLE_YEAR.search(text[:600])
    if m and int(m.group(1)) >= 2019:
        return "2019"
    return "2008"


# --------------------------------------------------------------------------- component
class IndicatorLinker:
    """Fills ``doc._.indicator_ids`` for linked quantities that have none (narrative facts)."""

    def __init__(self, name: str = "govie_indicators", overwrite: bool = False) -> None:
        self.name = name
        self.overwrite = overwrite
        self.taxonomy = load_taxonomy()

    def __call__(self, doc):
        from .pipeline import extensions

        extensions.init_doc(doc)
        text = extensions.doc_text(doc)
        era = document_era(text)
        metrics: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for hs, he, ts, te, label, _score in doc._.relations or []:
            if label == "VALUE_OF":
                metrics.setdefault((hs, he), []).append((ts, te))
        ents = {(e.start_char, e.end_char): e for e in extensions.entities(doc) if e.label_ == "QUANTITY"}
        for (s, e), ms in metrics.items():
            key = f"{s}:{e}"
            if key in doc._.indicator_ids and not self.overwrite:
                continue
            span = ents.get((s, e))
            unit = span._.unit if span is not None else None
            iid = None
            for ts, te in sorted(ms, key=lambda m: abs(m[0] - s)):
                iid = self.taxonomy.match_phrase(text[ts:te], era=era, unit=unit)
                if iid:
                    break
            if iid:
                doc._.indicator_ids[key] = iid
        return doc


@Language.factory("govie_indicators", default_config={"overwrite": False},
                  assigns=["doc._.indicator_ids"], requires=["doc._.relations"])
def make_indicators(nlp: Language, name: str, overwrite: bool) -> IndicatorLinker:
    return IndicatorLinker(name, overwrite)

__all__ = ["Taxonomy", "Indicator", "load_taxonomy", "normalise", "to_simplified", "document_era", "IndicatorLinker",
           "indicator_ids", "make_indicators"]
