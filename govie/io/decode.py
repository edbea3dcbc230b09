"""Bytes to text: the limits every reader obeys, encoding detection and format sniffing.

Every failure is an :class:`InputError` (a ``ValueError``) whose one-line message names the file.
Limits (see ``docs/limits.md``) are module constants, overridable per call (``read_file(path,
limits=Limits(max_chars=...))``) or through ``GOVIE_MAX_*`` environment variables.
"""
from __future__ import annotations

import codecs
import dataclasses
import os
import re
import stat
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union


class InputError(ValueError):
    """A file govie cannot read as a report (binary, undecodable, image-only PDF, over a limit, ...)."""


# ------------------------------------------------------------------------------------------ limits
#: bytes read from any one file (a PDF with scanned pages can be large); more is refused unread
MAX_FILE_BYTES = 256 * 2**20
#: characters of text per document, whatever the format: parsing takes ~90 bytes of memory a
#: character (50 MB = 18.9 M characters peaked at 1.8 GiB), so one document stays within 2 GiB
MAX_CHARS = 20_000_000
#: bytes of an HTML page: the parse tree takes ~75 times the page's size in memory
MAX_HTML_BYTES = 16 * 2**20
#: nesting depth of HTML elements (real pages stay below 100)
MAX_HTML_DEPTH = 512
#: total uncompressed size of a DOCX package's parts, from the ZIP directory (zip bombs)
MAX_DOCX_BYTES = 256 * 2**20
#: pages of a PDF
MAX_PDF_PAGES = 2_000
#: bytes a PDF's compressed (Flate) streams may inflate to, all together (pdfminer keeps them)
MAX_PDF_STREAM_BYTES = 512 * 2**20

