"""Speed of the shipped pipeline, side by side with a baseline checkout (govie 0.1). Prints figures;
asserts nothing.

    python benchmarks/speed.py [--baseline /path/to/govie-0.1-checkout] [--texts DIR] [--max-chars N]
                               [--rounds N] [--no-parallel] [--json FILE]
    python benchmarks/speed.py --cold-start FILE [--rounds N]

Each tree (this one, and the baseline if given) runs in its own fresh subprocess, with
``PYTHONPATH=<tree>``, on the same texts; the trees take turns, ``--rounds`` times, and the medians
are printed:

- CPU seconds of the full pipeline (``parse_many``, one process) and characters per second;
- CPU seconds of the tokenizer and of each component (the docs run through one component at a time);
- peak RSS of the worker process;
- the ratio of the baseline's full-pipeline CPU time to this tree's (the throughput ratio);
- for this tree, ``parse_many(n_process=2)`` against ``n_process=1``: wall-clock and CPU-time ratios
  (CPU counted in both processes); on a shared machine wall time is blurred by other load;
- the machine's load average before and after.

``--cold-start FILE`` times ``python -m govie.cli parse FILE`` in fresh processes instead (wall and CPU,
medians), then shows where one process spends it (import spacy, import govie, load(), the parse) and
whether a parse imported any heavy optional library.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORKER = r"""
import json, os, resource, sys, time
# an installed (editable) govie's finder and entry points name its own modules: each tree registers the
# modules its own pyproject.toml names as entry points, and the installed ones are dropped
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in getattr(f, "__module__", "") + repr(f)]
import catalogue, importlib, tomllib
_eps = catalogue.AVAILABLE_ENTRY_POINTS
if isinstance(_eps, dict):  # {group: [entry points]} (importlib.metadata before 3.12)
    catalogue.AVAILABLE_ENTRY_POINTS = {g: [e for e in v if not e.value.startswith("govie")]
                                        for g, v in dict.items(_eps)}
else:
    from importlib.metadata import EntryPoints
    catalogue.AVAILABLE_ENTRY_POINTS = EntryPoints(e for e in _eps if not e.value.startswith("govie"))
with open(os.path.join(sys.argv[1], "pyproject.toml"), "rb") as _f:
    for _group in tomllib.load(_f).get("project", {}).get("entry-points", {}).values():
        for _v in _group.values():
            importlib.import_module(_v.split(":")[0])
tree, parallel = sys.argv[1], sys.argv[2] == "1"
paths = sys.argv[3:]
texts = [open(p, encoding="utf-8").read() for p in paths]
import govie
from govie.api import load, parse_many
t = time.perf_counter()
nlp = load()
load_s = time.perf_counter() - t
list(parse_many(texts[:1], nlp=nlp))  # warm up (lazy imports, caches of the first text)
out = {"tree": tree, "load_s": load_s, "chars": sum(map(len, texts)), "texts": len(texts)}
c = time.process_time()
n = sum(len(r.facts) for r in parse_many(texts, nlp=nlp))
out["full_cpu_s"] = time.process_time() - c
out["facts"] = n
comp = {}
c = time.process_time()
docs = [nlp.make_doc(t) for t in texts]
comp["tokenizer"] = time.process_time() - c
for name, proc in nlp.pipeline:
    c = time.process_time()
    docs = [proc(d) for d in docs]
    comp[name] = time.process_time() - c
out["components_cpu_s"] = comp
if parallel:
    w = time.perf_counter(); c = time.process_time()
    n1 = sum(len(r.facts) for r in parse_many(texts, nlp=nlp, n_process=1))
    out["np1_wall_s"], out["np1_cpu_s"] = time.perf_counter() - w, time.process_time() - c
    ch0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    w = time.perf_counter(); c = time.process_time()
    n2 = sum(len(r.facts) for r in parse_many(texts, nlp=nlp, n_process=2))
    ch1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["np2_wall_s"] = time.perf_counter() - w
    out["np2_cpu_s"] = time.process_time() - c + (ch1.ru_utime + ch1.ru_stime) - (ch0.ru_utime + ch0.ru_stime)
    out["np2_same_facts"] = n1 == n2
out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps(out))
"""


def run_tree(tree: Path, paths: list[str], parallel: bool) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run([sys.executable, "-c", WORKER, str(tree), "1" if parallel else "0", *paths],
                         capture_output=True, text=True, env=env, cwd=str(tree))
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"benchmark worker failed in {tree}:\n{out.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def med(rs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rs)


PHASES = r"""
import json, sys, time
t0 = time.perf_counter(); c0 = time.process_time()
out = {}
def mark(name):
    out[name] = (time.perf_counter() - t0, time.process_time() - c0)
