"""``govie_relations``: the trainable relation component (VALUE_OF, PART_OF).

Reads the doc's entities, the relations earlier components made (table cells keep theirs) and the
rule linker's proposals (``Doc._.link_proposals``); writes ``Doc._.relations`` and the METRIC entities
of the proposals it chooses. Its model (``govie.RelationModel.v2``, see :mod:`.relation_model`) takes
Docs and returns one logit per candidate pair and label; a pair whose probability reaches
``threshold`` (or its label's entry in ``label_thresholds``) is a relation ("rules propose, the model
decides"); with ``one_metric_per_figure``, a figure keeps no METRIC that another figure takes with a
higher probability (:func:`one_metric_per_figure`). With ``fallback``, a quantity the model leaves
unlinked takes the rule linker's proposal, as the rule baseline would. A PART_OF holds only between
METRICs that end up entities, and never from a rate to a count (:func:`drop_rate_parts`).

Trained with spaCy's loop (``spacy train training/config.cfg``): binary cross-entropy on the logits
of each candidate's label, positives weighted by ``positive_weight`` (they are rare) or by their
label's entry in ``label_weights``.
"""
from __future__ import annotations

from itertools import islice
from typing import Any, Callable, Dict, Iterable, Optional

import numpy as np
from spacy import registry
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_get_examples
from thinc.api import Config, Model
from thinc.types import Floats2d

from . import extensions
from .spans import overlaps, set_entities, span_mask
from .relation_model import PART_OF, VALUE_OF, RelationScores
from .rule_linker import PROPOSALS, accept

LABELS = (VALUE_OF, PART_OF)


def place_proposed(doc: Doc, rels: set[tuple], ents: Optional[list[tuple[int, int, str]]] = None) -> list[tuple]:
    """Make the METRICs that were proposed and that the model chose into entities.

    A proposed span that overlaps a QUANTITY, a METRIC another relation uses or an earlier proposed
    span loses its relations; unused entities it overlaps give way to it (the QUANTITY entities stay
    as they are). ``ents``: the doc's ``extensions.entity_offsets`` when the caller has them."""
    if ents is None:
        ents = extensions.entity_offsets(doc)
    metric_keys = {(s, e) for s, e, label in ents if label == "METRIC"}
    new = sorted({(r[2], r[3]) for r in rels if r[4] == VALUE_OF and (r[2], r[3]) not in metric_keys})
    if not new:
        return sorted(rels)
    used = {(r[2], r[3]) for r in rels} | {(r[0], r[1]) for r in rels if r[4] == PART_OF}
    n_chars = len(extensions.doc_text(doc))
    blocked = span_mask(n_chars, [(s, e) for s, e, label in ents if label == "QUANTITY"
                                  or (label == "METRIC" and (s, e) in used)])
    placed: dict[tuple[int, int], Span] = {}
    for key in new:
        span = doc.char_span(key[0], key[1], label="METRIC", alignment_mode="contract")
        if span is None or not len(span) or overlaps(span.start_char, span.end_char, blocked):
            continue
        placed[key] = span
        blocked[span.start_char:span.end_char] = b"\x01" * (span.end_char - span.start_char)
    if placed:  # the proposals win over the (unused) entities they overlap
        set_entities(doc, placed.values(), ())
    out = []
    for r in rels:
        if r[4] == VALUE_OF and (r[2], r[3]) not in metric_keys:
            span = placed.get((r[2], r[3]))
            if span is None:
                continue
            r = (r[0], r[1], span.start_char, span.end_char, r[4], r[5])
        out.append(r)
    return sorted(out)


def one_metric_per_figure(rels: list[tuple]) -> list[tuple]:
    """One figure, one METRIC, unless the text shares it (ANNOTATION.md): a quantity with several
    VALUE_OF relations in ``rels`` (``(q0, q1, m0, m1, label, p)``) loses those to a METRIC that
    another quantity is linked to with a higher probability (the METRIC of another figure), and keeps
    its most probable one whatever happens; a METRIC no other figure takes stays (网站和微博均达100%).
    Other relations pass through; the order is kept."""
    best: dict[tuple, tuple] = {}  # METRIC → its most probable VALUE_OF relation
    per_quantity: dict[tuple, list[tuple]] = {}
    for r in rels:
        if r[4] == VALUE_OF:
            m = (r[2], r[3])
            if m not in best or r[5] > best[m][5]:
                best[m] = r
            per_quantity.setdefault((r[0], r[1]), []).append(r)
    drop: set[tuple] = set()
    for links in per_quantity.values():
        if len(links) > 1:
            others = [r for r in links if best[(r[2], r[3])] is not r]
            if len(others) == len(links):
                others.remove(max(links, key=lambda r: r[5]))
            drop.update(others)
    return [r for r in rels if r not in drop]


