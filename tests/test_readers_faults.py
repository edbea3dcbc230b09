"""Hostile and odd input files (issue #19): encodings and formats told from the content, limits,
unreadable paths. Every failure is one :class:`InputError` whose one-line message names the file."""
from __future__ import annotations

import codecs
import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import govie
from govie.io.extract import _quiet_pdfminer
from govie.io.readers import InputError, Limits, read_file

ROOT = Path(__file__).resolve().parents[1]
SIMPLIFIED = "全市累计主动公开政府信息57194条，共受理依申请公开169件，其中当面申请34件。"
TRADITIONAL = "全市累計主動公開政府信息57194條，共受理依申請公開169件，其中當面申請34件。"
CJK_ONLY = "全市累计主动公开政府信息共受理依申请公开其中当面申请行政复议情况本年度"


def cli(*argv: str, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """``python -m govie.cli`` in a real process, the worktree's code first on the path."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "govie.cli", *argv], capture_output=True, text=True,
                          timeout=timeout, env=full_env, cwd=str(ROOT))


def assert_one_line(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0], proc.stderr


def raises(path, match: str, **kw) -> InputError:
    with pytest.raises(InputError, match=match) as e:
        read_file(path, **kw)
    msg = str(e.value)
    assert "\n" not in msg and Path(path).name in msg, msg
    return e.value


# --------------------------------------------------------------------------------------- encodings
def test_big5_file(tmp_path, rules_nlp):
    p = tmp_path / "big5.txt"
    text = TRADITIONAL + "\n二、行政復議情況\n本年度行政復議12件。\n"
    p.write_bytes(text.encode("big5"))
    assert read_file(p) == text
    assert 57194 in [f.value for f in govie.parse_file(p, nlp=rules_nlp).facts]


def test_big5_short_and_cjk_only(tmp_path):
    for i, text in enumerate(["全市累計主動公開政府信息57194條", "政府資訊公開工作年度報告"]):
        p = tmp_path / f"b{i}.txt"
        p.write_bytes(text.encode("big5"))
        assert read_file(p) == text


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_with_bom(tmp_path, rules_nlp, encoding):
    bom = {"utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}.get(encoding, b"")
    p = tmp_path / "u32.txt"
    p.write_bytes(bom + SIMPLIFIED.encode(encoding))
    assert read_file(p) == SIMPLIFIED
    assert [f.value for f in govie.parse_file(p, nlp=rules_nlp).facts] == [57194, 169, 34]


@pytest.mark.parametrize("encoding", ["utf-32-le", "utf-32-be"])
def test_utf32_without_bom(tmp_path, encoding):
    p = tmp_path / "u32.txt"
    p.write_bytes(SIMPLIFIED.encode(encoding))
    assert read_file(p) == SIMPLIFIED


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [CJK_ONLY, TRADITIONAL, SIMPLIFIED * 3])
def test_utf16_without_bom(tmp_path, encoding, text):
    """Read correctly, or refused with a clear message; never mojibake."""
    p = tmp_path / "u16.txt"
    p.write_bytes(text.encode(encoding))
    try:
        got = read_file(p)
    except InputError as e:
        assert "cannot tell the encoding of" in str(e) and "u16.txt" in str(e)
    else:
        assert got == text


def test_utf8_cut_inside_a_character(tmp_path):
    """A UTF-8 file cut mid-character is UTF-8 (the last, partial character dropped), not GB18030."""
    text = (SIMPLIFIED + "\n") * 50
    p = tmp_path / "cut.txt"
    p.write_bytes(text.encode("utf-8")[:-2])
    assert read_file(p) == text[:-2]


def test_utf8_with_a_stray_byte(tmp_path):
    text = (SIMPLIFIED + "\n") * 50
    data = text.encode("utf-8")
    p = tmp_path / "stray.txt"
    p.write_bytes(data[:600] + b"\xff" + data[600:])
    got = read_file(p)
    assert got.replace("\ufffd", "") == text


@pytest.mark.parametrize("encoding,text", [
    ("shift_jis", "日本語のテキストです。行政文書の開示請求は１２３件でした。" * 3),
    ("shift_jis", "行政文書の開示請求"),
])
def test_unknown_encoding_refused_not_mojibake(tmp_path, encoding, text):
    """(EUC-KR is not told apart: its Hangul bytes are valid, frequent GB2312 ideographs.)"""
    p = tmp_path / "other.txt"
    p.write_bytes(text.encode(encoding))
    raises(p, "cannot tell the encoding of .*other.txt")


def test_known_encodings_still_read(tmp_path):
    text = SIMPLIFIED + "\n二、行政复议情况\n本年度行政复议12件。\n"
    for enc in ("utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-32"):
        p = tmp_path / f"{enc}.txt"
        p.write_bytes(text.encode(enc))
        assert read_file(p) == text, enc
    p = tmp_path / "gb18030-4byte.txt"
    rare = "㐀䶵" + SIMPLIFIED  # CJK extension A: four-byte GB18030 sequences
    p.write_bytes(rare.encode("gb18030"))
    assert read_file(p) == rare


# ----------------------------------------------------------------------------------------- formats
def _pdf(path: Path, pages: int = 1) -> None:
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    for i in range(pages):
        c.setFont("STSong-Light", 12)
        c.drawString(72, 760, f"第{i + 1}页")
        c.drawString(72, 740, SIMPLIFIED)
        c.showPage()
    c.save()


def _docx(path: Path, paragraphs: int = 1) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    for _ in range(paragraphs):
        d.add_paragraph(SIMPLIFIED)
    d.save(str(path))


@pytest.mark.parametrize("suffix", [".txt", ".html", ".htm", ""])
def test_pdf_renamed(tmp_path, suffix):
    pytest.importorskip("pdfplumber")
    good = tmp_path / "real.pdf"
    _pdf(good)
    renamed = tmp_path / f"renamed{suffix}"
    renamed.write_bytes(good.read_bytes())
    assert read_file(renamed) == read_file(good) == f"第1页\n{SIMPLIFIED}"


@pytest.mark.parametrize("suffix", [".txt", ".html", ".pdf", ""])
def test_docx_renamed(tmp_path, suffix):
    good = tmp_path / "real.docx"
    _docx(good)
    renamed = tmp_path / f"renamed{suffix}"
    renamed.write_bytes(good.read_bytes())
    assert read_file(renamed) == read_file(good) == SIMPLIFIED


def test_html_saved_as_txt(tmp_path):
    p = tmp_path / "page.txt"
    p.write_bytes(f"<!DOCTYPE html><html><head><title>年报</title></head><body><p>{SIMPLIFIED}</p>"
                  "<script>var x = 1;</script></body></html>".encode("utf-8"))
    assert read_file(p) == f"年报\n{SIMPLIFIED}"


@pytest.mark.parametrize("data", [b"\0" * 10_000, b"\0" * 3, bytes(range(256)) * 8,
                                  b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(200), b"\x1f\x8b\x08\0" + bytes(100)])
def test_binary_junk(tmp_path, data):
    p = tmp_path / "junk.txt"
    p.write_bytes(data)
    raises(p, "not a text file")


def test_other_zip_and_ole_files(tmp_path):
    p = tmp_path / "sheet.txt"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    raises(p, "ZIP archive")
    p = tmp_path / "old.docx"
    p.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600))
    raises(p, r"OLE2|\.doc")


def _rc4(key: bytes, data: bytes) -> bytes:
    s, j = list(range(256)), 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _cid_pdf(path: Path, codes: list[int], owner_password: bytes = b"") -> None:
    """A PDF whose Type0 font (Identity-H) has no ToUnicode map: pdfminer reads (cid:N).

    With ``owner_password``: encrypted (RC4, revision 2) with that owner password and an empty user
    password, so any reader opens it, as with reports that forbid copying.
    """
    import hashlib

    pad = bytes.fromhex("28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a")
    file_id = bytes(range(16))
    key = None
    if owner_password:
        o_value = _rc4(hashlib.md5((owner_password + pad)[:32]).digest()[:5], pad)
        perms = (-4).to_bytes(4, "little", signed=True)
        key = hashlib.md5(pad + o_value + perms + file_id).digest()[:5]
        u_value = _rc4(key, pad)

    def crypt(num: int, data: bytes) -> bytes:
        if key is None:
            return data
        return _rc4(hashlib.md5(key + num.to_bytes(3, "little") + b"\0\0").digest()[:10], data)

    def string(num: int, s: bytes) -> bytes:
        return b"<" + crypt(num, s).hex().encode() + b">"

    content = crypt(4, b"BT /F1 12 Tf 72 760 Td <" + "".join(f"{c:04x}" for c in codes).encode() + b"> Tj ET")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry "
        + string(6, b"Adobe") + b" /Ordering " + string(6, b"Identity")
        + b" /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -200 1000 800] /ItalicAngle 0"
        b" /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>",
    ]
    if key is not None:
        objs.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + o_value.hex().encode() + b"> /U <"
                    + u_value.hex().encode() + b"> /P -4 >>")
    encrypt = b" /Encrypt %d 0 R /ID [<%s><%s>]" % (len(objs), file_id.hex().encode(), file_id.hex().encode())
    _write_pdf(path, objs, encrypt if key is not None else b"")


def _write_pdf(path: Path, objs: list[bytes], trailer: bytes = b"") -> None:
    """Objects 1..n (1: the catalog) with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, trailer, xref))
    path.write_bytes(out.getvalue())


