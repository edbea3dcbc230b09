"""Speed of the shipped pipeline, side by side with a baseline checkout (govie 0.1). Prints figures;
asserts nothing.

    python benchmarks/speed.py [--baseline /path/to/govie-0.1-checkout] [--texts DIR] [--max-chars N]
                               [--rounds N] [--no-parallel] [--parallel-only] [--json FILE]
    python benchmarks/speed.py --cold-start FILE [--rounds N] [--baseline TREE]

Each tree (this one, and the baseline if given) runs in its own fresh subprocess, with
``PYTHONPATH=<tree>``, on the same texts; the trees take turns, ``--rounds`` times, and the medians
are printed:

- CPU seconds of the full pipeline (``parse_many``, one process) and characters per second;
- CPU seconds of the tokenizer and of each component (the docs run through one component at a time);
- peak RSS of the worker process;
- the ratio of the baseline's full-pipeline CPU time to this tree's (the throughput ratio);
- the machine's load average before and after.

Then, for this tree, ``parse_many(n_process=2)`` against ``n_process=1`` on every text of ``--texts``
(not only the first ``--max-chars``: worker start-up must be paid for by enough work), in one process,
the two in turns, ``--rounds`` times: wall-clock and CPU-time ratios per round (CPU of this process and
of the workers, which are ended after each run so that their time is counted), the load average at
each round, and the medians. Wall time only means something on an idle machine: with a load average
near or above the number of CPUs the other load decides it; the CPU-time ratio is the overhead of the
second process (start-up, sending texts and results). ``--parallel-only`` runs just this part.

``--cold-start FILE`` times ``python -m govie.cli parse FILE`` in fresh processes instead (wall and CPU,
medians; with ``--baseline TREE``, that tree's too, in turns), then shows where one process spends it
(import govie, import spacy as the CLI does, load(), the parse), whether a parse imported any heavy optional
library, and for scale the CPU of a bare interpreter and of a bare ``import spacy``, and how long the
interpreter's teardown takes after ``import spacy`` (which the ``govie`` command skips).
Each tree's bytecode is compiled first, as ``pip install`` does (this environment may set
``PYTHONDONTWRITEBYTECODE``, and compiling govie's sources costs ~0.4 s in every run otherwise).
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
from typing import Optional

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
tree = sys.argv[1]
paths = sys.argv[2:]
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
out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps(out))
"""


def run_tree(tree: Path, paths: list[str]) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run([sys.executable, "-c", WORKER, str(tree), *paths],
                         capture_output=True, text=True, env=env, cwd=str(tree))
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"benchmark worker failed in {tree}:\n{out.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


PARALLEL = r"""
import json, os, resource, sys, time
if __name__ == "__main__":  # spawned workers import this script again
    rounds, paths = int(sys.argv[1]), sys.argv[2:]
    texts = [open(p, encoding="utf-8").read() for p in paths]
    from govie.api import load, parse_many
    try:
        from govie import parallel
    except ImportError:  # a govie without kept pools: its workers end with each call
        parallel = None
    nlp = load()
    list(parse_many(texts[:10], nlp=nlp))  # warm up (lazy imports, first-use set-up)
    method = parallel.start_method() if parallel else "spawn"
    print("METHOD " + method, flush=True)
    for k in range(rounds):
        res = {}
        for n in ((1, 2) if k % 2 == 0 else (2, 1)):
            ch0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            load0 = os.getloadavg()[0]
            w, c = time.perf_counter(), time.process_time()
            facts = [[(f.quantity.start, f.indicator) for f in r.facts] for r in parse_many(texts, nlp=nlp, n_process=n)]
            wall, cpu = time.perf_counter() - w, time.process_time() - c
            if parallel:
                parallel.shutdown()  # the workers end, so that their CPU time is counted below
            ch1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu += (ch1.ru_utime + ch1.ru_stime) - (ch0.ru_utime + ch0.ru_stime)
            res[n] = {"wall": wall, "cpu": cpu, "facts": facts, "load": (load0 + os.getloadavg()[0]) / 2}
        print("ROUND " + json.dumps({"wall1": res[1]["wall"], "cpu1": res[1]["cpu"], "wall2": res[2]["wall"],
                                     "cpu2": res[2]["cpu"], "same": res[1]["facts"] == res[2]["facts"],
                                     "load": (res[1]["load"] + res[2]["load"]) / 2}), flush=True)
"""


