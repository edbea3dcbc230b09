"""Where the tables stand: section headings of the 2019+ tables (confirmed by the words that follow
them, so a table of contents is skipped), the 2008–2018 header rows, and each table's region."""
from __future__ import annotations

import re
from typing import Optional

from .model import Table
from .scan import _Ctx
from .templates.s08_statistics import _s08
from .templates.t2_active import _T2_ITEM, _t2
from .templates.t3_requests import _t3
from .templates.t4_appeals import _t4
from .templates.t5_fees import _t5

_T2_START = re.compile(r"主动公开政府信息情况")
_T3_START = re.compile(r"收到和处理政府信息公开申请情况")
_T3_START2 = re.compile(r"申\s*请\s*人\s*情\s*况|本\s*年\s*新\s*收\s*政\s*府\s*信\s*息\s*公\s*开\s*申\s*请")
_T4_START = re.compile(r"政府信息公开行政(?:法)?复议\s*[、，,]?\s*行政诉讼情况|行政复议\s*[、，,]?\s*行政诉讼情况")
_T4_END = re.compile(r"(?<![\u4e00-\u9fff（(])[五六七八九]\s*[、.．]|存在的主要问题|主要问题及改进|其他需要报告")
_T5_START = re.compile(r"信\s*息\s*处\s*理\s*费\s*收\s*取\s*情\s*况")


def _heading(rx: re.Pattern, mt: str, confirm: re.Pattern, start: int = 0, window: int = 500) -> Optional[int]:
    """The first match of ``rx`` after ``start`` confirmed by ``confirm`` close after it (not a table of contents)."""
    for m in rx.finditer(mt, start):
        if confirm.search(mt, m.end(), m.end() + window):
            return m.start()
    return None


_T3_CONFIRM = re.compile(r"本\s*年\s*新\s*收|申\s*请\s*人\s*情\s*况|自\s*然\s*人")
_T4_CONFIRM = re.compile(r"结\s*果\s*维\s*持|尚\s*未\s*审\s*结|维\s*持")


def _standard_tables(ctx: _Ctx) -> list[Table]:
    mt = ctx.mt
    n = len(mt)
    t3_start = _heading(_T3_START, mt, _T3_CONFIRM)
    if t3_start is None:
        m = _T3_START2.search(mt)
        t3_start = m.start() if m else None
    t4_start = _heading(_T4_START, mt, _T4_CONFIRM, t3_start or 0, 300)
    if t4_start is None and t3_start is not None:
        t4_start = _heading(re.compile(r"行\s*政\s*复\s*议"), mt, _T4_CONFIRM, t3_start + 100, 300)
    items = list(_T2_ITEM.finditer(mt))
    t2_start = None
    if items:
        t2_start = items[0].start()
        m = _T2_START.search(mt, max(0, t2_start - 60), t2_start)
        if m:
            t2_start = m.start()
    elif t3_start is not None:
        m = None
        for m in _T2_START.finditer(mt, 0, t3_start):
            pass
        t2_start = m.start() if m else None
    out: list[Table] = []
    if t2_start is not None:
        t2_end = t3_start if t3_start is not None and t3_start > t2_start else min(n, t2_start + 3000)
        t = _t2(ctx, t2_start, t2_end)
        if t:
            out.append(t)
    if t3_start is not None:
        t3_end = t4_start if t4_start is not None and t4_start > t3_start else min(n, t3_start + 8000)
        t = _t3(ctx, t3_start, t3_end)
        if t:
            out.append(t)
    if t4_start is not None and (t3_start is not None or t2_start is not None):
        m = _T4_END.search(mt, t4_start + 12)
        t4_end = min(m.start() + 1 if m else n, t4_start + 3000, n)
        t = _t4(ctx, t4_start, t4_end)
        if t:
            out.append(t)
    for m in _T5_START.finditer(mt):
        if any(t.start <= m.start() < t.end for t in out):
            continue
        t = _t5(ctx, m.start(), min(n, m.start() + 400))
        if t:
            out.append(t)
            break
    return out


def _s08_tables(ctx: _Ctx) -> list[Table]:
    out = []
    pos = 0
    while True:
        h = ctx.lex.s08_header.search(ctx.mt, pos)
        if not h:
            break
        t = _s08(ctx, h)
        pos = h.end()
        if t:
            out.append(t)
            pos = max(pos, t.end)
    return out
