"""Scores of schema v1: quantity F1, fact F1 (overlapping / exact indicator), NER and relations.

- QUANTITY: a predicted span matches a gold span when they overlap (one-to-one).
- Fact: quantity spans overlap, ``value`` and ``unit`` equal, and a predicted METRIC overlaps a gold
  METRIC of that quantity (``fact``), or equals one exactly (``fact_exact``). Gold facts are the gold
  quantities with at least one metric; predicted facts are ``Report.facts``.
- NER: exact spans per label. Relations: exact (head span, tail span, label) triples.
Micro-averaged over documents. :func:`score_groups` gives the same scores per group of documents
(``kind``, ``format``, ``layout``, ``script`` of the corpus meta: :data:`GROUPINGS`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from ..corpus.records import CorpusDoc
from ..report import Report


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def to_dict(self) -> dict[str, float]:
        return {"p": round(self.p, 4), "r": round(self.r, 4), "f": round(self.f, 4), "tp": self.tp, "fp": self.fp,
                "fn": self.fn}


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _same_value(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def _match(pred: list, gold: list, ok) -> int:
    """Greedy one-to-one matching in text order; returns the number of matched pairs."""
    used = set()
    tp = 0
    for p in pred:
        for j, g in enumerate(gold):
            if j not in used and ok(p, g):
                used.add(j)
                tp += 1
                break
    return tp


@dataclass
class Scores:
    quantity: PRF = field(default_factory=PRF)
    fact: PRF = field(default_factory=PRF)
    fact_exact: PRF = field(default_factory=PRF)
    ner: dict[str, PRF] = field(default_factory=lambda: {"QUANTITY": PRF(), "METRIC": PRF()})
    relations: dict[str, PRF] = field(default_factory=lambda: {"VALUE_OF": PRF(), "PART_OF": PRF()})
    documents: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "quantity": self.quantity.to_dict(), "fact": self.fact.to_dict(),
                "fact_exact": self.fact_exact.to_dict(),
                "ner": {k: v.to_dict() for k, v in self.ner.items()},
                "relations": {k: v.to_dict() for k, v in self.relations.items()}}


def score_doc(gold: CorpusDoc, pred: Report, scores: Scores) -> None:
    scores.documents += 1
    gq = [(e["start"], e["end"]) for e in gold.entities if e["label"] == "QUANTITY"]
    pq = [(q.quantity.start, q.quantity.end) for q in pred.quantities]
    tp = _match(pq, gq, _overlap)
    scores.quantity.add(tp, len(pq) - tp, len(gq) - tp)

    gfacts = [f for f in gold.facts() if f["metrics"]]
    pfacts = [f for f in pred.facts if f.metrics]

    def fact_ok(exact: bool):
        def ok(p, g) -> bool:
            if not _overlap((p.quantity.start, p.quantity.end), (g["quantity"]["start"], g["quantity"]["end"])):
                return False
            if not _same_value(p.value, g["value"]) or p.unit != g["unit"]:
                return False
            for pm in p.metrics:
                for gm in g["metrics"]:
                    if (pm.start, pm.end) == (gm["start"], gm["end"]) if exact else _overlap(
                            (pm.start, pm.end), (gm["start"], gm["end"])):
                        return True
            return False
        return ok

    for prf, exact in ((scores.fact, False), (scores.fact_exact, True)):
        tp = _match(pfacts, gfacts, fact_ok(exact))
        prf.add(tp, len(pfacts) - tp, len(gfacts) - tp)

    gold_ents = {(e["start"], e["end"], e["label"]) for e in gold.entities}
    pred_ents = {(q.quantity.start, q.quantity.end, "QUANTITY") for q in pred.quantities}
    pred_ents |= {(r["tail"]["start"], r["tail"]["end"], "METRIC") for r in pred.relations if r["label"] == "VALUE_OF"}
    pred_ents |= {(r[k]["start"], r[k]["end"], "METRIC") for r in pred.relations if r["label"] == "PART_OF"
                  for k in ("head", "tail")}
    for label, prf in scores.ner.items():
        g = {x for x in gold_ents if x[2] == label}
        p = {x for x in pred_ents if x[2] == label}
        prf.add(len(g & p), len(p - g), len(g - p))

    grels = set(gold.relation_offsets())
    prels = {(r["head"]["start"], r["head"]["end"], r["tail"]["start"], r["tail"]["end"], r["label"])
             for r in pred.relations}
    for label, prf in scores.relations.items():
        g = {x for x in grels if x[4] == label}
        p = {x for x in prels if x[4] == label}
        prf.add(len(g & p), len(p - g), len(g - p))


def evaluate(gold_docs: Sequence[CorpusDoc], nlp, n_process: int = 1) -> Scores:
    """Parse each gold document's text with ``nlp`` and score it."""
    from ..api import parse_many

    scores = Scores()
    for gold, report in zip(gold_docs, parse_many([d.text for d in gold_docs], nlp=nlp, n_process=n_process)):
        score_doc(gold, report, scores)
    return scores


