"""Fuzz ``govie.parse`` before a release: the properties of tests/test_properties.py, for longer, with
random seeds. A failing input is shrunk by Hypothesis, printed, and appended to
tests/data/parse_crashes.jsonl so that CI replays it from then on.

    python benchmarks/fuzz.py --minutes 10 [--model rules|DIR]

Prints the number of examples tried and the crashes found; exit 1 if any.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
CRASH_FILE = ROOT / "tests" / "data" / "parse_crashes.jsonl"


def main(argv: list[str] | None = None) -> int:
    import govie
    from test_properties import TEXTS, check_parse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--model", default=None, help="rules, a pipeline directory, or the shipped model (default)")
    args = ap.parse_args(argv)
    nlp = govie.build_rule_pipeline() if args.model == "rules" else govie.load(args.model)
    deadline = time.monotonic() + args.minutes * 60
    known = {json.loads(line) for line in CRASH_FILE.read_text(encoding="utf-8").splitlines() if line}
    tried = rounds = 0
    found: list[str] = []

    @settings(max_examples=500, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text=TEXTS)
    def prop(text: str) -> None:
        nonlocal tried
        tried += 1
        try:
            check_parse(nlp, text)
        except Exception:
            prop.last = text  # type: ignore[attr-defined]
            raise

    while time.monotonic() < deadline:
        rounds += 1
        try:
            prop()
        except Exception as e:  # Hypothesis re-raises the shrunk failure
            text = getattr(prop, "last", None)
            print(f"crash: {type(e).__name__}: {e}\n  input: {text!r}", flush=True)
            if text is not None and text not in known:
                known.add(text)
                found.append(text)
                with CRASH_FILE.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(text, ensure_ascii=False) + "\n")
    print(f"fuzz: {tried} examples in {rounds} rounds of 500 ({args.minutes:g} min, model "
          f"{args.model or 'shipped'}): {len(found)} new crash(es)" + (f", appended to {CRASH_FILE}" if found else ""))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
