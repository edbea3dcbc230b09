"""表三 (2019+): 收到和处理政府信息公开申请情况 — applications by applicant column, results by row."""
from __future__ import annotations

import re
from typing import Optional, Sequence

from ...taxonomy import Taxonomy
from ..cells import _cell_from_part, _fmt, _tok_of, _warn
from ..labels import _Anchor, _find_anchors, _find_header, _label_span, _row_regex
from ..model import Offsets, Part, Table, Tok
from ..scan import _Ctx, _cell_tokens, _num, scan_cells
from ..split import _identity_holds, _vals, _z, choose_split

def _t3(ctx: _Ctx, start: int, end: int) -> Optional[Table]:
    text, mt, tax = ctx.text, ctx.mt, ctx.tax
    rows = [r for r in tax.rows_of("t3") if r.cells and not r.derived]
    anchors = _find_anchors(mt, rows, start, end, lexicon=ctx.lex)
    if len(anchors) < 2:
        return None
    cols = tax.columns["t3"]
    hdr_end = anchors[0].start
    # column headers: in the header area; for layouts that print them elsewhere, the whole section
    col_spans: list[Optional[Offsets]] = []
    taken: list[Offsets] = []
    for c in cols:
        sp = _find_header(mt, [c.name, *c.aliases], start, hdr_end, taken)
        col_spans.append(sp)
        if sp:
            taken.append(sp)
    unit = "件" if re.search(r"单\s*位\s*[:：]\s*件", mt[start:hdr_end]) else None
    table = Table("t3", anchors[0].start, anchors[0].end)
    k = len(cols)
    # read each row's cells
    rowdata: list[tuple[_Anchor, list[Tok], list[list[Part]], bool]] = []
    read: list[tuple[_Anchor, list[Tok]]] = []
    for i, a in enumerate(anchors):
        limit = anchors[i + 1].start if i + 1 < len(anchors) else end
        toks, stop = scan_cells(mt, a.end, limit, lexicon=ctx.lex)
        if not toks:
            # the label printed again just above its cells (headings + markdown rows)
            m = _row_regex(a.row).search(mt, a.end, limit)
            if m is not None:
                toks2, _ = scan_cells(mt, m.end(), limit, lexicon=ctx.lex)
                if toks2:
                    a = _Anchor(a.row, m.start(), _label_span(m), m.end())
                    toks = toks2
        if not toks:
            continue
        read.append((a, toks))
    # a layout that separates its cells (most rows print k runs): a short row lacks a cell rather
    # than holding runs to split
    separated = sum(1 for _, toks in read if len(toks) == k) * 2 >= len(read) > 0
    for a, toks in read:
        ndig = sum(1 if t.empty else len(t.text.replace(".", "").replace("-", "")) for t in toks)
        if ndig < k or len(toks) > k:
            rowdata.append((a, toks, [], False))
            continue
        cands, ok, _amb = choose_split(toks, k, "sum")
        if separated and len(toks) < k and not ok:
            cands = []
        rowdata.append((a, toks, cands, ok))
    # PDF layouts: labels printed apart from their cells, blocks of cells printed column by column
    pre = [t for t in _cell_tokens(mt, start, hdr_end)]
    if pre or any(len(rd[1]) > k for rd in rowdata):
        seq = _t3_sequential(mt, start, end, anchors, tax)
        if seq is not None:
            rowdata = [(a, toks, [[(t.start, t.end, t.text) for t in toks]], True) for a, toks in seq]
    # column identities pick among the readings of ambiguous rows
    choice = {i: 0 for i in range(len(rowdata))}
    _resolve_t3(rowdata, choice)
    for i, (a, toks, cands, ok) in enumerate(rowdata):
        lab = a.label
        if not cands:
            # fewer digits than columns (or more runs than columns): each printed run as one cell,
            # linked to the row label only
            pieces: list[Part] = []
            for t in toks:
                if t.empty:
                    continue
                if set(t.text) == {"0"} and len(toks) < k:
                    pieces.extend((t.start + j, t.start + j + 1, "0") for j in range(len(t.text)))
                else:
                    pieces.append((t.start, t.end, t.text))
            if len(pieces) == k:
                cands = [pieces]
            else:
                # a missing cell: the first and last runs are 自然人 and 总计 when the total adds up
                vals = [_num(p[2]) for p in pieces]
                ends_known = 2 <= len(pieces) < k and abs(sum(vals[:-1]) - vals[-1]) < 1e-6
                for n_, p in enumerate(pieces):
                    cid = None
                    if ends_known and n_ == 0:
                        cid = cols[0].id
                    elif ends_known and n_ == len(pieces) - 1:
                        cid = cols[-1].id
                    cs = col_spans[[c.id for c in cols].index(cid)] if cid else None
                    cell = _cell_from_part(text, p, _tok_of(toks, p), unit, None, [lab, cs], tax, a.row.id, cid,
                                           tax.cell_id(a.row.id, cid) if cid else None, lexicon=ctx.lex)
                    if cell:
                        table.cells.append(cell)
                lab_text = text[lab[0]:lab[1]] if lab else a.row.name
                table.warnings.append(_warn(f"表三 {lab_text}: {len(pieces)} cells printed for {k} columns "
                                            "(a missing cell); columns unknown", a.row.id,
                                            {f"{a.row.id}[{n_}]": v for n_, v in enumerate(vals)}))
                table.end = max(table.end, toks[-1].unit_end or toks[-1].end)
                continue
        best = cands[choice[i]]
        if len(cands) > 1 and len(toks) < k:
            alts = [c for c in cands[:4] if c is not best]
            if alts and _identities_tie(rowdata, choice, i):
                table.warnings.append(_warn(
                    f"表三 {text[lab[0]:lab[1]].strip()}: run {' '.join(t.text for t in toks)} read as {_fmt(best)} "
                    f"(also possible: {', '.join(_fmt(c) for c in alts[:2])})", a.row.id,
                    {f"{a.row.id}.{cols[j].id}": v for j, v in enumerate(_vals(best)) if v is not None}))
        for j, p in enumerate(best):
            cs = col_spans[j] if j < len(col_spans) else None
            cid = cols[j].id if j < len(cols) else None
            iid = tax.cell_id(a.row.id, cid)
            cell = _cell_from_part(text, p, _tok_of(toks, p), unit, None, [lab, cs], tax, a.row.id, cid, iid,
                                   lexicon=ctx.lex)
            if cell:
                table.cells.append(cell)
        table.end = max(table.end, toks[-1].unit_end or toks[-1].end)
    if table.cells:
        # the region whose rule quantities the cells replace: from the header row on
        table.start = min([table.start] + [c.start for c in table.cells] + [sp[0] for sp in col_spans if sp])
    return table if table.cells else None


