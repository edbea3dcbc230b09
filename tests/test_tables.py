"""Statistics tables in every layout: cells, values, units, labels, indicator ids, ambiguity, checks, CSV.

The 2019+ tables below are written for these tests (own figures, national template rows); the
Tongxiang seed (corpus/texts/002_…) is a real 2008–2018 table printed one cell per line.
"""
import csv
import io

import pytest

import govie
from govie.checks import check_values
from govie.corpus.dataset import report_meta, report_row, write_csv
from govie.tables import read_tables

COLS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
COL_IDS = ["natural_person", "commercial", "research", "public_interest", "legal_service", "other", "total"]
# 表三 of the 2021 template: (printed label, row id, cells); None = a group heading without cells
T3 = [
    ("一、本年新收政府信息公开申请数量", "t3.new", [45, 3, 0, 1, 2, 0, 51]),
    ("二、上年结转政府信息公开申请数量", "t3.carried_over", [4, 0, 0, 0, 0, 0, 4]),
    ("三、本年度办理结果", None, None),
    ("（一）予以公开", "t3.public", [20, 1, 0, 0, 1, 0, 22]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "t3.partial", [6, 0, 0, 1, 0, 0, 7]),
    ("（三）不予公开", None, None),
    ("1.属于国家秘密", "t3.withheld.state_secret", [0] * 7),
    ("2.其他法律行政法规禁止公开", "t3.withheld.law", [1, 0, 0, 0, 0, 0, 1]),
    ("3.危及“三安全一稳定”", "t3.withheld.safety", [0] * 7),
    ("4.保护第三方合法权益", "t3.withheld.third_party", [2, 0, 0, 0, 0, 0, 2]),
    ("5.属于三类内部事务信息", "t3.withheld.internal", [0] * 7),
    ("6.属于四类过程性信息", "t3.withheld.process", [1, 1, 0, 0, 0, 0, 2]),
    ("7.属于行政执法案卷", "t3.withheld.enforcement", [0] * 7),
    ("8.属于行政查询事项", "t3.withheld.query", [0] * 7),
    ("（四）无法提供", None, None),
    ("1.本机关不掌握相关政府信息", "t3.unavailable.not_held", [9, 1, 0, 0, 1, 0, 11]),
    ("2.没有现成信息需要另行制作", "t3.unavailable.not_made", [2, 0, 0, 0, 0, 0, 2]),
    ("3.补正后申请内容仍不明确", "t3.unavailable.unclear", [0] * 7),
    ("（五）不予处理", None, None),
    ("1.信访举报投诉类申请", "t3.unprocessed.petition", [3, 0, 0, 0, 0, 0, 3]),
    ("2.重复申请", "t3.unprocessed.repeat", [1, 0, 0, 0, 0, 0, 1]),
    ("3.要求提供公开出版物", "t3.unprocessed.publication", [0] * 7),
    ("4.无正当理由大量反复申请", "t3.unprocessed.bulk", [0] * 7),
    ("5.要求行政机关确认或重新出具已获取信息", "t3.unprocessed.confirm", [0] * 7),
    ("（六）其他处理", None, None),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "t3.other.no_supplement", [1, 0, 0, 0, 0, 0, 1]),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "t3.other.unpaid", [0] * 7),
    ("3.其他", "t3.other.misc", [0] * 7),
    ("（七）总计", "t3.result_total", [46, 3, 0, 1, 2, 0, 52]),
    ("四、结转下年度继续办理", "t3.carried_forward", [3, 0, 0, 0, 0, 0, 3]),
]
T4_HEADERS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
T4 = [2, 1, 1, 0, 4, 1, 0, 0, 1, 2, 0, 0, 0, 0, 0]
T4_GROUPS = ["t4.review", "t4.litigation_direct", "t4.litigation_after_review"]
T4_COLS = ["upheld", "corrected", "other", "pending", "total"]
T2_EXPECTED = {"t2.rules.issued": (1, None), "t2.rules.repealed": (0, None), "t2.rules.in_force": (5, None),
               "t2.normative.issued": (14, None), "t2.normative.repealed": (3, None),
               "t2.normative.in_force": (120, None), "t2.licensing.decisions": (3021, None),
               "t2.penalty.decisions": (455, None), "t2.enforcement.decisions": (12, None),
               "t2.fees.fee_amount": (886000, "元")}


def t2_text(layout: str) -> str:
    rows = [("第二十条第（一）项", None), ("信息内容", ["本年制发件数", "本年废止件数", "现行有效件数"]),
            ("规章", [1, 0, 5]), ("行政规范性文件", [14, 3, 120]),
            ("第二十条第（五）项", None), ("信息内容", ["本年处理决定数量"]), ("行政许可", [3021]),
            ("第二十条第（六）项", None), ("信息内容", ["本年处理决定数量"]), ("行政处罚", [455]), ("行政强制", [12]),
            ("第二十条第（八）项", None), ("信息内容", ["本年收费金额（单位：万元）"]), ("行政事业性收费", [88.6])]
    return "二、主动公开政府信息情况\n" + "".join(_row(layout, label, cells) for label, cells in rows)


