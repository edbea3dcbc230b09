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

Modules, in the order the data flows:

- :mod:`.model` — :class:`Cell`, :class:`Table`, :class:`Tok` (the data);
- :mod:`.scan` — the masked text readers match on, runs of cells (:func:`scan_cells`), label regexes;
- :mod:`.split` — the split search (:func:`enumerate_splits`, :func:`choose_split`);
- :mod:`.labels` — where row labels and column headers stand; :mod:`.cells` — cells from a reading;
- :mod:`.templates` — one module per template table (表二 ``t2_active``, 表三 ``t3_requests``,
  表四 ``t4_appeals``, 表五 ``t5_fees``, the 2008–2018 table ``s08_statistics``);
- :mod:`.locate` — the section headings that place each table; :mod:`.reader` — :func:`read_tables`;
- :mod:`.component` — the ``govie_table_reader`` factory.
"""
from .component import TableReader, make_table_reader
from .model import Cell, Number, Offsets, Part, Table, Tok
from .reader import read_tables
from .scan import scan_cells
from .lexicon import Lexicon, default_lexicon
from .split import _vals, choose_split, enumerate_splits  # noqa: F401  (_vals: read by the tests)

__all__ = ["Cell", "Table", "Tok", "Part", "Number", "Offsets", "Lexicon", "default_lexicon", "read_tables",
           "scan_cells", "enumerate_splits", "choose_split", "TableReader", "make_table_reader"]
