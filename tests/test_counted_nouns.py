"""``govie_counted_nouns`` (issue #17): in ``number + measure word + noun`` the noun is what was counted
(ANNOTATION.md, narrative METRIC bounds). Synthetic sentences only."""
import re

import pytest
import spacy

import govie
from govie.pipeline.counted_nouns import COUNTED_NOUNS_CONFIG, CountedNouns

_FIGURE = re.compile(r"[0-9一二三四五六七八九十]+\s*[\u4e00-\u9fff%]")


@pytest.fixture(scope="module")
def rules_nlp():
    return govie.build_rule_pipeline()


@pytest.fixture(scope="module")
def counted(rules_nlp):
    return CountedNouns(rules_nlp, "c", **COUNTED_NOUNS_CONFIG)


def noun_after_first_figure(counted, text):
    span = counted.noun_span(text, _FIGURE.search(text).end())
    return None if span is None else text[span[0]:span[1]]


NOUNS = [
    ("the noun after the measure word", "成立8个联络服务组，每月检查", "联络服务组"),
    ("a number ends it: the next figure", "对接16个部门25个业务系统", "部门"),
    ("的 ends it", "明确32个相关部门的责任清单", "相关部门"),
    ("a modifier stays outside", "设有1个专门的信息申请受理点，", "信息申请受理点"),
    ("a bracket closed soon stays", "全市11个镇(街道)152个村", "镇(街道)"),
    ("a quote that opens the noun stays", "成立8个“政务公开”联络组，", "“政务公开”联络组"),
    ("a quote after its start ends it", "实现3项高频登记业务“秒批”", "高频登记业务"),
    ("a PDF line break inside the phrase", "配备4 名政府信\n息公开全职工作人员,", "政府信\n息公开全职工作人员"),
    ("max_chars", "公开5个" + "甲" * 40, "甲" * COUNTED_NOUNS_CONFIG["max_chars"]),
]


@pytest.mark.parametrize("why,text,noun", NOUNS, ids=[c[0] for c in NOUNS])
def test_the_noun_after_a_measure_word(counted, why, text, noun) -> None:
    assert noun_after_first_figure(counted, text) == noun


NOT_NOUNS = [
    ("a change", "功能版块由8个增加到16个"),
    ("a bound", "新增5家以上"),
    ("a time", "在3个工作日内答复"),
    ("a share", "其中2个占总数"),
    ("a unit after the measure word", "共计十一大类条"),
    ("punctuation", "受理申请5个，"),
    ("条 is no measure word here: lists run together put the noun before it", "概况类信息348条政务要闻"),
    ("percent", "办结率100%以上"),
]


@pytest.mark.parametrize("why,text", NOT_NOUNS, ids=[c[0] for c in NOT_NOUNS])
def test_no_noun_after_the_figure(counted, why, text) -> None:
    assert noun_after_first_figure(counted, text) is None


def _doc(nlp, text, ents, rels):
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(text.index(t), text.index(t) + len(t), label=label) for t, label in ents]
    doc._.relations = rels
    return doc


def _rels(doc):
    text = doc.text
    return sorted((text[r[0]:r[1]], text[r[2]:r[3]], r[4]) for r in doc._.relations)


def test_a_figure_linked_to_the_verb_before_moves_to_the_noun_after(rules_nlp, counted) -> None:
    text = "今年成立8个联络服务组，每月检查。"
    doc = _doc(rules_nlp, text, [("成立", "METRIC"), ("8个", "QUANTITY")], [(4, 6, 2, 4, "VALUE_OF", 0.8)])
    doc = counted(doc)
    assert _rels(doc) == [("8个", "联络服务组", "VALUE_OF")]
    assert [(e.text, e.label_) for e in doc.ents] == [("成立", "METRIC"), ("8个", "QUANTITY"),
                                                      ("联络服务组", "METRIC")]
    assert doc._.relations[0][5] == 0.8  # the relation keeps its score


def test_the_ner_metric_after_the_figure_is_taken_as_it_is(rules_nlp, counted) -> None:
    text = "共梳理出4个片区权责清单事项。"
    doc = _doc(rules_nlp, text, [("梳理出", "METRIC"), ("4个", "QUANTITY"), ("片区权责清单事项", "METRIC")],
               [(4, 6, 1, 4, "VALUE_OF", 0.9)])
    assert _rels(counted(doc)) == [("4个", "片区权责清单事项", "VALUE_OF")]


def test_an_unlinked_figure_takes_the_noun(rules_nlp, counted) -> None:
    text = "全市33个相关部门的责任清单已公开。"
    doc = _doc(rules_nlp, text, [("33个", "QUANTITY")], [])
    assert _rels(counted(doc)) == [("33个", "相关部门", "VALUE_OF")]


