"""Rule-based QUANTITY recognition (schema v1) and the ``govie_quantities`` component.

:func:`find_quantities` scans raw text and returns character spans, already
normalised; the component turns them into ``doc.ents`` with ``Span._.value``,
``Span._.unit`` and ``Span._.approximate``. It is the backbone the trained
models build on: it must be right on its own.
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import extensions, script
from .spans import (char_span, overlaps, replace_entities, set_entities, span_mask, token_ranges,
                    without_overlaps)  # noqa: F401
from ..normalize import T2S, NormalizationError, Normalized, Number, normalize

#: the word lists of the rules below (units, address words, deadline words, ...): data, not code
LEXICON_PATH = Path(__file__).with_name("quantity_lexicon.json")

# --------------------------------------------------------------------------- lexicon
#: measure words, currencies and units, longest first when compiled
UNITS = sorted(set("""
人次 场次 件次 条次 户次 批次 期次 台次 车次 架次 个百分点 百分点 个工作日 工作日 个月 分钟 小时 平方米 平方公里
公里 万元 亿元 万人次 万条 万件 万份 万人 万册 万次 万户 元 条 件 人 个 次 场 期 份 篇 家 项 名 户 册 本 批 类 套 部 台
块 处 所 张 页 天 起 宗 例 支 位 座 轮 门 栏 幅 封 盒 辆 艘 吨 亩 米 棵 株 间 栋 单 笔 组 节 课 班 集 首 段 届
个人 余人 大类 大项 小项 通 成 种 份次 人/次 件/次 条/次 週 個 場 項 億元 萬元 筆 條 戶 張 頁 種 間 個工作日 人們 位次 回 帖 则 桩 层 座次 所次
% ％
""".split()), key=len, reverse=True)
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)

_DIG = r"[0-9０-９]"
_ARABIC = rf"{_DIG}{{1,3}}(?:,{_DIG}{{3}})+(?:[.．]{_DIG}+)?|{_DIG}+(?:[.．]{_DIG}+)?"
_CN = r"[零〇一二两兩三四五六七八九十百千万萬亿億]"
_MULT = r"[万萬亿億]"
#: longest Chinese numeral read (bounded so that a long run of numerals costs linear time)
_CN_MAX = 20
_APPROX = r"(?:余|多|餘)"
#: PDF and markdown conversions print one space between a number and its unit (``21 条``)
_GAP = r"[ \u00a0\u3000]?"

_CN_DEC = r"[点點][零〇一二两兩三四五六七八九]+[万萬亿億]?"  # 一百二十点五万, 零点五
_PERCENT_WORD = re.compile(rf"百分之(?:{_ARABIC}|{_CN}{{1,{_CN_MAX}}})")

# --------------------------------------------------------------------------- exclusions
class _Gated:
    """A mask pattern run only on texts that hold its ``gate``, a short pattern that every match of
    the mask contains: most masks match no line of a given report, and the gate's scan costs a fraction
    of theirs (a gate opens with a literal or a character class, which ``re`` scans for in C)."""

    __slots__ = ("pattern", "gate")

    def __init__(self, pattern: str, gate: str) -> None:
        self.pattern = re.compile(pattern)
        self.gate = re.compile(gate)

    def finditer(self, text: str) -> Iterator[re.Match]:
        return self.pattern.finditer(text) if self.gate.search(text) else iter(())


_gated = _Gated


class _Local(_Gated):
    """A gated mask whose matches hold only characters of the class ``inside`` and use no lookaround
    or anchor: a match lies inside one run of such characters, and the scan of the whole text enters
    each run afresh, so scanning only the runs that hold a gate match finds the same matches."""

    __slots__ = ("outside",)

    def __init__(self, pattern: str, gate: str, inside: str) -> None:
        super().__init__(pattern, gate)
        self.outside = re.compile(f"[^{inside}]")

    def finditer(self, text: str) -> Iterator[re.Match]:
        done = 0  # the end of the last run scanned
        for g in self.gate.finditer(text):
            if g.start() < done:
                continue
            start = g.start()
            while start > done and not self.outside.match(text, start - 1):
                start -= 1
            after = self.outside.search(text, g.end())
            done = after.start() if after else len(text)
            yield from self.pattern.finditer(text, start, done)


def _quoted_words(words: str) -> re.Pattern:
    """``[“"「『]?(?:words)[”"」』]?`` (``words``: an alternation of literals) written as one alternative
    per opening quote, then the words themselves: the same matches in the same order, and every
    alternative opens with a literal, so ``re`` skips ahead to a candidate character instead of trying
    the pattern at every position (10x faster)."""
    alts = [f"{re.escape(q)}(?:{words})" for q in '“"「『'] + [words]
    return re.compile(f"(?:{'|'.join(alts)})[”\"」』]?")


@functools.lru_cache(maxsize=1)
def _static_masks() -> list:
    """Regions that never hold a QUANTITY: URLs, e-mails, phone numbers, dates, times, doc numbers
    (compiled on first use, not at import)."""
    return [
        _Local(r"https?://[\w./?=&%#:~+\-]+|www\.[\w./?=&%#~+\-]+|[\w.\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,4}",
               r"https?://|www\.|@", r"\w./?=&%#:~+\-@"),
        _Local(r"\w{0,12}[〔\[【［(（]\s*(?:19|20)\d\d\s*[〕\]】］)）]\s*\d*\s*号?",  # 苏府办〔2016〕127号
               r"[〔\[【［(（]\s*(?:19|20)\d\d\s*[〕\]】］)）]", r"\w\s〔\[【［(（〕\]】］)）"),
        re.compile(r"[〔［【]\s*\d+[〕］】]?\s*\d*号?"),  # damaged document numbers 昆政发〔20179
        re.compile(r"\d{3,4}[-－—]\d{7,8}(?:[-－]\d+)?|(?<!\d)1[3-9]\d{9}(?!\d)"),  # phone numbers
        re.compile(r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"),
        _gated(r"\d{1,2}:\d{2}(?::\d{2})?", r":\d"),
        # clock times (14时11分, 9点30分) and session numbers of meetings and congresses (五届四次全会, 二十届三中全会)
        _gated(rf"(?:{_DIG}{{1,2}}|{_CN}{{1,3}})\s*[时點点]\s*(?:{_DIG}{{1,2}}|{_CN}{{1,3}})\s*分",
               rf"[时點点]\s*(?:{_DIG}{{1,2}}|{_CN}{{1,3}})\s*分"),
        _gated(rf"(?:{_DIG}{{1,2}}|{_CN}{{1,3}})\s*届\s*(?:全国|省|市|区|县)?\s*(?:人大|政协)?\s*"
                   rf"(?:(?:{_DIG}{{1,2}}|{_CN}{{1,3}})\s*[次中]\s*)?"
                   r"(?=全会|全体会议|会议|人大|政协|代表大会|常委会|委员会)", "届"),
        # ordinal ranges and lists of articles: 第9至12条, 第三、四条
        re.compile(rf"第\s*(?:{_DIG}+|{_CN}+)(?:\s*[至到\-—－~～、,，和及与]\s*第?\s*(?:{_DIG}+|{_CN}+)(?=\s*[条條款项項章节節]))+"),
        # 三位一体; centuries (21世纪) are time points
        _gated(rf"{_CN}{{1,2}}位一体|{_DIG}{{1,2}}\s*世纪|{_CN}{{1,3}}\s*世纪", "位一体|世纪"),
        # book titles and quoted names of any length up to a line (a count inside one is part of the name)
        re.compile(r"《[^《》\n]{0,80}》|“[^“”\n]{0,40}”|「[^「」\n]{0,40}」|『[^『』\n]{0,40}』"),
        # index numbers of a document record (113307000025920705/2018-04367)
        _gated(r"(?<![0-9A-Za-z\-])[0-9A-Za-z\-]{6,40}\s*/\s*(?:19|20)\d\d\s*-\s*\d+", r"/\s*(?:19|20)\d\d\s*-"),
        re.compile(r"(?:19|20)\d\d\s*[-—－~～至到]\s*(?:(?:19|20)\d\d|\d\d)\s*(?:年度?|学年)"),  # ranges of years
        re.compile(r"(?:19|20)\d{2}(?:年度?|年|级|版|届|学年|季度)|(?:19|20)\d{2}(?=[-—－~～至到](?:19|20)\d{2}年)"),
        re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:[0-3]?\d)?日"),  # damaged dates 20161231日, 201611日
        _gated(r"(?<![\d.])(?:19|20)\d{2}(?:1[0-2]|0?[1-9])(?:[12]\d|3[01]|0?[1-9])(?![\d.%％万元条件人个])",  # 2017221
               r"(?:19|20)\d\d[0-9][0-9]"),
        # (``\d{1,2}X|\d{1,2}Y`` as ``\d(?:\d?X|\d?Y)``: the same matches; a leading class is scanned for in C)
        re.compile(r"\d(?:\d?\s*月\s*(?:\d{1,2}\s*[日号]?)?(?:至|到|[-—－~～])?\s*(?:\d{1,2}\s*[日号])?|\d?\s*[日号])"),
        re.compile(rf"第\s*(?:{_DIG}+|{_CN}+)"),  # ordinals and article numbers
        re.compile(r"(?:电话|热线|传真|邮编|邮政编码|手机|QQ|qq|座机|联系方式|电子邮箱|信箱|号码|服务号)[：:\s]*"
                   rf"(?!{_DIG}{{1,6}}\s?{_MULT}?{_APPROX}?(?:{_UNIT_RE}))[\d\-－—、，,()（）\s]{{3,}}"),  # not 电话171人次
        # hotlines (拨打12345热线), but ``122条`` and a table cell 120 are counts
        re.compile(r"(?<![\d.])(?:12345|12319|12315|12369|12366|12333|12331|12320|12348|12355|12358|12380|12388|12365"
                   rf"|12390|110|119|120|122|114|96\d{{3}})(?=[”\"」』]|\s?[\u3400-\u9fff])(?!\s?{_MULT}?{_APPROX}?(?:{_UNIT_RE}))"),
        _gated(r"[A-Za-z]{1,20}[-_]?\d{1,20}[A-Za-z\d]{0,20}|\d{1,20}[A-Za-z]{1,20}[A-Za-z\d]{0,20}",  # 4A级, G20, 5G, COVID-19
               r"[A-Za-z][-_]?\d|\d[A-Za-z]"),
        _quoted_words(r"三公|五水共治|两微一端|一事一审|最多跑一次|十三五|十四五|十二五|十五五|一窗通办|一企一证|"
                   r"双随机|一公开|两不愁|三保障|三安全一稳定|一网通办|一网统管|一件事|放管服|一站式|一体化|一把手|"
                   r"一张网|一张图|一次性|一网|一号|一门|一窗|一次办|一证|两学一做|三会一课|"
                   r"十九大|二十大|十八大|十七大|四风|八项规定|五公开|三单|一单|两单|三项制度|四级|三级|二级|一级|"
                   r"五级|一线|一把|一批|一步|一是|二是|三是|四是|五是|六是|七是|八是|九是|十是"),
        re.compile(r"(?:进|统|唯|之(?<!百分之)|单|同|万(?<![零〇一二两兩三四五六七八九十百千]万)|逐|专|每|任|均|划|某|初|某)一|一(?:律|些|般|致|直|定|起|方面|旦|贯|切|道|同|项项|视同仁|系列|体|手|流|线|揽子|条龙)"),
        re.compile(rf"(?:^|(?<=[\s。；;，,：:！？!?]))(?:{_CN}{{1,3}}|{_DIG}{{1,2}})\s*[、.．](?!{_DIG})"),  # list markers 一、 1.
        re.compile(rf"[（(]\s*(?:{_CN}{{1,3}}|{_DIG}{{1,2}})\s*[）)]"),  # (三) (1)
        re.compile(rf"{_DIG}(?<![\d.]{_DIG}){_DIG}?\s*[）)](?=\S)"),  # 1） (``(?<![\d.])\d{1,2}``, class first)
        re.compile(r"[<《“\"].{0,30}?[>》”\"]"),  # numbers inside titles and quoted names
        re.compile(r"[—-]\s*\d{1,3}\s*[—-]"),  # page footers — 3 —
        # report structure (共六个部分组成, 6个部分, 7部分), programme names
        # (two patterns: a match of one holds no character that starts one of the other, so they
        # mask what their alternation masked; each opens with a class, which re scans for in C)
        re.compile(rf"{_CN}{_CN}{{0,{_CN_MAX - 1}}}[个個]?(?:部分|方面|步|环节|大板块|大工程|大行动)"),
        re.compile(rf"{_DIG}{_DIG}?\s*[个個]?\s*部\s*分"),
        re.compile(rf"[（(]\s*{_DIG}{{1,3}}\s*[)）](?=[、.．]?)"),
        _gated(r"(?<![\d.])\d{5,}(?=\s*(?:号|室|弄|栋|路|街))", r"\d\s*[号室弄栋路街]"),
    ]


# --------------------------------------------------------------------------- lexicon-driven rules
@functools.lru_cache(maxsize=1)
def default_lexicon() -> dict[str, tuple[str, ...]]:
    """The word lists of ``quantity_lexicon.json`` (keys starting with ``_`` are comments)."""
    data = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    return {k: tuple(v) for k, v in data.items() if not k.startswith("_")}


def _alt(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first; one that never matches when there are none."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in words) or r"(?!x)x"


_S2T = {v: chr(k) for k, v in T2S.items() if chr(k) != v}


def _traditional(word: str) -> str:
    return "".join(_S2T.get(c, c) for c in word)


class _Rules:
    """The patterns of one lexicon, compiled once (:func:`_rules`)."""

    def __init__(self, lex: Mapping[str, Sequence[str]]) -> None:
        def words(key: str) -> tuple[str, ...]:
            return tuple(lex.get(key, ()))

        units = set(UNITS) | set(words("units"))
        units |= {u + "次" for u in words("per_time_units")}  # 家次, 轮次: visits of each kind
        units |= {_traditional(u) for u in units}  # 條次, 類, 輪次 -- normalised to simplified
        unit_re = f"(?:{_alt(units)})(?:/(?:{_alt(words('rate_denominators'))}))?"  # 1023元/月
        # one gap between a number and its approximation word or unit; a PDF line break too
        gap = r"(?:[ \u00a0\u3000]*\n[ \u00a0\u3000]*|[ \u00a0\u3000]?)"
        self.arabic_q = re.compile(
            rf"(?P<num>(?<![0-9０-９A-Za-z])[-－−]?(?:{_ARABIC}))(?P<mult>{_MULT})?(?:{_GAP}(?P<approx>{_APPROX}))?"
            rf"(?P<mult2>{_MULT})?(?:{gap}(?P<unit>{unit_re}))?(?P<tail>以上|左右)?")
        self.cn_q = re.compile(rf"(?P<num>{_CN}{{1,{_CN_MAX}}}(?:{_CN_DEC})?)(?P<approx>{_APPROX})?(?P<unit>{unit_re})"
                               rf"(?P<tail>以上|左右)?")
        num = rf"(?:{_DIG}{{1,6}}|{_CN}{{1,4}})"  # bounded: a pattern tried at each digit of a long run stays linear
        dur = _alt(words("duration_units"))
        self.masks = [
            # an address after its label (地址：…路1号7楼710室), up to the end of the clause
            re.compile(rf"(?:{_alt(words('address_labels'))})\s*[:：]\s*[^；;。\n，,]{{0,60}}"),
            # house numbers (府前路1号, 大街三段), floors (大楼5楼, 主楼4层) and rooms (710室, 401办公室)
            re.compile(rf"(?:{_alt(words('street_words'))})\s*{num}\s*(?:{_alt(words('house_units'))})"),
            re.compile(rf"(?:{_alt(words('building_words'))})\s*(?:[A-Za-z]\s*[区區座])?\s*{_DIG}{{1,3}}\s*"
                       rf"(?:{_alt(words('floor_units'))})"),
            _gated(rf"(?<![\d.]){_DIG}{{1,5}}\s*(?=(?:{_alt(words('room_words'))}))",
                   rf"{_DIG}\s*(?:{_alt(words('room_words'))})"),
            # identifiers after their label (查询号为5113…, 索引号：…)
            re.compile(rf"(?:{_alt(words('identifier_labels'))})\s*(?:为|為|是)?\s*[:：]?\s*[0-9A-Za-z\-－—/_.]+"),
            # session numbers before the meeting (十九届二中、三中全会, 二十届历次全会)
            _gated(rf"{num}\s*届(?=\s*(?:{_CN}{{1,3}}\s*[中次]|{_alt(words('meeting_after_session'))}))", "届"),
            # deadlines and elapsed time, not amounts: 不超过20个工作日, 成立4个月以来, 24小时自助
            re.compile(rf"(?:{_alt(words('deadline_before'))})\s*{num}\s*(?:{dur})"),
            _gated(rf"{num}\s*(?:{dur})(?=(?:{_alt(words('elapsed_after'))}))",
                   rf"(?:{dur})(?:{_alt(words('elapsed_after'))})"),
            _gated(rf"(?:7\s*[×xX*]\s*)?24\s*(?:小时|小時)(?=(?:{_alt(words('round_the_clock_after'))}))",
                   r"24\s*(?:小时|小時)"),
            # a count announcing a list (以下三个方面, 以下五项)
            re.compile(rf"(?:{_alt(words('list_openers'))})\s*{num}"),
            # numbers in slogans (两个维护, 四个意识) and place names (两家子满族乡, 三间房地区)
            re.compile(rf"{_CN}{{1,2}}[个個](?=(?:{_alt(words('slogan_counts'))}))"),
            re.compile(rf"{_CN}{{1,3}}[\u4e00-\u9fff](?:{_alt(words('place_name_suffixes'))})"
                       rf"(?=[\u4e00-\u9fff]{{0,3}}(?:{_alt(words('place_words'))}))"),
            # years, also with a PDF gap before 年 (``2025 年``, ``2011⏎年``)
            re.compile(rf"(?:19|20)\d\d[ \t\u3000\u00a0]*\n?[ \t\u3000\u00a0]*(?:{_alt(words('year_units'))})"),
        ]
        self.magnitude_prefixes = set(words("magnitude_prefixes"))


@functools.lru_cache(maxsize=8)
def _compiled(items: tuple) -> _Rules:
    return _Rules(dict(items))


def _rules(lexicon: Optional[Mapping[str, Sequence[str]]]) -> _Rules:
    lex = dict(default_lexicon())
    for key, words in (lexicon or {}).items():
        if isinstance(words, str) or not all(isinstance(w, str) for w in words):
            raise ValueError(f"lexicon[{key!r}] must be a list of strings, not {words!r}")
        lex[key] = tuple(words)
    return _compiled(tuple(sorted(lex.items())))


#: units that, after a bare Chinese numeral, are too ambiguous to count on their own
_WEAK_CN_UNITS = {"成", "个", "次", "部", "门", "节", "层", "回", "段", "首", "集", "支", "块", "批", "类", "条", "项",
                  "本", "种", "处", "级", "单", "届", "线", "号", "体", "把", "步", "道", "轮", "张", "页", "份", "套"}


@dataclass(frozen=True)
class QuantityMatch:
    """A QUANTITY found in text: character span plus its normalised reading."""

    start: int
    end: int
    text: str
    value: Number
    unit: Optional[str]
    approximate: bool
    bare: bool = False  # a number with no unit (table cells)


def _masked(text: str, rules: Optional[_Rules] = None) -> bytearray:
    """One flag per character: 1 where an exclusion pattern (date, phone, marker, ...) matched."""
    masks = _static_masks() + (rules or _rules(None)).masks
    return span_mask(len(text), (m.span() for rx in masks for m in rx.finditer(text)))


class _TableLines:
    """Whether the line around a position holds only numbers and separators, one test per line (a
    line of 40,000 cells was sliced and matched once per cell: quadratic time)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.known: dict[int, bool] = {}

    def __call__(self, start: int) -> bool:
        ls = self.text.rfind("\n", 0, start) + 1
        if ls not in self.known:
            le = self.text.find("\n", start)
            self.known[ls] = bool(_TABLE_LINE.match(self.text, ls, len(self.text) if le < 0 else le))
        return self.known[ls]


