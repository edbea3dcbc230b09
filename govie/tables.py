"""Statistics tables in plain text → cells, labels, links and canonical indicator ids.

:func:`read_tables` finds the statistics tables of a report in every layout the corpus shows —
markdown pipes, tab/space separated rows, one cell per line, and runs of cells that lost their
separators (``规范性文件898989`` = 89|89|89) — and returns one :class:`Table` per table with a
:class:`Cell` for every numeric cell: its number span, value, unit, the METRIC spans that name it
(row label, most specific column header) and its indicator id (``govie/indicators/taxonomy.json``).

Runs of cells are split with the template's column count and identities (row total = sum of its
columns; 本年新收 + 上年结转 = 办理结果总计 + 结转下年度; 表四 group totals; 历年累计 ≥ 本年度), the most
plausible split is kept and a run that stays ambiguous is reported as a warning.

The ``govie_table_reader`` component (place it after ``govie_quantities`` and before the linker)
writes them into the doc: QUANTITY entities over each cell's number (replacing the rule quantities
of the table region), ``doc._.quantity_info``, METRIC entities, VALUE_OF relations,
``doc._.indicator_ids``, PART_OF links between 2008–2018 sub-rows and their total, and consistency
checks / warnings in ``doc.user_data["govie_checks"]``. See ``docs/indicators.md``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Optional, Sequence, Union

import numpy as np
from spacy.attrs import IDX, LENGTH

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .pipeline import extensions
from .pipeline.components import without_overlaps
from .pipeline.quantities import span_mask, overlaps
from .taxonomy import Row, Taxonomy, load_taxonomy, to_simplified

Number = Union[int, float]
Offsets = tuple[int, int]

# --------------------------------------------------------------------------- data


@dataclass
class Cell:
    """One numeric cell: the number's span (+ a unit printed in the cell), value, unit and labels."""

    start: int
    end: int
    value: Number
    unit: Optional[str]
    metrics: list[Offsets]
    indicator_id: Optional[str] = None
    row_id: Optional[str] = None
    column_id: Optional[str] = None


@dataclass
class Table:
    kind: str  # "s08", "t2", "t3", "t4", "t5" or "grid"
    start: int
    end: int
    cells: list[Cell] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    #: (child row label, parent row label): a sub-row of a row that carries its own number
    part_of: list[tuple[Offsets, Offsets]] = field(default_factory=list)

    def values(self) -> dict[str, Number]:
        """``{indicator_id: value}`` of the cells that have an id (first cell wins)."""
        out: dict[str, Number] = {}
        for c in self.cells:
            if c.indicator_id and c.indicator_id not in out:
                out[c.indicator_id] = c.value
        return out


# --------------------------------------------------------------------------- low-level text helpers
_CJK = re.compile(r"[\u3400-\u9fff]")
_FOOTER = re.compile(r"(?m)^[ \t]*[-—－]\s*\d{1,3}\s*[-—－][ \t]*$")
#: a markdown rule row (``|:--|---|``); written so that no two ``[ \t]*`` can share a run of blanks
#: (a line of 60,000 spaces took seconds with ``^[ \t]*\|?(?:[ \t]*…)``)
_MD_RULE = re.compile(r"(?m)^[ \t]*(?:\|[ \t]*)?:?-{2,}:?[ \t]*\|(?:[ \t]*:?-{2,}:?[ \t]*\|)*[ \t]*(?:[:\-]+[ \t]*)?$")
_SEP_CHARS = frozenset(" \t\r\n\u3000\xa0|｜")
_NUM = re.compile(r"-?\d+(?:\.\d+)?")
_CELL_UNIT = re.compile(r"万元|萬元|元|%|％|人次|件|条|個|个|人|次")
_EMPTY = re.compile(r"(?:—+|－+|-{1,2}|/|／|\\|无|空)(?=[\s|｜]|$)")
_NOTE = re.compile(r"[（(][^()（）\d]{0,160}[)）]|[（(][^()（）]{6,160}[)）]")
_NOT_CELL_AFTER = re.compile(r"\s*(?:年|月|日|号|时|:\d|：\d)")


def _mask(text: str) -> str:
    """A copy of ``text`` (same length) with page footers and markdown rule rows blanked."""
    def blank(m: re.Match) -> str:
        return re.sub(r"[^\n]", " ", m.group())

    t = _FOOTER.sub(blank, text)
    return _MD_RULE.sub(blank, t)


