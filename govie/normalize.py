"""Normalise a QUANTITY span into ``value``, ``unit`` and ``approximate`` (schema v1).

Numerals are converted with :mod:`cn2an`; this module only separates the number
from its approximation suffix and unit, multiplies out 万/亿, and maps
traditional unit characters to simplified ones.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional, Union

import cn2an

Number = Union[int, float]

FULLWIDTH = str.maketrans("０１２３４５６７８９．，％", "0123456789.,%")
CN_DIGITS = "零〇一二两兩三四五六七八九十拾百佰千仟"
CN_BIG = "万萬亿億"
#: traditional → simplified for characters that occur in units and multipliers
T2S = str.maketrans({"萬": "万", "億": "亿", "個": "个", "筆": "笔", "條": "条",
                     "項": "项", "場": "场", "期": "期", "頁": "页", "類": "类",
                     "戶": "户", "間": "间", "張": "张", "篇": "篇", "車": "车", "輛": "辆",
                     "兩": "两", "餘": "余", "點": "点", "層": "层", "種": "种", "門": "门",
                     "關": "关", "網": "网", "組": "组", "幣": "币", "單": "单", "週": "周",
                     "歲": "岁", "錢": "钱", "擔": "担", "噸": "吨", "畝": "亩", "際": "际"})
APPROX_SUFFIXES = ("余", "多", "以上", "餘", "左右")
_ARABIC = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?|^\d+(?:\.\d+)?")
_CHINESE = re.compile(rf"^[{CN_DIGITS}{CN_BIG}]+")
_PERCENT_WORD = re.compile(r"^百分之")


class NormalizationError(ValueError):
    """Raised when a span does not start with a number."""


@dataclass(frozen=True)
class Normalized:
    value: Number
    unit: Optional[str]
    approximate: bool


def _as_number(d: Decimal) -> Number:
    return int(d) if d == d.to_integral_value() else float(d)


def _chinese_value(s: str) -> Decimal:
    s = s.replace("兩", "两").replace("萬", "万").replace("億", "亿").replace("〇", "零")
    s = s.replace("拾", "十").replace("佰", "百").replace("仟", "千")
    if s == "两":
        return Decimal(2)
    return Decimal(str(cn2an.cn2an(s, "smart")))


def split_number(text: str) -> tuple[str, str]:
    """Split ``text`` into its leading number (with 万/亿 multiplier) and the rest."""
    t = text.translate(FULLWIDTH)
    m = _ARABIC.match(t)
    if m:
        end = m.end()
        if end < len(t) and t[end] in CN_BIG:
            end += 1
        return text[:end], text[end:]
    m = _CHINESE.match(t)
    if m:
        return text[: m.end()], text[m.end():]
    raise NormalizationError(f"no number at the start of {text!r}")


def number_value(num: str) -> Decimal:
    """Value of a number string such as ``2,543.19万``, ``１２``, ``二十六``, ``3.5亿``."""
    t = num.translate(FULLWIDTH).replace(",", "")
    mult = Decimal(1)
    if t and t[-1] in CN_BIG and re.match(r"^\d", t):
        mult = Decimal(10000) if t[-1] in "万萬" else Decimal(100000000)
        t = t[:-1]
    if re.fullmatch(r"\d+(?:\.\d+)?", t):
        return Decimal(t) * mult
    return _chinese_value(t) * mult


def normalize(text: str) -> Normalized:
    """Normalise a QUANTITY span text.

    >>> normalize("1.03万人次")
    Normalized(value=10300, unit='人次', approximate=False)
    """
    s = text.strip()
    if not s:
        raise NormalizationError("empty quantity")
    percent_word = _PERCENT_WORD.match(s)
    if percent_word:
        num, rest = split_number(s[percent_word.end():])
        return Normalized(_as_number(number_value(num)), "%", False)
    sign = 1
    if s[0] in "-－−" and len(s) > 1 and s[1].translate(FULLWIDTH).isdigit():
        sign, s = -1, s[1:]
    num, rest = split_number(s)
    value = number_value(num) * sign
    rest = rest.strip()
    approximate = False
    for suf in APPROX_SUFFIXES:
        if rest.startswith(suf):
            approximate, rest = True, rest[len(suf):]
            break
    rest = rest.translate(FULLWIDTH).translate(T2S).strip()
    for suf in ("以上", "左右"):
        if rest.endswith(suf) and len(rest) > len(suf):
            approximate, rest = True, rest[: -len(suf)]
    # a multiplier after the approximation suffix: 1万余人 / 3千多万元
    if rest[:1] in ("万", "亿") and rest[1:]:
        value *= Decimal(10000) if rest[0] == "万" else Decimal(100000000)
        rest = rest[1:]
    if rest.startswith("万") and not rest[1:]:
        value *= Decimal(10000)
        rest = ""
    if rest.startswith("%"):
        rest = "%"
    return Normalized(_as_number(value), rest or None, approximate)
