"""``govie_relations``: a trainable relation component (VALUE_OF, PART_OF).

Candidates are QUANTITY×METRIC pairs (VALUE_OF) and METRIC×METRIC pairs (PART_OF) within a
window; the METRICs of VALUE_OF candidates are the NER's plus the rule linker's choice for each
quantity ("rules propose, the model decides": a chosen proposal becomes a METRIC entity). Each pair
is represented by structural features that matter in these reports (order, distance, punctuation
and 其中/分别/共 between, same clause/line, rank among candidates, cells between, whether the rule
linker chose this METRIC) plus hashed token features of the metric, of the text between and around
the pair.
One binary classifier per relation label scores the candidates. The classifier is either a
thinc network trained through :meth:`update` in spaCy's loop (``classifier = "thinc"``, shipped) or
a scikit-learn model fitted in :meth:`initialize` (``classifier = "sklearn"``); ``docs/model-card.md``
reports both.
"""
from __future__ import annotations

import pickle
import re
import zlib
from bisect import bisect_left, bisect_right
from typing import Any, Callable, Iterable, Optional, Sequence

import numpy as np
import srsly
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import ensure_path
from threadpoolctl import ThreadpoolController
from thinc.api import Config, Model, Optimizer, Relu, chain

from . import extensions
from .components import set_entities
from .quantities import QuantityMatch, overlaps, span_mask
from .rule_linker import link_quantities

LABELS = ("VALUE_OF", "PART_OF")
HASH_BINS = 64
_PUNCT = ["，,", "。", "；;", "、", "：:", "\n", "（(", "）)", "|｜\t"]
_KEYWORDS = ["其中", "分别", "共", "包括", "均", "为", "达", "合计", "总计", "累计", "含"]
_GAP_BUCKETS = (0, 1, 2, 4, 8, 16, 32, 64, 128, 256)
_CLAUSE = re.compile(r"[，,。；;\n]")
_DIGIT_AHEAD = re.compile(r"\s*[0-9]")


def _bucket(x: int, edges: Sequence[int]) -> list[float]:
    out = [0.0] * (len(edges) + 1)
    i = 0
    while i < len(edges) and x >= edges[i]:
        i += 1
    out[i] = 1.0
    return out


def _hash(s: str, salt: str) -> int:
    return zlib.crc32((salt + s).encode("utf-8")) % HASH_BINS


