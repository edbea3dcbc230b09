"""``govie_metric_bounds`` (issue #17): narrative METRIC bounds of ANNOTATION.md, one case per class.
Synthetic sentences only."""
import pytest
import spacy

from govie.pipeline import extensions
from govie.pipeline.metric_bounds import METRIC_BOUNDS_CONFIG, MetricBounds


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("zh")


@pytest.fixture(scope="module")
def bounds(nlp):
    return MetricBounds(nlp, "b", **METRIC_BOUNDS_CONFIG).bounds


def trimmed(bounds, text):
    s, e = bounds(text, 0, len(text))
    return text[s:e]


BOUNDS = [
    # a channel before the verb that defines the indicator stays outside
    ("channel", "在区政府网站主动公开信息", "主动公开信息"),
    ("channel, 通过", "通过门户网站发布信息", "发布信息"),
    # ... and a verb inside the channel's name (信息公开网, 信息公开目录) is not the defining verb
    ("verb inside the channel's name", "在区政府信息公开网主动公开政府信息", "主动公开政府信息"),
    ("verb inside the channel's name, 目录", "通过部门信息公开目录发布政府信息", "发布政府信息"),
    # ... but with no object after the verb the channel is the indicator (a breakdown by channel)
    ("channel without object", "通过网站公开", "网站公开"),
    # ... with a qualifier before its opener (主动通过…), and a scope (围绕…) as a channel
    ("qualifier before the channel", "主动通过市人民政府网站发布政务信息", "发布政务信息"),
    ("scope before the verb", "围绕环境保护等重点领域公开政府信息", "公开政府信息"),
    # ... but a quoted name is what distinguishes the indicator: only the linking word goes
    ("quoted channel", "通过“两微一端”公开信息", "“两微一端”公开信息"),
    # linking and qualifier words at the start
    ("leading 作为", "作为依申请公开件", "依申请公开件"),
    ("leading 来自", "来自法人申请", "法人申请"),
    ("leading qualifier", "专门的查阅点", "查阅点"),
    ("leading linking word", "共受理依申请公开", "受理依申请公开"),
    ("leading scope word", "当年发布政府信息", "发布政府信息"),
    ("keep 共性", "共性权力事项", "共性权力事项"),
    # a word that starts like a linking word and belongs to the indicator
    ("keep 在线", "在线访谈", "在线访谈"),
    # words at the end
    ("trailing 等", "市长信箱、热线电话等", "市长信箱、热线电话"),
    ("trailing 的", "不予公开的", "不予公开"),
    ("trailing change", "办理时限压缩", "办理时限"),
    ("trailing 提高至", "报销比例提高至", "报销比例"),
    ("trailing 超", "注册用户超", "注册用户"),
    ("trailing year", "网站访问量由2019年", "网站访问量"),
    ("trailing 从 (a change from one figure to another)", "平均等候时长从", "平均等候时长"),
    ("trailing conjunction", "专职工作人员和", "专职工作人员"),
    ("trailing share word (占比 shares)", "主动公开信息占", "主动公开信息"),
    ("trailing qualifier (trim_metric)", "公开提案信息约", "公开提案信息"),
    ("punctuation (trim_metric)", "；土地交易公告", "土地交易公告"),
    # a PDF line break inside the phrase does not end it
    ("line break inside", "受理政府\n信息公开申请", "受理政府\n信息公开申请"),
    # the body that did it, before the verb that defines the indicator, stays outside
    ("subject before the verb", "区城市管理局主动公开政府信息", "主动公开政府信息"),
    ("subject 本单位", "本单位制作政府信息总数", "制作政府信息总数"),
    # ... but a bare body word is part of the phrase, and with no defining verb after it the body stays
    ("body word alone", "政府公开信息", "政府公开信息"),
    ("body without a verb", "区财政局年度报告", "区财政局年度报告"),
    # a scope word inside: what comes before it is a heading or context glued on (ANNOTATION.md: 全年 stays out)
    ("scope word inside", "主动公开情况全年政府信息主动公开", "政府信息主动公开"),
    ("scope word 今年", "工作概况今年受理申请", "受理申请"),
    # never empty
    ("only a linking word", "的", "的"),
]


