"""Scanning table text: the masked copy readers match on, runs of cells, label regexes."""
from __future__ import annotations

import functools
import re
from typing import Optional

from ..pipeline.script import simplified_view
from ..taxonomy import Taxonomy
from .lexicon import Lexicon, default_lexicon
from .model import Number, Tok

_CJK = re.compile(r"[\u3400-\u9fff]")
_FOOTER = re.compile(r"(?m)^[ \t]*[-—－]\s*\d{1,3}\s*[-—－][ \t]*$")
#: a markdown rule row (``|:--|---|``); written so that no two ``[ \t]*`` can share a run of blanks
#: (a line of 60,000 spaces took seconds with ``^[ \t]*\|?(?:[ \t]*…)``)
_MD_RULE = re.compile(r"(?m)^[ \t]*(?:\|[ \t]*)?:?-{2,}:?[ \t]*\|(?:[ \t]*:?-{2,}:?[ \t]*\|)*[ \t]*(?:[:\-]+[ \t]*)?$")
_SEP_CHARS = frozenset(" \t\r\n\u3000\xa0|｜")
_NUM = re.compile(r"-?\d+(?:\.\d+)?")
_EMPTY = re.compile(r"(?:—+|－+|-{1,2}|/|／|\\|无|空)(?=[\s|｜]|$)")
_NOTE = re.compile(r"[（(][^()（）\d]{0,160}[)）]|[（(][^()（）]{6,160}[)）]")
_NOT_CELL_AFTER = re.compile(r"\s*(?:年|月|日|号|时|:\d|：\d)")


def _mask(text: str) -> str:
    """A copy of ``text`` (same length) with page footers and markdown rule rows blanked."""
    def blank(m: re.Match) -> str:
        return re.sub(r"[^\n]", " ", m.group())

    t = _FOOTER.sub(blank, text)
    return _MD_RULE.sub(blank, t)


@functools.lru_cache(maxsize=4096)
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


@functools.lru_cache(maxsize=4096)
def _ws_re(alias: str) -> re.Pattern:
    """:func:`_ws` of ``alias``, compiled."""
    return re.compile(_ws(alias))


def _marker_re(marker: Optional[str]) -> Optional[str]:
    if not marker:
        return None
    if marker.startswith("（"):
        return r"[（(]\s*" + re.escape(marker[1:-1]) + r"\s*[)）]"
    if marker.isdigit():
        return re.escape(marker) + r"\s*[.．、]"
    return re.escape(marker) + r"\s*[、.．]"


def scan_cells(text: str, pos: int, limit: int, *, strip_marker: bool = True,
               skip_notes: bool = True, lexicon: Optional[Lexicon] = None) -> tuple[list[Tok], int]:
    """Cells that follow ``pos``: numbers separated by blanks/pipes, stopping at other text.

    Returns the tokens and the position where the scan stopped. A list marker glued to the last
    number (``00000002.其他…``) is left out of it (``strip_marker``). ``lexicon``: the units a cell may
    print (default: ``lexicon.json``).
    """
    lex = lexicon or default_lexicon()
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
            u = lex.cell_unit.match(text, m.end())
            # a unit printed in the cell: money and percent always; a measure word unless a label follows
            if u and u.end() <= n and (u.group() in lex.cell_units_before_label or not _CJK.match(text, u.end())):
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


def _all_tokens(mt: str, start: int, end: int, lexicon: Optional[Lexicon] = None) -> list[Tok]:
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
        ts, stop = scan_cells(mt, m.start(), end, skip_notes=False, lexicon=lexicon)
        toks.extend(t for t in ts if not t.empty)
        i = max(stop, m.end())
    return toks


class _Ctx:
    def __init__(self, text: str, tax: Taxonomy, lex: Optional[Lexicon] = None) -> None:
        self.text = text
        # labels are matched on a simplified-script copy of the same length (offsets are shared)
        self.mt = _mask(simplified_view(text))
        self.tax = tax
        self.lex = lex or default_lexicon()
