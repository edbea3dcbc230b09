"""The ``govie_counted_nouns`` component: in ``number + measure word + noun`` the noun is what was counted
(ANNOTATION.md, narrative METRIC bounds: ``组织全区26家政府部门…`` → ``政府部门``).

The NER and the relation network find most such nouns, but where the sentence opens with a verb they
link the figure to it (``成立8个“剿灭劣V类水”联系服务组`` → ``成立``) or to the clause before
(``…等12个方面开展了试点工作`` → the enumeration). This component runs after the linkers and moves such
a figure's VALUE_OF to the noun after its measure word: the METRIC entity that starts there, else a new
one up to the clause's end, a number, or ``的`` (``govie_metric_bounds_final`` then trims it). A figure
already linked to a METRIC after it keeps its links, as does one whose measure word is followed by a
word of ``not_nouns`` (``8个增加到16个``, ``5家以上``). PART_OF relations of a METRIC no other figure
measures move with it.
"""
from __future__ import annotations

import bisect
import re
from typing import Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from . import extensions, script
from .metric_bounds import _alternation
from .relation_model import PART_OF, VALUE_OF
from .spans import set_entities

#: the factory's config (a pipeline's ``config.cfg`` can replace any of it), each list kept because it
#: moved figures to their annotated METRIC on train and dev (issue #17)
COUNTED_NOUNS_CONFIG = {
    # measure words after which the counted noun follows (条, 件, 次 also follow the indicator's noun
    # in lists run together, 概况类信息348条政务要闻415条, and are left out)
    "classifiers": list("个個名家项項篇场場位类類份起所座支批种種处處"),
    # what follows a measure word and is no noun of it: a change, a share, a bound, a linking word
    "not_nouns": ["等", "的", "之", "占", "佔", "以上", "以下", "以内", "以內", "左右", "余", "餘", "多", "增加",
                  "增至", "增长", "增長", "上升", "提高", "提升", "减少", "減少", "下降", "降至", "降低", "共", "和",
                  "及", "与", "與", "或", "至", "到", "均", "分别", "分別", "各", "次", "工作日", "月", "小时",
                  "小時", "分钟", "分鐘", "条", "條", "件", "个", "個"],
    # modifiers before the noun that stay outside it (1个专门的信息申请受理点 → 信息申请受理点)
    "modifiers": ["专门的", "專門的"],
    # the longest noun a new METRIC takes (characters)
    "max_chars": 16,
}
_STOPS = set("，,。；;：:！？!?、|｜\t《》【】[]（）")
_DIGIT = re.compile(r"[0-9０-９]")
_OPEN_QUOTES = "“「‘\""
_CLOSE = re.compile(r"[(（][\u4e00-\u9fff]+[)）]")
_BRACKET_MAX = 6


