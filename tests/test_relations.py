"""The relation component's candidates and features, and the fast entity/text accessors it relies on."""
from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govie import extensions
from govie.relations import (_KEYWORDS, _PUNCT, HASH_BINS, PairFeaturizer, _contains, _entities, _place_proposed,
                             _rule_metrics)

# column offsets of the feature vector (see PairFeaturizer.featurize)
RULE_COLS = 24  # the rule linker's METRIC: this one, overlapping, none
GAP_COLS = 27
PUNCT_COL = GAP_COLS + 2 * 11
KEYWORD_COL = PUNCT_COL + len(_PUNCT)
COUNT_COL = KEYWORD_COL + len(_KEYWORDS)


@pytest.fixture(scope="module")
def parsed(rules_nlp, seed_texts):
    return [rules_nlp(t) for t in seed_texts.values()]


def test_entities_equal_doc_ents(parsed, rules_nlp) -> None:
    for doc in parsed + [rules_nlp("")]:
        fast = [(e.start, e.end, e.label_) for e in extensions.entities(doc)]
        assert fast == [(e.start, e.end, e.label_) for e in doc.ents]
    assert any(len(list(doc.ents)) > 50 for doc in parsed)


def test_entity_offsets_equal_span_offsets(parsed, rules_nlp) -> None:
    for doc in parsed + [rules_nlp("")]:
        want = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        assert extensions.entity_offsets(doc) == want


def test_doc_text_survives_retokenisation(parsed, rules_nlp, seed_texts) -> None:
    import govie

    for doc in parsed:
        assert extensions.doc_text(doc) == doc.text
    nlp = govie.load()
    for text in seed_texts.values():
        doc = nlp.make_doc(text)  # the govie tokenizer caches the text it was given
        n = len(doc)
        doc = nlp.get_pipe("govie_table_reader")(doc)  # may split tokens at cell boundaries
        assert extensions.doc_text(doc) == doc.text == text
    assert n > 0
    doc = rules_nlp.make_doc("共收到申请12件。")
    doc.user_data[extensions.TEXT_KEY] = "stale"  # a cache of the wrong length is not trusted
    assert extensions.doc_text(doc) == doc.text


def test_value_candidates_match_their_definition(parsed) -> None:
    f = PairFeaturizer()
    for doc in parsed:
        qs, ms, _ = _entities(doc)
        got = list(f.value_candidates(qs, ms))
        want = []
        for q in qs:
            before = [m for m in sorted(ms) if m[1] <= q[0] and q[0] - m[1] <= f.window][-f.max_candidates:]
            after = [m for m in sorted(ms) if m[0] >= q[1] and m[0] - q[1] <= f.after][:2]
            want += [(q, m, r) for r, m in enumerate(reversed(before))] + [(q, m, r) for r, m in enumerate(after)]
        assert got == want


def test_features_match_the_text_between(parsed) -> None:
    """The vectorised columns agree with plain string tests on the text between head and tail."""
    f = PairFeaturizer()
    rng = random.Random(0)
    for doc in parsed:
        text = doc.text
        qs, ms, bare = _entities(doc)
        cands, X = f.pairs(text, qs, ms, bare)
        rules = _rule_metrics(text, qs, bare)
        assert X.shape == (len(cands), f.size)
        for i in rng.sample(range(len(cands)), min(200, len(cands))):
            label, head, tail = cands[i]
            before = tail[1] <= head[0]
            a, b = sorted((tail[1], head[0]) if before else (head[1], tail[0]))
            between = text[a:b]
            assert X[i, 1] == float(before)
            assert X[i, 2] == float(label == "PART_OF")
            assert X[i, 6] == float("\n" not in between)
            for j, group in enumerate(_PUNCT):
                assert X[i, PUNCT_COL + j] == float(any(c in between for c in group))
            for j, word in enumerate(_KEYWORDS):
                assert X[i, KEYWORD_COL + j] == float(word in between)
            nq = sum(a <= s < b for s, _ in qs)
            assert X[i, 8] == pytest.approx(min(nq, 8) / 8)
            assert X[i, 12] == pytest.approx(min(sum(c.isdigit() for c in between), 50) / 50)
            assert X[i, GAP_COLS:PUNCT_COL].sum() == 1.0  # one gap bucket, on the side of the tail
            assert (X[i, GAP_COLS:GAP_COLS + 11].sum() == 1.0) == before
            hashed = X[i, -4 * HASH_BINS:]
            assert hashed[HASH_BINS:2 * HASH_BINS].sum() == 1.0 and hashed[2 * HASH_BINS:3 * HASH_BINS].sum() == 1.0
            if label == "VALUE_OF":
                rule = rules[head] if head in rules else []
                assert X[i, RULE_COLS] == float(tail in rule)
                assert X[i, RULE_COLS + 1] == float(any(m[0] < tail[1] and tail[0] < m[1] for m in rule))
                assert X[i, RULE_COLS + 2] == float(not rule)


