"""Normalise a QUANTITY span into ``value``, ``unit`` and ``approximate`` (schema v1).

Numerals are converted with :mod:`cn2an`; this module only separates the number
from its approximation suffix and unit, multiplies out 万/亿, and maps
traditional unit characters to simplified ones.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Mapping, Optional, Sequence, Union


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
_CHINESE = re.compile(rf"^[{CN_DIGITS}{CN_BIG}]+(?:[点點][{CN_DIGITS}]+[{CN_BIG}]?)?")
_PERCENT_WORD = re.compile(r"^百分之")


#: longest number (in digits) read as a value; longer runs are identifiers or glued table cells
MAX_DIGITS = 40
#: exact arithmetic for every number of up to MAX_DIGITS digits (the default context rounds at 28)
_EXACT = Context(prec=2 * MAX_DIGITS + 20)

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_LARGE = {"万": 10 ** 4, "亿": 10 ** 8}


class NormalizationError(ValueError):
    """Raised when a span does not start with a number, or its number cannot be read."""


@dataclass(frozen=True)
class Normalized:
    value: Number
    unit: Optional[str]
    approximate: bool


def _as_number(d: Decimal) -> Number:
    return int(d) if d == d.to_integral_value() else float(d)


def _chinese_int(s: str) -> int:
    """Integer value of a Chinese numeral in simplified characters, read as people write them.

    Handles what cn2an refuses: a digit after the last unit stands for the next lower unit
    (``一亿五`` = 150000000, ``三千五`` = 3500), a zero after a unit adds nothing (``二十〇`` = 20),
    and a run of bare digits reads digit by digit (``二〇一六`` = 2016).
    """
    if not s:
        raise NormalizationError("empty numeral")
    if all(c in _CN_DIGIT for c in s):
        return int("".join(str(_CN_DIGIT[c]) for c in s))
    total = 0      # closed by 亿
    wan = 0        # closed by 万 inside the current 亿 group
    section = 0    # below 万
    digit: Optional[int] = None
    last_unit = 0  # the unit the pending digit follows (0: none, or a 零 in between)
    for c in s:
        if c in _CN_DIGIT:
            if digit is not None and digit != 0 and _CN_DIGIT[c] != 0:
                raise NormalizationError(f"two digits in a row in {s!r}")
            digit = _CN_DIGIT[c]
            if digit == 0:
                last_unit = 0
        elif c in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[c]
            digit, last_unit = None, _CN_SMALL[c]
        else:
            big = _CN_LARGE[c]
            group = section + (digit or 0)
            if big == 10 ** 4:
                wan, section = (group or 1) * big, 0
            else:
                total, wan, section = (total + wan + group or 1) * big, 0, 0
            digit, last_unit = None, big
    if digit:
        # an omitted unit: 一亿五 → 五千万, 一万二 → 二千, 三百五 → 五十
        section += digit * (last_unit // 10 if last_unit >= 100 else 1)
    return total + wan + section


#: the plain numerals read here without cn2an: those under 10,000 in the usual form (digits and 千/百/十, 零 for a
#: skipped place, 两 for 2 before 千/百, 十 alone or first: 三次, 十一家, 两名, 二百五十件, 一千零八): 31 of the 318
#: corpus texts hold a Chinese numeral, nearly all of this form, and cn2an's import costs more than a short
#: report's parse. :func:`_chinese_int` gives cn2an's value for every one of the 44,001 forms that cn2an
#: reads, and is what is used already for the others (tests/test_regressions.py)
_PLAIN_NUMERAL = re.compile(r"(?:[一二三四五六七八九两]千(?:零(?=[一二三四五六七八九]))?)?"
                            r"(?:[一二三四五六七八九两]百(?:零(?=[一二三四五六七八九]))?)?"
                            r"(?:[一二三四五六七八九]?十)?[一二三四五六七八九]?|[零两]")


def _chinese_value(s: str) -> Decimal:
    s = s.replace("兩", "两").replace("萬", "万").replace("億", "亿").replace("〇", "零").replace("點", "点")
    s = s.replace("拾", "十").replace("佰", "百").replace("仟", "千")
    if s and _PLAIN_NUMERAL.fullmatch(s):  # cn2an's reading of every such form (tests/test_regressions.py)
        return Decimal(_chinese_int(s))
    import cn2an  # here, not at import: its import compiles its patterns (~0.55 s CPU), more than a parse

    try:
        return Decimal(str(cn2an.cn2an(s, "smart")))
    except Exception:  # cn2an raises KeyError/ValueError/IndexError on forms it does not know
        pass
    mult = 1
    if s[-1] in _CN_LARGE and "点" in s:  # 一百二十点五万
        mult, s = _CN_LARGE[s[-1]], s[:-1]
    whole, _, frac = s.partition("点")
    if frac and not all(c in _CN_DIGIT for c in frac):
        raise NormalizationError(f"cannot read the decimals of {s!r}")
    value = Decimal(_chinese_int(whole) if whole else 0)
    if frac:
        value += Decimal("0." + "".join(str(_CN_DIGIT[c]) for c in frac))
    return _EXACT.multiply(value, Decimal(mult))


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
    if sum(c.isdigit() for c in t) > MAX_DIGITS:
        raise NormalizationError(f"{len(t)}-character number is not read as a value")
    mult = Decimal(1)
    if t and t[-1] in CN_BIG and re.match(r"^\d", t):
        mult = Decimal(10000) if t[-1] in "万萬" else Decimal(100000000)
        t = t[:-1]
    if re.fullmatch(r"\d+(?:\.\d+)?", t):
        return _EXACT.multiply(Decimal(t), mult)
    value = _chinese_value(t)
    if len(value.as_tuple().digits) > MAX_DIGITS:  # the same bound for a Chinese numeral (二〇…, 一亿亿…)
        raise NormalizationError(f"a numeral of {len(value.as_tuple().digits)} digits is not read as a value")
    return _EXACT.multiply(value, mult)


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
    value = _EXACT.multiply(number_value(num), Decimal(sign))
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
        value = _EXACT.multiply(value, Decimal(10000) if rest[0] == "万" else Decimal(100000000))
        rest = rest[1:]
    if rest.startswith("万") and not rest[1:]:
        value = _EXACT.multiply(value, Decimal(10000))
        rest = ""
    if rest.startswith("%"):
        rest = "%"
    return Normalized(_as_number(value), rest or None, approximate)


@functools.lru_cache(maxsize=1 << 16)
def read(text: str) -> Optional[Normalized]:
    """``normalize(text)``, or None where ``text`` cannot be read; cached (a pure function of the text,
    and ``Normalized`` is frozen): the components read the same figures again and again."""
    try:
        return normalize(text)
    except (NormalizationError, ValueError):
        return None


def recorded(info: Mapping[str, Sequence], text: str, start: int, end: int) -> Optional[Normalized]:
    """The reading of the QUANTITY at ``[start, end)`` of ``text``: what a component recorded in ``info``
    (``doc._.quantity_info``: ``{"start:end": [value, unit, approximate]}``), else :func:`read` of its
    text. ``govie.pipeline.extensions.reading`` for callers that hold ``info`` (each ``doc._`` access
    builds an accessor object)."""
    rec = info.get(f"{start}:{end}")
    if rec is not None:
        return Normalized(rec[0], rec[1], bool(rec[2]))
    return read(text[start:end])
