"""The split search: every reading of a run of digits as ``k`` cells, ranked by the template's identities."""
from __future__ import annotations

import functools
import math
from typing import Callable, Optional, Sequence

from .model import Number, Part, Tok
from .scan import _num

Prune = Callable[[list[Optional[Number]]], bool]


def _part_ok(s: str) -> bool:
    body = s[1:] if s.startswith("-") else s
    if not body or body.startswith(".") or body.endswith("."):
        return False
    ip = body.split(".")[0]
    return len(ip) == 1 or ip[0] != "0"


@functools.lru_cache(maxsize=4096)
def _pieces(s: str, off: int, max_len: int) -> tuple[tuple[int, str, Number], ...]:
    """The cells that may start at ``off`` of the run ``s``: ``(end, text, value)`` by increasing end."""
    out = []
    dot = s.find(".", off)
    n = len(s)
    for end in range(off + 1, n + 1):
        piece = s[off:end]
        if "." in piece and end != n:
            continue
        if dot >= 0 and end == dot:
            continue
        if not _part_ok(piece):
            body = piece.lstrip("-")
            if len(body) > 1 and body[0] == "0" and body[1] != ".":
                break  # a leading zero: every longer piece has it too
            continue
        if len(piece.lstrip("-").split(".")[0]) > max_len:
            break
        out.append((end, piece, _num(piece)))
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def _digit_count(s: str, off: int) -> int:
    return len(s[off:].replace("-", "").replace(".", ""))


def _search(toks: Sequence[Tok], k: int, prune: Optional[Prune], limit: int, max_nodes: int, max_len: int
            ) -> tuple[list[list[Part]], list[list[Optional[Number]]]]:
    """The readings of :func:`enumerate_splits` and their cell values (the same search, one step a call)."""
    out: list[list[Part]] = []
    out_vals: list[list[Optional[Number]]] = []
    n_toks = len(toks)
    caps = [1 if t.empty else _digit_count(t.text, 0) for t in toks]
    suffix_cap = [0] * (n_toks + 1)
    for i in range(n_toks - 1, -1, -1):
        suffix_cap[i] = suffix_cap[i + 1] + caps[i]
    nodes = 0
    parts: list[Part] = []
    values: list[Optional[Number]] = []

    def rec(ti: int, off: int) -> None:
        nonlocal nodes
        if len(out) >= limit or nodes > max_nodes:
            return
        nodes += 1
        n_parts = len(parts)
        if n_parts == k:
            if ti == n_toks:
                out.append(parts[:])
                out_vals.append(values[:])
            return
        if ti == n_toks:
            return
        remaining = k - n_parts
        if remaining < n_toks - ti:
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
        if remaining > _digit_count(s, off) + suffix_cap[ti + 1]:
            return
        start, last = tok.start, len(s)
        leaf = remaining == 1
        for end, piece, value in _pieces(s, off, max_len):
            parts.append((start + off, start + end, piece))
            values.append(value)
            if prune is None or prune(values):
                if not leaf:
                    rec(ti + 1, 0) if end == last else rec(ti, end)
                elif len(out) < limit and nodes <= max_nodes:
                    # the call rec would make: count the node, keep the reading if it ends the run
                    nodes += 1
                    if end == last and ti + 1 == n_toks:
                        out.append(parts[:])
                        out_vals.append(values[:])
            parts.pop()
            values.pop()

    rec(0, 0)
    return out, out_vals


def enumerate_splits(toks: Sequence[Tok], k: int, prune: Optional[Prune] = None,
                     limit: int = 20000, max_nodes: int = 100000, max_len: int = 13) -> list[list[Part]]:
    """Every way to read ``toks`` as exactly ``k`` cells (no leading zeros; a decimal part ends its run;
    at most ``max_len`` integer digits per cell). ``prune(values)`` is called after each cell;
    returning False cuts that branch. The search stops after ``limit`` readings or ``max_nodes`` steps.
    """
    return _search(toks, k, prune, limit, max_nodes, max_len)[0]


def _vals(parts: Sequence[Part]) -> list[Optional[Number]]:
    return [None if p[2] is None else _num(p[2]) for p in parts]


def _z(v: Optional[Number]) -> Number:
    return 0 if v is None else v


def _digits(parts: Sequence[Part]) -> int:
    return max((len((p[2] or "").replace("-", "").split(".")[0]) for p in parts), default=0)


# --------------------------------------------------------------------------- split choices
def _row_total_prune(k: int, groups: int = 1) -> Prune:
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

Key = Callable[[Sequence[Part], list[Number]], tuple]


