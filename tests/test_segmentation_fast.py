"""The fast segmenter path (govie.pipeline.segmenter.FastSegmenter) against spacy_pkuseg itself: same feature
ids, bit-identical node scores, same words. ``benchmarks/segmenter_check.py`` runs the same checks on
every corpus text."""
from pathlib import Path

import numpy as np
import pytest

import govie
from govie.pipeline.segmenter import FastSegmenter, install_fast_cut

ROOT = Path(__file__).resolve().parents[1]
EDGE_CASES = [
    "", " ", "一", "12", "2021年", "共受理依申请公开169件，其中当面申请34件。",
    "ＡＢＣ政府信息公开ｘｙｚ１２３％", "a.b/c-d_e,f|g*h:i", "全市累计主动公开政府信息57194条 同比增长1.5%",
    "规章000规范性文件12345", "政务新媒体" * 40, "\U000F0001混入哨兵字符\U000F0000",
]


@pytest.fixture(scope="module")
def seg():
    nlp = govie.load()
    if nlp.tokenizer.segmenter != "pkuseg":
        pytest.skip("the shipped pipeline has no pkuseg segmenter")
    return nlp.tokenizer.pkuseg_seg


def _texts():
    return EDGE_CASES + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "texts").glob("*.txt"))]


def test_same_features_scores_and_words(seg):
    from spacy_pkuseg.inference import getLogYY

    fast = FastSegmenter(seg)
    assert fast.usable
    fe, model = seg.feature_extractor, seg.model
    checked = 0
    for text in _texts():
        assert fast.cut(text) == fast.orig_cut(text)
        for piece in text.split():
            if "\U000F0000" in piece or "\U000F0001" in piece:
                continue  # the sentinels fall back to spacy_pkuseg's path (test below)
            nodes = list(fe.normalize_text(piece))
            ref = [fe.get_node_features_idx(i, nodes) for i in range(len(nodes))]
            assert fast.features(piece) == ref
            y, _ = getLogYY(ref, model.n_tag, model.n_feature * model.n_tag, model.w, 1.0)
            assert np.array_equal(fast.scores(piece), y)
            assert fast._cut(piece) == fast.orig_underscore_cut(piece)
            checked += len(piece)
    assert checked > 10_000


def test_sentinel_characters_fall_back(seg):
    fast = FastSegmenter(seg)
    text = "\U000F0001混入哨兵字符\U000F0000"
    assert fast.cut(text) == fast.orig_cut(text)
    assert fast.positions == 0  # the fast path was not used


def test_bounded_caches_give_the_same_words(seg):
    fast = FastSegmenter(seg)
    fast.MAX_KEYS = 50  # emptied before nearly every text
    for text in _texts():
        assert fast.cut(text) == fast.orig_cut(text)
        assert len(fast.char_cache) <= 50 + len(text)  # emptied, then at most one entry per character


def test_tokenizer_uses_fast_path_and_same_tokens(monkeypatch):
    import govie.pipeline.segmenter

    nlp = govie.load()
    text = sorted((ROOT / "corpus" / "texts").glob("*.txt"))[0].read_text(encoding="utf-8")
    doc = nlp.make_doc(text)
    seg = nlp.tokenizer.pkuseg_seg
    fast = seg.cut.__self__
    assert isinstance(fast, FastSegmenter)
    install_fast_cut(seg)  # idempotent
    assert seg.cut.__self__ is fast
    monkeypatch.setattr(govie.pipeline.segmenter, "install_fast_cut", lambda s: None)
    del seg.cut, seg._cut  # spacy_pkuseg's own methods again
    try:
        assert not isinstance(getattr(seg.cut, "__self__", None), FastSegmenter)
        ref = nlp.make_doc(text)
    finally:
        seg.cut, seg._cut = fast.cut, fast._cut
    assert [(t.text, t.whitespace_) for t in doc] == [(t.text, t.whitespace_) for t in ref]
