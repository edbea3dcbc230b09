"""表二 (2019+): 主动公开政府信息情况 — rules, normative documents, licences, penalties, fees, procurement."""
from __future__ import annotations

import re
from typing import Optional

from ..cells import _cell_from_part, _fmt, _tok_of, _warn
from ..labels import _label_span, _row_regex
from ..model import Offsets, Table
from ..scan import _Ctx, _all_tokens, _ws_re, scan_cells
from ..split import _vals, choose_split

_T2_ITEM = re.compile(r"第\s*二\s*十\s*条\s*第\s*[（(]\s*([一二三四五六七八九十]+)\s*[)）]\s*项")

_WAN = re.compile(r"万\s*元")

_T2_KINDS = {"issued": "docs", "new_made": "docs2019", "prev_items": "items", "projects": "procure"}


def _t2(ctx: _Ctx, start: int, end: int) -> Optional[Table]:
    text, mt, tax = ctx.text, ctx.mt, ctx.tax
    rows = [r for r in tax.rows_of("t2")]
    cols = tax.columns["t2"]
    items = [(m.start(), m.end(), m.group(1)) for m in _T2_ITEM.finditer(mt, start, end)]
    template_2019 = bool(re.search(r"上\s*一\s*年\s*项\s*目\s*数\s*量", mt[start:end]))
    table = Table("t2", start, start)
    cursor = start
    prev_end = start
    for row in rows:
        m = _row_regex(row, False).search(mt, cursor, end)
        if m is None:
            continue
        lab = _label_span(m)
        # the sub-table (第二十条第（X）项) the row belongs to, and its column headers
        sub = [it for it in items if it[0] <= m.start()]
        sub_start = sub[-1][1] if sub else start
        if sub_start > lab[0]:
            sub_start = start
        hdrs: list[tuple[Offsets, str]] = []
        taken: list[Offsets] = []
        for c in cols:
            for a in sorted([c.name, *c.aliases], key=len, reverse=True):
                hm = _ws_re(a).search(mt, sub_start, lab[0])
                if hm and not any(hm.start() < e and s < hm.end() for s, e in taken):
                    hdrs.append((hm.span(), c.id))
                    taken.append(hm.span())
                    break
        hdrs.sort()
        valid = [h for h in hdrs if tax.cell_id(row.id, h[1])]
        if not valid:
            default = {"t2.rules": ["issued", "repealed", "in_force"], "t2.normative": ["issued", "repealed", "in_force"],
                       "t2.fees": ["prev_items", "change"] if template_2019 else ["fee_amount"],
                       "t2.procurement": ["projects", "purchase_amount"]}.get(
                row.id, ["prev_items", "change", "decisions"] if template_2019 else ["decisions"])
            if row.id in ("t2.rules", "t2.normative") and template_2019:
                default = ["new_made", "new_published", "public_total"]
            valid = [(None, c) for c in default]
        col_ids = [c for _, c in valid]
        k = len(col_ids)
        next_m = None
        for r2 in rows[rows.index(row) + 1:]:
            mm = _row_regex(r2, False).search(mt, m.end(), end)
            if mm and (next_m is None or mm.start() < next_m):
                next_m = mm.start()
        nxt_item = next((it[0] for it in items if it[0] >= m.end()), end)
        limit = min(x for x in (next_m or end, nxt_item, end))
        toks, stop = scan_cells(mt, m.end(), limit, lexicon=ctx.lex)
        if not toks:
            # layouts that print the value above its row label
            pre_start = max(prev_end, valid[-1][0][1] if valid[-1][0] else sub_start)
            toks = [t for t in _all_tokens(mt, pre_start, lab[0], lexicon=ctx.lex)]
        if not toks:
            # ... or below a header printed after the label
            toks = _all_tokens(mt, m.end(), limit, lexicon=ctx.lex)[:k]
        if not toks:
            cursor = m.end()
            continue
        units: list[Optional[str]] = []
        for span, cid in valid:
            col = next(c for c in cols if c.id == cid)
            u = None
            sc = None
            if col.unit == "元":
                hdr_text = mt[span[0]:min(span[1] + 14, lab[0])] if span else mt[sub_start:lab[0]]
                if _WAN.search(hdr_text) or (span is None and _WAN.search(mt[sub_start:lab[0]])):
                    u, sc = "元", 10000
                elif re.search(r"[（(]\s*元\s*[)）]", hdr_text):
                    u = "元"
            units.append((u, sc))
        kind = _T2_KINDS.get(col_ids[0], "") if k > 1 else ""
        if col_ids == ["prev_items", "change"]:
            kind = "items2"
        if len(toks) == k:
            cands, ok, amb = [[(t.start, t.end, t.text) for t in toks]], True, False
        else:
            cands, ok, amb = choose_split(toks[:k] if len(toks) > k else toks, k, kind)
        if not cands:
            cursor = m.end()
            continue
        best = cands[0]
        if amb and len(toks) < k:
            table.warnings.append(_warn(
                f"表二 {text[lab[0]:lab[1]]}: run {' '.join(t.text for t in toks)} read as {_fmt(best)} "
                f"(also possible: {', '.join(_fmt(c) for c in cands[1:3])})", f"{row.id}.{col_ids[-1]}",
                {f"{row.id}.{cid}": v for cid, v in zip(col_ids, _vals(best)) if v is not None}))
        for j, p in enumerate(best):
            span, cid = valid[j]
            u, sc = units[j]
            # a single value column (本年处理决定数量, 本年收费金额) is no METRIC of its own
            metrics = [lab, span] if k > 1 else [lab]
            cell = _cell_from_part(text, p, _tok_of(toks, p), u, sc, metrics, tax, row.id, cid,
                                   tax.cell_id(row.id, cid), lexicon=ctx.lex)
            if cell:
                table.cells.append(cell)
        table.start = min(table.start, lab[0]) if table.cells else table.start
        last = toks[-1]
        table.end = max(table.end, last.unit_end or last.end)
        prev_end = max(stop, lab[1])
        cursor = max(m.end(), min(stop, limit))
    if not table.cells:
        return None
    table.start = min(c.start for c in table.cells)
    table.start = min([table.start] + [m[0] for c in table.cells for m in c.metrics])
    return table
