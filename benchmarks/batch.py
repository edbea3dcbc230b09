"""Batch throughput: ``govie parse DIR -o OUT/ --jobs N`` for N = 1 and 2 on the same directory.

    python benchmarks/batch.py [--dir ../shared/reports] [--jobs 1 2] [--model DIR|rules] [--repeat 1]

Each setting runs in a fresh Python process (no run warms caches for the next) and writes into a
fresh output directory (nothing is skipped); the pipeline is loaded before the clock starts,
worker start-up is inside it. Prints files/s and chars/s; asserts
nothing.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import json, sys, time
import govie
from govie.io.batch import run_batch
src, out, jobs, model = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] or None
govie.load(model)
started = time.perf_counter()
r = run_batch([src], out, jobs=jobs, fmt="jsonl", nlp_path=model, progress=False)
print(json.dumps({"parsed": r.parsed, "failed": r.failed, "chars": r.chars,
                  "seconds": time.perf_counter() - started}))
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=ROOT.parent / "shared" / "reports")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--model", default=None, help="pipeline directory or 'rules' (default: the shipped one)")
    ap.add_argument("--repeat", type=int, default=1, help="copies of the directory to parse (more work per run)")
    args = ap.parse_args(argv)
    if not args.dir.is_dir():
        ap.error(f"{args.dir} is not a directory")
    with tempfile.TemporaryDirectory() as tmp:
        src = args.dir
        if args.repeat > 1:
            src = Path(tmp) / "src"
            for i in range(args.repeat):
                shutil.copytree(args.dir, src / f"copy{i}")
        print(f"input: {args.dir} x{args.repeat}; model: {args.model or 'shipped'}")
        for jobs in args.jobs:
            out = Path(tmp) / f"out-{jobs}"
            proc = subprocess.run([sys.executable, "-c", CHILD, str(src), str(out), str(jobs), args.model or ""],
                                  capture_output=True, text=True, cwd=ROOT)
            if proc.returncode:
                print(f"--jobs {jobs}: failed\n{proc.stderr.strip()}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"--jobs {jobs}: {r['parsed']} files ({r['failed']} failed), {r['chars']:,} chars in "
                  f"{r['seconds']:.2f} s: {r['parsed'] / r['seconds']:.1f} files/s, "
                  f"{r['chars'] / r['seconds']:,.0f} chars/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