import spacy; mark("import spacy")
import govie; mark("import govie")
nlp = govie.load(); mark("govie.load()")
r = govie.parse_file(sys.argv[1], nlp=nlp); mark("parse")
heavy = ("sklearn", "datasets", "pandas", "pyarrow", "matplotlib", "pdfplumber", "pdfminer", "docx", "bs4")
out["heavy modules"] = sorted({m.split(".")[0] for m in sys.modules} & set(heavy))
print("RESULT " + json.dumps(out))
"""


def cold_start(path: Path, rounds: int) -> int:
    """Wall and CPU seconds of ``python -m govie.cli parse FILE -o OUT.jsonl`` in fresh processes (CPU:
    the child's user + system time), medians of ``rounds``; then where one process spends it."""
    import resource
    import tempfile

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    load = os.getloadavg()
    print(f"cold start: govie parse {path.name} ({len(path.read_text(encoding='utf-8')):,} characters), "
          f"{rounds} rounds; {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(rounds):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "govie.cli", "parse", str(path), "-o", f"{tmp}/out.jsonl"],
                           env=env, cwd=str(ROOT), check=True, stdout=subprocess.DEVNULL)
            walls.append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            print(f"round {k + 1}: wall {walls[-1]:.2f} s, CPU {cpus[-1]:.2f} s, load avg {os.getloadavg()[0]:.2f}")
        print(f"median: wall {statistics.median(walls):.2f} s, CPU {statistics.median(cpus):.2f} s (target <= 1.5 s)")
        out = subprocess.run([sys.executable, "-c", PHASES, str(path)], env=env, cwd=str(ROOT),
                             capture_output=True, text=True, check=True)
    res = json.loads([ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")][-1][len("RESULT "):])
    prev = (0.0, 0.0)
    print("one process, cumulative (wall, CPU) and the phase's own CPU:")
    for name, v in res.items():
        if isinstance(v, list) and len(v) == 2 and isinstance(v[0], float):
            print(f"  {name:14s} {v[0]:6.2f} s wall {v[1]:6.2f} s CPU   (+{v[1] - prev[1]:.2f} s CPU)")
            prev = v
    print(f"  heavy modules imported by a parse: {res['heavy modules'] or 'none'}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=Path, help="a govie 0.1 checkout (its govie/ and govie/model)")
    ap.add_argument("--texts", type=Path, default=ROOT.parent / "shared" / "reports")
    ap.add_argument("--max-chars", type=int, default=150_000, help="texts in name order up to this many characters")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-parallel", action="store_true", help="skip the n_process=2 measurement")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--cold-start", type=Path, metavar="FILE",
                    help="instead: `python -m govie.cli parse FILE` in fresh processes (this tree), --rounds times")
    args = ap.parse_args(argv)
    if args.cold_start:
        return cold_start(args.cold_start, args.rounds)
    files = sorted(args.texts.glob("*.txt")) or sorted((ROOT / "corpus" / "texts").glob("*.txt"))
    paths, total = [], 0
    for f in files:
        if total >= args.max_chars:
            break
        paths.append(str(f))
        total += len(f.read_text(encoding="utf-8"))
    trees = [("this", ROOT)] + ([("0.1", args.baseline.resolve())] if args.baseline else [])
    load0 = os.getloadavg()
    print(f"{len(paths)} texts from {args.texts}, {total:,} characters; {os.cpu_count()} CPUs; "
          f"load average at start {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    results: dict[str, list[dict]] = {name: [] for name, _ in trees}
    for k in range(args.rounds):
        for name, tree in trees if k % 2 == 0 else trees[::-1]:
            r = run_tree(tree, paths, parallel=(name == "this" and not args.no_parallel))
            results[name].append(r)
            print(f"round {k + 1} {name:>4}: full pipeline {r['full_cpu_s']:.2f} s CPU "
                  f"({r['chars'] / r['full_cpu_s']:,.0f} chars/s), {r['facts']} facts, "
                  f"load avg {os.getloadavg()[0]:.2f}", flush=True)
    load1 = os.getloadavg()
    print(f"\nmedians of {args.rounds} rounds (CPU seconds; each tree in its own process)")
    names = [n for n, _ in trees]
    comps = list(results["this"][0]["components_cpu_s"])
    for n in names[1:]:
        comps += [c for c in results[n][0]["components_cpu_s"] if c not in comps]
    print(f"{'':28s}" + "".join(f"{n:>12s}" for n in names))
    for c in comps:
        row = [statistics.median(r["components_cpu_s"].get(c, float("nan")) for r in results[n]) for n in names]
        print(f"{c:28s}" + "".join(f"{v:12.2f}" for v in row))
    print(f"{'components total':28s}" + "".join(
        f"{statistics.median(sum(r['components_cpu_s'].values()) for r in results[n]):12.2f}" for n in names))
    print(f"{'full pipeline (parse_many)':28s}" + "".join(f"{med(results[n], 'full_cpu_s'):12.2f}" for n in names))
    print(f"{'chars/s':28s}" + "".join(f"{med(results[n], 'chars') / med(results[n], 'full_cpu_s'):12,.0f}"
                                        for n in names))
    print(f"{'peak RSS MiB':28s}" + "".join(f"{med(results[n], 'peak_rss_mib'):12,.0f}" for n in names))
    print(f"{'load() s (wall)':28s}" + "".join(f"{med(results[n], 'load_s'):12.2f}" for n in names))
    res = {"paths": paths, "load_start": load0, "load_end": load1, "results": results}
    if args.baseline:
        ratios = [b["full_cpu_s"] / t["full_cpu_s"] for t, b in zip(results["this"], results["0.1"])]
        res["ratio_vs_0.1"] = statistics.median(ratios)
        print(f"throughput vs 0.1: {statistics.median(ratios):.2f}x (median of rounds: "
              f"{', '.join(f'{x:.2f}' for x in ratios)})")
    if not args.no_parallel:
        rs = results["this"]
        wall = [r["np1_wall_s"] / r["np2_wall_s"] for r in rs]
        cpu = [r["np2_cpu_s"] / r["np1_cpu_s"] for r in rs]
        print(f"n_process=2 vs 1: wall {statistics.median(wall):.2f}x faster; CPU time "
              f"{statistics.median(cpu):.2f}x of one process (same facts: {all(r['np2_same_facts'] for r in rs)})")
    print(f"load average at end {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
