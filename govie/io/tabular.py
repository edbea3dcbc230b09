"""Facts as a tidy long table — one row per fact — for pandas and the ``facts.csv``/``parquet`` formats.

Columns (:data:`FACT_COLUMNS`): ``source`` (the input's name, when known), ``issuer`` and ``year`` (read
from the report's title, :func:`govie.corpus.dataset.report_meta`; empty where the text does not say),
``indicator_id``, ``indicator`` (the first METRIC's text), ``value``, ``unit``, ``approximate``, the
QUANTITY's ``quantity_start``/``quantity_end``/``quantity`` and the first METRIC's
``metric_start``/``metric_end`` (character offsets into the report's text).

Stacked over many reports this is the panel a researcher wants (issuer × year × indicator):
``df.pivot_table(index=["issuer", "year"], columns="indicator_id", values="value", aggfunc="first")``.

In a DataFrame, ``value`` is ``int64`` when every value in it is whole (counts of requests, items,
people) and ``float64`` as soon as one is not (a rate such as 98.5%); ``year`` and the offsets are
``Int64`` (pandas' nullable integers), text columns are strings. pandas is imported only when a
DataFrame is asked for (``pip install "govie[pandas]"``), pyarrow only for parquet
(``pip install "govie[parquet]"``).
"""
from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Mapping, Optional, Union

FACT_COLUMNS = ["source", "issuer", "year", "indicator_id", "indicator", "value", "unit", "approximate",
                "quantity_start", "quantity_end", "quantity", "metric_start", "metric_end"]
#: nullable integer columns besides ``value``
_INT_COLUMNS = ("year", "quantity_start", "quantity_end", "metric_start", "metric_end")
_TEXT_COLUMNS = ("source", "issuer", "indicator_id", "indicator", "unit", "quantity")
PANDAS_HINT = 'pip install "govie[pandas]"'
PARQUET_HINT = 'pip install "govie[parquet]"'


def _pandas():
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(f"a govie DataFrame needs pandas, which is not installed: {PANDAS_HINT}") from None
    return pd


def _pyarrow():
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise ImportError(f"the parquet format needs pyarrow, which is not installed: {PARQUET_HINT}") from None
    return pyarrow


def fact_records(report, source: Optional[str] = None) -> list[dict[str, Any]]:
    """One dict per fact of ``report`` (a :class:`govie.Report`), with the :data:`FACT_COLUMNS`."""
    from ..corpus.dataset import report_meta

    facts = list(report.facts)
    if not facts:
        return []
    meta = report_meta(report.text or "")
    out = []
    for f in facts:
        m = f.metrics[0] if f.metrics else None
        out.append({"source": source, "issuer": meta["body"], "year": meta["year"], "indicator_id": f.indicator_id,
                    "indicator": f.indicator, "value": f.value, "unit": f.unit, "approximate": bool(f.approximate),
                    "quantity_start": f.quantity.start, "quantity_end": f.quantity.end, "quantity": f.quantity.text,
                    "metric_start": m.start if m else None, "metric_end": m.end if m else None})
    return out


Reports = Union[Any, Iterable[Any], Mapping[str, Any]]


def _sourced(reports: Reports) -> Iterator[tuple[Optional[str], Any]]:
    """``(source, report)`` pairs from a Report, an iterable of Reports or of ``(source, Report)`` pairs,
    or a mapping ``{source: Report}``."""
    if _is_report(reports):
        yield None, reports
        return
    if isinstance(reports, Mapping):
        for source, report in reports.items():
            yield str(source), _check_report(report)
        return
    if isinstance(reports, (str, bytes)):
        raise TypeError("govie.to_dataframe expects Reports (from govie.parse), not text; parse it first")
    for item in reports:
        if isinstance(item, tuple) and len(item) == 2 and _is_report(item[1]):
            yield (None if item[0] is None else str(item[0])), item[1]
        else:
            yield None, _check_report(item)


def _is_report(obj: Any) -> bool:
    """A :class:`govie.Report` (told by its fields: this layer does not import the data classes)."""
    return all(hasattr(obj, a) for a in ("facts", "quantities", "relations", "checks")) and not isinstance(obj, type)


