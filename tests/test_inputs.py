"""Real inputs, bad inputs and many inputs: readers, extractors, the CLI's errors, batch mode."""
from __future__ import annotations

import codecs
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import govie
from govie import api
from govie.cli import main
from govie.io.readers import InputError, decode, read_file

SENTENCE = "全市累计主动公开政府信息57194条，共受理依申请公开169件，其中当面申请34件。"
ROOT = Path(__file__).resolve().parents[1]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["parse", *argv, "--model", "rules"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], err


def assert_offsets(report) -> None:
    for f in report.quantities:
        for span in (f.quantity, *f.metrics):
            assert report.text[span.start:span.end] == span.text


def values(report) -> list:
    return [(f.quantity.text, f.value, f.indicator) for f in report.facts]


# ------------------------------------------------------------------------------------- bad inputs
def test_empty_file(tmp_path, capsys):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    assert read_file(p) == ""
    report = govie.parse_file(p, nlp=govie.build_rule_pipeline())
    assert report.text == "" and report.facts == []
    code, out, err = run_cli(capsys, str(p))
    assert code == 0 and out == ""
    assert_one_line_error(err, "empty input")


def test_binary_file(tmp_path, capsys):
    p = tmp_path / "image.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(InputError, match="image.txt"):
        read_file(p)
    code, out, err = run_cli(capsys, str(p))
    assert code == 1 and out == ""
    assert_one_line_error(err, "image.txt")


@pytest.mark.parametrize("data", [
    SENTENCE.encode("utf-8")[:40] + b"\xff\xfe\xfa" + SENTENCE.encode("utf-8")[40:],  # stray bytes
    bytes(range(0x80, 0x100)) * 8,  # no encoding fits
])
def test_invalid_encoding(tmp_path, capsys, data):
    p = tmp_path / "bad.txt"
    p.write_bytes(data)
    try:
        text = read_file(p)
    except InputError as e:
        assert "\n" not in str(e) and "bad.txt" in str(e)
        code, out, err = run_cli(capsys, str(p))
        assert code == 1
        assert_one_line_error(err, "bad.txt")
    else:  # decoded by the fallback detector: still parseable
        assert isinstance(text, str)
        assert_offsets(govie.parse(text, nlp=govie.build_rule_pipeline()))


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_encodings(tmp_path, rules_nlp, encoding):
    text = SENTENCE + "\n二、行政复议情况\n本年度行政复议12件。\n"
    p = tmp_path / f"{encoding}.txt"
    p.write_bytes(text.encode(encoding))
    assert read_file(p) == text
    report = govie.parse_file(p, nlp=rules_nlp)
    assert report.text == text
    assert values(report) == values(govie.parse(text, nlp=rules_nlp))
    assert any(f.value == 57194 for f in report.facts)


def test_utf16_with_bom_byte_order(tmp_path):
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        assert decode(bom + SENTENCE.encode(enc)) == SENTENCE


def test_nul_and_control_characters(rules_nlp, tmp_path):
    clean = govie.parse(SENTENCE, nlp=rules_nlp)
    dirty_text = SENTENCE.replace("全市", "全\x00市").replace("其中", "其\x07中\x1b").replace("。", "\x7f。")
    dirty = govie.parse(dirty_text, nlp=rules_nlp)
    assert dirty.text == dirty_text
    assert_offsets(dirty)
    assert [f.value for f in dirty.facts] == [f.value for f in clean.facts]
    # a lone surrogate (from errors="surrogateescape" decoding) must not crash spaCy
    odd = govie.parse("\udcff" + SENTENCE + "\ud800", nlp=rules_nlp)
    assert_offsets(odd)
    assert [f.value for f in odd.facts] == [f.value for f in clean.facts]
    # a file with a few NULs in otherwise normal text is still text
    p = tmp_path / "nul.txt"
    p.write_bytes((SENTENCE * 20).encode("utf-8") + b"\x00\x00")
    assert read_file(p).startswith(SENTENCE)


