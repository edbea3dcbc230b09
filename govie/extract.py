"""Text from HTML, DOCX and PDF reports, tables kept as rows (``a | b | c``).

The extractors need the ``readers`` extra (``pip install govie[readers]``): BeautifulSoup for HTML,
python-docx for DOCX, pdfplumber for PDF. Every failure is an :class:`~govie.readers.InputError`
with a one-line message naming the file.
"""
from __future__ import annotations

import contextlib
import logging
import re
from pathlib import Path
from typing import Iterator, List, Optional, Union

from .readers import InputError, decode

CELL_SEP = " | "
INSTALL_HINT = "pip install govie[readers]"

_WS = re.compile(r"[ \t\r\n\f\v\u00a0\u3000]+")
_INLINE_WS = re.compile(r"[ \t\r\n\f\v\u00a0]+")
#: CJK ideographs, full-width forms and CJK punctuation: no space is wanted between them
_CJK_CH = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CJK = re.compile(f"[{_CJK_CH}]")


def extract(path: Union[str, Path]) -> str:
    """Text of an ``.html``/``.htm``, ``.docx`` or ``.pdf`` report."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".html", ".htm"):
        return html_text(_read_bytes(p), str(p))
    if suffix == ".docx":
        return docx_text(p)
    if suffix == ".pdf":
        return pdf_text(p)
    raise InputError(f"{p}: unsupported file type {suffix or '(no extension)'!r} (.txt .html .htm .docx .pdf)")


def _read_bytes(p: Path) -> bytes:
    try:
        return p.read_bytes()
    except OSError as e:
        raise InputError(f"{p}: {e.strerror or e}") from None


def _missing(name: str, what: str, module: str) -> InputError:
    return InputError(f"{name}: reading {what} needs {module}; {INSTALL_HINT}")


def _one_line(e: BaseException) -> str:
    msg = " ".join(str(e).split())
    return f"{type(e).__name__}: {msg[:120]}" if msg else type(e).__name__


_WRAP = re.compile(rf"(?<=[{_CJK_CH}])[ \t\r\f\v]*\n\s*(?=[{_CJK_CH}])")


def _squash(text: str) -> str:
    """Source line breaks between CJK characters vanish; other whitespace runs become one space."""
    return _INLINE_WS.sub(" ", _WRAP.sub("", text))


def _tidy_lines(lines: Iterator[str]) -> str:
    """Strip each line, collapse inline whitespace runs, drop empty lines."""
    out = []
    for line in lines:
        line = _INLINE_WS.sub(" ", line).strip(" \u3000")
        if line:
            out.append(line)
    return "\n".join(out)


def _join_wrapped(text: str) -> str:
    """A wrapped cell's lines joined: no space between CJK characters, one space otherwise."""
    parts = [p.strip() for p in text.splitlines() if p.strip()]
    if not parts:
        return ""
    out = parts[0]
    for p in parts[1:]:
        out += ("" if _CJK.match(out[-1]) and _CJK.match(p[0]) else " ") + p
    return out


def _row(cells: List[Optional[str]]) -> str:
    """One table row as a line; '' when every cell is empty."""
    cells = [_WS.sub(" ", c or "").strip() for c in cells]
    return CELL_SEP.join(cells) if any(cells) else ""


# ------------------------------------------------------------------------------------------- HTML
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
                    "windows-936": "gb18030", "unicode": "utf-16", "utf8": "utf-8"}
_DROP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "button", "select"}
_BLOCK = {"address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
          "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
          "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre",
          "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul"}


def html_bytes_to_str(data: bytes, name: str = "<html>") -> str:
    """Decode HTML bytes: a BOM wins, then ``<meta charset>``, then :func:`govie.readers.decode`.

    A page declared as GBK/GB2312 (or any non-UTF-8 charset) whose bytes are valid UTF-8 with
    non-ASCII characters is read as UTF-8: such declarations outlive re-encoding.
    """
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        m = _META_CHARSET.search(data[:4096])
        if m:
            enc = m.group(1).decode("ascii").lower()
            enc = _CHARSET_ALIASES.get(enc, enc)
            if enc.replace("-", "").replace("_", "") != "utf8" and not data.isascii():
                try:  # pages re-saved as UTF-8 often keep their old gb2312 declaration
                    return data.decode("utf-8")
                except UnicodeDecodeError:
                    pass
            try:
                return data.decode(enc)
            except (LookupError, UnicodeDecodeError):
                pass  # wrong or unknown declaration: detect instead
    return decode(data, name)


