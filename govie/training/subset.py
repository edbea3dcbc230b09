"""Deterministic training subsets drawn by issuer, for learning curves (``govie train --train-docs N``).

The real training documents are grouped by issuer (:func:`govie.corpus.records.issuer_key`, the
grouping the corpus split uses) and the groups are put in one sequence: shuffled with ``seed`` within
each kind (full report / opening, a group's kind being its documents' majority), the kinds
interleaved so that every prefix holds reports and openings in the proportion of the whole set (the
kind whose share is furthest below its target comes next). A subset of size ``n`` is the first ``n``
documents of that sequence (documents of a group in id order). So

- the same ``(documents, n, seed)`` always gives the same subset;
- subsets of one seed are nested: the 25-document subset lies inside the 50-document one, so a
  learning curve measures more data, not another draw;
- a subset holds whole issuers, except at most one (the last, cut to make the size exact): it samples
  issuers, as the split does, instead of the first documents in id order (which are grouped by
  collection and kind) or a handful of large issuers;
- its mix of reports and openings (long documents with tables / short narrative ones) is the whole
  set's, to within one issuer's documents, so a small size is not a draw of mostly one kind.

Augmented copies (``meta.augmented_from``) follow their source document.
"""
from __future__ import annotations

import random
from collections import Counter
from typing import Sequence

from ..corpus.records import CorpusDoc, issuer_key


class SubsetError(ValueError):
    """A subset size the training documents cannot give."""


def issuer_order(docs: Sequence[CorpusDoc], seed: int = 0) -> list[CorpusDoc]:
    """The real (non-augmented) documents of ``docs``, issuer groups in a seeded order that keeps the
    mix of kinds (see the module docstring)."""
    groups: dict[str, list[CorpusDoc]] = {}
    for d in docs:
        if d.origin != "augmented":
            groups.setdefault(issuer_key(d), []).append(d)
    keys = sorted(groups)
    random.Random(seed).shuffle(keys)
    strata: dict[str, list[str]] = {}
    for k in keys:
        kinds = Counter(d.kind for d in groups[k])
        strata.setdefault(max(sorted(kinds), key=kinds.__getitem__), []).append(k)
    total = sum(len(g) for g in groups.values())
    target = {s: sum(len(groups[k]) for k in ks) / total for s, ks in strata.items()}
    taken = {s: 0 for s in strata}
    out: list[CorpusDoc] = []
    while any(strata.values()):
        # the kind furthest below its share once the next group is added (ties: the larger share, then the name)
        s = max((s for s in strata if strata[s]), key=lambda s: (target[s] * (len(out) + 1) - taken[s], target[s], s))
        group = sorted(groups[strata[s].pop(0)], key=lambda d: d.id)
        taken[s] += len(group)
        out += group
    return out


def issuer_subset(docs: Sequence[CorpusDoc], n: int, seed: int = 0) -> list[CorpusDoc]:
    """``n`` real documents of ``docs`` (see the module docstring) plus their augmented copies, in the
    order of ``docs``. :class:`SubsetError` when ``n`` is not between 1 and the number of real documents."""
    order = issuer_order(docs, seed)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(order):
        raise SubsetError(f"a training subset needs 1 to {len(order)} documents (there are {len(order)} real "
                         f"training documents), not {n!r}")
    chosen = {d.id for d in order[:n]}
    return [d for d in docs if d.id in chosen or d.meta.get("augmented_from") in chosen]