def _check_report(report):
    if not _is_report(report):
        raise TypeError(f"govie.to_dataframe expects govie.Report objects, got {type(report).__name__}")
    return report


def _is_whole(v: Any) -> bool:
    return isinstance(v, int) or (isinstance(v, float) and math.isfinite(v) and v.is_integer() and abs(v) < 2 ** 63)


def frame(records: Iterable[Mapping[str, Any]]):
    """A DataFrame with the :data:`FACT_COLUMNS` and their dtypes (see the module doc) from fact records."""
    pd = _pandas()
    df = pd.DataFrame(list(records), columns=FACT_COLUMNS)
    return typed(df)


def typed(df):
    """``df`` (fact records, e.g. read back from CSV) with govie's column dtypes."""
    pd = _pandas()
    df = df.copy()
    for c in FACT_COLUMNS:
        if c not in df.columns:
            df[c] = None
    df = df[FACT_COLUMNS + [c for c in df.columns if c not in FACT_COLUMNS]]
    for c in _TEXT_COLUMNS:
        df[c] = df[c].astype("string")
    for c in _INT_COLUMNS:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Float64").astype("Int64")
    values = pd.to_numeric(df["value"], errors="coerce")
    if values.isna().any():
        df["value"] = values.astype("float64")
    elif all(_is_whole(v) for v in values.tolist()):
        df["value"] = values.map(int).astype("int64") if len(values) else values.astype("int64")
    else:
        df["value"] = values.astype("float64")
    a = df["approximate"]
    if not pd.api.types.is_bool_dtype(a):  # text read back from CSV
        a = a.astype(object).map(lambda v: None if v is None or v != v else
                                 v if isinstance(v, bool) else str(v).strip().lower() in ("true", "1"))
    df["approximate"] = a.astype("boolean")
    return df


def to_dataframe(reports: Reports):
    """One row per fact of ``reports``: a :class:`govie.Report`, an iterable of Reports or of
    ``(source, Report)`` pairs, or a mapping ``{source: Report}`` (the source fills the ``source`` column)."""
    _pandas()  # the clear error first, before any work
    return frame(r for source, report in _sourced(reports) for r in fact_records(report, source))


# ------------------------------------------------------------------------------------------- writing
def _csv_cell(v: Any) -> Any:
    from .formats import sheet_cell

    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return sheet_cell(v)


def write_facts_csv(records: Iterable[Mapping[str, Any]], out: IO[str], header: bool = True) -> None:
    """Fact records as CSV (``--format facts.csv``): a header, then one line per fact. Text that a
    spreadsheet would run as a formula gets a leading ``'`` (see :func:`govie.cli.sheet_cell`)."""
    w = csv.writer(out, lineterminator="\n")
    if header:
        w.writerow(FACT_COLUMNS)
    for r in records:
        w.writerow([_csv_cell(r.get(c)) for c in FACT_COLUMNS])


def arrow_table(df):
    """``df`` (from :func:`frame`) as a pyarrow Table."""
    pa = _pyarrow()
    return pa.Table.from_pandas(df, preserve_index=False)


def write_parquet(df, out: Union[IO[bytes], str, Path]) -> None:
    """``df`` (from :func:`frame`) as parquet."""
    _pyarrow()
    import pyarrow.parquet as pq

    pq.write_table(arrow_table(df), out)


def read_facts(path: Union[str, Path]):
    """A DataFrame of facts (dtypes as :func:`frame`) from a ``facts.csv`` or ``parquet`` output of
    ``govie parse``: a file, or a batch output directory (its ``all.facts.csv``/``all.parquet`` panel,
    else every per-input output under it, concatenated)."""
    pd = _pandas()
    path = Path(path)
    if path.is_dir():
        for name in ("all.parquet", "all.facts.csv"):
            if (path / name).is_file():
                return read_facts(path / name)
        parts = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith((".facts.csv", ".parquet"))
                       and not p.name.startswith("."))
        if not parts:
            raise FileNotFoundError(f"{path}: no .facts.csv or .parquet outputs of govie parse in it")
        frames = [read_facts(p) for p in parts]
        return typed(pd.concat(frames, ignore_index=True)) if frames else frame([])
    if path.name.endswith(".parquet"):
        _pyarrow()
        return typed(pd.read_parquet(path))
    return typed(pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]))