def test_settled_metrics_get_no_part_of_candidates(parsed) -> None:
    f = PairFeaturizer()
    doc = parsed[0]
    qs, ms, bare = _entities(doc)
    everything, _ = f.pairs(doc.text, qs, ms, bare)
    settled = frozenset(ms)
    fewer, X = f.pairs(doc.text, qs, ms, bare, settled=settled)
    assert any(c[0] == "PART_OF" for c in everything)
    assert not any(c[0] == "PART_OF" for c in fewer)
    assert len(X) == len(fewer)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="其中共分别合计总计a1。，\n", max_size=40), st.data())
def test_contains_is_substring_test(text: str, data) -> None:
    n = len(text)
    a = np.asarray(data.draw(st.lists(st.integers(0, n), min_size=1, max_size=8)), dtype=np.int64)
    b = np.asarray([data.draw(st.integers(int(x), n)) for x in a], dtype=np.int64)
    for word in _KEYWORDS:
        assert _contains(text, word, a, b).tolist() == [word in text[x:y] for x, y in zip(a, b)]


def test_rule_proposals_are_candidates_and_become_entities_when_chosen(rules_nlp) -> None:
    text = "全市各乡镇主动公开政府信息122条。"
    doc = rules_nlp.make_doc(text)
    q = doc.char_span(13, 17, label="QUANTITY")
    doc.ents = [doc.char_span(5, 13, label="METRIC"), q]  # the NER's METRIC: 主动公开政府信息
    qs, ms, bare = _entities(doc)
    cands, _ = PairFeaturizer().pairs(text, qs, ms, bare)
    proposed = _rule_metrics(text, qs, bare)[(13, 17)]
    assert text[proposed[0][0]:proposed[0][1]] == "各乡镇主动公开政府信息"
    assert {c[2] for c in cands if c[0] == "VALUE_OF"} == {(5, 13), proposed[0]}
    # chosen: the proposal replaces the unused NER METRIC it overlaps
    rels = _place_proposed(doc, {(13, 17, *proposed[0], "VALUE_OF", 0.9)})
    assert rels == [(13, 17, *proposed[0], "VALUE_OF", 0.9)]
    assert [(e.text, e.label_) for e in doc.ents] == [("各乡镇主动公开政府信息", "METRIC"), ("122条", "QUANTITY")]
    # a proposal overlapping a METRIC another relation uses is dropped
    doc.ents = [doc.char_span(5, 13, label="METRIC"), q]
    kept = (0, 0, 5, 13, "PART_OF", 1.0)
    assert _place_proposed(doc, {(13, 17, *proposed[0], "VALUE_OF", 0.9), kept}) == [kept]


def test_a_classifier_of_another_feature_layout_is_refused_on_load(tmp_path) -> None:
    import pickle

    import srsly
    from sklearn.dummy import DummyClassifier

    import govie
    from govie.relations import RelationExtractor

    rel = govie.load().get_pipe("govie_relations")
    size = rel.featurizer.size
    (tmp_path / "rel").mkdir()
    srsly.write_json(tmp_path / "rel" / "cfg.json", {**rel.cfg, "classifier": "sklearn"})
    for n, ok in ((size, True), (size - 3, False)):  # fitted on this layout / on an older one
        clf = DummyClassifier().fit(np.zeros((2, n)), [0, 1])
        with open(tmp_path / "rel" / "classifiers.pkl", "wb") as f:
            pickle.dump({"VALUE_OF": clf, "PART_OF": clf}, f)
        fresh = RelationExtractor(rel.vocab, rel.model, "govie_relations")
        if ok:
            assert fresh.from_disk(tmp_path / "rel").sk_models["VALUE_OF"].n_features_in_ == size
        else:
            with pytest.raises(ValueError, match="retrain"):
                fresh.from_disk(tmp_path / "rel")


