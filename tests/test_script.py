"""Issue #17, traditional script: the rule components read traditional text through a simplified view
of the same length (govie/pipeline/script.py) and find what they find in the simplified sentence.
Synthetic sentences (none is corpus text)."""
import pytest

import govie
from govie.pipeline.script import RULE_TEXT_KEY, rule_text, simplified_view


@pytest.fixture(scope="module")
def rules():
    return govie.load("rules")


def facts(nlp, text):
    return [(f.quantity.text, [m.text for m in f.metrics], f.indicator_id) for f in govie.parse(text, nlp=nlp).facts]


def test_view_keeps_length_and_offsets():
    text = "對申請的答覆總數56件\r\n其中當面申請3件。\n「兩微一端」"
    view = simplified_view(text)
    assert len(view) == len(text)
    # phrases a character map cannot convert (覆 is simplified too), line breaks where they were
    assert view == "对申请的答复总数56件\r\n其中当面申请3件。\n「两微一端」"


def test_simplified_text_is_its_own_view():
    text = "全市累计主动公开政府信息57194条。"
    assert simplified_view(text) is text


def test_view_is_computed_once_per_doc(rules):
    doc = rules.make_doc("受理依申請公開169件。")
    view = rule_text(doc)
    assert view == "受理依申请公开169件。"
    assert doc.user_data[RULE_TEXT_KEY] == [len(view), view]
    assert rule_text(doc) is view
    plain = rules.make_doc("受理依申请公开169件。")
    assert rule_text(plain) is plain.text or rule_text(plain) == plain.text
    assert plain.user_data[RULE_TEXT_KEY] == [len(plain.text), None]  # simplified text is not stored twice


@pytest.mark.parametrize("traditional, simplified", [
    # the rule linker peels 累计 / the subject before 共 + verb / 约 off the indicator
    ("全市累計主動公開政府信息57194條。", "全市累计主动公开政府信息57194条。"),
    ("本機關共召開新聞發佈會12場。", "本机关共召开新闻发布会12场。"),
    ("開展培訓4期，培訓人員約500人次。", "开展培训4期，培训人员约500人次。"),
    # the quantity rules' clock-time mask (14时30分 is no quantity)
    ("主辦單位於14時30分召開會議3場。", "主办单位于14时30分召开会议3场。"),
    # the taxonomy reads the indicator of a narrative figure (答覆: a phrase conversion)
    ("對申請的答覆總數56件。", "对申请的答复总数56件。"),
])
def test_traditional_reads_like_simplified(rules, traditional, simplified):
    got, want = facts(rules, traditional), facts(rules, simplified)
    assert [(simplified_view(q), [simplified_view(m) for m in ms], iid) for q, ms, iid in got] == want
    # spans keep the original text
    for q, ms, _ in got:
        assert q in traditional and all(m in traditional for m in ms)


def test_traditional_table_reply_rows_get_their_ids():
    import opencc

    from govie.tables.reader import read_tables

    # a 2008-2018 table run together (tests/test_tables.py); s2t writes 答复 as 答覆, which a character
    # map leaves as it is: the table reader's labels need the phrase conversion of the view
    simplified = ("附件：2016年政府信息公开情况统计表 指标名称计量单位2016年度历年累计主动公开信息数条3121804"
                  "受理依申请公开信息总数条523其中：1.当面申请数条0182.网上申请数条55"
                  "对申请的答复总数条523行政复议数件00 XX局 2017年1月10日")
    traditional = opencc.OpenCC("s2t").convert(simplified)
    assert "答覆" in traditional and len(traditional) == len(simplified)
    want = [(c.start, c.end, c.indicator_id) for t in read_tables(simplified) for c in t.cells]
    assert ("s08.reply.total" in {w[2] for w in want})
    assert [(c.start, c.end, c.indicator_id) for t in read_tables(traditional) for c in t.cells] == want


def test_a_phrase_conversion_that_moves_characters_is_not_trusted(monkeypatch):
    """A line converted by phrase keeps its length but could still move characters (one phrase longer,
    another shorter): offsets would then point beside the figure. Such a line is converted character
    by character instead."""
    from govie.pipeline import script

    class Shifting:  # drops the line's first character and appends one: same length, every offset moved
        def convert(self, line: str) -> str:
            return line[1:] + "。"

    monkeypatch.setattr(script, "_t2s", lambda: Shifting())
    text = "共受理申請12件，答覆數3件"
    view = simplified_view(text)
    assert len(view) == len(text)
    assert view.index("12") == text.index("12")
    assert view == "共受理申请12件，答覆数3件"  # the character map alone (覆 stays: it is simplified too)


# the tokenizer cuts a traditional text where its simplified view is cut, and gives the tokens the view as
# norms: tok2vec's NORM feature then reads the words the NER learnt from simplified reports. Opt-in per
# pipeline (``script_view``): govie train trains with it; the shipped tok2vec was trained without it

def _cut(doc):
    return [(t.idx, t.idx + len(t)) for t in doc]