def html_text(data: Union[bytes, str], name: str = "<html>") -> str:
    """Visible text of an HTML page: one line per block element, one line per table row."""
    try:
        from bs4 import BeautifulSoup
        from bs4.element import Comment, NavigableString, Tag
    except ImportError:
        raise _missing(name, "HTML", "beautifulsoup4") from None
    html = html_bytes_to_str(data, name) if isinstance(data, bytes) else data
    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""

    def cell_text(cell: Tag) -> str:
        parts: List[str] = []
        walk(cell, parts)
        return _WS.sub(" ", _squash("".join(parts))).strip()

    def table_lines(table: Tag) -> List[str]:
        lines = []
        for tr in table.find_all("tr"):
            if tr.find_parent("table") is not table:
                continue  # a nested table's row: read with its cell
            cells = [c for c in tr.find_all(["td", "th"]) if c.find_parent("tr") is tr]
            line = _row([cell_text(c) for c in cells])
            if line:
                lines.append(line)
        return lines

    def walk(node: Tag, out: List[str]) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not Comment, Doctype, CData, ProcessingInstruction
                    out.append(_squash(str(child)))
                continue
            if not isinstance(child, Tag) or isinstance(child, Comment):
                continue
            name_ = (child.name or "").lower()
            if name_ in _DROP:
                continue
            if name_ == "br":
                out.append("\n")
            elif name_ == "table" and child.find("table") is None:  # a data table: rows as lines
                out.append("\n" + "\n".join(table_lines(child)) + "\n")
            elif name_ == "pre":
                out.append("\n" + child.get_text() + "\n")
            elif name_ in _BLOCK:
                out.append("\n")
                walk(child, out)
                out.append("\n")
            else:
                walk(child, out)

    parts: List[str] = [title, "\n"] if title else []
    walk(soup, parts)
    return _tidy_lines("".join(parts).splitlines())


# ------------------------------------------------------------------------------------------- DOCX
def docx_text(path: Union[str, Path]) -> str:
    """Paragraphs and tables of a DOCX file in document order; table rows as ``a | b | c`` lines."""
    p = Path(path)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:
        raise _missing(str(p), "DOCX", "python-docx") from None
    if not p.exists():
        raise InputError(f"{p}: no such file or directory")
    try:
        document = docx.Document(str(p))
    except Exception as e:  # python-docx / lxml errors on damaged packages
        if type(e).__name__ == "PackageNotFoundError":
            raise InputError(f"{p}: not a readable DOCX file (not a zip package, or truncated)") from None
        raise InputError(f"{p}: not a readable DOCX file ({_one_line(e)})") from None

    def blocks(container) -> Iterator[object]:
        if hasattr(container, "iter_inner_content"):
            yield from container.iter_inner_content()
            return
        body = container.element.body if hasattr(container, "element") else container._tc
        for child in body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                yield Paragraph(child, container)
            elif tag == "tbl":
                yield Table(child, container)

    def cell_text(cell) -> str:
        texts = []
        for block in blocks(cell):
            if isinstance(block, Table):
                texts.extend(table_lines(block))
            else:
                texts.append(block.text)
        return " ".join(t for t in texts if t.strip())

    def table_lines(table) -> List[str]:
        lines = []
        for row in table.rows:
            cells, seen = [], set()
            for cell in row.cells:  # a merged cell appears once per grid column it spans
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                cells.append(cell_text(cell))
            line = _row(cells)
            if line:
                lines.append(line)
        return lines

    lines: List[str] = []
    try:
        for block in blocks(document):
            if isinstance(block, Table):
                lines.extend(table_lines(block))
            else:
                lines.append(block.text)
    except Exception as e:  # pragma: no cover - malformed XML inside a valid package
        raise InputError(f"{p}: damaged DOCX content ({_one_line(e)})") from None
    return _tidy_lines(lines)


# -------------------------------------------------------------------------------------------- PDF
_CID = re.compile(r"\(cid:\d+\)")


@contextlib.contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    """pdfminer logs warnings about damaged files; the caller reports one line instead."""
    loggers = [logging.getLogger(n) for n in ("pdfminer", "pdfplumber")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def _page_text(page) -> str:
    """A page's text; where pdfplumber finds ruled tables, their rows as ``a | b | c`` lines."""
    tables = page.find_tables()
    if not tables:
        return page.extract_text() or ""
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    items = [(line["top"], line["text"]) for line in page.filter(outside).extract_text_lines()]
    for t in tables:
        rows = [_row([_join_wrapped(c or "") for c in row]) for row in t.extract()]
        items.append((t.bbox[1], "\n".join(r for r in rows if r)))
    items.sort(key=lambda it: it[0])
    return "\n".join(text for _, text in items if text)


def pdf_text(path: Union[str, Path]) -> str:
    """Text layer of a PDF, page by page. Image-only (scanned) and damaged PDFs raise InputError."""
    p = Path(path)
    try:
        import pdfplumber
    except ImportError:
        raise _missing(str(p), "PDF", "pdfplumber") from None
    head = _read_bytes(p)[:1024]
    if b"%PDF-" not in head:
        raise InputError(f"{p}: not a PDF file (no %PDF- header)")
    pages: List[str] = []
    n_chars = n_images = 0
    with _quiet_pdfminer():
        try:
            with pdfplumber.open(str(p)) as pdf:
                for page in pdf.pages:
                    n_chars += len(page.chars)
                    n_images += len(page.images)
                    pages.append(_page_text(page))
                    if hasattr(page, "close"):
                        page.close()  # frees the page's parsed objects
        except InputError:
            raise
        except Exception as e:
            name = type(e).__name__
            if "Password" in name or "Encrypt" in name:
                raise InputError(f"{p}: encrypted PDF, cannot read ({name})") from None
            raise InputError(f"{p}: truncated or damaged PDF ({_one_line(e)})") from None
    text = "\n".join(t for t in pages if t.strip())
    if not n_chars:
        if n_images:
            raise InputError(f"{p}: image-only PDF (no text layer); run OCR first")
        return ""
    if len(_CID.findall(text)) * 8 > len(text):
        raise InputError(f"{p}: PDF fonts have no Unicode mapping (text reads as (cid:N)); run OCR first")
    return text
