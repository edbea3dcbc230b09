"""Optional extras fail with one clear message naming the extra (#14: scikit-learn and datasets are not core)."""
import builtins
import subprocess
import sys

import pytest

from govie.optional import MissingDependency, require


def test_require_names_the_extra_to_install():
    with pytest.raises(MissingDependency, match=r"the thing needs no_such_module_xyz: pip install 'govie\[train\]'"):
        require("no_such_module_xyz.sub", "train", "the thing")
    assert require("json", "x", "y").dumps([1]) == "[1]"


def test_parse_does_not_import_training_dependencies():
    code = ("import sys, govie; govie.parse('共受理申请5件'); "
            "print(sorted(m for m in ('sklearn', 'datasets', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_split_without_scikit_learn_says_which_extra(monkeypatch):
    from govie.corpus.split import _group_folds

    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    for m in [m for m in sys.modules if m.startswith("sklearn")]:
        monkeypatch.delitem(sys.modules, m)
    with pytest.raises(MissingDependency, match=r"govie\[train\]"):
        _group_folds(["a", "b", "a", "b"], ["1", "2", "3", "4"], 2, 0)