def _ws(alias: str) -> str:
    """Regex for ``alias`` allowing whitespace between characters and variant punctuation."""
    out = []
    for ch in alias:
        if ch in "、，,":
            out.append(r"[、，,]?")
        elif ch in "“”\"":
            out.append(r"[“”\"]?")
        elif ch in "（(":
            out.append(r"[（(]")
        elif ch in "）)":
            out.append(r"[）)]")
        elif ch in "/／":
            out.append(r"[/／]")
        elif ch in "《》":
            out.append(re.escape(ch) + "?")
        else:
            out.append(re.escape(ch))
    return r"\s*".join(out)


def _marker_re(marker: Optional[str]) -> Optional[str]:
    if not marker:
        return None
    if marker.startswith("（"):
        return r"[（(]\s*" + re.escape(marker[1:-1]) + r"\s*[)）]"
    if marker.isdigit():
        return re.escape(marker) + r"\s*[.．、]"
    return re.escape(marker) + r"\s*[、.．]"


@dataclass
class Tok:
    """A run of digits (a cell, or several cells that lost their separators), or an empty cell."""

    start: int
    end: int  # end of the number (the unit, if any, runs to ``unit_end``)
    text: str
    unit: str = ""
    unit_end: int = 0
    empty: bool = False


def scan_cells(text: str, pos: int, limit: int, *, strip_marker: bool = True,
               skip_notes: bool = True) -> tuple[list[Tok], int]:
    """Cells that follow ``pos``: numbers separated by blanks/pipes, stopping at other text.

    Returns the tokens and the position where the scan stopped. A list marker glued to the last
    number (``00000002.其他…``) is left out of it (``strip_marker``).
    """
    i = pos
    toks: list[Tok] = []
    n = min(limit, len(text))
    while i < n:
        c = text[i]
        if c in _SEP_CHARS:
            i += 1
            continue
        if not toks and skip_notes:
            m = _NOTE.match(text, i)
            if m and m.end() <= n:
                i = m.end()
                continue
            if c in "：:":
                i += 1
                continue
        m = _NUM.match(text, i)
        if m and not (m.group().startswith("-") and text[m.end():m.end() + 1] in ("-", "—")):
            if _NOT_CELL_AFTER.match(text, m.end()):
                break  # a date or a time, not a cell
            tok = Tok(m.start(), m.end(), m.group())
            u = _CELL_UNIT.match(text, m.end())
            # a unit printed in the cell: money and percent always; a measure word unless a label follows
            if u and u.end() <= n and (u.group() in ("万元", "萬元", "元", "%", "％") or not _CJK.match(text, u.end())):
                tok.unit, tok.unit_end = u.group(), u.end()
            toks.append(tok)
            i = tok.unit_end or tok.end
            continue
        m = _EMPTY.match(text, i)
        if m and m.end() <= n:
            toks.append(Tok(i, m.end(), "", empty=True))
            i = m.end()
            continue
        break
    if strip_marker and toks and i < len(text) and text[i] in ".．、":
        last = toks[-1]
        glued = not last.empty and not last.unit and "." not in last.text and last.end == i
        if glued and re.match(r"\s*[\u3400-\u9fff“\"《]", text[i + 1:i + 4]):
            # the next row's list marker: a run on its own is the marker, else its last digit
            if len(last.text) == 1:
                toks.pop()
                i = last.start
            else:
                toks[-1] = Tok(last.start, last.end - 1, last.text[:-1])
                i = last.end - 1
    return toks, i


def _num(s: str) -> Number:
    if "." in s:
        return float(s)
    return int(s)


def _part_ok(s: str) -> bool:
    body = s[1:] if s.startswith("-") else s
    if not body or body.startswith(".") or body.endswith("."):
        return False
    ip = body.split(".")[0]
    return len(ip) == 1 or ip[0] != "0"


Part = tuple[int, int, Optional[str]]  # start, end, number text (None: an empty cell)