@pytest.mark.parametrize("owner_password", [b"", b"owner-secret"])
@pytest.mark.parametrize("codes", [[1000 + 37 * i for i in range(40)], [12 + i for i in range(40)]])
def test_pdf_without_unicode_mapping(tmp_path, codes, owner_password):
    """Four-digit (cid:N) codes too: the share of text inside (cid:N) tokens decides. The owner-
    password variant is the reports' case: copying forbidden, fonts without a Unicode map."""
    pytest.importorskip("pdfplumber")
    p = tmp_path / "cid.pdf"
    _cid_pdf(p, codes, owner_password)
    with _quiet_pdfminer():
        import pdfplumber

        with pdfplumber.open(str(p)) as pdf:
            assert "(cid:" in pdf.pages[0].extract_text()  # the fixture reads as intended
    raises(p, r"no Unicode mapping")


def test_user_password_pdf(tmp_path):
    pytest.importorskip("pdfplumber")
    pytest.importorskip("reportlab")
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    p = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(p), encrypt=StandardEncryption("user-secret", "owner-secret"))
    c.drawString(72, 700, "Total 57194 items")
    c.showPage()
    c.save()
    raises(p, r"encrypted PDF \(password required\)")
    # an owner password alone (empty user password) does not stop reading
    q = tmp_path / "owner.pdf"
    c = canvas.Canvas(str(q), encrypt=StandardEncryption("", "owner-secret"))
    c.drawString(72, 700, "Total 57194 items")
    c.showPage()
    c.save()
    assert read_file(q) == "Total 57194 items"


