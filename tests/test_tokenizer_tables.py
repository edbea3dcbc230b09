"""The fast segmenter's tables saved with the tokenizer (``govie.pipeline.pkuseg_tables``): a pipeline loads
them instead of building them, builds spacy_pkuseg's object only when asked, cuts the same tokens, and
ignores tables that are not of its weights."""
from pathlib import Path

import numpy as np
import pytest
import spacy

import govie
from govie.pipeline.pkuseg_tables import TABLES
from govie.pipeline.tokenizer import GovieTokenizer

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "govie" / "model" / "tokenizer"


def _texts():
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "texts").glob("*.txt"))]
    return texts + ["共受理依申请公开169件，其中当面申请34件。", "政府 信息\n公开 12 万元", ""]


def _tokens(tok, text):
    doc = tok(text)
    return [(t.text, t.whitespace_) for t in doc]


def _load(path) -> GovieTokenizer:
    tok = GovieTokenizer(spacy.blank("zh").vocab, segmenter="pkuseg")
    tok.from_disk(path)
    return tok


def _load_with_words(path):
    """The tokenizer saved at ``path`` and its fast path's postprocessor; skips when it has no words."""
    tok = _load(path)
    post = tok._fast._post
    if not getattr(post, "do_process", False):
        pytest.skip("the shipped postprocessor has no words")
    return tok, post


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    nlp = govie.load()
    if nlp.tokenizer.segmenter != "pkuseg":
        pytest.skip("the shipped pipeline has no pkuseg segmenter")
    path = tmp_path_factory.mktemp("tok") / "tokenizer"
    nlp.tokenizer.to_disk(path)
    return nlp.tokenizer, path


def test_shipped_model_has_matching_tables():
    """govie/model/tokenizer/fast_segmenter.npz is of the shipped weights (else: python -m
    govie.pipeline.pkuseg_tables govie/model/tokenizer)."""
    tok = _load(SHIPPED)
    assert tok._fast is not None and tok._seg is None


def test_saved_tables_give_the_same_tokens_without_spacy_pkuseg(saved):
    ref, path = saved
    assert (path / TABLES).is_file()
    tok = _load(path)
    assert tok._fast is not None
    for text in _texts():
        assert _tokens(tok, text) == _tokens(ref, text)
    assert tok._seg is None  # spacy_pkuseg's object was never needed
    assert tok._fast.positions > 1_000
    seg = tok.pkuseg_seg  # built when asked, with the fast path as its cut
    assert seg is not None and seg.cut.__self__ is tok._fast
    assert seg.postprocesser.other_words == ref.pkuseg_seg.postprocesser.other_words
    import spacy_pkuseg  # the stand-ins read at load became spacy_pkuseg's own objects for its own cut

    assert isinstance(seg.preprocesser, spacy_pkuseg.Preprocesser)
    assert isinstance(seg.postprocesser, spacy_pkuseg.Postprocesser)
    assert seg.postprocesser.do_process == ref.pkuseg_seg.postprocesser.do_process
    text = _texts()[0]
    assert seg.cut(text) == tok._fast.orig_cut(text)
    assert _tokens(tok, text) == _tokens(ref, text)


def test_sentinel_text_builds_spacy_pkuseg(saved):
    ref, path = saved
    tok = _load(path)
    text = "\U000F0001混入哨兵字符\U000F0000 12万元"
    assert _tokens(tok, text) == _tokens(ref, text)
    assert tok._seg is not None


def test_without_tables_loads_as_before(saved, tmp_path):
    ref, path = saved
    tok = GovieTokenizer(spacy.blank("zh").vocab, segmenter="pkuseg")
    import shutil

    shutil.copytree(path, tmp_path / "t")
    (tmp_path / "t" / TABLES).unlink()
    tok = _load(tmp_path / "t")
    assert tok._fast is None and tok._seg is not None
    for text in _texts()[:2]:
        assert _tokens(tok, text) == _tokens(ref, text)


def test_tables_of_other_weights_are_ignored(saved, tmp_path):
    """Weights changed after the tables were written: the tables are not used (they would cut other words)."""
    import shutil

    ref, path = saved
    shutil.copytree(path, tmp_path / "t")
    weights = tmp_path / "t" / "pkuseg_model" / "weights.npz"
    with np.load(weights) as npz:
        sizes, w = npz["sizes"], npz["w"].copy()
    w[0] += 1.0
    np.savez(weights, sizes=sizes, w=w)
    tok = _load(tmp_path / "t")
    assert tok._fast is None and tok._seg is not None
    assert np.array_equal(tok.pkuseg_seg.model.w, w)


