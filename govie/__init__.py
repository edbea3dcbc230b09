"""govie: figures and indicators from Chinese government information-disclosure annual reports.

>>> import govie
>>> report = govie.parse("全市累计主动公开政府信息57194条。")
>>> report.facts[0].value, report.facts[0].indicator
(57194, '主动公开政府信息')

The names below are imported on first use (PEP 562), so ``import govie`` alone loads neither spaCy
nor cn2an (``govie --version`` answers in ~0.1 s; the other commands import spaCy). ``govie.parse``,
``govie.load`` and the rest import the pipeline (and register govie's ``Doc``/``Span`` extensions)
the first time one of them is touched.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

# Eager on purpose: the function shadows its module (``govie.normalize`` is the function), which holds
# only if it is bound before any other import of the submodule; the module imports no spaCy (~0.03 s).
from .normalize import normalize  # noqa: E402

#: public name -> the module (relative to the package) that defines it
_EXPORTS: dict[str, str] = {
    "parse": ".api", "parse_file": ".api", "parse_many": ".api", "load": ".api", "build_rule_pipeline": ".api",
    "Report": ".report", "Fact": ".report", "Check": ".report", "TextSpan": ".report",
    "to_dataframe": ".io.tabular", "read_facts": ".io.tabular",
}
__all__ = ["parse", "parse_file", "parse_many", "load", "build_rule_pipeline", "normalize", "Report", "Fact",
           "Check", "TextSpan", "to_dataframe", "read_facts", "__version__"]

if TYPE_CHECKING:  # what static tools and IDEs see
    from .api import build_rule_pipeline, load, parse, parse_file, parse_many
    from .io.tabular import read_facts, to_dataframe
    from .report import Check, Fact, Report, TextSpan


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'govie' has no attribute {name!r}")
    importlib.import_module(".pipeline.extensions", __name__)  # Doc/Span extensions before any result is built
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    hidden = {"Any", "TYPE_CHECKING", "annotations", "importlib"}
    return sorted((set(globals()) - hidden) | set(__all__))