class CountedNouns:
    """Moves a figure's VALUE_OF from a METRIC before it to the noun after its measure word."""

    def __init__(self, nlp: Language, name: str, classifiers: Sequence[str] = (),
                 not_nouns: Sequence[str] = (), modifiers: Sequence[str] = (), max_chars: int = 16) -> None:
        self.name = name
        self.classifiers = frozenset(classifiers)
        self.not_noun = re.compile(f"(?:{_alternation(not_nouns)})")
        self.modifier = re.compile(f"(?:{_alternation(modifiers)})")
        self.max_chars = max_chars

    def noun_span(self, text: str, end: int) -> Optional[tuple[int, int]]:
        """The noun after a quantity ending at ``end`` with a measure word: from the end of ``modifiers``
        up to the clause's end, a number, ``的``, a quote that opens after its start or ``max_chars`` (a
        bracket closed within a few characters stays: ``镇(街道)``); None when what follows is no noun."""
        if end >= len(text) or text[end - 1] not in self.classifiers:
            return None
        c = text[end]
        if not ("\u4e00" <= c <= "\u9fff" or c in _OPEN_QUOTES) or self.not_noun.match(text, end):
            return None
        m = self.modifier.match(text, end)
        start = m.end() if m else end
        stop, limit = start, min(len(text), start + self.max_chars)
        while stop < limit:
            c = text[stop]
            if c in "(（" and stop > start:
                close = _CLOSE.match(text, stop, min(len(text), stop + _BRACKET_MAX))
                if close is None:
                    break
                stop = close.end()
                continue
            if c in _STOPS or c == "的" or _DIGIT.match(c) or (c in _OPEN_QUOTES and stop > start):
                break
            stop += 1
        while stop > start and text[stop - 1] in " \u3000\n":
            stop -= 1
        return (start, stop) if any("\u4e00" <= ch <= "\u9fff" for ch in text[start:stop]) else None

    def __call__(self, doc: Doc) -> Doc:
        rels = list(doc._.relations or [])
        text = script.rule_text(doc)
        ents = extensions.entity_offsets(doc)
        metric_at = {s: (s, e) for s, e, label in ents if label == "METRIC"}
        after: dict[tuple[int, int], bool] = {}  # quantity → whether a METRIC after it is linked
        for r in rels:
            if r[4] == VALUE_OF:
                after[(r[0], r[1])] = after.get((r[0], r[1]), False) or r[2] >= r[1]
        used = {(r[2], r[3]) for r in rels} | {(r[0], r[1]) for r in rels if r[4] == PART_OF}
        # where a new METRIC must stop: the next QUANTITY or METRIC that a relation uses
        blocks = sorted(s for s, e, label in ents if label == "QUANTITY" or (s, e) in used)
        moves: dict[tuple[int, int], tuple[int, int]] = {}  # quantity → its noun
        new_spans = []
        for s, e, label in ents:
            if label != "QUANTITY" or after.get((s, e)):
                continue
            noun = self.noun_span(text, e)
            if noun is None:
                continue
            if noun[0] in metric_at:  # the NER's METRIC after the figure
                moves[(s, e)] = metric_at[noun[0]]
                continue
            i = bisect.bisect_right(blocks, noun[0])
            stop = min(noun[1], blocks[i]) if i < len(blocks) else noun[1]
            if stop - noun[0] < 2 and stop in metric_at:  # (1起因变更被告…: the METRIC right after 因)
                moves[(s, e)] = metric_at[stop]
                continue
            span = doc.char_span(noun[0], stop, label="METRIC", alignment_mode="contract")
            if span is not None and len(span):
                moves[(s, e)] = (span.start_char, span.end_char)
                new_spans.append(span)
        if not moves:
            return doc
        if new_spans:
            set_entities(doc, new_spans, ())
            kept = {(s, e) for s, e, label in extensions.entity_offsets(doc) if label == "METRIC"}
            moves = {q: n for q, n in moves.items() if n in kept}
        doc._.relations = _moved(rels, moves)
        return doc


def _moved(rels: list[tuple], moves: dict[tuple[int, int], tuple[int, int]]) -> list[tuple]:
    """``rels`` with each moved quantity's VALUE_OF pointing to its noun (one relation, with the best score
    of the quantity's links, or 1.0 as the rule linker's relations have where it had none),
    and the PART_OF relations of a METRIC that no figure measures any more on the noun that took its
    figure."""
    out, old_of, best = [], {}, {}
    for r in rels:
        q = (r[0], r[1])
        if r[4] == VALUE_OF and q in moves:
            old_of.setdefault((r[2], r[3]), moves[q])
            best[q] = max(best.get(q, r[5]), r[5])
            continue
        out.append(r)
    measured = {(r[2], r[3]) for r in out if r[4] == VALUE_OF}
    for q, noun in moves.items():
        out.append((q[0], q[1], noun[0], noun[1], VALUE_OF, best.get(q, 1.0)))
    follow = {m: n for m, n in old_of.items() if m not in measured}
    final = set()
    for r in out:
        if r[4] == PART_OF and ((r[0], r[1]) in follow or (r[2], r[3]) in follow):
            c = follow.get((r[0], r[1]), (r[0], r[1]))
            p = follow.get((r[2], r[3]), (r[2], r[3]))
            if c == p:
                continue
            r = (c[0], c[1], p[0], p[1]) + tuple(r[4:])
        final.add(r)
    return sorted(final)


@Language.factory("govie_counted_nouns", default_config=COUNTED_NOUNS_CONFIG,
                  assigns=["doc.ents", "doc._.relations"], requires=["doc.ents", "doc._.relations"])
def make_counted_nouns(nlp: Language, name: str, classifiers: list[str], not_nouns: list[str],
                       modifiers: list[str], max_chars: int) -> CountedNouns:
    return CountedNouns(nlp, name, classifiers, not_nouns, modifiers, max_chars)