def drop_rate_parts(doc: Doc) -> None:
    """A PART_OF whose child is measured only in percent under a parent measured only in other units
    is a rate of the whole (``全文电子化率100%`` after ``主动公开政府信息120条``), not a part of it: it goes."""
    rels = doc._.relations
    if not any(r[4] == PART_OF for r in rels):
        return
    values = [r for r in rels if r[4] == VALUE_OF]
    read = extensions.readings(doc, {(r[0], r[1], "QUANTITY") for r in values}, extensions.doc_text(doc))
    units: dict[tuple[int, int], set] = {}
    for r in values:
        n = read[(r[0], r[1])]
        units.setdefault((r[2], r[3]), set()).add(None if n is None else n.unit)
    kept = [r for r in rels if not (r[4] == PART_OF and units.get((r[0], r[1])) == {"%"}
                                    and "%" not in units.get((r[2], r[3]), {"%"}))]
    if len(kept) < len(rels):
        doc._.relations = kept


def _settle_part_of(doc: Doc) -> None:
    """A PART_OF holds between METRIC entities: an end that is no entity moves to the one METRIC
    entity that overlaps it (the span a figure placed), else the relation goes."""
    rels = doc._.relations
    if not any(r[4] == PART_OF for r in rels):
        return
    metrics = sorted((s, e) for s, e, label in extensions.entity_offsets(doc) if label == "METRIC")
    known = set(metrics)

    def settle(span: tuple[int, int]) -> Optional[tuple[int, int]]:
        if span in known:
            return span
        hits = [m for m in metrics if m[0] < span[1] and span[0] < m[1]]
        return hits[0] if len(hits) == 1 else None

    out, changed = {}, False
    for r in rels:
        if r[4] == PART_OF:
            c, p = settle((r[0], r[1])), settle((r[2], r[3]))
            if c is None or p is None or c == p:
                changed = True
                continue
            if (c, p) != ((r[0], r[1]), (r[2], r[3])):
                changed = True
                r = (c[0], c[1], p[0], p[1], r[4], r[5])
        key = tuple(r[:5])
        if key in out:
            changed = True
            if r[5] <= out[key][5]:
                continue
        out[key] = r
    if changed:
        doc._.relations = sorted(out.values())


def _gold(doc: Doc) -> set[tuple[int, int, int, int, str]]:
    return {(r[0], r[1], r[2], r[3], r[4]) for r in (doc._.relations or [])}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # overflow-free


def score_relations(examples: Iterable[Example], **kwargs: Any) -> dict[str, Any]:
    """Micro P/R/F of the relations (exact head span, tail span, label), the same per label, and each
    label's F1 as ``rel_value_of_f`` / ``rel_part_of_f``."""
    counts = {label: [0, 0, 0] for label in LABELS}
    for eg in examples:
        gold, pred = _gold(eg.reference), _gold(eg.predicted)
        for label, c in counts.items():
            g = {r for r in gold if r[4] == label}
            p = {r for r in pred if r[4] == label}
            c[0] += len(g & p)
            c[1] += len(p - g)
            c[2] += len(g - p)

    def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0}

    micro = prf(*(sum(c[i] for c in counts.values()) for i in range(3)))
    per_type = {label: prf(*c) for label, c in counts.items()}
    # each label's F1 as a number of its own too: spaCy's score_weights take numbers (model-best)
    return {"rel_micro_p": micro["p"], "rel_micro_r": micro["r"], "rel_micro_f": micro["f"],
            **{f"rel_{label.lower()}_f": per_type[label]["f"] for label in LABELS}, "rel_per_type": per_type}


@registry.scorers("govie.relation_scorer.v1")
def make_relation_scorer() -> Callable[..., dict[str, Any]]:
    return score_relations


