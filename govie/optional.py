"""Optional dependencies: imported where used, with one clear message when an extra is not installed."""
from __future__ import annotations

import importlib
from types import ModuleType


class MissingDependency(ImportError):
    """An optional dependency of one govie feature is not installed (the message names the extra)."""


def require(module: str, extra: str, feature: str) -> ModuleType:
    """``importlib.import_module(module)``, or :class:`MissingDependency` saying which extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MissingDependency(f"{feature} needs {module.split('.')[0]}: pip install 'govie[{extra}]' "
                                f"({e})") from None