T3_TEMPLATE_2019 = ["t3.new", "t3.carried_over", "t3.public", "t3.partial",
                    *[f"t3.withheld.{k}" for k in ("state_secret", "law", "safety", "third_party", "internal",
                                                   "process", "enforcement", "query")],
                    "t3.unavailable.not_held", "t3.unavailable.not_made", "t3.unavailable.unclear",
                    *[f"t3.unprocessed.{k}" for k in ("petition", "repeat", "publication", "bulk", "confirm")],
                    "t3.other", "t3.result_total", "t3.carried_forward"]
T3_TEMPLATE_2021 = T3_TEMPLATE_2019[:-3] + ["t3.other.no_supplement", "t3.other.unpaid", "t3.other.misc",
                                            "t3.result_total", "t3.carried_forward"]


def _t3_sequential(mt: str, start: int, end: int, anchors: Sequence[_Anchor], tax: Taxonomy
                   ) -> Optional[list[tuple[_Anchor, list[Tok]]]]:
    """Rows of a table printed in blocks (row by row, or column by column), assigned in template order."""
    toks = _cell_tokens(mt, start, end)
    if not toks:
        return None
    blocks: list[list[list[Tok]]] = [[[toks[0]]]]
    for a, b in zip(toks, toks[1:]):
        between = mt[a.end:b.start]
        if between.strip():
            blocks.append([[b]])
        elif between.count("\n") == 1:
            blocks[-1][-1].append(b)
        else:
            blocks[-1].append([b])
    vectors: list[list[Tok]] = []
    for blk in blocks:
        singles: list[Tok] = []
        gi = 0
        while gi < len(blk):
            g = blk[gi]
            r = len(g)
            if r > 1 and gi + 7 <= len(blk) and all(len(x) == r for x in blk[gi:gi + 7]):
                if len(singles) % 7:
                    return None
                vectors.extend(singles[i:i + 7] for i in range(0, len(singles), 7))
                singles = []
                vectors.extend([blk[gi + j][i] for j in range(7)] for i in range(r))
                gi += 7
                continue
            singles.extend(g)
            gi += 1
        if len(singles) % 7:
            return None
        vectors.extend(singles[i:i + 7] for i in range(0, len(singles), 7))
    by_row = {a.row.id: a for a in anchors}
    for template in (T3_TEMPLATE_2019, T3_TEMPLATE_2021):
        if len(vectors) == len(template):
            out = []
            for rid, vec in zip(template, vectors):
                a = by_row.get(rid) or _Anchor(tax.rows[rid], -1, None, -1)  # type: ignore[arg-type]
                out.append((a, vec))
            return out
    return None


