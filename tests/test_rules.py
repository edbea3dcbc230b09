"""The rule linker's METRIC phrases (the baseline, and the fallback of the shipped pipeline)."""
from __future__ import annotations

import pytest

from govie.pipeline.quantities import find_quantities
from govie.pipeline.rule_linker import link_quantities


def metrics_of(text: str) -> dict[str, list[str]]:
    links = link_quantities(text, find_quantities(text))
    out: dict[str, list[str]] = {}
    for link in links:
        out.setdefault(link.quantity.text, []).append(link.metric.text)
    return out


@pytest.mark.parametrize("text, quantity, metric", [
    ("（二）公开情况 2015年新增公开文件38件。", "38件", "新增公开文件"),
    ("2016年度受理依申请公开12件。", "12件", "受理依申请公开"),
    ("（一）主要内容\n2019年主动公开政府信息420条。", "420条", "主动公开政府信息"),
    ("全年结转至2021年办理3件。", "3件", "结转至2021年办理"),
])
def test_metric_never_opens_with_a_year(text, quantity, metric):
    assert metrics_of(text)[quantity] == [metric]


def test_heading_and_year_before_a_figure_are_no_metric():
    # the indicator (来访) follows the figure: the heading before it is not the METRIC
    assert "300人次" not in metrics_of("（四）来访情况 2016年约有300人次来访。")


def test_share_after_a_count_measures_the_same_indicator():
    m = metrics_of("电话咨询3200人次，占65.31%；各乡镇主动公开政府信息122条，占28.7%。")
    assert m["65.31%"] == ["电话咨询"]
    assert m["28.7%"] == m["122条"] == ["各乡镇主动公开政府信息"]
    # a percentage with its own indicator keeps it
    assert metrics_of("受理申请40件，办结率98%。")["98%"] == ["办结率"]


def test_rule_linker_proposes_once_and_rule_relations_accept(rules_nlp):
    """The rule linker writes only its proposals; govie_rule_relations (the rule baseline) makes them
    relations and METRIC entities; a share after a count proposes the count's indicator."""
    text = "其中现场咨询1600人次，占32.65%；"
    doc = rules_nlp.make_doc(text)
    for name, proc in rules_nlp.pipeline:
        doc = proc(doc)
        if name == "govie_rule_linker":
            assert doc._.relations == [] and not [e for e in doc.ents if e.label_ == "METRIC"]
            proposed = {(text[p[0]:p[1]], text[p[2]:p[3]]) for p in doc._.link_proposals["VALUE_OF"]}
            assert proposed == {("1600人次", "现场咨询"), ("32.65%", "现场咨询")}
    rels = {(text[r[0]:r[1]], text[r[2]:r[3]]) for r in doc._.relations}
    assert rels == {("1600人次", "现场咨询"), ("32.65%", "现场咨询")}
    assert [e.text for e in doc.ents if e.label_ == "METRIC"] == ["现场咨询"]


def test_accept_only_the_given_quantities_and_keeps_table_links(rules_nlp):
    from govie.pipeline.rule_linker import accept, propose

    text = "主动公开政府信息122条，其中网站公开98条。"
    doc = rules_nlp.make_doc(text)
    doc = rules_nlp.get_pipe("govie_quantities")(doc)
    table = (8, 12, 0, 8, "VALUE_OF", 1.0)  # as if a table reader linked 122条
    doc.ents = list(doc.ents) + [doc.char_span(0, 8, label="METRIC")]
    doc._.relations = [table]
    proposals = propose(doc)
    assert [text[p[0]:p[1]] for p in proposals["VALUE_OF"]] == ["98条"]  # linked quantities get none
    accept(doc, {"VALUE_OF": [[19, 22, 15, 19]], "PART_OF": [[15, 19, 0, 8]]}, quantities=set())
    assert doc._.relations == [table]  # nothing asked for
    accept(doc, {"VALUE_OF": [[19, 22, 15, 19]], "PART_OF": []}, quantities={(19, 22)})
    assert doc._.relations == [table, (19, 22, 15, 19, "VALUE_OF", 1.0)]
    assert {e.text for e in doc.ents if e.label_ == "METRIC"} == {"主动公开政府信息", "网站公开"}


def test_an_enumeration_before_a_figure_is_one_metric_unless_the_figure_is_shared():
    text = "发布重点建设项目审批、核准、报表等文件70余条，办理复文率、公开率均达100%。"
    m = metrics_of(text)
    assert m["70余条"] == ["发布重点建设项目审批、核准、报表等文件"]
    assert sorted(m["100%"]) == ["公开率", "办理复文率"]


