"""Reading report files into text: encodings detected, not guessed from the extension."""
from __future__ import annotations

import codecs
from pathlib import Path
from typing import Union


class InputError(ValueError):
    """A file govie cannot read as a report (binary, undecodable, image-only PDF, ...)."""


def decode(data: bytes, name: str = "<bytes>") -> str:
    """Decode report bytes: BOMs, UTF-8, GB18030 (GBK superset), UTF-16; binary is refused."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise InputError(f"{name}: invalid UTF-16 text ({e.reason})") from None
    if not data:
        return ""
    # UTF-16 without a BOM: many NULs at alternating positions
    if len(data) >= 4 and data.count(0) > len(data) // 4:
        for enc in ("utf-16-le", "utf-16-be"):
            half = data[1::2] if enc == "utf-16-le" else data[0::2]
            if half.count(0) > len(half) * 0.3:
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError:
                    continue
                if _looks_like_text(text):
                    return text
        raise InputError(f"{name}: binary data, not a text report")
    for enc in ("utf-8", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text
        raise InputError(f"{name}: binary data, not a text report")
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - optional dependency failure
        best = None
    if best is not None and _looks_like_text(str(best)):
        return str(best)
    raise InputError(f"{name}: cannot decode as UTF-8, GB18030 or UTF-16")


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for c in text if (ord(c) < 32 and c not in "\n\r\t\f") or c == "\ufffd")
    return bad / len(text) < 0.05


def read_text(path: Union[str, Path]) -> str:
    """Text of a ``.txt`` report (any supported encoding); other formats via :func:`read_file`."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(f"{p}: {e.strerror or e}") from None
    return decode(data, str(p))


def read_file(path: Union[str, Path]) -> str:
    """Text of a report file: ``.txt`` and, where the extractors are installed, HTML, DOCX and PDF."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".html", ".htm", ".docx", ".pdf"):
        from . import extract

        return extract.extract(p)
    return read_text(p)
