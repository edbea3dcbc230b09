"""The relation model of ``govie_relations``: candidate pairs and their features computed from Docs
inside a registered thinc model, then scored by a small network.

- ``govie.PairFeaturizer.v2`` (``Model[List[Doc], Candidates]``): QUANTITY×METRIC pairs (VALUE_OF)
  within a window, the METRICs being the doc's entities plus the METRICs the rule linker proposed
  (``Doc._.link_proposals``); METRIC×METRIC pairs (PART_OF). Quantities an earlier component already
  linked (table cells) get no candidates. Each pair is a vector of structural features (order,
  distance, punctuation and 其中/分别/共 between, ranks, entities between, whether the rules propose
  this pair) plus hashed character features of the metric and of the text around and between.
- ``govie.PairFeaturizer.v3``: v2 and, for PART_OF, the proposed METRICs as candidates too, the
  METRIC of the figure before a breakdown cue (``其中``, ``分别``, ``包括``, ``具体为``) as a parent
  candidate however many METRICs follow it, and the values of a breakdown (the child's figure within
  the parent's, the running sum of the figures since the cue reaching the parent's total).
- ``govie.RelationMLP.v2`` (``Model[Floats2d, Floats2d]``): one logit per label.
- ``govie.RelationModel.v2``: the two chained (``Model[List[Doc], RelationScores]``).

In training (``is_train``), the candidates and features of a doc are kept, keyed by its text, entities,
existing relations and proposals: spaCy's corpus reader gives new Doc objects each epoch, the same
content, so from the second epoch on they are looked up instead of computed.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np
from spacy import registry
from spacy.tokens import Doc
from thinc.api import Linear, Model, Relu, chain
from thinc.types import Floats2d

from . import extensions, script
from .spans import overlaps, span_mask
from .pair_text import (_GAP_BUCKETS, _KEYWORDS, _PUNCT, HASH_BINS, _char_counts, _contains,
                        _hash, _keyword_starts, _tail_features)
from .rule_linker import PROPOSALS

VALUE_OF, PART_OF = "VALUE_OF", "PART_OF"
#: words that open a breakdown of the figure before them (the parent of the METRICs that follow)
_BREAKDOWN_CUE = re.compile(r"其中|分别|包括|具体为|具体是|具体如下|主要有|主要包括")
#: a METRIC's own figure follows it within this many characters, with no clause punctuation between
_OWN_FIGURE_GAP = 8
_CLAUSE_PUNCT = frozenset("，,。；;\n：:")
Offsets = tuple[int, int]
Pair = tuple[str, Offsets, Offsets]  # (label, head, tail)


@dataclass
class Candidates:
    """The candidate pairs of each doc and their feature rows (all docs' rows stacked in order)."""
    pairs: list[list[Pair]]
    X: Floats2d


@dataclass
class RelationScores:
    """The candidate pairs of each doc and one logit per label for each (rows stacked in order)."""
    pairs: list[list[Pair]]
    logits: Floats2d


def _doc_entities(doc: Doc, text: str) -> tuple[list[Offsets], list[Offsets], set[Offsets], dict[Offsets, Any]]:
    """:func:`doc_entities` and the reading of each quantity (``extensions.reading``)."""
    ents = extensions.entity_offsets(doc)
    quantities = [e for e in ents if e[2] == "QUANTITY"]
    read = extensions.readings(doc, quantities, text)
    qs = [(s, e) for s, e, _ in quantities]
    ms = [(s, e) for s, e, label in ents if label == "METRIC"]
    bare = {q for q in qs if (r := read[q]) is None or r.unit is None}
    return qs, ms, bare, read


def doc_entities(doc: Doc) -> tuple[list[Offsets], list[Offsets], set[Offsets]]:
    """QUANTITY and METRIC offsets of a doc, and the quantities without a unit."""
    return _doc_entities(doc, extensions.doc_text(doc))[:3]


class PairFeaturizer:
    """Turns the entities of a Doc into candidate pairs and their feature vectors."""

    N_DENSE = 29
    #: the PART_OF columns of v3 (``part_features``), before the hashed ones: the parent is a breakdown
    #: head, the nearest one before the child; both figures have the same unit (not %), the child's is
    #: at most / equal to the parent's, the running sum since the cue is at most / equal to it; the
    #: child is an entity METRIC; a cue between; the parent is a candidate only as a breakdown head
    N_PART = 10
    #: docs whose candidates a training run keeps (about 100 bytes a pair: the non-zero features)
    CACHE_DOCS = 5000

    def __init__(self, window: int = 400, after: int = 30, max_candidates: int = 10, part_window: int = 200,
                 proposals: bool = True, part_parents: int = 4, cue_heads: int = 0, part_proposed: bool = False,
                 part_features: bool = False) -> None:
        self.window = window
        self.after = after
        self.max_candidates = max_candidates
        self.part_window = part_window
        self.proposals = proposals  # the rule linker's proposals as candidates and features
        self.part_parents = part_parents  # the nearest METRICs before a METRIC: its parent candidates
        self.cue_heads = cue_heads  # and this many breakdown heads before it, however far (v3)
        self.part_proposed = part_proposed  # PART_OF candidates among the proposed METRICs too (v3)
        self.part_features = part_features  # the N_PART columns (v3)
        self.cache: dict[tuple, tuple[list, tuple]] = {}

    @property
    def part_col(self) -> int:
        """The first of the N_PART columns (v3), just before the hashed ones."""
        return self.N_DENSE + 2 * (len(_GAP_BUCKETS) + 1) + len(_PUNCT) + len(_KEYWORDS) + 3 * 5

    @property
    def size(self) -> int:
        return self.part_col + (self.N_PART if self.part_features else 0) + 4 * HASH_BINS

    # -- candidates ----------------------------------------------------------------------------
    def value_candidates(self, quantities: Sequence[Offsets], metrics: Sequence[Offsets]):
        """(quantity, metric, rank): METRICs up to ``window`` characters before a quantity (nearest
        ``max_candidates``) and up to ``after`` characters after it (nearest two)."""
        ms = sorted(metrics)
        starts = [m[0] for m in ms]
        longest = max((m[1] - m[0] for m in ms), default=0)
        for q in quantities:
            lo = bisect_left(starts, q[0] - self.window - longest)
            before = [m for m in ms[lo:bisect_left(starts, q[0])] if m[1] <= q[0] and q[0] - m[1] <= self.window]
            after = ms[bisect_left(starts, q[1]):bisect_right(starts, q[1] + self.after)]
            for rank, m in enumerate(reversed(before[-self.max_candidates:])):
                yield q, m, rank
            for rank, m in enumerate(after[:2]):
                yield q, m, rank

    def part_candidates(self, metrics: Sequence[Offsets], heads: frozenset | set = frozenset()):
        """(child, parent, rank): each METRIC with the (``part_parents``) METRICs just before it, and the
        nearest ``cue_heads`` of ``heads`` (breakdown heads) before it within ``part_window``."""
        ms = sorted(metrics)
        starts = [m[0] for m in ms]
        longest = max((m[1] - m[0] for m in ms), default=0)
        for i, child in enumerate(ms):
            lo = bisect_left(starts, child[0] - self.part_window - longest, 0, i)
            prev = [p for p in ms[lo:i] if child[0] - p[1] <= self.part_window and p[1] <= child[0]]
            near = prev[-self.part_parents:] if self.part_parents else []
            for rank, p in enumerate(reversed(near)):
                yield child, p, rank
            if self.cue_heads and heads:
                far = [p for p in prev[:len(prev) - len(near)] if p in heads][-self.cue_heads:]
                for p in reversed(far):
                    yield child, p, len(prev) - 1 - prev.index(p)

    def breakdown_heads(self, text: str, metrics: Sequence[Offsets]) -> set[Offsets]:
        """The METRICs followed by a breakdown cue before the next METRIC (``主动公开政府信息122条，其中``),
        within ``part_window`` characters; none when ``cue_heads`` is 0."""
        if not self.cue_heads:
            return set()
        ms = sorted(metrics)
        out = set()
        for i, m in enumerate(ms):
            nxt = next((n[0] for n in ms[i + 1:] if n[0] >= m[1]), len(text))
            if _BREAKDOWN_CUE.search(text, m[1], min(nxt, m[1] + self.part_window)):
                out.add(m)
        return out

    def doc_pairs(self, doc: Doc, cache: bool = False) -> tuple[list[Pair], np.ndarray]:
        """All candidates of a doc and their feature matrix; with ``cache``, looked up in (and added
        to) :attr:`cache` by the doc's content."""
        extensions.init_doc(doc)
        text = extensions.doc_text(doc)
        qs, ms, bare, read = _doc_entities(doc, text)
        rels = doc._.relations
        linked = [r for r in rels if r[4] == VALUE_OF]
        proposals = (doc._.get(PROPOSALS) or {}) if self.proposals else {}
        key = None
        if cache:
            key = (text, tuple(qs), tuple(ms), tuple(sorted(bare)), tuple(tuple(r[:5]) for r in rels),
                   tuple((label, tuple(map(tuple, v))) for label, v in sorted(proposals.items())))
            hit = self.cache.get(key)
            if hit is not None:
                return hit[0], _dense(*hit[1])
        values = None
        if self.part_features:
            values = {q: (r.value, r.unit) for q in qs if (r := read[q]) is not None}
        # the features read the simplified view (same offsets): cue words and character classes are
        # learnt from simplified reports, as the rule components' patterns are written
        pairs, X = self.pairs(script.rule_text(doc), qs, ms, bare, proposals, frozenset((r[0], r[1]) for r in linked),
                              frozenset((r[2], r[3]) for r in linked), values=values)
        if key is not None and len(self.cache) < self.CACHE_DOCS:
            self.cache[key] = (pairs, _sparse(X))
        return pairs, X

    def pairs(self, text: str, quantities: Sequence[Offsets], metrics: Sequence[Offsets], bare: set[Offsets],
              proposals: Optional[dict[str, list]] = None, skip: frozenset = frozenset(),
              settled: frozenset = frozenset(), values: Optional[dict[Offsets, tuple]] = None
              ) -> tuple[list[Pair], np.ndarray]:
        """``skip``: quantities already linked (no VALUE_OF candidates); ``settled``: METRICs whose
        PART_OF links are decided (no PART_OF candidate between two of them); ``values``: the
        ``(value, unit)`` of each quantity (the breakdown columns of v3)."""
        proposals = proposals or {}
        rule: dict[Offsets, list[Offsets]] = {}
        for q0, q1, m0, m1 in proposals.get(VALUE_OF, ()):
            rule.setdefault((q0, q1), []).append((m0, m1))
        rule_part = {((c0, c1), (p0, p1)) for c0, c1, p0, p1 in proposals.get(PART_OF, ())}
        cands = []
        todo = [q for q in quantities if q not in skip]
        entity_metrics = set(metrics)
        proposed = sorted(entity_metrics.union(*(rule.get(q, ()) for q in todo)))
        for q, m, rank in self.value_candidates(todo, proposed):
            cands.append((VALUE_OF, q, m, rank, q in bare))
        part_metrics = sorted(metrics)
        if self.part_proposed:  # a proposed METRIC that overlaps an entity METRIC is the entity's
            mask = span_mask(len(text), metrics)
            part_metrics = sorted(entity_metrics.union(m for m in proposed if not overlaps(m[0], m[1], mask)))
        heads = self.breakdown_heads(text, part_metrics)
        for c, p, rank in self.part_candidates(part_metrics, heads):
            if c in settled and p in settled:
                continue
            cands.append((PART_OF, c, p, rank, False))
        qs = np.asarray(sorted(s for s, _ in quantities), dtype="int64")
        ms = np.asarray(sorted(s for s, _ in metrics), dtype="int64")
        X = self.featurize(text, cands, qs, ms, rule, rule_part, entity_metrics)
        if self.part_features:
            X[:, self.part_col:self.part_col + self.N_PART] = self.part_columns(
                text, cands, quantities, part_metrics, heads, rule, entity_metrics, values or {})
        return [c[:3] for c in cands], X

    def own_figures(self, text: str, quantities: Sequence[Offsets], metrics: Sequence[Offsets],
                    rule: dict[Offsets, list[Offsets]]) -> dict[Offsets, Offsets]:
        """The figure each METRIC states: the quantity the rules link to it, else the quantity that
        follows it within a few characters of the same clause."""
        own: dict[Offsets, Offsets] = {}
        for q, ms in rule.items():
            for m in ms:
                own.setdefault(m, q)
        qs = sorted(quantities)
        starts = [q[0] for q in qs]
        for m in metrics:
            if m in own:
                continue
            i = bisect_left(starts, m[1])
            if i < len(qs) and qs[i][0] - m[1] <= _OWN_FIGURE_GAP and not _CLAUSE_PUNCT.intersection(
                    text[m[1]:qs[i][0]]):
                own[m] = qs[i]
        return own

    def part_columns(self, text: str, cands: Sequence[tuple], quantities: Sequence[Offsets],
                     metrics: Sequence[Offsets], heads: set[Offsets], rule: dict[Offsets, list[Offsets]],
                     entity_metrics: set[Offsets], values: dict[Offsets, tuple]) -> np.ndarray:
        """The N_PART columns of each candidate (zero for VALUE_OF)."""
        out = np.zeros((len(cands), self.N_PART), dtype="float32")
        own = self.own_figures(text, quantities, metrics, rule)
        ms = sorted(metrics)
        starts = [m[0] for m in ms]
        heads_sorted = sorted(heads)
        for i, (label, child, parent, rank, _bare) in enumerate(cands):
            if label != PART_OF:
                continue
            is_head = parent in heads
            nearest = is_head and not any(parent[0] < h[0] and h[1] <= child[0] for h in heads_sorted)
            cue = _BREAKDOWN_CUE.search(text, parent[1], child[0])
            row = [is_head, nearest, 0.0, 0.0, 0.0, 0.0, 0.0, child in entity_metrics, cue is not None,
                   rank >= self.part_parents]
            vp, vc = values.get(own.get(parent)), values.get(own.get(child))
            if vp and vc and vp[1] == vc[1] and vp[1] != "%" and vp[0] is not None and vc[0] is not None:
                row[2] = 1.0
                row[3] = float(vc[0] <= vp[0])
                row[4] = float(vc[0] == vp[0])
                # the figures of the METRICs since the cue (or the parent), up to the child's
                since = cue.start() if cue is not None else parent[1]
                figures = {own[m] for m in ms[bisect_left(starts, since):bisect_right(starts, child[0])]
                           if m in own and m[0] >= since and own[m] != own.get(parent)}
                figures.add(own[child])
                total = sum(v[0] for q in figures if (v := values.get(q)) and v[1] == vp[1] and v[0] is not None)
                row[5] = float(total <= vp[0] + 1e-9)
                row[6] = float(abs(total - vp[0]) <= 1e-9 * max(1.0, abs(vp[0])))
            out[i] = row
        return out

    # -- features ------------------------------------------------------------------------------
    def _tail_features(self, text: str, tail: Offsets) -> tuple[tuple[float, ...], tuple[int, ...]]:
        """The features that depend on the tail span only: dense values and hashed columns."""
        return _tail_features(text[tail[0]:tail[1]], text[tail[1]:tail[1] + 3])

    def featurize(self, text: str, cands: Sequence[tuple[str, Offsets, Offsets, int, bool]],
                  quantity_starts: np.ndarray, metric_starts: np.ndarray,
                  rule: Optional[dict[Offsets, list[Offsets]]] = None, rule_part: frozenset | set = frozenset(),
                  entity_metrics: Optional[set[Offsets]] = None) -> np.ndarray:
        """Feature matrix of candidate pairs ``(label, head, tail, rank, bare)``, computed per document
        with cumulative character counts instead of one Python pass per pair."""
        n = len(cands)
        X = np.zeros((n, self.size), dtype="float32")
        if not n:
            return X
        H = np.asarray([c[1] for c in cands], dtype=np.int64)
        T = np.asarray([c[2] for c in cands], dtype=np.int64)
        rank = np.asarray([c[3] for c in cands], dtype=np.int64)
        before = T[:, 1] <= H[:, 0]
        a0 = np.where(before, T[:, 1], H[:, 1])
        b0 = np.where(before, H[:, 0], T[:, 0])
        a, b = np.minimum(a0, b0), np.maximum(a0, b0)
        gap = b - a
        nq = np.searchsorted(quantity_starts, b) - np.searchsorted(quantity_starts, a)
        nm = np.searchsorted(metric_starts, b) - np.searchsorted(metric_starts, a)
        counts = _char_counts(text)
        between = counts[b] - counts[a]  # digits, then each group of _COUNTED, in [a, b)
        digits, newlines = between[:, 0], between[:, 1]
        h1 = H[:, 1]
        after_h = counts[np.minimum(h1 + 1, len(text)), 0] - counts[h1, 0]  # a digit right after the head
        tails: dict[Offsets, tuple[tuple[float, ...], tuple[int, ...]]] = {}
        heads: dict[int, int] = {}  # the hashed column of the two characters before a head, by its start
        tv: list[tuple[float, ...]] = []
        cols: list[int] = []  # the hashed columns of each candidate, one after the other
        n_cols: list[int] = []  # how many of them each candidate has
        # the rules: propose this METRIC, one overlapping it, none; tail is an entity; PART_OF proposed
        rv: list[tuple] = []
        rule = rule or {}
        for (label, head, tail, _rank, _bare), ai, bi, bef in zip(cands, a.tolist(), b.tolist(), before.tolist()):
            is_entity = entity_metrics is None or tail in entity_metrics
            if label == VALUE_OF:
                rms = rule.get(head, ())
                rv.append((tail in rms, any(m[0] < tail[1] and tail[0] < m[1] for m in rms), not rms, is_entity,
                           False))
            else:
                rv.append((False, False, False, is_entity, (head, tail) in rule_part))
            tf = tails.get(tail)
            if tf is None:
                tf = tails[tail] = self._tail_features(text, tail)
            tv.append(tf[0])
            cols.extend(tf[1])
            # the last (tail before head) or first three characters between the two
            cols.append(HASH_BINS + _hash(text[max(ai, bi - 3):bi] if bef else text[ai:min(bi, ai + 3)], "gap"))
            bh = heads.get(head[0])
            if bh is None:
                bh = heads[head[0]] = 2 * HASH_BINS + _hash(text[max(0, head[0] - 2):head[0]], "bh")
            cols.append(bh)
            n_cols.append(len(tf[1]) + 2)
        tva = np.asarray(tv, dtype=np.float64)
        rva = np.asarray(rv, dtype=np.float64)
        dense = [
            np.ones(n), before, [c[0] == PART_OF for c in cands], np.log1p(gap) / 6, gap == 0,
            between[:, 2] == 0, newlines == 0, between[:, 3] == 0,
            np.minimum(nq, 8) / 8, nq == 0, np.minimum(nm, 8) / 8, nm == 0, np.minimum(digits, 50) / 50,
            tva[:, 0], tva[:, 1], [c[4] for c in cands], tva[:, 2], rank == 0, rank == 1, rank == 2, rank >= 3,
            newlines / 10, tva[:, 3], after_h, rva[:, 0], rva[:, 1], rva[:, 2], rva[:, 3], rva[:, 4],
        ]
        assert len(dense) == self.N_DENSE
        # the columns before the hashed ones, made in a small block and copied into X at once
        D = np.zeros((n, self.part_col), dtype=np.float64)
        col = 0
        for values in dense:
            D[:, col] = values
            col += 1
        gb = len(_GAP_BUCKETS) + 1
        g = np.searchsorted(np.asarray(_GAP_BUCKETS), gap, side="right")
        D[np.arange(n), col + np.where(before, 0, gb) + g] = 1.0
        col += 2 * gb
        D[:, col:col + len(_PUNCT)] = between[:, 4:] > 0
        col += len(_PUNCT)
        for k, starts in _keyword_starts(text).items():
            D[:, col] = _contains(text, k, a, b, starts)
            col += 1
        for counts_between in (nq, nm):
            D[np.arange(n), col + np.searchsorted(np.asarray((1, 2, 4, 8)), counts_between, side="right")] = 1.0
            col += 5
        D[:, col:col + 5] = tva[:, 4:9]
        col += 5
        X[:, :col] = D
        if self.part_features:
            col += self.N_PART  # filled by pairs()
        X[np.repeat(np.arange(n), n_cols), col + np.array(cols, dtype=np.int64)] = 1.0
        return X


def _sparse(X: np.ndarray) -> tuple:
    rows, cols = np.nonzero(X)
    return X.shape, rows.astype(np.int32), cols.astype(np.int16), X[rows, cols]


def _dense(shape: tuple, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> np.ndarray:
    X = np.zeros(shape, dtype="float32")
    X[rows, cols] = vals
    return X


# --------------------------------------------------------------------------- thinc layers
def _featurizer_forward(model: Model, docs: list[Doc], is_train: bool):
    featurizer: PairFeaturizer = model.attrs["featurizer"]
    pairs, blocks = [], []
    for doc in docs:
        p, X = featurizer.doc_pairs(doc, cache=is_train)
        pairs.append(p)
        blocks.append(X)
    X = np.concatenate(blocks) if blocks else np.zeros((0, featurizer.size), dtype="float32")
    return Candidates(pairs, model.ops.asarray2f(X)), lambda d_cands: []  # nothing to learn below


@registry.architectures("govie.PairFeaturizer.v2")
def pair_featurizer(window: int = 400, after: int = 30, max_candidates: int = 10, part_window: int = 200,
                    proposals: bool = True) -> Model[list[Doc], Candidates]:
    """Candidate pairs of each doc and their feature rows (see :class:`PairFeaturizer`)."""
    f = PairFeaturizer(window=window, after=after, max_candidates=max_candidates, part_window=part_window,
                       proposals=proposals)
    return Model("govie_pair_featurizer", _featurizer_forward, attrs={"featurizer": f}, dims={"nO": f.size})


@registry.architectures("govie.PairFeaturizer.v3")
def pair_featurizer_v3(window: int = 400, after: int = 30, max_candidates: int = 10, part_window: int = 200,
                       proposals: bool = True, part_parents: int = 4, cue_heads: int = 2,
                       part_proposed: bool = True, part_features: bool = True) -> Model[list[Doc], Candidates]:
    """v2 with the PART_OF candidates and columns of v3 (see :class:`PairFeaturizer`)."""
    f = PairFeaturizer(window=window, after=after, max_candidates=max_candidates, part_window=part_window,
                       proposals=proposals, part_parents=part_parents, cue_heads=cue_heads,
                       part_proposed=part_proposed, part_features=part_features)
    return Model("govie_pair_featurizer", _featurizer_forward, attrs={"featurizer": f}, dims={"nO": f.size})


@registry.architectures("govie.RelationMLP.v2")
def relation_mlp(hidden_width: int = 64, dropout: float = 0.1, nO: Optional[int] = None) -> Model[Floats2d, Floats2d]:
    """A hidden ReLU layer and one logit per relation label (``nO``: set from the labels)."""
    output = Linear(nO=nO)
    model = chain(Relu(nO=hidden_width, dropout=dropout), output)
    model.set_ref("output_layer", output)
    return model


def _relation_forward(model: Model, docs: list[Doc], is_train: bool):
    featurizer, scorer = model.layers
    cands, _ = featurizer(docs, is_train)
    if not len(cands.X):
        logits = model.ops.alloc2f(0, scorer.get_dim("nO"))
        return RelationScores(cands.pairs, logits), lambda d_logits: []
    logits, backprop = scorer(cands.X, is_train)

    def backprop_docs(d_logits: Floats2d) -> list:
        backprop(d_logits)
        return []

    return RelationScores(cands.pairs, logits), backprop_docs


def _relation_init(model: Model, X: Optional[list[Doc]] = None, Y: Any = None) -> None:
    featurizer, scorer = model.layers
    feats = featurizer.predict(X).X if X else None
    if feats is None or not len(feats):
        feats = model.ops.alloc2f(1, featurizer.get_dim("nO"))
    scorer.initialize(X=feats)


@registry.architectures("govie.RelationModel.v2")
def relation_model(featurizer: Model[list[Doc], Candidates], scorer: Model[Floats2d, Floats2d]
                   ) -> Model[list[Doc], RelationScores]:
    """Docs → candidate pairs with one logit per label: ``featurizer`` chained with ``scorer``."""
    model = Model("govie_relation_model", _relation_forward, init=_relation_init, layers=[featurizer, scorer])
    model.set_ref("featurizer", featurizer)
    model.set_ref("scorer", scorer)
    return model
