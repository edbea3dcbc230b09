"""``Doc``/``Span`` extensions that carry govie's data through a spaCy pipeline.

- ``Span._.value`` / ``Span._.unit`` / ``Span._.approximate``: the normalised reading of a
  QUANTITY. Components that know more than the span text (a table's unit column) record it in
  ``Doc._.quantity_info``; otherwise it is computed from the span text.
- ``Doc._.relations``: ``[(head_start, head_end, tail_start, tail_end, label, score), …]`` in
  character offsets (``VALUE_OF`` QUANTITY→METRIC, ``PART_OF`` METRIC→METRIC).
- ``Doc._.indicator_ids``: ``{(start, end): indicator_id}`` for quantities mapped to the taxonomy.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

import numpy as np
from spacy.attrs import ENT_IOB, ENT_TYPE, IDX, LENGTH
from spacy.tokens import Doc, Span

from .normalize import NormalizationError, Normalized, normalize


_UNREADABLE = object()


@lru_cache(maxsize=1 << 16)
def _normalize_cached(text: str):
    """``normalize(text)`` (a pure function of the text; ``Normalized`` is frozen), or ``_UNREADABLE``:
    ``Span._.unit``/``_.value`` are read for every QUANTITY by several components."""
    try:
        return normalize(text)
    except (NormalizationError, ValueError):
        return _UNREADABLE


def _normalized(text: str) -> Optional[Normalized]:
    r = _normalize_cached(text)
    return None if r is _UNREADABLE else r


def reading(doc: Doc, start: int, end: int, text: str, label: str = "QUANTITY") -> Optional[Normalized]:
    """The normalised reading of the entity at ``[start, end)`` of ``text`` (the doc's text): what a
    component recorded in ``Doc._.quantity_info``, else the normaliser's reading of a QUANTITY."""
    info = (doc._.quantity_info or {}).get(f"{start}:{end}")
    if info is not None:
        return Normalized(info[0], info[1], bool(info[2]))
    if label != "QUANTITY":
        return None
    return _normalized(text[start:end])


def _reading(span: Span) -> Optional[Normalized]:
    info = (span.doc._.quantity_info or {}).get(f"{span.start_char}:{span.end_char}")
    if info is not None:
        return Normalized(info[0], info[1], bool(info[2]))
    if span.label_ != "QUANTITY":
        return None
    return _normalized(span.text)


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


_IOB_I, _IOB_B = 1, 3


def _entity_tokens(doc: Doc) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token starts and ends of the doc's entities, read from the IOB array, and that array
    (columns ENT_IOB, ENT_TYPE, IDX, LENGTH)."""
    arr = doc.to_array([ENT_IOB, ENT_TYPE, IDX, LENGTH]).reshape(-1, 4)
    iob = arr[:, 0]
    starts = np.flatnonzero((iob == _IOB_B) & (arr[:, 1] != 0))
    boundary = np.flatnonzero(iob != _IOB_I)  # where a running entity stops
    ends = np.append(boundary, len(doc))[np.searchsorted(boundary, starts, side="right")]
    return starts, ends, arr


#: the last doc :func:`entities` read, the arrays it read them from, and the spans it made
_LAST_ENTS: list = [None, b"", []]


def entities(doc: Doc) -> list[Span]:
    """``list(doc.ents)``, built from the IOB array: ``Doc.ents`` makes a ``Token`` per token of the
    doc, which costs more than the rest of a rule component on a long report.

    The components of a pipeline ask for the same doc's entities several times: the spans of the last
    doc are kept, and reused while its entity and token arrays (IOB, type, offsets, lengths) are byte for
    byte the same (a new list each time: callers may change it)."""
    starts, ends, arr = _entity_tokens(doc)
    key = arr.tobytes()
    last = _LAST_ENTS
    if last[0] is doc and last[1] == key:
        return list(last[2])
    spans = [Span(doc, int(s), int(e), label=int(arr[s, 1])) for s, e in zip(starts, ends)]
    last[:] = [doc, key, spans]
    return list(spans)


def entity_offsets(doc: Doc) -> list[tuple[int, int, str]]:
    """``[(start_char, end_char, label), …]`` of the doc's entities, without making Span objects."""
    starts, ends, arr = _entity_tokens(doc)
    strings = doc.vocab.strings
    return [(int(arr[s, 2]), int(arr[e - 1, 2] + arr[e - 1, 3]), strings[int(arr[s, 1])])
            for s, e in zip(starts, ends)]


TEXT_KEY = "govie_text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once per doc and cached in ``doc.user_data`` (``Doc.text`` joins every
    token on each access; a govie pipeline reads it in each component)."""
    cached = doc.user_data.get(TEXT_KEY)
    n = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    if cached is None or len(cached) != n:
        cached = doc.text
        doc.user_data[TEXT_KEY] = cached
    return cached


register()
