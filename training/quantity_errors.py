"""False-positive and false-negative QUANTITY spans against gold, grouped by class (issue #17).

    python training/quantity_errors.py --split dev [--split train] [--model DIR|rules] [--show 20]

Classes are read off the span and its context (a date, a clock time, a list marker, ...), so that a
fix targets a class of errors, not a string. Only the train and dev splits: the test split's errors
are never looked at before a model is frozen.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict

import govie
from govie.corpus import load_corpus

_CN = "零〇一二两兩三四五六七八九十百千"
#: (class, test on (span text, text before, text after)), first match wins
CLASSES = [
    ("document number", lambda s, b, a: bool(re.search(r"[〔\[【［]\s*\d*$", b) or re.match(r"\s*[〕\]】］]", a)
                                              or re.search(r"[〔\[【［]", s))),
    ("date / year", lambda s, b, a: bool(re.match(r"\s*(?:年|月|日|号(?![楼院])|-\d|/\d)", a) or re.search(r"[年月日]$", s)
                                         or re.search(r"(?:19|20)\d\d\s*[-—～~至到]\s*$", b))),
    ("clock time", lambda s, b, a: bool(re.match(r"\s*(?:[时:：]|点\s*\d)", a) or re.search(r"[时点:：]\s*$", b) and re.match(r"\s*分", a)
                                        or re.search(r"(?:上午|下午|晚上|早上|凌晨)\s*$", b))),
    ("session number", lambda s, b, a: bool(re.search(r"届$|届\s*$", s) or re.match(r"\s*(?:届|次全会|中全会|次会议|次常委会)", a))),
    ("ordinal 第N", lambda s, b, a: b.endswith("第")),
    ("list marker", lambda s, b, a: bool(re.match(r"\s*[、.．)）]", a) and re.search(r"(?:^|[\s。；;：:，,(（])$", b)
                                         or re.search(r"[(（]\s*$", b) and re.match(r"\s*[)）]", a) or re.match(r"[是]", a))),
    ("address / floor / room / house number", lambda s, b, a: bool(
        re.match(r"\s*(?:楼|层|号楼|号院|室|弄|栋|幢|单元|号$|号[^，,。]{0,3}(?:楼|院|大厦))", a)
        or re.search(r"(?:路|街|道|巷|大厦|大楼|楼|号楼|广场|中心)\s*$", b) and re.match(r"\s*(?:号|楼|层|室|F)", a + "$")
        or re.search(r"[楼层室号]$", s) and re.search(r"(?:路|街|道|巷|大厦|大楼|楼|广场|中心|院)\s*$", b))),
    ("phone / ID / postcode", lambda s, b, a: bool(re.fullmatch(r"[\d\-－—]{5,}", s.strip())
                                                   or re.search(r"(?:电话|传真|邮编|热线|号码|拨打|信箱|QQ|账号)[：:\s]*$", b))),
    ("name / slogan with numerals", lambda s, b, a: bool(re.search(r"[“\"「『《]\S{0,8}$", b) or re.match(r"\S{0,8}[”\"」』》]", a)
                                                         or re.fullmatch(rf"[{_CN}]+\S", s))),
    ("bare number (table)", lambda s, b, a: bool(re.fullmatch(r"[\d.,]+", s.strip()))),
]


def classify(text: str, start: int, end: int) -> str:
    s, b, a = text[start:end], text[max(0, start - 12):start], text[end:end + 12]
    for name, test in CLASSES:
        if test(s, b, a):
            return name
    return "other"


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def errors(doc, report) -> tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[tuple[int, int], tuple[int, int]]]]:
    """(false positives, false negatives, boundary differences) of one document's QUANTITY spans."""
    gold = sorted((e["start"], e["end"]) for e in doc.entities if e["label"] == "QUANTITY")
    pred = sorted((q.quantity.start, q.quantity.end) for q in report.quantities)
    used: set[int] = set()
    fp, bounds = [], []
    for p in pred:
        j = next((j for j, g in enumerate(gold) if j not in used and _overlap(p, g)), None)
        if j is None:
            fp.append(p)
        else:
            used.add(j)
            if gold[j] != p:
                bounds.append((p, gold[j]))
    fn = [g for j, g in enumerate(gold) if j not in used]
    return fp, fn, bounds


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", action="append", choices=["train", "dev"],
                    help="train and/or dev (repeatable; default dev). The test split is refused.")
    ap.add_argument("--model", default="rules", help="pipeline directory, or 'rules' (default), or 'shipped'")
    ap.add_argument("--show", type=int, default=10, help="examples printed per class")
    ap.add_argument("--bounds", action="store_true", help="also list overlapping spans with other bounds")
    args = ap.parse_args(argv)
    splits = set(args.split or ["dev"])
    nlp = govie.load(None if args.model == "shipped" else args.model)
    docs = [d for d in load_corpus(missing="skip") if d.split in splits]
    by_class: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"FP": [], "FN": []})
    n_bounds = 0
    bound_examples: list[str] = []
    for d, r in zip(docs, govie.parse_many([d.text for d in docs], nlp=nlp)):
        fp, fn, bounds = errors(d, r)
        for kind, spans in (("FP", fp), ("FN", fn)):
            for s, e in spans:
                ctx = d.text[max(0, s - 12):s] + "[" + d.text[s:e] + "]" + d.text[e:e + 12]
                by_class[classify(d.text, s, e)][kind].append(f"{d.id} {d.split}: " + ctx.replace("\n", "⏎"))
        n_bounds += len(bounds)
        for p, g in bounds:
            bound_examples.append(f"{d.id}: pred [{d.text[p[0]:p[1]]}] gold [{d.text[g[0]:g[1]]}]".replace("\n", "⏎"))
    total = Counter()
    print(f"QUANTITY errors on {'+'.join(sorted(splits))} ({len(docs)} documents, model {args.model})")
    print(f"{'class':40}{'FP':>6}{'FN':>6}")
    for name, kinds in sorted(by_class.items(), key=lambda kv: -len(kv[1]["FP"]) - len(kv[1]["FN"])):
        print(f"{name:40}{len(kinds['FP']):6}{len(kinds['FN']):6}")
        total["FP"] += len(kinds["FP"])
        total["FN"] += len(kinds["FN"])
    print(f"{'total':40}{total['FP']:6}{total['FN']:6}   (+{n_bounds} overlapping with other bounds)")
    if args.show:
        for name, kinds in sorted(by_class.items()):
            for kind in ("FP", "FN"):
                for line in kinds[kind][:args.show]:
                    print(f"  {kind} {name}: {line}")
        if args.bounds:
            for line in bound_examples[:args.show * 5]:
                print("  BOUNDS", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