_ENV = {"max_file_bytes": "GOVIE_MAX_FILE_BYTES", "max_chars": "GOVIE_MAX_CHARS",
        "max_html_bytes": "GOVIE_MAX_HTML_BYTES", "max_html_depth": "GOVIE_MAX_HTML_DEPTH",
        "max_docx_bytes": "GOVIE_MAX_DOCX_BYTES", "max_pdf_pages": "GOVIE_MAX_PDF_PAGES",
        "max_pdf_stream_bytes": "GOVIE_MAX_PDF_STREAM_BYTES"}
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one file may cost; a value over a limit makes :func:`read_file` raise :class:`InputError`."""

    max_file_bytes: int = MAX_FILE_BYTES
    max_chars: int = MAX_CHARS
    max_html_bytes: int = MAX_HTML_BYTES
    max_html_depth: int = MAX_HTML_DEPTH
    max_docx_bytes: int = MAX_DOCX_BYTES
    max_pdf_pages: int = MAX_PDF_PAGES
    max_pdf_stream_bytes: int = MAX_PDF_STREAM_BYTES

    @classmethod
    def from_env(cls, environ: Optional[Dict[str, str]] = None) -> "Limits":
        """The module defaults, each overridden by its ``GOVIE_MAX_*`` variable where set.

        Values are positive integers, optionally with a ``K``/``M``/``G`` suffix (powers of 1024).
        """
        env = os.environ if environ is None else environ
        values = {}
        for field, var in _ENV.items():
            raw = env.get(var, "").strip()
            if not raw:
                continue
            m = re.fullmatch(r"([0-9][0-9_]*)\s*([KMG]?)(?:i?B)?", raw, re.I)
            n = int(m.group(1).replace("_", "")) * _UNITS[m.group(2).upper()] if m else 0
            if n < 1:
                raise InputError(f"{var}={raw!r}: expected a positive integer (optionally with K, M or G)")
            values[field] = n
        return cls(**values)


def _limits(limits: Optional[Limits]) -> Limits:
    return limits if limits is not None else Limits.from_env()


# --------------------------------------------------------------------------------------- encodings
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_SAMPLE = 1 << 16
#: characters plainly of a Chinese report: ASCII, CJK ideographs and punctuation, full-width forms,
#: general punctuation, circled/Roman numerals, box drawing, Latin-1 signs (·, ×, °)
_GOOD = re.compile("[\t\n\r\f\x20-\x7e\u00a0-\u00ff\u2010-\u206f\u2100-\u25ff\u3000-\u303f\u4e00-\u9fff"
                   "\uff00-\uffef]")
#: characters that betray a wrong decoding: controls, private use, replacement, surrogates, kana and
#: bopomofo (Big5 read as GBK), CJK compatibility ideographs and vertical forms, Yi, Hangul
_BAD = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u3040-\u31ff\ua000-\ud7ff\ud800-\udfff"
                  "\ue000-\uf8ff\uf900-\ufaff\ufe10-\ufe4f\ufffd]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_CJK = re.compile("[\u4e00-\u9fff]")
_COMMON: Optional[frozenset] = None


def _common_chars() -> frozenset:
    """The frequent ideographs of both scripts: GB2312 level 1 (3,755) and Big5 level 1 (5,401)."""
    global _COMMON
    if _COMMON is None:
        chars = set()
        for lead in range(0xB0, 0xD8):
            for trail in range(0xA1, 0xFF):
                try:
                    chars.add(bytes((lead, trail)).decode("gb2312"))
                except UnicodeDecodeError:
                    pass
        for code in range(0xA440, 0xC67F):
            try:
                chars.add(code.to_bytes(2, "big").decode("big5"))
            except UnicodeDecodeError:
                pass
        _COMMON = frozenset(c for c in chars if _CJK.match(c))
    return _COMMON


def _score(text: str) -> Tuple[float, float, float]:
    """``(good, bad, common)``: shares of plausible and implausible characters among the
    non-space ones, and the share of frequent ideographs among the ideographs."""
    n = len(text) - text.count(" ")
    if n <= 0:
        return 1.0, 0.0, 1.0
    good = _GOOD.subn("", text)[1] - text.count(" ")
    bad = _BAD.subn("", text)[1]
    cjk = _CJK.findall(text)
    common = sum(c in _common_chars() for c in cjk) / len(cjk) if cjk else 1.0
    return good / n, bad / n, common


def _trim(sample: bytes, enc: str, whole: bool) -> bytes:
    """A sample cut to whole code units; for UTF-16, no high surrogate left dangling at the end.

    ``whole``: the sample runs to the end of the data, nothing to cut."""
    unit = 4 if "32" in enc else 2 if "16" in enc else 1
    if whole or unit == 1:
        return sample
    sample = sample[:len(sample) - len(sample) % unit]
    if unit == 2 and len(sample) >= 2:
        last = sample[-1] if enc.endswith("le") else sample[-2]
        if 0xD8 <= last <= 0xDB:
            sample = sample[:-2]
    return sample


def _candidates(data: bytes, nul_share: float) -> List[str]:
    if nul_share >= 0.01:
        encs = ["utf-16-le", "utf-16-be"]
        if len(data) % 4 == 0:
            encs[:0] = ["utf-32-le", "utf-32-be"]
        return encs
    encs = ["gb18030", "cp950"]
    if len(data) % 2 == 0:
        encs += ["utf-16-le", "utf-16-be"]
    return encs


_NON_ASCII = re.compile("[^\x00-\x7f]")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _utf8(data: bytes) -> Optional[str]:
    """UTF-8 text, also when the file was cut inside its last character or has rare stray bytes."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.reason == "unexpected end of data" and e.end == len(data) and len(data) - e.start < 4:
            try:
                return data[:e.start].decode("utf-8")  # cut inside the last character
            except UnicodeDecodeError:
                pass

    def mostly_utf8(text: str) -> bool:
        # bytes of another encoding make U+FFFD at least as often as valid UTF-8 sequences
        bad = text.count("\ufffd")
        return _NON_ASCII.subn("", text)[1] - bad >= 50 * bad

    if len(data) > 4 * _SAMPLE and not mostly_utf8(data[:4 * _SAMPLE].decode("utf-8", errors="replace")):
        return None  # decided on the first 256 KiB: most files are not UTF-8 at all
    text = data.decode("utf-8", errors="replace")
    return text if mostly_utf8(text) else None


def _decode_sample(sample: bytes, enc: str, whole: bool) -> str:
    """The sample decoded strictly; only a character cut at the sample's end may be dropped."""
    sample = _trim(sample, enc, whole)
    try:
        return sample.decode(enc)
    except UnicodeDecodeError as e:
        if whole or e.start < len(sample) - 4:
            raise
        return sample[:e.start].decode(enc)


