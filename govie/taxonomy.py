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


#: characters :func:`to_simplified` has looked at, and those of them it changes (their simplified
#: form): bounded by the CJK block, a few thousand in practice
_SEEN: set[str] = set()
_CHANGED: dict[str, str] = {}


def to_simplified(text: str) -> str:
    """``text`` with traditional characters replaced by simplified ones, one for one (offsets kept)."""
    if not text:
        return text
    chars = set(text)
    for c in chars - _SEEN:
        if "\u3400" <= c <= "\u9fff" and _simplified_char(c) != c:
            _CHANGED[c] = _simplified_char(c)
        _SEEN.add(c)
    table = {ord(c): _CHANGED[c] for c in chars.intersection(_CHANGED)}
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


    def match_narrative(self, phrase: str, era: Optional[str] = None, unit: Optional[str] = None,
                        before: str = "", between: str = "") -> Optional[str]:
        """Indicator id of a narrative figure, or ``None``: :meth:`match_phrase` behind guards that
        trade recall for precision (a wrong id is worse than none).

        ``phrase``: the figure's METRIC text; ``before``: the text just before the METRIC (its
        clause); ``between``: the text between the METRIC and the figure. No id for a figure without
        a unit, a change (``增加``/``下降`` between), last year's figure (``上年``/``同比``), a category or
        subset (``…类``, ``其他…``, ``其中``, lists with ``、``/``等``/``和``), a share, a long
        description, a request/reply figure counted in ``条`` (information items, not applications),
        a 复议/诉讼 phrase matched to another indicator, or a 表二 row without its column word
        (``行政许可类信息3条`` is a category of published information, not 行政许可 decisions).
        ``累计``/``历年累计`` gives the ``.cum`` id of the 2008–2018 table (none in a 2019+ report).
        """
        key = normalise(phrase)
        if not key or unit is None or unit == "%":
            return None
        between = to_simplified(between or "")
        if len(key) > _NARRATIVE_MAX or _NARRATIVE_REJECT.search(key) or _CHANGE.search(between):
            return None
        if len(between) > 12 or _LAST_YEAR.search(re.sub("上年结转", "", key + _clause(before))):
            return None
        iid = None
        for p in self.phrases:
            if p.pattern.search(key):
                iid = p.ids.get(era) if era in ("2008", "2019") else (p.ids.get("2008") or p.ids.get("2019"))
                if iid is None or not _unit_ok(unit, p.units, self.indicators.get(iid)):
                    return None
                break
        else:
            # a table row label used as such in prose (exact, no containment)
            rows = self._row_index.get(key, [])
            tables = ("s08",) if era != "2019" else ("t3", "t4", "t5")
            rows = [r for r in rows if r.table in tables]
            if len(rows) != 1:
                return None
            iid = self.cell_id(rows[0].id, "total" if rows[0].table in ("t3", "t4") else None)
            if iid is None or not _unit_ok(unit, None, self.indicators.get(iid)):
                return None
        if not _family_ok(iid, key, unit):
            return None
        if _MULTI_YEAR.search(_clause(before) + key) or _PART_OF_WHOLE.search(_clause(before)[-6:] + key):
            return None
        near = _clause(before)[-6:] + key + between
        if _CUMULATIVE.search(near) and not _YEAR_TOTAL.search(near):
            cum = f"{iid}.cum"
            return cum if cum in self.indicators else None
        return iid


#: narrative METRICs longer than this are descriptions, not indicator names
_NARRATIVE_MAX = 20
_NARRATIVE_REJECT = re.compile(r"类|等|、|其他|其它|其中|中的|全文电子化|重点领域|或|及|和|与|占|比例|率|关注|用户|"
                               r"粉丝|访问|浏览|点击|[。，,；;]")
_CHANGE = re.compile(r"增|减|降|升|提高|多于|少于|比|较")
_LAST_YEAR = re.compile(r"上年|去年|上一年|前一年|同比|较上|比上")
_CUMULATIVE = re.compile(r"历年|累计|以来")
_YEAR_TOTAL = re.compile(r"(?:全年|本年|年度|当年|今年|年内|\d年)累计")
_MULTI_YEAR = re.compile(r"近[\d两二三四五六七八九十]+年|[\d两二三四五六七八九十]+年来|多年")
#: channel indicators (网站/微博/微信): only the government's own channel, not one department's account
_CHANNEL_IDS = ("s08.active.website", "s08.active.weibo", "s08.active.wechat", "n.active.new_media",
                "n.active.website")
_CHANNEL_START = re.compile(r"^(?:通过|在|利用|依托)?(?:政府|政务|门户|官方|网站|微信|微博)")
_CHANNEL = re.compile(r"网站|网|目录|专栏|系统|新媒体|微信|微博|公众号|平台|公报|客户端")
#: a figure of part of the body's units (市级解读文件8篇, 各部门解读10篇): not the report's total
_PART_OF_WHOLE = re.compile(r"各部门|部门|各单位|各乡镇|各街道|各镇|市级|县级|区级|乡级|本级|下属")
#: the government website of the 2008–2018 table, not another site (政府信息公开网站, 委网站)
_WEBSITE = re.compile(r"政府网站|门户网站|政府门户|^(?:通过|在|利用|依托)?网站")
_CLAUSE_END = re.compile(r"[，,。；;：:（(）)\n]")
_APPLICATION_UNITS = {"件", "宗", "个", "份", "起", "次", "人次"}
_T2_COLUMN_WORDS = {"t2.normative.issued": "制发|制定|出台|印发", "t2.normative.repealed": "废止",
                    "t2.normative.in_force": "现行有效", "t2.rules.issued": "制发|制定|出台|印发"}


def _clause(before: str) -> str:
    """The end of ``before`` from its last clause boundary (comma, full stop, bracket, line break)."""
    tail = to_simplified((before or "")[-30:])
    cut = [m.end() for m in _CLAUSE_END.finditer(tail)]
    return tail[cut[-1]:] if cut else tail


def _family_ok(iid: str, key: str, unit: Optional[str]) -> bool:
    """The indicator fits the phrase's family: applications and their handling are counted in
    件 (not 条), 复议/诉讼 phrases go to 复议/诉讼 ids, 表二 ids need their column word."""
    if ("复议" in key) != (".review" in iid) or ("诉讼" in key) != (".litigation" in iid):
        return False
    if iid.endswith(("request.total", "t3.new.total")) and re.search(r"不予|不同意|未|结转|答复|办结", key):
        return False
    if iid.startswith(("s08.request", "s08.reply", "s08.closed", "t3.", "t4.", "s08.review", "s08.litigation")):
        return unit in _APPLICATION_UNITS
    if iid in _CHANNEL_IDS and not _CHANNEL_START.search(key):
        return False
    if iid.endswith("active.website") and not _WEBSITE.search(key):
        return False
    if iid.endswith("active.total") and _CHANNEL.search(key):
        return False  # what one channel published (目录, 新媒体, 网站 …), not necessarily the total
    if iid.startswith("t2."):
        words = _T2_COLUMN_WORDS.get(iid)
        if iid.endswith(".decisions"):
            return "决定" in key
        return bool(words) and re.search(words, key) is not None
    return True


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


__all__ = ["Taxonomy", "Indicator", "load_taxonomy", "normalise", "to_simplified", "document_era", "indicator_ids"]