def enumerate_splits(toks: Sequence[Tok], k: int, prune: Optional[Callable[[list[Optional[Number]]], bool]] = None,
                     limit: int = 20000, max_nodes: int = 100000, max_len: int = 13) -> list[list[Part]]:
    """Every way to read ``toks`` as exactly ``k`` cells (no leading zeros; a decimal part ends its run;
    at most ``max_len`` integer digits per cell). ``prune(values)`` is called after each cell;
    returning False cuts that branch. The search stops after ``limit`` readings or ``max_nodes`` steps.
    """
    out: list[list[Part]] = []
    caps = [1 if t.empty else len(t.text.replace("-", "").replace(".", "")) for t in toks]
    suffix_cap = [0] * (len(toks) + 1)
    for i in range(len(toks) - 1, -1, -1):
        suffix_cap[i] = suffix_cap[i + 1] + caps[i]
    nodes = [0]
    parts: list[Part] = []
    values: list[Optional[Number]] = []

    def rec(ti: int, off: int) -> None:
        if len(out) >= limit or nodes[0] > max_nodes:
            return
        nodes[0] += 1
        if len(parts) == k:
            if ti == len(toks):
                out.append(list(parts))
            return
        if ti == len(toks):
            return
        remaining = k - len(parts)
        if remaining < len(toks) - ti:
            return
        tok = toks[ti]
        if tok.empty:
            parts.append((tok.start, tok.end, None))
            values.append(None)
            if prune is None or prune(values):
                rec(ti + 1, 0)
            parts.pop()
            values.pop()
            return
        s = tok.text
        digits_left = len(s[off:].replace("-", "").replace(".", ""))
        if remaining > digits_left + suffix_cap[ti + 1]:
            return
        dot = s.find(".", off)
        ends = []
        for end in range(off + 1, len(s) + 1):
            piece = s[off:end]
            if "." in piece and end != len(s):
                continue
            if dot >= 0 and end == dot:
                continue
            if not _part_ok(piece):
                continue
            if len(piece.lstrip("-").split(".")[0]) > max_len:
                break
            ends.append(end)
        for end in ends:
            piece = s[off:end]
            parts.append((tok.start + off, tok.start + end, piece))
            values.append(_num(piece))
            if prune is None or prune(values):
                if end == len(s):
                    rec(ti + 1, 0)
                else:
                    rec(ti, end)
            parts.pop()
            values.pop()

    rec(0, 0)
    return out


def _vals(parts: Sequence[Part]) -> list[Optional[Number]]:
    return [None if p[2] is None else _num(p[2]) for p in parts]


def _z(v: Optional[Number]) -> Number:
    return 0 if v is None else v


def _digits(parts: Sequence[Part]) -> int:
    return max((len((p[2] or "").replace("-", "").split(".")[0]) for p in parts), default=0)


# --------------------------------------------------------------------------- split choices
def _row_total_prune(k: int, groups: int = 1) -> Callable[[list[Optional[Number]]], bool]:
    """Prune: each group of ``k`` cells ends with the sum of the others."""
    def prune(vals: list[Optional[Number]]) -> bool:
        n = len(vals)
        if n % k == 0 and n // k <= groups:
            g = vals[n - k:]
            return abs(sum(_z(v) for v in g[:-1]) - _z(g[-1])) < 1e-6
        return True
    return prune


#: cells per row that each identity kind of :func:`choose_split` reads
_KIND_CELLS = {"docs": 3, "docs2019": 3, "items": 3, "items2": 2, "procure": 2, "fee5": 3}


