"""Speed and memory of the shipped pipeline. Prints figures; asserts nothing.

    python benchmarks/speed.py [--texts DIR] [--model DIR|rules] [--repeat N]

- characters/second of the full pipeline and of the tokenizer alone (same run, same texts);
- ``parse_many`` with ``n_process=2`` against ``n_process=1``;
- each timed ``--rounds`` times in turn, the median reported (single runs move by a few points here);
- peak RSS of a fresh process parsing a 1 MB input.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def texts_from(d: Path, repeat: int) -> list[str]:
    files = sorted(d.glob("*.txt"))
    if not files:
        raise SystemExit(f"no .txt files in {d}")
    return [f.read_text(encoding="utf-8") for f in files] * repeat


def rate(chars: int, seconds: float) -> str:
    return f"{chars / seconds:,.0f} chars/s ({seconds:.2f} s)"


def peak_rss_1mb(model: str) -> float:
    code = (
        "import resource, sys, govie\n"
        "base = ''.join(open(p, encoding='utf-8').read() for p in sys.argv[2:])\n"
        "text = (base * (1_000_000 // len(base) + 1))[:1_000_000]\n"
        "nlp = govie.load(None if sys.argv[1] == 'default' else sys.argv[1])\n"
        "r = govie.parse(text, nlp=nlp)\n"
        "print(len(r.quantities), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    files = [str(p) for p in sorted((ROOT / "corpus" / "texts").glob("*.txt"))]
    out = subprocess.run([sys.executable, "-c", code, model, *files], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1]) / 1024  # KiB → MiB


def main() -> int:
    import govie

    ap = argparse.ArgumentParser()
    ap.add_argument("--texts", default=str(ROOT / "corpus" / "texts"))
    ap.add_argument("--model", default="default", help="pipeline dir, 'rules', or 'default' (shipped)")
    ap.add_argument("--repeat", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3, help="timings of each kind, in turn; the median is reported")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    texts = texts_from(Path(args.texts), args.repeat)
    chars = sum(len(t) for t in texts)
    nlp = govie.load(None if args.model == "default" else args.model)
    print(f"pipeline: {nlp.pipe_names}; {len(texts)} texts, {chars:,} characters")
    govie.parse(texts[0], nlp=nlp)  # warm up

    tok_pipe = nlp.tokenizer.pipe if hasattr(nlp.tokenizer, "pipe") else (lambda ts: map(nlp.make_doc, ts))
    rounds = []
    # Tokenizer, pipeline and n_process=2 are timed in turn, ``--rounds`` times: on a shared machine one
    # measurement of each can be a few points off; the median share of the rounds is the figure.
    for k in range(args.rounds):
        t = time.perf_counter()
        for _ in tok_pipe(texts):
            pass
        tok_s = time.perf_counter() - t

        t = time.perf_counter()
        n1 = sum(len(r.facts) for r in govie.parse_many(texts, nlp=nlp, n_process=1))
        full_s = time.perf_counter() - t

        t = time.perf_counter()
        n2 = sum(len(r.facts) for r in govie.parse_many(texts, nlp=nlp, n_process=2))
        full2_s = time.perf_counter() - t
        assert n1 == n2, "n_process=2 changed the result"
        rounds.append((tok_s, full_s, full2_s))
        print(f"round {k + 1}: tokenizer {tok_s:.2f} s, pipeline {full_s:.2f} s ({100 * tok_s / full_s:.1f}%), "
              f"n_process=2 {full2_s:.2f} s ({full_s / full2_s:.2f}x)")
    share = statistics.median(r[0] / r[1] for r in rounds)
    speedup = statistics.median(r[1] / r[2] for r in rounds)
    tok_s, full_s, full2_s = (statistics.median(r[i] for r in rounds) for i in range(3))

    rss = peak_rss_1mb(args.model)
    res = {"chars": chars, "tokenizer_chars_per_s": chars / tok_s, "pipeline_chars_per_s": chars / full_s,
           "pipeline_share_of_tokenizer": share, "n_process_2_chars_per_s": chars / full2_s,
           "n_process_2_speedup": speedup, "peak_rss_mib_1mb_input": rss, "rounds": rounds}
    print(f"median of {args.rounds} rounds:")
    print(f"tokenizer alone        : {rate(chars, tok_s)}")
    print(f"full pipeline (1 proc) : {rate(chars, full_s)} = {100 * share:.1f}% of tokenizer throughput")
    print(f"full pipeline (2 proc) : {rate(chars, full2_s)} = {speedup:.2f}x single")
    print(f"peak RSS, 1 MB input   : {rss:,.0f} MiB")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
