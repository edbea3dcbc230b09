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
"""
from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence

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


def check_facts(facts: Iterable, taxonomy: Optional[Taxonomy] = None) -> list[dict]:
    """Failed identities among :class:`govie.report.Fact` objects that carry an ``indicator_id``."""
    values: dict[str, object] = {}
    for f in facts:
        if f.indicator_id and f.indicator_id not in values:
            values[f.indicator_id] = f.value
    return check_values(values, taxonomy)