def _row(layout: str, label: str, cells) -> str:
    cells = [str(c) for c in cells or []]
    if layout == "md":
        return "| " + " | ".join([label] + cells) + " |\n"
    if layout == "tab":
        return "\t".join([label] + cells) + "\n"
    if layout == "lines":
        return "\n".join([label] + cells) + "\n"
    return label + "".join(cells)  # run: the separators are lost


def t3_text(layout: str) -> str:
    head = "三、收到和处理政府信息公开申请情况\n"
    if layout == "md":
        head += ("| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | | | | | | |\n"
                 "| | 自然人 | 法人或其他组织 | | | | | 总计 |\n| | | " + " | ".join(COLS[1:6]) + " | |\n"
                 "|:--|:--|:--|:--|:--|:--|:--|:--|\n")
    elif layout == "tab":
        head += "申请人情况\t自然人\t法人或其他组织\t\t\t\t\t总计\n\t\t" + "\t".join(COLS[1:6]) + "\n"
    elif layout == "lines":
        head += "申请人情况\n自然人\n法人或其他组织\n" + "\n".join(COLS[1:6]) + "\n总计\n"
    else:
        head += "申请人情况自然人法人或其他组织总计" + "".join(COLS[1:6])
    body = "".join(_row(layout, label, cells) for label, _, cells in T3)
    return head + body + ("\n" if layout == "run" else "")


def t4_text(layout: str) -> str:
    head = "四、政府信息公开行政复议、行政诉讼情况\n"
    if layout == "run":
        return (head.strip() + "行政复议行政诉讼" + "".join(T4_HEADERS) + "未经复议直接起诉复议后起诉"
                + "".join(T4_HEADERS * 2) + "".join(map(str, T4)) + "五、存在的主要问题及改进情况\n")
    if layout == "md":
        return (head + "| 行政复议 | | | | | 行政诉讼 | | | | | | | | | |\n"
                "| | | | | | 未经复议直接起诉 | | | | | 复议后起诉 | | | | |\n| " + " | ".join(T4_HEADERS * 3)
                + " |\n|" + ":--|" * 15 + "\n| " + " | ".join(map(str, T4)) + " |\n五、存在的主要问题及改进情况\n")
    sep = "\t" if layout == "tab" else "\n"
    return (head + "行政复议" + sep + "行政诉讼\n未经复议直接起诉" + sep + "复议后起诉\n" + sep.join(T4_HEADERS * 3)
            + "\n" + sep.join(map(str, T4)) + "\n五、存在的主要问题及改进情况\n")


def standard_text(layout: str) -> str:
    return ("沭河县人民政府2023年政府信息公开工作年度报告\n一、总体情况\n全年共受理依申请公开51件。\n"
            + t2_text(layout) + t3_text(layout) + t4_text(layout))


def expected_standard() -> dict:
    exp = {k: v for k, v in T2_EXPECTED.items()}
    for _, rid, cells in T3:
        if cells:
            for cid, v in zip(COL_IDS, cells):
                exp[f"{rid}.{cid}"] = (v, None)
    for i, v in enumerate(T4):
        g, j = divmod(i, 5)
        exp[f"{T4_GROUPS[g]}.{T4_COLS[j]}"] = (v, None)
    return exp


def cells_by_id(text):
    return {c.indicator_id: c for t in read_tables(text) for c in t.cells if c.indicator_id}


@pytest.mark.parametrize("layout", ["md", "tab", "lines", "run"])
def test_standard_tables_every_layout(layout):
    text = standard_text(layout)
    got = cells_by_id(text)
    exp = expected_standard()
    wrong = {k: ((got[k].value, got[k].unit) if k in got else None, v) for k, v in exp.items()
             if k not in got or (got[k].value, got[k].unit) != v}
    assert not wrong
    # every cell: its span is the number, linked to the row label and the most specific column header
    for iid, c in got.items():
        assert text[c.start:c.end].replace(".", "").isdigit()
        labels = [text[a:b] for a, b in c.metrics]
        if iid.startswith("t3."):
            col = COLS[COL_IDS.index(iid.rsplit(".", 1)[1])]
            assert labels[1] == col
            assert not labels[0][0].isdigit() and not labels[0].startswith(("（", "一、"))  # no list markers
        if iid.startswith("t4."):
            assert labels == [T4_HEADERS[T4_COLS.index(iid.rsplit(".", 1)[1])]]
    assert got["t3.partial.total"].metrics[0] == (text.index("部分公开"), text.index("部分公开") + 4)
    # the 表四 headers are printed once per group: each cell links to the header of its own group
    review, direct = got["t4.review.upheld"], got["t4.litigation_direct.upheld"]
    assert review.metrics != direct.metrics
    assert [w for t in read_tables(text) for w in t.warnings] == []


@pytest.mark.parametrize("layout", ["md", "tab", "lines", "run"])
def test_standard_tables_pass_the_checks(layout):
    values = {k: v[0] for k, v in expected_standard().items()}
    assert check_values(values) == []
    doc = govie.build_rule_pipeline()(standard_text(layout))
    assert [c for c in doc.user_data["govie_checks"]] == []


