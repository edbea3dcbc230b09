"""Reading report files into text: format and encoding told from the content, within limits.

The file's bytes decide how it is read: ``%PDF-`` is a PDF, a ZIP package with
``word/document.xml`` is a DOCX, an HTML page is HTML, whatever its name; the extension only
decides between a plain text file and an HTML page when the content could be either. Text
encodings are detected (BOMs, UTF-8, GB18030/GBK, Big5, UTF-16/32 with or without a BOM); a file
whose encoding cannot be told is refused rather than read as mojibake.

Every failure is an :class:`InputError` (a ``ValueError``) whose one-line message names the file.
Limits (see ``docs/limits.md``) are module constants, overridable per call (``read_file(path,
limits=Limits(max_chars=...))``) or through ``GOVIE_MAX_*`` environment variables.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, Optional, Tuple, Union

from .decode import (MAX_CHARS, MAX_DOCX_BYTES, MAX_FILE_BYTES, MAX_HTML_BYTES, MAX_HTML_DEPTH,  # noqa: F401
                     MAX_PDF_PAGES, MAX_PDF_STREAM_BYTES, InputError, Limits, _limits, _magic_name, decode,
                     read_bytes, sniff, READERS, INPUT_SUFFIXES)


def _read_text(p: Path, data: bytes, limits: Limits) -> str:
    if len(data) > 4 * limits.max_chars + 4:
        _too_long(p, len(data) // 4, limits)
    what = _magic_name(data)
    if what:
        raise InputError(f"{p}: not a text file ({what})")
    return decode(data, str(p))


def _too_long(p: Path, n: int, limits: Limits) -> None:
    raise InputError(f"{p}: more than {limits.max_chars:,} characters of text (the limit; set GOVIE_MAX_CHARS "
                     "to raise it)")


def _read_html(p: Path, data: bytes, limits: Limits) -> str:
    from . import extract  # HTML, DOCX, PDF: imported when one is read (a text file does not need it)

    return extract.html_text(data, str(p), limits=limits)


def _read_docx(p: Path, data: bytes, limits: Limits) -> str:
    from . import extract

    return extract.docx_text(p, data=data, limits=limits)


def _read_pdf(p: Path, data: bytes, limits: Limits) -> str:
    from . import extract

    return extract.pdf_text(p, data=data, limits=limits)


def _refuse(what: str) -> Callable[[Path, bytes, Limits], str]:
    def reader(p: Path, data: bytes, limits: Limits) -> str:
        raise InputError(f"{p}: {what}")
    return reader


_FORMAT_READERS: Dict[str, Callable[[Path, bytes, Limits], str]] = {
    "text": _read_text, "html": _read_html, "docx": _read_docx, "pdf": _read_pdf,
    "zip": _refuse("not a text file (a ZIP archive without word/document.xml, not a DOCX)"),
    "ole": _refuse("an OLE2 compound file (a legacy .doc/.xls, or a password-protected DOCX): not supported; "
                   "save it as .docx without a password"),
    "not-pdf": _refuse("not a PDF file (no %PDF- header)"),
}


def _one_line(e: BaseException) -> str:
    msg = " ".join(str(e).split())
    return f"{type(e).__name__}: {msg[:160]}" if msg else type(e).__name__


def read_text(path: Union[str, Path], limits: Optional[Limits] = None) -> str:
    """Text of a plain-text report in any supported encoding (no format detection)."""
    p = Path(path)
    lim = _limits(limits)
    text = _read_text(p, read_bytes(p, lim.max_file_bytes), lim)
    if len(text) > lim.max_chars:
        _too_long(p, len(text), lim)
    return text


def read_file(path: Union[str, Path], limits: Optional[Limits] = None) -> str:
    """Text of a report file: plain text, HTML, DOCX or PDF, told from the content.

    Raises :class:`InputError` with a one-line message naming the file for anything it cannot read,
    including a file over one of the :class:`Limits` (default: from the environment).
    """
    p = Path(path)
    try:
        lim = _limits(limits)
        data = read_bytes(p, lim.max_file_bytes)
        kind = sniff(data, p.suffix)
        text = _FORMAT_READERS[kind](p, data, lim)
        if len(text) > lim.max_chars:
            _too_long(p, len(text), lim)
        return text
    except InputError as e:
        if str(p) not in str(e):
            raise InputError(f"{p}: {e}") from None
        raise
    except (RecursionError, MemoryError) as e:
        raise InputError(f"{p}: too complex to read ({type(e).__name__})") from None
    except Exception as e:  # an extractor library's unexpected failure: one line, no traceback
        raise InputError(f"{p}: cannot read ({_one_line(e)})") from None
