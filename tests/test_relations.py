"""The relation component: candidates and features (inside its thinc model), thresholds and fallback,
loss, labels, scorer, serialisation; and the fast entity/text accessors it relies on."""
from __future__ import annotations

import random
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govie.pipeline import extensions
from govie.pipeline.relation_model import (_KEYWORDS, _PUNCT, HASH_BINS, PairFeaturizer, RelationScores, _char_counts,
                                           _contains, _keyword_starts)
from govie.pipeline.relation_model import doc_entities as _entities
from govie.pipeline.relations import place_proposed as _place_proposed
from govie.pipeline.rule_linker import propose


def _unlinked(doc):
    """A copy of ``doc`` without relations (so the rule linker proposes for every quantity)."""
    doc = doc.copy()
    doc._.relations = []
    return doc


def _rule_metrics(doc):
    out = {}
    for q0, q1, m0, m1 in propose(_unlinked(doc))["VALUE_OF"]:
        out.setdefault((q0, q1), []).append((m0, m1))
    return out


# column offsets of the feature vector (see PairFeaturizer.featurize)
RULE_COLS = 24  # the rules: this METRIC proposed, one overlapping it, none; tail an entity; PART_OF proposed
GAP_COLS = 29
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
    for doc in parsed:
        assert extensions.doc_text(doc) == doc.text
    nlp = rules_nlp
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
        proposals = propose(_unlinked(doc))
        cands, X = f.pairs(text, qs, ms, bare, proposals)
        rules = _rule_metrics(doc)
        parts = {((p[0], p[1]), (p[2], p[3])) for p in proposals["PART_OF"]}
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
            else:
                assert X[i, RULE_COLS + 4] == float((head, tail) in parts)
            assert X[i, RULE_COLS + 3] == float(tail in set(ms))


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


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="".join(_KEYWORDS) + "a1。，\n", max_size=40))
def test_one_scan_finds_each_keyword_where_it_alone_is_found(text: str) -> None:
    # featurize finds the starts of all keywords in one pass: the same as one search per keyword
    found = _keyword_starts(text)
    assert list(found) == list(_KEYWORDS)
    for word in _KEYWORDS:
        assert found[word].tolist() == [m.start() for m in re.finditer(re.escape(word), text)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0１٣²①𝟙𝟚a中，,。；;\n：:、（()）|｜\t ", max_size=40))
def test_character_counts_are_prefix_counts(text: str) -> None:
    # digits are str.isdigit (full-width, Arabic-Indic, superscripts, circled, beyond the BMP), then
    # one column per counted group, as cumulative counts before each position
    counts = _char_counts(text)
    groups = ["\n", "，,。；;\n", "。", *_PUNCT]
    assert counts.shape == (len(text) + 1, 1 + len(groups))
    for i in range(len(text) + 1):
        assert counts[i, 0] == sum(ch.isdigit() for ch in text[:i])
        assert counts[i, 1:].tolist() == [sum(ch in g for ch in text[:i]) for g in groups]


def test_rule_proposals_are_candidates_and_become_entities_when_chosen(rules_nlp) -> None:
    text = "全市各乡镇主动公开政府信息122条。"
    doc = rules_nlp.make_doc(text)
    q = doc.char_span(13, 17, label="QUANTITY")
    doc.ents = [doc.char_span(5, 13, label="METRIC"), q]  # the NER's METRIC: 主动公开政府信息
    qs, ms, bare = _entities(doc)
    proposals = propose(doc)
    cands, _ = PairFeaturizer().pairs(text, qs, ms, bare, proposals)
    proposed = _rule_metrics(doc)[(13, 17)]
    assert text[proposed[0][0]:proposed[0][1]] == "各乡镇主动公开政府信息"
    assert {c[2] for c in cands if c[0] == "VALUE_OF"} == {(5, 13), proposed[0]}
    # without the proposals (proposals = false), only the entity
    cands, _ = PairFeaturizer(proposals=False).pairs(text, qs, ms, bare)
    assert {c[2] for c in cands if c[0] == "VALUE_OF"} == {(5, 13)}
    # chosen: the proposal replaces the unused NER METRIC it overlaps
    rels = _place_proposed(doc, {(13, 17, *proposed[0], "VALUE_OF", 0.9)})
    assert rels == [(13, 17, *proposed[0], "VALUE_OF", 0.9)]
    assert [(e.text, e.label_) for e in doc.ents] == [("各乡镇主动公开政府信息", "METRIC"), ("122条", "QUANTITY")]
    # a proposal overlapping a METRIC another relation uses is dropped
    doc.ents = [doc.char_span(5, 13, label="METRIC"), q]
    kept = (0, 0, 5, 13, "PART_OF", 1.0)
    assert _place_proposed(doc, {(13, 17, *proposed[0], "VALUE_OF", 0.9), kept}) == [kept]


# --------------------------------------------------------------------------- exact features, thresholds, scoring
COUNT_COL = KEYWORD_COL + len(_KEYWORDS)  # 5 buckets of quantities between, then 5 of METRICs between
TAIL_LEN_COL = 16


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


def _featurize(text, cands, rule=None, rule_part=frozenset()):
    f = PairFeaturizer()
    qs = np.asarray(sorted(h[0] for l, h, _, _, _ in cands if l == "VALUE_OF"), dtype="int64")
    ms = np.asarray(sorted(t[0] for _, _, t, _, _ in cands), dtype="int64")
    return f.featurize(text, cands, qs, ms, rule, rule_part, {t for _, _, t, _, _ in cands if t != (8, 10)})


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
    assert X[:, RULE_COLS + 3].tolist() == [1, 1, 0]  # (8, 10) is a proposal only, no entity
    X = _featurize(text, cands[:1], {})
    assert X[0, RULE_COLS:RULE_COLS + 3].tolist() == [0, 0, 1]
    part = [("PART_OF", (2, 6), (0, 2), 0, False), ("PART_OF", (6, 8), (0, 2), 1, False)]
    X = _featurize(text, part, {}, {((2, 6), (0, 2))})
    assert X[:, RULE_COLS + 4].tolist() == [1, 0] and X[:, RULE_COLS:RULE_COLS + 3].sum() == 0


def test_hashed_columns_of_a_pair() -> None:
    from govie.pipeline.relation_model import _hash

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




# --------------------------------------------------------------------------- the TrainablePipe
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


@pytest.fixture()
def trained():
    from spacy.util import fix_random_seed

    fix_random_seed(0)
    nlp = _pipeline()
    eg = _example(nlp)
    optimizer = nlp.initialize(lambda: [eg])
    for _ in range(40):
        nlp.update([eg], sgd=optimizer, annotates=["govie_rule_linker"])
    return nlp


def test_initialize_takes_the_labels_from_the_gold_relations_and_refuses_unknown_ones() -> None:
    nlp = _pipeline()
    rel = nlp.get_pipe("govie_relations")
    nlp.initialize(lambda: [_example(nlp)])
    assert rel.labels == ("VALUE_OF", "PART_OF") and rel.cfg["labels"] == ["VALUE_OF", "PART_OF"]
    assert rel.model.get_ref("scorer").get_dim("nO") == 2
    with pytest.raises(ValueError, match="unknown relation label"):
        _pipeline().get_pipe("govie_relations").add_label("LOCATED_IN")
    only = _pipeline()
    only.get_pipe("govie_relations").initialize(lambda: [_example(only)], labels=["VALUE_OF"])
    assert only.get_pipe("govie_relations").labels == ("VALUE_OF",)
    empty = _pipeline()
    from spacy.training import Example

    with pytest.raises(ValueError, match="no relation labels"):
        empty.get_pipe("govie_relations").initialize(lambda: [Example(_doc(empty), _doc(empty))])


def test_get_loss_is_weighted_binary_cross_entropy_on_logits() -> None:
    nlp = _pipeline(positive_weight=3.0)
    rel = nlp.get_pipe("govie_relations")
    nlp.initialize(lambda: [_example(nlp)])
    eg = _example(nlp)
    pairs = [[("VALUE_OF", (8, 12), (0, 8)), ("VALUE_OF", (19, 22), (0, 8)), ("PART_OF", (15, 19), (0, 8))]]
    logits = np.asarray([[2.0, -1.0], [0.5, 4.0], [-3.0, -0.25]], dtype="float32")
    loss, d = rel.get_loss([eg], RelationScores(pairs, logits))
    # hand computed: gold, not gold, gold (PART_OF column); weights 3, 1, 3; mean over 3 candidates
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    want_loss = (3 * -np.log(sig(2.0)) + 1 * -np.log(1 - sig(0.5)) + 3 * -np.log(sig(-0.25))) / 3
    assert loss == pytest.approx(want_loss, rel=1e-5)
    want_d = np.asarray([[3 * (sig(2.0) - 1), 0], [sig(0.5) - 0, 0], [0, 3 * (sig(-0.25) - 1)]]) / 3
    assert np.asarray(d) == pytest.approx(want_d, abs=1e-6)


def test_updates_move_scores_towards_the_gold(trained) -> None:
    rel = trained.get_pipe("govie_relations")
    doc = trained.get_pipe("govie_rule_linker")(_doc(trained))
    scored = rel._probabilities(rel.predict([doc]))[0]
    gold = {(h, t, label) for h0, h1, t0, t1, label, _ in GOLD for h, t in [((h0, h1), (t0, t1))]}
    assert {(h, t, label) for label, h, t, p in scored if p >= 0.5} == gold
    doc = trained(TEXT if False else _doc(trained))
    assert {r[:5] for r in doc._.relations} == {g[:5] for g in GOLD}


def _annotate(nlp, scored, existing=(), text="网站公开主动公开政府信息122条",
              ents=((0, 4, "METRIC"), (4, 12, "METRIC"), (12, 16, "QUANTITY")), **cfg):
    rel = nlp.get_pipe("govie_relations")
    rel.cfg.update({"threshold": 0.5, "fallback": True, "one_metric_per_figure": True, **cfg})
    doc = nlp.get_pipe("govie_rule_linker")(_doc(nlp, text, list(ents)))
    doc._.relations = list(existing)
    pairs = [(label, h, t) for label, h, t, _ in scored]
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    cols = {"VALUE_OF": 0, "PART_OF": 1}
    logits = np.full((len(pairs), 2), -9.0, dtype="float32")
    for i, (label, _, _, p) in enumerate(scored):
        logits[i, cols[label]] = logit(p)
    rel.set_annotations([doc], RelationScores([pairs], logits))
    return doc._.relations


def test_threshold_and_fallback_to_the_rule_proposals(trained) -> None:
    q, m1, m2 = (12, 16), (0, 4), (4, 12)
    # nothing good enough: the fallback links the rule linker's proposal (the whole phrase before)
    assert _annotate(trained, [("VALUE_OF", q, m2, 0.2)]) == [(12, 16, 0, 12, "VALUE_OF", 1.0)]
    assert _annotate(trained, [("VALUE_OF", q, m2, 0.2)], fallback=False) == []
    got = _annotate(trained, [("VALUE_OF", q, m2, 0.6)], fallback=True)
    assert got == [(12, 16, 4, 12, "VALUE_OF", 0.6)]
    assert _annotate(trained, [("VALUE_OF", q, m2, 0.6)], threshold=0.7, fallback=False) == []
    # a quantity a table already linked keeps that link only
    table = (12, 16, 4, 12, "VALUE_OF", 1.0)
    assert _annotate(trained, [("VALUE_OF", q, m1, 0.99)], existing=[table]) == [table]
    assert _annotate(trained, [("PART_OF", m2, m1, 0.7)], fallback=False) == [(4, 12, 0, 4, "PART_OF", 0.7)]


def test_serialisation_round_trips_without_pickle(trained, tmp_path) -> None:
    import spacy

    rel = trained.get_pipe("govie_relations")
    doc = trained.get_pipe("govie_rule_linker")(_doc(trained))
    want = rel._probabilities(rel.predict([doc]))

    def fresh():
        return _pipeline().get_pipe("govie_relations")

    data = rel.to_bytes()
    assert b"pickle" not in data
    got = fresh().from_bytes(data)
    assert got._probabilities(got.predict([doc])) == want and got.cfg == rel.cfg
    rel.to_disk(tmp_path / "rel")
    rel.to_disk(tmp_path / "rel")  # saving over an earlier save
    import srsly

    assert {"cfg", "model"} <= {p.name for p in (tmp_path / "rel").iterdir()}
    assert srsly.read_json(tmp_path / "rel" / "cfg")["labels"] == ["VALUE_OF", "PART_OF"]
    got = fresh().from_disk(tmp_path / "rel")
    assert got._probabilities(got.predict([doc])) == want and got.labels == rel.labels
    trained.to_disk(tmp_path / "nlp")
    again = spacy.load(tmp_path / "nlp")
    assert [r[:5] for r in again(_doc(again))._.relations] == [r[:5] for r in trained(_doc(trained))._.relations]
    # a network of another shape is refused with a clear message
    other = _pipeline(model={"@architectures": "govie.RelationModel.v2",
                             "featurizer": {"@architectures": "govie.PairFeaturizer.v2"},
                             "scorer": {"@architectures": "govie.RelationMLP.v2", "hidden_width": 8}})
    with pytest.raises(ValueError, match="retrain"):
        other.get_pipe("govie_relations").from_disk(tmp_path / "rel")


def test_scorer_is_registered_and_scores_each_label() -> None:
    from spacy import registry

    nlp = _pipeline()
    eg = _example(nlp)
    eg.predicted._.relations = [(8, 12, 0, 8, "VALUE_OF", 0.9), (19, 22, 0, 8, "VALUE_OF", 0.6),
                                (15, 19, 0, 8, "PART_OF", 0.8)]
    score = registry.scorers.get("govie.relation_scorer.v1")()
    got = score([eg])
    assert got["rel_per_type"]["VALUE_OF"] == {"p": 0.5, "r": 0.5, "f": 0.5}
    assert got["rel_per_type"]["PART_OF"] == {"p": 1.0, "r": 1.0, "f": 1.0}
    assert got["rel_micro_p"] == pytest.approx(2 / 3) and got["rel_micro_r"] == pytest.approx(2 / 3)
    assert nlp.get_pipe("govie_relations").score([eg]) == got  # set through default_config
    assert nlp.config["components"]["govie_relations"]["scorer"] == {"@scorers": "govie.relation_scorer.v1"}


def test_analyze_pipes_shows_the_real_flow() -> None:
    """Each component's requirements are met by an earlier one, in the rule pipeline and in the
    pipeline ``govie train`` assembles (the shipped one)."""
    import spacy

    import govie
    from govie.training.train import assemble

    rules = govie.build_rule_pipeline()
    base = spacy.blank("zh")
    base.add_pipe("ner")
    shipped = assemble(base, _saved(tmp := __import__("tempfile").mkdtemp()))
    for nlp in (rules, shipped):
        analysis = nlp.analyze_pipes()
        assert not any(analysis["problems"].values()), analysis["problems"]
    summary = shipped.analyze_pipes()["summary"]
    assert summary["govie_rule_linker"]["assigns"] == ["doc._.link_proposals"]
    assert summary["govie_relations"]["assigns"] == ["doc.ents", "doc._.relations"]
    names = shipped.pipe_names
    assert names.index("govie_table_reader") < names.index("govie_rule_linker") < names.index("govie_relations")
    del tmp


def _saved(path):
    from pathlib import Path

    nlp = _pipeline()
    nlp.initialize(lambda: [_example(nlp)])
    nlp.to_disk(Path(path) / "rel")
    return Path(path) / "rel"


# --------------------------------------------------------------------------- mutation survivors (#13)
def test_a_chosen_proposal_inside_an_unused_metric_entity_becomes_the_entity(rules_nlp) -> None:
    # the METRIC entity 主动公开政府信息 starts where the quantity ends; the chosen proposal 公开政府信息
    # ends with it: it replaces the entity (a relation never points at a span that is no entity)
    doc = rules_nlp.make_doc("122条主动公开政府信息")
    doc.ents = [doc.char_span(0, 4, label="QUANTITY"), doc.char_span(4, 12, label="METRIC")]
    assert _place_proposed(doc, {(0, 4, 6, 12, "VALUE_OF", 0.9)}) == [(0, 4, 6, 12, "VALUE_OF", 0.9)]
    assert [(e.text, e.label_, e.start_char) for e in doc.ents] == [("122条", "QUANTITY", 0),
                                                                     ("公开政府信息", "METRIC", 6)]


FOUR = "网站公开主动公开媒体公开政务公开"  # four METRICs of four characters each
FOUR_ENTS = [(0, 4, "METRIC"), (4, 8, "METRIC"), (8, 12, "METRIC"), (12, 16, "METRIC")]


def _settled(relations):
    import spacy

    from govie.pipeline.relations import _settle_part_of

    doc = _doc(spacy.blank("zh"), FOUR, FOUR_ENTS)
    doc._.relations = list(relations)
    _settle_part_of(doc)
    return doc._.relations


def test_a_part_of_end_that_is_no_entity_moves_to_the_one_metric_overlapping_it() -> None:
    # 开 (5, 8) lies inside 主动公开 (4, 8) only; METRICs before and after it do not overlap it
    assert _settled([(5, 8, 0, 4, "PART_OF", 0.8)]) == [(4, 8, 0, 4, "PART_OF", 0.8)]
    assert _settled([(4, 8, 13, 16, "PART_OF", 0.8)]) == [(4, 8, 12, 16, "PART_OF", 0.8)]
    # an end overlapping two METRICs, or both ends on the same METRIC: the relation goes
    assert _settled([(6, 10, 0, 4, "PART_OF", 0.8)]) == []
    assert _settled([(5, 8, 4, 7, "PART_OF", 0.8)]) == []


def test_part_of_relations_that_settle_on_the_same_pair_keep_the_higher_score() -> None:
    assert _settled([(4, 8, 0, 4, "PART_OF", 0.6), (5, 8, 0, 4, "PART_OF", 0.9)]) == [(4, 8, 0, 4, "PART_OF", 0.9)]
    assert _settled([(4, 8, 0, 4, "PART_OF", 0.9), (5, 8, 0, 4, "PART_OF", 0.6)]) == [(4, 8, 0, 4, "PART_OF", 0.9)]


def test_label_thresholds_given_to_the_factory_decide_their_label() -> None:
    rel = _pipeline(threshold=0.5, label_thresholds={"PART_OF": 0.3}).get_pipe("govie_relations")
    assert rel._threshold("PART_OF") == 0.3
    assert rel._threshold("VALUE_OF") == 0.5


def test_a_figure_loses_the_metric_of_another_figure() -> None:
    from govie.pipeline.relations import one_metric_per_figure

    # 设有1个受理点,1个阅览点: the second 1个 also scored the first one's METRIC, under the first 1个
    q1, q2, m1, m2 = (2, 4), (8, 10), (4, 7), (10, 13)
    rels = [(*q1, *m1, "VALUE_OF", 0.97), (*q2, *m2, "VALUE_OF", 0.96), (*q2, *m1, "VALUE_OF", 0.95)]
    assert one_metric_per_figure(rels) == rels[:2]
    # a METRIC no other figure is linked to stays: the text shares the figure (网站和微博均达100%)
    shared = [(*q1, *m1, "VALUE_OF", 0.97), (*q1, *m2, "VALUE_OF", 0.9)]
    assert one_metric_per_figure(shared) == shared
    # a figure whose every METRIC belongs to others keeps its most probable one
    only = [(*q1, *m1, "VALUE_OF", 0.99), (*q2, *m1, "VALUE_OF", 0.8)]
    assert one_metric_per_figure(only) == only
    # PART_OF relations pass through
    part = [(*m2, *m1, "PART_OF", 0.7)]
    assert one_metric_per_figure(rels + part) == rels[:2] + part


def test_relations_decode_one_metric_per_figure(trained) -> None:
    text, ents = "设有1个受理点,1个阅览点", [(2, 4, "QUANTITY"), (4, 7, "METRIC"), (8, 10, "QUANTITY"),
                                     (10, 13, "METRIC")]
    scored = [("VALUE_OF", (2, 4), (4, 7), 0.97), ("VALUE_OF", (8, 10), (10, 13), 0.96),
              ("VALUE_OF", (8, 10), (4, 7), 0.95)]
    got = _annotate(trained, scored, text=text, ents=ents, fallback=False)
    assert got == [(2, 4, 4, 7, "VALUE_OF", 0.97), (8, 10, 10, 13, "VALUE_OF", 0.96)]
    off = _annotate(trained, scored, text=text, ents=ents, fallback=False, one_metric_per_figure=False)
    assert (8, 10, 4, 7, "VALUE_OF", 0.95) in off and len(off) == 3
    assert _pipeline().get_pipe("govie_relations").cfg["one_metric_per_figure"] is True


def test_a_rate_is_no_part_of_a_count() -> None:
    import spacy

    from govie.pipeline.relations import drop_rate_parts

    nlp = spacy.blank("zh")
    text = "主动公开政府信息120条，全文电子化率100%，其中规范性文件12条。"
    ents = [(0, 8, "METRIC"), (8, 12, "QUANTITY"), (13, 19, "METRIC"), (19, 23, "QUANTITY"),
            (26, 31, "METRIC"), (31, 34, "QUANTITY")]
    doc = _doc(nlp, text, ents)
    rate_part, count_part = (13, 19, 0, 8, "PART_OF", 0.9), (26, 31, 0, 8, "PART_OF", 0.9)
    doc._.relations = [(8, 12, 0, 8, "VALUE_OF", 1.0), (19, 23, 13, 19, "VALUE_OF", 0.9),
                       (31, 34, 26, 31, "VALUE_OF", 0.9), rate_part, count_part]
    drop_rate_parts(doc)
    assert rate_part not in doc._.relations and count_part in doc._.relations
    # a share under a share (其中…占N%) stays: the same unit on both sides
    doc._.relations = [(8, 12, 0, 8, "VALUE_OF", 1.0), (19, 23, 13, 19, "VALUE_OF", 0.9),
                       (8, 12, 13, 19, "VALUE_OF", 0.9), rate_part]
    drop_rate_parts(doc)
    assert rate_part in doc._.relations


def test_traditional_text_gets_the_features_of_its_simplified_view(rules_nlp) -> None:
    """The relation features (cue words, character classes) are learnt from simplified reports: a
    traditional-script doc is featurized through its simplified view, like every rule component."""
    simplified = "全年共受理依申请公开169件，其中当面申请34件，占总数的20%。"
    traditional = "全年共受理依申請公開169件，其中當面申請34件，佔總數的20%。"
    assert len(simplified) == len(traditional)
    f = PairFeaturizer(cue_heads=2, part_proposed=True, part_features=True)  # the shipped v3's settings
    out = []
    for text in (simplified, traditional):
        doc = rules_nlp.make_doc(text)
        spans = [("受理依申", "METRIC"), ("169件", "QUANTITY"), ("當面申請" if "當" in text else "当面申请", "METRIC"),
                 ("34件", "QUANTITY"), ("20%", "QUANTITY")]
        doc.ents = [doc.char_span(text.index(t), text.index(t) + len(t), label=label) for t, label in spans]
        pairs, X = f.doc_pairs(doc)
        out.append((pairs, X))
    assert out[0][0] == out[1][0]
    assert (out[0][1] == out[1][1]).all()