def test_runs_without_separators_examples():
    text = ("二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000规范性文件898989"
            "三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
            "一、本年新收政府信息公开申请数量230 000023二、上年结转政府信息公开申请数量0000000"
            "三、本年度办理结果（一）予以公开151000016（二）部分公开80000081.属于国家秘密")
    got = cells_by_id(text)
    assert [got[f"t2.normative.{c}"].value for c in ("issued", "repealed", "in_force")] == [89, 89, 89]
    assert [got[f"t3.new.{c}"].value for c in COL_IDS] == [23, 0, 0, 0, 0, 0, 23]
    assert [got[f"t3.public.{c}"].value for c in COL_IDS] == [15, 1, 0, 0, 0, 0, 16]
    # the next row's list marker glued to the run (…81.属于国家秘密) is not a cell
    assert [got[f"t3.partial.{c}"].value for c in COL_IDS] == [8, 0, 0, 0, 0, 0, 8]
    # spans: each cell is its own digits inside the run
    c = got["t3.new.total"]
    assert text[c.start:c.end] == "23" and text[c.start - 1] == "0"


def test_table_4_run_split_by_group_totals():
    text = ("四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉"
            "复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计12010131001200000五、")
    tables = read_tables("三、收到和处理政府信息公开申请情况申请人情况自然人" + text)
    t4 = [t for t in tables if t.kind == "t4"][0]
    assert [c.value for c in t4.cells] == [12, 0, 1, 0, 13, 1, 0, 0, 1, 2, 0, 0, 0, 0, 0]
    assert t4.warnings == []


def test_ambiguous_runs_are_flagged():
    # two readings of each row satisfy the row total and no column identity decides
    text = ("三、收到和处理政府信息公开申请情况申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
            "一、本年新收政府信息公开申请数量220000022二、上年结转政府信息公开申请数量0000000"
            "三、本年度办理结果（一）予以公开220000022")
    tables = read_tables(text)
    warnings = [w for t in tables for w in t.warnings]
    assert warnings and all(w["kind"] == "ambiguous" for w in warnings)
    assert "220000022" in warnings[0]["message"]
    got = cells_by_id(text)
    assert got["t3.new.natural_person"].value == 22 and got["t3.new.total"].value == 22
    # 表二 (2019 template): 107105 reads 10|7|105 or 107|10|5 equally well
    t2 = ("二、主动公开政府信息情况第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可107105"
          "三、收到和处理")
    warnings = [w for t in read_tables(t2) for w in t.warnings]
    assert len(warnings) == 1 and "107105" in warnings[0]["message"] and warnings[0]["kind"] == "ambiguous"
    assert [cells_by_id(t2)[f"t2.licensing.{c}"].value for c in ("prev_items", "change", "decisions")] == [10, 7, 105]
    # the pipeline carries the warning to Report.checks
    report = govie.parse(t2, nlp=govie.build_rule_pipeline())
    assert [c.kind for c in report.checks] == ["ambiguous"]


def test_table_split_across_lines_and_missing_cell():
    text = ("三、收到和处理政府信息公开申请情况\n"
            "申请人情况\t自然人\t法人或其他组织\t\t\t\t\t总计\n"
            "\t\t商业企\n业\t科研机构\t社会公益组织\t法律服务机构\t其他\n"
            "一、本年新收政府信息公开申请数量\t30\t2\t0\n1\t0\t1\t34\n"          # cells wrapped onto a second line
            "二、上年结转政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3\n"
            "（一）予以公开\t12\t1\t0\t0\t0\t13\n"                               # a cell is missing
            "（二）部分公开\t4\t0\t—\t0\t0\t1\t5\n"                              # an empty cell
            "四、政府信息公开行政复议、行政诉讼情况\n")
    tables = read_tables(text)
    got = cells_by_id(text)
    assert [got[f"t3.new.{c}"].value for c in COL_IDS] == [30, 2, 0, 1, 0, 1, 34]
    assert text[slice(*got["t3.new.commercial"].metrics[1])] == "商业企\n业"  # a broken header stays one span
    assert [got[f"t3.carried_over.{c}"].value for c in COL_IDS] == [3, 0, 0, 0, 0, 0, 3]
    # missing cell: the six printed cells are kept; only 自然人 and 总计 can be placed
    public = [c for t in tables for c in t.cells if c.row_id == "t3.public"]
    assert [c.value for c in public] == [12, 1, 0, 0, 0, 13]
    assert public[0].indicator_id == "t3.public.natural_person" and public[-1].indicator_id == "t3.public.total"
    assert all(c.indicator_id is None for c in public[1:-1])
    assert any("missing cell" in w["message"] for t in tables for w in t.warnings)
    # the empty cell (—) is no quantity; the others keep their columns
    assert "t3.partial.research" not in got
    assert got["t3.partial.other"].value == 1 and got["t3.partial.total"].value == 5