def _ranked(cands: list[list[Part]], vals: list[list[Optional[Number]]], key: Key
            ) -> tuple[list[list[Part]], list[tuple]]:
    """``cands`` sorted by ``key(parts, values)`` (a stable sort, as ``list.sort``), and the sorted keys."""
    keys = [key(c, [_z(x) for x in v]) for c, v in zip(cands, vals)]
    order = sorted(range(len(cands)), key=keys.__getitem__)
    return [cands[i] for i in order], [keys[i] for i in order]


def _key_cum(c: Sequence[Part], v: list[Number]) -> tuple:
    return (_digits(c), -len(c[-1][2] or ""))


def _key_docs(c: Sequence[Part], v: list[Number]) -> tuple:
    """The stock in force ≥ this year's flows; balanced; repealed ≤ issued."""
    a, b, cc = v
    return (cc < a, cc < b, _digits(c), b > a, -cc)


def _key_docs2019(c: Sequence[Part], v: list[Number]) -> tuple:
    a, b, cc = v
    return (cc < a or cc < b, _digits(c), b > a, -cc)


def _key_items(c: Sequence[Part], v: list[Number]) -> tuple:
    """Nothing happened (X|0|0); else |change| ≤ items, balanced digit counts, decisions ≥ items."""
    a, b, cc = v
    lens = [len(p[2].replace("-", "").split(".")[0]) for p in c if p[2] is not None]
    mean = sum(lens) / len(lens)
    var = sum((x - mean) ** 2 for x in lens)
    return (abs(b) > abs(a), not (b == 0 and cc == 0), _digits(c), round(var, 3), cc < a)


def _key_items2(c: Sequence[Part], v: list[Number]) -> tuple:
    a, b = v
    return (b != 0, abs(b) > abs(a), len(str(abs(b))))


def _key_procure(c: Sequence[Part], v: list[Number]) -> tuple:
    """A few 10^5 元 per project."""
    a, b = v
    if a == 0:
        return (0 if b == 0 else 1, 0.0)
    return (0, round(abs(math.log10(max(b, 1) / a) - 5.5) * 2) / 2)


def _key_fee5(c: Sequence[Part], v: list[Number]) -> tuple:
    a, b, cc = v
    return (abs(b - cc), _digits(c))


def _key_balanced(c: Sequence[Part], v: list[Number]) -> tuple:
    return (_digits(c),)


#: the ranking of each identity kind: (key, how many leading key fields decide between two readings)
_KEYS: dict[str, tuple[Key, int]] = {
    "cum": (_key_cum, 1), "docs": (_key_docs, 4), "docs2019": (_key_docs2019, 3), "items": (_key_items, 4),
    "items2": (_key_items2, 3), "procure": (_key_procure, 2), "fee5": (_key_fee5, 2)}


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
        cands, vals = _search(toks, k, _row_total_prune(g, k // g), 20000, 100000, 6)
        if cands:
            cands, keys = _ranked(cands, vals, _sum_pref_key)
            return cands, True, len(cands) > 1 and keys[0][0] == keys[1][0]
        cands, vals = _search(toks, k, None, 20000, 100000, 6)
        cands, keys = _ranked(cands, vals, lambda c, v: (_gap(v, g), _sum_pref_key(c, v)))
        return cands, False, len(cands) > 1 and keys[0][0] == keys[1][0]
    cands, vals = _search(toks, k, None, 20000, 100000, 13)
    if not cands:
        return [], False, False
    ok = True
    if kind == "cum":
        good = [(c, v) for c, v in zip(cands, vals) if _z(v[-1]) >= _z(v[0])]
        ok = bool(good)
        if good:
            cands, vals = [c for c, _ in good], [v for _, v in good]
    key, decisive = _KEYS.get(kind, (_key_balanced, 1))
    cands, keys = _ranked(cands, vals, key)
    amb = len(cands) > 1 and keys[0][:decisive] == keys[1][:decisive]
    return cands, ok, amb


def _sum_pref_key(c: Sequence[Part], v: list[Number]) -> tuple:
    return (sum(1 for x in v[1:-1] if x), -v[0], _digits(c))


def _sum_pref(c: Sequence[Part]) -> tuple:
    """Among readings that satisfy the totals: fewer non-zero minor columns, a large first column."""
    return _sum_pref_key(c, [_z(x) for x in _vals(c)])


def _gap(v: Sequence[Number], k: int) -> Number:
    """How far the groups of ``k`` values are from ending with the sum of the others."""
    gap = 0
    for g in range(0, len(v) - k + 1, k):
        grp = v[g:g + k]
        gap += abs(sum(grp[:-1]) - grp[-1])
    return gap


def _group_gap(c: Sequence[Part], k: int) -> Number:
    return _gap([_z(x) for x in _vals(c)], k)


def _identity_holds(c: Sequence[Part], k: int) -> bool:
    return _group_gap(c, k) < 1e-6
