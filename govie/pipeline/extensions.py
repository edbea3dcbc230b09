"""``Doc``/``Span`` extensions that carry govie's data through a spaCy pipeline.

- ``Span._.value`` / ``Span._.unit`` / ``Span._.approximate``: the normalised reading of a
  QUANTITY. Components that know more than the span text (a table's unit column) record it in
  ``Doc._.quantity_info``; otherwise it is computed from the span text.
- ``Doc._.relations``: ``[Relation(head_start, head_end, tail_start, tail_end, label, score), …]`` in
  character offsets (``VALUE_OF`` QUANTITY→METRIC, ``PART_OF`` METRIC→METRIC). :class:`Relation` is a
  named tuple: it unpacks like the plain 6-tuple, and stays one after ``nlp.pipe(n_process=2)`` and a
  ``DocBin`` (which send ``user_data`` through msgpack, where tuples become lists).
- ``doc.spans["VALUE_OF"]`` / ``doc.spans["PART_OF"]``: the same relations as spans, kept in step with
  ``Doc._.relations`` (assign a new list to change them): each span is the relation's head, labelled
  with the relation; ``Span._.tail`` is the linked METRIC and ``Span._.score`` the relation's score.
  ``displacy.render(doc, style="span", options={"spans_key": "VALUE_OF"})`` draws them. Inside
  :func:`no_relation_spans` (:func:`govie.parse_many`, whose Docs only feed its Reports) they are not made.
- ``Doc._.indicator_ids``: ``{(start, end): indicator_id}`` for quantities mapped to the taxonomy.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterable, Iterator, NamedTuple, Optional

import numpy as np
from spacy.attrs import ENT_IOB, ENT_TYPE, IDX, LENGTH
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..normalize import Normalized, recorded


def reading(doc: Doc, start: int, end: int, text: str, label: str = "QUANTITY") -> Optional[Normalized]:
    """The normalised reading of the entity at ``[start, end)`` of ``text`` (the doc's text): what a
    component recorded in ``Doc._.quantity_info``, else the normaliser's reading of a QUANTITY."""
    return _recorded(doc._.quantity_info or {}, text, start, end, label)


def _recorded(info, text: str, start: int, end: int, label: str) -> Optional[Normalized]:
    if label != "QUANTITY" and f"{start}:{end}" not in info:
        return None
    return recorded(info, text, start, end)


def readings(doc: Doc, entities: Iterable[tuple[int, int, str]], text: str
             ) -> dict[tuple[int, int], Optional[Normalized]]:
    """:func:`reading` of each ``(start, end, label)`` of ``entities`` (``Doc._.quantity_info`` read once)."""
    info = doc._.quantity_info or {}
    return {(start, end): _recorded(info, text, start, end, label) for start, end, label in entities}


def _reading(span: Span) -> Optional[Normalized]:
    return reading(span.doc, span.start_char, span.end_char, doc_text(span.doc), span.label_)


def _value(span: Span):
    r = _reading(span)
    return None if r is None else r.value


def _unit(span: Span):
    r = _reading(span)
    return None if r is None else r.unit


def _approximate(span: Span):
    r = _reading(span)
    return None if r is None else r.approximate


class Relation(NamedTuple):
    """One relation of ``Doc._.relations``, in character offsets of the doc's text."""

    head_start: int
    head_end: int
    tail_start: int
    tail_end: int
    label: str
    score: float


#: the relation labels that get a ``doc.spans`` group
RELATION_LABELS = ("VALUE_OF", "PART_OF")
RELATIONS_KEY = "govie_relations"


def _as_relations(items: Iterable[Any]) -> list[Relation]:
    return [r if type(r) is Relation else Relation(*r) for r in items]


_RELATION_TYPE = {Relation}


def _get_relations(doc: Doc) -> Optional[list[Relation]]:
    rels = doc.user_data.get(RELATIONS_KEY)
    # lists, after msgpack (n_process, DocBin); the types are gathered in C (this runs ~25 times a doc)
    if rels and set(map(type, rels)) != _RELATION_TYPE:
        rels = doc.user_data[RELATIONS_KEY] = _as_relations(rels)
    return rels


#: whether relation spans are made when ``doc._.relations`` is set (see :func:`no_relation_spans`)
_MAKE_SPANS: ContextVar[bool] = ContextVar("govie_relation_spans", default=True)


@contextmanager
def no_relation_spans() -> Iterator[None]:
    """Within the block (in this thread), setting ``doc._.relations`` leaves ``doc.spans`` alone: for a
    caller that reads ``doc._.relations`` only and hands no Doc out (:func:`govie.parse_many`, where the
    spans of every component's relations cost ~5% of the pipeline). Docs processed outside it, before
    or after, get their spans as always."""
    token = _MAKE_SPANS.set(False)
    try:
        yield
    finally:
        _MAKE_SPANS.reset(token)


#: ``id(doc)`` of the docs inside :func:`deferred_relation_spans`: whether their relations were set there
_DEFERRED: dict[int, bool] = {}


def _set_relations(doc: Doc, value: Optional[Iterable[Any]]) -> None:
    if value is None:
        doc.user_data.pop(RELATIONS_KEY, None)
        rels: list[Relation] = []
    else:
        rels = doc.user_data[RELATIONS_KEY] = _as_relations(value)
    if id(doc) in _DEFERRED:
        _DEFERRED[id(doc)] = True
    elif _MAKE_SPANS.get():
        set_relation_spans(doc, rels)


@contextmanager
def deferred_relation_spans(doc: Doc) -> Iterator[Doc]:
    """Within the block, setting ``doc._.relations`` leaves ``doc.spans`` alone; on leaving it, the
    relation spans are made once, from the relations set last (a component that sets the relations
    several times pays for the spans once)."""
    if id(doc) in _DEFERRED:  # nested: the outer block makes the spans
        yield doc
        return
    _DEFERRED[id(doc)] = False
    try:
        yield doc
    finally:
        if _DEFERRED.pop(id(doc)) and _MAKE_SPANS.get():
            set_relation_spans(doc, _get_relations(doc) or [])


def set_relation_spans(doc: Doc, rels: Iterable[Relation]) -> None:
    """``doc.spans[label]`` for each of :data:`RELATION_LABELS` (and any other label in ``rels``): the
    head of each relation as a span labelled with the relation, its tail's offsets in the span's id."""
    if not len(doc):
        return
    rels = list(rels)
    idx = doc.to_array([IDX, LENGTH]).reshape(-1, 2)
    ends = idx[:, 0] + idx[:, 1]
    # the head's tokens: the one holding its first character to the one holding its last
    first = np.searchsorted(idx[:, 0], [r.head_start for r in rels], side="right") - 1
    last = np.searchsorted(ends, [r.head_end for r in rels], side="left") + 1
    groups: dict[str, list[Span]] = {label: [] for label in RELATION_LABELS}
    n = len(doc)
    for r, s, e in zip(rels, first.tolist(), last.tolist()):
        if 0 <= s < e <= n:
            groups.setdefault(r.label, []).append(Span(doc, s, e, label=r.label, span_id=f"{r.tail_start}:{r.tail_end}"))
    for label, spans in groups.items():
        doc.spans[label] = spans


def _tail_offsets(span: Span) -> Optional[tuple[int, int]]:
    ts, sep, te = (span.id_ or "").partition(":")
    return (int(ts), int(te)) if sep and ts.isdigit() and te.isdigit() else None


def _tail(span: Span) -> Optional[Span]:
    """The linked span of a relation span (``doc.spans["VALUE_OF"]``: the METRIC), with its entity label."""
    off = _tail_offsets(span)
    if off is None:
        return None
    tail = span.doc.char_span(off[0], off[1], alignment_mode="expand")
    if tail is None:
        return None
    return Span(span.doc, tail.start, tail.end, label=tail[0].ent_type_ or "")


def _score(span: Span) -> Optional[float]:
    """The score of the relation a relation span stands for."""
    off = _tail_offsets(span)
    if off is None:
        return None
    key = (span.start_char, span.end_char, off[0], off[1], span.label_)
    return next((r.score for r in span.doc._.relations or [] if r[:5] == key), None)


def register() -> None:
    """Register the extensions (idempotent)."""
    if not Doc.has_extension("quantity_info"):
        Doc.set_extension("quantity_info", default=None)
    if not Doc.has_extension("relations"):
        Doc.set_extension("relations", getter=_get_relations, setter=_set_relations)
    if not Doc.has_extension("indicator_ids"):
        Doc.set_extension("indicator_ids", default=None)
    for name, getter in (("value", _value), ("unit", _unit), ("approximate", _approximate), ("tail", _tail),
                         ("score", _score)):
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
    spans = [Span(doc, s, e, label=label) for s, e, label in zip(starts.tolist(), ends.tolist(),
                                                                  arr[starts, 1].tolist())]
    last[:] = [doc, key, spans]
    return list(spans)


def entity_offsets(doc: Doc) -> list[tuple[int, int, str]]:
    """``[(start_char, end_char, label), …]`` of the doc's entities, without making Span objects."""
    starts, ends, arr = _entity_tokens(doc)
    strings = doc.vocab.strings
    types = arr[starts, 1].tolist()
    names = {t: strings[t] for t in set(types)}
    return list(zip(arr[starts, 2].tolist(), (arr[ends - 1, 2] + arr[ends - 1, 3]).tolist(),
                    [names[t] for t in types]))


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