def test_a_body_after_a_breakdown_cue_names_the_part(bounds):
    # 其中乡镇人民政府…, 市政府有关部门…: a breakdown by body, each part keeps its body
    text = "全市主动公开信息8052条。其中,乡镇人民政府主动公开政府信息1383条,市政府有关部门主动公开政府信息6669条。"
    for part in ("乡镇人民政府主动公开政府信息", "市政府有关部门主动公开政府信息"):
        s = text.index(part)
        assert bounds(text, s, s + len(part)) == (s, s + len(part)), part
    # in the next sentence, with no cue, the body goes again
    text2 = text + "区城市管理局主动公开政府信息744条。"
    s = text2.index("区城市管理局")
    assert text2[slice(*bounds(text2, s, len(text2) - 5))] == "主动公开政府信息"


SPAN_STARTS = [
    # the NER's METRIC starts inside a channel its clause opened before it: the channel stays outside
    ("inside the channel's name", "我镇通过区政府信息公开系统主动公开政府信息", "公开系统", "主动公开政府信息"),
    ("inside the opener", "市政府办公厅通过青岛政务网部门信息公开目录发布政府信息", "过青岛", "发布政府信息"),
    ("inside a name after its first word", "通过微信公众号公开工作动态", "公众号", "公开工作动态"),
    # the name right after its opener (通过 left out by the NER): a breakdown by channel keeps it
    ("the name after its opener", "通过政务微博公开政府信息", "政务微博", "政务微博公开政府信息"),
    # right after the channel's name: the span starts at its verb, whatever the verb
    ("after the name", "全年通过政府门户网站回应依申请公开信息", "回应", "回应依申请公开信息"),
    # a qualifier before the verb is the verb's (主动公布), not the channel's
    ("a qualifier of the verb", "在政府网站和县民政局网站主动公布低保对象信息", "主动公布", "主动公布低保对象信息"),
    # the opener is in the clause before: the span's own words stay
    ("another clause's opener", "通过网站,信息公开目录发布政府信息", "信息公开目录", "信息公开目录发布政府信息"),
]


@pytest.mark.parametrize("cls,text,start,expected", SPAN_STARTS, ids=[c[0] for c in SPAN_STARTS])
def test_a_channel_before_the_span(bounds, cls, text, start, expected):
    s = text.index(start)
    assert text[slice(*bounds(text, s, len(text)))] == expected


def test_subject_words_come_from_the_config(nlp):
    text = "区城市管理局主动公开政府信息"
    off = MetricBounds(nlp, "b", **{**METRIC_BOUNDS_CONFIG, "subject_suffixes": []})
    assert off.bounds(text, 0, len(text)) == (0, len(text))


@pytest.mark.parametrize("cls,text,expected", BOUNDS, ids=[b[0] for b in BOUNDS])
def test_bounds(bounds, cls, text, expected):
    assert trimmed(bounds, text) == expected


def test_word_lists_are_config(nlp):
    plain = MetricBounds(nlp, "b", **{**METRIC_BOUNDS_CONFIG, "leading": [], "channel_openers": []})
    assert plain.bounds("作为依申请公开件", 0, 8) == (0, 8)
    # a pipeline's config replaces a list of the factory's default_config
    comp = spacy.blank("zh").add_pipe("govie_metric_bounds", config={"trailing": ["完毕"]})
    assert trimmed(comp.bounds, "主动公开信息完毕") == "主动公开信息"
    assert trimmed(comp.bounds, "不予公开的") == "不予公开的"
    assert trimmed(comp.bounds, "作为依申请公开件") == "依申请公开件"  # the other lists stay


def _doc(nlp, text, ents, rels, tables=()):
    doc = nlp.make_doc(text)
    extensions.init_doc(doc)
    doc.set_ents([doc.char_span(s, e, label=lab) for s, e, lab in ents])
    doc._.relations = list(rels)
    if tables:
        doc.user_data["govie_meta"] = {"tables": [{"kind": "x", "start": s, "end": e, "cells": 1} for s, e in tables]}
    return doc


def test_relations_follow_their_metric(nlp):
    text = "通过门户网站发布信息12条。"
    comp = MetricBounds(nlp, "b", **METRIC_BOUNDS_CONFIG, relations=True)
    doc = comp(_doc(nlp, text, [(0, 10, "METRIC"), (10, 13, "QUANTITY")], [(10, 13, 0, 10, "VALUE_OF", 0.9)]))
    assert [(e.text, e.label_) for e in doc.ents] == [("发布信息", "METRIC"), ("12条", "QUANTITY")]
    assert doc._.relations == [(10, 13, 6, 10, "VALUE_OF", 0.9)]


