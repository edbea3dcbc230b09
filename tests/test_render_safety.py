"""Hostile report text: HTML pages and spreadsheet outputs must show it, never run it (#19)."""
import csv
import io
import json
from dataclasses import replace

import pytest

bs4 = pytest.importorskip("bs4")

import govie  # noqa: E402
from govie.cli import main  # noqa: E402
from govie.io.render import render_html  # noqa: E402
from govie.report import Check, Fact, Report, TextSpan  # noqa: E402

PAYLOADS = ['<script>alert(1)</script>', '" onmouseover="x', "' onfocus='y", "</style><script>alert(2)</script>",
            "</textarea><img src=x onerror=alert(3)>", "<!-- -->", "]]><svg onload=alert(4)>", "&lt;script&gt;"]
SENTENCE = "全市累计主动公开政府信息57194条，共受理依申请公开169件，其中当面申请34件。"


def hostile_text() -> str:
    return "".join(f"{p}{SENTENCE}\n" for p in PAYLOADS)


def hostile_report() -> Report:
    """A parsed hostile text, with hostile strings also in every other field the page shows."""
    text = hostile_text()
    report = govie.parse(text, nlp=govie.load("rules"))
    assert report.facts
    evil = PAYLOADS[0] + PAYLOADS[1]
    facts = [replace(f, unit=evil, indicator_id=PAYLOADS[3]) for f in report.facts]
    check = Check(message=evil, total_id=PAYLOADS[1], total=1, parts={PAYLOADS[4]: 2}, gap=1)
    meta = {"tables": [{"kind": "s08", "start": 0, "end": 10, "cells": 4}], PAYLOADS[2]: PAYLOADS[0]}
    return replace(report, facts=facts, quantities=facts, checks=[check], meta=meta)


def soup_of(page: str):
    return bs4.BeautifulSoup(page, "html.parser")


def test_hostile_text_is_shown_not_run():
    report = hostile_report()
    page = render_html(report, title=PAYLOADS[1] + PAYLOADS[0])
    soup = soup_of(page)
    scripts = soup.find_all("script")
    assert len(scripts) == 2  # govie's own: the link data and the page script
    assert scripts[0].get("type") == "application/json" and scripts[0].get("id") == "govie-links"
    json.loads(scripts[0].string)
    assert "alert" not in scripts[1].string
    assert not soup.find_all(["img", "svg", "textarea"]) or all(
        not t.attrs.get("src") and not t.attrs.get("onload") for t in soup.find_all(["img", "svg"]))
    for tag in soup.find_all(True):
        handlers = [a for a in tag.attrs if a.lower().startswith("on")]
        assert not handlers, (tag.name, tag.attrs)
    assert len(soup.find_all("style")) == 1
    # the text round-trips as text
    assert soup.find(id="text").get_text() == report.text
    assert soup.find("h1").get_text() == PAYLOADS[1] + PAYLOADS[0]
    assert soup.title.get_text() == PAYLOADS[1] + PAYLOADS[0] + " · govie"
    # the hostile fields are shown as text too
    table = soup.find(id="facts").get_text()
    assert PAYLOADS[0] + PAYLOADS[1] in table and PAYLOADS[3] in table
    assert PAYLOADS[4] in soup.find(id="checks").get_text()


def test_page_header_shows_no_python_repr():
    report = hostile_report()
    page = render_html(report, "t")
    header = soup_of(page).find("header").get_text()
    assert "{'" not in header and "[{" not in header and "'kind'" not in header
    assert "1 table" in header


def test_cli_render_of_hostile_file(tmp_path, capsys):
    src = tmp_path / "evil.txt"
    src.write_text(hostile_text(), encoding="utf-8")
    out = tmp_path / "evil.html"
    assert main(["render", str(src), "-o", str(out), "--model", "rules"]) == 0
    soup = soup_of(out.read_text(encoding="utf-8"))
    assert len(soup.find_all("script")) == 2
    assert soup.find(id="text").get_text() == hostile_text()
    assert not [t for t in soup.find_all(True) for a in t.attrs if a.lower().startswith("on")]


# ------------------------------------------------------------------------------ spreadsheet injection
@pytest.mark.parametrize("cell,safe", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("主动公开", "主动公开"),
    ("", ""),
    (-5, -5),
    (-2.5, -2.5),
    (57194, 57194),
])
def test_sheet_cell(cell, safe):
    from govie.cli import sheet_cell

    assert sheet_cell(cell) == safe


def _fact(value, qtext, metric, unit=None):
    return Fact(TextSpan(0, len(qtext), qtext), value, unit, False, [TextSpan(0, len(metric), metric)], "x.y")


def test_tsv_row_neutralises_formulas_and_keeps_numbers():
    from govie.cli import _tsv_row

    row = _tsv_row({"source": "=evil.txt", **_fact(-5, "-5件", "=1+1", "@u").to_dict()})
    assert row[0] == "'=evil.txt" and row[3] == "'-5件" and row[5] == "'@u" and row[9] == "'=1+1"
    assert row[4] == -5  # the value stays a number
    # JSON keeps the value numeric and the text as it is
    d = json.loads(Report(text="-5件", facts=[_fact(-5, "-5件", "=1+1")], quantities=[]).to_json())
    assert d["facts"][0]["value"] == -5 and d["facts"][0]["quantity"]["text"] == "-5件"


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_cli_spreadsheet_outputs_are_neutralised(tmp_path, capsys, monkeypatch, fmt):
    monkeypatch.chdir(tmp_path)
    for name in ("=cmd.txt", "+x.txt", "@y.txt"):
        (tmp_path / name).write_text(SENTENCE, encoding="utf-8")
    code = main(["parse", "=cmd.txt", "+x.txt", "@y.txt", "--format", fmt, "--model", "rules"])
    out = capsys.readouterr().out
    assert code == 0
    rows = list(csv.reader(io.StringIO(out), delimiter="\t" if fmt == "tsv" else ","))
    sources = {r[0] for r in rows[1:]}
    assert sources == {"'=cmd.txt", "'+x.txt", "'@y.txt"}
    for r in rows[1:]:
        assert not r[0][:1] in ("=", "+", "-", "@")
    if fmt == "tsv":
        assert {r[4] for r in rows[1:]} == {"57194", "169", "34"}


def test_batch_tsv_is_neutralised(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src, out = tmp_path / "=in", tmp_path / "out"
    src.mkdir()
    (src / "=cmd.txt").write_text(SENTENCE, encoding="utf-8")
    assert main(["parse", "=in", "-o", f"{out}/", "--format", "tsv", "--model", "rules"]) == 0
    rows = list(csv.reader(io.StringIO((out / "=cmd.txt.tsv").read_text(encoding="utf-8")), delimiter="\t"))
    assert [r[0] for r in rows[1:]] == ["'=in/=cmd.txt"] * 3
    assert [r[4] for r in rows[1:]] == ["57194", "169", "34"]


def test_render_output_equal_to_input_is_refused(tmp_path, capsys):
    src = tmp_path / "report.txt"
    src.write_text(SENTENCE, encoding="utf-8")
    assert main(["render", str(src), "-o", str(tmp_path / "." / "report.txt"), "--model", "rules"]) == 2
    assert src.read_text(encoding="utf-8") == SENTENCE
    assert "input" in capsys.readouterr().err