@pytest.fixture(scope="module")
def viewing():
    """The shipped pipeline's tokenizer (pkuseg) with ``script_view`` on, loaded apart from govie.load()'s cache."""
    import spacy

    from govie.api import MODEL_DIR
    from govie.pipeline import register_components

    register_components()
    return spacy.load(MODEL_DIR, config={"nlp": {"tokenizer": {"script_view": True}}}, exclude=["tok2vec", "ner"])


@pytest.mark.parametrize("traditional, simplified", [
    ("本機關受理依申請公開169件，答覆數為12件。", "本机关受理依申请公开169件，答复数为12件。"),
    ("全年資訊公開專欄發佈信息3,210條", "全年资讯公开专栏发布信息3,210条"),
])
def test_traditional_text_is_cut_like_its_view(viewing, traditional, simplified):
    doc, simple = viewing.make_doc(traditional), viewing.make_doc(simplified)
    assert doc.text == traditional  # the tokens keep the original characters
    assert _cut(doc) == _cut(simple)
    assert [t.norm_ for t in doc] == [t.norm_ for t in simple]
    assert any(t.norm_ != t.text for t in doc)
    assert doc.user_data[RULE_TEXT_KEY] == [len(traditional), simplified]  # the rule components reuse it


@pytest.mark.parametrize("traditional, simplified", [
    ("本機關受理依申請公開169件，答覆數為12件。", "本机关受理依申请公开169件，答复数为12件。"),
    ("政府信息公開專欄發佈信息3,210條", "政府信息公开专栏发布信息3,210条"),
])
def test_traditional_tokens_give_tok2vec_the_features_of_their_view(viewing, traditional, simplified):
    # every attribute the shipped tok2vec embeds: a suffix such as 息公開 must read 息公开 too
    from spacy.attrs import NORM, PREFIX, SHAPE, SUFFIX

    doc, simple = viewing.make_doc(traditional), viewing.make_doc(simplified)
    attrs = [NORM, PREFIX, SUFFIX, SHAPE]
    assert (doc.to_array(attrs) == simple.to_array(attrs)).all()
    assert doc.text == traditional and doc[0].lex.orth_ == doc[0].text


def test_simplified_norms_are_spacy_defaults(viewing):
    doc = viewing.make_doc("本机关受理依申请公开169件")
    assert [t.norm_ for t in doc] == [t.lex.norm_ for t in doc]


def test_the_shipped_pipeline_reads_original_characters():
    # its tok2vec was trained on them: the view is off in its config and in its tokenizer's cfg
    nlp = govie.load()
    assert nlp.tokenizer.script_view is False
    doc = nlp.make_doc("資訊公開")
    assert [t.norm_ for t in doc] == [t.lex.norm_ for t in doc]


def test_script_view_is_saved_with_the_tokenizer():
    from spacy.util import registry

    nlp = govie.load()
    make = registry.tokenizers.get("govie.ChineseTokenizer.v1")
    on, off = make(segmenter="char", script_view=True)(nlp), make(segmenter="char")(nlp)
    assert [t.norm_ for t in on("資訊公開")] == list("资讯公开")
    assert [t.norm_ for t in off("資訊公開")] == list("資訊公開")
    # what to_bytes writes restores the setting (and changes the bytes, so DocBins are not reused across it)
    assert on.to_bytes() != off.to_bytes()
    off.from_bytes(on.to_bytes())
    assert off.script_view is True
    # a cfg written before the setting existed keeps the value the pipeline's config gave
    on._set_config({"segmenter": "char"})
    assert on.script_view is True


def test_rebuilding_split_keeps_view_norms(viewing):
    from govie.pipeline.tokenizer import split_at

    doc = viewing.make_doc("依申請公開169件")
    new, inside = split_at(doc, [1, 3])
    assert inside and new is not doc
    assert len(new) > len(doc)
    assert "".join(t.norm_ for t in new) == "依申请公开169件"


def test_govie_train_tokenizes_docbins_as_the_ner_config_says(tmp_path):
    from govie.training.train import DEFAULT_NER_CONFIG, make_tokenizer_nlp, ner_script_view

    assert ner_script_view(DEFAULT_NER_CONFIG) is True
    cfg = tmp_path / "ner.cfg"
    cfg.write_text(DEFAULT_NER_CONFIG.read_text(encoding="utf-8").replace("script_view = true\n", ""),
                   encoding="utf-8")
    assert ner_script_view(cfg) is False
    assert make_tokenizer_nlp(None, True).tokenizer.script_view is True
    assert make_tokenizer_nlp(None).tokenizer.script_view is False


def test_rebuilding_split_keeps_only_the_norms_the_tokens_had(viewing):
    # a doc tokenized without the view keeps its default norms, even when a component stored the view
    from govie.pipeline.tokenizer import split_at

    plain = govie.load().make_doc("依申請公開169件")
    rule_text(plain)  # what the rule components do: stores the simplified view in user_data
    new, _ = split_at(plain, [1, 3])
    assert [t.norm_ for t in new] == [t.lex.norm_ for t in new]
