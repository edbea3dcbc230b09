"""Text against tables: a narrative figure that disagrees with the table cell of its indicator is a
warning in ``Report.checks`` (kind ``narrative``) with both spans, shown in ``govie render`` (#17 item 6)."""
from dataclasses import replace

import pytest

import govie
from govie import api
from govie.checks import check_narrative, compare, stated_step
from govie.io.render import render_html
from govie.report import Check, Fact, TextSpan

TABLE = ("政府信息公开情况统计表\n| 指标 | 单位 | 统计数 |\n|---|---|---|\n"
         "| （一）主动公开政府信息数 | 条 | 12345 |\n| 一、依申请公开情况 | — | — |\n"
         "| （一）收到申请数 | 件 | 40 |\n| 1.当面申请数 | 件 | 10 |\n| 2.传真申请数 | 件 | 0 |\n"
         "| 3.网络申请数 | 件 | 25 |\n| 4.信函申请数 | 件 | 5 |\n")
TITLE = "2015年度政府信息公开工作年度报告\n"


@pytest.fixture(scope="module")
def nlp():
    return govie.build_rule_pipeline()


def _report(narrative: str, nlp):
    return govie.parse(TITLE + narrative + "\n" + TABLE, nlp=nlp)


def _narrative(report):
    return [c for c in report.checks if c.kind == "narrative"]


def test_agreeing_text_gives_no_warning(nlp):
    report = _report("全年主动公开政府信息12345条。全年共收到政府信息公开申请40件，其中当面申请10件。", nlp)
    ids = {f.quantity.text: f.indicator_id for f in report.facts}
    assert ids["12345条"] == "s08.active.total" and ids["40件"] == "s08.request.total"
    assert ids["10件"] == "s08.request.in_person"
    assert report.checks == []


def test_disagreeing_text_is_a_warning_with_both_spans(nlp):
    report = _report("全年主动公开政府信息12345条。全年共收到政府信息公开申请44件，其中当面申请10件。", nlp)
    warnings = _narrative(report)
    assert len(warnings) == 1 and report.checks == warnings  # the table's own sums hold
    w = warnings[0]
    assert (w.total_id, w.total, w.parts, w.gap) == ("s08.request.total", 40, {"s08.request.total": 44}, -4)
    roles = {sp["role"]: sp for sp in w.spans}
    assert set(roles) == {"narrative", "table"}
    text = report.text
    assert text[roles["narrative"]["start"]:roles["narrative"]["end"]] == roles["narrative"]["text"] == "44件"
    table_at = text.index("| 40 |") + 2
    assert (roles["table"]["start"], roles["table"]["end"], roles["table"]["text"]) == (table_at, table_at + 2, "40")
    assert "44件" in w.message and "40" in w.message
    assert w.to_dict()["spans"] == w.spans  # in the JSON output too


@pytest.mark.parametrize("figure", ["约44件", "44余件", "40多件"])
def test_approximate_figures_are_not_flagged(nlp, figure):
    report = _report(f"全年共收到政府信息公开申请{figure}。", nlp)
    fact = next(f for f in report.facts if f.quantity.text in figure)  # 约 stays outside the span
    assert fact.approximate and fact.indicator_id == "s08.request.total"
    assert _narrative(report) == []


@pytest.mark.parametrize("figure,flagged", [("1.2万条", False), ("1.23万条", False), ("1.3万条", True),
                                            ("1.5万条", True), ("12000条", True)])
def test_figures_in_wan_agree_within_the_precision_they_state(nlp, figure, flagged):
    report = _report(f"全年主动公开政府信息{figure}。", nlp)
    warnings = _narrative(report)
    assert bool(warnings) is flagged
    if flagged:
        assert warnings[0].total == 12345 and warnings[0].spans[0]["text"] == figure


def test_stated_step():
    assert stated_step("1.2万件") == 1000
    assert stated_step("3亿元") == 10 ** 8
    assert stated_step("1.25萬") == 100
    assert stated_step("224件") == 0