class RelationExtractor(TrainablePipe):
    """Scores candidate pairs and writes ``Doc._.relations`` (see the module docstring)."""

    def __init__(self, vocab, model: Model, name: str = "govie_relations", *, threshold: float = 0.5,
                 fallback: bool = True, positive_weight: float = 1.0, one_metric_per_figure: bool = True,
                 label_thresholds: Optional[Dict[str, float]] = None, label_weights: Optional[Dict[str, float]] = None,
                 scorer: Optional[Callable] = score_relations) -> None:
        for what, per_label in (("label_thresholds", label_thresholds), ("label_weights", label_weights)):
            unknown = sorted(set(per_label or {}) - set(LABELS))
            if unknown:
                raise ValueError(f"govie_relations: {what}: unknown relation label {unknown[0]!r} "
                                 f"(known: {', '.join(LABELS)})")
        self.vocab = vocab
        self.model = model
        self.name = name
        self.scorer = scorer
        self.cfg: dict[str, Any] = {"labels": [], "threshold": threshold, "fallback": fallback,
                                    "one_metric_per_figure": one_metric_per_figure,
                                    "positive_weight": positive_weight,
                                    "label_thresholds": dict(label_thresholds or {}),
                                    "label_weights": dict(label_weights or {})}

    def _threshold(self, label: str) -> float:
        return (self.cfg.get("label_thresholds") or {}).get(label, self.cfg["threshold"])

    def _weight(self, label: str) -> float:
        return (self.cfg.get("label_weights") or {}).get(label, self.cfg["positive_weight"])

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.cfg["labels"])

    @property
    def label_data(self) -> list[str]:
        return list(self.labels)

    def add_label(self, label: str) -> int:
        if not isinstance(label, str):
            raise ValueError(f"govie_relations: a label is a string, not {label!r}")
        if label not in LABELS:
            raise ValueError(f"govie_relations: unknown relation label {label!r} (known: {', '.join(LABELS)})")
        if label in self.labels:
            return 0
        self._allow_extra_label()
        self.cfg["labels"].append(label)
        return 1

    # -- prediction ------------------------------------------------------------------------------
    def predict(self, docs: Iterable[Doc]) -> RelationScores:
        docs = list(docs)
        for doc in docs:
            extensions.init_doc(doc)
        return self.model.predict(docs)

    def _probabilities(self, scores: RelationScores) -> list[list[tuple[str, tuple, tuple, float]]]:
        """Per doc: ``(label, head, tail, probability)`` of each candidate whose label the model has."""
        probs = _sigmoid(self.model.ops.to_numpy(scores.logits)) if len(scores.logits) else np.zeros((0, 0))
        col = {label: i for i, label in enumerate(self.labels)}
        out, row = [], 0
        for pairs in scores.pairs:
            out.append([(label, h, t, float(probs[row + i, col[label]])) for i, (label, h, t) in enumerate(pairs)
                        if label in col])
            row += len(pairs)
        return out

    def set_annotations(self, docs: Iterable[Doc], scores: RelationScores) -> None:
        thresholds = {label: self._threshold(label) for label in LABELS}
        for doc, scored in zip(docs, self._probabilities(scores)):
            extensions.init_doc(doc)
            with extensions.deferred_relation_spans(doc):  # set three times here, the spans made once
                self._annotate(doc, scored, thresholds)

    def _annotate(self, doc: Doc, scored: list[tuple[str, tuple, tuple, float]], thresholds: dict[str, float]
                  ) -> None:
        existing = list(doc._.relations)
        linked = {(r[0], r[1]) for r in existing if r[4] == VALUE_OF}
        chosen = [(h[0], h[1], t[0], t[1], label, round(p, 4)) for label, h, t, p in scored
                  if p >= thresholds[label] and not (label == VALUE_OF and h in linked)]
        if self.cfg.get("one_metric_per_figure", True):
            chosen = one_metric_per_figure(chosen)
        rels = set(existing) | set(chosen)
        ents = extensions.entity_offsets(doc)
        doc._.relations = place_proposed(doc, rels, ents)
        if self.cfg["fallback"]:
            linked = {(r[0], r[1]) for r in doc._.relations if r[4] == VALUE_OF}
            # the QUANTITY entities are those before place_proposed (it places METRICs on none)
            quantities = {(s, e) for s, e, label in ents if label == "QUANTITY" and (s, e) not in linked}
            accept(doc, doc._.get(PROPOSALS) or {}, quantities)
        _settle_part_of(doc)
        drop_rate_parts(doc)

    # -- training --------------------------------------------------------------------------------
    def get_loss(self, examples: Iterable[Example], scores: RelationScores) -> tuple[float, Floats2d]:
        """Binary cross-entropy on the logit of each candidate's label (other columns get no
        gradient); a gold pair weighs its label's ``label_weights`` entry, else ``positive_weight``;
        averaged over the candidates."""
        examples = list(examples)
        logits = self.model.ops.to_numpy(scores.logits)
        target = np.zeros_like(logits)
        weight = np.zeros_like(logits)
        col = {label: i for i, label in enumerate(self.labels)}
        weights = {label: self._weight(label) for label in self.labels}
        row = 0
        for eg, pairs in zip(examples, scores.pairs):
            gold = _gold(eg.reference)
            for i, (label, h, t) in enumerate(pairs):
                if label in col:
                    y = float((h[0], h[1], t[0], t[1], label) in gold)
                    target[row + i, col[label]] = y
                    weight[row + i, col[label]] = weights[label] if y else 1.0
            row += len(pairs)
        n = max(1, len(logits))
        loss = float((weight * (np.logaddexp(0.0, logits) - target * logits)).sum() / n)
        d_logits = weight * (_sigmoid(logits) - target) / n
        return loss, self.model.ops.asarray2f(d_logits.astype("float32"))

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp: Optional[Language] = None,
                   labels: Optional[Iterable[str]] = None) -> None:
        """Labels from ``labels`` or from the gold relations of the examples; the network's shapes from
        a sample of the examples."""
        validate_get_examples(get_examples, "govie_relations.initialize")
        if labels is None:
            found = {r[4] for eg in get_examples() for r in (eg.reference._.relations or [])}
            labels = [label for label in LABELS if label in found]
        for label in labels:
            self.add_label(label)
        if not self.labels:
            raise ValueError("govie_relations: no relation labels: the training examples hold no gold "
                             "relations (Doc._.relations of the reference docs) and none were given")
        self.model.get_ref("scorer").get_ref("output_layer").set_dim("nO", len(self.labels))
        sample = [eg.predicted for eg in islice(get_examples(), 10)]
        for doc in sample:
            extensions.init_doc(doc)
        self.model.initialize(X=sample)

    # -- serialisation: TrainablePipe's (``cfg`` as JSON and the model's bytes through srsly) -------------
    # The saved ``cfg`` brings the labels; the settings come from the component's config (the pipeline's
    # config.cfg or spacy.load's overrides), which spaCy's ``cfg.update`` would otherwise overwrite with the
    # values saved at training time, ignoring an edited threshold without a word.
    def _keeping_settings(self, load: Callable[[], Any]) -> "RelationExtractor":
        settings = {k: v for k, v in self.cfg.items() if k != "labels"}
        load()
        self.cfg.update(settings)
        return self

    def from_disk(self, path, *, exclude=tuple()) -> "RelationExtractor":
        try:
            return self._keeping_settings(lambda: super(RelationExtractor, self).from_disk(path, exclude=exclude))
        except ValueError as err:  # thinc: "Attempt to change dimension ..." / a missing file
            raise ValueError(f"govie_relations: cannot load {path}: it was saved by an incompatible "
                             f"govie ({err}); retrain the relations (govie train --stages relations)") from err

    def from_bytes(self, bytes_data: bytes, *, exclude=tuple()) -> "RelationExtractor":
        try:
            return self._keeping_settings(lambda: super(RelationExtractor, self).from_bytes(bytes_data,
                                                                                            exclude=exclude))
        except ValueError as err:
            raise ValueError(f"govie_relations: cannot load these bytes: saved by an incompatible govie "
                             f"({err}); retrain the relations (govie train --stages relations)") from err