@pytest.mark.parametrize("html", ["<![foo[ x ]]>共受理12件", "<p>共受理12件<![if x]>"])
def test_malformed_html(tmp_path, html):
    p = tmp_path / "bad.html"
    p.write_text(html, encoding="utf-8")
    try:
        text = read_file(p)
    except InputError as e:
        assert "bad.html" in str(e) and "\n" not in str(e)
    else:
        assert "共受理12件" in text


def test_malformed_docx_xml(tmp_path):
    good = tmp_path / "good.docx"
    _docx(good)
    p = tmp_path / "badxml.docx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(p, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            zout.writestr(item, data)
    raises(p, "badxml.docx: .*DOCX")


def test_cli_bad_inputs_one_line_each(tmp_path):
    files = {"malformed.html": "<![foo[ x ]]>共受理12件".encode("utf-8"), "zeros.txt": b"\0" * 5000,
             "other.txt": ("日本語のテキストです。行政文書の開示請求" * 5).encode("shift_jis")}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    for name in files:
        proc = cli("parse", str(tmp_path / name), "--model", "rules")
        if name == "malformed.html" and proc.returncode == 0:
            continue
        assert_one_line(proc, name)


# ------------------------------------------------------------------------------------------ limits
def test_limits_defaults_and_env(monkeypatch):
    import govie.io.readers as readers

    lim = Limits.from_env()
    assert lim.max_file_bytes == readers.MAX_FILE_BYTES and lim.max_chars == readers.MAX_CHARS
    monkeypatch.setenv("GOVIE_MAX_FILE_BYTES", "2M")
    monkeypatch.setenv("GOVIE_MAX_CHARS", "1000")
    lim = Limits.from_env()
    assert lim.max_file_bytes == 2 * 2**20 and lim.max_chars == 1000
    monkeypatch.setenv("GOVIE_MAX_CHARS", "lots")
    with pytest.raises(InputError, match="GOVIE_MAX_CHARS"):
        Limits.from_env()


