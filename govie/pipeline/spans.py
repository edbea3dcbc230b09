"""Span helpers shared by the components: character masks, token-boundary spans, and setting entities
without overlaps (one place for what the quantity, table and linking components all need)."""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

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
