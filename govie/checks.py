"""Consistency checks: parts against totals in the statistics tables.

Each failed identity becomes a dict ``{message, total_id, total, parts: {id: value}, gap}`` (``gap`` =
total − sum of parts) that :class:`govie.report.Check` reads from ``doc.user_data["govie_checks"]``.

Identities checked:
- 2008–2018 table: every row marked ``sum_of_children`` in the taxonomy (收到申请数 = 当面 + 传真 + 网络 +
  信函 …, 申请答复数 = its eight categories, 不同意公开 = its reasons, 行政复议/行政诉讼 = 维持 + 纠错 + 其他,
  从事工作人员 = 专职 + 兼职), in each value column, when at least two parts are printed;
- 表三: each row's columns = its 总计; per column 一 + 二 = 三（七）总计 + 四; per column 总计 = the sum of
  the result rows (予以公开, 部分公开, 不予公开 1–8, 无法提供 1–3, 不予处理 1–5, 其他处理);
- 表四: each group's 结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计.

Text against tables (:func:`check_narrative`): a narrative figure that carries an indicator id (set by
``govie_indicators``) and disagrees with the table cell of the same id in the same report gives a
record of ``kind: "narrative"``: ``total`` is the table's value, ``parts`` ``{id: the text's value}``,
``gap`` = table − text, and ``spans`` the two spans (``role`` ``"narrative"`` and ``"table"``). A
figure printed in 万/亿 agrees within the precision it states (``1.2万`` with 11,500–12,999);
approximate figures (``约``, ``余``, ``多``) and figures in another unit are never flagged.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Optional, Sequence

from .taxonomy import Taxonomy, load_taxonomy

Number = float
T3_COLUMNS = ("natural_person", "commercial", "research", "public_interest", "legal_service", "other")
T4_GROUPS = {"t4.review": "行政复议", "t4.litigation_direct": "行政诉讼（未经复议直接起诉）",
             "t4.litigation_after_review": "行政诉讼（复议后起诉）"}
T4_PARTS = ("upheld", "corrected", "other", "pending")
_RESULT_PREFIXES = ("t3.public.", "t3.partial.", "t3.withheld.", "t3.unavailable.", "t3.unprocessed.", "t3.other.")


def _check(message: str, total_id: str, total, parts: Mapping[str, object]) -> dict:
    s = sum(v for v in parts.values() if v is not None)
    gap = total - s
    if isinstance(gap, float):
        gap = round(gap, 6)
    return {"message": message, "total_id": total_id, "total": total, "parts": dict(parts), "gap": gap,
            "kind": "sum"}


def _close(a, b) -> bool:
    return abs(a - b) < 1e-6 * max(1, abs(a), abs(b))


def _col_name(tax: Taxonomy, cid: str) -> str:
    return next((c.name for c in tax.columns.get("t3", []) if c.id == cid), cid)


def check_values(values: Mapping[str, object], taxonomy: Optional[Taxonomy] = None) -> list[dict]:
    """Failed identities among ``{indicator_id: value}`` (ids of the taxonomy)."""
    tax = taxonomy or load_taxonomy()
    out: list[dict] = []
    name = lambda i: tax.indicators[i].name if i in tax.indicators else i  # noqa: E731

    # -- 2008–2018 table: parents with complete children, per value column
    for ind in tax.indicators.values():
        if ind.table != "s08" or not ind.sum_of_children or ind.id not in values:
            continue
        kids = [k for k in tax.children(ind.id) if k in values]
        if len(kids) < 2:
            continue
        parts = {k: values[k] for k in kids}
        if not _close(sum(parts.values()), values[ind.id]):
            out.append(_check(f"{name(ind.id)} {values[ind.id]} ≠ sum of its parts {sum(parts.values())}", ind.id,
                              values[ind.id], parts))

    # -- 表三 rows: the columns add up to the row's 总计
    rows = sorted({i.row for i in tax.indicators.values() if i.table == "t3" and not i.derived})
    for row in rows:
        tid = f"{row}.total"
        if tid not in values:
            continue
        parts = {f"{row}.{c}": values[f"{row}.{c}"] for c in T3_COLUMNS if f"{row}.{c}" in values}
        if len(parts) == len(T3_COLUMNS) and not _close(sum(parts.values()), values[tid]):
            out.append(_check(f"表三 {tax.rows[row].name}: columns sum to {sum(parts.values())}, 总计 {values[tid]}",
                              tid, values[tid], parts))
    # -- 表三 columns: 一 + 二 = 三（七） + 四, and 三（七） = the result rows
    for c in (*T3_COLUMNS, "total"):
        a, b = f"t3.new.{c}", f"t3.carried_over.{c}"
        t, f = f"t3.result_total.{c}", f"t3.carried_forward.{c}"
        if all(x in values for x in (a, b, t, f)):
            lhs = values[a] + values[b]
            if not _close(lhs, values[t] + values[f]):
                # total = the incoming applications; parts = what happened to them
                out.append(_check(f"表三 {_col_name(tax, c)}: "
                                  f"本年新收 + 上年结转 = {lhs}, 办理结果总计 + 结转下年度 = {values[t] + values[f]}",
                                  f"{a}+{b}", lhs, {t: values[t], f: values[f]}))
        if t in values:
            has_other_sub = any(k.startswith("t3.other.") and k.count(".") == 3 for k in values)
            parts = {}
            for k, v in values.items():
                if not k.endswith(f".{c}") or not k.startswith(_RESULT_PREFIXES[:-1] + ("t3.other",)):
                    continue
                ind = tax.indicators.get(k)
                if ind is None or ind.derived:
                    continue
                row = ind.row or ""
                if row == "t3.other" and has_other_sub:
                    continue
                parts[k] = v
            if len(parts) >= 5 and not _close(sum(parts.values()), values[t]):
                out.append(_check(f"表三 办理结果（{_col_name(tax, c)}）: result rows sum to {sum(parts.values())}, 总计 {values[t]}",
                                  t, values[t], parts))
    # -- 表四 groups
    for g, label in T4_GROUPS.items():
        tid = f"{g}.total"
        parts = {f"{g}.{p}": values[f"{g}.{p}"] for p in T4_PARTS if f"{g}.{p}" in values}
        if tid in values and len(parts) == len(T4_PARTS) and not _close(sum(parts.values()), values[tid]):
            out.append(_check(f"表四 {label}: results sum to {sum(parts.values())}, 总计 {values[tid]}", tid,
                              values[tid], parts))
    return out


def check_tables(tables: Sequence, taxonomy: Optional[Taxonomy] = None) -> list[dict]:
    """Failed identities of the tables read by :func:`govie.tables.read_tables` (per table)."""
    out: list[dict] = []
    for t in tables:
        out.extend(check_values(t.values(), taxonomy))
    return out





# --------------------------------------------------------------------------- text against tables
_SCALED = re.compile(r"([0-9０-９]+(?:[.．]([0-9０-９]+))?)\s*([万萬亿億])")
_SCALE = {"万": 10 ** 4, "萬": 10 ** 4, "亿": 10 ** 8, "億": 10 ** 8}


def stated_step(text: str) -> float:
    """The precision a figure's text states: ``1.2万`` → 1000, ``3亿`` → 10⁸, ``224`` → 0 (exact)."""
    m = _SCALED.search(text or "")
    if not m:
        return 0
    decimals = len(m.group(2) or "")
    return _SCALE[m.group(3)] / 10 ** decimals


