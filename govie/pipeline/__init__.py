"""spaCy components of the govie pipeline, one module per factory, and the tokenizer.

Installed, govie registers every factory through entry points (``pyproject.toml``); from a source tree
without installation, :func:`register_components` does the same by importing the modules."""


def register_components() -> None:
    """Import every module that registers a govie factory, tokenizer, architecture, scorer or reader."""
    from ..tables import component  # noqa: F401
    from . import breakdown_sums, counted_nouns, indicators, metric_bounds, quantities, relations, rule_linker, tokenizer  # noqa: F401