def choose_split(toks: Sequence[Tok], k: int, kind: str) -> tuple[list[list[Part]], bool, bool]:
    """Candidate readings of ``toks`` as ``k`` cells, best first; whether the identity holds; whether
    the best reading is only as plausible as the next one (an ambiguous run).

    ``kind``: ``"sum"`` (last cell = sum of the others), ``"sum3"`` (表四: three groups of five),
    ``"cum"`` (历年累计 ≥ 本年度), ``"docs"`` (本年制发 / 本年废止 / 现行有效), ``"docs2019"`` (本年新制作 /
    本年新公开 / 对外公开总数量), ``"items"`` (上一年项目数量 / 本年增减 / 处理决定数量), ``"items2"``
    (上一年项目数量 / 本年增减), ``"procure"`` (采购项目数量 / 采购总金额), ``"fee5"`` (信息处理费);
    anything else: the most balanced reading.
    """
    if k <= 0:
        return [], True, False
    if _KIND_CELLS.get(kind, k) != k:
        kind = ""  # a header not recognised leaves fewer columns than the kind's identity needs
    if kind in ("sum", "sum3"):
        g = 5 if kind == "sum3" else k
        # counts of applications and cases: at most 6 digits a cell
        cands = enumerate_splits(toks, k, _row_total_prune(g, k // g), max_len=6)
        if cands:
            cands.sort(key=_sum_pref)
            return cands, True, len(cands) > 1 and _sum_pref(cands[0])[0] == _sum_pref(cands[1])[0]
        cands = enumerate_splits(toks, k, limit=20000, max_len=6)
        cands.sort(key=lambda c: (_group_gap(c, g), _sum_pref(c)))
        return cands, False, len(cands) > 1 and _group_gap(cands[0], g) == _group_gap(cands[1], g)
    cands = enumerate_splits(toks, k)
    if not cands:
        return [], False, False
    ok = True
    if kind == "cum":
        good = [c for c in cands if _z(_vals(c)[-1]) >= _z(_vals(c)[0])]
        ok = bool(good)
        cands = good or cands
        key, decisive = (lambda c: (_digits(c), -len(c[-1][2] or ""))), 1
    elif kind == "docs":  # the stock in force ≥ this year's flows; balanced; repealed ≤ issued
        def key(c):
            a, b, cc = (_z(v) for v in _vals(c))
            return (cc < a, cc < b, _digits(c), b > a, -cc)
        decisive = 4
    elif kind == "docs2019":
        def key(c):
            a, b, cc = (_z(v) for v in _vals(c))
            return (cc < a or cc < b, _digits(c), b > a, -cc)
        decisive = 3
    elif kind == "items":
        # nothing happened (X|0|0); else |change| ≤ items, balanced digit counts, decisions ≥ items
        def key(c):
            a, b, cc = (_z(x) for x in _vals(c))
            lens = [len(p[2].replace("-", "").split(".")[0]) for p in c if p[2] is not None]
            mean = sum(lens) / len(lens)
            var = sum((x - mean) ** 2 for x in lens)
            return (abs(b) > abs(a), not (b == 0 and cc == 0), _digits(c), round(var, 3), cc < a)
        decisive = 4
    elif kind == "items2":
        def key(c):
            a, b = (_z(v) for v in _vals(c))
            return (b != 0, abs(b) > abs(a), len(str(abs(b))))
        decisive = 3
    elif kind == "procure":  # a few 10^5 元 per project
        import math

        def key(c):
            a, b = (_z(v) for v in _vals(c))
            if a == 0:
                return (0 if b == 0 else 1, 0.0)
            return (0, round(abs(math.log10(max(b, 1) / a) - 5.5) * 2) / 2)
        decisive = 2
    elif kind == "fee5":
        def key(c):
            a, b, cc = (_z(v) for v in _vals(c))
            return (abs(b - cc), _digits(c))
        decisive = 2
    else:
        key, decisive = (lambda c: (_digits(c),)), 1
    cands.sort(key=key)
    amb = len(cands) > 1 and key(cands[0])[:decisive] == key(cands[1])[:decisive]
    return cands, ok, amb


def _sum_pref(c: Sequence[Part]) -> tuple:
    """Among readings that satisfy the totals: fewer non-zero minor columns, a large first column."""
    v = [_z(x) for x in _vals(c)]
    return (sum(1 for x in v[1:-1] if x), -v[0], _digits(c))


def _group_gap(c: Sequence[Part], k: int) -> Number:
    v = [_z(x) for x in _vals(c)]
    gap = 0
    for g in range(0, len(v) - k + 1, k):
        grp = v[g:g + k]
        gap += abs(sum(grp[:-1]) - grp[-1])
    return gap


# --------------------------------------------------------------------------- building cells
def _cell_from_part(text: str, part: Part, tok: Optional[Tok], unit: Optional[str], scale: Optional[int],
                    metrics: list[Offsets], tax: Taxonomy, row_id: Optional[str], col_id: Optional[str],
                    indicator_id: Optional[str]) -> Optional[Cell]:
    s, e, num = part
    if num is None:
        return None
    value: Decimal = Decimal(num)
    end = e
    u = unit
    sc = scale
    if tok is not None and tok.unit and e == tok.end:
        end = tok.unit_end
        tu = tok.unit.replace("萬", "万").replace("％", "%").replace("個", "个")
        if tu == "万元":
            u, sc = "元", 10000
        else:
            u = tu
    if sc:
        value *= sc
    v: Number = int(value) if value == value.to_integral_value() else float(value)
    return Cell(s, end, v, u, [m for m in metrics if m is not None], indicator_id, row_id, col_id)


def _tok_of(toks: Sequence[Tok], part: Part) -> Optional[Tok]:
    for t in toks:
        if t.start <= part[0] < max(t.end, t.start + 1):
            return t
    return None


def _warn(message: str, total_id: Optional[str], parts: dict[str, Number], total: Number = 0) -> dict:
    return {"message": message, "total_id": total_id or "", "total": total, "parts": parts, "gap": 0,
            "kind": "ambiguous"}


def _fmt(parts: Sequence[Part]) -> str:
    return "|".join("" if p[2] is None else p[2] for p in parts)


# --------------------------------------------------------------------------- 2019+ national tables
_T2_ITEM = re.compile(r"第\s*二\s*十\s*条\s*第\s*[（(]\s*([一二三四五六七八九十]+)\s*[)）]\s*项")
_T2_START = re.compile(r"主动公开政府信息情况")
_T3_START = re.compile(r"收到和处理政府信息公开申请情况")
_T3_START2 = re.compile(r"申\s*请\s*人\s*情\s*况|本\s*年\s*新\s*收\s*政\s*府\s*信\s*息\s*公\s*开\s*申\s*请")
_T4_START = re.compile(r"政府信息公开行政(?:法)?复议\s*[、，,]?\s*行政诉讼情况|行政复议\s*[、，,]?\s*行政诉讼情况")
_T4_END = re.compile(r"(?<![\u4e00-\u9fff（(])[五六七八九]\s*[、.．]|存在的主要问题|主要问题及改进|其他需要报告")
_T5_START = re.compile(r"信\s*息\s*处\s*理\s*费\s*收\s*取\s*情\s*况")
_WAN = re.compile(r"万\s*元")


@dataclass
class _Anchor:
    row: Row
    start: int  # marker start (or label start)
    label: Offsets
    end: int


def _row_regex(row: Row, marker_required: Optional[bool] = None) -> re.Pattern:
    aliases = sorted(set(row.aliases) | {row.name}, key=len, reverse=True)
    alts = "|".join(_ws(a) for a in aliases)
    mk = _marker_re(row.marker) if marker_required is not False else None
    if marker_required is None:
        marker_required = min(len(a) for a in aliases) <= 2
    if mk is None:
        return re.compile(rf"(?P<label>{alts})")
    if marker_required:
        short = [a for a in aliases if len(a) <= 2]
        long_ = [a for a in aliases if len(a) > 2]
        parts = []
        if long_:
            parts.append(rf"(?:(?P<mk>{mk})\s*)?(?P<label>{'|'.join(_ws(a) for a in long_)})")
        parts.append(rf"(?P<mk2>{mk})\s*(?P<label2>{'|'.join(_ws(a) for a in short)})")
        return re.compile("|".join(parts))
    return re.compile(rf"(?:(?P<mk>{mk})\s*)?(?P<label>{alts})")


def _label_span(m: re.Match) -> Offsets:
    for g in ("label", "label2"):
        if g in m.re.groupindex and m.group(g) is not None:
            return m.span(g)
    return m.span()


def _find_anchors(text: str, rows: Sequence[Row], start: int, end: int, min_digits: int = 7) -> list[_Anchor]:
    """Where each row label stands in [start, end): the first occurrence followed by ``min_digits``
    digits, else the first occurrence; sorted by position, no overlaps."""
    found: list[_Anchor] = []
    for row in rows:
        if row.derived and not row.cells:
            continue
        rx = _row_regex(row)
        m = None
        for cand in rx.finditer(text, start, end):
            if m is None:
                m = cand
            # prefer the occurrence followed by a row of cells (not a mention in prose, not a heading)
            toks, _ = scan_cells(text, cand.end(), min(end, cand.end() + 200))
            if sum(1 if t.empty else len(t.text) for t in toks) >= min_digits:
                m = cand
                break
        if m is None:
            continue
        lab = _label_span(m)
        found.append(_Anchor(row, m.start(), lab, m.end()))
    found.sort(key=lambda a: (a.start, -(a.end - a.start)))
    out: list[_Anchor] = []
    for a in found:
        if out and a.start < out[-1].end:
            continue
        out.append(a)
    return out


def _find_header(text: str, aliases: Sequence[str], start: int, end: int, avoid: Sequence[Offsets] = ()
                 ) -> Optional[Offsets]:
    """The last occurrence in [start, end) of the longest alias that occurs (the header row closest
    above the cells, not a mention in prose above the table)."""
    for a in sorted(aliases, key=len, reverse=True):
        pat = _ws(a)
        if a == "其他":
            pat = r"(?<!或)(?<!或\s)其\s*他(?!\s*(?:组织|法律|处理|结果|方式|情形))"
        elif a == "总计":
            pat = r"(?<![（(]七[)）])总\s*计"
        found = None
        for m in re.finditer(pat, text[:end]):
            if m.start() < start:
                continue
            if any(m.start() < e and s < m.end() for s, e in avoid):
                continue
            found = m.span()
        if found:
            return found
    return None


class _Ctx:
    def __init__(self, text: str, tax: Taxonomy) -> None:
        self.text = text
        # labels are matched on a simplified-script copy of the same length (offsets are shared)
        self.mt = _mask(to_simplified(text))
        self.tax = tax


def _t3(ctx: _Ctx, start: int, end: int) -> Optional[Table]:
    text, mt, tax = ctx.text, ctx.mt, ctx.tax
    rows = [r for r in tax.rows_of("t3") if r.cells and not r.derived]
    anchors = _find_anchors(mt, rows, start, end)
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
        toks, stop = scan_cells(mt, a.end, limit)
        if not toks:
            # the label printed again just above its cells (headings + markdown rows)
            m = _row_regex(a.row).search(mt, a.end, limit)
            if m is not None:
                toks2, _ = scan_cells(mt, m.end(), limit)
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
                                           tax.cell_id(a.row.id, cid) if cid else None)
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
            cell = _cell_from_part(text, p, _tok_of(toks, p), unit, None, [lab, cs], tax, a.row.id, cid, iid)
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


def _cell_tokens(mt: str, start: int, end: int) -> list[Tok]:
    """Numbers standing on their own between ``start`` and ``end`` (no list markers, dates, label digits)."""
    out = []
    for m in _NUM.finditer(mt, start, end):
        if re.match(r"\s*[.．、]\s*[\u3400-\u9fff“\"]", mt[m.end():m.end() + 4]) or _NOT_CELL_AFTER.match(mt, m.end()):
            continue
        before = mt[m.start() - 1:m.start()] if m.start() else ""
        after = mt[m.end():m.end() + 1]
        if _CJK.match(before) or _CJK.match(after) or before in "（(" or after in "）)":
            continue
        out.append(Tok(m.start(), m.end(), m.group()))
    return out


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


def _identity_holds(c: Sequence[Part], k: int) -> bool:
    return _group_gap(c, k) < 1e-6


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
            for m in re.finditer(_ws(a), mt[:end]):
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
        ts, stop = scan_cells(mt, m.start(), end, strip_marker=False, skip_notes=False)
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
        cell = _cell_from_part(text, p, _tok_of(toks, p), None, None, [hs], tax, groups[g], c.id, iid)
        if cell:
            table.cells.append(cell)
    return table


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
                hm = re.compile(_ws(a)).search(mt, sub_start, lab[0])
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
        toks, stop = scan_cells(mt, m.end(), limit)
        if not toks:
            # layouts that print the value above its row label
            pre_start = max(prev_end, valid[-1][0][1] if valid[-1][0] else sub_start)
            toks = [t for t in _all_tokens(mt, pre_start, lab[0])]
        if not toks:
            # ... or below a header printed after the label
            toks = _all_tokens(mt, m.end(), limit)[:k]
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
                                   tax.cell_id(row.id, cid))
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


