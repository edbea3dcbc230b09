"""The 2008–2018 statistics table (指标名称 | 单位 | 本年度 [| 历年累计]): rows of one or two value columns."""
from __future__ import annotations

import re
from typing import Optional

from ...pipeline.script import simplified_view
from ..cells import _cell_from_part, _fmt, _tok_of, _warn
from ..model import Offsets, Table
from ..scan import _Ctx, _NOTE, _SEP_CHARS, scan_cells
from ..split import choose_split

_S08_MARK = re.compile(r"(?:其\s*中\s*[:：]?\s*)?(?:[(（]\s*[一二三四五六七八九十]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*[、.．]"
                       r"|\d{1,2}\s*[.．、](?!\d))\s*|其\s*中\s*[:：]\s*")
_S08_TEXT = re.compile(r"[^\s\d|｜（()）]+")
_S08_STOP = re.compile(r"附\s*件|附\s*表|。|注\s*[:：]|说明\s*[:：]")


def _s08(ctx: _Ctx, h: re.Match) -> Optional[Table]:
    text, mt, tax, lex = ctx.text, ctx.mt, ctx.tax, ctx.lex
    n = len(mt)
    has_unit = False
    pos = h.end()
    cum_span: Optional[Offsets] = None
    ncols = 0
    # header cells: unit column, value columns
    while True:
        m = re.match(r"[\s|｜\t]*", mt[pos:])
        p = pos + m.end()
        um = lex.s08_unit_header.match(mt, p)
        if um:
            has_unit = True
            pos = um.end()
            continue
        ym = lex.s08_year_header.match(mt, p)
        if ym:
            ncols += 1
            pos = ym.end()
            continue
        cm = lex.s08_cumulative_header.match(mt, p)
        if cm:
            ncols += 1
            cum_span = cm.span()
            pos = cm.end()
            continue
        break
    if ncols == 0:
        if h.groupdict().get("weak") or not has_unit and not re.match(r"[\s|｜\t]*(?:[（(一1]|主动|其中)", mt[pos:pos + 12]):
            return None  # a word 指标 / 项目 in prose, not a table header
        ncols = 1
    table = Table("s08", h.start(), pos)
    label: Optional[list[int]] = None
    unit: Optional[str] = None
    group: Optional[str] = None
    i = pos
    rows_seen = 0
    stray = 0
    seen: list[tuple[Optional[str], Optional[Offsets]]] = []  # (row id, label) of rows with cells; (None, None): a heading
    while i < n:
        c = mt[i]
        if c in _SEP_CHARS:
            i += 1
            continue
        m = _S08_MARK.match(mt, i)
        if m and m.end() > i:
            # a list marker starts a row label; a label still waiting for its cells was a heading
            if label is not None:
                seen.append((None, None))
            label, unit = None, None
            i = m.end()
            continue
        m = _NOTE.match(mt, i)
        if m:
            i = m.end()
            continue
        if c.isdigit() or c in "-—－/／":
            toks, stop = scan_cells(mt, i, n, lexicon=ctx.lex)
            if not toks:
                if c.isdigit():
                    break  # a date or a number that is no cell: the table ends
                i += 1
                continue
            if label is None:
                if rows_seen and stray < 2:  # a stray number inside the table (a split header, a page number)
                    stray += 1
                    i = stop
                    continue
                break
            rows_seen += 1
            lab = (label[0], label[1])
            row_label = text[lab[0]:lab[1]]
            rid = tax.match_row(simplified_view(row_label), "s08", group)  # 答覆數: a phrase conversion
            if rid is not None:
                r = tax.rows[rid]
                if r.group:
                    group = r.group
                elif r.parent is None:
                    group = None
            cells_toks = [t for t in toks]
            nonempty = [t for t in cells_toks if not t.empty]
            if not nonempty:
                seen.append((None, None))  # a heading row (—— in its cells)
            else:
                parent = tax.get(rid).parent if rid and tax.get(rid) else None
                for prid, plab in reversed(seen):
                    if prid is None:
                        break  # a heading between the parent row and this one: a new block
                    if prid == parent:
                        table.part_of.append((lab, plab))
                        break
                seen.append((rid, lab))
            if len(cells_toks) >= ncols or not nonempty:
                parts = [(t.start, t.end, None if t.empty else t.text) for t in cells_toks[:ncols]]
                ok, amb = True, False
                cands = [parts]
            else:
                cands, ok, amb = choose_split(cells_toks, ncols, "cum" if cum_span else "")
            if cands:
                best = cands[0]
                if amb:
                    table.warnings.append(_warn(f"统计表 {row_label.strip()}: run {' '.join(t.text for t in toks)} read "
                                                f"as {_fmt(best)} (also possible: {_fmt(cands[1])})", rid,
                                                {}))
                for j, p in enumerate(best):
                    col = "cum" if (cum_span and j == ncols - 1 and ncols > 1) else None
                    u, sc = lex.unit_of(unit) if unit else (unit, None)
                    metrics = [lab] + ([cum_span] if col == "cum" else [])
                    cell = _cell_from_part(text, p, _tok_of(toks, p), u, sc, metrics, tax, rid, col or "year",
                                           tax.cell_id(rid, col) if rid else None, lexicon=ctx.lex)
                    if cell:
                        table.cells.append(cell)
            table.end = max(table.end, stop)
            label, unit = None, None
            i = stop
            continue
        m = _S08_TEXT.match(mt, i)
        if not m:
            i += 1
            continue
        chunk = m.group()
        if _S08_STOP.search(chunk) or len(chunk) > 40:
            break
        cs, ce = m.span()
        # a unit column cell: on its own, or glued after the label
        if label is not None and chunk in lex.row_units:
            unit = chunk
            i = ce
            continue
        for u in lex.row_units:
            # a unit glued after the label (主动公开信息数条4251516): only where the table has a unit column
            if chunk.endswith(u) and len(chunk) > len(u) + 1 and (has_unit or u in lex.row_units_glued):
                if tax.match_row(chunk, "s08") is None or tax.match_row(chunk[:-len(u)], "s08") is not None:
                    unit = u
                    ce -= len(u)
                    break
        if label is None:
            label = [cs, ce]
        else:
            if cs - label[1] > 40:
                label = [cs, ce]
            else:
                label[1] = ce
        i = m.end()
    if not table.cells:
        return None
    return table