DEFAULT_MODEL = Config().from_str("""
[model]
@architectures = "govie.RelationModel.v2"

[model.featurizer]
@architectures = "govie.PairFeaturizer.v3"
window = 400
after = 30
max_candidates = 10
part_window = 200
proposals = true
part_parents = 4
cue_heads = 2
part_proposed = true
part_features = true

[model.scorer]
@architectures = "govie.RelationMLP.v2"
hidden_width = 64
dropout = 0.1
nO = null
""")["model"]


@Language.factory("govie_relations",
                  default_config={"model": DEFAULT_MODEL, "threshold": 0.5, "fallback": True,
                                  "positive_weight": 1.0, "one_metric_per_figure": True,
                                  "label_thresholds": {}, "label_weights": {},
                                  "scorer": {"@scorers": "govie.relation_scorer.v1"}},
                  assigns=["doc.ents", "doc._.relations"], requires=["doc.ents", "doc._.link_proposals"],
                  default_score_weights={"rel_micro_f": 1.0, "rel_micro_p": 0.0, "rel_micro_r": 0.0,
                                         "rel_per_type": None})
def make_relations(nlp: Language, name: str, model: Model, threshold: float, fallback: bool,
                   positive_weight: float, scorer: Optional[Callable], one_metric_per_figure: bool = True,
                   label_thresholds: Dict[str, float] = {}, label_weights: Dict[str, float] = {}
                   ) -> RelationExtractor:
    return RelationExtractor(nlp.vocab, model, name, threshold=threshold, fallback=fallback,
                             positive_weight=positive_weight, one_metric_per_figure=one_metric_per_figure,
                             label_thresholds=label_thresholds,
                             label_weights=label_weights, scorer=scorer)
