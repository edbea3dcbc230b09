"""Building :class:`Cell` objects from a chosen reading, and the warnings a reader reports."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional, Sequence

from ..taxonomy import Taxonomy
from .lexicon import Lexicon, default_lexicon
from .model import Cell, Number, Offsets, Part, Tok

def _cell_from_part(text: str, part: Part, tok: Optional[Tok], unit: Optional[str], scale: Optional[int],
                    metrics: list[Offsets], tax: Taxonomy, row_id: Optional[str], col_id: Optional[str],
                    indicator_id: Optional[str], lexicon: Optional[Lexicon] = None) -> Optional[Cell]:
    s, e, num = part
    if num is None:
        return None
    value: Decimal = Decimal(num)
    end = e
    u = unit
    sc = scale
    if tok is not None and tok.unit and e == tok.end:
        end = tok.unit_end
        u, sc = (lexicon or default_lexicon()).unit_of(tok.unit, sc)
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
