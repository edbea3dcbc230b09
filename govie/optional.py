"""Optional dependencies: imported where used, with one clear message when an extra is not installed;
and optional parts of required ones left unimported (:func:`import_deferring`)."""
from __future__ import annotations

import importlib
import sys
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


def import_deferring(package: str, submodule: str, name: str) -> ModuleType:
    """``import package``, without importing ``package.submodule`` until its ``name`` is called.

    For a package whose ``__init__`` does ``from .submodule import name`` only to offer that function
    (``spacy`` imports its whole command line for ``spacy.info``; ``spacy_pkuseg`` imports requests for
    ``download_model``). While the package is imported, ``package.submodule`` is a stand-in module whose
    ``name`` imports the real submodule when called and puts the real function on the package; the
    stand-in leaves ``sys.modules`` as soon as the import is done, so a later ``import package.submodule``
    gets the real module. A package already imported is returned as it is.
    """
    if package in sys.modules:
        return sys.modules[package]
    full = f"{package}.{submodule}"

    def deferred(*args, **kwargs):
        if sys.modules.get(full) is stand_in:
            del sys.modules[full]
        real = getattr(importlib.import_module(full), name)
        setattr(sys.modules[package], name, real)
        return real(*args, **kwargs)

    deferred.__name__ = deferred.__qualname__ = name
    deferred.__doc__ = f"{package}'s ``{name}``, imported from {full} on first call (govie.optional.import_deferring)."
    stand_in = ModuleType(full, f"stand-in for {full} while {package} is imported (govie.optional.import_deferring)")
    setattr(stand_in, name, deferred)
    sys.modules[full] = stand_in
    try:
        return importlib.import_module(package)
    finally:
        if sys.modules.get(full) is stand_in:
            del sys.modules[full]
