"""Relation component v3 (issue #17): PART_OF candidates from the rule proposals and from the figure
before a breakdown cue, the value features of a breakdown, thresholds and weights per label, and the
feature cache that training reuses across epochs."""
from __future__ import annotations

import numpy as np
import pytest

from govie.pipeline import extensions
from govie.pipeline.relation_model import PairFeaturizer

V3 = dict(part_proposed=True, cue_heads=2, part_features=True)


def _offsets(text, *words):
    out, pos = [], 0
    for w in words:
        i = text.index(w, pos)
        out.append((i, i + len(w)))
        pos = i + len(w)
    return out


# --------------------------------------------------------------------------- candidates
def test_part_of_candidates_include_proposed_metrics() -> None:
    text = "共受理依申请公开169件，其中当面申请34件、网上申请20件。"
    parent, q169, child1, q34, child2, q20 = _offsets(text, "受理依申请公开", "169件", "当面申请", "34件", "网上申请", "20件")
    wider = (parent[0] - 1, parent[1])  # 共受理依申请公开
    proposals = {"VALUE_OF": [[*q169, *wider], [*q34, *child1], [*q20, *child2]], "PART_OF": []}
    # the NER found only the total's METRIC; the rules propose the other two (and a wider total)
    pairs, X = PairFeaturizer(**V3).pairs(text, [q169, q34, q20], [parent], set(), proposals)
    assert ("PART_OF", child1, parent) in pairs and ("PART_OF", child2, parent) in pairs
    # a proposal overlapping an entity METRIC is that entity, for PART_OF (a VALUE_OF candidate still)
    assert not [p for p in pairs if p[0] == "PART_OF" and wider in p] and ("VALUE_OF", q169, wider) in pairs
    assert X.shape == (len(pairs), PairFeaturizer(**V3).size)
    # v2 pairs entity METRICs only
    old, _ = PairFeaturizer().pairs(text, [q169, q34, q20], [parent], set(), proposals)
    assert not [p for p in old if p[0] == "PART_OF"]


def test_the_figure_before_a_breakdown_cue_is_a_parent_candidate_beyond_the_four_nearest() -> None:
    items = ["政策法规类信息", "水政执法类信息", "人事管理类信息", "工程招投标类信息", "水利简报类信息", "水利公报类信息"]
    text = "2009年主动公开政府信息1192条。其中，" + "，".join(f"{w}{i + 1}条" for i, w in enumerate(items)) + "。"
    parent = _offsets(text, "主动公开政府信息")[0]
    children = _offsets(text, *items)
    metrics = [parent] + children
    f = PairFeaturizer(**V3)
    heads = f.breakdown_heads(text, metrics)
    assert heads == {parent}  # 其中 follows its figure; no cue after the children's
    got = {(c, p) for c, p, _ in f.part_candidates(metrics, heads)}
    assert all((c, parent) in got for c in children)
    old = {(c, p) for c, p, _ in PairFeaturizer().part_candidates(metrics)}
    assert (children[-1], parent) not in old and (children[3], parent) in old  # the 5th and 6th: too far
    assert PairFeaturizer(**{**V3, "cue_heads": 0}).breakdown_heads(text, metrics) == set()


# --------------------------------------------------------------------------- value features
def _part_rows(text, words, values):
    offs = _offsets(text, *words)
    metrics = offs[0::2]
    quantities = offs[1::2]
    vals = {q: v for q, v in zip(quantities, values)}
    f = PairFeaturizer(**V3)
    pairs, X = f.pairs(text, quantities, metrics, set(), {}, values=vals)
    cols = X[:, f.part_col:f.part_col + f.N_PART]
    return {(text[p[1][0]:p[1][1]], text[p[2][0]:p[2][1]]): row for p, row in zip(pairs, cols) if p[0] == "PART_OF"}