@pytest.mark.parametrize("span, metric", [
    (";土地交易公告", "土地交易公告"), ("公开提案议案信息约", "公开提案议案信息"),
    ("报送专报、周报、季报合计", "报送专报、周报、季报"), ("主动公开政府信息", "主动公开政府信息"),
])
def test_trim_metric_drops_edges_the_guidelines_leave_out(span, metric):
    from govie.pipeline.rule_linker import trim_metric

    start, end = trim_metric(span, 0, len(span))
    assert span[start:end] == metric


def test_metric_bounds_component_trims_ner_spans(rules_nlp):
    text = "全市公开提案议案信息约120条；土地交易公告70件"
    doc = rules_nlp.make_doc(text)
    doc.ents = [doc.char_span(2, 11, label="METRIC"), doc.char_span(15, 22, label="METRIC")]
    doc = rules_nlp.create_pipe("govie_metric_bounds")(doc)
    assert [e.text for e in doc.ents] == ["公开提案议案信息", "土地交易公告"]


def part_of(text: str) -> set[tuple[str, str]]:
    from govie.pipeline.rule_linker import part_of_links

    return {(c.text, p.text) for c, p in part_of_links(text, link_quantities(text, find_quantities(text)))}


@pytest.mark.parametrize("cue", ["其中", "分别为", "包括"])
def test_breakdown_cues_make_part_of(cue):
    """Each cue of a breakdown after a total (#13: dropping 其中 from the cues passed the suite)."""
    text = f"共受理依申请公开169件，{cue}当面申请34件、网络申请135件。"
    assert ("当面申请", "受理依申请公开") in part_of(text)


def test_no_part_of_without_a_cue():
    assert part_of("共受理依申请公开169件，当面申请34件。") == set()


# --------------------------------------------------------------------------- lexicons, one case per word (#13)
# The words are the guidelines' linking, scope and subject words (ANNOTATION.md, "Narrative figures"),
# written out here: a METRIC never starts with them.
LEADING_WORDS = [
    "其中", "包括", "此外", "另外", "同时", "共计", "合计", "总计", "累计", "共", "计", "全年", "今年", "本年度", "本年",
    "年度内", "当年", "去年", "上年", "全市", "全区", "全县", "全省", "全州", "全镇", "全局", "全委", "全办", "我市",
    "我区", "我县", "我省", "我局", "我委", "我办", "我镇", "我中心", "本机关", "本单位", "本部门", "市政府", "区政府",
    "县政府", "各级", "各地", "各部门", "各单位", "先后", "分别为", "分别是", "分别", "目前", "现有", "已经", "已", "均",
    "并", "还", "又", "再", "也", "通过", "一是",
]


@pytest.mark.parametrize("word", LEADING_WORDS)
def test_a_leading_linking_or_scope_word_is_not_part_of_the_metric(word):
    text = f"{word}政府网站发布信息57条。"
    assert metrics_of(text) == {"57条": ["政府网站发布信息"]}, text


@pytest.mark.parametrize("before", ["", "上文。", "上文\n"])
@pytest.mark.parametrize("span, metric", [("（三）土地交易公告", "土地交易公告"), ("2、土地交易公告", "土地交易公告"),
                                          ("上年结转政府信息公开申请", "上年结转政府信息公开申请")])
def test_trim_metric_peels_a_list_marker_wherever_the_span_starts(before, span, metric):
    # (its pattern was anchored with ^ at the start of the whole text: a span further on kept the marker;
    # the scope and subject words of the rule linker's list stay, 上年结转… is an indicator of its own)
    from govie.pipeline.rule_linker import trim_metric

    text = before + span + "12条"
    start, end = trim_metric(text, len(before), len(before) + len(span))
    assert text[start:end] == metric


def test_a_label_line_above_loses_its_list_marker():
    assert metrics_of("主动公开情况\n（三）主动公开政府信息数\n35\n") == {"35": ["主动公开政府信息数"]}


@pytest.mark.parametrize("span", ["（三）土地交易公告", "（2）土地交易公告", "2、土地交易公告", "2 .土地交易公告", "12．土地交易公告"])
def test_trim_metric_drops_a_list_marker(span):
    from govie.pipeline.rule_linker import trim_metric

    start, end = trim_metric(span, 0, len(span))
    assert span[start:end] == "土地交易公告"


# words between an indicator and its figure (ANNOTATION.md: 共, 累计, 合计, 达, 达到, 为, 超过, 约, 近, 已 ...)
TRAILING_WORDS = [
    "共计", "合计", "总计", "累计", "总数为", "数量为", "总量为", "数为", "达到", "多达", "达", "为", "是", "有", "约",
    "近", "超过", "逾", "计", "共", "均", "都", "各", "分别为", "分别", "占比", "占", "同比", "增长", "下降", "以上",
    "高达", "仅", "不足", "已", "了", "比例为", "比例",
]