@pytest.mark.parametrize("text", [
    "The county published 57,194 items and received 169 requests in 2023.",
    "В 2023 году опубликовано 57194 документа.",
    "نشرت 57194 وثيقة في عام 2023",
    "😀 🙂 ∑ ∞ ½ ① ② Ⅻ ﬁ \u200b\u200d\ufeff\u2028\u2029 e\u0301",
])
def test_non_chinese_text(rules_nlp, text):
    report = govie.parse(text, nlp=rules_nlp)
    assert report.text == text
    assert_offsets(report)


@pytest.mark.parametrize("unit", ["数据", "1234567890", "共受理依申请公开169件其中当面申请34件", "abc"])
def test_single_long_line_without_punctuation(rules_nlp, unit):
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    started = time.monotonic()
    report = govie.parse(text, nlp=rules_nlp)
    assert time.monotonic() - started < 120  # quadratic regex scans took minutes before long runs were cut
    assert report.text == text
    assert_offsets(report)
    if unit.startswith("共受理"):
        assert len(report.facts) > 9000


def test_chunks_keep_offsets(rules_nlp, monkeypatch):
    paragraph = SENTENCE + "\n"
    text = paragraph * 600  # ~27 000 characters
    whole = govie.parse(text, nlp=rules_nlp)
    pieces = list(api.chunks(text, size=1_000))
    assert len(pieces) > 20
    assert "".join(p for _, p in pieces) == text
    assert all(text[s:s + len(p)] == p for s, p in pieces)
    monkeypatch.setattr(api, "CHUNK_CHARS", 1_000)
    chunked = govie.parse(text, nlp=rules_nlp)
    assert_offsets(chunked)
    assert [(f.quantity.start, f.value) for f in chunked.facts] == [(f.quantity.start, f.value) for f in whole.facts]
    assert len(chunked.facts) == 3 * 600


def test_chunks_cut_long_runs():
    text = "数" * 2_500 + "，" + "1" * 30 + "数" * 3_000
    pieces = list(api.chunks(text, size=100_000, run=1_000))
    assert "".join(p for _, p in pieces) == text
    longest = max(len(m.group()) for _, p in pieces for m in re.finditer(r"\w+", p))
    assert longest <= 1_000
    assert list(api.chunks("数" * 999, run=1_000)) == [(0, "数" * 999)]


