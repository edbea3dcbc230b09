"""Seconds per pipeline component on the same texts: where the time goes. Prints figures; asserts nothing.

    python benchmarks/components.py [--texts DIR] [--model DIR ...] [--repeat N] [--rounds N]

Each model's tokenizer and components run over the texts in ``--batch-size`` batches (the
``parse_many`` default), ``--rounds`` times; the fastest round of each is printed, so that models
measured in turn on a shared machine can be compared component by component.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def time_components(nlp, texts: list[str], batch_size: int) -> dict[str, float]:
    """Seconds of the tokenizer and of each component over ``texts``."""
    out: dict[str, float] = {}
    t = time.perf_counter()
    docs = [nlp.make_doc(x) for x in texts]
    out["tokenizer"] = time.perf_counter() - t
    for name, proc in nlp.pipeline:
        t = time.perf_counter()
        if hasattr(proc, "pipe"):
            docs = list(proc.pipe(docs, batch_size=batch_size))
        else:
            docs = [proc(d) for d in docs]
        out[name] = time.perf_counter() - t
    return out


def main() -> int:
    import govie
    from govie.api import DEFAULT_BATCH_SIZE

    ap = argparse.ArgumentParser()
    ap.add_argument("--texts", default=str(ROOT / "corpus" / "texts"))
    ap.add_argument("--model", action="append", default=None, help="pipeline dir (repeatable; default: shipped)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    args = ap.parse_args()
    files = sorted(Path(args.texts).glob("*.txt"))
    if not files:
        raise SystemExit(f"no .txt files in {args.texts}")
    texts = [f.read_text(encoding="utf-8") for f in files] * args.repeat
    models = args.model or ["default"]
    nlps = {m: govie.load(None if m == "default" else m) for m in models}
    best: dict[str, dict[str, float]] = {m: {} for m in models}
    for _ in range(args.rounds):
        for m, nlp in nlps.items():
            for name, s in time_components(nlp, texts, args.batch_size).items():
                best[m][name] = min(s, best[m].get(name, s))
    print(f"{len(texts)} texts, {sum(map(len, texts)):,} characters; fastest of {args.rounds} rounds, seconds")
    names = list(dict.fromkeys(n for m in models for n in best[m]))
    print("component".ljust(22) + "".join(m[-24:].rjust(26) for m in models))
    for n in names + ["components total"]:
        cells = []
        for m in models:
            b = best[m]
            v = sum(s for k, s in b.items() if k != "tokenizer") if n == "components total" else b.get(n)
            cells.append("-" if v is None else f"{v:.3f}")
        print(n.ljust(22) + "".join(c.rjust(26) for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
