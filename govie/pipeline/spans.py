"""Span helpers shared by the components: character masks, token-boundary spans, and setting entities
without overlaps (one place for what the quantity, table and linking components all need)."""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

import numpy as np
from spacy.attrs import ENT_IOB, ENT_KB_ID, ENT_TYPE, IDX, LENGTH
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import extensions


def span_mask(length: int, spans: Iterable[tuple[int, int]]) -> bytearray:
    """One flag per position (character, or token) of a sequence of ``length``: 1 inside any of ``spans``."""
    flags = bytearray(length)
    for start, end in spans:
        if end > start:
            flags[start:end] = b"\x01" * (end - start)
    return flags


def overlaps(start: int, end: int, flags: bytearray) -> bool:
    """Whether ``[start, end)`` touches a flagged position of :func:`span_mask`."""
    return 1 in flags[start:end]


def char_span(doc: Doc, start: int, end: int, label: str) -> Optional[Span]:
    """A span on token boundaries, or None when a boundary falls inside a token."""
    return doc.char_span(start, end, label=label, alignment_mode="strict")


def token_ranges(doc: Doc, spans: Sequence[tuple[int, int]]) -> list[Optional[tuple[int, int]]]:
    """The token range ``(first, last + 1)`` of each character span ``[start, end)`` that lies on token
    boundaries (the tokens ``doc.char_span(start, end, alignment_mode="strict")`` covers), None for the
    others: one lookup in the doc's offset arrays for all spans, no ``Span`` made."""
    if not spans:
        return []
    idx = doc.to_array([IDX, LENGTH]).reshape(-1, 2)
    starts, ends = idx[:, 0], idx[:, 0] + idx[:, 1]
    q = np.asarray(spans, dtype=starts.dtype).reshape(-1, 2)
    first = np.minimum(np.searchsorted(starts, q[:, 0]), len(starts) - 1)
    last = np.minimum(np.searchsorted(ends, q[:, 1]), len(ends) - 1)
    ok = (starts[first] == q[:, 0]) & (ends[last] == q[:, 1])
    return [(f, e + 1) if k else None for f, e, k in zip(first.tolist(), last.tolist(), ok.tolist())]


def _longest_first(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spacy.util.filter_spans`` for ``(start, end)`` token ranges: the longest win, then the first."""
    seen: set[int] = set()
    kept = []
    for start, end in sorted(spans, key=lambda s: (s[1] - s[0], -s[0]), reverse=True):
        if start not in seen and end - 1 not in seen:
            kept.append((start, end))
            seen.update(range(start, end))
    return sorted(kept)


def replace_entities(doc: Doc, spans: Iterable[tuple[int, int]], label: str) -> None:
    """:func:`set_entities` for new entities of one ``label`` given as token ranges, replacing that
    label's entities: the same entity annotation, written to the doc's arrays (``Doc.from_array``)
    instead of through one ``Span`` per entity (a long report has thousands)."""
    label_id = doc.vocab.strings.add(label)
    arr = doc.to_array([ENT_IOB, ENT_TYPE, ENT_KB_ID]).reshape(-1, 3)
    n = len(arr)
    if not n:
        return
    iob, types = arr[:, 0], arr[:, 1]
    # the entities ``Doc.ents`` reads: a B with a type, up to the next token that is no I
    starts = np.flatnonzero((iob == 3) & (types != 0))
    boundary = np.flatnonzero(iob != 1)
    ends = np.append(boundary, n)[np.searchsorted(boundary, starts, side="right")]
    spans = list(spans)
    taken = np.zeros(n + 1, dtype=np.int64)  # tokens of every new span, also one that loses to a longer one
    for s, e in spans:
        taken[s:e] = 1
    taken = np.concatenate(([0], np.cumsum(taken)))
    keep = (types[starts] != label_id) & (taken[ends] == taken[starts])
    new = np.array(_longest_first(spans), dtype=np.int64).reshape(-1, 2)
    all_starts = np.concatenate((starts[keep], new[:, 0]))
    all_ends = np.concatenate((ends[keep], new[:, 1]))
    all_types = np.concatenate((types[starts[keep]], np.full(len(new), label_id, dtype=types.dtype)))
    order = np.argsort(all_starts, kind="stable")
    all_starts, all_ends, all_types = all_starts[order], all_ends[order], all_types[order]
    # each token's entity: the last one starting at or before it, if it has not ended
    owner = np.zeros(n, dtype=np.int64)
    owner[all_starts] = np.arange(1, len(all_starts) + 1)
    owner = np.maximum.accumulate(owner) - 1
    inside = (owner >= 0) & (np.arange(n) < np.append(all_ends, 0)[owner])
    out = arr.copy()
    out[:, 0] = np.where(inside, 1, 2)  # I, or outside (``set_ents``' default)
    out[all_starts, 0] = 3
    none = np.zeros(1, dtype=types.dtype)  # (``np.append(types, 0)`` would make the hashes floats)
    out[:, 1] = np.where(inside, np.concatenate((all_types, none))[owner], none)
    out[inside, 2] = 0  # an entity's kb id, as ``set_ents`` writes it; other tokens keep theirs
    doc.from_array([ENT_IOB, ENT_TYPE, ENT_KB_ID], out)


def without_overlaps(kept: Iterable[Span], new: Sequence[Span], n_tokens: int) -> list[Span]:
    """The spans of ``kept`` that share no token with a span of ``new`` (linear in the doc's length)."""
    taken = span_mask(n_tokens, ((n.start, n.end) for n in new))
    return [e for e in kept if not overlaps(e.start, e.end, taken)]


def set_entities(doc: Doc, spans: Iterable[Span], replace_labels: Iterable[str],
                 ents: Optional[Sequence[Span]] = None) -> list[Span]:
    """Replace the entities of ``replace_labels`` by ``spans``, keeping the other labels.

    ``ents``: the doc's current entities when the caller has them (``Doc.ents`` scans every token).
    Returns the entities set.
    """
    drop = set(replace_labels)
    kept = [e for e in (extensions.entities(doc) if ents is None else ents) if e.label_ not in drop]
    new = list(spans)
    # new spans win over kept ones where they overlap
    final = filter_spans(new + without_overlaps(kept, new, len(doc)))
    doc.set_ents(final)
    return final
