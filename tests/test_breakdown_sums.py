"""``govie_breakdown_sums`` (issue #17, PART_OF): figures that add up to an earlier figure are its breakdown,
with or without ``其中``. Synthetic sentences only."""
import pytest
import spacy

import govie
from govie.pipeline.breakdown_sums import BREAKDOWN_SUMS_CONFIG, BreakdownSums


@pytest.fixture(scope="module")
def rules_nlp():
    return govie.build_rule_pipeline()


@pytest.fixture(scope="module")
def sums(rules_nlp):
    return BreakdownSums(rules_nlp, "s", **{k: tuple(v) if isinstance(v, list) else v
                                            for k, v in BREAKDOWN_SUMS_CONFIG.items()})


def _doc(nlp, text, figures, parts=()):
    """A doc whose entities are ``figures`` (``(metric, quantity)`` pairs, each found after the pair before;
    a metric seen before is taken again) with a VALUE_OF from each quantity to its metric, and the PART_OF
    ``parts`` (metric texts)."""
    doc = nlp.make_doc(text)
    ents, rels, at, where = [], [], 0, {}
    for metric, quantity in figures:
        q = text.index(quantity, at)
        if metric not in where:
            m = text.index(metric, at)
            where[metric] = (m, m + len(metric))
            ents.append(doc.char_span(m, m + len(metric), label="METRIC"))
        m0, m1 = where[metric]
        ents.append(doc.char_span(q, q + len(quantity), label="QUANTITY"))
        rels.append((q, q + len(quantity), m0, m1, "VALUE_OF", 0.9))
        at = max(q + len(quantity), m1)
    for child, parent in parts:
        rels.append((*where[child], *where[parent], "PART_OF", 0.8))
    doc.ents = sorted(ents, key=lambda e: e.start)
    doc._.relations = rels
    return doc


def _parts(doc):
    return sorted((doc.text[r[0]:r[1]], doc.text[r[2]:r[3]]) for r in doc._.relations if r[4] == "PART_OF")


def test_a_list_that_adds_up_to_the_figure_before_it_is_its_breakdown(rules_nlp, sums) -> None:
    text = "今年我局公开278条政务信息，机构职能类信息2条，行政许可类信息3条，重大建设项目类信息252条，其他信息21条。"
    figs = [("政务信息", "278条"), ("机构职能类信息", "2条"), ("行政许可类信息", "3条"),
            ("重大建设项目类信息", "252条"), ("其他信息", "21条")]
    doc = sums(_doc(rules_nlp, text, figs))
    assert _parts(doc) == sorted((m, "政务信息") for m, _ in figs[1:])
    assert all(r[5] == 1.0 for r in doc._.relations if r[4] == "PART_OF")


#: (why, text, figures, the total's METRIC, the index of the first part): every figure from there on is a part
BREAKDOWNS = [
    ("a run after a cue may step over other figures", "办结2019件，上年结转101件。从办理结果看：予以公开589件；部分公开135件；无法提供1295件。",
     [("办结", "2019件"), ("上年结转", "101件"), ("予以公开", "589件"), ("部分公开", "135件"), ("无法提供", "1295件")],
     "办结", 2),
    ("a total can be broken down twice", "收到申请9件，其中信函申请6件，当面申请3件。从申请内容看，行政许可类5件，建设项目类2件，拆迁安置类1件，政策法规类1件。",
     [("收到申请", "9件"), ("信函申请", "6件"), ("当面申请", "3件"), ("行政许可类", "5件"), ("建设项目类", "2件"),
      ("拆迁安置类", "1件"), ("政策法规类", "1件")], "收到申请", 1),
    # 办结171件 exceeds the run, but a sentence ends before the cue: the cue opens the parts of the sum
    ("a sentence between a larger figure and the cue", "受理审批事项117件，办结171件，办结率100%。其中减免税91件，住房减免税20件，遗产继承减免税6件。",
     [("受理审批事项", "117件"), ("办结", "171件"), ("减免税", "91件"), ("住房减免税", "20件"), ("遗产继承减免税", "6件")],
     "受理审批事项", 2),
    # max_skip = 3: three figures of the unit between the total and its cued run
    ("three figures stepped over", "办结100件，上年结转1件，结转下年2件，在办3件。从办理结果看：公开60件，不公开40件。",
     [("办结", "100件"), ("上年结转", "1件"), ("结转下年", "2件"), ("在办", "3件"), ("公开", "60件"), ("不公开", "40件")],
     "办结", 4),
    # a figure between of the same value as the run is no head of it: the parts stay with the first total
    ("the same total said by another figure", "收到申请7件，及时答复7件，从申请方式看，网络申请3件，信函申请4件。",
     [("收到申请", "7件"), ("及时答复", "7件"), ("网络申请", "3件"), ("信函申请", "4件")], "收到申请", 2),
    # max_gap is counted from the total, wherever the two stand in the text
    ("far into a report", "政府信息公开工作稳步推进。" * 30 + "收到申请5件，其中当面申请3件，网络申请2件。",
     [("收到申请", "5件"), ("当面申请", "3件"), ("网络申请", "2件")], "收到申请", 1),
]


