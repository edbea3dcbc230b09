"""The ``govie_table_reader`` component: token boundaries through ``tokenizer.split_at``, what it
declares (``assigns``/``requires``) against what it writes, and its vocabulary in the config."""
import spacy

import govie  # noqa: F401  (registers the factories)
from govie.pipeline.tokenizer import split_at


def _doc_with_entities():
    nlp = spacy.blank("zh")
    doc = spacy.tokens.Doc(nlp.vocab, words=["规章000", "共", "办理", "12件"], spaces=[False] * 4)
    doc.ents = [doc.char_span(0, 5, label="METRIC"), doc.char_span(8, 11, label="QUANTITY")]
    doc.user_data["marker"] = 1
    return doc


def test_split_at_in_place_keeps_the_doc_its_entities_and_user_data():
    doc = _doc_with_entities()
    out, n = split_at(doc, [2, 3, 4, 10, 0, 11, 5], in_place=True)
    assert out is doc and n == 4  # 0, 5 and 11 are token edges already
    assert [t.text for t in doc] == ["规章", "0", "0", "0", "共", "办理", "12", "件"]
    assert [(e.text, e.label_) for e in doc.ents] == [("规章000", "METRIC"), ("12件", "QUANTITY")]
    assert doc.user_data["marker"] == 1


def test_split_at_rebuilds_a_new_doc_by_default():
    doc = _doc_with_entities()
    out, n = split_at(doc, [2, 10])
    assert out is not doc and n == 2
    assert [t.text for t in out] == ["规章", "000", "共", "办理", "12", "件"]
    assert [t.text for t in doc] == ["规章000", "共", "办理", "12件"]  # the input is untouched
    assert out.user_data["marker"] == 1 and out.text == doc.text


def test_split_at_with_nothing_to_split_returns_the_doc_itself():
    doc = _doc_with_entities()
    for in_place in (False, True):
        assert split_at(doc, [0, 5, 6, 99, -1], in_place=in_place) == (doc, 0)


def _line_doc(nlp, text):
    """A doc whose tokens are whole lines (and the newlines): every cell lies inside a token."""
    words = [w for line in text.split("\n") for w in (line, "\n") if w][:-1]
    return spacy.tokens.Doc(nlp.vocab, words=words, spaces=[False] * len(words))


def test_table_reader_splits_tokens_at_its_cells_and_keeps_an_earlier_entity():
    # 规章105 (a run of three cells glued to its label) is one token here: the reader splits it into
    # the label and three cells; an entity an earlier component set outside the table survives
    text = ("前言\n二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n"
            "规章105\n三、收到和处理政府信息公开申请情况")
    nlp = spacy.blank("zh")
    nlp.add_pipe("govie_table_reader", config={"checks": False})
    doc = _line_doc(nlp, text)
    assert doc.text == text
    doc.ents = [doc.char_span(0, 2, label="ORG")]
    doc = nlp.get_pipe("govie_table_reader")(doc)
    assert ("前言", "ORG") in [(e.text, e.label_) for e in doc.ents]
    assert [e.text for e in doc.ents if e.label_ == "QUANTITY"] == ["1", "0", "5"]
    assert "规章" in [e.text for e in doc.ents if e.label_ == "METRIC"]
    assert {doc._.indicator_ids[k] for k in doc._.indicator_ids} >= {"t2.rules.issued", "t2.rules.in_force"}


T3_HEAD = "申请人情况\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n"
T3_ROWS = "一、本年新收政府信息公开申请数量\t3\t0\t0\t0\t1\t0\t4\n二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1\n"


def test_declared_assigns_are_what_the_component_writes(rules_nlp):
    meta = rules_nlp.get_pipe_meta("govie_table_reader")
    assert set(meta.assigns) == {"doc.ents", "doc._.quantity_info", "doc._.relations", "doc._.indicator_ids",
                                 "doc.user_data"}
    assert meta.requires == ["doc.ents", "doc._.quantity_info"] and meta.retokenizes
    # in the rule pipeline govie_quantities provides what the reader requires: no problem reported
    assert rules_nlp.analyze_pipes(pretty=False)["problems"]["govie_table_reader"] == []
    text = "三、收到和处理政府信息公开申请情况\n" + T3_HEAD + T3_ROWS
    nlp = spacy.blank("zh")
    nlp.add_pipe("govie_table_reader")
    doc = nlp.make_doc(text)
    before = {name: repr(getattr(doc._, name)) for name in ("quantity_info", "relations", "indicator_ids")}
    ents_before = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    doc = nlp.get_pipe("govie_table_reader")(doc)
    # every declared attribute is written
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] != ents_before
    assert {e.label_ for e in doc.ents} == {"QUANTITY", "METRIC"}
    for name in before:
        assert repr(getattr(doc._, name)) != before[name], name
    assert doc._.indicator_ids[f"{text.index(chr(9) + '4') + 1}:{text.index(chr(9) + '4') + 2}"] == "t3.new.total"
    assert {r[4] for r in doc._.relations} == {"VALUE_OF"}
    assert doc.user_data["govie_meta"]["tables"][0]["kind"] == "t3"


def test_a_table_of_contents_is_no_table_heading():
    # the headings listed in a table of contents are not followed by the table's words: the reader
    # places 表三 at the heading the table follows
    toc = "目录\n一、总体情况\n三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题\n"
    body = "一、总体情况\n" + "本机关认真贯彻落实政府信息公开条例。" * 40 + "\n三、收到和处理政府信息公开申请情况\n"
    text = toc + body + T3_HEAD + T3_ROWS
    from govie.tables import read_tables

    tables = read_tables(text)
    assert [t.kind for t in tables] == ["t3"]
    got = {c.indicator_id: c.value for c in tables[0].cells}
    assert got["t3.new.total"] == 4 and got["t3.carried_over.natural_person"] == 1
    assert tables[0].start > len(toc)


def test_a_row_label_mentioned_in_prose_is_not_the_row():
    # the label's first occurrence is prose; the row is the occurrence followed by a run of cells
    prose = "本年新收政府信息公开申请数量较上年有所增加。\n"
    text = "三、收到和处理政府信息公开申请情况\n" + prose + T3_HEAD + T3_ROWS
    from govie.tables import read_tables

    cells = {c.indicator_id: c for t in read_tables(text) for c in t.cells}
    label, header = cells["t3.new.total"].metrics
    assert label[0] > text.index(T3_HEAD) and text[label[0]:label[1]] == "本年新收政府信息公开申请数量"
    # the header row stands between the heading and the first row: its 总计 names the last column
    assert header == (text.index("总计"), text.index("总计") + 2)