def test_value_printed_above_its_label_pdf_layout():
    text = ("二、主动公开政府信息情况\n第二十条第（一）项\n信息内容\n\n本年制发件数\n\n本年废止件数\n\n现行有效件数\n\n规章\n\n0\n\n0\n\n0\n\n"
            "行政规范性文件\n\n2\n\n5\n\n40\n\n第二十条第（五）项\n\n信息内容\n\n本年处理决定数量\n550\n\n行政许可\n\n"
            "第二十条第（八）项\n信息内容\n\n本年收费金额（单位：万元）\n7730.28\n\n行政事业性收费\n\n三、收到和处理政府信息公开申请情况\n")
    got = cells_by_id(text)
    assert got["t2.licensing.decisions"].value == 550
    assert got["t2.fees.fee_amount"].value == pytest.approx(77302800) and got["t2.fees.fee_amount"].unit == "元"
    assert [got[f"t2.normative.{c}"].value for c in ("issued", "repealed", "in_force")] == [2, 5, 40]


def test_procurement_and_2019_template():
    text = ("二、主动公开政府信息情况第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量规章000规范性文件7713"
            "第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可4500其他对外管理服务事项000"
            "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购3922533.2元三、")
    got = cells_by_id(text)
    assert [got[f"t2.normative.{c}"].value for c in ("new_made", "new_published", "public_total")] == [7, 7, 13]
    assert [got[f"t2.licensing.{c}"].value for c in ("prev_items", "change", "decisions")] == [45, 0, 0]
    amount = got["t2.procurement.purchase_amount"]
    assert got["t2.procurement.projects"].value == 3
    assert (amount.value, amount.unit, text[amount.start:amount.end]) == (922533.2, "元", "922533.2元")


# --------------------------------------------------------------------------- 2008–2018 table
TONGXIANG = [
    ("主动公开政府信息数", "s08.active.total", 20160, None),
    ("主动公开规范性文件数", "s08.active.normative", 49, None),
    ("制发规范性文件总数", "s08.active.normative_issued", 49, None),
    ("政府公报公开政府信息数", "s08.active.gazette", 98, None),
    ("政府网站公开政府信息数", "s08.active.website", 12760, None),
    ("政务微博公开政府信息数", "s08.active.weibo", 1767, None),
    ("政务微信公开政府信息数", "s08.active.wechat", 4814, None),
    ("其他方式公开政府信息数", "s08.active.other", 923, None),
    ("回应公众关注热点或重大舆情数", "s08.response.hotspots", 16, None),
    ("参加或举办新闻发布会总次数", "s08.response.press", 2, None),
    ("主要负责同志参加新闻发布会次数", "s08.response.press_head", 2, None),
    ("政府网站在线访谈次数", "s08.response.interview", 0, None),
    ("主要负责同志参加政府网站在线访谈次数", "s08.response.interview_head", 0, None),
    ("政策解读稿件发布数", "s08.response.interpretation", 18, None),
    ("微博微信回应事件数", "s08.response.weibo_wechat", 136, None),
    ("其他方式回应事件数", "s08.response.other", 18, None),
    ("收到申请数", "s08.request.total", 224, None),
    ("当面申请数", "s08.request.in_person", 18, None),
    ("传真申请数", "s08.request.fax", 0, None),
    ("网络申请数", "s08.request.online", 131, None),
    ("信函申请数", "s08.request.letter", 75, None),
    ("申请办结数", "s08.closed.total", 224, None),
    ("按时办结数", "s08.closed.on_time", 220, None),
    ("延期办结数", "s08.closed.extended", 4, None),
    ("申请答复数", "s08.reply.total", 224, None),
    ("属于已主动公开范围数", "s08.reply.already_public", 23, None),
    ("同意公开答复数", "s08.reply.agree", 29, None),
    ("同意部分公开答复数", "s08.reply.partial", 8, None),
    ("不同意公开答复数", "s08.reply.refuse", 59, None),
    ("涉及国家秘密", "s08.reply.refuse.state_secret", 2, None),
    ("涉及商业秘密", "s08.reply.refuse.commercial_secret", 1, None),
    ("涉及个人隐私", "s08.reply.refuse.privacy", 0, None),
    ("危及国家安全、公共安全、经济安全和社会", "s08.reply.refuse.security", 0, None),
    ("不是《条例》所指政府信息", "s08.reply.refuse.not_gov_info", 33, None),
    ("法律法规规定的其他情形", "s08.reply.refuse.other_law", 23, None),
    ("不属于本行政机关公开数", "s08.reply.not_this_agency", 23, None),
    ("申请信息不存在数", "s08.reply.not_exist", 74, None),
    ("告知作出更改补充数", "s08.reply.amend", 1, None),
    ("告知通过其他途径办理数", "s08.reply.other_route", 7, None),
    ("行政复议数量", "s08.review.total", 10, None),
    ("维持具体行政行为数", "s08.review.upheld", 5, None),
    ("被依法纠错数", "s08.review.corrected", 1, None),
    ("其他情形数", "s08.review.other", 4, None),
    ("行政诉讼数量", "s08.litigation.total", 5, None),
    ("维持具体行政行为或者驳回原告诉讼请求数", "s08.litigation.upheld", 5, None),
    ("被依法纠错数", "s08.litigation.corrected", 0, None),
    ("其他情形数", "s08.litigation.other", 0, None),
    ("举报投诉数量", "s08.complaint.total", 0, None),
    ("依申请公开信息收取的费用", "s08.fee.total", 0, "元"),          # 万元 row
    ("政府信息公开工作专门机构数", "s08.org.bodies", 49, None),
    ("设置政府信息公开查阅点数", "s08.org.reading_points", 9, None),
    ("从事政府信息公开工作人员数", "s08.org.staff", 101, None),
    ("专职人员数", "s08.org.staff_full", 1, None),
    ("兼职人员数", "s08.org.staff_part", 100, None),
    ("政府信息公开专项经费", "s08.org.budget", 50000, "元"),         # 5 万元
    ("召开政府信息公开工作会议或专题会议数", "s08.meeting.meetings", 12, None),
    ("举办各类培训班数", "s08.meeting.trainings", 1, None),
    ("接受培训人员数", "s08.meeting.trainees", 101, "人次"),
]