def _all_tokens(mt: str, start: int, end: int) -> list[Tok]:
    toks: list[Tok] = []
    i = start
    while i < end:
        m = _NUM.search(mt, i, end)
        if not m:
            break
        if _NOT_CELL_AFTER.match(mt, m.end()) or _CJK.match(mt, m.start() - 1 if m.start() else 0) \
                and m.start() > start:
            i = m.end()
            continue
        ts, stop = scan_cells(mt, m.start(), end, skip_notes=False)
        toks.extend(t for t in ts if not t.empty)
        i = max(stop, m.end())
    return toks


def _t5(ctx: _Ctx, start: int, end: int) -> Optional[Table]:
    text, mt, tax = ctx.text, ctx.mt, ctx.tax
    cols = tax.columns["t5"]
    hdrs = []
    pos = start
    for c in cols:
        m = re.compile(_ws(c.name)).search(mt, pos, min(end, pos + 200))
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
    toks, stop = scan_cells(mt, p0, end)
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
                               tax.cell_id("t5.fee", c.id))
        if cell:
            table.cells.append(cell)
    return table if table.cells else None


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


# --------------------------------------------------------------------------- 2008–2018 statistics table
_S08_HEADER = re.compile(r"指\s*标\s*名\s*称|统\s*计\s*指\s*标|指\s*标\s*项\s*目|项\s*目\s*名\s*称|(?P<weak>指\s*标|项\s*目)")
_S08_UNIT_HDR = re.compile(r"(?:计\s*量\s*)?单\s*位")
_S08_YEAR_HDR = re.compile(r"(?:19|20)\d\d\s*年\s*度?|本\s*年\s*度|统\s*计\s*数|年\s*末\s*统\s*计|本\s*年\s*数|数\s*量")
_S08_CUM_HDR = re.compile(r"历\s*年\s*累\s*计")
_S08_MARK = re.compile(r"(?:其\s*中\s*[:：]?\s*)?(?:[(（]\s*[一二三四五六七八九十]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*[、.．]"
                       r"|\d{1,2}\s*[.．、](?!\d))\s*|其\s*中\s*[:：]\s*")