def _t3_equations(rowdata, choice) -> list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
    """Column identities as (lhs terms, rhs terms) of (row index, column) pairs."""
    idx = {rd[0].row.id: i for i, rd in enumerate(rowdata) if rd[2]}
    eqs = []
    result_rows = [i for rid, i in idx.items()
                   if rid.startswith(("t3.public", "t3.partial", "t3.withheld.", "t3.unavailable.",
                                      "t3.unprocessed.", "t3.other"))]
    has_other_sub = any(rid.startswith("t3.other.") for rid in idx)
    if has_other_sub:
        result_rows = [i for i in result_rows if rowdata[i][0].row.id != "t3.other"]
    for j in range(7):
        if all(r in idx for r in ("t3.new", "t3.carried_over", "t3.result_total", "t3.carried_forward")):
            eqs.append(([(idx["t3.new"], j), (idx["t3.carried_over"], j)],
                        [(idx["t3.result_total"], j), (idx["t3.carried_forward"], j)]))
        if "t3.result_total" in idx and result_rows:
            eqs.append(([(i, j) for i in result_rows], [(idx["t3.result_total"], j)]))
    return eqs


def _t3_score(rowdata, choice, eqs) -> int:
    def val(i, j):
        c = rowdata[i][2][choice[i]]
        return _z(_vals(c)[j]) if j < len(c) else 0
    return sum(1 for lhs, rhs in eqs if abs(sum(val(*t) for t in lhs) - sum(val(*t) for t in rhs)) < 1e-6)


def _resolve_t3(rowdata, choice) -> None:
    eqs = _t3_equations(rowdata, choice)
    if not eqs:
        return
    for _ in range(3):
        changed = False
        for i, rd in enumerate(rowdata):
            cands, ok = rd[2], rd[3]
            if len(cands) < 2:
                continue
            best, best_s = choice[i], None
            for ci in range(min(len(cands), 30)):
                if ok and not _identity_holds(cands[ci], 7):
                    continue
                choice[i] = ci
                s = _t3_score(rowdata, choice, eqs)
                if best_s is None or s > best_s:
                    best, best_s = ci, s
            changed |= choice[i] != best
            choice[i] = best
        if not changed:
            break


def _identities_tie(rowdata, choice, i) -> bool:
    """True when another identity-satisfying reading of row ``i`` scores as well on the column identities."""
    eqs = _t3_equations(rowdata, choice)
    cands, ok = rowdata[i][2], rowdata[i][3]
    cur = choice[i]
    base = _t3_score(rowdata, choice, eqs) if eqs else 0
    tie = False
    for ci in range(min(len(cands), 30)):
        if ci == cur or (ok and not _identity_holds(cands[ci], 7)):
            continue
        choice[i] = ci
        if (_t3_score(rowdata, choice, eqs) if eqs else 0) >= base:
            tie = True
        choice[i] = cur
        if tie:
            break
    return tie
