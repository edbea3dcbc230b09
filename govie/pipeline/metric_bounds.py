"""The ``govie_metric_bounds`` component: METRIC spans trimmed to the guidelines' bounds (ANNOTATION.md,
narrative METRIC bounds). The pipeline runs it twice: after the NER (the NER's METRICs), and as
``govie_metric_bounds_final`` with ``relations = true`` after the linkers (the METRICs relations point to).
The word lists are the factory's config: a pipeline's ``config.cfg`` can replace any of them."""
from __future__ import annotations

import re
from typing import Sequence

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from . import extensions, script
from .spans import overlaps, span_mask
from .rule_linker import _BREAKDOWN, _CLAUSE_DELIMS, trim_metric


#: the word lists of ``govie_metric_bounds`` (ANNOTATION.md, narrative METRIC bounds), each kept because
#: it turned predicted METRICs into the annotated ones on train and dev without breaking an exact one
#: (issue #17; figures in the commit). A pipeline's config can replace any of them.
METRIC_BOUNDS_CONFIG = {
    # linking, scope and qualifier words that open a predicted METRIC but stay outside it
    "leading": ["通过", "通過", "利用", "依托", "因", "作为", "作為", "来自", "來自", "发生", "發生", "具体包括", "已",
                "专门的", "專門的", "在", "其中", "包括", "此外", "另外", "同时", "共计", "合计", "总计", "累计", "共",
                "全年", "今年", "当年", "年度内", "先后", "分别为", "分别是", "分别", "目前", "已经"],
    # words that begin with a leading word and are words of the indicator (在线访谈)
    "keep": ["在线", "在線", "在建", "在办", "在辦", "在职", "在職", "在校", "因素", "已办", "已辦", "共性", "共享",
             "共同", "同时段"],
    # a channel (通过政府网站, 在村务公开栏) before the verb that defines the indicator and its object:
    # 发布信息 (but 通过网站公开, a breakdown by channel, keeps its channel)
    "channel_openers": ["通过", "通過", "在", "利用", "依托", "围绕", "圍繞"],
    # qualifiers before a channel's opener, outside with it (主动通过网站发布信息 → 发布信息)
    "channel_qualifiers": ["主动", "主動", "及时", "及時", "积极", "積極", "全面", "集中", "分别", "分別"],
    "channel_verbs": ["主动公开", "主動公開", "公开", "公開", "发布", "發布", "发表", "發表", "推送", "更新", "公布",
                      "主动发布", "主動發布", "主动公布", "主動公布", "主动推送", "主動推送"],
    # words that end a channel's name: a verb before one is part of the name (在区政府信息公开网主动公开…)
    "channel_nouns": ["网站", "网", "专栏", "栏", "平台", "目录", "公众号", "客户端", "微博", "微信", "系统"],
    # the body that did it, before the verb that defines the indicator (区城市管理局主动公开政府信息 →
    # 主动公开政府信息): a name ending in one of these words, then one of the verbs (matched on the
    # simplified view); kept after a breakdown cue, where the body names the part
    "subject_suffixes": ["局", "委员会", "委", "办公室", "厅", "中心", "政府", "单位", "部门", "机关", "街道", "镇", "乡"],
    "subject_verbs": ["主动公开", "公开", "受理", "收到", "办结", "答复", "制作", "发布", "接收", "召开", "举办", "开展",
                      "办理", "处理", "回应", "印发", "制发"],
    # number + measure word + noun (26家政府部门): the measure words, and the words that end the noun
    # when the NER's METRIC runs on into what the counted things did (39个乡镇设置信息联络员 → 乡镇)
    "classifiers": list("个個名家项項篇场場位类類份起所座支批"),
    "noun_ends": ["设置", "設置", "设立", "設立", "被", "已", "均", "分别", "分別", "进行", "進行", "开展", "開展",
                  "实现", "實現", "推进", "推進", "提供", "兼职", "兼職", "参与", "參與", "参加", "參加", "通过",
                  "通過", "可通过", "可通過", "双随机", "雙隨機", "中有"],
    # scope words: inside a METRIC, what comes before one is a heading or context glued on (（一）主动公开情况
    # 全年政府信息主动公开 → 政府信息主动公开)
    "scopes": ["全年", "全年度", "今年"],
    # words that close a predicted METRIC but stay outside it: 等, 的, a change (提高至, 压缩), 超, a conjunction
    "trailing": ["等", "的", "超", "提高至", "提高到", "提升至", "提升到", "增至", "增加至", "降至", "降低至", "缩短至",
                 "缩短为", "缩减至", "压缩至", "压缩为", "压缩", "简化为", "简化", "由", "从", "從", "和", "及", "与", "以及"],
}
_CHANNEL_MAX = 15
_SUBJECT_MAX = 12
_YEAR_END = re.compile(r"(?:由|从|從)?\s*(?:19|20)\d\d\s*(?:年度|年)?$")
_SENTENCE_END = re.compile(r"[。；;！？!?]")
_BREAKDOWN_LOOKBACK = 120
_EDGE_SPACE = " \u3000\t\n"
_BARE = re.compile(r"[-－−]?[\d０-９.,，]+")


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True) if w) or r"(?!x)x"