#: units that count the same kind of thing (a report says 件 in the text, 宗 or 个 in its table)
_UNIT_KINDS = ({"件", "宗", "起", "个", "份", "项", "次", "条", "篇", "期", "场", "场次"}, {"人", "名", "人次"})


def _same_kind(a: Optional[str], b: Optional[str]) -> bool:
    if a is None or b is None or a == b:
        return True
    return any(a in k and b in k for k in _UNIT_KINDS)


def compare(narrative, cell) -> Optional[bool]:
    """Does a narrative :class:`~govie.report.Fact` agree with a table cell's (same indicator)?

    ``None`` where they cannot be compared (both units printed and different, a value missing);
    ``True`` for the same value, a 万/亿 figure within the precision it states (rounded or cut off),
    or an approximate figure within 10 %; else ``False``."""
    a, b = narrative.value, cell.value
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return None
    if not _same_kind(narrative.unit, cell.unit):
        return None
    if _close(a, b):
        return True
    step = stated_step(narrative.quantity.text)
    if step and -step / 2 <= b - a < step:
        return True
    if narrative.approximate and abs(b - a) <= 0.1 * max(abs(a), abs(b)):
        return True
    return False


def agrees(narrative, cell) -> bool:
    return compare(narrative, cell) is True


def in_tables(start: int, end: int, regions: Sequence[tuple[int, int]]) -> bool:
    """Is ``[start, end)`` inside one of the table ``regions`` (the table reader's extents)?"""
    for s, e in regions:  # (a loop: called for every figure of a report)
        if s <= start and end <= e + 1:
            return True
    return False