def test_breakdown_value_columns() -> None:
    text = "主动公开政府信息122条，其中网站公开98条、微博公开24条；受理申请130件。"
    rows = _part_rows(text, ["主动公开政府信息", "122条", "网站公开", "98条", "微博公开", "24条", "受理申请", "130件"],
                      [(122, "条"), (98, "条"), (24, "条"), (130, "件")])
    head, nearest, same_unit, le, eq, sum_le, sum_eq, child_ent, cue, far = range(10)
    r = rows[("网站公开", "主动公开政府信息")]
    assert r[[head, nearest, same_unit, le, eq, sum_le, sum_eq, cue]].tolist() == [1, 1, 1, 1, 0, 1, 0, 1]
    r = rows[("微博公开", "主动公开政府信息")]
    assert r[[same_unit, le, sum_le, sum_eq]].tolist() == [1, 1, 1, 1]  # 98 + 24 = 122: the breakdown closes
    r = rows[("微博公开", "网站公开")]
    assert r[[head, same_unit, le]].tolist() == [0, 1, 1] and r[sum_le] == 1 and r[sum_eq] == 0
    r = rows[("受理申请", "主动公开政府信息")]
    assert r[[same_unit, le, sum_le, sum_eq]].tolist() == [0, 0, 0, 0]  # 件 is not 条
    assert all(row[child_ent] == 1 and row[far] == 0 for row in rows.values())


def test_v2_features_are_unchanged_by_the_v3_options() -> None:
    text = "主动公开政府信息122条，其中网站公开98条。"
    m1, q1, m2, q2 = _offsets(text, "主动公开政府信息", "122条", "网站公开", "98条")
    old = PairFeaturizer()
    new = PairFeaturizer(**V3)
    p_old, X_old = old.pairs(text, [q1, q2], [m1, m2], set(), {})
    p_new, X_new = new.pairs(text, [q1, q2], [m1, m2], set(), {})
    assert p_old == p_new and new.size == old.size + new.N_PART
    assert np.array_equal(X_old[:, :new.part_col], X_new[:, :new.part_col])
    assert np.array_equal(X_old[:, new.part_col:], X_new[:, new.part_col + new.N_PART:])


# --------------------------------------------------------------------------- the component
from relation_cases import ENTS, GOLD, TEXT  # noqa: F401  (the shared case)
from relation_cases import make_doc as _doc
from relation_cases import make_example as _example


def _pipeline(**cfg):
    import spacy

    from govie.pipeline import relations, rule_linker  # noqa: F401

    nlp = spacy.blank("zh")
    nlp.add_pipe("govie_rule_linker")
    nlp.add_pipe("govie_relations", config=cfg)
    return nlp


def _scored(nlp, scored, **cfg):
    from govie.pipeline.relation_model import RelationScores

    rel = nlp.get_pipe("govie_relations")
    rel.cfg.update(cfg)
    doc = nlp.get_pipe("govie_rule_linker")(_doc(nlp))
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    logits = np.full((len(scored), 2), -9.0, dtype="float32")
    for i, (label, _, _, p) in enumerate(scored):
        logits[i, rel.labels.index(label)] = logit(p)
    rel.set_annotations([doc], RelationScores([[s[:3] for s in scored]], logits))
    return {r[:5] for r in doc._.relations}


def test_thresholds_per_label() -> None:
    nlp = _pipeline(label_thresholds={"PART_OF": 0.3}, fallback=False)
    nlp.initialize(lambda: [_example(nlp)])
    scored = [("VALUE_OF", (8, 12), (0, 8), 0.9), ("VALUE_OF", (19, 22), (15, 19), 0.4),
              ("PART_OF", (15, 19), (0, 8), 0.4)]
    assert _scored(nlp, scored) == {(8, 12, 0, 8, "VALUE_OF"), (15, 19, 0, 8, "PART_OF")}
    assert _scored(nlp, scored, label_thresholds={}) == {(8, 12, 0, 8, "VALUE_OF")}
    with pytest.raises(ValueError, match="unknown relation label"):
        _pipeline(label_thresholds={"LOCATED_IN": 0.3})


def test_a_part_of_holds_between_metric_entities() -> None:
    nlp = _pipeline(fallback=False)
    nlp.initialize(lambda: [_example(nlp)])
    value = [("VALUE_OF", (8, 12), (0, 8), 0.9), ("VALUE_OF", (19, 22), (15, 19), 0.9)]
    # 网站公开 (15, 19) is an entity; (13, 19) (其中网站公开) is not: the PART_OF moves to the entity
    assert _scored(nlp, value + [("PART_OF", (13, 19), (0, 8), 0.9)]) == {
        (8, 12, 0, 8, "VALUE_OF"), (19, 22, 15, 19, "VALUE_OF"), (15, 19, 0, 8, "PART_OF")}
    # an end that overlaps no METRIC entity (其中): the PART_OF goes
    assert _scored(nlp, value + [("PART_OF", (13, 15), (0, 8), 0.9)]) == {
        (8, 12, 0, 8, "VALUE_OF"), (19, 22, 15, 19, "VALUE_OF")}


