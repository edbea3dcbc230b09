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
    "政府 信息 公开 工作 年度 报告", "一 二 三", "\n\t政府信息\u3000公开\r\n",
    "孤立代理\ud800字符 😀表情𠀋字", "\x00\x01控制字符",
]


@pytest.fixture(scope="module")
def seg():
    nlp = govie.load()
    if nlp.tokenizer.segmenter != "pkuseg":
        pytest.skip("the shipped pipeline has no pkuseg segmenter")
    return nlp.tokenizer.pkuseg_seg


def _fast(seg) -> FastSegmenter:
    fast = FastSegmenter(seg)
    fast.WARMUP_CHARS = 0  # the fast path from the first text
    return fast


def _texts():
    return EDGE_CASES + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "texts").glob("*.txt"))]


def test_same_features_scores_and_words(seg):
    from spacy_pkuseg.inference import getLogYY

    fast = _fast(seg)
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
    assert fast.positions > 10_000  # the fast path did the cutting


def test_sentinel_characters_fall_back(seg):
    fast = _fast(seg)
    text = "\U000F0001混入哨兵字符\U000F0000"
    assert fast.cut(text) == fast.orig_cut(text)
    assert fast.positions == 0  # the fast path was not used


def test_blocks_do_not_change_scores_or_words(seg):
    """Features are computed BLOCK positions at a time with context on each side: a block edge anywhere
    (inside a word, next to a piece boundary) changes nothing."""
    fast = _fast(seg)
    texts = _texts()[:30]
    ref_words = [fast.cut(t) for t in texts]
    piece = max(texts, key=len).split()[0]
    ref_scores = fast.scores(piece)
    for block in (1, 2, 7, 64):
        fast.BLOCK = block
        assert np.array_equal(fast.scores(piece), ref_scores)
        assert [fast.cut(t) for t in texts] == ref_words


def test_warmup_goes_through_spacy_pkuseg_then_fast(seg):
    fast = FastSegmenter(seg)
    fast.WARMUP_CHARS = 1_000
    text = max(_texts(), key=len)
    texts = [text[i:i + 400] for i in range(0, 2_400, 400)]  # 400 + 400 < 1,000 < 400 * 3
    words = [fast.cut(t) for t in texts]
    assert words == [fast.orig_cut(t) for t in texts]
    assert fast.seen == 800  # the first two texts went to spacy_pkuseg
    assert fast.positions > 1_000  # and the rest through the fast path


def test_postprocessor_merges_like_spacy_pkuseg(seg, monkeypatch):
    """Common words are merged whatever their parts; "other" words only when a part is not a dictionary word;
    within one window length the merges are the leftmost non-overlapping ones; the word lists replaced (as
    spaCy does when it loads a pipeline) are seen."""
    post = seg.postprocesser
    text = "政府信息公开工作年度报告 主动公开政府信息 依申请公开政府信息情况"
    fast = _fast(seg)
    base = fast.orig_cut(text)
    assert fast.cut(text) == base
    merged = ["".join(base[i:i + 3]) for i in range(0, len(base) - 2, 2)]  # overlapping three-word windows
    monkeypatch.setattr(post, "common_words", set(merged[:3]))
    monkeypatch.setattr(post, "other_words", set(post.other_words) | {"".join(base[-2:])})
    got = fast.cut(text)
    assert got == fast.orig_cut(text)
    assert got != base  # something was merged


def test_user_dictionary_words_are_kept_whole(seg, monkeypatch):
    import spacy_pkuseg

    monkeypatch.setattr(seg, "preprocesser", spacy_pkuseg.Preprocesser(["信息公开工作", "年度报告"]))
    fast = _fast(seg)
    for text in ["政府信息公开工作年度报告", "本年度报告 信息公开工作年度报告。", "无词典词的句子"]:
        assert fast.cut(text) == fast.orig_cut(text)
    assert "信息公开工作" in fast.cut("政府信息公开工作年度报告")


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
    monkeypatch.setattr(fast, "WARMUP_CHARS", 0)
    doc = nlp.make_doc(text)
    assert fast.positions > 0
    assert "_cut" not in vars(seg)  # spacy_pkuseg's cut (the fallback) calls its own _cut
    del seg.cut  # spacy_pkuseg's own method again
    try:
        assert not isinstance(getattr(seg.cut, "__self__", None), FastSegmenter)
        ref = nlp.make_doc(text)
    finally:
        seg.cut = fast.cut
    assert [(t.text, t.whitespace_) for t in doc] == [(t.text, t.whitespace_) for t in ref]
