"""The indicator taxonomy (package data) and the mapping of labels / narrative phrases to ids."""
import json

import pytest

import govie
from govie.taxonomy import TAXONOMY_PATH, document_era, load_taxonomy, normalise

T3_ROWS = ["t3.new", "t3.carried_over", "t3.public", "t3.partial", "t3.withheld.state_secret", "t3.withheld.law",
           "t3.withheld.safety", "t3.withheld.third_party", "t3.withheld.internal", "t3.withheld.process",
           "t3.withheld.enforcement", "t3.withheld.query", "t3.unavailable.not_held", "t3.unavailable.not_made",
           "t3.unavailable.unclear", "t3.unprocessed.petition", "t3.unprocessed.repeat", "t3.unprocessed.publication",
           "t3.unprocessed.bulk", "t3.unprocessed.confirm", "t3.other", "t3.other.no_supplement", "t3.other.unpaid",
           "t3.other.misc", "t3.result_total", "t3.carried_forward"]
T3_COLS = ["natural_person", "commercial", "research", "public_interest", "legal_service", "other", "total"]


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


def test_package_data_is_well_formed(tax):
    data = json.loads(TAXONOMY_PATH.read_text(encoding="utf-8"))
    ids = [d["id"] for d in data["indicators"]]
    assert len(ids) == len(set(ids))
    for d in data["indicators"]:
        assert {"id", "name", "unit", "parent", "aliases"} <= set(d)
        assert d["parent"] is None or d["parent"] in tax.indicators, d
    for r in data["rows"]:
        assert r["parent"] is None or r["parent"] in tax.rows or r["parent"].endswith(".total") or \
            r["parent"] == "t3.result_total", r


def test_national_tables_are_complete(tax):
    for row in T3_ROWS:
        for col in T3_COLS:
            assert f"{row}.{col}" in tax, (row, col)
    for g in ("review", "litigation_direct", "litigation_after_review"):
        for c in ("upheld", "corrected", "other", "pending", "total"):
            assert f"t4.{g}.{c}" in tax
    for iid in ("t2.rules.issued", "t2.normative.in_force", "t2.normative.new_published", "t2.licensing.decisions",
                "t2.penalty.change", "t2.enforcement.prev_items", "t2.fees.fee_amount", "t2.procurement.purchase_amount",
                "s08.request.total", "s08.request.online", "s08.reply.refuse.state_secret", "s08.review.upheld",
                "s08.litigation.corrected", "s08.complaint.total", "s08.fee.total", "s08.org.budget",
                "s08.meeting.trainees", "s08.active.total.cum"):
        assert iid in tax
    assert tax.get("t3.new.natural_person").parent == "t3.new.total"
    assert tax.get("t2.fees.fee_amount").unit == "元" and tax.get("s08.meeting.trainees").unit == "人次"
    assert set(tax.children("s08.request.total")) >= {"s08.request.in_person", "s08.request.fax",
                                                       "s08.request.online", "s08.request.letter"}


