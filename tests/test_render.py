"""``govie render``: the HTML page of one report (govie/render.py)."""
import html
import json
import re
import time
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

import govie
from govie.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE, main
from govie.io.readers import read_file
from govie.io.render import format_value, render_html
from govie.report import Check, Fact, Report, TextSpan

SAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "texts" / "002_1a63cabe0a2d3b9a.txt"


class PageParser(HTMLParser):
    """Collects ids, in-page links, external references and the embedded link data."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.external: list[str] = []
        self.open_tags: list[str] = []
        self.links_json = ""
        self._in_links = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if "href" in a:
            self.hrefs.append(a["href"])
        for key in ("src", "srcset", "action", "data"):
            if key in a:
                self.external.append(f"{tag} {key}={a[key]}")
        if tag == "link":
            self.external.append(f"link {a}")
        self._in_links = tag == "script" and a.get("id") == "govie-links"

    def handle_endtag(self, tag):
        self._in_links = False

    def handle_data(self, data):
        if self._in_links:
            self.links_json += data


def parse_page(page: str) -> PageParser:
    p = PageParser()
    p.feed(page)
    p.close()
    return p


def check_well_formed(page: str) -> PageParser:
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    p = parse_page(page)
    assert len(p.ids) == len(set(p.ids)), "duplicate ids"
    ids = set(p.ids)
    for href in p.hrefs:
        assert href.startswith("#"), f"not an in-page link: {href}"
        assert href[1:] in ids, f"link to a missing id: {href}"
    assert not p.external, p.external
    for head, tail, label in json.loads(p.links_json):
        assert head in ids and tail in ids
        assert label in ("VALUE_OF", "PART_OF")
    # self-contained: no stylesheet, font or script is fetched
    low = page.lower()
    assert "@import" not in low
    assert not re.search(r"url\(\s*['\"]?(?!#)", low), "url() to something outside the page"
    return p


@pytest.fixture(scope="module")
def sample_report():
    return govie.parse(read_file(SAMPLE))


@pytest.fixture(scope="module")
def cli_page(tmp_path_factory):
    out = tmp_path_factory.mktemp("render") / "report.html"
    assert main(["render", str(SAMPLE), "-o", str(out)]) == EXIT_OK
    return out.read_text(encoding="utf-8")


def test_cli_page_has_every_fact(cli_page, sample_report):
    assert sample_report.facts
    for f in sample_report.facts:
        assert html.escape(f.quantity.text) in cli_page
        assert f">{html.escape(format_value(f.value))}<" in cli_page
        for m in f.metrics:
            assert html.escape(m.text) in cli_page
    assert f"<title>{SAMPLE.name} · govie</title>" in cli_page


def test_cli_page_is_well_formed(cli_page, sample_report):
    p = check_well_formed(cli_page)
    ids = set(p.ids)
    # every fact has a table row, which links to its quantity span in the text
    for f in sample_report.facts:
        qid = f"q{f.quantity.start}-{f.quantity.end}"
        assert qid in ids
        assert f'href="#{qid}"' in cli_page
    assert sum(1 for i in ids if i.startswith("f") and i[1:].isdigit()) == len(sample_report.facts)
    assert json.loads(p.links_json), "no VALUE_OF links embedded"


def test_text_is_kept_verbatim(sample_report):
    """With the markup stripped, the page's text column is the report text."""
    page = render_html(sample_report, "x")
    body = page.split('<div id="text">', 1)[1].split("</div></div>", 1)[0]

    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts = []

        def handle_data(self, data):
            self.parts.append(data)

    t = Text()
    t.feed(body)
    assert "".join(t.parts) == sample_report.text


def test_escaping():
    text = '受理申请169件。<script>alert("x")</script>，"引号" & 其他 <b>粗</b>'
    report = govie.parse(text)
    page = render_html(report, title='<img src=x onerror="alert(1)">')
    check_well_formed(page)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<script>" not in page.split('<div id="text">')[1].split("</div>")[0]
    assert "<b>粗</b>" not in page and "&lt;b&gt;粗&lt;/b&gt;" in page
    assert "<img" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    # only govie's own two script elements
    assert page.count("<script") == 2
    # markup inside a highlighted span is escaped too
    report = govie.parse('受理<script>alert("x")</script>申请169件')
    page = render_html(report, "t")
    check_well_formed(page)
    assert page.count("<script") == 2 and "&lt;/script&gt;申请" in page