class MetricBounds:
    """Trims METRIC spans to the guidelines' bounds: no punctuation, linking word or qualifier at
    either end (``;土地交易公告``, ``信息约``, :func:`govie.pipeline.rule_linker.trim_metric`), nor the words of
    ``leading`` / ``trailing``, a channel before the defining verb (``通过政府网站发布信息`` →
    ``发布信息``), the body that did it (``区城市管理局主动公开政府信息`` → ``主动公开政府信息``; kept in the parts
    after a breakdown cue), a year at the end (``点击量由2011年``). Line breaks inside the phrase stay.

    ``relations``: also trim the METRICs that relations point to (the final spans, after the linker),
    moving the relations with them, cut a METRIC at a sentence end (``。；``) on its quantity's side, and
    end the noun after a figure's measure word before the words of ``noun_ends`` (``39个乡镇设置…`` → ``乡镇``).
    """

    def __init__(self, nlp: Language, name: str, leading: Sequence[str] = (), keep: Sequence[str] = (),
                 channel_openers: Sequence[str] = (), channel_verbs: Sequence[str] = (),
                 trailing: Sequence[str] = (), relations: bool = False, subject_suffixes: Sequence[str] = (),
                 subject_verbs: Sequence[str] = (), channel_nouns: Sequence[str] = (),
                 channel_qualifiers: Sequence[str] = (), classifiers: Sequence[str] = (),
                 noun_ends: Sequence[str] = (), scopes: Sequence[str] = ()) -> None:
        self.name = name
        self.relations = relations
        self.leading = re.compile(f"(?:{_alternation(leading)})")
        self.keep = re.compile(f"(?:{_alternation(keep)})")
        # the verb has an object, and is not part of the channel's name (信息公开网, 信息公开目录)
        qualifier = f"(?:{_alternation(channel_qualifiers)})?"
        self.opener = re.compile(f"{qualifier}(?:{_alternation(channel_openers)})")
        self.channel = re.compile(f"{self.opener.pattern}[^，,。；;：:、“”\"「」《》\n]{{1,{_CHANNEL_MAX}}}?"
                                  f"(?=(?:{_alternation(channel_verbs)})(?!{_alternation(channel_nouns)})"
                                  f"[^\\s，,。；;])")
        self.name_end = re.compile(f"(?:{_alternation(channel_nouns)})$")
        self.name_word = re.compile(f"(?:{_alternation(channel_nouns)})")
        self.trailing = re.compile(f"(?:{_alternation(trailing)})$")
        self.classifier = re.compile(f"(?:{_alternation(classifiers)})$")
        self.noun_end = re.compile(f"(?:{_alternation(noun_ends)})")
        self.scope = re.compile(f"(?:{_alternation(scopes)})")
        self.subject = re.compile(f"[\u4e00-\u9fff]{{1,{_SUBJECT_MAX}}}?(?:{_alternation(subject_suffixes)})"
                                  f"(?=(?:{_alternation(subject_verbs)}))")

    def bounds(self, text: str, start: int, end: int) -> tuple[int, int]:
        """The trimmed ``[start, end)`` of a METRIC; the span itself when trimming would empty it."""
        s, e = start, end
        s = self._after_channel(text, s, e)  # before trim_metric, which takes 通过 alone
        m = self.scope.search(text, s + 1, e)
        if m and m.end() < e:
            s = m.end()
        m = self.subject.match(text, s, e)
        if m and m.end() < e and not _in_breakdown(text, s):
            s = m.end()
        s, e = trim_metric(text, s, e)  # once: again after a word below, it would peel 比例 off 报销比例
        for _ in range(8):  # a few words at most; each round peels one
            s0, e0 = s, e
            if not self.keep.match(text, s, e):
                m = self.leading.match(text, s, e)
                if m and m.end() < e:
                    s = m.end()
            m = self.trailing.search(text, s, e) or _YEAR_END.search(text, s, e)
            if m and m.start() > s:
                e = m.start()
            while s < e and text[s] in _EDGE_SPACE:
                s += 1
            while e > s and text[e - 1] in _EDGE_SPACE:
                e -= 1
            if (s, e) == (s0, e0):
                break
        return (s, e) if e > s else (start, end)

    def _after_channel(self, text: str, s: int, e: int) -> int:
        """Where the defining verb starts when ``[s, e)`` starts with a channel (通过政府网站发布信息) or
        inside the name of one its clause opened before ``s`` (the NER's ``公开系统主动公开…`` of
        ``通过区政府信息公开系统主动公开…``); ``s`` otherwise. A span that starts with the channel's name
        right after its opener (``政务微博公开政府信息`` of ``通过政务微博公开…``) keeps it: a breakdown by
        channel; one that starts right after a name's last word (``回应…`` of ``通过政府门户网站回应…``, not
        ``公众号…`` of ``通过微信公众号…``) starts at its verb."""
        for p in range(s, max(-1, s - _CHANNEL_MAX - 1), -1):
            if p < s:
                if text[p] in _CLAUSE_DELIMS:
                    break
                opener = self.opener.match(text, p)
                if not opener or opener.end() == s or (self.name_end.search(text, p, s)
                                                       and not self.name_word.match(text, s)):
                    continue
            m = self.channel.match(text, p, e)
            if m and s < m.end() < e:
                return m.end()
        return s

    def __call__(self, doc: Doc) -> Doc:
        text = script.rule_text(doc)
        rels = list(doc._.relations or []) if self.relations else []
        near: dict[tuple[int, int], int] = {}  # a METRIC's quantity (its start), for the sentence cut
        # row and column labels of tables keep their bounds (总 计, 历年累计): the METRICs of table
        # regions and of bare cells (a number without a unit)
        tables = [(t["start"], t["end"]) for t in (doc.user_data.get("govie_meta") or {}).get("tables", [])]
        in_table = span_mask(len(text) + 1, ((s, e + 1) for s, e in tables))
        labels = set()
        nouns = set()  # METRICs right after their figure's measure word (26家政府部门)
        for r in rels:
            if r[4] == "VALUE_OF":
                near.setdefault((r[2], r[3]), r[0])
                if r[1] == r[2] and self.classifier.search(text, r[0], r[1]):
                    nouns.add((r[2], r[3]))
                if overlaps(r[0], r[1], in_table) or _BARE.fullmatch(text, r[0], r[1]):
                    labels.add((r[2], r[3]))
        replaced, moved = {}, {}  # the index of an entity → its trimmed span; offsets → offsets
        for i, (start0, end0, label) in enumerate(extensions.entity_offsets(doc)):  # (no Span per entity)
            if label == "METRIC" and (start0, end0) not in labels \
                    and not (rels and overlaps(start0, end0, in_table)):
                start, end = start0, end0
                q = near.get((start, end))
                if q is not None and _SENTENCE_END.search(text, start, end):
                    start, end = _sentence_side(text, start, end, q)
                if (start0, end0) in nouns:
                    m = self.noun_end.search(text, start + 1, end)
                    end = m.start() if m else end
                start, end = self.bounds(text, start, end)
                if (start, end) != (start0, end0):
                    span = doc.char_span(start, end, label="METRIC", alignment_mode="contract")
                    if span is not None and len(span) and (span.start_char, span.end_char) != (start0, end0):
                        moved[(start0, end0)] = (span.start_char, span.end_char)
                        replaced[i] = span
        if moved:
            ents = [replaced.get(i, e) for i, e in enumerate(extensions.entities(doc))]
            doc.set_ents(filter_spans(ents))
            kept = {(s, e) for s, e, label in extensions.entity_offsets(doc) if label == "METRIC"}
            if rels:
                doc._.relations = sorted({_moved_relation(r, moved, kept) for r in rels})
        return doc