def test_tongxiang_seed_every_row(seed_texts):
    text = seed_texts["002"]
    tables = read_tables(text)
    assert [t.kind for t in tables] == ["s08"]
    cells = tables[0].cells
    assert len(cells) == len(TONGXIANG)
    for c, (label, iid, value, unit) in zip(cells, TONGXIANG):
        assert (c.indicator_id, c.value, c.unit) == (iid, value, unit)
        assert text[slice(*c.metrics[0])].startswith(label)
        assert text[c.start:c.end] == str(value if unit != "元" else {0: 0, 50000: 5}[value])
    assert tables[0].warnings == [] and check_values(tables[0].values()) == []


def test_tongxiang_seed_through_the_pipeline(seed_texts, rules_nlp):
    nlp = govie.build_rule_pipeline()
    report = govie.parse(seed_texts["002"], nlp=nlp)
    table = report.meta["tables"][0]
    facts = [f for f in report.facts if table["start"] <= f.quantity.start < table["end"]]
    assert [(f.indicator_id, f.value, f.unit) for f in facts] == [(i, v, u) for _, i, v, u in TONGXIANG]
    assert all(len(f.metrics) == 1 for f in facts)
    # sub-rows are PART_OF the row above them that carries its own number (not across a heading)
    part_of = {(r["head"]["text"], r["tail"]["text"]) for r in report.relations if r["label"] == "PART_OF"
               and r["head"]["start"] >= table["start"]}
    assert ("当面申请数", "收到申请数") in part_of and ("专职人员数", "从事政府信息公开工作人员数") in part_of
    assert ("涉及国家秘密", "不同意公开答复数") in part_of and ("不同意公开答复数", "申请答复数") in part_of
    assert not any(child == "政府公报公开政府信息数" for child, _ in part_of)
    # narrative facts outside the table are linked to the taxonomy too (or to nothing)
    narrative = [(f.quantity.text, f.indicator_id) for f in report.facts if f.quantity.start < table["start"]]
    assert ("224件", "s08.request.total") in narrative and ("18件", "s08.request.in_person") in narrative
    assert ("98.07%", None) not in [(t, i) for t, i in narrative if i is not None]


def test_2008_table_runs_and_cumulative_column():
    # Pingtan layout: label, unit and two value columns (本年度, 历年累计) run together
    text = ("附件：2016年政府信息公开情况统计表 指标名称计量单位2016年度历年累计主动公开信息数条3121804"
            "其中：1.网站公开条29817902.政府公报公开条1414受理依申请公开信息总数条523其中：1.当面申请数条0182.网上申请数条55"
            "对申请的答复总数条523行政复议数件00 XX局 2017年1月10日")
    cells = [c for t in read_tables(text) for c in t.cells]
    got = [(c.indicator_id, c.value, c.unit) for c in cells]
    assert got == [("s08.active.total", 312, "条"), ("s08.active.total.cum", 1804, "条"),
                   ("s08.active.website", 298, "条"), ("s08.active.website.cum", 1790, "条"),
                   ("s08.active.gazette", 14, "条"), ("s08.active.gazette.cum", 14, "条"),
                   ("s08.request.total", 5, "条"), ("s08.request.total.cum", 23, "条"),
                   ("s08.request.in_person", 0, "条"), ("s08.request.in_person.cum", 18, "条"),
                   ("s08.request.online", 5, "条"), ("s08.request.online.cum", 5, "条"),
                   ("s08.reply.total", 5, "条"), ("s08.reply.total.cum", 23, "条"),
                   ("s08.review.total", 0, "件"), ("s08.review.total.cum", 0, "件")]
    cum = cells[1]
    assert [text[a:b] for a, b in cum.metrics] == ["主动公开信息数", "历年累计"]


