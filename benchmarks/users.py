"""What users run, side by side with a baseline checkout (govie 0.1): batch, render, parse_many, train.
Prints figures; asserts nothing (issue #16: "nothing gets slower that users run").

    python benchmarks/users.py [--baseline /path/to/govie-0.1-checkout] [--texts DIR] [--k 20]
                               [--render 5] [--rounds 3] [--train-docs 6] [--no-train] [--json FILE]

Each measurement runs in fresh child processes of one tree (this one, and the baseline if given), on
the same inputs; the trees take turns, ``--rounds`` times, and the medians of the CPU seconds (user +
system of the children, ``RUSAGE_CHILDREN`` deltas) are printed with the ratio baseline/this (above 1:
this tree is faster):

- batch: ``python -m govie.cli parse DIR -o OUT/ --jobs 1`` on a directory of the first ``--k`` texts
  of ``--texts`` by name (copied into a temporary directory), a fresh output directory each run;
- render: ``python -m govie.cli render FILE -o page.html`` on the first ``--render`` of them, one
  process per file (summed: a user renders one report per command);
- parse_many: ``govie.parse_many`` on the ``--k`` texts in one process: the first call after
  ``govie.load()`` (imports and load outside the clock; what a module imports lazily at the first
  call is inside it), a second call on the same texts (warm), and the whole process up to the end of
  the first call (start-up, imports, ``load()``, the call);
- train: ``python -m govie.cli train --max-docs N --max-epochs 1 --pkuseg-iter 1 --no-augment`` with
  ``--output`` and ``--work`` in a temporary directory (both trees default to their own ``govie/model``
  and ``training/work``). The two corpora differ (0.1 reads its corpus v1), so this tree trains on the
  baseline's first N training and N/2 dev documents -- the same texts, this tree's annotations of
  them, through a temporary ``--corpus`` (``--own-corpus``: each its own first N); the documents and
  CPU milliseconds per character read (training + dev texts) are printed too. The relation stage
  keeps each tree's own 8 epochs (0.1 cannot set them).

Nothing is written inside either tree: inputs, outputs and work directories are temporary.

Isolation: a child runs with ``PYTHONPATH=<dir with a sitecustomize.py>:<tree>``. The sitecustomize
drops the editable install's finder and its ``govie`` entry points and registers the tree's own entry
points from its ``pyproject.toml`` -- as ``benchmarks/speed.py``'s worker preamble does (logic copied,
not imported: that preamble is part of a worker string), except that the entry points stay lazy, as in
an installed package, so that a CLI run imports no more than it would for a user. A sitecustomize also
reaches the processes a command spawns.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parents[1]

SITECUSTOMIZE = r'''
"""benchmarks/users.py: run the checkout in $GOVIE_BENCH_TREE, not the installed govie."""
import os, sys

def _isolate(tree):
    import tomllib
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in getattr(f, "__module__", "") + repr(f)]
    import catalogue
    from importlib.metadata import EntryPoint, EntryPoints
    eps = catalogue.AVAILABLE_ENTRY_POINTS
    eps = [e for g in dict.values(eps) for e in g] if isinstance(eps, dict) else list(eps)
    eps = [e for e in eps if not e.value.startswith("govie")]
    with open(os.path.join(tree, "pyproject.toml"), "rb") as f:
        groups = tomllib.load(f).get("project", {}).get("entry-points", {})
    eps += [EntryPoint(name, value, group) for group, named in groups.items() for name, value in named.items()]
    catalogue.AVAILABLE_ENTRY_POINTS = EntryPoints(eps)

if os.environ.get("GOVIE_BENCH_TREE"):
    _isolate(os.environ["GOVIE_BENCH_TREE"])
'''

PARSE_MANY = r"""
import json, resource, sys, time
paths = sys.argv[1:]
texts = [open(p, encoding="utf-8").read() for p in paths]
import govie
from govie.api import load, parse_many
nlp = load()
c = time.process_time()
facts = sum(len(r.facts) for r in parse_many(texts, nlp=nlp))
cpu = time.process_time() - c
c = time.process_time()
again = sum(len(r.facts) for r in parse_many(texts, nlp=nlp))
again_cpu = time.process_time() - c
print("RESULT " + json.dumps({"cpu_s": cpu, "again_cpu_s": again_cpu, "facts": facts, "same": again == facts,
                              "file": govie.__file__,
                              "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

# the documents `govie train --max-docs N --no-augment` reads, selected as each tree's train() does
TRAIN_DOCS = r"""
import json, sys
n, corpus, reports = int(sys.argv[1]), sys.argv[2] or None, sys.argv[3]
try:
    from govie.corpus.records import load_corpus
except ImportError:  # govie 0.1: one module
    from govie.corpus import load_corpus
docs = load_corpus(corpus, reports, augment=False, missing="skip")
train = [d for d in docs if d.split == "train"][:n]
dev = [d for d in docs if d.split == "dev"][:max(1, n // 2)] or train[:1]
print("RESULT " + json.dumps({k: [[d.id, len(d.text)] for d in v] for k, v in (("train", train), ("dev", dev))}))
"""

# bytecode for the timed runs, as an installed package has it (pip compiles at install): the tree's
# modules, what training imports beyond the CLI, then one render run (spaCy, thinc, the model's code)
WARM_UP = r"""
import compileall, importlib, os, sys
compileall.compile_dir(os.path.join(sys.argv[1], "govie"), quiet=1)
for name in ("govie.cli", "spacy.cli.train", "spacy_pkuseg", "govie.training.train", "govie.train"):
    try:
        importlib.import_module(name)
    except ImportError:
        pass
"""


class Tree:
    """One checkout and the environment its children run in."""

    def __init__(self, name: str, path: Path, site_dir: Path) -> None:
        self.name, self.path = name, path.resolve()
        drop = ("GOVIE_CORPUS_DIR", "GOVIE_REPORTS_DIR", "PYTHONDONTWRITEBYTECODE")
        env = {k: v for k, v in os.environ.items() if k not in drop}
        self.env = dict(env, PYTHONPATH=f"{site_dir}{os.pathsep}{self.path}", GOVIE_BENCH_TREE=str(self.path),
                        PYTHONPYCACHEPREFIX=str(site_dir.parent / "pycache"))  # nothing written in the tree

    def run(self, args: list[str], cwd: Path) -> tuple[float, str]:
        """Run ``python ARGS`` in a child; returns its CPU seconds (user + system, with the processes it
        waited for) and its stdout. A failing child stops the benchmark with its stderr."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([sys.executable, *args], cwd=str(cwd), env=self.env, capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if out.returncode != 0:
            raise SystemExit(f"{self.name}: `python {' '.join(args)[:200]}` failed ({out.returncode}):\n"
                             f"{out.stderr[-3000:]}")
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, out.stdout

    def result(self, code: str, args: list[str], cwd: Path) -> tuple[float, dict]:
        cpu, stdout = self.run(["-c", code, *args], cwd)
        lines = [ln for ln in stdout.splitlines() if ln.startswith("RESULT ")]
        return cpu, json.loads(lines[-1][len("RESULT "):])


def warm_up(tree: Tree, file: Path, tmp: Path) -> None:
    """Fill the bytecode cache (``PYTHONPYCACHEPREFIX``, a temporary directory) outside the clock."""
    tree.run(["-c", WARM_UP, str(tree.path)], tmp)
    bench_render(tree, [file], tmp)


def bench_batch(tree: Tree, inputs: Path, tmp: Path) -> dict:
    out = Path(tempfile.mkdtemp(prefix="batch-", dir=tmp))
    cpu, _ = tree.run(["-m", "govie.cli", "parse", str(inputs), "-o", f"{out}/", "--jobs", "1"], tmp)
    written = sum(1 for f in out.iterdir() if f.name != "errors.tsv")
    shutil.rmtree(out)
    return {"cpu_s": cpu, "outputs": written}


def bench_render(tree: Tree, files: list[Path], tmp: Path) -> dict:
    cpu = 0.0
    for f in files:
        page = tmp / f"{f.stem}.html"
        cpu += tree.run(["-m", "govie.cli", "render", str(f), "-o", str(page)], tmp)[0]
        page.unlink()
    return {"cpu_s": cpu}


def bench_parse_many(tree: Tree, files: list[Path], tmp: Path) -> dict:
    child_cpu, res = tree.result(PARSE_MANY, [str(f) for f in files], tmp)
    if not res["file"].startswith(str(tree.path)):
        raise SystemExit(f"{tree.name}: imported govie from {res['file']}, not from {tree.path}")
    # the process as a user's script: start-up, imports, load() and the first call (not the second)
    return {**res, "process_cpu_s": child_cpu - res["again_cpu_s"]}


def bench_train(tree: Tree, corpus: Optional[Path], reports: Path, docs: int, tmp: Path) -> dict:
    run = Path(tempfile.mkdtemp(prefix="train-", dir=tmp))
    cpu, _ = tree.run(["-m", "govie.cli", "train", "--max-docs", str(docs), "--max-epochs", "1", "--pkuseg-iter",
                       "1", "--no-augment", "--reports", str(reports), "--output", str(run / "model"),
                       "--work", str(run / "work")] + (["--corpus", str(corpus)] if corpus else []), tmp)
    saved = (run / "model" / "config.cfg").is_file()
    shutil.rmtree(run)
    if not saved:
        raise SystemExit(f"{tree.name}: govie train saved no pipeline")
    return {"cpu_s": cpu}


def training_material(trees: list[Tree], args: argparse.Namespace, tmp: Path) -> tuple[dict, dict]:
    """Which documents each tree's smoke training reads, and the ``--corpus`` each gets (None: its own).

    With a baseline (and without ``--own-corpus``) this tree trains on the baseline's documents -- the
    same texts, this tree's annotations of them -- through a temporary corpus holding only those
    records, with the baseline's train/dev split."""
    def listing(tree: Tree, corpus: Optional[Path]) -> dict:
        return tree.result(TRAIN_DOCS, [str(args.train_docs), str(corpus or ""), str(args.texts)], tmp)[1]

    corpora: dict[str, Optional[Path]] = {t.name: None for t in trees}
    material = {t.name: listing(t, None) for t in trees[1:]}
    if len(trees) > 1 and not args.own_corpus:
        base = material[trees[1].name]
        ids = {i: split for split in ("train", "dev") for i, _ in base[split]}
        own = ROOT / "corpus"
        if all((own / "annotations" / f"{i}.json").is_file() for i in ids):
            corpus = tmp / "corpus"
            (corpus / "annotations").mkdir(parents=True)
            for i in ids:
                shutil.copy(own / "annotations" / f"{i}.json", corpus / "annotations")
            if (own / "texts").is_dir():
                shutil.copytree(own / "texts", corpus / "texts")
            (corpus / "splits.json").write_text(json.dumps({"documents": ids}), encoding="utf-8")
            corpora[trees[0].name] = corpus
    material[trees[0].name] = listing(trees[0], corpora[trees[0].name])
    return material, corpora

def tree_status(trees: list[Tree]) -> dict[str, str]:
    """``git status --short`` of each tree (nothing may be written inside them)."""
    return {t.name: subprocess.run(["git", "-C", str(t.path), "status", "--short"], capture_output=True,
                                   text=True).stdout for t in trees}


def load_line(when: str) -> str:
    a, b, c = os.getloadavg()
    return f"load average {when}: {a:.2f} {b:.2f} {c:.2f}"


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=Path, help="a govie 0.1 checkout (its govie/, govie/model and corpus/)")
    ap.add_argument("--texts", type=Path, default=ROOT.parent / "shared" / "reports",
                    help="report texts (*.txt); also where training reads the corpus texts")
    ap.add_argument("--k", type=int, default=20, help="texts for batch and parse_many (first by name)")
    ap.add_argument("--render", type=int, default=5, help="texts rendered, one command each")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--train-docs", type=int, default=6, help="--max-docs of the smoke training run")
    ap.add_argument("--no-train", action="store_true", help="skip the training run")
    ap.add_argument("--own-corpus", action="store_true", help="train each tree on the first --train-docs of its "
                    "own corpus (default: this tree on the baseline's documents, with its own annotations)")
    ap.add_argument("--json", type=Path, help="also write every round's figures here")
    args = ap.parse_args(argv)
    files = sorted(args.texts.glob("*.txt"))[:args.k]
    if not files:
        raise SystemExit(f"no *.txt in {args.texts}")
    with tempfile.TemporaryDirectory(prefix="govie-users-") as tmp_name:
        tmp = Path(tmp_name)
        site = tmp / "site"
        site.mkdir()
        (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        inputs = tmp / "inputs"
        inputs.mkdir()
        for f in files:
            shutil.copy(f, inputs / f.name)
        copies = sorted(inputs.glob("*.txt"))
        trees = [Tree("this", ROOT, site)] + ([Tree("0.1", args.baseline, site)] if args.baseline else [])
        status0 = tree_status(trees)
        for t in trees:
            warm_up(t, copies[0], tmp)
        chars = sum(len(f.read_text(encoding="utf-8")) for f in copies)
        rchars = sum(len(f.read_text(encoding="utf-8")) for f in copies[:args.render])
        print(f"{len(copies)} texts from {args.texts} ({copies[0].name} .. {copies[-1].name}), {chars:,} characters; "
              f"render: the first {args.render} ({rchars:,} characters); {os.cpu_count()} CPUs")
        print(load_line("at start"), flush=True)
        benches: list[tuple[str, Callable[[Tree], dict]]] = [
            ("batch", lambda t: bench_batch(t, inputs, tmp)),
            ("render", lambda t: bench_render(t, copies[:args.render], tmp)),
            ("parse_many", lambda t: bench_parse_many(t, copies, tmp))]
        material: dict = {}
        corpora: dict[str, Optional[Path]] = {}
        if not args.no_train:
            material, corpora = training_material(trees, args, tmp)
            benches.append(("train", lambda t: bench_train(t, corpora[t.name], args.texts, args.train_docs, tmp)))
        results: dict[str, dict[str, list[dict]]] = {b: {t.name: [] for t in trees} for b, _ in benches}
        for k in range(args.rounds):
            for bench, fn in benches:
                for t in trees if k % 2 == 0 else trees[::-1]:
                    r = fn(t)
                    results[bench][t.name].append(r)
                    print(f"round {k + 1} {bench:10s} {t.name:>4}: {r['cpu_s']:7.2f} s CPU   "
                          f"({load_line('now')})", flush=True)
        status1 = tree_status(trees)
    report(args, trees, results, material, corpora, chars)
    print(load_line("at end"))
    for t in trees:
        same = status0[t.name] == status1[t.name]
        print(f"git status --short of {t.name} ({t.path}): {'unchanged' if same else 'CHANGED'}")
    if args.json:
        args.json.write_text(json.dumps({"files": [f.name for f in files], "material": material,
                                         "results": results}, indent=1), encoding="utf-8")
    return 0


def print_row(label: str, runs: dict[str, list[dict]], key: str, names: list[str], fmt: str = "10.2f",
              ratio: bool = True) -> None:
    """One line: the median of ``key`` per tree, and with a baseline (and ``ratio``) the ratio
    baseline/this, of the medians and per round."""
    meds = [statistics.median(r[key] for r in runs[n]) for n in names]
    line = f"{label:38s}" + "".join(f"{m:{fmt}}" for m in meds)
    if len(names) > 1 and ratio:
        rounds = [b[key] / a[key] for a, b in zip(runs[names[0]], runs[names[1]])]
        line += f"{meds[1] / meds[0]:8.2f}  ({', '.join(f'{x:.2f}' for x in rounds)})"
    print(line)


def report(args: argparse.Namespace, trees: list[Tree], results: dict, material: dict,
           corpora: dict[str, Optional[Path]], chars: int) -> None:
    names = [t.name for t in trees]
    print(f"\nmedians of {args.rounds} rounds, CPU seconds of the child processes" +
          (" (ratio 0.1/this: above 1, this tree is faster)" if len(names) > 1 else ""))
    print(f"{'':38s}" + "".join(f"{n:>10s}" for n in names) + ("   ratio  (per round)" if len(names) > 1 else ""))
    what = {"batch": f"batch: parse DIR -o OUT/ ({args.k} texts)", "render": f"render: {args.render} commands",
            "parse_many": f"parse_many: first call ({args.k} texts)", "train": f"train (--max-docs {args.train_docs})"}
    for bench, runs in results.items():
        print_row(what[bench], runs, "cpu_s", names)
        if bench == "parse_many":
            print_row("  parse_many: again (warm)", runs, "again_cpu_s", names)
            print_row("  parse_many: process (+imports, load)", runs, "process_cpu_s", names)
            for r in (r for n in names for r in runs[n]):
                r["chars_per_s"] = chars / r["cpu_s"]
            print_row("  parse_many: chars/s, first call", runs, "chars_per_s", names, "10,.0f", ratio=False)
            print(f"{'  parse_many: facts':38s}" + "".join(f"{runs[n][0]['facts']:10d}" for n in names))
        if bench == "train":
            for n in names:
                read = sum(c for split in ("train", "dev") for _, c in material[n][split])
                for r in runs[n]:
                    r["ms_per_char"] = r["cpu_s"] / read * 1000
            print_row("  train: CPU ms per character read", runs, "ms_per_char", names, "10.3f")
            for n in names:
                m = material[n]
                whose = "its own corpus" if corpora[n] is None else "the baseline's documents, its own annotations"
                print(f"  {n} ({whose}): train {len(m['train'])} documents, "
                      f"{sum(c for _, c in m['train']):,} characters ({', '.join(i for i, _ in m['train'])}); "
                      f"dev {len(m['dev'])}, {sum(c for _, c in m['dev']):,} ({', '.join(i for i, _ in m['dev'])})")

if __name__ == "__main__":
    sys.exit(main())