@pytest.mark.slow
def test_cli_on_5mb_file(tmp_path, seed_texts):
    base = "\n".join(seed_texts.values()) + "\n"
    n = 5_000_000 // len(base.encode("utf-8")) + 1
    p = tmp_path / "big.txt"
    p.write_text(base * n, encoding="utf-8")
    assert p.stat().st_size >= 5_000_000
    out = tmp_path / "big.jsonl"
    proc = subprocess.run([sys.executable, "-m", "govie.cli", "parse", str(p), "--model", "rules", "-o", str(out)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    one = govie.parse(base, nlp=govie.build_rule_pipeline())
    assert len(rows) >= len(one.facts) * n * 0.95
    text = base * n
    for row in rows[:: max(1, len(rows) // 500)]:
        q = row["quantity"]
        assert text[q["start"]:q["end"]] == q["text"]


# ---------------------------------------------------------------------------------------- readers
HTML = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>2023年政府信息公开工作年度报告</title><style>p { color: red }</style>
<script>var x = "共受理依申请公开999件";</script></head>
<body><div class="nav">首页 &gt; 年报</div>
<h1>一、总体情况</h1>
<p>全市累计主动公开政府信息<b>57194</b>条，
共受理依申请公开169件。<br>其中当面申请34件。</p><!-- 注释：1件 -->
<table border="1"><tr><th>项目</th><th>数量</th></tr>
<tr><td>当面申请</td><td>34</td></tr><tr><td>网上<br>申请</td><td>120</td></tr><tr><td></td><td></td></tr></table>
<ul><li>行政复议12件</li><li>行政诉讼3件</li></ul>
<noscript>请启用脚本</noscript></body></html>"""
HTML_LINES = ["2023年政府信息公开工作年度报告", "首页 > 年报", "一、总体情况",
              "全市累计主动公开政府信息57194条，共受理依申请公开169件。", "其中当面申请34件。",
              "项目 | 数量", "当面申请 | 34", "网上申请 | 120", "行政复议12件", "行政诉讼3件"]


def test_html_reader(tmp_path, rules_nlp):
    p = tmp_path / "report.html"
    p.write_bytes(HTML.encode("gbk"))
    text = read_file(p)
    assert text.splitlines() == HTML_LINES
    report = govie.parse_file(p, nlp=rules_nlp)
    assert report.text == text
    assert_offsets(report)
    assert 57194 in [f.value for f in report.facts]
    assert 999 not in [f.value for f in report.quantities]  # script dropped


def test_html_reader_encodings(tmp_path):
    utf8 = HTML.replace("charset=gb2312", "charset=utf-8")
    for name, data in (("utf8.htm", utf8.encode("utf-8")),
                       ("nometa.html", HTML.replace('<meta http-equiv="Content-Type" content="text/html; '
                                                    'charset=gb2312">', "").encode("gbk")),
                       ("mislabelled.html", HTML.encode("utf-8")),  # says gb2312, is UTF-8
                       ("bom.html", codecs.BOM_UTF8 + HTML.encode("utf-8"))):
        p = tmp_path / name
        p.write_bytes(data)
        assert read_file(p).splitlines() == HTML_LINES, name


def test_html_layout_table(tmp_path):
    html = ("<table><tr><td><p>一、总体情况</p><p>主动公开政府信息12条。</p>"
            "<table><tr><td>项目</td><td>数量</td></tr></table></td></tr></table>")
    p = tmp_path / "layout.html"
    p.write_text(html, encoding="utf-8")
    assert read_file(p).splitlines() == ["一、总体情况", "主动公开政府信息12条。", "项目 | 数量"]


def _docx(path: Path) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_heading("2023年政府信息公开工作年度报告", level=1)
    d.add_paragraph("全市累计主动公开政府信息57194条。")
    t = d.add_table(rows=3, cols=3)
    for i, row in enumerate([["项目", "数量", "备注"], ["当面申请", "34", ""], ["网上申请", "120", "含邮件"]]):
        for j, v in enumerate(row):
            t.cell(i, j).text = v
    d.add_paragraph("二、行政复议情况")
    d.add_paragraph("")
    d.add_paragraph("本年度行政复议12件。")
    d.save(str(path))


def test_docx_reader(tmp_path, rules_nlp):
    p = tmp_path / "report.docx"
    _docx(p)
    text = read_file(p)
    assert text.splitlines() == ["2023年政府信息公开工作年度报告", "全市累计主动公开政府信息57194条。",
                                 "项目 | 数量 | 备注", "当面申请 | 34 |", "网上申请 | 120 | 含邮件",
                                 "二、行政复议情况", "本年度行政复议12件。"]
    report = govie.parse_file(p, nlp=rules_nlp)
    assert_offsets(report)
    assert {57194, 12} <= {f.value for f in report.facts}


def test_docx_damaged(tmp_path, capsys):
    good = tmp_path / "good.docx"
    _docx(good)
    for name, data in (("zip.docx", b"PK\x03\x04 not really a zip"), ("cut.docx", good.read_bytes()[:2000]),
                       ("text.docx", SENTENCE.encode("utf-8"))):
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(InputError, match=name) as e:
            read_file(p)
        assert "\n" not in str(e.value)
        code, _, err = run_cli(capsys, str(p))
        assert code == 1
        assert_one_line_error(err, name)


def _pdf(path: Path, pages: int = 1, table: bool = True) -> None:
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # built-in CJK font, nothing to download
    c = canvas.Canvas(str(path))
    for i in range(pages):
        c.setFont("STSong-Light", 12)
        c.drawString(72, 760, f"第{i + 1}页")
        c.drawString(72, 740, "全市累计主动公开政府信息57194条，共受理依申请公开169件。")
        if table:
            for r, row in enumerate([["项目", "数量"], ["当面申请", "34"], ["网上申请", "120"]]):
                for k, cell in enumerate(row):
                    c.rect(72 + k * 150, 680 - r * 20, 150, 20)
                    c.drawString(76 + k * 150, 685 - r * 20, cell)
        c.drawString(72, 600, "本年度行政复议12件。")
        c.showPage()
    c.save()


def test_pdf_reader(tmp_path, rules_nlp):
    pytest.importorskip("pdfplumber")
    p = tmp_path / "report.pdf"
    _pdf(p, pages=2)
    text = read_file(p)
    page = ["全市累计主动公开政府信息57194条，共受理依申请公开169件。", "项目 | 数量", "当面申请 | 34", "网上申请 | 120",
            "本年度行政复议12件。"]
    assert text.splitlines() == ["第1页", *page, "第2页", *page]
    report = govie.parse_file(p, nlp=rules_nlp)
    assert report.text == text
    assert_offsets(report)
    assert [f.value for f in report.facts].count(57194) == 2


def test_pdf_without_table(tmp_path):
    pytest.importorskip("pdfplumber")
    p = tmp_path / "plain.pdf"
    _pdf(p, table=False)
    assert read_file(p).splitlines() == ["第1页", "全市累计主动公开政府信息57194条，共受理依申请公开169件。",
                                         "本年度行政复议12件。"]


def test_image_only_pdf(tmp_path, capsys):
    pytest.importorskip("pdfplumber")
    pytest.importorskip("reportlab")
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    p = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(p))
    c.drawImage(ImageReader(Image.new("RGB", (300, 400), "white")), 50, 300, 300, 400)
    c.showPage()
    c.save()
    with pytest.raises(InputError, match=r"scan\.pdf: image-only PDF \(no text layer\); run OCR first"):
        read_file(p)
    code, _, err = run_cli(capsys, str(p))
    assert code == 1
    assert_one_line_error(err, "image-only PDF")


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.95])
def test_truncated_pdf(tmp_path, capsys, fraction):
    pytest.importorskip("pdfplumber")
    good = tmp_path / "good.pdf"
    _pdf(good, pages=3)
    data = good.read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(data[:int(len(data) * fraction)])
    with pytest.raises(InputError, match="cut.pdf") as e:
        read_file(p)
    assert "\n" not in str(e.value)
    code, out, err = run_cli(capsys, str(p))
    assert code == 1 and out == ""
    assert_one_line_error(err, "cut.pdf")


def test_not_a_pdf(tmp_path):
    pytest.importorskip("pdfplumber")
    p = tmp_path / "fake.pdf"
    p.write_text(SENTENCE, encoding="utf-8")
    with pytest.raises(InputError, match="not a PDF"):
        read_file(p)


@pytest.mark.parametrize("suffix,module", [(".pdf", "pdfplumber"), (".docx", "docx"), (".html", "bs4")])
def test_missing_optional_library(tmp_path, monkeypatch, suffix, module):
    p = tmp_path / f"report{suffix}"
    p.write_bytes(b"%PDF-1.4\n" if suffix == ".pdf" else b"<p>x</p>")
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    with pytest.raises(InputError, match=r"pip install govie\[readers\]"):
        read_file(p)


# ------------------------------------------------------------------------------------ many inputs
def _corpus(root: Path) -> None:
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(SENTENCE, encoding="utf-8")
    (root / "b.txt").write_bytes(("二、行政复议\n本年度行政复议12件。").encode("gbk"))
    (root / "sub" / "c.html").write_bytes(HTML.encode("gbk"))
    (root / "empty.txt").write_bytes(b"")
    (root / "broken.txt").write_bytes(bytes(range(256)) * 3)
    (root / "notes.md").write_text("ignored", encoding="utf-8")


def test_batch_directory(tmp_path, capsys):
    src, out = tmp_path / "in", tmp_path / "out"
    _corpus(src)
    code, stdout, err = run_cli(capsys, str(src), "-o", f"{out}/")
    assert code == 1  # broken.txt
    assert stdout == ""
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".govie-batch.json", "a.txt.jsonl", "b.txt.jsonl", "empty.txt.jsonl", "errors.tsv", "sub/c.html.jsonl"]
    rows = [json.loads(line) for line in (out / "a.txt.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["value"] for r in rows] == [57194, 169, 34]
    assert rows[0]["source"].endswith("a.txt")
    assert (out / "empty.txt.jsonl").read_text() == ""
    errors = (out / "errors.tsv").read_text(encoding="utf-8").splitlines()
    assert errors[0] == "path\terror" and len(errors) == 2 and "broken.txt" in errors[1]
    summary = err.strip().splitlines()[-1]
    assert "4 parsed" in summary and "1 failed" in summary and "chars/s" in summary

    # resume: nothing is parsed again; a deleted output is redone
    (out / "b.txt.jsonl").unlink()
    code, _, err = run_cli(capsys, str(src), "-o", str(out))
    assert code == 1
    assert "1 parsed, 3 skipped" in err
    assert (out / "b.txt.jsonl").exists()


def test_batch_jobs_and_formats(tmp_path, capsys):
    src = tmp_path / "in"
    _corpus(src)
    (src / "broken.txt").unlink()
    out = tmp_path / "out"  # no trailing slash, not existing: --jobs with a directory input means batch
    code, _, err = run_cli(capsys, str(src), "-o", str(out), "--jobs", "2", "--format", "tsv")
    assert code == 0, err
    lines = (out / "a.txt.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("source\tquantity_start") and len(lines) == 4
    assert not (out / "errors.tsv").read_text().strip().splitlines()[1:]
    # csv works in batch mode since #18: a row per report, stacked into all.csv
    code, _, err = run_cli(capsys, str(src), "-o", f"{tmp_path / 'csv'}/", "--format", "csv")
    assert code == 0, err
    rows = (tmp_path / "csv" / "all.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + 4  # the header, a.txt, b.txt, empty.txt, sub/c.html


def test_batch_progress_and_result(tmp_path):
    import io

    from govie.io.batch import run_batch

    src = tmp_path / "in"
    _corpus(src)
    stream = io.StringIO()
    result = run_batch([str(src)], tmp_path / "out", jobs=1, fmt="json", nlp_path="rules", stream=stream)
    assert (result.parsed, result.failed, result.skipped, result.empty) == (4, 1, 0, 1)
    d = json.loads((tmp_path / "out" / "a.txt.json").read_text(encoding="utf-8"))
    assert [f["value"] for f in d["facts"]] == [57194, 169, 34]


def test_cli_parse_jobs_to_stdout(tmp_path, capsys):
    src = tmp_path / "in"
    _corpus(src)
    code, out, err = run_cli(capsys, str(src), "--jobs", "2")
    assert code == 1
    sources = {json.loads(line)["source"] for line in out.splitlines()}
    assert {Path(s).name for s in sources} == {"a.txt", "b.txt", "c.html"}
    assert "broken.txt" in err and "Traceback" not in err


def test_cli_errors_are_one_line(tmp_path):
    """A real process: the bad files each give one stderr line, no traceback, exit code 1."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(SENTENCE, encoding="utf-8")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (src / "cut.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    (src / "cut.docx").write_bytes(b"PK\x03\x04")
    proc = subprocess.run([sys.executable, "-m", "govie.cli", "parse", str(src), "--model", "rules"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("govie: ") for line in lines), proc.stderr
    assert len(proc.stdout.splitlines()) == 3


def test_parse_many_two_processes_same_as_one(seed_texts):
    """Worker batches (a partial one at the end included) come back complete and in order."""
    import govie

    nlp = govie.load("rules")
    texts = list(seed_texts.values()) + [seed_texts["000"][:500], ""]
    one = [r.to_dict() for r in govie.parse_many(texts, nlp=nlp)]
    two = [r.to_dict() for r in govie.parse_many(texts, nlp=nlp, n_process=2, batch_size=2)]
    assert len(two) == len(texts) and two == one
    # a stream (no len): batches of one, most parsed here while the worker starts, still in order
    streamed = [r.to_dict() for r in govie.parse_many(iter(texts), nlp=nlp, n_process=2, batch_size=1)]
    assert streamed == one
    assert sum(len(r["facts"]) for r in one) > 100