def _in_breakdown(text: str, start: int) -> bool:
    """A METRIC starting at ``start`` follows a breakdown cue (其中, 分别, 包括) of its sentence: it names a
    part, and the body or place before its verb is what distinguishes it (其中乡镇人民政府主动公开…, 市政府有关部门主动公开…)."""
    lo = max(0, start - _BREAKDOWN_LOOKBACK)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, lo, start)]
    return _BREAKDOWN.search(text, ends[-1] if ends else lo, start) is not None


def _sentence_side(text: str, start: int, end: int, quantity: int) -> tuple[int, int]:
    """The part of ``[start, end)`` on the side of the quantity at ``quantity`` of its sentence ends."""
    cuts = [m.start() for m in _SENTENCE_END.finditer(text, start, end)]
    if quantity >= end:  # the figure follows: the last sentence piece
        return cuts[-1] + 1, end
    if quantity < start:  # the figure precedes (26家政府部门): the first piece
        return start, cuts[0]
    return start, end


def _moved_relation(r: tuple, moved: dict, kept: set) -> tuple:
    """``r`` with its METRIC ends moved where :class:`MetricBounds` trimmed them (when the new span
    became an entity)."""
    hs, he, ts, te = r[:4]
    if r[4] == "PART_OF" and (hs, he) in moved and moved[(hs, he)] in kept:
        hs, he = moved[(hs, he)]
    if (ts, te) in moved and moved[(ts, te)] in kept:
        ts, te = moved[(ts, te)]
    return (hs, he, ts, te) + tuple(r[4:])


@Language.factory("govie_metric_bounds", default_config={**METRIC_BOUNDS_CONFIG, "relations": False},
                  assigns=["doc.ents", "doc._.relations"], requires=["doc.ents"])
def make_metric_bounds(nlp: Language, name: str, leading: list[str], keep: list[str], channel_openers: list[str],
                       channel_verbs: list[str], trailing: list[str], relations: bool, subject_suffixes: list[str],
                       subject_verbs: list[str], channel_nouns: list[str],
                       channel_qualifiers: list[str], classifiers: list[str], noun_ends: list[str],
                       scopes: list[str]) -> MetricBounds:
    return MetricBounds(nlp, name, leading, keep, channel_openers, channel_verbs, trailing, relations,
                        subject_suffixes, subject_verbs, channel_nouns, channel_qualifiers, classifiers, noun_ends,
                        scopes)