def test_max_file_bytes(tmp_path, monkeypatch):
    p = tmp_path / "big.txt"
    p.write_text(SIMPLIFIED * 100, encoding="utf-8")
    raises(p, r"file of 10,600 bytes, larger than 1,000 bytes .*GOVIE_MAX_FILE_BYTES",
           limits=Limits(max_file_bytes=1000))  # a regular file's size is known unread
    monkeypatch.setenv("GOVIE_MAX_FILE_BYTES", "1000")
    raises(p, "larger than")
    monkeypatch.setenv("GOVIE_MAX_FILE_BYTES", "1M")
    assert read_file(p) == SIMPLIFIED * 100


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_quickly():
    started = time.monotonic()
    with pytest.raises(InputError, match="/dev/zero"):
        read_file("/dev/zero", limits=Limits(max_file_bytes=2**20))
    proc = cli("parse", "/dev/zero", "--model", "rules", env={"GOVIE_MAX_FILE_BYTES": "1M"})
    assert_one_line(proc, "/dev/zero")
    assert time.monotonic() - started < 60


def test_max_chars(tmp_path):
    p = tmp_path / "long.txt"
    p.write_text(SIMPLIFIED * 100, encoding="utf-8")
    raises(p, r"more than 1,000 characters", limits=Limits(max_chars=1000))
    assert len(read_file(p, limits=Limits(max_chars=len(SIMPLIFIED) * 100))) == len(SIMPLIFIED) * 100


def test_docx_bomb(tmp_path):
    """A DOCX whose parts expand past the limit is refused from the zip's declared sizes."""
    good = tmp_path / "good.docx"
    _docx(good)
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                head, _, tail = data.partition(b"</w:body>")
                para = b"<w:p><w:r><w:t>" + SIMPLIFIED.encode() + b"</w:t></w:r></w:p>"
                data = head + para * 40_000 + b"</w:body>" + tail  # ~5 MB of XML, ~50 kB compressed
            zout.writestr(item.filename, data)
    assert bomb.stat().st_size < 200_000
    started = time.monotonic()
    raises(bomb, r"DOCX expands to more than", limits=Limits(max_docx_bytes=2**20))
    assert time.monotonic() - started < 5
    # a lying size in the zip directory does not get past the limit either
    raw = bytearray(bomb.read_bytes())
    with zipfile.ZipFile(bomb) as z:
        info = z.getinfo("word/document.xml")
    cd = raw.rfind(b"PK\x01\x02", 0, len(raw))
    while cd != -1:
        name_len = int.from_bytes(raw[cd + 28:cd + 30], "little")
        if raw[cd + 46:cd + 46 + name_len] == b"word/document.xml":
            raw[cd + 24:cd + 28] = (1000).to_bytes(4, "little")  # declared uncompressed size
            break
        cd = raw.rfind(b"PK\x01\x02", 0, cd)
    liar = tmp_path / "liar.docx"
    liar.write_bytes(bytes(raw))
    assert info.file_size > 2**20
    raises(liar, "liar.docx", limits=Limits(max_docx_bytes=2**20))


def test_docx_within_limit_reads(tmp_path):
    p = tmp_path / "ok.docx"
    _docx(p, paragraphs=3)
    assert read_file(p, limits=Limits(max_docx_bytes=2**20)).splitlines() == [SIMPLIFIED] * 3


