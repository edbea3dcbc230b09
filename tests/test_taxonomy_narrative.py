"""Narrative figures on the canonical indicators (``Taxonomy.match_narrative``): precision first — a
figure gets an id only where the phrase names the template indicator itself (#17 item 6)."""
import pytest

import govie
from govie.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


@pytest.mark.parametrize("phrase,era,unit,before,between,expected", [
    # the template indicators, in both eras and scripts
    ("收到政府信息公开申请", "2019", "件", "2023年，我局共", "", "t3.new.total"),
    ("收到政府信息公开申请", "2008", "件", "", "", "s08.request.total"),
    ("收到政府信息公開申請", "2008", "宗", "", "", "s08.request.total"),
    ("受理依申请公开", "2008", "件", "全年共", "", "s08.request.total"),
    ("主动公开政府信息", "2008", "条", "2016年", "", "s08.active.total"),
    ("主动公开政府信息", "2019", "条", "", "", "n.active.total"),
    ("当面申请", "2008", "件", "其中", "", "s08.request.in_person"),
    ("不予公开", "2019", "件", "", "", "t3.withheld.total"),
    ("因依申请公开引发行政复议", "2019", "起", "", "", "t4.review.total"),
    ("行政诉讼", "2008", "件", "", "", "s08.litigation.total"),
    ("制定规范性文件", "2019", "件", "2023年，我局", "", "t2.normative.issued"),
    ("结转下年度继续办理", "2019", "件", "", "", "t3.carried_forward.total"),
    ("政务微信公开数", "2008", "条", "", "", "s08.active.wechat"),
    # 累计: the 历年累计 column of the 2008–2018 table; none in a 2019+ report; 全年累计 is the year
    ("主动公开政府信息", "2008", "条", "截至2016年底,全市累计", "", "s08.active.total.cum"),
    ("主动公开政府信息", "2008", "条", "我镇通过", "累计", "s08.active.total.cum"),
    ("主动公开政府信息", "2019", "条", "截至2021年底，累计", "", None),
    ("主动公开政府信息", "2008", "条", "2016年全年累计", "", "s08.active.total"),
    # no id: no unit, a share, a change, last year's figure, several years
    ("主动公开政府信息", "2008", None, "", "", None),
    ("主动公开政府信息", "2008", "%", "", "", None),
    ("受理依申请公开", "2008", "件", "", "比上年增加", None),
    ("受理政府信息公开申请", "2008", "件", "上年", "", None),
    ("受理政府信息公開申請", "2008", "件", "", "較上年減少", None),   # traditional script
    ("受理信息公开申请", "2008", "件", "近3年共", "", None),
    # no id: categories, subsets, lists, channels of one department
    ("行政许可类信息", "2019", "条", "", "", None),
    ("行政处罚类", "2019", "条", "", "", None),
    ("规范性文件", "2019", "件", "", "", None),
    ("其他应主动公开的政府信息", "2019", "条", "", "", None),
    ("全文电子化的主动公开信息数", "2008", "条", "", "", None),
    ("主动公开和依申请公开的政府信息", "2008", "条", "", "", None),
    ("政务新媒体公开政府信息", "2019", "条", "", "", None),
    ("政府信息公开目录主动公开政府信息", "2019", "条", "", "", None),
    ("农经微信公众号发布信息", "2008", "条", "", "", None),
    ("微信公众号关注用户", "2019", "人", "", "", None),
    ("政府信息公开网站发布", "2008", "条", "其中", "", None),     # not the 政府网站 row
    ("政府网站公开政府信息", "2008", "条", "", "", "s08.active.website"),
    # figures of part of the body's units
    ("市级解读文件", "2008", "篇", "完成", "共", None),
    ("解读", "2008", "篇", "各部门", "", None),
    ("政策解读", "2008", "篇", "", "", "s08.response.interpretation"),
    # no id: applications counted in 条 are published information, not requests
    ("依申请公开", "2019", "条", "", "", None),
    ("不予公开信息数", "2008", "条", "", "", None),
    # no id: a request phrase that is about something else
    ("不予受理的申请", "2008", "件", "", "", None),
    ("结转政府信息公开申请数量", "2008", "件", "", "", None),
    ("我乡收到有关政府信息公开行政复议申请", "2008", "件", "", "", None),
    ("请行政复议时被申请人并未收到申请人查询号", "2008", None, "", "", None),
    # a long description is not an indicator name
    ("本报告由概述、主动公开政府信息情况、依申请公开政府信息情况", "2008", "个", "", "", None),
])
def test_match_narrative(tax, phrase, era, unit, before, between, expected):
    assert tax.match_narrative(phrase, era=era, unit=unit, before=before, between=between) == expected


def test_narrative_ids_in_the_pipeline():
    nlp = govie.build_rule_pipeline()
    report = govie.parse("2015年度政府信息公开工作年度报告。截至2015年底，累计主动公开政府信息5200条，"
                         "全年主动公开政府信息310条。全年共收到政府信息公开申请169件，比上年增加12件；"
                         "行政许可类信息30条。", nlp=nlp)
    ids = {f.quantity.text: f.indicator_id for f in report.facts}
    assert ids["5200条"] == "s08.active.total.cum"
    assert ids["310条"] == "s08.active.total"
    assert ids["169件"] == "s08.request.total"
    assert ids.get("12件") is None and ids.get("30条") is None


def test_2019_report_maps_to_the_national_tables():
    report = govie.parse("某市2021年政府信息公开工作年度报告。2021年，共收到政府信息公开申请224件，"
                         "因政府信息公开申请行政复议3件，行政诉讼1件。", nlp=govie.build_rule_pipeline())
    ids = {f.quantity.text: f.indicator_id for f in report.facts}
    assert ids == {"224件": "t3.new.total", "3件": "t4.review.total", "1件": "t4.litigation.total"}
