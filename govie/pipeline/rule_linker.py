"""Rule-based METRIC finding and VALUE_OF / PART_OF linking (the baseline linker).

For a narrative quantity the indicator is the phrase just before it in the same
clause, trimmed of subjects, time words and linking verbs; for a table cell it is
the row label (the text glued before a run of cells, or the nearest label line
above a cell standing on its own line). The trained relation component replaces
this linker in the shipped pipeline; it stays as the baseline and as a fallback.

Components: ``govie_rule_linker`` writes the links it proposes to ``Doc._.link_proposals`` (computed
once, read by ``govie_relations`` as candidates, features and fallback); ``govie_rule_relations``
accepts them all (the rule-only pipeline).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import extensions, script
from ..normalize import recorded
from .quantities import QuantityMatch
from .spans import overlaps, set_entities, span_mask, without_overlaps

_CLAUSE_DELIMS = set("，,。；;：:！？!?\n（(）)|｜\t“”\"《》【】[]")
#: numbered list markers (（三）, 2、), and all that open a METRIC (also 2 ., 一是)
_NUMBERED = r"[（(]?[一二三四五六七八九十]+[)）、.．]|[（(]?\d{1,2}[)）、.．]"
_MARKERS = _NUMBERED + r"|\d{1,2}\s*[.．](?!\d)|[一二三四五六七八九十]是"
_LEADING = re.compile(  # (no ^: match(text, pos) anchors at pos, ^ only at the text's start)
    r"(?:[\s　]|其中|包括|此外|另外|同时|共计|合计|总计|累计|共|计|全年|今年|本年度|本年|年度内|当年|去年|上年|"
    r"全市|全区|全县|全省|全州|全镇|全局|全委|全办|我市|我区|我县|我省|我局|我委|我办|我镇|我中心|本机关|本单位|本部门|"
    rf"市政府|区政府|县政府|各级|各地|各部门|各单位|先后|分别为|分别是|分别|目前|现有|已经|已|均|并|还|又|再|也|通过|{_MARKERS})+")
#: linking words a METRIC never ends with (peeled off its end together with white space)
_TRAILING_WORD = re.compile(
    r"(?:共计|合计|总计|累计|总数为|数量为|总量为|数为|人数为|达到|多达|达|为|是|有|约|近|超过|逾|计|共|均|都|各|"
    r"分别为|分别|占比|占|比例为|比例|同比|增长|下降|以上|高达|仅|不足|已|了)$")
_TRAILING_WORD_MAX = 3
_SUBJECT_ONLY = re.compile(r"^(?:[\s　的之等和及与]|)$")
_NOTE_LINE = re.compile(r"^\s*[（(].*[)）]\s*$")
_MARKER = re.compile(rf"\s*(?:{_NUMBERED}|\d{{1,2}}(?=[\u3400-\u9fff]))\s*")
#: a list marker opening a METRIC
_LIST_MARKER = re.compile(rf"\s*(?:{_MARKERS})\s*")
_MAX_METRIC = 20
_ADVERB_BEFORE_VERB = re.compile(
    r"(?:共计|累计|合计|总计|共)(?=主动公开|公开|发布|公布|受理|办结|答复|收到|接收|召开|举办|回应|清理|推送|办理|处理|"
    r"开展|组织|培训|接待|制发|印发|编印|报送|更新|整改|完成|新增|上传|录入)")
_SHARED = re.compile(r"均|都|分别|各")
#: between a count and its share: 占, 占比, 占总数的, 占总体比例的, 占全部的比重为 (the share takes the count's indicator)
_SHARE_OF_PREVIOUS = re.compile(
    r"^[，,、]?\s*(?:约|分别)?占(?:总体|总数|全部|总量|总额|总)?的?(?:比例|比重|百分比|比)?的?(?:为|约|达|是)?\s*$")
_YEAR = r"(?:19|20)\d\d\s*年度?"
_LEAD_YEAR = re.compile(rf"[\s\u3000]*{_YEAR}[\s\u3000]*")
_BREAK_YEAR = re.compile(rf"[\s\u3000]+{_YEAR}[\s\u3000]*")
_END_YEAR = re.compile(rf"{_YEAR}[\s\u3000]*$")
#: (compiled once: the linker tests these for every quantity)
_CJK = re.compile(r"[\u3400-\u9fff]")
_BREAKDOWN = re.compile(r"其中|分别|包括")
_BREAKDOWN_AFTER = re.compile(r"[，,（(]?\s*(?:其中|分别|包括)")
_SENTENCE_BREAK = re.compile(r"[。；;\n]")


@dataclass(frozen=True)
class CharSpan:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Link:
    quantity: CharSpan
    metric: CharSpan
    label: str = "VALUE_OF"


def trailing_start(text: str, start: int, end: int) -> int:
    """Where the run of linking words and white space that ends ``text[start:end]`` begins.

    Peeled from the end one word at a time, so the time is linear in the run (a regex search for
    ``(word|\\s)+$`` backtracks quadratically over a long run of spaces).
    """
    while True:
        while end > start and text[end - 1].isspace():
            end -= 1
        m = _TRAILING_WORD.search(text, max(start, end - _TRAILING_WORD_MAX), end)
        if not m:
            return end
        end = m.start()


def _trim(text: str, start: int, end: int) -> Optional[CharSpan]:
    """Trim the candidate phrase ``text[start:end]`` to the indicator."""
    end = trailing_start(text, start, end)
    s = text[start:end]
    m = _LEADING.match(s)
    if m:
        start += m.end()
        s = text[start:end]
    # no METRIC opens with a year; a heading run together with a sentence that opens with one
    # (``主要内容 2013年新增主动公开政府信息``) keeps the sentence part, and ``咨询情况 2013年`` has no indicator
    breaks = list(_BREAK_YEAR.finditer(s))
    if breaks:
        if _END_YEAR.search(s):
            return None
        start += breaks[-1].end()
        s = text[start:end]
    m = _LEAD_YEAR.match(s)
    if m:
        start += m.end()
        s = text[start:end]
    # the subject before 共/累计 + verb is not part of the indicator (我局共主动公开政府信息)
    cut = None
    for cut in _ADVERB_BEFORE_VERB.finditer(s):
        pass
    if cut is not None:
        start += cut.end()
        s = text[start:end]
    if end - start > _MAX_METRIC:
        start = end - _MAX_METRIC
        s = text[start:end]
    if not s or _SUBJECT_ONLY.match(s) or not _CJK.search(s):
        return None
    s2 = s.strip(" 　的")
    off = s.find(s2)
    return CharSpan(start + off, start + off + len(s2), s2) if s2 else None


_EDGE_PUNCT = " \u3000\t\n，,。；;：:、！？!?|｜"


def trim_metric(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without punctuation or a list marker at its start and without linking words or
    qualifiers at its end (``;土地交易公告``, ``（三）土地交易公告``, ``公开提案议案信息约``). May return an empty
    span. The words that open a predicted METRIC are ``govie_metric_bounds``' config (``leading``): the
    rule linker's wider list (``_LEADING``: 本机关, 市政府, 上年…) would cut words that distinguish an
    indicator (本机关不掌握, 上年结转政府信息公开申请)."""
    while start < end and text[start] in _EDGE_PUNCT:
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCT:
        end -= 1
    end = trailing_start(text, start, end)
    m = _LIST_MARKER.match(text, start, end)
    if m:
        start = m.end()
    return start, max(start, end)