def test_2008_markdown_table_with_unit_column_and_checks():
    text = ("政府信息公开情况统计表\n| 指标 | 单位 | 统计数 |\n|---|---|---|\n| 一、依申请公开情况 | — | — |\n"
            "| （一）收到申请数 | 件 | 41 |\n| 1.当面申请数 | 件 | 10 |\n| 2.传真申请数 | 件 | 0 |\n"
            "| 3.网络申请数 | 件 | 25 |\n| 4.信函申请数 | 件 | 5 |\n| 二、政府信息公开专项经费 | 万元 | 0.5 |\n")
    tables = read_tables(text)
    got = {c.indicator_id: (c.value, c.unit) for t in tables for c in t.cells}
    assert got == {"s08.request.total": (41, "件"), "s08.request.in_person": (10, "件"), "s08.request.fax": (0, "件"),
                   "s08.request.online": (25, "件"), "s08.request.letter": (5, "件"),
                   "s08.org.budget": (5000, "元")}
    doc = govie.build_rule_pipeline()(text)
    checks = [c for c in doc.user_data["govie_checks"] if c["kind"] == "sum"]
    assert len(checks) == 1
    c = checks[0]
    assert c["total_id"] == "s08.request.total" and c["total"] == 41 and c["gap"] == 1
    assert c["parts"] == {"s08.request.in_person": 10, "s08.request.fax": 0, "s08.request.online": 25,
                          "s08.request.letter": 5}
    report = govie.parse(text, nlp=govie.build_rule_pipeline())
    assert [(c.total_id, c.gap) for c in report.checks] == [("s08.request.total", 1)]


def test_checks_on_table_3_and_4():
    values = {k: v[0] for k, v in expected_standard().items()}
    bad = dict(values)
    bad["t3.public.total"] = 23            # row: columns 22 ≠ 23; column: results 53 ≠ 52
    bad["t4.review.total"] = 5             # 表四 group: 4 ≠ 5
    bad["t3.carried_forward.natural_person"] = 4   # 一 + 二 = 49 ≠ 三 46 + 四 4
    checks = check_values(bad)
    ids = {c["total_id"] for c in checks}
    assert "t3.public.total" in ids and "t4.review.total" in ids and "t3.result_total.total" in ids
    assert "t3.new.natural_person+t3.carried_over.natural_person" in ids
    row = next(c for c in checks if c["total_id"] == "t3.public.total")
    assert row["total"] == 23 and row["gap"] == 1 and len(row["parts"]) == 6
    assert set(checks[0]) == {"message", "total_id", "total", "parts", "gap", "kind"}


# --------------------------------------------------------------------------- pipeline and dataset
def test_pipeline_replaces_rule_quantities_in_tables_and_linker_leaves_cells_alone():
    nlp = govie.build_rule_pipeline()
    assert nlp.pipe_names.index("govie_table_reader") == nlp.pipe_names.index("govie_quantities") + 1
    assert nlp.pipe_names.index("govie_table_reader") < nlp.pipe_names.index("govie_rule_linker")
    text = standard_text("run")
    doc = nlp(text)
    q = [e for e in doc.ents if e.label_ == "QUANTITY"]
    cells = cells_by_id(text)
    spans = {(e.start_char, e.end_char) for e in q}
    assert all((c.start, c.end) in spans for c in cells.values())
    # every cell has exactly the table's links (row label + column header), none from the rule linker
    for c in cells.values():
        links = {(r[2], r[3]) for r in doc._.relations if (r[0], r[1]) == (c.start, c.end)}
        assert links == set(c.metrics)
        assert doc._.indicator_ids[f"{c.start}:{c.end}"] == c.indicator_id
    # the narrative figure before the tables is linked by the rule linker and mapped by govie_indicators
    report = govie.parse(text, nlp=nlp)
    narrative = [f for f in report.facts if f.quantity.text == "51件"][0]
    assert narrative.indicator_id == "t3.new.total"


def test_csv_one_row_per_report(tmp_path, seed_texts):
    nlp = govie.build_rule_pipeline()
    std = govie.parse(standard_text("tab"), nlp=nlp)
    old = govie.parse(seed_texts["002"], nlp=nlp)
    rows = [report_row("std.txt", std), report_row("002.txt", old)]
    assert rows[0]["year"] == 2023 and rows[0]["body"] == "沭河县人民政府" and rows[0]["layout"] == "standard-2019"
    assert rows[0]["t3.new.total"] == 51 and rows[0]["t4.review.upheld"] == 2
    assert rows[0]["t2.fees.fee_amount"] == 886000
    assert rows[1]["body"] == "桐乡市人民政府" and rows[1]["year"] == 2017
    assert rows[1]["s08.request.total"] == 224 and rows[1]["t3.new.total"] == ""
    out = io.StringIO()
    write_csv(rows, out)
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(parsed) == 2
    assert parsed[0]["source"] == "std.txt" and parsed[0]["t3.new.natural_person"] == "45"
    assert parsed[1]["s08.org.budget"] == "50000"
    header = out.getvalue().splitlines()[0].split(",")
    assert header[:3] == ["source", "body", "year"] and "t3.new.natural_person" in header and "s08.fee.total.cum" in header
    # the CLI writes the same table
    d = tmp_path / "reports"
    d.mkdir()
    (d / "a.txt").write_text(standard_text("md"), encoding="utf-8")
    (d / "b.txt").write_text(seed_texts["002"], encoding="utf-8")
    from govie.cli import main

    out_file = tmp_path / "out.csv"
    assert main(["parse", str(d), "--format", "csv", "--model", "rules", "-o", str(out_file)]) == 0
    rows = list(csv.DictReader(out_file.open(encoding="utf-8")))
    assert [r["s08.request.total"] for r in rows] == ["", "224"]
    assert rows[0]["t3.result_total.total"] == "52"