@pytest.mark.parametrize("why,text,figs,total,first", BREAKDOWNS, ids=[c[0] for c in BREAKDOWNS])
def test_breakdown(rules_nlp, sums, why, text, figs, total, first) -> None:
    assert _parts(sums(_doc(rules_nlp, text, figs))) == sorted((m, total) for m, _ in figs[first:])


NO_BREAKDOWN = [
    ("the figures do not add up", "今年我局公开278条政务信息，机构职能类信息2条，行政许可类信息3条，重大建设项目类信息250条。",
     [("政务信息", "278条"), ("机构职能类信息", "2条"), ("行政许可类信息", "3条"), ("重大建设项目类信息", "250条")]),
    ("without a cue a run starts at the total's next figure", "办结2019件，上年结转101件，予以公开589件，部分公开135件，无法提供1295件。",
     [("办结", "2019件"), ("上年结转", "101件"), ("予以公开", "589件"), ("部分公开", "135件"), ("无法提供", "1295件")]),
    ("a run stays in one sentence", "收到申请5件，当面申请3件。网络申请2件。",
     [("收到申请", "5件"), ("当面申请", "3件"), ("网络申请", "2件")]),
    ("an approximate total makes no sum", "发布政府信息490余条，其中政府规章300条，规范性文件190条。",
     [("发布政府信息", "490余条"), ("政府规章", "300条"), ("规范性文件", "190条")]),
    ("shares make no breakdown", "收到申请100%，其中信函申请60%，当面申请40%。",
     [("收到申请", "100%"), ("信函申请", "60%"), ("当面申请", "40%")]),
    ("a run further than max_gap from its total", "收到申请5件，" + "政府信息公开工作稳步推进" * 20 + "，公开3件，不公开2件。",
     [("收到申请", "5件"), ("公开", "3件"), ("不公开", "2件")]),
]


@pytest.mark.parametrize("why,text,figs", NO_BREAKDOWN, ids=[c[0] for c in NO_BREAKDOWN])
def test_no_breakdown(rules_nlp, sums, why, text, figs) -> None:
    assert _parts(sums(_doc(rules_nlp, text, figs))) == []


def test_a_part_followed_by_smaller_siblings_is_no_total(rules_nlp, sums) -> None:
    # 政策类2条 = 1 + 1 by chance: a part needs a cue before parts of its own
    text = "主动公开64条，其中政策类2条，规划类1条，财政类1条，环保类60条。"
    figs = [("主动公开", "64条"), ("政策类", "2条"), ("规划类", "1条"), ("财政类", "1条"), ("环保类", "60条")]
    assert _parts(sums(_doc(rules_nlp, text, figs))) == sorted((m, "主动公开") for m, _ in figs[1:])
    text = "主动公开64条，其中政策类2条，规划类1条，财政类1条，环保类30条。"
    assert _parts(sums(_doc(rules_nlp, text, figs[:4] + [("环保类", "30条")],
                            parts=[("政策类", "主动公开")]))) == [("政策类", "主动公开")]


def test_the_parts_follow_the_total_stated_again_nearest_them(rules_nlp, sums) -> None:
    text = "一、概述\n我办共主动公开政府信息19条，受理申请6件。\n二、主动公开情况\n我办共主动公开政府信息19条，其中全文电子化率达100%。\n在主动公开的信息中，机构职能类信息3条，业务动态类信息16条。"
    figs = [("主动公开政府信息", "19条"), ("受理申请", "6件"), ("主动公开政府信息", "19条"),
            ("机构职能类信息", "3条"), ("业务动态类信息", "16条")]
    doc = _doc(rules_nlp, text, figs[:2])
    m = text.index("主动公开政府信息", text.index("二、"))
    q = text.index("19条", m)
    doc.ents = sorted(list(doc.ents) + [doc.char_span(m, m + 8, label="METRIC"), doc.char_span(q, q + 3, label="QUANTITY")]
                      + [doc.char_span(text.index(t), text.index(t) + len(t), label=label)
                         for t, label in (("机构职能类信息", "METRIC"), ("3条", "QUANTITY"), ("业务动态类信息", "METRIC"),
                                          ("16条", "QUANTITY"))], key=lambda e: e.start)
    rels = list(doc._.relations) + [(q, q + 3, m, m + 8, "VALUE_OF", 0.9)]
    for metric, quantity in figs[3:]:
        a, b = text.index(metric), text.index(quantity, text.index(metric))
        rels.append((b, b + len(quantity), a, a + len(metric), "VALUE_OF", 0.9))
    doc._.relations = rels
    found = [(r[0], r[2]) for r in sums(doc)._.relations if r[4] == "PART_OF"]
    assert sorted(found) == [(text.index("机构职能类信息"), m), (text.index("业务动态类信息"), m)]