@pytest.mark.parametrize("depth", [995, 10_000])
def test_deeply_nested_html(tmp_path, depth):
    p = tmp_path / "deep.html"
    p.write_text("<div>" * depth + SIMPLIFIED + "</div>" * depth, encoding="utf-8")
    started = time.monotonic()
    try:
        text = read_file(p)
    except InputError as e:
        assert "nested deeper than" in str(e)
    else:
        assert text == SIMPLIFIED
    assert time.monotonic() - started < 30


def test_deeply_nested_html_cli(tmp_path):
    """``govie parse`` and ``govie render`` on 10,000 nested tags: text or one clear line, no traceback."""
    p = tmp_path / "deep.html"
    p.write_text("<table><tr><td>" * 3000 + SIMPLIFIED + "</td></tr></table>" * 3000, encoding="utf-8")
    for argv in (["parse", str(p), "--model", "rules"], ["render", str(p), "--model", "rules",
                                                          "-o", str(tmp_path / "out.html")]):
        proc = cli(*argv)
        assert "Traceback" not in proc.stderr and "RecursionError" not in proc.stderr, proc.stderr
        assert proc.returncode in (0, 1), proc.stderr
        if proc.returncode == 1:
            assert_one_line(proc, "deep.html")


def test_html_depth_limit(tmp_path):
    p = tmp_path / "deep.html"
    p.write_text("<div>" * 50 + SIMPLIFIED + "</div>" * 50, encoding="utf-8")
    raises(p, "nested deeper than 20", limits=Limits(max_html_depth=20))
    assert read_file(p, limits=Limits(max_html_depth=60)) == SIMPLIFIED


def test_html_byte_limit(tmp_path):
    p = tmp_path / "huge.html"
    p.write_text("<p>" + SIMPLIFIED + "</p>\n" * 2000, encoding="utf-8")
    raises(p, r"HTML larger than .*GOVIE_MAX_HTML_BYTES", limits=Limits(max_html_bytes=10_000))


def test_pdf_pages_budget(tmp_path):
    """Pages are read one at a time within a per-page time budget; a page limit refuses early."""
    pytest.importorskip("pdfplumber")
    p = tmp_path / "many.pdf"
    n = 12
    _pdf(p, pages=n)
    started = time.monotonic()
    text = read_file(p)
    assert text.count(SIMPLIFIED) == n
    assert time.monotonic() - started < n * 1.0
    raises(p, r"more than 5 pages", limits=Limits(max_pdf_pages=5))


# ------------------------------------------------------------------------------- unreadable paths
def test_directory(tmp_path):
    d = tmp_path / "folder.txt"
    d.mkdir()
    raises(d, "folder.txt: is a directory")


def test_symlink_loop(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.symlink_to(b)
    b.symlink_to(a)
    raises(a, "a.txt: .*symbolic links")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path):
    p = tmp_path / "secret.txt"
    p.write_text(SIMPLIFIED, encoding="utf-8")
    p.chmod(0)
    try:
        raises(p, "secret.txt: Permission denied")
        assert_one_line(cli("parse", str(p), "--model", "rules"), "secret.txt", "Permission denied")
    finally:
        p.chmod(0o600)


def test_missing_file():
    raises("/nonexistent/none.txt", "none.txt: No such file or directory")


def test_unexpected_extractor_failure_is_an_input_error(tmp_path, monkeypatch):
    """Whatever an extractor library raises reaches the caller as one InputError line."""
    pytest.importorskip("bs4")
    import bs4

    def boom(*a, **k):
        raise RuntimeError("parser exploded\nsecond line")

    monkeypatch.setattr(bs4, "BeautifulSoup", boom)
    p = tmp_path / "x.html"
    p.write_text("<p>x</p>", encoding="utf-8")
    raises(p, "x.html")


# -------------------------------------------------------------------------------------- registry
def test_one_suffix_registry():
    from govie.io import batch, readers
    from govie import cli as cli_mod

    assert set(readers.READERS) == {".txt", ".html", ".htm", ".docx", ".pdf"}
    assert cli_mod.INPUT_SUFFIXES is readers.INPUT_SUFFIXES
    assert "INPUT_SUFFIXES" in Path(batch.__file__).read_text(encoding="utf-8")
    assert "from .readers import INPUT_SUFFIXES" in Path(batch.__file__).read_text(encoding="utf-8")