def test_a_figure_linked_after_it_keeps_its_links(rules_nlp, counted) -> None:
    text = "组织26家政府部门、15个街道开展培训。"
    doc = _doc(rules_nlp, text, [("组织", "METRIC"), ("26家", "QUANTITY"), ("政府部门", "METRIC")],
               [(2, 5, 0, 2, "VALUE_OF", 0.6), (2, 5, 5, 9, "VALUE_OF", 0.9)])
    assert _rels(counted(doc)) == [("26家", "政府部门", "VALUE_OF"), ("26家", "组织", "VALUE_OF")]


def test_a_figure_followed_by_no_noun_keeps_its_links(rules_nlp, counted) -> None:
    text = "功能版块由8个增加到16个。"
    doc = _doc(rules_nlp, text, [("功能版块", "METRIC"), ("8个", "QUANTITY")], [(5, 7, 0, 4, "VALUE_OF", 0.9)])
    assert _rels(counted(doc)) == [("8个", "功能版块", "VALUE_OF")]


def test_the_part_of_of_a_metric_left_without_figure_moves_with_it(rules_nlp, counted) -> None:
    text = "受理申请5件，其中1起因变更移送。"
    ents = [("受理申请", "METRIC"), ("5件", "QUANTITY"), ("其中", "METRIC"), ("1起", "QUANTITY")]
    doc = _doc(rules_nlp, text, ents, [(4, 6, 0, 4, "VALUE_OF", 0.9), (9, 11, 7, 9, "VALUE_OF", 0.7),
                                       (7, 9, 0, 4, "PART_OF", 0.8)])
    assert _rels(counted(doc)) == [("1起", "因变更移送", "VALUE_OF"), ("5件", "受理申请", "VALUE_OF"),
                                   ("因变更移送", "受理申请", "PART_OF")]


def test_a_one_character_word_before_a_metric_in_use_leads_to_that_metric(rules_nlp, counted) -> None:
    # 1起因变更被告…: the noun after 起 would be 因 alone; the METRIC a relation uses right after it is taken
    text = "提起行政诉讼2起，其中1起因变更被告移送。"
    ents = [("提起行政诉讼", "METRIC"), ("2起", "QUANTITY"), ("1起", "QUANTITY"), ("变更被告", "METRIC")]
    doc = _doc(rules_nlp, text, ents, [(6, 8, 0, 6, "VALUE_OF", 0.9), (11, 13, 0, 6, "VALUE_OF", 0.6),
                                       (14, 18, 0, 6, "PART_OF", 0.8)])
    assert ("1起", "变更被告", "VALUE_OF") in _rels(counted(doc))


def test_a_new_metric_stops_before_an_entity_a_relation_uses(rules_nlp, counted) -> None:
    text = "发布2家挂牌单位受理申请5件。"
    ents = [("发布", "METRIC"), ("2家", "QUANTITY"), ("受理申请", "METRIC"), ("5件", "QUANTITY")]
    doc = _doc(rules_nlp, text, ents, [(2, 4, 0, 2, "VALUE_OF", 0.9), (12, 14, 8, 12, "VALUE_OF", 0.9)])
    assert _rels(counted(doc)) == [("2家", "挂牌单位", "VALUE_OF"), ("5件", "受理申请", "VALUE_OF")]


def test_the_config_sets_the_measure_words(rules_nlp) -> None:
    nlp = spacy.blank("zh")
    only_jia = nlp.add_pipe("govie_counted_nouns", config={"classifiers": ["家"]})
    assert only_jia.noun_span("成立8个联络组", 4) is None
    assert only_jia.noun_span("组织2家单位", 4) == (4, 6)
    assert nlp.config["components"]["govie_counted_nouns"]["classifiers"] == ["家"]


@pytest.mark.parametrize("load", [govie.load, govie.build_rule_pipeline], ids=["shipped", "rules"])
def test_both_pipelines_run_it_between_the_linkers_and_the_final_bounds(load) -> None:
    names = load().pipe_names
    assert names.index("govie_counted_nouns") < names.index("govie_metric_bounds_final")
    assert names.index("govie_counted_nouns") > names.index("govie_rule_linker")


PARSED = [
    ("成立8个“政务公开”联络服务组，每月开展一次检查。", "8个", "“政务公开”联络服务组"),
    ("全年完成对接市场监管、税务等16个部门25个业务系统。", "16个", "部门"),
    ("全年完成对接市场监管、税务等16个部门25个业务系统。", "25个", "业务系统"),
    ("我区共梳理出4个片区权责清单，公开办事指南12项。", "4个", "片区权责清单"),
    ("设有1个专门的信息申请受理点，1个电子阅览点。", "1个", "信息申请受理点"),
]


@pytest.mark.parametrize("load", [govie.load, govie.build_rule_pipeline], ids=["shipped", "rules"])
@pytest.mark.parametrize("text,figure,indicator", PARSED)
def test_parse_links_the_figure_to_the_noun_after_it(load, text, figure, indicator) -> None:
    facts = govie.parse(text, nlp=load()).facts
    assert indicator in [f.indicator for f in facts if f.quantity.text == figure]
