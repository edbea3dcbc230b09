"""``Doc``/``Span`` extensions that carry govie's data through a spaCy pipeline.

- ``Span._.value`` / ``Span._.unit`` / ``Span._.approximate``: the normalised reading of a
  QUANTITY. Components that know more than the span text (a table's unit column) record it in
  ``Doc._.quantity_info``; otherwise it is computed from the span text.
- ``Doc._.relations``: ``[(head_start, head_end, tail_start, tail_end, label, score), …]`` in
  character offsets (``VALUE_OF`` QUANTITY→METRIC, ``PART_OF`` METRIC→METRIC).
- ``Doc._.indicator_ids``: ``{(start, end): indicator_id}`` for quantities mapped to the taxonomy.
"""
from __future__ import annotations

from typing import Optional

from spacy.tokens import Doc, Span

from .normalize import NormalizationError, Normalized, normalize


def _reading(span: Span) -> Optional[Normalized]:
    info = span.doc._.quantity_info.get(f"{span.start_char}:{span.end_char}")
    if info is not None:
        return Normalized(info[0], info[1], bool(info[2]))
    if span.label_ != "QUANTITY":
        return None
    try:
        return normalize(span.text)
    except (NormalizationError, ValueError):
        return None


def _value(span: Span):
    r = _reading(span)
    return None if r is None else r.value


def _unit(span: Span):
    r = _reading(span)
    return None if r is None else r.unit


def _approximate(span: Span):
    r = _reading(span)
    return None if r is None else r.approximate


def register() -> None:
    """Register the extensions (idempotent)."""
    if not Doc.has_extension("quantity_info"):
        Doc.set_extension("quantity_info", default=None)
    if not Doc.has_extension("relations"):
        Doc.set_extension("relations", default=None)
    if not Doc.has_extension("indicator_ids"):
        Doc.set_extension("indicator_ids", default=None)
    for name, getter in (("value", _value), ("unit", _unit), ("approximate", _approximate)):
        if not Span.has_extension(name):
            Span.set_extension(name, getter=getter)


def init_doc(doc: Doc) -> Doc:
    """Give a doc empty govie containers (mutable defaults are per doc, never shared)."""
    if doc._.quantity_info is None:
        doc._.quantity_info = {}
    if doc._.relations is None:
        doc._.relations = []
    if doc._.indicator_ids is None:
        doc._.indicator_ids = {}
    return doc


register()