class PairFeaturizer:
    """Turns (head, tail) character spans of a document into feature vectors."""

    def __init__(self, window: int = 400, after: int = 30, max_candidates: int = 10, part_window: int = 200,
                 propose: bool = True) -> None:
        self.window = window
        self.propose = propose  # the rule linker's METRICs as candidates and features
        self.after = after
        self.max_candidates = max_candidates
        self.part_window = part_window

    @property
    def size(self) -> int:
        return 27 + 2 * (len(_GAP_BUCKETS) + 1) + len(_PUNCT) + len(_KEYWORDS) + 3 * 5 + 4 * HASH_BINS

    # -- candidates ----------------------------------------------------------------------------
    def value_candidates(self, quantities: Sequence[tuple[int, int]], metrics: Sequence[tuple[int, int]]):
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

    def part_candidates(self, metrics: Sequence[tuple[int, int]]):
        """(child, parent, rank): each METRIC with the (up to four) METRICs just before it."""
        ms = sorted(metrics)
        starts = [m[0] for m in ms]
        longest = max((m[1] - m[0] for m in ms), default=0)
        for i, child in enumerate(ms):
            lo = bisect_left(starts, child[0] - self.part_window - longest, 0, i)
            prev = [p for p in ms[lo:i] if child[0] - p[1] <= self.part_window]
            for rank, p in enumerate(reversed(prev[-4:])):
                yield child, p, rank

    # -- features ------------------------------------------------------------------------------
    def _tail_features(self, text: str, tail: tuple[int, int]) -> tuple[list[float], list[int]]:
        """The features that depend on the tail span only: dense values and hashed columns."""
        mtext = text[tail[0]:tail[1]]
        after_m = text[tail[1]:tail[1] + 1]
        v = [float(after_m.isdigit()), float(after_m.isspace() or after_m == ""), min(len(mtext), 20) / 20,
             float(bool(_DIGIT_AHEAD.match(text, tail[1], tail[1] + 3)))] + _bucket(len(mtext), (2, 4, 7, 11))
        idx = [_hash(mtext[i:i + 2], "m") for i in range(len(mtext) - 1)]
        idx.append(_hash(mtext[-2:], "mend"))
        idx.append(3 * HASH_BINS + _hash(text[tail[1]:tail[1] + 2], "am"))
        return v, idx

    def featurize(self, text: str, cands: Sequence[tuple[str, tuple[int, int], tuple[int, int], int, bool]],
                  quantity_starts: np.ndarray, metric_starts: np.ndarray,
                  rule: Optional[dict[tuple[int, int], list[tuple[int, int]]]] = None) -> np.ndarray:
        """Feature matrix of candidate pairs ``(label, head, tail, rank, bare)``, computed per document
        with cumulative character counts instead of one Python pass per pair."""
        n = len(cands)
        X = np.zeros((n, self.size), dtype="float32")
        if not n:
            return X
        codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")

        def cum(mask: np.ndarray) -> np.ndarray:
            return np.concatenate([[0], np.cumsum(mask, dtype=np.int64)])

        def has(chars: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
            c = cum(np.isin(codes, [ord(ch) for ch in chars]))
            return c[b] - c[a]

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
        digit = np.frombuffer(bytes(ch.isdigit() for ch in text), dtype=np.uint8)
        digits = cum(digit)[b] - cum(digit)[a]
        newlines = has("\n", a, b)
        after_h = np.append(digit, 0)[H[:, 1]]
        tails: dict[tuple[int, int], tuple[list[float], list[int]]] = {}
        tv = np.zeros((n, 9), dtype=np.float64)
        rows: list[int] = []
        cols: list[int] = []
        rv = np.zeros((n, 3), dtype=np.float64)  # the rule linker's METRIC: this one, overlapping, none
        rule = rule or {}
        for i, (label, head, tail, _rank, _bare) in enumerate(cands):
            if label == "VALUE_OF":
                rms = rule.get(head, ())
                rv[i] = (tail in rms, any(m[0] < tail[1] and tail[0] < m[1] for m in rms), not rms)
            tf = tails.get(tail)
            if tf is None:
                tf = tails[tail] = self._tail_features(text, tail)
            tv[i] = tf[0]
            cols += tf[1]
            between = text[a[i]:b[i]]
            cols.append(HASH_BINS + _hash(between[-3:] if before[i] else between[:3], "gap"))
            cols.append(2 * HASH_BINS + _hash(text[max(0, head[0] - 2):head[0]], "bh"))
            rows += [i] * (len(tf[1]) + 2)
        dense = [
            np.ones(n), before, [c[0] == "PART_OF" for c in cands], np.log1p(gap) / 6, gap == 0,
            has("，,。；;\n", a, b) == 0, newlines == 0, has("。", a, b) == 0,
            np.minimum(nq, 8) / 8, nq == 0, np.minimum(nm, 8) / 8, nm == 0, np.minimum(digits, 50) / 50,
            tv[:, 0], tv[:, 1], [c[4] for c in cands], tv[:, 2], rank == 0, rank == 1, rank == 2, rank >= 3,
            newlines / 10, tv[:, 3], after_h, rv[:, 0], rv[:, 1], rv[:, 2],
        ]
        col = 0
        for values in dense:
            X[:, col] = values
            col += 1
        gb = len(_GAP_BUCKETS) + 1
        g = np.searchsorted(np.asarray(_GAP_BUCKETS), gap, side="right")
        X[np.arange(n), col + np.where(before, 0, gb) + g] = 1.0
        col += 2 * gb
        for group in _PUNCT:
            X[:, col] = has(group, a, b) > 0
            col += 1
        for k in _KEYWORDS:
            X[:, col] = _contains(text, k, a, b)
            col += 1
        for counts in (nq, nm):
            X[np.arange(n), col + np.searchsorted(np.asarray((1, 2, 4, 8)), counts, side="right")] = 1.0
            col += 5
        X[:, col:col + 5] = tv[:, 4:9]
        col += 5
        X[np.asarray(rows), col + np.asarray(cols)] = 1.0
        return X

    def pairs(self, text: str, quantities: Sequence[tuple[int, int]], metrics: Sequence[tuple[int, int]],
              bare: set[tuple[int, int]], skip: frozenset = frozenset(), settled: frozenset = frozenset()
              ) -> tuple[list[tuple[str, tuple[int, int], tuple[int, int]]], np.ndarray]:
        """All candidates of a document, ``[(label, head, tail), …]``, and their feature matrix.

        ``skip``: quantities that already have their links (table cells): no VALUE_OF candidates.
        ``settled``: METRICs whose PART_OF links are already decided (table row labels): no PART_OF
        candidate between two of them.
        """
        qs = np.asarray(sorted(s for s, _ in quantities), dtype="int64")
        ms = np.asarray(sorted(s for s, _ in metrics), dtype="int64")
        cands = []
        todo = [q for q in quantities if q not in skip]
        # rules propose: the rule linker's METRIC of each quantity is a candidate too (and a feature)
        rule = _rule_metrics(text, todo, bare) if self.propose else {}
        proposed = sorted(set(metrics).union(*rule.values()))
        for q, m, rank in self.value_candidates(todo, proposed):
            cands.append(("VALUE_OF", q, m, rank, q in bare))
        for c, p, rank in self.part_candidates(metrics):
            if c in settled and p in settled:
                continue
            cands.append(("PART_OF", c, p, rank, False))
        return [c[:3] for c in cands], self.featurize(text, cands, qs, ms, rule)


_CONTROLLER: list[ThreadpoolController] = []


def _openmp() -> ThreadpoolController:
    """One controller per process, made once the classifier has loaded its OpenMP runtime
    (``threadpool_limits()`` scans the loaded libraries on every call: 5 ms a batch)."""
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


def _rule_metrics(text: str, quantities: Sequence[tuple[int, int]], bare: set[tuple[int, int]]
                  ) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """The rule linker's METRIC spans of each quantity (rules propose, the classifier decides)."""
    qm = [QuantityMatch(s, e, text[s:e], 0, None, False, (s, e) in bare) for s, e in sorted(quantities)]
    out: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for link in link_quantities(text, qm):
        out.setdefault((link.quantity.start, link.quantity.end), []).append((link.metric.start, link.metric.end))
    return out


def _place_proposed(doc: Doc, rels: set[tuple]) -> list[tuple]:
    """Make the METRICs the rules proposed and the classifier chose into entities.

    A proposed span that overlaps a QUANTITY, a METRIC another relation uses or an earlier proposed
    span loses its relations (the rule linker after this component links what is left unlinked);
    unused entities it overlaps give way to it."""
    ents = extensions.entities(doc)
    metric_keys = {(e.start_char, e.end_char) for e in ents if e.label_ == "METRIC"}
    new = sorted({(r[2], r[3]) for r in rels if r[4] == "VALUE_OF" and (r[2], r[3]) not in metric_keys})
    if not new:
        return sorted(rels)
    used = {(r[2], r[3]) for r in rels} | {(r[0], r[1]) for r in rels if r[4] == "PART_OF"}
    n_chars = len(extensions.doc_text(doc))
    blocked = span_mask(n_chars, [(e.start_char, e.end_char) for e in ents if e.label_ == "QUANTITY"
                                  or (e.label_ == "METRIC" and (e.start_char, e.end_char) in used)])
    placed: dict[tuple[int, int], Span] = {}
    for key in new:
        span = doc.char_span(key[0], key[1], label="METRIC", alignment_mode="contract")
        if span is None or not len(span) or overlaps(span.start_char, span.end_char, blocked):
            continue
        placed[key] = span
        blocked[span.start_char:span.end_char] = b"\x01" * (span.end_char - span.start_char)
    if placed:  # the proposals win over the (unused) entities they overlap
        set_entities(doc, placed.values(), (), ents)
    out = []
    for r in rels:
        if r[4] == "VALUE_OF" and (r[2], r[3]) not in metric_keys:
            span = placed.get((r[2], r[3]))
            if span is None:
                continue
            r = (r[0], r[1], span.start_char, span.end_char, r[4], r[5])
        out.append(r)
    return sorted(out)


def _contains(text: str, word: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each range ``[a, b)`` of ``text``: does ``word`` occur inside it?"""
    starts = np.asarray([m.start() for m in re.finditer(re.escape(word), text)], dtype=np.int64)
    if not len(starts):
        return np.zeros(len(a), dtype=bool)
    last = b - len(word)  # the last start position that fits
    return (np.searchsorted(starts, last, side="right") - np.searchsorted(starts, a)) > 0


def _entities(doc: Doc) -> tuple[list[tuple[int, int]], list[tuple[int, int]], set[tuple[int, int]]]:
    qs, ms, bare = [], [], set()
    for e in extensions.entities(doc):
        key = (e.start_char, e.end_char)
        if e.label_ == "QUANTITY":
            qs.append(key)
            if e._.unit is None:
                bare.add(key)
        elif e.label_ == "METRIC":
            ms.append(key)
    return qs, ms, bare


def _gold(doc: Doc) -> set[tuple[int, int, int, int, str]]:
    return {(r[0], r[1], r[2], r[3], r[4]) for r in (doc._.relations or [])}


def _logistic(n_in: int) -> Model:
    from thinc.api import Sigmoid

    return Sigmoid(nO=1, nI=n_in)


from spacy import registry  # noqa: E402


@registry.architectures("govie.RelationMLP.v1")
def relation_mlp(hidden_width: int = 64) -> Model:
    """Per-label feed-forward scorer over pair feature vectors (used when classifier = "thinc")."""
    n_in = PairFeaturizer().size
    models = {label: chain(Relu(nO=hidden_width, nI=n_in, dropout=0.1), _logistic(hidden_width)) for label in LABELS}
    model = Model("govie_relation_mlp", lambda m, X, is_train: (X, lambda d: d),
                  layers=[models[l] for l in LABELS], attrs={"labels": list(LABELS)})
    return model


class RelationExtractor(TrainablePipe):
    """Scores candidate pairs and writes ``Doc._.relations``.

    A pair scoring ``threshold`` or more is a relation; a quantity with none gets its best candidate
    if that scores ``best_threshold`` or more. The default (0.5, the same) leaves the quantities the
    model doubts to the rule linker after it: cross-validated on the training documents
    (``training/cv_linker.py``) that beat a low-confidence fallback link (0.2) on narrative text.
    ``propose``: the rule linker's METRIC of each quantity is a candidate and a feature (the
    classifier must be fitted with the same setting).
    """

    def __init__(self, vocab, model: Model, name: str = "govie_relations", *, classifier: str = "thinc",
                 threshold: float = 0.5, best_threshold: float = 0.5, keep_existing: bool = True,
                 window: int = 400, propose: bool = True) -> None:
        self.vocab = vocab
        self.model = model
        self.name = name
        self.classifier = classifier
        self.threshold = threshold
        self.best_threshold = best_threshold
        self.keep_existing = keep_existing
        self.featurizer = PairFeaturizer(window=window, propose=propose)
        self.sk_models: dict[str, Any] = {}
        self.cfg = {"classifier": classifier, "threshold": threshold, "best_threshold": best_threshold,
                    "keep_existing": keep_existing, "window": window, "propose": propose}

    # -- scoring ---------------------------------------------------------------------------------
    def _score(self, label: str, X: np.ndarray) -> np.ndarray:
        if not len(X):
            return np.zeros((0,), dtype="float32")
        if self.classifier == "sklearn":
            clf = self.sk_models.get(label)
            if clf is None:
                return np.zeros((len(X),), dtype="float32")
            if isinstance(clf, float):  # a label seen with one class only
                return np.full((len(X),), clf, dtype="float32")
            # one thread: on the few hundred rows of a batch, OpenMP start-up costs more than it saves
            with _openmp().limit(limits=1, user_api="openmp"):
                return clf.predict_proba(X)[:, 1].astype("float32")
        sub = self.model.layers[LABELS.index(label)]
        return np.asarray(sub.predict(self.model.ops.asarray2f(X))).reshape(-1)

    def predict(self, docs: Iterable[Doc]) -> list[list[tuple]]:
        """Candidate pairs of every document with their scores (one classifier call per label)."""
        per_doc = []
        for doc in docs:
            extensions.init_doc(doc)
            qs, ms, bare = _entities(doc)
            # links already made (table cells): those quantities and their row labels are settled
            linked = [r for r in doc._.relations if r[4] == "VALUE_OF"] if self.keep_existing else []
            skip = frozenset((r[0], r[1]) for r in linked)
            settled = frozenset((r[2], r[3]) for r in linked)
            per_doc.append(self.featurizer.pairs(extensions.doc_text(doc), qs, ms, bare, skip, settled))
        out: list[list[tuple]] = [[] for _ in per_doc]
        for label in LABELS:
            picked = [(i, np.flatnonzero([c[0] == label for c in cands])) for i, (cands, _) in enumerate(per_doc)]
            X = [per_doc[i][1][rows] for i, rows in picked if len(rows)]
            if not X:
                continue
            probs = iter(self._score(label, np.concatenate(X)).tolist())
            for i, rows in picked:
                cands = per_doc[i][0]
                out[i].extend((label, cands[r][1], cands[r][2], next(probs)) for r in rows)
        return out

    def set_annotations(self, docs: Iterable[Doc], scores: list[list[tuple]]) -> None:
        for doc, scored in zip(docs, scores):
            extensions.init_doc(doc)
            existing = list(doc._.relations) if self.keep_existing else []
            linked = {(r[0], r[1]) for r in existing if r[4] == "VALUE_OF"}
            rels = set(existing)
            best: dict[tuple[int, int], tuple[float, tuple[int, int]]] = {}
            for label, h, t, p in scored:
                if label == "VALUE_OF" and h in linked:
                    continue
                if p >= self.threshold:
                    rels.add((h[0], h[1], t[0], t[1], label, round(p, 4)))
                if label == "VALUE_OF" and p > best.get(h, (-1.0, None))[0]:
                    best[h] = (p, t)
            has = {(r[0], r[1]) for r in rels if r[4] == "VALUE_OF"}
            for h, (p, t) in best.items():
                if h not in has and p >= self.best_threshold:
                    rels.add((h[0], h[1], t[0], t[1], "VALUE_OF", round(p, 4)))
            doc._.relations = _place_proposed(doc, rels)

    # -- training --------------------------------------------------------------------------------
    def _xy(self, examples: Iterable[Example]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        data: dict[str, tuple[list, list]] = {l: ([], []) for l in LABELS}
        for eg in examples:
            ref = eg.reference
            gold = _gold(ref)
            qs, ms, bare = _entities(ref)
            cands, X = self.featurizer.pairs(ref.text, qs, ms, bare)
            for label in LABELS:
                rows = [i for i, c in enumerate(cands) if c[0] == label]
                data[label][0].append(X[rows])
                data[label][1].extend(float((cands[i][1] + cands[i][2] + (label,)) in gold) for i in rows)
        return {l: (np.concatenate(x) if x else np.zeros((0, self.featurizer.size), "float32"),
                    np.asarray(y, "float32")) for l, (x, y) in data.items()}

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp: Optional[Language] = None) -> None:
        data = self._xy(get_examples())
        if self.classifier == "sklearn":
            from sklearn.ensemble import HistGradientBoostingClassifier

            for label, (X, y) in data.items():
                if len(set(y.tolist())) < 2:
                    self.sk_models[label] = float(y.mean()) if len(y) else 0.0
                    continue
                clf = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.1, max_leaf_nodes=31,
                                                     l2_regularization=1.0, random_state=0)
                clf.fit(X, y)
                self.sk_models[label] = clf
        else:
            for label, (X, y) in data.items():
                sub = self.model.layers[LABELS.index(label)]
                n = max(1, min(len(X), 64))
                sub.initialize(X=self.model.ops.asarray2f(X[:n]) if len(X) else None,
                               Y=self.model.ops.asarray2f(y[:n].reshape(-1, 1)) if len(X) else None)

    def update(self, examples: Iterable[Example], *, drop: float = 0.0, sgd: Optional[Optimizer] = None,
               losses: Optional[dict[str, float]] = None) -> dict[str, float]:
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        if self.classifier == "sklearn":
            return losses  # fitted in initialize
        data = self._xy(examples)
        for label, (X, y) in data.items():
            if not len(X):
                continue
            sub = self.model.layers[LABELS.index(label)]
            pred, backprop = sub.begin_update(self.model.ops.asarray2f(X))
            pred = pred.reshape(-1)
            # weighted binary cross-entropy gradient: positives are rare
            pos = max(1.0, float(y.sum()))
            w = np.where(y > 0, (len(y) - pos) / pos, 1.0).astype("float32")
            w = np.clip(w, 1.0, 10.0)
            d = ((pred - y) * w / len(y)).reshape(-1, 1).astype("float32")
            backprop(self.model.ops.asarray2f(d))
            losses[self.name] += float((-(y * np.log(pred + 1e-7) + (1 - y) * np.log(1 - pred + 1e-7))).mean())
        if sgd is not None:
            self.finish_update(sgd)
        return losses

    def get_loss(self, examples, scores):  # pragma: no cover - loss computed in update
        return 0.0, None

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, float]:
        tp = fp = fn = 0
        for eg in examples:
            gold = {r[:5] for r in _gold(eg.reference) if r[4] == "VALUE_OF"}
            pred = {r[:5] for r in (eg.predicted._.relations or []) if r[4] == "VALUE_OF"}
            tp += len(gold & pred)
            fp += len(pred - gold)
            fn += len(gold - pred)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return {"rel_micro_p": p, "rel_micro_r": r, "rel_micro_f": 2 * p * r / (p + r) if p + r else 0.0}

    # -- serialisation ---------------------------------------------------------------------------
    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg.json", self.cfg)
        if self.classifier == "sklearn":
            with open(path / "classifiers.pkl", "wb") as f:
                pickle.dump(self.sk_models, f)
        else:
            self.model.to_disk(path / "model")

    def from_disk(self, path, *, exclude=tuple()) -> "RelationExtractor":
        path = ensure_path(path)
        cfg = srsly.read_json(path / "cfg.json")
        self.__init__(self.vocab, self.model, self.name, **cfg)
        if self.classifier == "sklearn":
            with open(path / "classifiers.pkl", "rb") as f:
                self.sk_models = pickle.load(f)
            self._check_features()
        else:
            self._shape_layers()
            try:
                self.model.from_disk(path / "model")
            except ValueError as err:  # thinc: "Attempt to change dimension 'nI' ..."
                raise ValueError(f"govie_relations: the saved network does not fit this govie's "
                                 f"{self.featurizer.size} features; retrain the pipeline (govie train)") from err
        return self

    def _check_features(self) -> None:
        """A classifier fitted on another feature layout (an older govie) fails here, not mid-parse."""
        for label, clf in self.sk_models.items():
            n = getattr(clf, "n_features_in_", self.featurizer.size)
            if n != self.featurizer.size:
                raise ValueError(f"govie_relations: the saved {label} classifier reads {n} features, this govie "
                                 f"makes {self.featurizer.size}; retrain the pipeline (govie train)")

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return pickle.dumps({"cfg": self.cfg, "sk": self.sk_models,
                             "model": self.model.to_bytes() if self.classifier == "thinc" else None})

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "RelationExtractor":
        d = pickle.loads(data)
        self.__init__(self.vocab, self.model, self.name, **d["cfg"])
        self.sk_models = d["sk"]
        self._check_features()
        if d["model"] is not None:
            self._shape_layers()
            self.model.from_bytes(d["model"])
        return self

    def _shape_layers(self) -> None:
        """Give the thinc layers their shapes so saved weights can be loaded into them."""
        X = self.model.ops.asarray2f(np.zeros((1, self.featurizer.size), dtype="float32"))
        for sub in self.model.layers:
            sub.initialize(X=X)


DEFAULT_MODEL = Config().from_str("""
[model]
@architectures = "govie.RelationMLP.v1"
hidden_width = 64
""")["model"]


@Language.factory("govie_relations", default_config={"model": DEFAULT_MODEL, "classifier": "thinc",
                                                     "threshold": 0.5, "best_threshold": 0.5,
                                                     "keep_existing": True, "window": 400, "propose": True},
                  assigns=["doc._.relations"], requires=["doc.ents"],
                  default_score_weights={"rel_micro_f": 1.0, "rel_micro_p": 0.0, "rel_micro_r": 0.0})
def make_relations(nlp: Language, name: str, model: Model, classifier: str, threshold: float,
                   best_threshold: float, keep_existing: bool, window: int, propose: bool) -> RelationExtractor:
    if classifier not in ("sklearn", "thinc"):
        raise ValueError(f"govie_relations: classifier must be 'sklearn' or 'thinc', not {classifier!r}")
    return RelationExtractor(nlp.vocab, model, name, classifier=classifier, threshold=threshold,
                             best_threshold=best_threshold, keep_existing=keep_existing, window=window,
                             propose=propose)