def _clause_start(text: str, pos: int, floor: int) -> int:
    i = pos
    while i > floor and text[i - 1] not in _CLAUSE_DELIMS and text[i - 1] != "、":
        i -= 1
    return i


def _label_line_above(text: str, q: QuantityMatch) -> Optional[CharSpan]:
    """Nearest label line above a number standing on its own line (vertical tables)."""
    pos = text.rfind("\n", 0, q.start)
    for _ in range(12):
        if pos <= 0:
            return None
        ls = text.rfind("\n", 0, pos) + 1
        line = text[ls:pos]
        pos = ls - 1
        stripped = line.strip()
        if not stripped or not _CJK.search(stripped) or _NOTE_LINE.match(line):
            continue
        if stripped in ("单位", "统计数", "——", "统 计 指 标") or len(stripped) <= 2 and not re.search(r"数", stripped):
            continue  # unit column cells such as 件 / 条
        off = ls + len(line) - len(line.lstrip())
        mk = _MARKER.match(text, off)
        if mk:
            off = mk.end()
        lead = re.match(r"(?:其中[:：]?)\s*", text[off:ls + len(line)])
        if lead:
            off += lead.end()
        end = ls + len(line.rstrip())
        if end - off <= 0:
            return None
        return CharSpan(off, end, text[off:end])
    return None