def _fact(text, value, unit, approximate=False, iid="s08.request.total", start=0):
    return Fact(TextSpan(start, start + len(text), text), value, unit, approximate, [], iid)


def test_units_of_another_kind_are_not_compared():
    cell = _fact("40", 40, "件", start=100)
    assert compare(_fact("44元", 44, "元"), cell) is None
    assert compare(_fact("44人", 44, "人"), cell) is None
    assert compare(_fact("44宗", 44, "宗"), cell) is False  # 宗 and 件 count the same things
    assert compare(_fact("40宗", 40, "宗"), cell) is True
    assert check_narrative([_fact("44元", 44, "元")], {"s08.request.total": [cell]}) == []
    assert len(check_narrative([_fact("44宗", 44, "宗")], {"s08.request.total": [cell]})) == 1


def test_a_figure_that_agrees_with_one_of_two_cells_is_not_flagged():
    cells = {"s08.request.total": [_fact("40", 40, None, start=100), _fact("44", 44, None, start=200)]}
    assert check_narrative([_fact("44件", 44, "件")], cells) == []
    assert check_narrative([_fact("44件", 44, "件", iid=None)], cells) == []


def test_narrative_parts_that_add_up_to_the_cell_are_not_flagged():
    cells = {"s08.request.total": [_fact("40", 40, None, start=100)]}
    parts = [_fact("30件", 30, "件", start=0), _fact("10件", 10, "件", start=10)]
    assert check_narrative(parts, cells) == []
    wrong = [_fact("30件", 30, "件", start=0), _fact("12件", 12, "件", start=10)]
    assert [w["spans"][0]["text"] for w in check_narrative(wrong, cells)] == ["30件", "12件"]


def test_last_years_figure_and_changes_are_not_compared(nlp):
    report = _report("全年共收到政府信息公开申请40件，比上年增加4件，上年收到政府信息公开申请36件。", nlp)
    assert _narrative(report) == []


def test_the_check_can_be_switched_off():
    nlp = govie.build_rule_pipeline()
    nlp.get_pipe("govie_indicators").checks = False
    report = govie.parse(TITLE + "全年共收到政府信息公开申请44件。\n" + TABLE, nlp=nlp)
    assert _narrative(report) == []
    assert govie.build_rule_pipeline().get_pipe_config("govie_indicators")["checks"] is True


def test_spans_keep_their_offsets_in_a_long_text_read_in_chunks(nlp, monkeypatch):
    filler = "".join(f"第{i}段工作情况说明。\n" for i in range(40))
    text = filler + TITLE + "全年共收到政府信息公开申请44件。\n" + TABLE
    monkeypatch.setattr(api, "CHUNK_CHARS", len(filler) // 2)
    report = govie.parse(text, nlp=nlp)
    warnings = _narrative(report)
    assert len(warnings) == 1
    for sp in warnings[0].spans:
        assert sp["start"] > len(filler) // 2 and text[sp["start"]:sp["end"]] == sp["text"]


def test_render_highlights_and_links_both_spans(nlp):
    report = _report("全年共收到政府信息公开申请44件。", nlp)
    page = render_html(report, "checks")
    w = _narrative(report)[0]
    for sp in w.spans:
        sid = f'q{sp["start"]}-{sp["end"]}'
        assert f'id="{sid}"' in page and f'href="#{sid}"' in page
        tag = page[page.rindex("<", 0, page.index(f'id="{sid}"')):page.index(f'id="{sid}"')]
        assert "warn" in tag
    assert "narrative <q>44件</q>" in page and "table <q>40</q>" in page


def test_render_survives_malformed_spans(nlp):
    report = _report("全年共收到政府信息公开申请44件。", nlp)
    bad = Check("x", "s08.request.total", 1, {}, 0, "narrative",
                spans=[{"role": "narrative", "start": "a", "end": 3}, {"start": 10 ** 9, "end": 10 ** 9 + 2}, "junk"])
    page = render_html(replace(report, checks=[bad]), "bad")
    assert "consistency warning" in page
