"""One row per report, one column per canonical indicator: ``govie parse DIR --format csv``.

:func:`report_row` turns a :class:`govie.report.Report` into a flat dict — ``source``, the issuing
body and the report year found in the text, then the value of every indicator id of the taxonomy
(empty where the report gives none) — and :func:`write_csv` writes such rows.

Where several figures map to the same indicator, the statistics-table cell wins over a narrative
mention (tables are what the reports certify), then the first in text order.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from typing import IO, Any, Iterable, Optional, Sequence

from ..taxonomy import load_taxonomy

META_FIELDS = ["source", "body", "year", "layout", "facts", "checks"]

_BODY = r"[\u4e00-\u9fff（）()·]{2,40}?"
_REPORT = (r"\s*(?P<year>(?:19|20)\d\d)\s*年\s*度?\s*(?:政\s*府\s*|政\s*务\s*)?信\s*息\s*公\s*开\s*"
           r"(?:工\s*作\s*)?(?:年\s*度\s*)?(?:报\s*告|年\s*报|统\s*计)")
_TITLE = re.compile(rf"(?P<body>{_BODY})\s*(?:关于)?{_REPORT}")
_YEAR_ONLY = re.compile(_REPORT)
_PUBLISH = re.compile(rf"(?:公布|发布)\s*(?:19|20)\d\d\s*年\s*度?\s*(?P<body>{_BODY})\s*(?:政府|政务)?信息公开")
_PERIOD = re.compile(r"(?:统计期限|统计时限|时间跨度)\S{0,4}?(?P<year>(?:19|20)\d\d)\s*年|(?:公布|发布)\s*(?P<y2>(?:19|20)\d\d)\s*年")
_FILER = re.compile(r"(?:填\s*报\s*单\s*位|发\s*布\s*机\s*[关构]|报\s*送\s*单\s*位)\s*[:：]\s*"
                    r"(?P<body>[\u4e00-\u9fff（）()]{2,40})")
_SIGNATURE = re.compile(r"(?P<body>[\u4e00-\u9fff（）()]{2,40})\s*(?:(?:19|20)\d\d|二\s*[○〇零]\s*[一二三四五六七八九○〇零]{2})\s*年")
_BODY_SUFFIX = re.compile(r"(?:人民政府|政府|委员会|管委会|管理委员会|办公室|办公厅|局|厅|委|办|署|院|中心|街道|镇|乡|区|县|市)$")
_LEADING_NOISE = re.compile(r"^(?:[#\s]+|.*?〔\d{4}〕\d+号\s*|本报告|本年报|现|我|关于)+")


def _clean_body(body: Optional[str]) -> Optional[str]:
    if not body:
        return None
    body = re.split(r"[表告年：:]", body.strip())[-1]
    body = _LEADING_NOISE.sub("", body)
    body = re.sub(r"关于$", "", body).strip()
    if len(body) < 3 or body in ("人民政府", "本机关", "本单位") or not _BODY_SUFFIX.search(body):
        return None
    return body


def report_meta(text: str) -> dict[str, Any]:
    """The issuing body and the year the report covers, read from its title (or 填报单位, or the signature)."""
    head = text[:400]
    body = year = None
    m = _TITLE.search(head)
    if m and "《" not in head[max(0, m.start() - 30):m.start()]:
        body = _clean_body(m.group("body"))
        year = int(m.group("year"))
    if year is None:
        m = _YEAR_ONLY.search(text[:1500]) or _PERIOD.search(text[:3000])
        if m:
            year = int(m.group("year") or m.group("y2"))
    if year is None:
        years = Counter(int(y) for y in re.findall(r"((?:19|20)\d\d)\s*年", text[:2000]))
        if years:
            year = years.most_common(1)[0][0]
    if body is None:
        for rx, where in ((_PUBLISH, text[:1500]), (_FILER, text), (_SIGNATURE, text[-600:])):
            for m in rx.finditer(where):
                b = _clean_body(m.group("body"))
                if b:
                    body = b
            if body:
                break
    return {"body": body, "year": year}


def _in_tables(start: int, tables: Sequence[dict]) -> bool:
    return any(t["start"] <= start < t["end"] + 1 for t in tables)


def report_row(source: Optional[str], report, indicator_ids: Optional[Sequence[str]] = None) -> dict[str, Any]:
    """``{source, body, year, layout, facts, checks, <indicator id>: value, …}`` for one report."""
    ids = list(indicator_ids) if indicator_ids is not None else columns()[len(META_FIELDS):]
    meta = report_meta(report.text or "")
    tables = (report.meta or {}).get("tables") or []
    kinds = {t["kind"] for t in tables}
    layout = "standard-2019" if kinds & {"t2", "t3", "t4"} else ("table-2008" if "s08" in kinds else "narrative")
    row: dict[str, Any] = {"source": source or "", "body": meta["body"] or "", "year": meta["year"] or "",
                           "layout": layout, "facts": len(report.facts),
                           "checks": sum(1 for c in report.checks if getattr(c, "kind", "sum") == "sum")}
    chosen: dict[str, tuple[int, int, Any]] = {}
    for f in report.facts:
        iid = f.indicator_id
        if not iid:
            continue
        rank = (0 if _in_tables(f.quantity.start, tables) else 1, f.quantity.start)
        if iid not in chosen or rank < chosen[iid][:2]:
            chosen[iid] = (*rank, f.value)
    for iid in ids:
        row[iid] = chosen[iid][2] if iid in chosen else ""
    return row


def columns() -> list[str]:
    """The CSV header: the meta fields, then every indicator id of the taxonomy that a report can print."""
    return META_FIELDS + load_taxonomy().ids(derived=False)


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str], fieldnames: Optional[Sequence[str]] = None) -> None:
    """Write ``rows`` (from :func:`report_row`) as CSV with one column per indicator id."""
    fields = list(fieldnames) if fieldnames is not None else columns()
    w = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k, "")) for k in fields})