def test_report_meta_from_title_and_signature():
    assert report_meta("桐乡市人民政府2017年度政府信息公开工作报告\n发布时间") == {"body": "桐乡市人民政府", "year": 2017}
    text = "根据《条例》，现公布2016年度报告。……\n平潭综合实验区行政审批局 2017年1月11日"
    assert report_meta(text)["body"] == "平潭综合实验区行政审批局"


def test_traditional_script():
    import opencc

    text = opencc.OpenCC("s2t").convert(standard_text("run"))
    assert "規範性文件" in text and len(text) == len(standard_text("run"))
    got = cells_by_id(text)
    exp = expected_standard()
    assert {k: (got[k].value, got[k].unit) for k in exp if k in got} == exp


# --------------------------------------------------------------------------- split choices decided by identities
def test_column_identities_choose_among_row_total_readings():
    # tab layout; 予以公开 printed as one run 12101012035: 12|1|0|10|12|0|35 and 12|10|1|0|12|0|35 both
    # satisfy the row total; only the second makes the results add up to 总计 column by column
    public = [12, 10, 1, 0, 12, 0, 35]
    rows = {"t3.public": public, "t3.result_total": [38, 12, 1, 1, 13, 0, 65], "t3.new": [37, 12, 1, 1, 13, 0, 64]}
    t3 = [(label, rid, rows.get(rid, cells)) for label, rid, cells in T3]
    text = ("三、收到和处理政府信息公开申请情况\n申请人情况\t自然人\t法人或其他组织\t\t\t\t\t总计\n\t\t"
            + "\t".join(COLS[1:6]) + "\n"
            + "".join(_row("tab", label, cells) if rid != "t3.public" else f"{label}\t12101012035\n"
                      for label, rid, cells in t3))
    got = cells_by_id(text)
    for _, rid, cells in t3:
        if cells:
            assert [got[f"{rid}.{c}"].value for c in COL_IDS] == cells, rid
    values = {k: c.value for k, c in got.items()}
    assert check_values(values) == []


def test_totals_that_do_not_add_up_are_checks_and_glued_zero_cells_keep_their_offsets():
    # tab layout; 予以公开 prints its four zero cells as one run (0000) and a total one too many
    text = t3_text("tab").replace("（一）予以公开\t20\t1\t0\t0\t1\t0\t22", "（一）予以公开\t20\t0000\t1\t22")
    assert "（一）予以公开\t20\t0000\t1\t22" in text
    got = cells_by_id(text)
    public = [got[f"t3.public.{c}"] for c in COL_IDS]
    assert [c.value for c in public] == [20, 0, 0, 0, 0, 1, 22]
    zeros = public[1:5]
    run = text.index("\t0000\t") + 1
    assert [(c.start, c.end) for c in zeros] == [(run + j, run + j + 1) for j in range(4)]
    doc = govie.build_rule_pipeline()(text)
    checks = {c["total_id"]: c for c in doc.user_data["govie_checks"]}
    assert checks["t3.public.total"]["total"] == 22 and checks["t3.public.total"]["gap"] == 1


def test_2008_table_cumulative_column_is_at_least_the_years():
    text = ("附件：2016年政府信息公开情况统计表 指标名称计量单位2015年度2016年度历年累计主动公开信息数条5123"
            "受理依申请公开信息总数条4360 XX局 2017年1月10日")
    cells = [c for t in read_tables(text) for c in t.cells]
    assert [(c.indicator_id, c.value) for c in cells] == [
        ("s08.active.total", 5), ("s08.active.total", 1), ("s08.active.total.cum", 23),
        ("s08.request.total", 4), ("s08.request.total", 3), ("s08.request.total.cum", 60)]


def test_table_2_columns_by_template_when_headers_are_missing():
    # no 信息内容 header rows: the columns of the 2021 template (本年制发 / 本年废止 / 现行有效)
    text = ("二、主动公开政府信息情况\n第二十条第（一）项\n规章\t1\t0\t5\n行政规范性文件\t14\t3\t120\n"
            "第二十条第（五）项\n行政许可\t3021\n三、收到和处理政府信息公开申请情况\n")
    got = {k: c.value for k, c in cells_by_id(text).items()}
    assert got == {"t2.rules.issued": 1, "t2.rules.repealed": 0, "t2.rules.in_force": 5, "t2.normative.issued": 14,
                   "t2.normative.repealed": 3, "t2.normative.in_force": 120, "t2.licensing.decisions": 3021}
    # the 2019 template (上一年项目数量 printed for 第（五）项 only)
    text = ("二、主动公开政府信息情况\n第二十条第（一）项\n规章\t1\t0\t5\n第二十条第（五）项\n"
            "信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政许可\t45\t-2\t300\n第二十条第（六）项\n行政处罚\t12\t1\t455\n"
            "三、收到和处理政府信息公开申请情况\n")
    got = {k: c.value for k, c in cells_by_id(text).items()}
    assert got == {"t2.rules.new_made": 1, "t2.rules.new_published": 0, "t2.rules.public_total": 5,
                   "t2.licensing.prev_items": 45, "t2.licensing.change": -2, "t2.licensing.decisions": 300,
                   "t2.penalty.prev_items": 12, "t2.penalty.change": 1, "t2.penalty.decisions": 455}


