"""benchmarks/users.py runs each tree in isolation: its child processes must see the tree's own entry
points, none of the installed govie's, and no editable finder (else 0.1 would load this tree's
components, or the figures would be this tree's twice)."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import catalogue, json, sys
eps = catalogue.AVAILABLE_ENTRY_POINTS
eps = eps.select(group="spacy_factories")
print(json.dumps({"factories": sorted(e.value for e in eps if e.value.startswith("govie")),
                  "finders": [repr(f) for f in sys.meta_path if "editable" in repr(f)]}))
"""


def _users_module():
    spec = importlib.util.spec_from_file_location("bench_users", ROOT / "benchmarks" / "users.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_children_see_only_the_trees_own_entry_points(tmp_path):
    users = _users_module()
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "pyproject.toml").write_text('[project]\nname = "govie"\n'
                                         '[project.entry-points.spacy_factories]\n'
                                         'govie_probe = "govie.probe:make_probe"\n', encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(users.SITECUSTOMIZE, encoding="utf-8")
    env = users.Tree("probe", tree, site).env
    assert env["PYTHONPATH"].split(os.pathsep) == [str(site), str(tree.resolve())]
    assert "PYTHONDONTWRITEBYTECODE" not in env and env["PYTHONPYCACHEPREFIX"].startswith(str(tmp_path))
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=str(tmp_path), capture_output=True, text=True,
                         check=True)
    seen = json.loads(out.stdout)
    assert seen == {"factories": ["govie.probe:make_probe"], "finders": []}