#: how :func:`score_groups` groups documents by default: corpus meta fields
GROUPINGS: dict[str, Callable[[CorpusDoc], str]] = {
    "kind": lambda d: d.kind,
    "format": lambda d: str(d.meta.get("format") or "unknown"),
    "layout": lambda d: d.layout,
    "script": lambda d: d.script,
}


def score_groups(gold_docs: Sequence[CorpusDoc], reports: Iterable[Report],
                 groupings: Optional[Mapping[str, Callable[[CorpusDoc], str]]] = None) -> dict[str, dict[str, Scores]]:
    """Scores of ``reports`` (one per gold document, in order) overall and per group:
    ``{"all": {"all": Scores}, "kind": {"report": Scores, "opening": Scores}, …}``.

    Each document is scored once (:func:`score_doc`) and its counts added to its groups, so the
    groups of one grouping sum to the overall counts."""
    groupings = GROUPINGS if groupings is None else groupings
    out: dict[str, dict[str, Scores]] = {"all": {"all": Scores()}}
    n = 0
    for gold, report in zip(gold_docs, reports):
        n += 1
        one = Scores()
        score_doc(gold, report, one)
        _add(out["all"]["all"], one)
        for name, key in groupings.items():
            _add(out.setdefault(name, {}).setdefault(str(key(gold)), Scores()), one)
    if n != len(gold_docs):
        raise ValueError(f"score_groups: {len(gold_docs)} gold documents but {n} reports")
    return out


def _add(total: Scores, one: Scores) -> None:
    """Add the counts of ``one`` into ``total``."""
    total.documents += one.documents
    for a, b in ((total.quantity, one.quantity), (total.fact, one.fact), (total.fact_exact, one.fact_exact)):
        a.add(b.tp, b.fp, b.fn)
    for k, prf in one.ner.items():
        total.ner.setdefault(k, PRF()).add(prf.tp, prf.fp, prf.fn)
    for k, prf in one.relations.items():
        total.relations.setdefault(k, PRF()).add(prf.tp, prf.fp, prf.fn)


def format_table(named: dict[str, Scores]) -> str:
    """Side-by-side table of several pipelines' scores."""
    names = list(named)
    rows = [("quantity F1", lambda s: s.quantity.f), ("fact F1", lambda s: s.fact.f),
            ("fact F1 (exact indicator)", lambda s: s.fact_exact.f),
            ("fact P", lambda s: s.fact.p), ("fact R", lambda s: s.fact.r)]
    for lab in ("QUANTITY", "METRIC"):
        for k in ("p", "r", "f"):
            rows.append((f"NER {lab} {k.upper()}", lambda s, lab=lab, k=k: getattr(s.ner[lab], k)))
    for lab in ("VALUE_OF", "PART_OF"):
        for k in ("p", "r", "f"):
            rows.append((f"REL {lab} {k.upper()}", lambda s, lab=lab, k=k: getattr(s.relations[lab], k)))
    w = max(len(r[0]) for r in rows) + 2
    out = ["".ljust(w) + "".join(n.rjust(12) for n in names)]
    for label, fn in rows:
        out.append(label.ljust(w) + "".join(f"{fn(named[n]):12.3f}" for n in names))
    docs = named[names[0]].documents
    out.append(f"({docs} documents)")
    return "\n".join(out)

