"""The split search: every reading of a run of digits as ``k`` cells, ranked by the template's identities."""
from __future__ import annotations

from typing import Callable, Optional, Sequence

from .model import Number, Part, Tok
from .scan import _num

def _part_ok(s: str) -> bool:
    body = s[1:] if s.startswith("-") else s
    if not body or body.startswith(".") or body.endswith("."):
        return False
    ip = body.split(".")[0]
    return len(ip) == 1 or ip[0] != "0"


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


def _identity_holds(c: Sequence[Part], k: int) -> bool:
    return _group_gap(c, k) < 1e-6