def test_saved_words_answer_as_the_sets(saved):
    """``word in common`` / ``word in other`` from the saved arrays, for every word of both lists, for
    pieces of words and for text that is no word."""
    from govie.pipeline.pkuseg_words import word_arrays, SavedWords

    ref, _ = saved
    post = ref.pkuseg_seg.postprocesser
    if not post.do_process:
        pytest.skip("the shipped postprocessor has no words")
    common, other = post.common_words, post.other_words
    words = SavedWords(word_arrays(common, other))
    assert len(words) == len(common | other)
    probes = sorted(common | other)[::97] + [w[:-1] for w in sorted(other)[::501]]
    probes += [w + "局" for w in sorted(other)[:50]]
    probes += ["", "政府信息公开", "主动公开", "57194", "\U000F0001", "x" * 300]
    for w in probes:
        assert (w in words.common, w in words.other) == (w in common, w in other), w


def test_loading_does_not_unpack_the_word_sets(saved):
    ref, path = saved
    tok, post = _load_with_words(path)
    assert post._sets is None
    for text in _texts():
        assert _tokens(tok, text) == _tokens(ref, text)
    assert post._sets is None  # the fast path read the saved words only
    seg = tok.pkuseg_seg  # spacy_pkuseg's own objects, with the words unpacked
    assert seg.postprocesser.other_words == ref.pkuseg_seg.postprocesser.other_words
    assert seg.postprocesser.common_words == ref.pkuseg_seg.postprocesser.common_words
    for text in _texts()[:3]:
        assert _tokens(tok, text) == _tokens(ref, text)


def test_replaced_words_are_the_words_the_fast_path_uses(saved):
    """A postprocessor whose words are assigned after the load: the saved words no longer hold."""
    _, path = saved
    tok, post = _load_with_words(path)
    text = "收到政府信息公开申请224件，主动公开政府信息57194条。"
    tok(text)
    mine = {"政府信息公开申请"}
    post.other_words = mine
    assert tok._fast._dict_hashes()[3] is mine
    assert tok._fast._saved_words is None


def test_a_changed_processors_file_ignores_the_tables(saved, tmp_path):
    """The tables note the size of the pkuseg_processors they were written with; another file (words
    added by hand) makes the load build the tables from spaCy's files instead."""
    import shutil

    import srsly

    _, path = saved
    shutil.copytree(path, tmp_path / "t")
    proc = tmp_path / "t" / "pkuseg_processors"
    user, do_process, common, other = srsly.read_msgpack(proc)
    srsly.write_msgpack(proc, (user, do_process, common, list(other) + ["加一个词"]))
    tok = _load(tmp_path / "t")
    assert tok._fast is None and "加一个词" in tok.pkuseg_seg.postprocesser.other_words


def test_the_saved_pipeline_may_go_away_after_the_load(saved, tmp_path):
    """Everything spacy_pkuseg's own path needs later is read at load: removing the directory does not
    break the fallback (sentinel characters) afterwards."""
    import shutil

    ref, path = saved
    shutil.copytree(path, tmp_path / "t")
    tok = _load(tmp_path / "t")
    shutil.rmtree(tmp_path / "t")
    text = "\U000F0001混入哨兵字符\U000F0000 12万元，主动公开政府信息57194条"
    assert _tokens(tok, text) == _tokens(ref, text)
    assert tok._seg is not None


def test_saving_again_does_not_rebuild_the_word_arrays(saved, tmp_path, monkeypatch):
    """Training saves a pipeline several times: the words' arrays (~1.5 s CPU for 390,000 words) are
    taken from the tables the segmenter read, or built once per segmenter and word sets."""
    import govie.pipeline.pkuseg_words as pw

    calls = []
    real = pw.word_arrays
    monkeypatch.setattr(pw, "word_arrays", lambda *a: calls.append(1) or real(*a))
    ref, path = saved
    tok, _ = _load_with_words(path)
    tok.to_disk(tmp_path / "a")
    tok.to_disk(tmp_path / "b")
    assert calls == []  # read with the tables, written back as they were
    with np.load(tmp_path / "b" / TABLES) as b, np.load(path / TABLES) as a:
        assert all(np.array_equal(a[k], b[k]) for k in a.files if k.startswith("words_"))
    from spacy.lang.zh import ChineseTokenizer

    plain = ChineseTokenizer(spacy.blank("zh").vocab, segmenter="pkuseg")
    plain.from_disk(path)  # spacy_pkuseg's files only: a segmenter that read no tables (as after training)
    fresh = GovieTokenizer(spacy.blank("zh").vocab, segmenter="pkuseg")
    fresh.pkuseg_seg = plain.pkuseg_seg
    fresh("共受理依申请公开169件。")  # gives it the fast path, as training's tokenizing does
    fresh.to_disk(tmp_path / "c")
    fresh.to_disk(tmp_path / "d")
    assert len(calls) == 1
