"""Which relations a change moves, on train or dev (never test while tuning): dump the pipeline's
relations on every document of a split before and after the change, then list the relations that
moved, each marked gold or not. Dumps taken with two code trees (``PYTHONPATH=<other checkout>``; this
script needs nothing of govie but ``load``, ``parse_many`` and the corpus reader) or with two pipelines
compare the same way, which ``govie evaluate --compare`` cannot do for code.

    python training/relation_moves.py dump --split dev [--model DIR] OUT.jsonl
    PYTHONPATH=<other checkout> python training/relation_moves.py dump --split dev BEFORE.jsonl
    python training/relation_moves.py diff BEFORE.jsonl AFTER.jsonl [--label PART_OF]
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional, Sequence

#: a relation as compared: (label, head start, head end, tail start, tail end)
Key = tuple[str, int, int, int, int]


def dump_records(docs: Sequence, reports: Iterable) -> Iterator[dict]:
    """One record per corpus document (``CorpusDoc``): its id, the pipeline's relations (key, head and
    tail text, score) and the gold relations' keys. ``reports``: ``govie.parse_many`` of the documents'
    texts, in order."""
    for d, r in zip(docs, reports):
        gold = sorted((r[4], *r[:4]) for r in d.relation_offsets())
        rels = sorted((x["label"], x["head"]["start"], x["head"]["end"], x["tail"]["start"], x["tail"]["end"],
                       x["head"]["text"], x["tail"]["text"], x["score"]) for x in r.relations)
        yield {"id": d.id, "relations": [list(x) for x in rels], "gold": [list(g) for g in gold]}


@dataclass(frozen=True)
class Move:
    """A relation one dump has and the other has not."""
    doc: str
    added: bool  # in the second dump only (else in the first only)
    gold: bool
    label: str
    head: str
    tail: str

    def __str__(self) -> str:
        return f"{self.doc} {'+' if self.added else '-'} {'GOLD' if self.gold else '    '} {self.label} " \
               f"{self.head!r} -> {self.tail!r}"


def moves(before: Iterable[dict], after: Iterable[dict], label: Optional[str] = None) -> list[Move]:
    """The relations that differ between two dumps of the same documents (``label``: of that label
    only), document by document in the first dump's order; a document missing from either is an error."""
    after_by_id = {rec["id"]: rec for rec in after}
    out: list[Move] = []
    for rec in before:
        other = after_by_id.pop(rec["id"], None)
        if other is None:
            raise ValueError(f"document {rec['id']!r} is in the first dump only")
        gold = {tuple(g) for g in rec["gold"]}
        a = {tuple(x[:5]): x for x in rec["relations"]}
        b = {tuple(x[:5]): x for x in other["relations"]}
        for key in sorted(set(a) ^ set(b)):
            if label and key[0] != label:
                continue
            x = a.get(key) or b[key]
            out.append(Move(rec["id"], key in b, key in gold, key[0], x[5], x[6]))
    if after_by_id:
        raise ValueError(f"document {sorted(after_by_id)[0]!r} is in the second dump only")
    return out


def summary(found: Sequence[Move]) -> str:
    """``N relations move: gold +a -b, other +c -d``."""
    count = {(g, a): sum(m.gold == g and m.added == a for m in found) for g in (True, False) for a in (True, False)}
    return (f"{len(found)} relations move: gold +{count[True, True]} -{count[True, False]}, "
            f"other +{count[False, True]} -{count[False, False]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--split", choices=["train", "dev"], default="dev")
    d.add_argument("--model", default=None)
    d.add_argument("out")
    f = sub.add_parser("diff")
    f.add_argument("before")
    f.add_argument("after")
    f.add_argument("--label", choices=["VALUE_OF", "PART_OF"], default=None)
    args = ap.parse_args(argv)
    if args.command == "dump":
        import govie
        from govie.corpus.records import load_corpus

        nlp = govie.load(args.model)
        docs = [doc for doc in load_corpus() if doc.split == args.split]
        with open(args.out, "w", encoding="utf-8") as out:
            for rec in dump_records(docs, govie.parse_many([doc.text for doc in docs], nlp=nlp)):
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print(f"{len(docs)} documents -> {args.out}")
        return 0
    with open(args.before, encoding="utf-8") as a, open(args.after, encoding="utf-8") as b:
        try:
            found = moves(map(json.loads, a), map(json.loads, b), args.label)
        except ValueError as e:
            print(f"relation_moves: {e}", file=sys.stderr)
            return 2
    for m in found:
        print(m)
    print(summary(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