def table_regions(meta: Mapping[str, Any]) -> list[tuple[int, int]]:
    """``[(start, end), …]`` of the tables in ``Report.meta`` (``doc.user_data["govie_meta"]``)."""
    out = []
    for t in (meta or {}).get("tables") or []:
        try:
            out.append((int(t["start"]), int(t["end"])))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def narrative_and_cells(report) -> tuple[list, dict[str, list]]:
    """A :class:`~govie.report.Report`'s narrative facts (quantity outside every table) and its table
    cells that carry an indicator id, ``{id: [cell, …]}``."""
    regions = table_regions(report.meta)
    narrative, cells = [], {}
    for f in report.quantities:
        if in_tables(f.quantity.start, f.quantity.end, regions):
            if f.indicator_id:
                cells.setdefault(f.indicator_id, []).append(f)
    for f in report.facts:
        if not in_tables(f.quantity.start, f.quantity.end, regions):
            narrative.append(f)
    return narrative, cells


def _span(f) -> dict:
    return {"start": f.quantity.start, "end": f.quantity.end, "text": f.quantity.text}


def check_narrative(narrative: Iterable, cells: Mapping[str, Sequence], taxonomy: Optional[Taxonomy] = None
                    ) -> list[dict]:
    """Warnings for narrative facts that disagree with every table cell of their indicator.

    ``narrative``: facts with an ``indicator_id`` outside the tables; ``cells``: ``{id: [cell facts]}``
    (:func:`narrative_and_cells`). Approximate figures are not flagged."""
    tax = taxonomy or load_taxonomy()
    narrative = list(narrative)
    out: list[dict] = []
    for f in narrative:
        iid = f.indicator_id
        same = cells.get(iid) if iid else None
        if not same or f.approximate:
            continue
        if _parts_of_cell(f, narrative, same):
            continue
        verdicts = [(compare(f, c), c) for c in same]
        if any(v is not False for v, _ in verdicts):
            continue  # agrees with one cell, or cannot be compared with it
        cell = verdicts[0][1]
        ind = tax.indicators.get(iid)
        name = ind.name if ind is not None else iid
        gap = cell.value - f.value
        if isinstance(gap, float):
            gap = round(gap, 6)
        out.append({"message": f"{name}: the text says {f.quantity.text} ({f.value}), the table "
                               f"{cell.quantity.text} ({cell.value})",
                    "total_id": iid, "total": cell.value, "parts": {iid: f.value}, "gap": gap,
                    "kind": "narrative",
                    "spans": [{"role": "narrative", **_span(f)}, {"role": "table", **_span(cell)}]})
    return out


def _parts_of_cell(f, narrative: Sequence, cells: Sequence) -> bool:
    """``f`` and the other narrative figures of its indicator add up to a cell: they are its parts
    (``市级解读文件8篇，各部门解读10篇`` against 解读 18), not a disagreement."""
    mates = [g for g in narrative if g.indicator_id == f.indicator_id and g.value is not None]
    if len(mates) < 2:
        return False
    total = sum(g.value for g in mates)
    return any(c.value is not None and _close(total, c.value) for c in cells)


def check_report(report, taxonomy: Optional[Taxonomy] = None) -> list[dict]:
    """:func:`check_narrative` on a parsed :class:`~govie.report.Report`."""
    narrative, cells = narrative_and_cells(report)
    return check_narrative(narrative, cells, taxonomy)