_S08_TEXT = re.compile(r"[^\s\d|｜（()）]+")
_S08_UNITS = ("人次", "万元", "元", "条", "件", "个", "人", "次", "项", "篇", "场", "期", "份", "家")
_S08_STOP = re.compile(r"附\s*件|附\s*表|。|注\s*[:：]|说明\s*[:：]")


def _s08_tables(ctx: _Ctx) -> list[Table]:
    out = []
    pos = 0
    while True:
        h = _S08_HEADER.search(ctx.mt, pos)
        if not h:
            break
        t = _s08(ctx, h)
        pos = h.end()
        if t:
            out.append(t)
            pos = max(pos, t.end)
    return out


def _s08(ctx: _Ctx, h: re.Match) -> Optional[Table]:
    text, mt, tax = ctx.text, ctx.mt, ctx.tax
    n = len(mt)
    has_unit = False
    pos = h.end()
    cum_span: Optional[Offsets] = None
    ncols = 0
    # header cells: unit column, value columns
    while True:
        m = re.match(r"[\s|｜\t]*", mt[pos:])
        p = pos + m.end()
        um = _S08_UNIT_HDR.match(mt, p)
        if um:
            has_unit = True
            pos = um.end()
            continue
        ym = _S08_YEAR_HDR.match(mt, p)
        if ym:
            ncols += 1
            pos = ym.end()
            continue
        cm = _S08_CUM_HDR.match(mt, p)
        if cm:
            ncols += 1
            cum_span = cm.span()
            pos = cm.end()
            continue
        break
    if ncols == 0:
        if h.group("weak") or not has_unit and not re.match(r"[\s|｜\t]*(?:[（(一1]|主动|其中)", mt[pos:pos + 12]):
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
            toks, stop = scan_cells(mt, i, n)
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
            rid = tax.match_row(row_label, "s08", group)
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
                    u, sc = unit, None
                    if u == "万元":
                        u, sc = "元", 10000
                    metrics = [lab] + ([cum_span] if col == "cum" else [])
                    cell = _cell_from_part(text, p, _tok_of(toks, p), u, sc, metrics, tax, rid, col or "year",
                                           tax.cell_id(rid, col) if rid else None)
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
        if label is not None and chunk in _S08_UNITS:
            unit = chunk
            i = ce
            continue
        for u in _S08_UNITS:
            # a unit glued after the label (主动公开信息数条4251516): only where the table has a unit column
            if chunk.endswith(u) and len(chunk) > len(u) + 1 and (has_unit or u in ("万元", "人次")):
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