def parallel_ratio(paths: list[str], rounds: int) -> dict:
    """``n_process=2`` against ``n_process=1`` on ``paths`` in one fresh process of this tree, in turns;
    prints each round and the medians."""
    import tempfile

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    chars = sum(len(Path(p).read_text(encoding="utf-8")) for p in paths)
    load = os.getloadavg()
    print(f"\nn_process=2 vs 1: {len(paths)} texts, {chars:,} characters, {rounds} rounds; {os.cpu_count()} CPUs, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:  # a script file: spawned workers re-import the main module
        script = Path(tmp) / "parallel_bench.py"
        script.write_text(PARALLEL, encoding="utf-8")
        proc = subprocess.Popen([sys.executable, str(script), str(rounds), *paths], stdout=subprocess.PIPE,
                                text=True, env=env, cwd=str(ROOT))
        rows, method = [], "?"
        for line in proc.stdout:
            if line.startswith("METHOD "):
                method = line.split()[1]
                print(f"workers start with {method}")
            elif line.startswith("ROUND "):
                r = json.loads(line[len("ROUND "):])
                rows.append(r)
                print(f"round {len(rows)}: n_process=1 wall {r['wall1']:.2f} s CPU {r['cpu1']:.2f} s; n_process=2 "
                      f"wall {r['wall2']:.2f} s CPU {r['cpu2']:.2f} s: wall {r['wall1'] / r['wall2']:.2f}x faster, "
                      f"CPU {r['cpu2'] / r['cpu1']:.2f}x; same facts {r['same']}; load avg {r['load']:.2f}",
                      flush=True)
        if proc.wait() != 0 or not rows:
            raise SystemExit("the n_process benchmark failed")
    wall = statistics.median(r["wall1"] / r["wall2"] for r in rows)
    cpu = statistics.median(r["cpu2"] / r["cpu1"] for r in rows)
    busy = statistics.median(r["load"] for r in rows)
    print(f"n_process=2 vs 1 (medians of {len(rows)} rounds): wall {wall:.2f}x faster (target >= 1.7x on an idle "
          f"machine), CPU time {cpu:.2f}x of one process; same facts: {all(r['same'] for r in rows)}; "
          f"workers started with {method}; load average during the runs {busy:.2f} on {os.cpu_count()} CPUs"
          + (" (busy: the wall ratio says more about the other load than about govie)"
             if busy > 0.5 * (os.cpu_count() or 1) else ""))
    return {"method": method, "rounds": rows, "wall_ratio": wall, "cpu_ratio": cpu}


def med(rs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rs)


PHASES = r"""
import json, sys, time
t0 = time.perf_counter(); c0 = time.process_time()
out = {}
def mark(name):
    out[name] = (time.perf_counter() - t0, time.process_time() - c0)
import govie; mark("import govie")
from govie.cli import _import_spacy_without_its_cli  # spaCy as the CLI imports it (without spacy.cli)
_import_spacy_without_its_cli(); mark("import spacy")
nlp = govie.load(); mark("govie.load()")
r = govie.parse_file(sys.argv[1], nlp=nlp); mark("parse")
heavy = ("sklearn", "datasets", "pandas", "pyarrow", "matplotlib", "pdfplumber", "pdfminer", "docx", "bs4")
out["heavy modules"] = sorted({m.split(".")[0] for m in sys.modules} & set(heavy))
print("RESULT " + json.dumps(out))
"""


def _compile(tree: Path) -> None:
    """Write ``tree``'s bytecode (``__pycache__``), as ``pip install`` does for an installed govie."""
    import compileall

    compileall.compile_dir(str(tree / "govie"), quiet=1)


def cold_start(path: Path, rounds: int, baseline: Optional[Path] = None) -> int:
    """Wall and CPU seconds of ``python -m govie.cli parse FILE -o OUT.jsonl`` in fresh processes (CPU:
    the child's user + system time), medians of ``rounds``, this tree and ``baseline`` in turns; then
    where one process of this tree spends it."""
    import resource
    import tempfile

    trees = [("this", ROOT)] + ([("baseline", baseline.resolve())] if baseline else [])
    for _, tree in trees:
        _compile(tree)
    load = os.getloadavg()
    print(f"cold start: govie parse {path.name} ({len(path.read_text(encoding='utf-8')):,} characters), "
          f"{rounds} rounds; {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          "bytecode compiled")
    walls: dict[str, list[float]] = {name: [] for name, _ in trees}
    cpus: dict[str, list[float]] = {name: [] for name, _ in trees}
    from users import SITECUSTOMIZE  # benchmarks/users.py: each child runs its own tree, entry points included

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        for k in range(rounds):
            for name, tree in trees if k % 2 == 0 else trees[::-1]:
                env = dict(os.environ, PYTHONPATH=f"{tmp}{os.pathsep}{tree}", GOVIE_BENCH_TREE=str(tree))
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                subprocess.run([sys.executable, "-m", "govie.cli", "parse", str(path.resolve()), "-o",
                                f"{tmp}/out.jsonl"], env=env, cwd=str(tree), check=True, stdout=subprocess.DEVNULL)
                walls[name].append(time.perf_counter() - t)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
                print(f"round {k + 1} {name}: wall {walls[name][-1]:.2f} s, CPU {cpus[name][-1]:.2f} s, "
                      f"load avg {os.getloadavg()[0]:.2f}", flush=True)
        for name, _ in trees:
            print(f"median {name}: wall {statistics.median(walls[name]):.2f} s, CPU {statistics.median(cpus[name]):.2f} s"
                  + (" (target <= 1.5 s)" if name == "this" else ""))
        if baseline:
            print(f"CPU this / baseline: {statistics.median(cpus['this']) / statistics.median(cpus['baseline']):.2f}")
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        out = subprocess.run([sys.executable, "-c", PHASES, str(path.resolve())], env=env, cwd=str(ROOT),
                             capture_output=True, text=True, check=True)
    res = json.loads([ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")][-1][len("RESULT "):])
    prev = (0.0, 0.0)
    print("one process of this tree, cumulative (wall, CPU) and the phase's own CPU:")
    for name, v in res.items():
        if isinstance(v, list) and len(v) == 2 and isinstance(v[0], float):
            print(f"  {name:14s} {v[0]:6.2f} s wall {v[1]:6.2f} s CPU   (+{v[1] - prev[1]:.2f} s CPU)")
            prev = v
    print(f"  heavy modules imported by a parse: {res['heavy modules'] or 'none'}")
    floor = {}
    for name, code in (("python -c pass", "pass"), ("python -c 'import spacy'", "import spacy")):
        runs = []
        for _ in range(rounds):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([sys.executable, "-c", code], check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            runs.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        floor[name] = statistics.median(runs)
    print("for scale, fresh processes (median CPU): " + ", ".join(f"{k} {v:.2f} s" for k, v in floor.items()))
    ends = []  # from the last statement of a process that imports spaCy to the process's end
    for _ in range(rounds):
        out = subprocess.run([sys.executable, "-c", "import spacy, time; print(time.time())"], check=True,
                             capture_output=True, text=True)
        ends.append(time.time() - float(out.stdout.split()[-1]))
    print(f"interpreter teardown after 'import spacy' (median wall from its last statement to the process's end): "
          f"{statistics.median(ends):.2f} s; the govie command skips it (govie.cli._quick_exit)")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=Path, help="a govie 0.1 checkout (its govie/ and govie/model)")
    ap.add_argument("--texts", type=Path, default=ROOT.parent / "shared" / "reports")
    ap.add_argument("--max-chars", type=int, default=150_000, help="texts in name order up to this many characters")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-parallel", action="store_true", help="skip the n_process=2 measurement")
    ap.add_argument("--parallel-only", action="store_true", help="only the n_process=2 vs 1 measurement")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--cold-start", type=Path, metavar="FILE",
                    help="instead: `python -m govie.cli parse FILE` in fresh processes (this tree, and "
                    "--baseline's), --rounds times")
    args = ap.parse_args(argv)
    if args.cold_start:
        return cold_start(args.cold_start, args.rounds, args.baseline)
    files = sorted(args.texts.glob("*.txt")) or sorted((ROOT / "corpus" / "texts").glob("*.txt"))
    if args.parallel_only:
        res = parallel_ratio([str(f) for f in files], args.rounds)
        if args.json:
            args.json.write_text(json.dumps({"parallel": res}, indent=1))
        return 0
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
            r = run_tree(tree, paths)
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
    print(f"load average at end {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    if not args.no_parallel:
        res["parallel"] = parallel_ratio([str(f) for f in files], args.rounds)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