def decode(data: bytes, name: str = "<bytes>") -> str:
    """Text of report bytes: BOMs first, then UTF-8, GB18030, Big5, UTF-16/32 without a BOM.

    Raises :class:`InputError` for binary data ("not a text file") and for bytes no candidate
    encoding reads plausibly ("cannot tell the encoding of ...").
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            if enc == "utf-32-le" and len(data) % 4:
                continue  # a UTF-16 BOM followed by U+0000, or a cut file: try UTF-16
            try:
                text = data[len(bom):].decode(enc)
            except UnicodeDecodeError as e:
                raise InputError(f"{name}: invalid {enc.upper()} text after its byte-order mark "
                                 f"({e.reason} at byte {e.start + len(bom)})") from None
            return _check_text(text, name)
    if not data:
        return ""
    sample = data[:_SAMPLE]
    nul_share = sample.count(0) / len(sample)
    start = 0
    if nul_share < 0.01:
        text = _utf8(data)
        if text is not None:
            return _check_text(text, name)
        # judge where the non-ASCII text begins (ASCII before it: a boundary in every candidate)
        high = _HIGH_BYTE.search(data)
        start = high.start() // 4 * 4 if high else 0
        sample = data[start:start + _SAMPLE]
    to_end = start + _SAMPLE >= len(data)
    scored = []
    for enc in _candidates(data, nul_share):
        try:
            text = _decode_sample(sample, enc, to_end)
        except UnicodeDecodeError:
            continue
        good, bad, common = _score(text)
        if good >= 0.9 and bad <= 0.02 and (common >= 0.6 or len(_CJK.findall(text)) < 4):
            scored.append((good - 5 * bad + common, enc, text))
    scored.sort(reverse=True)
    for i, (score, enc, text) in enumerate(scored):
        if i + 1 < len(scored) and scored[i + 1][0] > score - 0.05 and scored[i + 1][2] != text:
            break  # two encodings read it about as well: cannot tell
        try:
            return _check_text(data.decode(enc), name)
        except UnicodeDecodeError:
            continue  # the sample was fine, the rest is not
    if nul_share >= 0.01 or _CONTROL.subn("", sample.decode("latin-1"))[1] > len(sample) * 0.05:
        raise InputError(f"{name}: not a text file (binary data)")
    raise InputError(f"cannot tell the encoding of {name} (not UTF-8, GB18030, Big5, UTF-16 or UTF-32 text)")


def _check_text(text: str, name: str) -> str:
    if text and _CONTROL.subn("", text[:_SAMPLE])[1] > min(len(text), _SAMPLE) * 0.05:
        raise InputError(f"{name}: not a text file (binary data)")
    return text


# ----------------------------------------------------------------------------------------- formats
def read_bytes(path: Union[str, Path], max_bytes: Optional[int] = None) -> bytes:
    """At most ``max_bytes`` bytes of a file (default :data:`MAX_FILE_BYTES`); more is refused."""
    p = Path(path)
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    too_big = f"larger than {limit:,} bytes (the limit; set GOVIE_MAX_FILE_BYTES to raise it)"
    try:
        with open(p, "rb") as f:
            st = os.fstat(f.fileno())
            if stat.S_ISREG(st.st_mode) and st.st_size > limit:  # refused unread
                raise InputError(f"{p}: file of {st.st_size:,} bytes, {too_big}")
            data = f.read(limit + 1)  # devices and pipes (/dev/zero) stop here too
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory") from None
    except OSError as e:
        raise InputError(f"{p}: {e.strerror or e}") from None
    if len(data) > limit:
        raise InputError(f"{p}: file {too_big}")
    return data


_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta\s)",
                         re.I | re.S)
_MAGIC = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"\x1f\x8b", "a gzip archive"), (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
          (b"{\\rtf", "an RTF document (save it as .docx)"))


#: suffix → reader name: the input files govie looks for in a directory
READERS: Dict[str, str] = {".txt": "text", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}
#: the suffixes of :data:`READERS`, for directory walks (``govie parse DIR``)
INPUT_SUFFIXES: Tuple[str, ...] = tuple(READERS)

def sniff(data: bytes, suffix: str = "") -> str:
    """The reader for these bytes: ``pdf``, ``docx``, ``html`` or ``text``; raises for other formats."""
    suffix = suffix.lower()
    pos = data.find(b"%PDF-", 0, 1024)
    if pos == 0 or (pos > 0 and suffix == ".pdf"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if suffix == ".docx" or b"word/document.xml" in data or _zip_has(data, "word/document.xml"):
            return "docx"
        return "zip"
    if data.startswith(bytes.fromhex("d0cf11e0a1b11ae1")):
        return "ole"
    if suffix == ".pdf":
        return "not-pdf"
    if suffix == ".docx":
        return "docx"
    if READERS.get(suffix) == "html":
        return "html"
    head = data[:1024]
    for bom, enc in _BOMS[2:3]:
        head = head[len(bom):] if head.startswith(bom) else head
    if _HTML_START.match(head):
        return "html"
    return "text"


def _zip_has(data: bytes, member: str) -> bool:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return member in z.NameToInfo
    except Exception:
        return False


def _magic_name(data: bytes) -> Optional[str]:
    for magic, what in _MAGIC:
        if data.startswith(magic) and what:
            return what
    return None