#: a line of numbers and separators only (matched from a line start to its end: no ^)
_TABLE_LINE = re.compile(r"[\s|｜\t\d.,，%％—\-/]*$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_YEARLIKE = re.compile(r"(?:19[5-9]\d|20[0-4]\d)")
_APPROX_PREFIX_TRUE = re.compile(r"(?:近|约|超过|逾|大约|将近|接近|不少于|不低于|多达|超|上)$")


def _bare_ok(text: str, start: int, end: int, table_line: _TableLines) -> bool:
    """A unit-less number counts only in table context: a line of numbers, or glued to a label."""
    if table_line(start):
        return True
    before = text[max(0, start - 1):start]
    after = text[end:end + 1]
    # a cell of a flattened table: number glued to a CJK label, followed by space/CJK/end;
    # or a figure that ends a sentence (``不予公开信息数1402。``)
    if before and _CJK.match(before) and (not after or after.isspace() or _CJK.match(after) or after in "|｜。；;"):
        return True
    if before in ("|", "｜", "\t", " ", "\u3000") and (not after or after in "|｜\t \u3000\n" or _CJK.match(after)):
        return True
    return False


def _in_row_of_cells(text: str, start: int) -> bool:
    """Whether the number at ``start`` follows another number (a cell of a space-separated row)."""
    before = text[max(0, start - 8):start].rstrip(" \t\u00a0\u3000")
    return bool(before) and before[-1].isdigit()


@functools.lru_cache(maxsize=1 << 15)
def _reading(span: str) -> Optional[Normalized]:
    """``normalize(span)``, or None where it cannot be read (cached: figures such as ``1件`` recur in
    every report; a ``Normalized`` is frozen)."""
    try:
        return normalize(span)
    except (NormalizationError, ValueError, ZeroDivisionError):
        return None


def find_quantities(text: str, *, bare: bool = True,
                    lexicon: Optional[Mapping[str, Sequence[str]]] = None) -> list[QuantityMatch]:
    """Every QUANTITY in ``text`` per the guidelines, in order, non-overlapping.

    ``bare``: also return unit-less numbers where they sit in a table (cells).
    ``lexicon``: word lists replacing those of ``quantity_lexicon.json`` with the same key.
    """
    rules = _rules(lexicon)
    masks = _masked(text, rules)
    table_line = _TableLines(text)
    found: list[QuantityMatch] = []
    taken = bytearray(len(text))

    def add(start: int, end: int, is_bare: bool) -> None:
        span = text[start:end]
        n = _reading(span)
        if n is None:
            return
        prefix = text[max(0, start - 4):start]
        approx = n.approximate or bool(_APPROX_PREFIX_TRUE.search(prefix))
        found.append(QuantityMatch(start, end, span, n.value, n.unit, approx, is_bare))
        taken[start:end] = b"\x01" * (end - start)

    for m in _PERCENT_WORD.finditer(text):
        if not overlaps(m.start(), m.end(), masks):
            add(m.start(), m.end(), False)

    for m in rules.arabic_q.finditer(text):
        start, end = m.start(), m.end()
        if overlaps(start, end, taken):
            continue
        prev = text[start - 1:start]
        if prev and (prev.isdigit() or prev in ".．" or prev.isascii() and prev.isalpha()
                     or unicodedata.category(prev).startswith("M")):  # 5\u03017194: not a number of its own
            continue
        num_end = m.end("num")
        if overlaps(start, num_end, masks):
            continue
        if m.group("unit") and text[m.start("unit") - 1].isspace() and _in_row_of_cells(text, start):
            end = m.start("unit") - 1  # ``0 0 0 项目``: a cell, then the next label
        has_unit = bool(m.group("mult") or m.group("mult2")) or end > m.start("unit") >= 0
        if not has_unit:
            if not bare or not _bare_ok(text, start, end, table_line):
                continue
            if _YEARLIKE.fullmatch(text, start, end) and not table_line(start):
                continue  # a year standing in prose (``我局2009共…``, a heading ``2013``), not a cell
        nxt = text[end:end + 1]
        if nxt and nxt in "年月日号时":
            continue
        add(start, end, not has_unit)

    for m in rules.cn_q.finditer(text):
        start, end = m.start(), m.end()
        if overlaps(start, end, taken) or overlaps(start, m.end("num"), masks):
            continue
        num = m.group("num")
        prev = text[start - 1:start]
        if num[0] in "万萬亿億千百" and not (num in ("千", "百", "万", "萬") and prev in rules.magnitude_prefixes):
            continue  # 上千条, 近千位 are figures; a numeral opening with its multiplier otherwise is not
        if len(num) == 1 and m.group("unit") in _WEAK_CN_UNITS and num == "一":
            continue  # 一个, 一项: an article more often than a count (两个, 两次 are counts)
        if prev in ("第", "每", "逐", "初", "星", "周", "礼", "几", "幾"):
            continue
        add(start, end, False)

    found.sort(key=lambda q: q.start)
    return found


def iter_numerals(text: str) -> Iterator[re.Match]:
    """Every run of digits or Chinese numerals (for the corpus lint of uncovered numbers)."""
    return re.finditer(rf"{_ARABIC}|{_CN}{{2,}}", text)


# --------------------------------------------------------------------------- the spaCy component
def record_quantity(doc: Doc, q: QuantityMatch) -> None:
    doc._.quantity_info[f"{q.start}:{q.end}"] = [q.value, q.unit, q.approximate]


class QuantityRecognizer:
    """Finds QUANTITY spans by rule and records their normalised values."""

    def __init__(self, nlp: Language, name: str, bare: bool, overwrite: bool,
                 lexicon: Optional[Mapping[str, Sequence[str]]] = None) -> None:
        self.name = name
        self.bare = bare
        self.overwrite = overwrite
        self.lexicon = dict(lexicon or {})
        _rules(self.lexicon)  # a bad word list fails here, when the pipeline is built
        self.misaligned = 0

    def __call__(self, doc: Doc) -> Doc:
        extensions.init_doc(doc)
        info = doc._.quantity_info
        found = find_quantities(script.rule_text(doc), bare=self.bare, lexicon=self.lexicon)
        tokens = []  # token ranges of the quantities on token boundaries
        for q, t in zip(found, token_ranges(doc, [(q.start, q.end) for q in found])):
            if t is None:
                self.misaligned += 1
                continue
            info[f"{q.start}:{q.end}"] = [q.value, q.unit, q.approximate]  # record_quantity
            tokens.append(t)
        if self.overwrite:
            replace_entities(doc, tokens, "QUANTITY")
        else:
            spans = [Span(doc, s, e, label="QUANTITY") for s, e in tokens]
            existing = extensions.entities(doc)
            doc.set_ents(filter_spans(existing + without_overlaps(spans, existing, len(doc))))
        return doc


@Language.factory("govie_quantities", default_config={"bare": True, "overwrite": True, "lexicon": {}},
                  assigns=["doc.ents", "doc._.quantity_info"])
def make_quantities(nlp: Language, name: str, bare: bool, overwrite: bool,
                    lexicon: dict[str, list[str]]) -> QuantityRecognizer:
    """``lexicon``: word lists replacing those of ``quantity_lexicon.json`` with the same key (units,
    address words, session words, ...), e.g. ``[components.govie_quantities.lexicon] units = [...]``."""
    return QuantityRecognizer(nlp, name, bare, overwrite, lexicon)
