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
