"""The data a table reader returns: :class:`Cell`, :class:`Table`, and the scanner's :class:`Tok`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

Number = Union[int, float]
Offsets = tuple[int, int]


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


@dataclass
class Tok:
    """A run of digits (a cell, or several cells that lost their separators), or an empty cell."""

    start: int
    end: int  # end of the number (the unit, if any, runs to ``unit_end``)
    text: str
    unit: str = ""
    unit_end: int = 0
    empty: bool = False


Part = tuple[int, int, Optional[str]]  # start, end, number text (None: an empty cell)