def test_nested_breakdowns(rules_nlp, sums) -> None:
    text = ("主动公开政府信息300条，其中，通过政府网主动公开信息140条，具体为：人大建议类信息100条、采购类信息40条；"
            "通过微信公众号发文160条。")
    figs = [("主动公开政府信息", "300条"), ("政府网主动公开信息", "140条"), ("人大建议类信息", "100条"),
            ("采购类信息", "40条"), ("微信公众号发文", "160条")]
    assert _parts(sums(_doc(rules_nlp, text, figs))) == sorted([
        ("人大建议类信息", "政府网主动公开信息"), ("微信公众号发文", "主动公开政府信息"),
        ("政府网主动公开信息", "主动公开政府信息"), ("采购类信息", "政府网主动公开信息")])


def test_a_cue_belongs_to_the_figure_right_before_it(rules_nlp, sums) -> None:
    # 统计信息3条 = 1 + 2 by chance, but the 包括 after 46条 opens the 46's (incomplete) list
    text = "其中统计信息3条、业务工作36条、其他12条，政府信息公开46条（包括机构职能1条、政策解读2条、安全生产26条）。"
    figs = [("统计信息", "3条"), ("业务工作", "36条"), ("其他", "12条"), ("政府信息公开", "46条"),
            ("机构职能", "1条"), ("政策解读", "2条"), ("安全生产", "26条")]
    assert _parts(sums(_doc(rules_nlp, text, figs))) == []


def test_a_sum_overrides_the_networks_parent(rules_nlp, sums) -> None:
    text = "主动公开政府信息300条，其中，通过政府网主动公开信息140条，具体为：人大建议类信息100条、采购类信息40条。"
    figs = [("主动公开政府信息", "300条"), ("政府网主动公开信息", "140条"), ("人大建议类信息", "100条"),
            ("采购类信息", "40条")]
    doc = _doc(rules_nlp, text, figs, parts=[("人大建议类信息", "主动公开政府信息")])
    assert _parts(sums(doc)) == [("人大建议类信息", "政府网主动公开信息"), ("采购类信息", "政府网主动公开信息")]


def test_a_part_in_the_scope_of_a_cue_after_a_figure_belongs_to_that_figure(rules_nlp, sums) -> None:
    # the figures do not add up (122 ≠ 74 + 46 − 2): the cue decides
    text = ("共公开各类政务信息122条，其中政务公开专栏74条（包括公开指南1条、信息公开年报1条、财政信息11条），"
            "政府信息公开46条（包括政策解读2条、安全生产26条）。")
    figs = [("公开各类政务信息", "122条"), ("政务公开专栏", "74条"), ("公开指南", "1条"), ("信息公开年报", "1条"),
            ("财政信息", "11条"), ("政府信息公开", "46条"), ("政策解读", "2条"), ("安全生产", "26条")]
    top = [("政务公开专栏", "公开各类政务信息"), ("政府信息公开", "公开各类政务信息")]
    network = top + [(m, "公开各类政务信息") for m, _ in figs[2:5] + figs[6:]]
    doc = sums(_doc(rules_nlp, text, figs, parts=network))
    assert _parts(doc) == sorted(top + [(m, "政务公开专栏") for m, _ in figs[2:5]]
                                 + [(m, "政府信息公开") for m, _ in figs[6:]])


def test_a_child_moved_from_two_parents_keeps_one_relation_with_the_best_score(rules_nlp, sums) -> None:
    text = "共公开各类政务信息122条，其中政务公开专栏74条（包括公开指南1条、财政信息11条），其他信息48条。"
    figs = [("公开各类政务信息", "122条"), ("政务公开专栏", "74条"), ("公开指南", "1条"), ("财政信息", "11条"),
            ("其他信息", "48条")]
    doc = _doc(rules_nlp, text, figs, parts=[("公开指南", "公开各类政务信息"), ("公开指南", "其他信息")])
    rels = [r for r in doc._.relations if r[4] == "PART_OF"]
    doc._.relations = [r for r in doc._.relations if r[4] != "PART_OF"] + [rels[0][:5] + (0.7,), rels[1][:5] + (0.9,)]
    moved = [r for r in sums(doc)._.relations if r[4] == "PART_OF"]
    assert [(text[r[0]:r[1]], text[r[2]:r[3]], r[5]) for r in moved] == [("公开指南", "政务公开专栏", 0.9)]