def test_row_total_off_by_one_reads_the_nearest_reading_and_is_no_identity():
    from govie.tables import _vals, choose_split, scan_cells

    # 予以公开 12|0|0|10|12|12 = 46 printed with 总计 45: no reading satisfies the row total; the reading
    # closest to it is kept (a gap of 1), not one that only matches part of the row
    run = "120010121245"
    toks, _ = scan_cells(run, 0, len(run))
    cands, ok, _amb = choose_split(toks, 7, "sum")
    assert not ok
    assert _vals(cands[0]) == [12, 0, 0, 10, 12, 12, 45]
    run = "3300202047"  # 3|3|0|0|20|20 = 46, 总计 47
    toks, _ = scan_cells(run, 0, len(run))
    cands, ok, _amb = choose_split(toks, 7, "sum")
    assert not ok and _vals(cands[0]) == [3, 3, 0, 0, 20, 20, 47]


def test_table_region_ends_after_the_unit_of_its_last_cell():
    text = ("二、主动公开政府信息情况第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购3922533.2元三、"
            "收到和处理政府信息公开申请情况")
    t2 = [t for t in read_tables(text) if t.kind == "t2"][0]
    assert text[t2.start:t2.end].endswith("922533.2元")


def test_a_statistics_word_in_prose_is_no_table():
    for text in ("本机关严格按照统计指标要求，共办理12件，答复率100%。", "对照指标名称逐项填报，全年公开信息312条。"):
        assert read_tables(text) == []


def test_2008_table_survives_a_page_number_between_rows():
    # a PDF page footer (2/5) between two rows is no row and does not end the table
    text = ("政府信息公开情况统计表\n指标\t单位\t统计数\n（一）收到申请数\t件\t41\n1.当面申请数\t件\t10\n2/5\n"
            "2.传真申请数\t件\t0\n3.网络申请数\t件\t31\n")
    got = {c.indicator_id: c.value for t in read_tables(text) for c in t.cells}
    assert got == {"s08.request.total": 41, "s08.request.in_person": 10, "s08.request.fax": 0, "s08.request.online": 31}


PINGTAN_2008 = ("附件：2016年政府信息公开情况统计表 指标名称计量单位2016年度历年累计主动公开信息数条3121804"
                "其中：1.网站公开条29817902.政府公报公开条1414受理依申请公开信息总数条523其中：1.当面申请数条0182.网上申请数条55"
                "对申请的答复总数条523行政复议数件00 XX局 2017年1月10日")


def test_table_reader_links_2008_sub_rows_to_their_parent_row(rules_nlp):
    doc = rules_nlp(PINGTAN_2008)
    text = PINGTAN_2008
    part_of = {(text[r[0]:r[1]], text[r[2]:r[3]], r[5]) for r in doc._.relations if r[4] == "PART_OF"}
    assert part_of == {("网站公开", "主动公开信息数", 1.0), ("政府公报公开", "主动公开信息数", 1.0),
                       ("当面申请数", "受理依申请公开信息总数", 1.0), ("网上申请数", "受理依申请公开信息总数", 1.0)}


def test_table_reader_keeps_the_narrative_quantities_outside_its_tables(rules_nlp):
    text = standard_text("run") + "全年组织政务公开培训3次。"
    doc = rules_nlp(text)
    quantities = [e for e in doc.ents if e.label_ == "QUANTITY"]
    assert quantities[0].text == "51件" and quantities[0].start_char == text.index("51件")
    assert quantities[-1].text == "3次" and quantities[-1].start_char == text.index("3次")
    cells = {(c.start, c.end) for c in cells_by_id(text).values()}
    assert {(e.start_char, e.end_char) for e in quantities[1:-1]} == cells


def test_scan_cells_units_empty_cells_markers_and_dates():
    from govie.tables import scan_cells

    def scan(s):
        toks, stop = scan_cells(s, 0, len(s))
        return [(t.text, t.unit, t.empty) for t in toks], stop

    s = "12件 3条 35人次 88.6万元 5% 7个"
    assert scan(s) == ([("12", "件", False), ("3", "条", False), ("35", "人次", False), ("88.6", "万元", False),
                        ("5", "%", False), ("7", "个", False)], len(s))
    assert scan("12 — 3") == ([("12", "", False), ("", "", True), ("3", "", False)], 6)
    # the next row's list marker glued to the run is left out of it: the scan stops before it
    assert scan("00000002.其他") == ([("0000000", "", False)], 7)
    assert scan("12 3.属于国家秘密") == ([("12", "", False)], 3)
    assert scan("2019年") == ([], 0)  # a date, not a cell
