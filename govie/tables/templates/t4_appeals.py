"""表四 (2019+): 行政复议、行政诉讼情况 — three groups of five cells (维持, 纠正, 其他, 尚未审结, 总计)."""
from __future__ import annotations

import re
from typing import Optional

from ..cells import _cell_from_part, _fmt, _tok_of, _warn
from ..model import Offsets, Table, Tok
from ..scan import _Ctx, _NOT_CELL_AFTER, _NUM, _ws_re, scan_cells
from ..split import choose_split

def _t4(ctx: _Ctx, start: int, end: int) -> Optional[Table]:
    text, mt, tax = ctx.text, ctx.mt, ctx.tax
    cols = tax.columns["t4"]
    groups = ["t4.review", "t4.litigation_direct", "t4.litigation_after_review"]
    # every header occurrence, per column, in order
    occ: dict[str, list[Offsets]] = {c.id: [] for c in cols}
    taken: list[Offsets] = []
    for c in cols:
        # the full header first; fragments (维持, 其他, 审结) only for the groups still missing one
        for a in sorted(dict.fromkeys([c.name, *c.aliases]), key=len, reverse=True):
            if len(occ[c.id]) >= 3:
                break
            for m in _ws_re(a).finditer(mt, 0, end):
                if m.start() < start or len(occ[c.id]) >= 3:
                    continue
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                occ[c.id].append(m.span())
                taken.append(m.span())
        occ[c.id].sort()
    if not occ["upheld"] and not occ["total"]:
        return None
    first_hdr = min(s for lst in occ.values() for s, _ in lst)
    # the numbers: every run of digits after the first header
    toks: list[Tok] = []
    i = first_hdr
    while i < end:
        m = _NUM.search(mt, i, end)
        if not m:
            break
        if _NOT_CELL_AFTER.match(mt, m.end()) or re.match(r"\s*[.．、]\s*[\u3400-\u9fff]", mt[m.end():m.end() + 3]):
            i = m.end()
            continue
        ts, stop = scan_cells(mt, m.start(), end, strip_marker=False, skip_notes=False, lexicon=ctx.lex)
        if not ts:
            i = m.end()
            continue
        toks.extend(t for t in ts if not t.empty)
        i = max(stop, m.end())
    if not toks:
        return None
    cands, ok, amb = choose_split(toks, 15, "sum3")
    tries = 0
    while not cands and len(toks) > 1 and tries < 6:
        tries += 1
        toks = toks[:-1]  # numbers after the table (a footnote, the next section)
        cands, ok, amb = choose_split(toks, 15, "sum3")
    if not cands:
        return None
    table = Table("t4", first_hdr, toks[-1].end)
    best = cands[0]
    if not ok:
        table.warnings.append(_warn(f"表四: no reading of {' '.join(t.text for t in toks)} satisfies the group "
                                    f"totals; read as {_fmt(best)}", "t4.review.total",
                                    {}))
    elif amb and len(toks) < 15:
        table.warnings.append(_warn(f"表四: run {' '.join(t.text for t in toks)} read as {_fmt(best)} (also possible: "
                                    f"{_fmt(cands[1])})", "t4.review.total", {}))
    for n, p in enumerate(best):
        g, j = divmod(n, 5)
        c = cols[j]
        lst = occ[c.id]
        hs = None
        if lst:
            before = [o for o in lst if o[0] < p[0]]
            hs = lst[g] if g < len(lst) and (len(lst) >= 3 or not before) else (before[-1] if before else lst[0])
            if len(lst) >= 3 and g < len(lst):
                hs = lst[g]
        iid = tax.cell_id(groups[g], c.id)
        cell = _cell_from_part(text, p, _tok_of(toks, p), None, None, [hs], tax, groups[g], c.id, iid,
                               lexicon=ctx.lex)
        if cell:
            table.cells.append(cell)
    return table