def test_positive_weight_per_label() -> None:
    from govie.pipeline.relation_model import RelationScores

    nlp = _pipeline(positive_weight=2.0, label_weights={"PART_OF": 5.0})
    rel = nlp.get_pipe("govie_relations")
    nlp.initialize(lambda: [_example(nlp)])
    pairs = [[("VALUE_OF", (8, 12), (0, 8)), ("VALUE_OF", (19, 22), (0, 8)), ("PART_OF", (15, 19), (0, 8))]]
    logits = np.zeros((3, 2), dtype="float32")
    _, d = rel.get_loss([_example(nlp)], RelationScores(pairs, logits))
    # gold VALUE_OF: positive_weight; a negative: 1; gold PART_OF: its own weight; d = w (0.5 - y) / 3
    assert np.asarray(d)[:, 0].tolist()[:2] == pytest.approx([2 * -0.5 / 3, 0.5 / 3])
    assert float(np.asarray(d)[2, 1]) == pytest.approx(5 * -0.5 / 3)


# --------------------------------------------------------------------------- the training cache
def test_training_reuses_features_of_an_unchanged_doc(monkeypatch) -> None:
    from spacy.util import fix_random_seed

    fix_random_seed(0)
    nlp = _pipeline()
    optimizer = nlp.initialize(lambda: [_example(nlp)])
    featurizer = nlp.get_pipe("govie_relations").model.get_ref("featurizer").attrs["featurizer"]
    calls = []
    real = PairFeaturizer.featurize

    def counting(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(PairFeaturizer, "featurize", counting)
    for _ in range(3):  # a fresh Example each epoch, as spaCy's corpus reader gives
        nlp.update([_example(nlp)], sgd=optimizer, annotates=["govie_rule_linker"])
    assert len(calls) == 1 and len(featurizer.cache) == 1
    cached = featurizer.doc_pairs(nlp.get_pipe("govie_rule_linker")(_doc(nlp)), cache=True)
    fresh = featurizer.doc_pairs(nlp.get_pipe("govie_rule_linker")(_doc(nlp)))
    assert cached[0] == fresh[0] and np.array_equal(cached[1], fresh[1]) and len(calls) == 2
    # prediction neither reads nor fills the cache
    nlp(_doc(nlp, "主动公开政府信息123条，其中网站公开98条。"))
    assert len(featurizer.cache) == 1 and len(calls) == 3


def test_scorer_gives_each_labels_f1_as_a_number() -> None:
    """spaCy's score_weights take numbers: model-best can weigh PART_OF (rarer) apart from the micro F1."""
    from govie.pipeline.relations import score_relations

    nlp = _pipeline()
    eg = _example(nlp)
    eg.predicted._.relations = [(8, 12, 0, 8, "VALUE_OF", 0.9), (15, 19, 0, 8, "PART_OF", 0.8)]
    got = score_relations([eg])
    assert got["rel_value_of_f"] == pytest.approx(2 / 3) and got["rel_part_of_f"] == 1.0
    assert got["rel_value_of_f"] == got["rel_per_type"]["VALUE_OF"]["f"]


# --------------------------------------------------------------------------- config wins over saved cfg
def test_the_config_decides_the_decoding_settings_of_a_saved_relation_component() -> None:
    """A pipeline's ``config.cfg`` (or ``spacy.load(..., config=...)``) sets how the saved network decodes:
    the component's saved ``cfg`` brings its labels, not settings that would silently override the
    config's (the threshold, per-label thresholds, fallback, one figure one METRIC)."""
    import spacy

    import govie
    from govie.api import MODEL_DIR

    text = "全市累计主动公开政府信息57194条，共受理依申请公开169件，其中当面申请34件。"
    shipped = govie.load()
    assert shipped(text)._.relations, "the shipped pipeline links this sample"
    strict = spacy.load(MODEL_DIR, config={"components": {"govie_relations": {
        "threshold": 1.0, "fallback": False, "label_thresholds": {"PART_OF": 1.0}, "one_metric_per_figure": False}}})
    rel = strict.get_pipe("govie_relations")
    assert (rel.cfg["threshold"], rel.cfg["fallback"], rel.cfg["label_thresholds"], rel.cfg["one_metric_per_figure"]) \
        == (1.0, False, {"PART_OF": 1.0}, False)
    assert rel.labels == ("VALUE_OF", "PART_OF")  # the labels come from the saved component
    assert strict(text)._.relations == []  # nothing reaches a probability of 1 and nothing falls back