@pytest.mark.parametrize("label,header,expected", [
    ("一、本年新收政府信息公开申请数量", "自然人", "t3.new.natural_person"),
    ("本年新收政府信息公开申请数量", "商业 企业", "t3.new.commercial"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "总计", "t3.partial.total"),
    ("1.属于国家秘密", "社会公益组织", "t3.withheld.state_secret.public_interest"),
    ("2.其他法律行政止公开", "法律服务机构", "t3.withheld.law.legal_service"),   # garbled print
    ("3.危及\"三安全一稳定\"", "其他", "t3.withheld.safety.other"),
    ("5.要求行政机关确认或重 新出具\n已获取信息", "科研机构", "t3.unprocessed.confirm.research"),
    ("3.其他", "自然人", "t3.other.misc.natural_person"),
    ("（七）总计", "总计", "t3.result_total.total"),
    ("四、结转下年度继续办理", "总计", "t3.carried_forward.total"),
    ("行政复议", "结果维持", "t4.review.upheld"),
    ("复议后起诉", "尚未审结", "t4.litigation_after_review.pending"),
    ("行政规范性文件", "现行有效件数", "t2.normative.in_force"),
    ("规范性文件", "本年新公开数量", "t2.normative.new_published"),
    ("行政事业性收费", "本年收费金额（单位：万元）", "t2.fees.fee_amount"),
    ("政府集中采购", "采购总金额", "t2.procurement.purchase_amount"),
    ("其中：1.网站公开", None, "s08.active.website"),
    ("受理依申请公开信息总数", "历年累计", "s08.request.total.cum"),
    ("（一）主动公开政府信息数", "统计数", "s08.active.total"),
    ("6.其它形式申请数", None, "s08.request.other"),
    ("危及国家安全、公共安全、经济安全和社会\n    稳定", None, "s08.reply.refuse.security"),
    ("专职人员数(不包括政府公报及政府网站工作人员数)", None, "s08.org.staff_full"),
    ("本单位食堂就餐人数", None, None),
    ("行政许可", "自然人", None),
])
def test_match_cell(tax, label, header, expected):
    assert tax.match_cell(label, header) == expected


def test_same_label_in_two_groups(tax):
    assert tax.match_cell("被依法纠错数", group="review") == "s08.review.corrected"
    assert tax.match_cell("被依法纠错数", group="litigation") == "s08.litigation.corrected"


@pytest.mark.parametrize("phrase,era,unit,expected", [
    ("受理依申请公开", "2008", "件", "s08.request.total"),
    ("受理依申请公开", "2019", "件", "t3.new.total"),
    ("共收到政府信息公开申请", None, "件", "s08.request.total"),
    ("当面申请", "2008", "件", "s08.request.in_person"),
    ("网上申请", "2008", None, "s08.request.online"),
    ("同意部分公开", "2008", "件", "s08.reply.partial"),
    ("予以公开", "2019", "件", "t3.public.total"),
    ("行政复议", "2019", "件", "t4.review.total"),
    ("举办培训班", "2008", "期", "s08.meeting.trainings"),
    ("主动公开政府信息", "2008", "条", "s08.active.total"),
    ("主动公开政府信息", "2008", "%", None),          # a share, not the count
    ("收取的费用", "2008", "件", None),                # money indicator, count unit
    ("满意率", "2008", "%", None),
    ("机构职能类信息", "2008", "条", None),
])
def test_match_phrase(tax, phrase, era, unit, expected):
    assert tax.match_phrase(phrase, era=era, unit=unit) == expected


def test_normalise():
    assert normalise("（一）主动公开政府信息数\n (不同渠道和方式公开相同信息计1条)") == "主动公开政府信息数"
    assert normalise("其中：2、其它形式申请数") == "其他形式申请数"
    assert normalise("3.危及“三安全一稳定”") == "危及三安全一稳定"


def test_document_era():
    assert document_era("三、收到和处理政府信息公开申请情况 本年新收政府信息公开申请数量") == "2019"
    assert document_era("某市2021年政府信息公开工作年度报告\n……") == "2019"
    assert document_era("某市2015年度政府信息公开工作年度报告\n……") == "2008"


def test_indicators_component_fills_narrative_ids():
    nlp = govie.build_rule_pipeline()
    assert nlp.pipe_names[-1] == "govie_indicators"
    report = govie.parse("2015年度政府信息公开工作年度报告。全年共受理依申请公开169件，其中当面申请34件，"
                         "网络申请135件。群众满意率达98%。", nlp=nlp)
    ids = {f.quantity.text: f.indicator_id for f in report.facts}
    assert ids["169件"] == "s08.request.total"
    assert ids["34件"] == "s08.request.in_person" and ids["135件"] == "s08.request.online"
    assert ids["98%"] is None
