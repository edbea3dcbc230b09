"""The table vocabulary — units printed in cells, header words of the 2008–2018 table — as data.

The defaults live in ``lexicon.json`` next to this module; the ``govie_table_reader`` factory shows
them in its ``default_config`` (``[components.govie_table_reader.lexicon]``), so a pipeline changes
a word list in its config rather than in code, the way negspacy passes its termsets. Keys:

- ``cell_units``: units a cell may print after its number (``12件``, ``88.6万元``);
- ``cell_units_before_label``: of those, the ones read as the cell's unit even when a label follows
  (money, percent; a measure word followed by CJK text is the next label's first character);
- ``unit_aliases``: variant spellings and their canonical unit (``萬元`` → ``万元``);
- ``unit_scales``: units read as a multiple of another (``万元`` → ``元`` × 10000);
- ``row_units``: the unit column of the 2008–2018 table; ``row_units_glued``: the units recognised
  glued after a label (``主动公开信息数条``) even where the table prints no unit column;
- ``s08_label_headers`` / ``s08_weak_label_headers``: the header of the label column (a weak word
  such as 指标 starts a table only when value column headers follow it); ``s08_unit_headers``,
  ``s08_year_headers`` (after the ``19xx年度`` pattern), ``s08_cumulative_headers``: the other
  header cells. Header words match with blanks between their characters (``指 标 名 称``).

Word lists are matched longest first, whatever their order in the data. Row labels and column
headers of the templates are in ``govie/indicators/taxonomy.json`` (rows, columns, aliases).
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

LEXICON_PATH = Path(__file__).with_name("lexicon.json")


@functools.lru_cache(maxsize=1)
def _default_data() -> str:
    return LEXICON_PATH.read_text(encoding="utf-8")


def default_lexicon_data() -> dict[str, Any]:
    """The shipped vocabulary as plain data (a fresh copy: callers may change it)."""
    return json.loads(_default_data())


def _longest_first(words: Sequence[str]) -> list[str]:
    return sorted(dict.fromkeys(words), key=len, reverse=True)


def _alternation(words: Sequence[str], spaced: bool) -> str:
    join = r"\s*" if spaced else ""
    return "|".join(join.join(re.escape(ch) for ch in w) for w in _longest_first(words))


@dataclass(frozen=True)
class Lexicon:
    """The compiled vocabulary the scanners and template readers match with."""

    cell_unit: re.Pattern
    cell_units_before_label: frozenset
    unit_aliases: Mapping[str, str]
    unit_scales: Mapping[str, tuple[str, Union[int, Decimal]]]
    row_units: tuple[str, ...]
    row_units_glued: frozenset
    s08_header: re.Pattern
    s08_unit_header: re.Pattern
    s08_year_header: re.Pattern
    s08_cumulative_header: re.Pattern

    @classmethod
    def from_data(cls, data: Optional[Mapping[str, Any]] = None) -> "Lexicon":
        """The lexicon of ``data`` (keys of ``lexicon.json``); a key it lacks keeps the default."""
        d = default_lexicon_data()
        unknown = sorted(set(data or {}) - set(d))
        if unknown:
            raise ValueError(f"unknown table lexicon key(s) {', '.join(unknown)}; expected some of {', '.join(d)}")
        d.update(data or {})
        for key, value in d.items():
            if key in ("unit_aliases", "unit_scales"):
                if not isinstance(value, Mapping):
                    raise ValueError(f"table lexicon {key!r} must be a mapping, not {type(value).__name__}")
            elif not isinstance(value, (list, tuple)) or not all(isinstance(w, str) and w for w in value):
                raise ValueError(f"table lexicon {key!r} must be a list of non-empty strings")
        for key in ("cell_units", "s08_label_headers", "s08_unit_headers", "s08_cumulative_headers"):
            if not d[key]:
                raise ValueError(f"table lexicon {key!r} must not be empty")
        scales = {}
        for unit, value in d["unit_scales"].items():
            if not (isinstance(value, Sequence) and len(value) == 2 and isinstance(value[0], str)
                    and isinstance(value[1], (int, float)) and not isinstance(value[1], bool) and value[1] > 0):
                raise ValueError(f"table lexicon unit_scales[{unit!r}] must be [unit, factor > 0], not {value!r}")
            # cell values are Decimals: a float factor enters as its decimal text (0.1, not 0.1000000000000000055)
            scales[unit] = (value[0], value[1] if isinstance(value[1], int) else Decimal(str(value[1])))
        weak = _alternation(d["s08_weak_label_headers"], True)
        header = _alternation(d["s08_label_headers"], True) + (rf"|(?P<weak>{weak})" if weak else "")
        years = _alternation(d["s08_year_headers"], True)
        return cls(
            cell_unit=re.compile(_alternation(d["cell_units"], False)),
            cell_units_before_label=frozenset(d["cell_units_before_label"]),
            unit_aliases=dict(d["unit_aliases"]),
            unit_scales=scales,
            row_units=tuple(_longest_first(d["row_units"])),
            row_units_glued=frozenset(d["row_units_glued"]),
            s08_header=re.compile(header),
            s08_unit_header=re.compile(_alternation(d["s08_unit_headers"], True)),
            s08_year_header=re.compile(r"(?:19|20)\d\d\s*年\s*度?" + (f"|{years}" if years else "")),
            s08_cumulative_header=re.compile(_alternation(d["s08_cumulative_headers"], True)),
        )

    def unit_of(self, printed: str, scale: Optional[int] = None) -> tuple[str, Optional[int]]:
        """The canonical unit of a unit printed in a cell, and its scale (``万元`` → (元, 10000))."""
        unit = self.unit_aliases.get(printed, printed)
        if unit in self.unit_scales:
            return self.unit_scales[unit]
        return unit, scale


@functools.lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped vocabulary (``lexicon.json``), compiled once."""
    return Lexicon.from_data()


__all__ = ["Lexicon", "LEXICON_PATH", "default_lexicon", "default_lexicon_data"]
