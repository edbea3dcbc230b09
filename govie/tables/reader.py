"""The public reader: :func:`read_tables` (text → :class:`Table` objects)."""
from __future__ import annotations

from typing import Optional

from ..taxonomy import Taxonomy, load_taxonomy
from .lexicon import Lexicon
from .locate import _s08_tables, _standard_tables
from .model import Cell, Table
from .scan import _Ctx

def read_tables(text: str, taxonomy: Optional[Taxonomy] = None, lexicon: Optional[Lexicon] = None) -> list[Table]:
    """Every statistics table found in ``text`` (2019+ national tables, the 2008–2018 table)."""
    ctx = _Ctx(text, taxonomy or load_taxonomy(), lexicon)
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
