"""The shipped pipeline's behaviour on a golden set of constructions (#13): a model that breaks any of
these is a broken model. Each case: text → [(quantity, value, unit, approximate, metrics)] for every
QUANTITY govie returns, in order; PART_OF pairs where the case states them. Cases the shipped model
still gets wrong are strict xfails naming what is wrong, so a fix shows up as XPASS."""
import pytest

import govie

Q = tuple  # (text, value, unit, approximate, [metric texts])

GOLDEN = {
    "plain counts": ("全市累计主动公开政府信息57194条，共受理依申请公开169件。",
                     [("57194条", 57194, "条", False, ["主动公开政府信息"]),
                      ("169件", 169, "件", False, ["受理依申请公开"])]),
    "万 multiplied out, 余 approximate": ("全年共发布信息1.03万条，接待群众咨询800余人次。",
                                         [("1.03万条", 10300, "条", False, ["发布信息"]),
                                          ("800余人次", 800, "人次", True, ["接待群众咨询"])]),
    "万元 and 亿元 to 元": ("财政预算资金2543.19万元，其他收入4.66亿元。",
                          [("2543.19万元", 25431900, "元", False, ["财政预算资金"]),
                           ("4.66亿元", 466000000, "元", False, ["其他收入"])]),
    "prefix qualifier": ("主动公开政府信息近2000条。", [("2000条", 2000, "条", True, ["主动公开政府信息"])]),
    "其中 breakdown": ("从事政府信息公开工作93人，其中专职12人、兼职81人。",
                      [("93人", 93, "人", False, ["从事政府信息公开工作"]), ("12人", 12, "人", False, ["专职"]),
                       ("81人", 81, "人", False, ["兼职"])]),
    "分别为 breakdown": ("共收到申请224件，分别为当面申请100件、网络申请124件。",
                       [("224件", 224, "件", False, ["收到申请"]), ("100件", 100, "件", False, ["当面申请"]),
                        ("124件", 124, "件", False, ["网络申请"])]),
    "shared figure": ("办理复文率、公开率均达100%。", [("100%", 100, "%", False, ["办理复文率", "公开率"])]),
    "share of a count": ("主动公开政府信息近2000条，其中规范性文件占32.9%。",
                         [("2000条", 2000, "条", True, ["主动公开政府信息"]),
                          ("32.9%", 32.9, "%", False, ["规范性文件"])]),
    "Chinese numerals and thousands separator": ("举办培训班二十六期。培训人员1,234人次。",
                                                [("二十六期", 26, "期", False, ["举办培训班"]),
                                                 ("1,234人次", 1234, "人次", False, ["培训人员"])]),
    "exclusions: document numbers, phones, addresses": (
        "依据昆政发〔2017〕9号文件，联系电话0512-57328888，地址府前路1号。", []),
    "exclusions: dates, clock times, sessions": ("于2016年12月31日14时11分召开五届四次全会。", []),
    "exclusions: list markers and ordinals": ("一是加强组织领导；二是完善制度。第一次会议。", []),
    "table cells": ("主动公开政府信息数 | 20160\n依申请公开信息数 | 35",
                    [("20160", 20160, None, False, ["主动公开政府信息数"]),
                     ("35", 35, None, False, ["依申请公开信息数"])]),
}

PART_OF = {
    "其中 breakdown": {("专职", "从事政府信息公开工作"), ("兼职", "从事政府信息公开工作")},
    "分别为 breakdown": {("当面申请", "收到申请"), ("网络申请", "收到申请")},
}

KNOWN_GAPS = {
    # model v2 (corpus v2): the 其中/分别为 PART_OF links, the table-cell labels and the 1,234人次 link of
    # model 0.1's gaps are now right; this one is new: the relation network keeps only the nearer METRIC
    # of a figure two METRICs share (the rules propose both; fallback applies to unlinked figures only)
    "shared figure": "办理复文率 of 办理复文率、公开率均达100% is not linked by the relation model (#17)",
}


def _read(text):
    report = govie.parse(text)
    got = [(f.quantity.text, f.value, f.unit, f.approximate, sorted(m.text for m in f.metrics))
           for f in report.quantities]
    parts = {(r["head"]["text"], r["tail"]["text"]) for r in report.relations if r["label"] == "PART_OF"}
    return got, parts


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_GAPS[n], strict=True))
                                  if n in KNOWN_GAPS else n for n in GOLDEN])
def test_golden_construction(name):
    text, expected = GOLDEN[name]
    got, parts = _read(text)
    assert got == [(q, v, u, a, sorted(m)) for q, v, u, a, m in expected]
    assert PART_OF.get(name, set()) <= parts