# --------------------------------------------------------------------------- public API
def read_tables(text: str, taxonomy: Optional[Taxonomy] = None) -> list[Table]:
    """Every statistics table found in ``text`` (2019+ national tables, the 2008–2018 table)."""
    ctx = _Ctx(text, taxonomy or load_taxonomy())
    tables = _standard_tables(ctx)
    for t in _s08_tables(ctx):
        if not any(t.start < o.end and o.start < t.end for o in tables):
            tables.append(t)
    for t in tables:
        t.cells.sort(key=lambda c: c.start)
        # no two cells over the same characters
        kept: list[Cell] = []
        for c in t.cells:
            if kept and c.start < kept[-1].end:
                continue
            kept.append(c)
        t.cells = kept
    tables.sort(key=lambda t: t.start)
    return tables


# --------------------------------------------------------------------------- spaCy component
def _ensure_boundaries(doc: Doc, offsets: Sequence[int]) -> int:
    """Split tokens so that each offset is a token boundary; returns how many splits were needed."""
    text = extensions.doc_text(doc)
    n = len(text)
    arr = doc.to_array([IDX, LENGTH])  # not `t.idx for t in doc`: that makes a Token object each
    idx = arr[:, 0]
    edges = set(idx.tolist()) | set((idx + arr[:, 1]).tolist()) | {n}
    inside = sorted({o for o in offsets if 0 < o < n and o not in edges})
    if not inside:
        return 0
    cuts: dict[int, list[int]] = {}
    for o, ti in zip(inside, np.searchsorted(idx, inside, side="right") - 1):
        cuts.setdefault(int(ti), []).append(o)
    ents = [(e.start_char, e.end_char, e.label_) for e in extensions.entities(doc)]
    doc.ents = []
    with doc.retokenize() as retok:
        for ti, pieces in cuts.items():
            tok = doc[ti]
            s = tok.idx
            edges = [s] + pieces + [s + len(tok.text)]
            orths = [text[a:b] for a, b in zip(edges, edges[1:])]
            retok.split(tok, orths, heads=[(tok, 0)] * len(orths))
    spans = [doc.char_span(s, e, label=lab) for s, e, lab in ents]
    doc.set_ents([s for s in spans if s is not None])
    return len(inside)


