"""Row labels and column headers: where each template row and column is printed."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Optional, Sequence

from ..taxonomy import Row
from .lexicon import Lexicon
from .model import Offsets
from .scan import _marker_re, _ws, _ws_re, scan_cells

@dataclass
class _Anchor:
    row: Row
    start: int  # marker start (or label start)
    label: Offsets
    end: int


def _row_regex(row: Row, marker_required: Optional[bool] = None) -> re.Pattern:
    """The regex of ``row``'s label (its name or an alias, with its list marker where short aliases need it)."""
    return _row_pattern(row.name, tuple(row.aliases), row.marker, marker_required)


@functools.lru_cache(maxsize=1024)
def _row_pattern(name: str, row_aliases: tuple[str, ...], marker: Optional[str],
                 marker_required: Optional[bool]) -> re.Pattern:
    aliases = sorted(set(row_aliases) | {name}, key=len, reverse=True)
    alts = "|".join(_ws(a) for a in aliases)
    mk = _marker_re(marker) if marker_required is not False else None
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


def _find_anchors(text: str, rows: Sequence[Row], start: int, end: int, min_digits: int = 7,
                  lexicon: Optional[Lexicon] = None) -> list[_Anchor]:
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
            toks, _ = scan_cells(text, cand.end(), min(end, cand.end() + 200), lexicon=lexicon)
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


#: header words that need more context than their characters
_HEADER_PATTERNS = {"其他": r"(?<!或)(?<!或\s)其\s*他(?!\s*(?:组织|法律|处理|结果|方式|情形))",
                    "总计": r"(?<![（(]七[)）])总\s*计"}


def _header_re(alias: str) -> re.Pattern:
    """The regex a column header ``alias`` is found with."""
    special = _HEADER_PATTERNS.get(alias)
    return re.compile(special) if special else _ws_re(alias)


def _find_header(text: str, aliases: Sequence[str], start: int, end: int, avoid: Sequence[Offsets] = ()
                 ) -> Optional[Offsets]:
    """The last occurrence in [start, end) of the longest alias that occurs (the header row closest
    above the cells, not a mention in prose above the table)."""
    for a in sorted(aliases, key=len, reverse=True):
        found = None
        for m in _header_re(a).finditer(text, 0, end):
            if m.start() < start:
                continue
            if any(m.start() < e and s < m.end() for s, e in avoid):
                continue
            found = m.span()
        if found:
            return found
    return None
