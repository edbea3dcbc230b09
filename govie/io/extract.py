"""Text from HTML, DOCX and PDF reports, tables kept as rows (``a | b | c``).

The extractors need the ``readers`` extra (``pip install govie[readers]``): BeautifulSoup for HTML,
python-docx for DOCX, pdfplumber for PDF. Every failure is an :class:`~govie.io.readers.InputError`
with a one-line message naming the file.
"""
from __future__ import annotations

import contextlib
import io
import logging
import re
import zlib
from pathlib import Path
from typing import Iterator, List, Optional, Union

from .decode import InputError, Limits, _limits, decode, read_bytes

CELL_SEP = " | "
INSTALL_HINT = "pip install govie[readers]"

_WS = re.compile(r"[ \t\r\n\f\v\u00a0\u3000]+")
_INLINE_WS = re.compile(r"[ \t\r\n\f\v\u00a0]+")
#: CJK ideographs, full-width forms and CJK punctuation: no space is wanted between them
_CJK_CH = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CJK = re.compile(f"[{_CJK_CH}]")



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


def _plausible(text: str) -> bool:
    """Text that reads like a Chinese report (see :func:`govie.io.readers.decode`), judged on a sample."""
    from .decode import _CJK, _score

    sample = text[:1 << 16]
    good, bad, common = _score(sample)
    return bad <= 0.02 and (common >= 0.6 or len(_CJK.findall(sample)) < 4)


def html_bytes_to_str(data: bytes, name: str = "<html>") -> str:
    """Decode HTML bytes: a BOM wins, then ``<meta charset>``, then :func:`govie.io.readers.decode`.

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
                text = data.decode(enc)
            except (LookupError, UnicodeDecodeError):
                pass  # wrong or unknown declaration: detect instead
            else:
                if _plausible(text):
                    return text  # else a page re-saved in another encoding: detect instead
    return decode(data, name)


def _parser_error(e: BaseException) -> str:
    """The parser's own complaint, on one line (BeautifulSoup wraps it in a long explanation)."""
    msg = str(e)
    marker = "Original exception(s) from parser:"
    if marker in msg:
        msg = msg.split(marker, 1)[1]
    msg = " ".join(msg.split())
    return msg[:160] or type(e).__name__