def test_a_cue_after_a_share_or_across_a_sentence_moves_nothing(rules_nlp, sums) -> None:
    text = "主动公开政府信息55条，全文电子化率达100%。其中，法规文件类信息43条，规划计划类信息1条。"
    figs = [("主动公开政府信息", "55条"), ("全文电子化率", "100%"), ("法规文件类信息", "43条"), ("规划计划类信息", "1条")]
    parts = [("法规文件类信息", "主动公开政府信息"), ("规划计划类信息", "主动公开政府信息")]
    assert _parts(sums(_doc(rules_nlp, text, figs, parts=parts))) == sorted(parts)
    text = "办结8件，按时办结8件，其中同意公开4件，申请信息不存在3件。"  # 4 + 3 ≠ 8: the cue's head decides
    figs = [("办结", "8件"), ("按时办结", "8件"), ("同意公开", "4件"), ("申请信息不存在", "3件")]
    doc = _doc(rules_nlp, text, figs, parts=[("同意公开", "办结"), ("申请信息不存在", "办结")])
    assert _parts(sums(doc)) == [("同意公开", "按时办结"), ("申请信息不存在", "按时办结")]


def test_shares_are_no_parts_of_a_count(rules_nlp, sums) -> None:
    text = "收到申请9件，其中信函申请6件，占66.7%，当面申请3件，占33.3%。"
    figs = [("收到申请", "9件"), ("信函申请", "6件"), ("信函申请", "66.7%"), ("当面申请", "3件"), ("当面申请", "33.3%")]
    doc = _doc(rules_nlp, text, [f for f in figs if f[1] != "66.7%" and f[1] != "33.3%"])
    assert _parts(sums(doc)) == [("信函申请", "收到申请"), ("当面申请", "收到申请")]


def test_table_cells_are_left_to_the_table_reader(rules_nlp, sums) -> None:
    text = "收到申请9件，信函申请6件，当面申请3件。"
    doc = _doc(rules_nlp, text, [("收到申请", "9件"), ("信函申请", "6件"), ("当面申请", "3件")])
    doc.user_data["govie_meta"] = {"tables": [{"kind": "t", "start": 0, "end": len(text), "cells": 3}]}
    assert _parts(sums(doc)) == []


def test_one_figure_equal_to_the_total_is_no_breakdown_whatever_min_parts_says(rules_nlp) -> None:
    config = {k: tuple(v) if isinstance(v, list) else v for k, v in BREAKDOWN_SUMS_CONFIG.items()}
    one = BreakdownSums(rules_nlp, "s", **{**config, "min_parts": 1})
    assert one.min_parts == 2
    text = "收到申请5件，办结5件。"
    assert _parts(one(_doc(rules_nlp, text, [("收到申请", "5件"), ("办结", "5件")]))) == []


def test_the_config_sets_the_cues() -> None:
    nlp = spacy.blank("zh")
    no_cues = nlp.add_pipe("govie_breakdown_sums", config={"cues": []})
    assert no_cues.cue.search("从办理结果看：") is None
    assert nlp.config["components"]["govie_breakdown_sums"]["cues"] == []
    default = spacy.blank("zh").add_pipe("govie_breakdown_sums")
    assert default.cue.search("从办理结果看：") is not None


@pytest.mark.parametrize("load", [govie.load, govie.build_rule_pipeline], ids=["shipped", "rules"])
def test_both_pipelines_run_it_after_the_linkers_and_before_the_final_bounds(load) -> None:
    names = load().pipe_names
    assert names.index("govie_counted_nouns") < names.index("govie_breakdown_sums") \
        < names.index("govie_metric_bounds_final")


def test_parse_reports_a_breakdown_without_a_cue() -> None:
    text = "全市因政府信息公开行为提出行政复议申请受理10件，复议结果为维持5件，被依法纠错1件，其他情形4件。"
    report = govie.parse(text)
    parts = sorted((r["head"]["text"], r["tail"]["text"]) for r in report.relations if r["label"] == "PART_OF")
    assert [c for c, p in parts if "行政复议" in p] and len(parts) == 3, parts