def test_html_declared_charset_is_checked(tmp_path):
    """A page declaring gb2312 whose bytes are Big5 (a re-saved page) is read as Big5, not mojibake."""
    p = tmp_path / "big5.html"
    p.write_bytes(f'<html><head><meta charset="gb2312"></head><body><p>{TRADITIONAL}</p></body></html>'
                  .encode("big5"))
    assert read_file(p) == TRADITIONAL


def test_permission_denied_message(tmp_path, monkeypatch):
    """(Root reads anything, so the refusal is simulated.)"""
    import builtins

    import govie.io.decode as decode  # read_bytes opens the file

    def deny(path, *a, **k):
        raise PermissionError(13, "Permission denied", str(path))

    p = tmp_path / "secret.txt"
    p.write_text(SIMPLIFIED, encoding="utf-8")
    monkeypatch.setattr(decode, "open", deny, raising=False)
    raises(p, "secret.txt: Permission denied")
    monkeypatch.setattr(decode, "open", builtins.open, raising=False)
    assert read_file(p) == SIMPLIFIED


@pytest.mark.parametrize("encoding,text", [("big5", TRADITIONAL), ("gbk", SIMPLIFIED)])
def test_encoding_told_past_a_long_ascii_start(tmp_path, encoding, text):
    """The encoding is judged where the non-ASCII text starts, not on an ASCII preamble."""
    preamble = "Report 2023, page header 12345.\n" * 3000  # ~96 kB of ASCII
    body = (text + "\n") * 20
    p = tmp_path / "long.txt"
    p.write_bytes((preamble + body).encode(encoding))
    assert read_file(p) == preamble + body


def test_pdf_page_with_too_many_edges_skips_table_finding(tmp_path, monkeypatch):
    """Table finding grows faster than linearly with a page's ruling lines (10,000 rects took a
    minute): past ``extract.MAX_TABLE_EDGES`` the page is read as plain text."""
    pytest.importorskip("pdfplumber")
    pytest.importorskip("reportlab")
    from reportlab.pdfgen import canvas

    import govie.io.extract as extract

    p = tmp_path / "grid.pdf"
    c = canvas.Canvas(str(p))
    c.drawString(72, 800, "Total 57194 items")
    for i in range(30):
        for j in range(30):
            c.rect(20 + i * 5, 20 + j * 7, 5, 7)
    c.showPage()
    c.save()
    calls = []
    monkeypatch.setattr(extract, "MAX_TABLE_EDGES", 500)
    import pdfplumber.page

    real = pdfplumber.page.Page.find_tables
    monkeypatch.setattr(pdfplumber.page.Page, "find_tables",
                        lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    assert read_file(p) == "Total 57194 items"
    assert calls == []



def _flate_pdf(path: Path, padding: int) -> None:
    """One page whose compressed content stream carries ``padding`` bytes of blanks (a flate bomb)."""
    import zlib

    content = zlib.compress(b"BT /F1 12 Tf 72 760 Td (Total 57194 items) Tj ET\n" + b" " * padding, 9)
    _write_pdf(path, [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def test_pdf_flate_bomb(tmp_path):
    """A compressed stream is inflated only up to the limit (pdfminer inflates whole streams)."""
    pytest.importorskip("pdfplumber")
    p = tmp_path / "bomb.pdf"
    _flate_pdf(p, 8 * 2**20)
    assert p.stat().st_size < 50_000
    started = time.monotonic()
    raises(p, r"PDF streams expand to more than 1,048,576 bytes .*GOVIE_MAX_PDF_STREAM_BYTES",
           limits=Limits(max_pdf_stream_bytes=2**20))
    assert time.monotonic() - started < 10
    assert read_file(p) == "Total 57194 items"  # within the default
    ok = tmp_path / "ok.pdf"
    _flate_pdf(ok, 1000)
    assert read_file(ok, limits=Limits(max_pdf_stream_bytes=2**20)) == "Total 57194 items"