# --------------------------------------------------------------------------- exact features, thresholds, scoring
COUNT_COL = KEYWORD_COL + len(_KEYWORDS)  # 5 buckets of quantities between, then 5 of METRICs between
TAIL_LEN_COL = 16


@pytest.fixture(scope="module")
def shipped():
    import govie

    return govie.load()


def test_part_candidates_are_the_four_nearest_earlier_metrics() -> None:
    f = PairFeaturizer(part_window=30)
    ms = [(0, 4), (6, 10), (12, 16), (18, 22), (24, 28), (30, 34), (80, 84)]
    got = list(f.part_candidates(ms))
    # the first METRIC is a parent candidate of the next ones; at most four, nearest first
    assert got[:3] == [((6, 10), (0, 4), 0), ((12, 16), (6, 10), 0), ((12, 16), (0, 4), 1)]
    assert [(p, r) for c, p, r in got if c == (30, 34)] == [((24, 28), 0), ((18, 22), 1), ((12, 16), 2),
                                                          ((6, 10), 3)]
    assert not [c for c, _, _ in got if c == (80, 84)]  # nothing within 30 characters before it
    assert list(f.part_candidates([])) == []


def _featurize(text, cands, rule=None):
    f = PairFeaturizer()
    qs = np.asarray(sorted(h[0] for l, h, _, _, _ in cands if l == "VALUE_OF"), dtype="int64")
    ms = np.asarray(sorted(t[0] for _, _, t, _, _ in cands), dtype="int64")
    return f.featurize(text, cands, qs, ms, rule)


@pytest.mark.parametrize("gap,bucket", [(0, 1), (1, 2), (2, 3), (3, 3), (4, 4), (7, 4), (8, 5), (300, 10)])
def test_gap_bucket_columns(gap: int, bucket: int) -> None:
    metric = "主动公开政府信息"
    text = metric + "，" * gap + "12条"
    q = (len(metric) + gap, len(text))
    X = _featurize(text, [("VALUE_OF", q, (0, len(metric)), 0, False)])
    assert np.flatnonzero(X[0, GAP_COLS:PUNCT_COL]).tolist() == [bucket]  # the metric is before: first 11
    # a METRIC after its quantity: the second block of eleven
    text2 = "12条" + "，" * gap + metric
    X2 = _featurize(text2, [("VALUE_OF", (0, 3), (3 + gap, len(text2)), 0, False)])
    assert np.flatnonzero(X2[0, GAP_COLS:PUNCT_COL]).tolist() == [11 + bucket]


def test_tail_length_and_count_buckets() -> None:
    long_metric = "本年新收政府信息公开申请数量中通过网站提交的申请数量"
    n = len(long_metric)
    assert n > 20
    text = long_metric + "共5件，其中" + "12件"
    q5 = (len(long_metric) + 1, len(long_metric) + 3)
    q12 = (len(text) - 3, len(text))
    X = _featurize(text, [("VALUE_OF", q12, (0, n), 0, False), ("VALUE_OF", q5, (0, n), 1, False)])
    assert X[0, TAIL_LEN_COL] == 1.0  # capped at 20 characters
    # one quantity between the METRIC and 12件; none before 5件; no METRIC between in either
    assert np.flatnonzero(X[0, COUNT_COL:COUNT_COL + 5]).tolist() == [1]
    assert np.flatnonzero(X[1, COUNT_COL:COUNT_COL + 5]).tolist() == [0]
    assert np.flatnonzero(X[0, COUNT_COL + 5:COUNT_COL + 10]).tolist() == [0]
    short = "申请数量12件"
    X = _featurize(short, [("VALUE_OF", (4, 7), (0, 4), 0, False)])
    assert X[0, TAIL_LEN_COL] == pytest.approx(4 / 20)


def test_rule_metric_columns_this_one_overlapping_none() -> None:
    text = "主动公开政府信息共计12条"
    q = (10, 13)
    rule = {q: [(0, 8)]}
    cands = [("VALUE_OF", q, (0, 8), 0, False), ("VALUE_OF", q, (2, 6), 1, False),
             ("VALUE_OF", q, (8, 10), 2, False)]
    X = _featurize(text, cands, rule)
    assert X[:, RULE_COLS:RULE_COLS + 3].tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 0]]
    X = _featurize(text, cands[:1], {})
    assert X[0, RULE_COLS:RULE_COLS + 3].tolist() == [0, 0, 1]