def link_quantities(text: str, quantities: Sequence[QuantityMatch]) -> list[Link]:
    """Link each quantity to the indicator phrase(s) it measures."""
    links: list[Link] = []
    prev_end = 0
    for q in quantities:
        qs = CharSpan(q.start, q.end, q.text)
        own_line = text[text.rfind("\n", 0, q.start) + 1:q.start].strip() == ""
        if q.bare and own_line:
            lab = _label_line_above(text, q)
            if lab:
                links.append(Link(qs, lab))
            prev_end = q.end
            continue
        floor = prev_end
        cs = _clause_start(text, q.start, floor)
        metric = _trim(text, cs, q.start)
        if links and links[-1].quantity.end == prev_end and _SHARE_OF_PREVIOUS.match(text[prev_end:q.start]):
            # 主动公开政府信息303条，占71.3%: the share measures the indicator of the count before it
            last = links[-1].quantity
            links += [Link(qs, link.metric) for link in links if link.quantity == last]
            prev_end = q.end
            continue
        if metric is None and q.bare:
            prev_end = q.end
            continue
        if metric is not None:
            metric = CharSpan(*_strip_marker(text, metric))
            if metric.end > metric.start:
                # an enumeration before the figure: 办理复文率、公开率均达100% -- indicators that share
                # the figure, one METRIC each; 发布审批、核准、报表等文件70余条 -- one METRIC
                pieces = [metric]
                j = metric.start
                while j - 1 > floor and text[j - 1] == "、":
                    ps = _clause_start(text, j - 1, floor)
                    prev_metric = _trim(text, ps, j - 1)
                    if prev_metric is None or any(ps <= o.start < j for o in quantities):
                        break
                    pieces.append(prev_metric)
                    j = prev_metric.start
                if len(pieces) == 1 or _SHARED.search(text, metric.end, q.start):
                    links.extend(Link(qs, m) for m in pieces)
                else:
                    start = pieces[-1].start
                    links.append(Link(qs, CharSpan(start, metric.end, text[start:metric.end])))
        prev_end = q.end
    return links


def _strip_marker(text: str, span: CharSpan) -> tuple[int, int, str]:
    mk = _MARKER.match(span.text)
    start = span.start + (mk.end() if mk else 0)
    return start, span.end, text[start:span.end]


def part_of_links(text: str, links: Sequence[Link]) -> list[tuple[CharSpan, CharSpan]]:
    """METRIC → METRIC breakdowns introduced by 其中 / 分别为 / 包括 after a total."""
    out: list[tuple[CharSpan, CharSpan]] = []
    by_q = sorted(links, key=lambda l: l.quantity.start)
    parent: Optional[CharSpan] = None
    parent_end = -1
    for link in by_q:
        between = text[parent_end:link.metric.start] if parent is not None else ""
        if parent is not None and 0 <= link.metric.start - parent_end <= 40 and _BREAKDOWN.search(text[parent_end:link.quantity.start]) \
                and not _SENTENCE_BREAK.search(between):
            if link.metric != parent:
                out.append((link.metric, parent))
                parent_end = link.quantity.end
                continue
        tail = text[link.quantity.end:link.quantity.end + 6]
        if _BREAKDOWN_AFTER.match(tail):
            parent, parent_end = link.metric, link.quantity.end
        else:
            parent, parent_end = None, -1
    return out


# --------------------------------------------------------------------------- spaCy components
#: ``Doc._.link_proposals``: what the rule linker proposes, in character offsets, for the components after
#: it to decide on: ``{"VALUE_OF": [[q_start, q_end, m_start, m_end], …], "PART_OF": [[c_start, c_end,
#: p_start, p_end], …]}``; METRIC spans lie on token boundaries and overlap no QUANTITY.
PROPOSALS = "link_proposals"
if not Doc.has_extension(PROPOSALS):
    Doc.set_extension(PROPOSALS, default=None)


