"""Mutation check of the test suite: apply one-line mutants to govie's core modules and show the tests
kill them (a test suite that passes whatever the code does is a defect).

    python benchmarks/mutation.py [--per-module 15] [--seed 13] [--modules normalize quantities ...]

Each mutant changes one token of one line (a comparison or arithmetic operator, a boolean, and/or,
a small integer constant, or one alternative of a regex-like string); the module's tests run against a
copy of the package with that change (``pytest -x -q`` on the test files listed in TESTS, a time limit
per mutant). Prints every mutant with its fate, then the kill rate per module and overall; survivors
are listed for review (an equivalent mutant is harmless; any other is a missing test). The working tree
is never modified: mutants are written into a temporary copy.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: pytest arguments per module: its own tests and the regression tests that read it (the slow
#: numeral sample and whole-pipeline tests left out: they cost a minute a mutant)
FAST = "not sample and not pipeline"
TESTS = {
    "normalize": ["tests/test_normalize.py", "tests/test_regressions.py", "-k", FAST],
    "quantities": ["tests/test_quantities.py", "tests/test_regressions.py", "tests/test_golden.py", "-k", FAST],
    "rules": ["tests/test_rules.py", "tests/test_golden.py"],
    "tables": ["tests/test_tables.py", "tests/test_regressions.py", "-k", FAST],
    "relations": ["tests/test_relations.py", "tests/test_golden.py"],
    "evaluate": ["tests/test_evaluate.py", "tests/test_evaluate_groups.py"],
    "breakdown_sums": ["tests/test_breakdown_sums.py"],
    "counted_nouns": ["tests/test_counted_nouns.py"],
}
#: the files each module name stands for (a package: every module in it, mutants drawn across them)
PATHS = {
    "normalize": ["govie/normalize.py"],
    "quantities": ["govie/pipeline/quantities.py"],
    "rules": ["govie/pipeline/rule_linker.py"],
    "tables": ["govie/tables.py", "govie/tables/*.py", "govie/tables/*/*.py"],
    "relations": ["govie/pipeline/relations.py"],
    "evaluate": ["govie/training/evaluate.py"],
    "breakdown_sums": ["govie/pipeline/breakdown_sums.py"],
    "counted_nouns": ["govie/pipeline/counted_nouns.py"],
}
SWAP = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!=", "!=": "==", "+": "-", "-": "+", "*": "/",
        "and": "or", "or": "and", "True": "False", "False": "True", "is": "is not", "in": "not in"}


def candidates(path: Path) -> list[tuple[int, int, int, str, str]]:
    """(line, col start, col end, original, replacement) for every mutable token outside docstrings."""
    src = path.read_text(encoding="utf-8")
    out = []
    prev = None
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        (l1, c1), (l2, c2) = tok.start, tok.end
        if tok.type == tokenize.OP and tok.string in SWAP:
            out.append((l1, c1, c2, tok.string, SWAP[tok.string]))
        elif tok.type == tokenize.NAME and tok.string in SWAP and not (tok.string == "in" and prev in ("for", "not")):
            if not (tok.string == "is" and prev == "not"):
                out.append((l1, c1, c2, tok.string, SWAP[tok.string]))
        elif tok.type == tokenize.NUMBER and tok.string.isdigit() and l1 > 1:
            n = int(tok.string)
            out.append((l1, c1, c2, tok.string, str(n + 1 if n < 2 else n // 10 if n >= 100 else n - 1)))
        elif tok.type == tokenize.STRING and l1 == l2 and "|" in tok.string and prev not in (None, "INDENT"):
            body = tok.string
            parts = body.split("|")
            for i in range(1, len(parts) - 1):  # drop one inner alternative of a regex-like literal
                mutated = "|".join(parts[:i] + parts[i + 1:])
                out.append((l1, c1, c2, body, mutated))
        if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            prev = tok.string if tok.type != tokenize.INDENT else "INDENT"
    return out


def run_tests(copy: Path, tests: list[str], limit: float) -> str:
    env = dict(os.environ, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    try:
        r = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                           cwd=copy, env=env, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return "killed (timeout)"
    return "survived" if r.returncode == 0 else "killed" if r.returncode == 1 else f"error (pytest exit {r.returncode})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-module", type=int, default=15)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--modules", nargs="*", default=list(TESTS))
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="govie-mutants-"))
    copy = tmp / "repo"
    everywhere = shutil.ignore_patterns(".git", ".venv", ".ci-venv", "__pycache__", "site")

    def ignore(folder: str, names: list[str]) -> set[str]:  # the top-level training/, benchmarks/, docs/ only
        top = {"training", "benchmarks", "docs"} if Path(folder) == ROOT else set()
        return set(everywhere(folder, names)) | (top & set(names))

    shutil.copytree(ROOT, copy, ignore=ignore)
    totals: dict[str, list[int]] = {}
    survivors = []
    try:
        baseline = {m: run_tests(copy, TESTS[m], args.timeout) for m in args.modules}
        broken = [m for m, fate in baseline.items() if fate != "survived"]
        if broken:
            print(f"the unmutated tests fail for {broken}: fix them first", file=sys.stderr)
            return 2
        for mod in args.modules:
            targets = sorted({f for pattern in PATHS[mod] for f in copy.glob(pattern) if f.name != "__init__.py"})
            originals = {t: t.read_text(encoding="utf-8") for t in targets}
            cands = [(t, *c) for t in targets for c in candidates(t)]
            rng.shuffle(cands)
            chosen = []
            for target, line, c1, c2, old, new in cands:  # mutants that still compile, in a fixed random order
                lines = originals[target].splitlines(keepends=True)
                mutated = lines[:]
                mutated[line - 1] = lines[line - 1][:c1] + new + lines[line - 1][c2:]
                try:
                    compile("".join(mutated), str(target), "exec")
                except SyntaxError:
                    continue
                chosen.append((str(target), line, old, new, "".join(mutated)))
                if len(chosen) == args.per_module:
                    break
            chosen.sort()
            killed = 0
            for name, line, old, new, source in chosen:
                target = Path(name)
                target.write_text(source, encoding="utf-8")
                t = time.monotonic()
                fate = run_tests(copy, TESTS[mod], args.timeout)
                target.write_text(originals[target], encoding="utf-8")
                killed += fate.startswith("killed")
                lines = originals[target].splitlines(keepends=True)
                where = f"{target.relative_to(copy)}:{line}"
                shown = f"{old[:40]!s} -> {new[:40]!s}"
                print(f"{fate:18} {where:34} {shown}  ({time.monotonic() - t:.0f} s)", flush=True)
                if not fate.startswith("killed"):
                    survivors.append(f"{where}: {lines[line - 1].strip()[:100]}  [{shown}]")
            totals[mod] = [killed, len(chosen)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\nkill rate per module:")
    for mod, (k, n) in totals.items():
        print(f"  {mod:12} {k}/{n} ({k / n:.0%})" if n else f"  {mod:12} no mutants")
    k, n = sum(v[0] for v in totals.values()), sum(v[1] for v in totals.values())
    print(f"  {'all':12} {k}/{n} ({k / n:.1%})" if n else "no mutants")
    if survivors:
        print("\nsurvivors:")
        print("\n".join(f"  {s}" for s in survivors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