def test_checks_box_and_escaping():
    text = "共受理依申请公开169件，其中当面申请34件，网上申请120件。"
    report = govie.parse(text)
    facts = [replace(f, indicator_id=i) for f, i in zip(report.facts, ["apply.total", "apply.in_person"])]
    check = Check(message="parts <do not> add up", total_id="apply.total", total=169,
                  parts={"apply.in_person": 34, "apply.online": 120}, gap=15)
    report = replace(report, facts=facts, checks=[check])
    page = render_html(report, "checks")
    check_well_formed(page)
    assert "1 consistency warning" in page
    assert "parts &lt;do not&gt; add up" in page
    assert "<b>15</b>" in page and "apply.online" in page
    assert 'href="#f1"><code>apply.total</code>' in page
    empty = render_html(replace(report, checks=[]), "no checks")
    assert "no consistency warnings" in empty


def test_empty_and_odd_reports():
    page = render_html(govie.parse(""), "empty")
    check_well_formed(page)
    assert "no facts" in page
    # overlapping, out-of-range and control-character spans do not break the page
    text = "甲乙丙丁\x0c戊己庚辛"
    q = Fact(TextSpan(0, 3, "甲乙丙"), 3, None, False, [TextSpan(2, 4, "丙丁")])
    bad = Fact(TextSpan(7, 99, "?"), 1, None, False, [TextSpan(-1, 2, "?")])
    report = Report(text=text, facts=[q, bad], quantities=[q, bad],
                    relations=[{"label": "PART_OF", "head": {"start": 5, "end": 7}, "tail": {"start": 1, "end": 2}},
                               {"label": "VALUE_OF", "head": "broken"}])
    page = render_html(report, "odd")
    check_well_formed(page)
    assert "\x0c" not in page


def test_large_report_renders_fast(sample_report):
    """A 30k-character report: ids stay unique, links valid, rendering well under a second."""
    parts, facts, quantities, relations = [], [], [], []
    offset = 0

    def sh(s):
        return TextSpan(s.start + offset, s.end + offset, s.text)

    while offset < 30_000:
        parts.append(sample_report.text + "\n")
        for f in sample_report.quantities:
            g = replace(f, quantity=sh(f.quantity), metrics=[sh(m) for m in f.metrics])
            quantities.append(g)
            if f.metrics:
                facts.append(g)
        relations += [{**r, "head": {**r["head"], "start": r["head"]["start"] + offset,
                                     "end": r["head"]["end"] + offset},
                       "tail": {**r["tail"], "start": r["tail"]["start"] + offset,
                                "end": r["tail"]["end"] + offset}} for r in sample_report.relations]
        offset += len(sample_report.text) + 1
    big = Report(text="".join(parts), facts=facts, quantities=quantities, relations=relations)
    assert len(big.text) >= 30_000
    t = time.perf_counter()
    page = render_html(big, "big")
    assert time.perf_counter() - t < 2.0
    p = check_well_formed(page)
    assert sum(1 for i in p.ids if i.startswith("f") and i[1:].isdigit()) == len(facts)


def test_cli_exit_codes(tmp_path, capsys):
    out = tmp_path / "o.html"
    assert main(["render", str(tmp_path / "missing.txt"), "-o", str(out)]) == EXIT_USAGE
    assert main(["render", str(tmp_path), "-o", str(out)]) == EXIT_USAGE
    assert main(["render"]) == EXIT_USAGE
    binary = tmp_path / "bin.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    assert main(["render", str(binary), "-o", str(out)]) == EXIT_INPUT
    assert not out.exists()
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    capsys.readouterr()
    assert main(["render", str(empty), "-o", str(out), "--model", "rules"]) == EXIT_OK
    assert "empty input" in capsys.readouterr().err
    check_well_formed(out.read_text(encoding="utf-8"))


def test_cli_stdout(tmp_path, capsys):
    src = tmp_path / "r.txt"
    src.write_text("全市累计主动公开政府信息57194条。", encoding="gb18030")
    assert main(["render", str(src), "--title", "T<1>"]) == EXIT_OK
    page = capsys.readouterr().out
    assert "57194条" in page and "<title>T&lt;1&gt; · govie</title>" in page