def _doc(nlp, text, ents):
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(s, e, label=l) for s, e, l in ents]
    return doc


def _fresh(shipped, **kw):
    from govie.relations import RelationExtractor

    rel = shipped.get_pipe("govie_relations")
    return RelationExtractor(rel.vocab, rel.model, "govie_relations", **kw)


def test_thresholds_and_fallback_link(shipped) -> None:
    text = "网站公开主动公开政府信息122条"
    ents = [(0, 4, "METRIC"), (4, 12, "METRIC"), (12, 16, "QUANTITY")]
    q, m1, m2 = (12, 16), (0, 4), (4, 12)
    rel = _fresh(shipped)  # threshold 0.5, best_threshold 0.5

    def annotate(scored, rel=rel, existing=()):
        doc = _doc(shipped, text, ents)
        doc._.relations = list(existing)
        rel.set_annotations([doc], [scored])
        return doc._.relations

    assert annotate([("VALUE_OF", q, m2, 0.2), ("VALUE_OF", q, m1, 0.1)]) == []  # nothing good enough
    assert annotate([("VALUE_OF", q, m2, 0.5)]) == [(12, 16, 4, 12, "VALUE_OF", 0.5)]  # p >= threshold
    assert annotate([("VALUE_OF", q, m2, 0.987654), ("VALUE_OF", q, m1, 0.6)]) == [
        (12, 16, 0, 4, "VALUE_OF", 0.6), (12, 16, 4, 12, "VALUE_OF", 0.9877)]
    # the best candidate is linked when it reaches best_threshold though the threshold is higher
    strict = _fresh(shipped, threshold=0.9, best_threshold=0.3)
    assert annotate([("VALUE_OF", q, m2, 0.45), ("VALUE_OF", q, m1, 0.35)], rel=strict) == [
        (12, 16, 4, 12, "VALUE_OF", 0.45)]
    assert annotate([("VALUE_OF", q, m2, 0.25)], rel=strict) == []
    # a quantity a table already linked keeps that link only
    table = (12, 16, 4, 12, "VALUE_OF", 1.0)
    assert annotate([("VALUE_OF", q, m1, 0.99)], existing=[table]) == [table]
    # PART_OF: by threshold only
    assert annotate([("PART_OF", m2, m1, 0.7)]) == [(4, 12, 0, 4, "PART_OF", 0.7)]
    assert annotate([("PART_OF", m2, m1, 0.3)]) == []


def test_sklearn_scores_are_the_positive_class_probability(shipped) -> None:
    from sklearn.dummy import DummyClassifier

    rel = _fresh(shipped, classifier="sklearn")
    n = rel.featurizer.size
    rel.sk_models = {"VALUE_OF": DummyClassifier(strategy="prior").fit(np.zeros((4, n)), [0, 1, 1, 1]),
                     "PART_OF": 0.25}
    X = np.zeros((3, n), dtype="float32")
    assert rel._score("VALUE_OF", X).tolist() == pytest.approx([0.75] * 3)
    assert rel._score("PART_OF", X).tolist() == [0.25] * 3
    assert rel._score("VALUE_OF", X[:0]).shape == (0,)
    rel.sk_models = {}
    assert rel._score("VALUE_OF", X).tolist() == [0.0] * 3


def test_shipped_model_links_clear_cases_and_survives_serialisation(shipped, tmp_path) -> None:
    text = "全市主动公开政府信息122条，其中通过网站公开98条。"
    rel = shipped.get_pipe("govie_relations")
    before = [p for p in shipped.pipeline if p[0] != "govie_relations"]
    doc = shipped(text)
    links = {(text[r[0]:r[1]], text[r[2]:r[3]]) for r in doc._.relations if r[4] == "VALUE_OF"}
    # ANNOTATION.md: a leading 通过 stays outside the METRIC (govie_metric_bounds, #17)
    assert {("122条", "主动公开政府信息"), ("98条", "网站公开")} <= links

    def scored(component):
        d = shipped.make_doc(text)
        for name, pipe in before:
            if name in ("govie_rule_linker", "govie_indicators"):
                continue
            d = pipe(d)
        return component.predict([d])[0]

    want = scored(rel)
    heads = {(h, t) for label, h, t, p in want if label == "VALUE_OF" and p >= 0.5}
    assert ((10, 14), (2, 10)) in heads and ((23, 26), (19, 23)) in heads  # head: the quantity; tail 网站公开
    assert all(0.0 <= p <= 1.0 for *_, p in want)
    from_bytes = _fresh(shipped).from_bytes(rel.to_bytes())
    assert scored(from_bytes) == want and from_bytes.cfg == rel.cfg
    path = tmp_path / "pipeline" / "rel"
    rel.to_disk(path)
    rel.to_disk(path)  # saving over an earlier save
    from_disk = _fresh(shipped).from_disk(path)
    assert scored(from_disk) == want and from_disk.cfg == rel.cfg


