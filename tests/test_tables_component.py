"""The ``govie_table_reader`` component: token boundaries through ``tokenizer.split_at``, what it
declares (``assigns``/``requires``) against what it writes, and its vocabulary in the config."""
import spacy

import govie  # noqa: F401  (registers the factories)
from govie.tokenizer import split_at


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
