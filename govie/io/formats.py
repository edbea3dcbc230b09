"""Fact records as table rows: the fields of the TSV/CSV outputs and spreadsheet-safe cells."""
from __future__ import annotations

from typing import Iterable, Optional

FACT_FIELDS = ["source", "quantity_start", "quantity_end", "quantity", "value", "unit", "approximate",
               "indicator", "indicator_id", "metrics"]
#: a text cell starting with one of these is a formula (or starts one) in Excel/LibreOffice/Sheets
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sheet_cell(value):
    """``value`` safe to open in a spreadsheet: text that a spreadsheet would run as a formula
    (``=…``, ``+…``, ``-…``, ``@…``, or a tab/CR first) gets a leading ``'`` (OWASP's CSV-injection
    advice). Numbers stay numbers; the JSON formats are not changed."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def fact_rows(source: Optional[str], report) -> Iterable[dict]:
    for f in report.facts:
        d = f.to_dict()
        if source is not None:
            d = {"source": source, **d}
        yield d


def _tsv_row(d: dict) -> list:
    row = [d.get("source", ""), d["quantity"]["start"], d["quantity"]["end"], d["quantity"]["text"], d["value"],
           d["unit"] or "", str(d["approximate"]).lower(), d["indicator"] or "", d.get("indicator_id") or "",
           " | ".join(m["text"] for m in d["metrics"])]
    return [sheet_cell(c) for c in row]