@pytest.mark.parametrize("word", TRAILING_WORDS)
def test_a_linking_word_before_the_figure_is_not_part_of_the_metric(word):
    text = f"政府网站发布信息{word}57条。"
    assert metrics_of(text) == {"57条": ["政府网站发布信息"]}, text


def test_head_count_and_rate_words():
    assert metrics_of("参加培训人数为57人。") == {"57人": ["参加培训"]}
    # a rate is the indicator itself: only the linking verb goes (办结率98% and 办结率为98% alike)
    assert metrics_of("办结率为98%。") == {"98%": ["办结率"]}


# verbs that define the indicator (ANNOTATION.md: 受理, 办结, 答复, 公开, 召开, 举办, 回应, 清理 ...): a subject
# before 共/累计/合计/总计 + verb is not part of the METRIC (我局共主动公开政府信息 → 主动公开政府信息)
VERB_PHRASES = [
    ("主动公开政府信息", "条"), ("公开文件", "件"), ("发布政务微博", "条"), ("公布办事指南", "份"), ("受理申请", "件"),
    ("办结申请", "件"), ("答复申请", "件"), ("收到来信", "件"), ("接收来信", "件"), ("召开新闻发布会", "场"),
    ("举办培训班", "期"), ("回应关切", "次"), ("清理规范性文件", "件"), ("推送信息", "条"), ("办理建议提案", "件"),
    ("处理投诉", "件"), ("开展培训", "次"), ("组织培训", "次"), ("培训工作人员", "人次"), ("接待来访群众", "人次"),
    ("制发文件", "件"), ("印发文件", "件"), ("编印公开指南", "份"), ("报送信息", "条"), ("更新信息", "条"),
    ("整改问题", "个"), ("完成整改", "项"), ("新增信息", "条"), ("上传信息", "条"), ("录入信息", "条"),
]


@pytest.mark.parametrize("adverb", ["共计", "累计", "合计", "总计", "共"])
@pytest.mark.parametrize("phrase, unit", VERB_PHRASES)
def test_the_subject_before_an_adverb_and_verb_is_not_part_of_the_metric(adverb, phrase, unit):
    text = f"县档案馆{adverb}{phrase}57{unit}。"
    assert metrics_of(text) == {f"57{unit}": [phrase]}, text


@pytest.mark.parametrize("shared", ["均", "都", "分别", "各"])
def test_words_that_share_a_figure_give_one_metric_per_item(shared):
    # ANNOTATION.md: one figure, one METRIC, unless the text shares the figure (均, 分别, 各, ...)
    text = f"办理复文率、公开率{shared}达100%。"
    assert sorted(metrics_of(text)["100%"]) == ["公开率", "办理复文率"], text


# --------------------------------------------------------------------------- mutation survivors (#13)
def test_a_share_after_an_approximate_zhan_measures_the_count_before_it():
    # 占约 is one of the linking words between a count and its share (约 in _SHARE_OF_PREVIOUS)
    assert metrics_of("各乡镇主动公开政府信息122条，占约28.7%。") == {
        "122条": ["各乡镇主动公开政府信息"], "28.7%": ["各乡镇主动公开政府信息"]}


@pytest.mark.parametrize("between", ["占总体比例的", "占总体的比例为", "占总数的", "占全部的比重为", "占比", "占总量的"])
def test_a_share_worded_with_its_whole_measures_the_count_before_it(between):
    # 占总体比例的15.79%: the words naming the whole (总体, 比例) are no METRIC of their own
    assert metrics_of(f"机构职能类信息3条，{between}15.79%。") == {
        "3条": ["机构职能类信息"], "15.79%": ["机构职能类信息"]}


def test_a_share_of_a_named_whole_is_not_taken_for_the_count_before_it():
    # 占全市申请总数的: the whole is named, so the figure is not read as a share of the count before it
    assert metrics_of("当面申请3件，占全市申请总数的20%。")["20%"] != ["当面申请"]


def test_a_cell_on_its_own_line_takes_the_label_line_above():
    assert metrics_of("主动公开政府信息数\n35\n") == {"35": ["主动公开政府信息数"]}


def test_a_cell_glued_to_its_label_is_not_read_as_a_cell_on_its_own_line():
    assert metrics_of("依申请公开信息数46条，不予公开信息数1402。") == {
        "46条": ["依申请公开信息数"], "1402": ["不予公开信息数"]}


def test_a_label_line_that_is_only_qizhong_gives_no_metric():
    # nothing is left of 其中： once the lead word is peeled off: no link, never an empty METRIC
    assert metrics_of("其中：\n35\n") == {}
    links = link_quantities("主动公开\n其中：\n35\n", find_quantities("主动公开\n其中：\n35\n"))
    assert all(link.metric.text for link in links)