def _at(text, part):
    i = text.index(part)
    return i, i + len(part)


def test_a_metric_stops_at_a_sentence_end_on_its_figure_side(nlp):
    comp = MetricBounds(nlp, "b", **METRIC_BOUNDS_CONFIG, relations=True)
    # the counted noun after the figure: 30篇 + 图文信息, not the next sentence
    text = "推送30篇图文信息。三是加强培训"
    q, m = _at(text, "30篇"), _at(text, "图文信息。三是加强")
    doc = comp(_doc(nlp, text, [q + ("QUANTITY",), m + ("METRIC",)], [q + m + ("VALUE_OF", 1.0)]))
    assert [e.text for e in doc.ents if e.label_ == "METRIC"] == ["图文信息"]
    # the figure after: the piece of its own sentence
    text = "做好工作。新增主动公开信息20条"
    q, m = _at(text, "20条"), _at(text, "工作。新增主动公开信息")
    doc = comp(_doc(nlp, text, [m + ("METRIC",), q + ("QUANTITY",)], [q + m + ("VALUE_OF", 1.0)]))
    assert [e.text for e in doc.ents if e.label_ == "METRIC"] == ["新增主动公开信息"]


def test_table_labels_keep_their_bounds(nlp):
    comp = MetricBounds(nlp, "b", **METRIC_BOUNDS_CONFIG, relations=True)
    text = "历年累计 0\n申请数的 5"
    # a bare cell's label, and a label inside a table region
    doc = comp(_doc(nlp, text, [(0, 4, "METRIC"), (5, 6, "QUANTITY"), (7, 11, "METRIC"), (12, 13, "QUANTITY")],
                    [(5, 6, 0, 4, "VALUE_OF", 1.0), (12, 13, 7, 11, "VALUE_OF", 1.0)], tables=[(7, 13)]))
    assert [e.text for e in doc.ents if e.label_ == "METRIC"] == ["历年累计", "申请数的"]


def test_without_relations_only_entities_move(nlp):
    comp = MetricBounds(nlp, "b", **METRIC_BOUNDS_CONFIG)
    doc = comp(_doc(nlp, "作为依申请公开件3件", [(0, 8, "METRIC"), (8, 10, "QUANTITY")], []))
    assert [e.text for e in doc.ents] == ["依申请公开件", "3件"]
    assert doc._.relations == []


@pytest.mark.parametrize("text,figure,metric,expected", [
    # number + measure word + noun: the noun is what was counted, the verb after it is not (ANNOTATION.md)
    ("全县39个乡镇设置信息联络员。", "39个", "乡镇设置信息联络员", "乡镇"),
    ("目前全市25个部门双随机抽查监管全覆盖。", "25个", "部门双随机抽查监管", "部门"),
    ("4家企业被评选为创业之星。", "4家", "企业被评选为创业之星", "企业"),
    ("全省11个市中有5个市开展了试点。", "11个", "市中有", "市"),
    # the noun alone, or a figure with no measure word: as it is
    ("配备了2名专职人员。", "2名", "专职人员", "专职人员"),
    ("主动公开政府信息12条设置专栏。", "12条", "设置专栏", "设置专栏"),
    ("建成3个服务中心。", "3个", "服务中心", "服务中心"),
    # a verb inside a name stays (政府信息公开申请受理点, 维护更新不及时的政务新媒体)
    ("设立1个政府信息公开申请受理点。", "1个", "政府信息公开申请受理点", "政府信息公开申请受理点"),
])
def test_a_noun_after_its_figure_ends_before_the_verb(nlp, text, figure, metric, expected):
    q, m = _at(text, figure), _at(text, metric)
    comp = MetricBounds(nlp, "b", **METRIC_BOUNDS_CONFIG, relations=True)
    doc = comp(_doc(nlp, text, [(*q, "QUANTITY"), (*m, "METRIC")], [(*q, *m, "VALUE_OF", 0.9)]))
    tail = doc._.relations[0][2:4]
    assert text[slice(*tail)] == expected


def test_leading_words_go_wherever_the_span_starts(bounds):
    text = "截至12月31日，市科委通过部门网站当年发布政府信息393件。"
    s = text.index("当年")
    assert text[slice(*bounds(text, s, text.index("393")))] == "发布政府信息"