def test_hashed_columns_of_a_pair() -> None:
    from govie.relations import _hash

    text = "第122条是主动公开政府信息，共计12条"
    cands = [("VALUE_OF", (1, 5), (6, 14), 0, False), ("VALUE_OF", (17, 20), (6, 14), 0, False)]
    X = _featurize(text, cands)
    m = text[6:14]
    tail = {_hash(m[i:i + 2], "m") for i in range(len(m) - 1)} | {_hash(m[-2:], "mend"),
                                                                    3 * HASH_BINS + _hash(text[14:16], "am")}
    want_after = tail | {HASH_BINS + _hash("是", "gap"), 2 * HASH_BINS + _hash("第", "bh")}
    want_before = tail | {HASH_BINS + _hash("，共计", "gap"), 2 * HASH_BINS + _hash("共计", "bh")}
    assert set(np.flatnonzero(X[0, -4 * HASH_BINS:]).tolist()) == want_after
    assert set(np.flatnonzero(X[1, -4 * HASH_BINS:]).tolist()) == want_before


def _gold_example(nlp):
    from spacy.training import Example

    text = "主动公开政府信息122条，其中网站公开98条。"
    ents = [(0, 8, "METRIC"), (8, 12, "QUANTITY"), (15, 19, "METRIC"), (19, 22, "QUANTITY")]
    ref = _doc(nlp, text, ents)
    ref._.relations = [(8, 12, 0, 8, "VALUE_OF", 1.0), (19, 22, 15, 19, "VALUE_OF", 1.0),
                       (15, 19, 0, 8, "PART_OF", 1.0)]
    return Example(_doc(nlp, text, ents), ref)


def test_training_labels_and_updates_move_scores_towards_the_gold(shipped) -> None:
    from thinc.api import Adam

    from govie.relations import RelationExtractor, relation_mlp

    eg = _gold_example(shipped)
    rel = RelationExtractor(shipped.vocab, relation_mlp(), "govie_relations", propose=False)
    data = rel._xy([eg])
    cands, _ = rel.featurizer.pairs(eg.reference.text, *_entities(eg.reference))
    values = [c for c in cands if c[0] == "VALUE_OF"]
    assert data["VALUE_OF"][1].tolist() == [float(c[1:] in {((8, 12), (0, 8)), ((19, 22), (15, 19))})
                                           for c in values]
    assert data["VALUE_OF"][1].sum() == 2 and data["PART_OF"][1].tolist() == [1.0]
    rel.initialize(lambda: [eg])
    X, y = data["VALUE_OF"]

    def scores():
        return rel._score("VALUE_OF", X)

    before = scores()
    sgd = Adam(0.01)
    for _ in range(30):
        losses = rel.update([eg], sgd=sgd)
    after = scores()
    assert losses["govie_relations"] > 0
    assert (after[y == 1] > before[y == 1]).all() and (after[y == 0] < before[y == 0]).all()


def test_score_is_micro_precision_recall_of_value_links(shipped) -> None:
    eg = _gold_example(shipped)
    eg.predicted._.relations = [(8, 12, 0, 8, "VALUE_OF", 0.9), (19, 22, 0, 8, "VALUE_OF", 0.6),
                                (15, 19, 0, 8, "PART_OF", 0.8)]
    got = _fresh(shipped).score([eg])
    assert got == {"rel_micro_p": 0.5, "rel_micro_r": 0.5, "rel_micro_f": 0.5}
    eg.predicted._.relations = []
    assert _fresh(shipped).score([eg]) == {"rel_micro_p": 0.0, "rel_micro_r": 0.0, "rel_micro_f": 0.0}
