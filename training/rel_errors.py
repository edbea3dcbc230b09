"""Where relations are lost: gold PART_OF and VALUE_OF relations of a corpus split, each put in one
class by what the relation component had to work with (for tuning on dev; never run it on test
before the model is frozen). "found" and the false positives are of the pipeline's final output (after
the components that follow the relation component: counted nouns, final METRIC bounds), as
``govie evaluate`` scores it; the classes of a miss are of the spans and scores the relation component saw.

    python training/rel_errors.py [--split dev] [--model DIR] [--show CLASS] [--limit N]

Gold PART_OF (child → parent), in the first class that applies:
  found; child/parent span missing (no NER METRIC or rule proposal with exactly that span, an
  overlapping one counted apart); no candidate pair (both spans there, the featurizer does not pair
  them); scored low (a candidate under the threshold); scored but not placed (over the threshold,
  its METRIC not placed); wrong parent (the child has another parent). Each is also counted by the
  cue between parent and child (其中 / 分别 / 包括 / none) and by table vs narrative (table: a table
  cell is linked to the child or the parent before the relation component runs).
Gold VALUE_OF (quantity → metric): found; no quantity; table cell (linked before the relation
component); metric span missing; no candidate pair; scored low; other metric chosen.
False positives are counted by label and by cue. Facts (as ``govie evaluate`` matches them): misses
(no quantity, value/unit differ, no metric linked, metric elsewhere) and false positives (not a gold
quantity, a gold quantity without metric, metric elsewhere).
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict

import govie
from govie.api import CHUNK_CHARS, MAX_RUN, _clean, chunks
from govie.corpus.records import load_corpus
from govie.pipeline import extensions
from govie.pipeline.rule_linker import PROPOSALS

CUES = ("其中", "分别", "包括")


def cue(text: str) -> str:
    found = [c for c in CUES if c in text]
    return found[0] if found else "none"


def analyse(docs, nlp, threshold=None):
    rel = nlp.get_pipe("govie_relations")
    if threshold is not None:
        rel.cfg["threshold"] = threshold
    threshold = rel.cfg["threshold"]
    counts: dict[str, Counter] = defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)
    # the components after the relation component (counted nouns, final METRIC bounds, indicators) run
    # after it here too: the found and false-positive lists are of what govie.parse returns
    names = nlp.pipe_names
    later = names[names.index("govie_relations") + 1:]
    for d in docs:
        for off, piece in list(chunks(d.text, CHUNK_CHARS, MAX_RUN)) or [(0, "")]:
            with nlp.select_pipes(disable=["govie_relations", *later]):
                doc = nlp(_clean(piece))
            before_rels = list(doc._.relations)
            table_tails = {(r[2] + off, r[3] + off) for r in before_rels if r[4] == "VALUE_OF"}
            table_qs = {(r[0] + off, r[1] + off) for r in before_rels if r[4] == "VALUE_OF"}
            ner_metrics = {(e.start_char + off, e.end_char + off) for e in extensions.entities(doc)
                           if e.label_ == "METRIC"}
            proposals = doc._.get(PROPOSALS) or {}
            proposed = {(m0 + off, m1 + off) for _, _, m0, m1 in proposals.get("VALUE_OF", ())}
            scores = rel.predict([doc])
            probs = {(label, (h[0] + off, h[1] + off), (t[0] + off, t[1] + off)): p
                     for label, h, t, p in rel._probabilities(scores)[0]}
            rel.set_annotations([doc], scores)
            for name in later:
                doc = nlp.get_pipe(name)(doc)
            pred = {(r[0] + off, r[1] + off, r[2] + off, r[3] + off, r[4]) for r in doc._.relations}
            pred_q = {(e.start_char + off, e.end_char + off) for e in extensions.entities(doc) if e.label_ == "QUANTITY"}
            lo, hi = off, off + len(piece)
            gold = {r for r in d.relation_offsets() if lo <= r[0] < hi}
            spans = ner_metrics | proposed

            def show(cls, g):
                a, b = min(g[0], g[2]), max(g[1], g[3])
                examples[cls].append(f"{d.id} {d.text[g[0]:g[1]]!r} -> {d.text[g[2]:g[3]]!r}  "
                                     f"{d.text[max(0, a - 15):b + 10]!r}")

            for g in sorted(gold):
                c, p = (g[0], g[1]), (g[2], g[3])
                if g[4] == "PART_OF":
                    between = d.text[min(p[1], c[1]):max(p[0], c[0])]
                    if g in pred:
                        cls = "found"
                    elif c not in spans or p not in spans:
                        miss = c if c not in spans else p
                        near = any(s[0] < miss[1] and miss[0] < s[1] for s in spans)
                        cls = "span missing (overlap)" if near else "span missing"
                    elif ("PART_OF", c, p) not in probs:
                        cls = "no candidate pair"
                    elif probs[("PART_OF", c, p)] < threshold:
                        cls = "scored low"
                    elif any(r[4] == "PART_OF" and (r[0], r[1]) == c for r in pred):
                        cls = "wrong parent"
                    else:
                        cls = "scored but not placed"
                    where = "table" if (c in table_tails or p in table_tails) else "narrative"
                    counts["PART_OF"][cls] += 1
                    counts["PART_OF by cue"][(cls == "found", cue(between))] += 1
                    counts["PART_OF by place"][(cls == "found", where)] += 1
                    if c in ner_metrics and p in ner_metrics:
                        counts["PART_OF spans"]["both NER"] += 1
                    elif c in spans and p in spans:
                        counts["PART_OF spans"]["one/both only proposed"] += 1
                    show("PART_OF " + cls, g)
                else:
                    q, m = c, p
                    if g in pred:
                        cls = "found"
                    elif not any(x[0] < q[1] and q[0] < x[1] for x in pred_q):
                        cls = "no quantity"
                    elif q in table_qs:
                        cls = "table cell (linked before)"
                    elif m not in spans:
                        near = any(s[0] < m[1] and m[0] < s[1] for s in spans)
                        cls = "metric span missing (overlap)" if near else "metric span missing"
                    elif ("VALUE_OF", q, m) not in probs:
                        cls = "no candidate pair"
                    elif probs[("VALUE_OF", q, m)] < threshold:
                        cls = "scored low"
                    else:
                        cls = "other metric chosen"
                    counts["VALUE_OF"][cls] += 1
                    if cls != "found":
                        show("VALUE_OF " + cls, g)
            for r in sorted(pred - gold):
                if r[4] == "PART_OF":
                    c, p = (r[0], r[1]), (r[2], r[3])
                    counts["PART_OF false positives"][cue(d.text[min(p[1], c[1]):max(p[0], c[0])])] += 1
                    show("PART_OF false positive", r)
                elif (r[0], r[1]) not in table_qs:
                    counts["VALUE_OF false positives"]["narrative"] += 1
                else:
                    counts["VALUE_OF false positives"]["table"] += 1
    return counts, examples


def fact_errors(docs, nlp):
    """Fact errors by class, from the Reports as ``govie evaluate`` scores them (overlap matching)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)

    def ov(a, b):
        return a[0] < b[1] and b[0] < a[1]

    for d, report in zip(docs, govie.parse_many([d.text for d in docs], nlp=nlp)):
        gfacts = [f for f in d.facts() if f["metrics"]]
        gq = {(f["quantity"]["start"], f["quantity"]["end"]): f for f in d.facts()}
        pred = {(f.quantity.start, f.quantity.end): f for f in report.facts}
        allq = {(f.quantity.start, f.quantity.end): f for f in report.quantities}
        for g in gfacts:
            q = (g["quantity"]["start"], g["quantity"]["end"])
            p = next((f for k, f in pred.items() if ov(k, q)), None)
            anyq = next((f for k, f in allq.items() if ov(k, q)), None)
            gm = [(m["start"], m["end"]) for m in g["metrics"]]
            if anyq is None:
                cls = "no quantity"
            elif anyq.value != g["value"] and not (anyq.value and g["value"] and abs(anyq.value - g["value"]) < 1e-6) \
                    or anyq.unit != g["unit"]:
                cls = "value/unit differ"
            elif p is None:
                cls = "no metric linked"
            elif not any(ov((m.start, m.end), x) for m in p.metrics for x in gm):
                cls = "metric elsewhere"
            else:
                continue
            counts["fact misses"][cls] += 1
            m = gm[0]
            examples["fact miss " + cls].append(f"{d.id} {d.text[q[0]:q[1]]!r} gold {d.text[m[0]:m[1]]!r} pred "
                                                f"{[m.text for m in p.metrics] if p else None} "
                                                f"{d.text[max(0, min(q[0], m[0]) - 15):max(q[1], m[1]) + 8]!r}")
        for k, f in pred.items():
            g = next((g for gk, g in gq.items() if ov(gk, k)), None)
            if g is None:
                cls = "not a gold quantity"
            elif not g["metrics"]:
                cls = "gold quantity has no metric"
            elif any(ov((m.start, m.end), (x["start"], x["end"])) for m in f.metrics for x in g["metrics"]):
                continue
            else:
                cls = "metric elsewhere"
            counts["fact false positives"][cls] += 1
            examples["fact fp " + cls].append(f"{d.id} {f.quantity.text!r} pred {[m.text for m in f.metrics]} "
                                              f"{d.text[max(0, f.quantity.start - 25):f.quantity.end + 8]!r}")
    return counts, examples


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="dev", choices=["train", "dev"], help="never test while tuning")
    ap.add_argument("--model", default=None)
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--show", default=None, help="print the examples of the classes whose name contains this")
    ap.add_argument("--limit", type=int, default=30)
    args = ap.parse_args()
    nlp = govie.load(args.model)
    docs = [d for d in load_corpus() if d.split == args.split]
    counts, examples = analyse(docs, nlp, args.threshold)
    more_counts, more_examples = fact_errors(docs, nlp)
    counts.update(more_counts)
    examples.update(more_examples)
    for name, c in counts.items():
        print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in sorted(c.items(), key=lambda kv: -kv[1])))
    if args.show:
        for cls, rows in sorted(examples.items()):
            if re.search(args.show, cls):
                print(f"\n## {cls} ({len(rows)})")
                for row in rows[:args.limit]:
                    print(" ", row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
