"""Where ``govie train`` saves a pipeline: its name and version, the checks on ``--output`` (never
somebody else's directory), and the save itself (a temporary sibling renamed at the end)."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Optional

from spacy.language import Language

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "model"
#: written into every pipeline ``govie train`` saves: only a directory holding it may be replaced
MARKER = "govie-train.json"
#: the shipped pipeline's name (meta.json); a retrained one elsewhere defaults to CUSTOM_NAME
SHIPPED_NAME, CUSTOM_NAME = "govie_zh", "govie_zh_custom"


def check_name_version(name: Optional[str], version: Optional[str]) -> None:
    """``--name``/``--version`` usable by ``spacy package`` (package ``zh_<name>-<version>``), or a
    one-line ``ValueError``."""
    import re

    if name is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise ValueError(f"--name {name!r}: letters, digits and _ only, starting with a letter (spacy package "
                         "makes it the Python package zh_<name>)")
    if version is not None:
        from packaging.version import InvalidVersion, Version

        try:
            Version(version)
        except InvalidVersion:
            raise ValueError(f"--version {version!r} is not a version number such as 1.0.0 or 0.1.0+mine") from None


def default_name_version(output: Path, name: Optional[str], version: Optional[str]) -> tuple[str, str]:
    """The name and version of a pipeline trained into ``output``: the shipped pipeline's
    (``govie_zh``, govie's version) when it replaces the shipped one, else ``govie_zh_custom`` and
    ``<govie version>+custom`` unless ``--name``/``--version`` say otherwise — a retrained pipeline
    never passes for the shipped one."""
    shipped = Path(output).absolute() == DEFAULT_OUTPUT.absolute()
    return (name or (SHIPPED_NAME if shipped else CUSTOM_NAME),
            version or (_version() if shipped else f"{_version()}+custom"))


def write_meta(nlp: Language, name: str = SHIPPED_NAME, version: Optional[str] = None) -> None:
    """Name and describe the pipeline; ``govie evaluate --update-meta`` adds the measured scores."""
    nlp.meta.update({"name": name, "version": version or _version(), "description":
                     "govie: QUANTITY/METRIC NER and VALUE_OF/PART_OF relations for Chinese government "
                     "information-disclosure annual reports", "license": "MIT", "author": "govie"})


def _version() -> str:
    from .. import __version__

    return __version__


def _is_training_output(path: Path) -> bool:
    """``path`` holds a pipeline ``govie train`` wrote: its marker, or (written before the marker
    existed) a ``meta.json`` naming the ``govie_zh`` pipeline."""
    if (path / MARKER).is_file():
        return True
    try:
        return json.loads((path / "meta.json").read_text(encoding="utf-8")).get("name") == SHIPPED_NAME
    except (OSError, ValueError, AttributeError):
        return False


def check_output_dir(output: Path) -> None:
    """Refuse an output location before hours of training, with a one-line ``ValueError``.

    ``output`` may be missing (its parents are created at the end), an empty directory, or a previous
    training output; anything else is somebody's data, never deleted. Its parent must be writable.
    """
    output = Path(output)
    if output.exists() or output.is_symlink():
        if output.is_symlink():
            raise ValueError(f"--output {output} is a symbolic link; give the directory itself or a new path")
        if not output.is_dir():
            raise ValueError(f"--output {output} exists and is not a directory; choose another path")
        try:
            empty = next(output.iterdir(), None) is None
        except OSError as e:
            raise ValueError(f"--output {output}: cannot read it ({e.strerror or e})") from None
        if not empty and not _is_training_output(output):
            raise ValueError(f"--output {output} is not empty and not a govie training output (no {MARKER}); "
                             "govie train replaces its output directory, so choose a new or empty one")
    parent = output.absolute().parent
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ValueError(f"--output {output}: cannot create {parent} ({existing} is not a directory)")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"--output {output}: {existing} is not writable")


def save_output(nlp, output: Path) -> None:
    """Save ``nlp`` to ``output`` with the marker: written into a temporary sibling, renamed at the
    end, so that an interrupted run leaves the previous output as it was."""
    import tempfile

    output = Path(output)
    try:
        check_output_dir(output)  # again: the directory may have been filled while training ran
        refused = None
    except ValueError as e:
        refused = e
    output.absolute().parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.tmp-", dir=output.absolute().parent))
    old = None
    saved_aside = False
    try:
        nlp.to_disk(tmp)
        (tmp / MARKER).write_text(json.dumps({"written_by": "govie train", "govie_version": _version(),
                                              "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                                             indent=1) + "\n", encoding="utf-8")
        if refused is not None:  # keep the new pipeline next to it, touch nothing else
            kept = output.with_name(f"{output.name}.new-{os.getpid()}")
            os.replace(tmp, kept)
            tmp, saved_aside = kept, True
            raise ValueError(f"{refused}; the new pipeline was saved to {kept} instead")
        if output.exists():
            old = output.with_name(f".{output.name}.old-{os.getpid()}")
            os.replace(output, old)
        os.replace(tmp, output)
    except BaseException:
        if old is not None and not output.exists():
            os.replace(old, output)  # put the previous output back
            old = None
        if not saved_aside:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