def _max_depth(root, limit: int) -> int:
    """Nesting depth of the element tree, counted without recursion; stops once past ``limit``."""
    from bs4.element import Tag

    deepest, stack = 0, [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
        stack.extend((c, depth + 1) for c in node.contents if isinstance(c, Tag))
    return deepest


def html_text(data: Union[bytes, str], name: str = "<html>", limits: Optional[Limits] = None) -> str:
    """Visible text of an HTML page: one line per block element, one line per table row.

    Pages larger than ``limits.max_html_bytes`` or nested deeper than ``limits.max_html_depth``
    raise :class:`InputError`; the tree is walked without recursion.
    """
    try:
        from bs4 import BeautifulSoup
        from bs4.element import Comment, NavigableString, Tag
    except ImportError:
        raise _missing(name, "HTML", "beautifulsoup4") from None
    lim = _limits(limits)
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > lim.max_html_bytes:
        raise InputError(f"{name}: HTML larger than {lim.max_html_bytes:,} bytes (the limit; set "
                         "GOVIE_MAX_HTML_BYTES to raise it)")
    html = html_bytes_to_str(data, name) if isinstance(data, bytes) else data
    try:
        soup = BeautifulSoup(html, "html.parser")
    except Exception as e:  # html.parser rejects a few constructs (unknown marked sections)
        raise InputError(f"{name}: malformed HTML ({_parser_error(e)})") from None
    if _max_depth(soup, lim.max_html_depth) > lim.max_html_depth:
        raise InputError(f"{name}: HTML nested deeper than {lim.max_html_depth:,} elements (the limit; set "
                         "GOVIE_MAX_HTML_DEPTH to raise it)")
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
        # an explicit stack of (children still to read, text to add after them): no recursion
        stack = [(iter(node.children), "")]
        while stack:
            child = next(stack[-1][0], None)
            if child is None:
                out.append(stack.pop()[1])
                continue
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
                stack.append((iter(child.children), "\n"))
            else:
                stack.append((iter(child.children), ""))

    parts: List[str] = [title, "\n"] if title else []
    walk(soup, parts)
    return _tidy_lines("".join(parts).splitlines())


# ------------------------------------------------------------------------------------------- DOCX
#: entries of a DOCX package; real documents have a few dozen
MAX_DOCX_ENTRIES = 10_000


def _check_docx_package(name: str, data: bytes, limit: int) -> None:
    """Refuse a DOCX whose parts declare more than ``limit`` bytes uncompressed (a zip bomb).

    Reading a part stops at its declared size (``zipfile``), and a part that declared less than it
    holds then fails its CRC check: the declared sizes bound what is decompressed.
    """
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise InputError(f"{name}: not a readable DOCX file (not a zip package, or truncated)") from None
    total = sum(i.file_size for i in infos)
    if total > limit or len(infos) > MAX_DOCX_ENTRIES:
        raise InputError(f"{name}: DOCX expands to more than {limit:,} bytes ({len(infos):,} parts declaring "
                         f"{total:,} bytes; the limit; set GOVIE_MAX_DOCX_BYTES to raise it)")
    if "word/document.xml" not in {i.filename for i in infos}:
        raise InputError(f"{name}: not a readable DOCX file (no word/document.xml in the package)")


def docx_text(path: Union[str, Path], data: Optional[bytes] = None, limits: Optional[Limits] = None) -> str:
    """Paragraphs and tables of a DOCX file in document order; table rows as ``a | b | c`` lines.

    ``data``: the file's bytes when already read. A package whose parts declare more than
    ``limits.max_docx_bytes`` uncompressed is refused before anything is decompressed.
    """
    p = Path(path)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:
        raise _missing(str(p), "DOCX", "python-docx") from None
    lim = _limits(limits)
    if data is None:
        data = read_bytes(p, lim.max_file_bytes)
    _check_docx_package(str(p), data, lim.max_docx_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx / lxml / zipfile errors on damaged packages
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


class _StreamLimit(Exception):
    """A PDF's streams inflated past ``Limits.max_pdf_stream_bytes``."""


class _BoundedZlib:
    """Stands in for ``zlib`` inside ``pdfminer.pdftypes`` while one PDF is read: pdfminer inflates
    whole streams with ``zlib.decompress``, so a small file could inflate to gigabytes. Here
    inflating stops once the document's streams have produced ``limit`` bytes."""

    error = zlib.error

    def __init__(self, limit: int) -> None:
        self.left = limit
        self.exceeded = False

    def _take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            self.exceeded = True  # also seen if pdfminer swallows the exception
            raise _StreamLimit()

    def decompress(self, data, wbits: int = zlib.MAX_WBITS, bufsize: int = 0) -> bytes:
        d = zlib.decompressobj(wbits)
        out = d.decompress(data, max(self.left, 0) + 1)
        self._take(len(out))
        if not d.eof:  # as zlib.decompress does, so that pdfminer tries its repair
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
        return out

    def decompressobj(self, *args, **kwargs):
        outer, d = self, zlib.decompressobj(*args, **kwargs)

        class Bounded:
            def decompress(self, data, max_length: int = 0) -> bytes:
                cap = max(outer.left, 0) + 1
                out = d.decompress(data, min(max_length, cap) if max_length else cap)
                outer._take(len(out))
                return out

            def __getattr__(self, name):
                return getattr(d, name)

        return Bounded()

    def __getattr__(self, name):
        return getattr(zlib, name)


@contextlib.contextmanager
def _bounded_inflate(limit: int) -> Iterator[_BoundedZlib]:
    import pdfminer.pdftypes as pdftypes

    bounded, saved = _BoundedZlib(limit), pdftypes.zlib
    pdftypes.zlib = bounded
    try:
        yield bounded
    finally:
        pdftypes.zlib = saved


def _caused_by(e: Optional[BaseException], cls: type) -> bool:
    for _ in range(5):
        if e is None:
            return False
        if isinstance(e, cls):
            return True
        e = e.__cause__ or e.__context__
    return False


#: ruling lines, rectangles and curves of a page above which its tables are not looked for (the
#: page is read as plain text): table finding grows faster than linearly (10,000 rects: a minute)
MAX_TABLE_EDGES = 2_000


def _page_text(page) -> str:
    """A page's text; where pdfplumber finds ruled tables, their rows as ``a | b | c`` lines."""
    n_edges = len(page.rects) + len(page.lines) + len(page.curves)
    tables = page.find_tables() if n_edges <= MAX_TABLE_EDGES else []
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


def _encryption_error(e: BaseException) -> Optional[str]:
    """The message for an encrypted PDF's exception (pdfplumber wraps pdfminer's), else None."""
    seen = []
    while e is not None and len(seen) < 5:
        seen.append(f"{type(e).__name__} {e}")
        e = e.__cause__ or e.__context__
    text = " ".join(seen)
    if "PasswordIncorrect" in text or "password" in text.lower():
        return "encrypted PDF (password required)"
    if "Encrypt" in text:
        return "encrypted PDF (unsupported encryption)"
    return None


def _cid_share(text: str) -> float:
    """Share of the non-space characters that sit inside ``(cid:N)`` glyph codes."""
    n = len(text) - sum(text.count(c) for c in " \n\t\r\u3000")
    return sum(len(m) for m in _CID.findall(text)) / n if n > 0 else 0.0


def pdf_text(path: Union[str, Path], data: Optional[bytes] = None, limits: Optional[Limits] = None) -> str:
    """Text layer of a PDF, page by page. Image-only (scanned), encrypted, damaged PDFs raise InputError.

    ``data``: the file's bytes when already read. More than ``limits.max_pdf_pages`` pages or
    ``limits.max_chars`` characters are refused; each page's parsed objects are freed once read.
    """
    p = Path(path)
    try:
        import pdfplumber
    except ImportError:
        raise _missing(str(p), "PDF", "pdfplumber") from None
    lim = _limits(limits)
    if data is None:
        data = read_bytes(p, lim.max_file_bytes)
    if b"%PDF-" not in data[:1024]:
        raise InputError(f"{p}: not a PDF file (no %PDF- header)")
    pages: List[str] = []
    n_chars = n_images = n_text = 0
    too_big = (f"{p}: PDF streams expand to more than {lim.max_pdf_stream_bytes:,} bytes (the limit; set "
               "GOVIE_MAX_PDF_STREAM_BYTES to raise it)")
    with _quiet_pdfminer(), _bounded_inflate(lim.max_pdf_stream_bytes) as inflate:
        try:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                if len(pdf.pages) > lim.max_pdf_pages:
                    raise InputError(f"{p}: PDF of {len(pdf.pages):,} pages, more than {lim.max_pdf_pages:,} "
                                     "pages (the limit; set GOVIE_MAX_PDF_PAGES to raise it)")
                for page in pdf.pages:
                    n_chars += len(page.chars)
                    n_images += len(page.images)
                    pages.append(_page_text(page))
                    n_text += len(pages[-1]) + 1
                    if hasattr(page, "close"):
                        page.close()  # frees the page's parsed objects
                    if n_text > lim.max_chars:
                        raise InputError(f"{p}: more than {lim.max_chars:,} characters of text (the limit; "
                                         "set GOVIE_MAX_CHARS to raise it)")
        except InputError:
            raise
        except Exception as e:
            if inflate.exceeded or _caused_by(e, _StreamLimit):
                raise InputError(too_big) from None
            encrypted = _encryption_error(e)
            if encrypted:
                raise InputError(f"{p}: {encrypted}") from None
            raise InputError(f"{p}: truncated or damaged PDF ({_one_line(e)})") from None
    if inflate.exceeded:  # pdfminer caught the exception and went on without the stream
        raise InputError(too_big)
    text = "\n".join(t for t in pages if t.strip())
    if not n_chars:
        if n_images:
            raise InputError(f"{p}: image-only PDF (no text layer); run OCR first")
        return ""
    if _cid_share(text) > 0.5:
        raise InputError(f"{p}: PDF fonts have no Unicode mapping (text reads as (cid:N)); run OCR first")
    return text
