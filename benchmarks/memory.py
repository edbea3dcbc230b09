"""Peak memory of ``govie parse`` on one 50 MB text file (target: under 1 GiB, issue #16).

    python benchmarks/memory.py [--mb 50] [--texts corpus/texts] [--model DIR|rules] [--keep FILE]

The input is built by repeating ``corpus/texts/*.txt`` up to the size asked (UTF-8 bytes). The CLI
runs in a fresh process (``python -m govie.cli parse BIG -o OUT.jsonl``); its peak RSS is read from
``getrusage(RUSAGE_CHILDREN)``, next to the RSS of a process that only loads the pipeline.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIB = 1 << 30


def child_peak_rss(cmd: list[str]) -> tuple[int, float]:
    """Run ``cmd`` in a fresh process; its peak RSS (bytes) and wall time."""
    code = ("import resource, subprocess, sys, time\n"
            "t = time.perf_counter()\n"
            "rc = subprocess.run(sys.argv[1:]).returncode\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, time.perf_counter() - t, rc)\n")
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, check=True)
    rss, seconds, rc = out.stdout.split()
    if int(rc) != 0:
        raise SystemExit(f"command failed ({rc}): {' '.join(cmd)}\n{out.stderr}")
    return int(rss), float(seconds)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50.0)
    ap.add_argument("--texts", type=Path, default=ROOT / "corpus" / "texts")
    ap.add_argument("--model", default=None, help="pipeline directory or 'rules' (default: the shipped one)")
    ap.add_argument("--keep", type=Path, help="write the big input here (and keep it)")
    args = ap.parse_args(argv)
    files = sorted(args.texts.glob("*.txt"))
    if not files:
        ap.error(f"no .txt files in {args.texts}")
    base = "\n".join(f.read_text(encoding="utf-8") for f in files) + "\n"
    target = int(args.mb * 1_000_000)
    reps = target // len(base.encode("utf-8")) + 1
    model = ["--model", args.model] if args.model else []
    with tempfile.TemporaryDirectory() as tmp:
        big = args.keep or Path(tmp) / "big.txt"
        with open(big, "w", encoding="utf-8") as fh:
            for _ in range(reps):
                fh.write(base)
        size, chars = big.stat().st_size, len(base) * reps
        print(f"input: {big.name}, {size / 1e6:.1f} MB, {chars:,} chars ({len(files)} texts x {reps})")
        load_code = "import sys, govie; govie.load(None if sys.argv[1] == '-' else sys.argv[1])"
        idle, _ = child_peak_rss([sys.executable, "-c", load_code, args.model or "-"])
        print(f"pipeline loaded, nothing parsed: peak RSS {idle / 2**20:,.0f} MiB")
        out = Path(tmp) / "out.jsonl"
        rss, seconds = child_peak_rss([sys.executable, "-m", "govie.cli", "parse", str(big), "-o", str(out), *model])
        facts = sum(1 for _ in open(out, encoding="utf-8"))
        verdict = "OK" if rss < GIB else "OVER"
        print(f"govie parse {size / 1e6:.0f} MB: peak RSS {rss / 2**20:,.0f} MiB ({rss / GIB:.2f} GiB; target < 1 GiB: "
              f"{verdict}); {facts:,} facts; {seconds:.0f} s ({chars / seconds:,.0f} chars/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