def propose(doc: Doc, part_of: bool = True) -> dict[str, list[list[int]]]:
    """The rule linker's proposals for the doc's QUANTITY entities that no earlier component linked
    (table cells keep their links). Each unlinked quantity is read with the one before it: that one
    bounds its clause, and a share after a count (``占N%``) takes the count's indicator."""
    extensions.init_doc(doc)
    linked = {(r[0], r[1]) for r in doc._.relations if r[4] == "VALUE_OF"}
    spans = [(s, e) for s, e, label in extensions.entity_offsets(doc) if label == "QUANTITY"]
    wanted = [i for i, se in enumerate(spans) if se not in linked]
    text = extensions.doc_text(doc)
    info = doc._.quantity_info
    quantities: list[QuantityMatch] = []
    for i in sorted(set(wanted) | {i - 1 for i in wanted if i > 0}):
        s, e = spans[i]
        n = recorded(info, text, s, e)  # ``Span._.value``, ``_.unit``, ``_.approximate``
        if n is not None and n.value is not None:
            quantities.append(QuantityMatch(s, e, text[s:e], n.value, n.unit, bool(n.approximate), n.unit is None))
    text = script.rule_text(doc)
    links = [link for link in link_quantities(text, quantities)
             if (link.quantity.start, link.quantity.end) not in linked]
    in_quantity = span_mask(len(text), spans)
    aligned: dict[tuple[int, int], tuple[int, int]] = {}  # the phrase → its span on token boundaries
    for link in links:
        key = (link.metric.start, link.metric.end)
        if key in aligned or overlaps(key[0], key[1], in_quantity):
            continue
        span = doc.char_span(key[0], key[1], label="METRIC", alignment_mode="contract")
        if span is not None and len(span):
            aligned[key] = (span.start_char, span.end_char)
    out: dict[str, list[list[int]]] = {"VALUE_OF": [], "PART_OF": []}
    for link in links:
        m = aligned.get((link.metric.start, link.metric.end))
        if m is not None:
            out["VALUE_OF"].append([link.quantity.start, link.quantity.end, *m])
    if part_of:
        for child, parent in part_of_links(text, links):
            c, p = aligned.get((child.start, child.end)), aligned.get((parent.start, parent.end))
            if c is not None and p is not None:
                out["PART_OF"].append([*c, *p])
    return out


def accept(doc: Doc, proposals: dict[str, list], quantities: Optional[set[tuple[int, int]]] = None) -> None:
    """Make the proposals of ``quantities`` (all unlinked ones when None) relations: their METRICs become
    entities where they overlap no METRIC an existing relation uses (earlier proposals win over later
    overlapping ones), the other METRIC entities are dropped, and a PART_OF proposal holds when both
    its METRICs were placed here."""
    extensions.init_doc(doc)
    existing = list(doc._.relations)
    linked = {(r[0], r[1]) for r in existing if r[4] == "VALUE_OF"}
    owned = {(r[2], r[3]) for r in existing} | {(r[0], r[1]) for r in existing if r[4] == "PART_OF"}
    links = [tuple(p) for p in proposals.get("VALUE_OF", ()) if (p[0], p[1]) not in linked
             and (quantities is None or (p[0], p[1]) in quantities)]
    ents = extensions.entities(doc)
    keep_metrics = [e for e in ents if e.label_ == "METRIC" and (e.start_char, e.end_char) in owned]
    metrics: dict[tuple[int, int], Span] = {}
    for q0, q1, m0, m1 in links:
        if (m0, m1) not in metrics:
            span = doc.char_span(m0, m1, label="METRIC", alignment_mode="contract")
            if span is not None and len(span):
                metrics[(m0, m1)] = span
    chosen = without_overlaps(filter_spans(list(metrics.values())), keep_metrics, len(doc))
    final = set_entities(doc, chosen + keep_metrics, ["METRIC"], ents)
    kept = {(s.start_char, s.end_char) for s in final if s.label_ == "METRIC"}
    placed = {k for k, v in metrics.items() if (v.start_char, v.end_char) in kept}
    rels = [(q0, q1, m0, m1, "VALUE_OF", 1.0) for q0, q1, m0, m1 in links if (m0, m1) in placed]
    rels += [(c0, c1, p0, p1, "PART_OF", 1.0) for c0, c1, p0, p1 in proposals.get("PART_OF", ())
             if (c0, c1) in placed and (p0, p1) in placed]
    doc._.relations = sorted(set(existing + rels))


class RuleLinker:
    """Proposes, for each quantity not yet linked, the METRIC phrase the rules find and the PART_OF
    breakdowns between them; writes ``Doc._.link_proposals`` and nothing else."""

    def __init__(self, nlp: Language, name: str, part_of: bool) -> None:
        self.name = name
        self.part_of = part_of

    def __call__(self, doc: Doc) -> Doc:
        doc._.link_proposals = propose(doc, self.part_of)
        return doc


@Language.factory("govie_rule_linker", default_config={"part_of": True},
                  assigns=["doc._.link_proposals"], requires=["doc.ents", "doc._.relations"])
def make_rule_linker(nlp: Language, name: str, part_of: bool) -> RuleLinker:
    return RuleLinker(nlp, name, part_of)


class RuleRelations:
    """The rule baseline's decision: every proposal of ``Doc._.link_proposals`` becomes a relation
    (the shipped pipeline lets ``govie_relations`` decide instead)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        accept(doc, doc._.link_proposals or {})
        return doc


@Language.factory("govie_rule_relations", assigns=["doc.ents", "doc._.relations"],
                  requires=["doc.ents", "doc._.link_proposals"])
def make_rule_relations(nlp: Language, name: str) -> RuleRelations:
    return RuleRelations(nlp, name)
