"""表五 (2019 template): 信息处理费收取情况 — one row of three cells."""
from __future__ import annotations

import re
from typing import Optional

from ..cells import _cell_from_part, _tok_of
from ..labels import _label_span, _row_regex
from ..model import Table
from ..scan import _Ctx, _ws_re, scan_cells
from ..split import choose_split

def _t5(ctx: _Ctx, start: int, end: int) -> Optional[Table]:
    text, mt, tax = ctx.text, ctx.mt, ctx.tax
    cols = tax.columns["t5"]
    hdrs = []
    pos = start
    for c in cols:
        m = _ws_re(c.name).search(mt, pos, min(end, pos + 200))
        if not m:
            return None
        hdrs.append((m.span(), c))
        pos = m.end()
    row = tax.rows["t5.fee"]
    m = _row_regex(row).search(mt, pos, min(end, pos + 200))
    if m:
        lab = _label_span(m)
        p0 = m.end()
    else:
        lab = (start, start + len(row.name))
        p0 = pos
    toks, stop = scan_cells(mt, p0, end, lexicon=ctx.lex)
    if not toks:
        return None
    if len(toks) == 3:
        cands = [[(t.start, t.end, t.text) for t in toks]]
    else:
        cands, _ok, _amb = choose_split(toks, 3, "fee5")
    if not cands:
        return None
    table = Table("t5", start, toks[-1].unit_end or toks[-1].end)
    for j, p in enumerate(cands[0]):
        span, c = hdrs[j]
        after = mt[span[1]:span[1] + 6]
        u, sc = (None, None)
        if c.unit:
            if re.match(r"\s*[（(]\s*万\s*元", after):
                u, sc = "元", 10000
            elif re.match(r"\s*[（(]\s*元", after):
                u = "元"
        cell = _cell_from_part(text, p, _tok_of(toks, p), u, sc, [lab, span], tax, "t5.fee", c.id,
                               tax.cell_id("t5.fee", c.id), lexicon=ctx.lex)
        if cell:
            table.cells.append(cell)
    return table if table.cells else None
