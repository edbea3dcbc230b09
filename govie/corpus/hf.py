"""The corpus as a Hugging Face ``datasets.DatasetDict`` (schema: ``docs/corpus.md``).
"""
from __future__ import annotations

import warnings
import zlib
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from ..optional import require
from .records import CorpusDoc, SPLITS, load_corpus, sha256


# --------------------------------------------------------------------------- conversions
_ENTITY_FIELDS = ("id", "label", "start", "end", "text", "value", "value_float", "unit", "approximate")
_META_COLUMNS = ("kind", "level", "province", "layout", "format", "script", "origin", "issuing_body", "source_url")


def dataset_features():
    """The ``datasets.Features`` of :func:`to_dataset` / :func:`load_dataset` (see ``docs/corpus.md``)."""
    datasets = require("datasets", "train", "the Hugging Face dataset view")
    Features, Value = datasets.Features, datasets.Value

    ent = {"id": Value("string"), "label": Value("string"), "start": Value("int32"), "end": Value("int32"),
           "text": Value("string"),
           # a recorded value keeps its JSON type: integers in ``value`` (int64), the rest in ``value_float``
           "value": Value("int64"), "value_float": Value("float64"),
           "unit": Value("string"), "approximate": Value("bool")}
    return Features({
        "id": Value("string"), "text": Value("string"), **{k: Value("string") for k in _META_COLUMNS},
        "year": Value("int32"), "sha256": Value("string"),
        # ``[struct]`` is a list of structs in every datasets version (``Sequence(dict)`` is a struct of lists)
        "entities": [ent],
        "relations": [{"type": Value("string"), "head": Value("string"), "tail": Value("string")}],
    })


def _split_value(v: Any) -> tuple[Optional[int], Optional[float]]:
    if v is None:
        return None, None
    if isinstance(v, int) and not isinstance(v, bool) and -2 ** 63 <= v < 2 ** 63:
        return v, None
    return None, float(v)


def entity_value(entity: dict[str, Any]) -> Union[int, float, None]:
    """The number of a dataset entity: ``value`` (an integer) or else ``value_float``."""
    return entity["value"] if entity.get("value") is not None else entity.get("value_float")


def _dataset_row(d: CorpusDoc) -> dict:
    ents = []
    for e in d.entities:
        iv, fv = _split_value(e.get("value"))
        ents.append({"id": e["id"], "label": e["label"], "start": e["start"], "end": e["end"], "text": e["text"],
                     "value": iv, "value_float": fv, "unit": e.get("unit"),
                     "approximate": bool(e.get("approximate", False))})
    year = d.meta.get("year")
    row = {"id": d.id, "text": d.text, **{k: d.meta.get(k) for k in _META_COLUMNS},
           "year": year if isinstance(year, int) and not isinstance(year, bool) else None, "sha256": sha256(d.text),
           "entities": ents,
           "relations": [{"type": r["type"], "head": r["head"], "tail": r["tail"]} for r in d.relations]}
    row.update(kind=d.kind, layout=d.layout, script=d.script, origin=d.origin)
    return row


def to_dataset(docs: Sequence[CorpusDoc], splits: Optional[Sequence[str]] = None):
    """A ``datasets.DatasetDict``, one split per corpus split (``unassigned`` for documents not in
    ``splits.json``), with the features of :func:`dataset_features`. ``splits``: exactly these splits,
    empty where no document falls in one (others are left out)."""
    datasets = require("datasets", "train", "the Hugging Face dataset view")
    Dataset, DatasetDict = datasets.Dataset, datasets.DatasetDict

    features = dataset_features()
    by: dict[str, list] = {s: [] for s in splits} if splits is not None else {}
    for d in docs:
        s = d.split or "unassigned"
        if splits is None or s in by:
            by.setdefault(s, []).append(_dataset_row(d))
    return DatasetDict({k: Dataset.from_list(v, features=features) if v else
                        Dataset.from_dict({f: [] for f in features}, features=features) for k, v in by.items()})


def load_dataset(corpus_dir: Union[str, Path, None] = None, reports_dir: Union[str, Path, None] = None,
                 augment: bool = False, missing: str = "error"):
    """The corpus as a ``datasets.DatasetDict`` with ``train``, ``dev`` and ``test``::

        from govie.corpus import load_dataset
        ds = load_dataset()                      # corpus/ and ../shared/reports (or $GOVIE_REPORTS_DIR)
        ds["train"][0]["entities"][1]["value"]   # 57194: integers stay int (floats in "value_float")

    Arguments as :func:`load_corpus`; documents not in ``splits.json`` are left out (with a warning).
    Schema: ``docs/corpus.md``.
    """
    docs = load_corpus(corpus_dir, reports_dir, missing=missing, augment=augment)
    unassigned = [d.id for d in docs if d.split not in SPLITS]
    if unassigned:
        warnings.warn(f"{len(unassigned)} documents are not in splits.json and are left out ({', '.join(unassigned[:5])}"
                      f"{', …' if len(unassigned) > 5 else ''}); run `govie corpus split --extend`", stacklevel=2)
    return to_dataset(docs, splits=SPLITS)


