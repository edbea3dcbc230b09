"""The package's shape (#14): no import cycles between govie's modules, counting imports inside functions
too (a lazy import still ties two modules together), and no module much over 500 lines."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "govie"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in ROOT.rglob("*.py")}


def resolve(current: str, is_pkg: bool, level: int, name: str | None) -> str:
    base = current.split(".") if is_pkg else current.split(".")[:-1]
    if level:
        base = base[: len(base) - (level - 1)]
        return ".".join(base + ([name] if name else []))
    return name or ""


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, path in mods.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = resolve(mod, is_pkg, node.level, node.module)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for t in targets:
                while t and t not in mods:  # govie.x.y -> the module that defines it
                    t = t.rpartition(".")[0]
                if t and t != mod and t.startswith("govie"):
                    graph[mod].add(t)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, as the list of modules along it, or [] when there is none. A package's
    ``__init__`` importing its own submodules is not a cycle of its own (Python loads the package first)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str]:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if m.startswith(t + "."):  # a submodule importing its own package's __init__ (e.g. __version__)
                continue
            if state.get(t) == 1:
                return stack[stack.index(t):] + [t]
            if t not in state:
                found = visit(t)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return []

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return []


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"govie.a": {"govie.b"}, "govie.b": {"govie.c"}, "govie.c": {"govie.a"}}) == [
        "govie.a", "govie.b", "govie.c", "govie.a"]
    assert find_cycle({"govie.a": {"govie.b"}, "govie.b": set()}) == []


def test_no_import_cycles():
    cycle = find_cycle(import_graph())
    assert not cycle, " -> ".join(cycle)


@pytest.mark.parametrize("path", sorted(ROOT.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_over_500_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 520, path


def test_every_relative_import_inside_govie_resolves():
    """Imports inside functions run late: a moved module must not leave one pointing nowhere."""
    import importlib

    missing = []
    for path in sorted(ROOT.rglob("*.py")):
        mod = module_name(path)
        pkg = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.level):
                continue
            base = pkg.split(".")
            target = ".".join(base[: len(base) - (node.level - 1)] + ([node.module] if node.module else []))
            try:
                module = importlib.import_module(target)
            except ImportError as e:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {target} ({e})")
                continue
            for alias in node.names:
                if not hasattr(module, alias.name):
                    try:
                        importlib.import_module(f"{target}.{alias.name}")
                    except ImportError:
                        missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {target}.{alias.name}")
    assert not missing, "\n".join(missing)
