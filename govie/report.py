"""Plain dataclasses returned by :func:`govie.parse` (the fact record of schema v1)."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Optional, Union

from spacy.tokens import Doc

from .normalize import read
from .pipeline import extensions

Number = Union[int, float]


@dataclass(frozen=True, slots=True)  # slots: a 50 MB report holds about a million of these
class TextSpan:
    start: int
    end: int
    text: str

    def __reduce__(self) -> tuple:
        # pickled as constructor arguments: worker processes send every span back to the parent
        return (TextSpan, (self.start, self.end, self.text))


@dataclass(slots=True)
class Fact:
    """One reported figure and the indicator(s) it measures."""

    quantity: TextSpan
    value: Number
    unit: Optional[str]
    approximate: bool
    metrics: list[TextSpan] = field(default_factory=list)
    indicator_id: Optional[str] = None

    @property
    def indicator(self) -> Optional[str]:
        """The first metric's text, for convenience."""
        return self.metrics[0].text if self.metrics else None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["indicator"] = self.indicator
        return d

    def __reduce__(self) -> tuple:
        return (Fact, (self.quantity, self.value, self.unit, self.approximate, self.metrics, self.indicator_id))


@dataclass
class Check:
    """A consistency warning: parts that do not add up to their total, a run of table cells read one
    of several ways, or a narrative figure that disagrees with the table cell of its indicator."""

    message: str
    total_id: str
    total: Number
    parts: dict[str, Number]
    gap: Number
    # "sum": parts do not add up to the total; "ambiguous": a run of cells read one of several ways;
    # "narrative": the text's figure (parts) differs from the table's (total)
    kind: str = "sum"
    #: the spans a warning is about, ``{"role": "narrative"|"table", "start", "end", "text"}``
    spans: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """What govie read from one report."""

    text: str
    facts: list[Fact]
    quantities: list[Fact]
    relations: list[dict[str, Any]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, include_text: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "facts": [f.to_dict() for f in self.facts],
            "quantities": [f.to_dict() for f in self.quantities],
            "relations": self.relations,
            "checks": [c.to_dict() for c in self.checks],
            "meta": self.meta,
        }
        if include_text:
            d["text"] = self.text
        return d

    def to_json(self, include_text: bool = False, **kwargs: Any) -> str:
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(include_text), **kwargs)

    def to_dataframe(self, source: Optional[str] = None):
        """One row per fact as a pandas DataFrame (``pip install "govie[pandas]"``): source, issuer,
        year, indicator_id, indicator, value (``int64`` when every value is whole), unit, approximate and
        offsets; see :mod:`govie.io.tabular`."""
        from .io.tabular import to_dataframe

        return to_dataframe([(source, self)])

    def __repr__(self) -> str:
        # short: the dataclass repr printed the whole text and every fact (140 KB for one report)
        head = self.text[:20].replace("\n", " ")
        more = "…" if len(self.text) > 20 else ""
        return (f"<Report {len(self.text):,} chars {head!r}{more}: {len(self.facts)} facts, "
                f"{len(self.quantities)} quantities, {len(self.relations)} relations, {len(self.checks)} checks>")


def report_from_doc(doc: Doc) -> Report:
    """Build a :class:`Report` from a doc processed by a govie pipeline."""
    text = extensions.doc_text(doc)
    rels = doc._.relations or []
    ids = doc._.indicator_ids or {}
    metrics_of: dict[tuple[int, int], list[TextSpan]] = {}
    relations = []
    for hs, he, ts, te, label, score in rels:
        relations.append({"label": label, "head": {"start": hs, "end": he, "text": text[hs:he]},
                          "tail": {"start": ts, "end": te, "text": text[ts:te]}, "score": score})
        if label == "VALUE_OF":
            metrics_of.setdefault((hs, he), []).append(TextSpan(ts, te, text[ts:te]))
    quantities: list[Fact] = []
    facts: list[Fact] = []
    info = doc._.quantity_info or {}
    # (few objects per quantity: on a long report the garbage collector's passes cost more than the rest)
    for s, e, label in extensions.entity_offsets(doc):  # in offset order
        if label != "QUANTITY":
            continue
        # what a component recorded, else the reading of the text (``extensions.reading``)
        rec = info.get(f"{s}:{e}")
        if rec is None:
            n = read(text[s:e])
            if n is None:
                continue
            rec = (n.value, n.unit, n.approximate)
        if rec[0] is None:
            continue
        ms = metrics_of.get((s, e))
        ms = sorted(ms, key=lambda m: (abs(m.start - s), m.start)) if ms else []
        f = Fact(TextSpan(s, e, text[s:e]), rec[0], rec[1], bool(rec[2]), ms, ids.get(f"{s}:{e}"))
        quantities.append(f)
        if ms:
            facts.append(f)
    checks = [Check(**c) for c in (doc.user_data.get("govie_checks") or [])]
    return Report(text=text, facts=facts, quantities=quantities, relations=relations, checks=checks,
                  meta=dict(doc.user_data.get("govie_meta") or {}))