class TableReader:
    """Reads the statistics tables into QUANTITY/METRIC entities, VALUE_OF links and indicator ids."""

    def __init__(self, nlp: Language, name: str, checks: bool, replace_quantities: bool) -> None:
        self.name = name
        self.checks = checks
        self.replace_quantities = replace_quantities
        self.taxonomy = load_taxonomy()

    def __call__(self, doc: Doc) -> Doc:
        extensions.init_doc(doc)
        text = extensions.doc_text(doc)
        tables = read_tables(text, self.taxonomy)
        if not tables:
            return doc
        cells = [c for t in tables for c in t.cells]
        metric_offsets = sorted({m for c in cells for m in c.metrics})
        _ensure_boundaries(doc, [o for c in cells for o in (c.start, c.end)] + [o for m in metric_offsets for o in m])
        regions = [(t.start, t.end) for t in tables]

        def in_region(s: int, e: int) -> bool:
            return any(rs <= s and e <= re_ + 1 for rs, re_ in regions)

        q_spans: list[Span] = []
        for c in cells:
            sp = doc.char_span(c.start, c.end, label="QUANTITY")
            if sp is None:
                continue
            q_spans.append(sp)
            doc._.quantity_info[f"{c.start}:{c.end}"] = [c.value, c.unit, False]
            if c.indicator_id:
                doc._.indicator_ids[f"{c.start}:{c.end}"] = c.indicator_id
        q_keys = {(s.start_char, s.end_char) for s in q_spans}
        in_cell = span_mask(len(text), q_keys)
        m_spans: dict[Offsets, Span] = {}
        for s, e in metric_offsets:
            if overlaps(s, e, in_cell):
                continue
            sp = doc.char_span(s, e, label="METRIC", alignment_mode="contract")
            if sp is not None and len(sp):
                m_spans[(s, e)] = sp
        kept = []
        for ent in extensions.entities(doc):
            if ent.label_ == "QUANTITY" and self.replace_quantities and in_region(ent.start_char, ent.end_char):
                if (ent.start_char, ent.end_char) not in q_keys:
                    doc._.quantity_info.pop(f"{ent.start_char}:{ent.end_char}", None)
                continue
            kept.append(ent)
        new = q_spans + list(m_spans.values())
        ents = filter_spans(new + without_overlaps(kept, new, len(doc)))
        doc.set_ents(ents)
        final = {(e.start_char, e.end_char) for e in ents}
        rels = list(doc._.relations or [])
        for c in cells:
            if (c.start, c.end) not in final:
                continue
            for m in c.metrics:
                sp = m_spans.get(m)
                if sp is not None and (sp.start_char, sp.end_char) in final:
                    rels.append((c.start, c.end, sp.start_char, sp.end_char, "VALUE_OF", 1.0))
        for t in tables:
            for child, parent in t.part_of:
                c, p = m_spans.get(child), m_spans.get(parent)
                if c is not None and p is not None and {(c.start_char, c.end_char), (p.start_char, p.end_char)} <= final:
                    rels.append((c.start_char, c.end_char, p.start_char, p.end_char, "PART_OF", 1.0))
        doc._.relations = sorted(set(rels))
        warnings = [w for t in tables for w in t.warnings]
        checks = list(doc.user_data.get("govie_checks") or [])
        checks.extend(warnings)
        if self.checks:
            from .checks import check_tables

            checks.extend(check_tables(tables, self.taxonomy))
        doc.user_data["govie_checks"] = checks
        meta = dict(doc.user_data.get("govie_meta") or {})
        meta["tables"] = [{"kind": t.kind, "start": t.start, "end": t.end, "cells": len(t.cells)} for t in tables]
        doc.user_data["govie_meta"] = meta
        return doc


@Language.factory("govie_table_reader", default_config={"checks": True, "replace_quantities": True},
                  assigns=["doc.ents", "doc._.quantity_info", "doc._.relations", "doc._.indicator_ids"])
def make_table_reader(nlp: Language, name: str, checks: bool, replace_quantities: bool) -> TableReader:
    return TableReader(nlp, name, checks, replace_quantities)


__all__ = ["Cell", "Table", "Tok", "read_tables", "scan_cells", "enumerate_splits", "choose_split", "TableReader",
           "make_table_reader"]
