"""The ``govie_breakdown_sums`` component: figures that add up to an earlier figure are its breakdown.

Reports often break a total down without ``其中``/``分别``/``包括``: ``办结2,019件…从办理结果看:予以公开589件;
部分公开135件;…``, ``公开278条政务信息，机构职能类信息2条，行政许可类信息3条，…``, ``复议结果为维持5件,被依法纠错1件,
其他情形4件``. Where a run of two or more narrative figures in one sentence, in the unit of a figure shortly
before them, adds up exactly to it, each figure's METRIC is PART_OF that figure's METRIC (ANNOTATION.md,
Relation). The nearest such total wins (``收到申请224件,其中…。办结224件。…属已主动公开范围23件,同意公开29件…``
→ ``办结``), and a sum decides over the relation component's guess: a child that the network put under
another METRIC (``主动公开744条,其中,通过…网主动公开信息140条,具体为:人大建议办理类信息41条…`` → the 140)
is moved to the total its figures reach. Figures of the statistics tables are left to the table reader.

Before the sums, a breakdown cue right after a figure (``其中政务公开专栏74条(包括公开指南1条、…)``) makes that
figure the parent of the PART_OF children whose figures lie in the cue's scope (to the closing bracket,
the sentence's end or the next such cue), where the network put them under an earlier total: nested
breakdowns whose figures do not add up.
"""
from __future__ import annotations

import re
from typing import Iterator, Optional

from spacy.language import Language
from spacy.tokens import Doc

from ..checks import in_tables, table_regions
from . import extensions, script
from .metric_bounds import _alternation
from .relation_model import PART_OF, VALUE_OF

#: the factory's config (a pipeline's ``config.cfg`` can replace any of it)
BREAKDOWN_SUMS_CONFIG = {
    # how far before a run's first figure its total may stand (characters)
    "max_gap": 200,
    # how many figures of the total's unit may stand between the total and the run
    "max_skip": 3,
    # what introduces a breakdown (regular expressions): a run needs one before it unless it starts at
    # the total's next figure
    "cues": ["其中", "具体为", "具体是", "具體為", "分别为", "分别是", "分別為", "包括", "：", ":", "从[^，,。；;]{0,12}看",
             "從[^，,。；;]{0,12}看", "结果为", "結果為"],
    # what opens the breakdown of the figure right before it (``74条(包括…``, ``117条，其中，``): a part in its
    # scope (to the closing bracket, the sentence's end or the next such cue) belongs to that figure
    "head_cues": ["其中", "包括", "具体为", "具体包括", "涵盖", "具體為", "具體包括", "涵蓋"],
    # the fewest figures a run has
    "min_parts": 2,
    # where a run of parts ends: a sentence's end (a run never crosses it)
    "sentence_ends": ["。", "！", "？", "!", "?", "\n\n"],
    # units whose figures are no counts (shares, money, durations) and make no breakdown here
    "skip_units": ["%", "元", "天", "日", "工作日", "小时", "分钟", "年", "月"],
}


_CLOSE_BRACKET = re.compile("[)）]")


class BreakdownSums:
    """Adds PART_OF from the METRICs of figures that sum to an earlier figure to that figure's METRIC."""

    def __init__(self, nlp: Language, name: str, max_gap: int = 200, max_skip: int = 3, min_parts: int = 2,
                 sentence_ends: tuple[str, ...] = (), skip_units: tuple[str, ...] = (),
                 cues: tuple[str, ...] = (), head_cues: tuple[str, ...] = ()) -> None:
        self.name = name
        self.max_gap = max_gap
        self.max_skip = max_skip
        self.min_parts = max(2, min_parts)
        self.sentence_end = re.compile(_alternation(sentence_ends))
        self.skip_units = frozenset(skip_units)
        self.cue = re.compile("|".join(f"(?:{c})" for c in cues) or r"(?!)")
        self.head_cue = re.compile(f"[，,]?\\s?(?P<open>[（(])?(?:{_alternation(head_cues)})")

    def _figures(self, doc: Doc, text: str, rels: list[tuple]) -> list[tuple]:
        """The narrative figures measured by one METRIC each: ``(start, end, value, unit, metric,
        approximate)`` in text order (table cells and figures in ``skip_units`` left out)."""
        metrics: dict[tuple[int, int], set[tuple[int, int]]] = {}
        for r in rels:
            if r[4] == VALUE_OF:
                metrics.setdefault((r[0], r[1]), set()).add((r[2], r[3]))
        regions = table_regions(doc.user_data.get("govie_meta") or {})
        ents = [(s, e, label) for s, e, label in extensions.entity_offsets(doc) if label == "QUANTITY"
                and len(metrics.get((s, e), ())) == 1 and not in_tables(s, e, regions)]
        out = []
        for (s, e), r in extensions.readings(doc, ents, text).items():
            if r is None or not isinstance(r.value, (int, float)) or r.unit in self.skip_units:
                continue
            out.append((s, e, float(r.value), r.unit or "", next(iter(metrics[(s, e)])), r.approximate))
        return out

    def cue_heads(self, doc: Doc, figs: Optional[list[tuple]] = None) -> dict[tuple[int, int], tuple[int, int]]:
        """``{child METRIC: parent METRIC}`` for the PART_OF relations whose child's figure lies in the scope
        of a breakdown cue right after another figure of its unit (``其中政务公开专栏74条(包括公开指南1条、…)``:
        ``公开指南`` belongs to ``政务公开专栏``, not to the total before it)."""
        text = script.rule_text(doc)
        rels = list(doc._.relations or [])
        parts = [(r[0], r[1], r[2], r[3]) for r in rels if r[4] == PART_OF]
        if not parts:
            return {}
        if figs is None:
            figs = self._figures(doc, text, rels)
        scopes = []  # (start, end, head figure)
        for i, (_, end, *_) in enumerate(figs):
            m = self.head_cue.match(text, end)
            if m is None:
                continue
            stop = self.sentence_end.search(text, m.end(), m.end() + self.max_gap)
            limit = stop.start() if stop else min(len(text), m.end() + self.max_gap)
            if m.group("open"):
                close = _CLOSE_BRACKET.search(text, m.end(), limit)
                limit = close.start() if close else limit
            scopes.append([m.end(), limit, i])
        for a, b in zip(scopes, scopes[1:]):  # a scope ends where the next one's head starts
            a[1] = min(a[1], figs[b[2]][0]) if figs[b[2]][0] > a[0] else a[1]
        first_fig = {}
        for f in figs:
            first_fig.setdefault(f[4], f)
        out = {}
        for c0, c1, p0, p1 in parts:
            q = first_fig.get((c0, c1))
            if q is None:
                continue
            inside = [h for start, stop, h in scopes if start <= q[0] < stop]
            if not inside:
                continue
            head = figs[inside[-1]]
            if head[3] == q[3] and head[4] not in ((p0, p1), (c0, c1)):
                out[(c0, c1)] = head[4]
        return out

    def breakdowns(self, doc: Doc, figs: Optional[list[tuple]] = None) -> dict[tuple[int, int], tuple[int, int]]:
        """``{child METRIC: parent METRIC}`` for every run of figures that sums to an earlier figure."""
        text = script.rule_text(doc)
        rels = list(doc._.relations or [])
        if figs is None:
            figs = self._figures(doc, text, rels)
        figs = [f for f in figs if not f[5]]  # an approximate figure (400余条) makes no sum
        parts_of = {(r[0], r[1]) for r in rels if r[4] == PART_OF}  # METRICs that are parts already
        parents: dict[int, list[int]] = {}
        children: set[int] = set()
        # first runs of adjacent figures, then runs that step over the parts found in the first pass
        # (通过…网主动公开信息140条,具体为:…41条、…;通过微信公众号发文…条: the 140's parts inside the 744's)
        for nested in (False, True):
            for p in range(len(figs)):
                if p in children or figs[p][2] <= 0:
                    continue
                for run in self._breakdowns(text, figs, p, children, nested, parts_of, bool(parents.get(p))):
                    parents.setdefault(p, []).extend(run)
                    children.update(run)
                    parts_of.update(figs[i][4] for i in run)
        out: dict[tuple[int, int], tuple[int, int]] = {}
        for p, run in parents.items():
            for i in run:
                out[figs[i][4]] = figs[p][4]
        return out

    def _breakdowns(self, text: str, figs: list, p: int, children: set[int], nested: bool, parts_of: set,
                    has_run: bool) -> Iterator[list[int]]:
        """The runs of parts after figure ``p`` that sum to it, each of the same total in another grouping
        (收到申请9件,其中,信函申请6件,…当面申请3件…。从申请的信息内容来看,行政许可类5件,…). A run that does not start
        at the next figure in ``p``'s unit, or whose total is itself a part (``其中政策及规范性文件类2条，…1条，
        …1条``), or a second run, must follow a breakdown cue (``从办理结果看:``, ``具体为``)."""
        _, end, total, unit, metric = figs[p][:5]
        need_cue = metric in parts_of or has_run
        skipped, first = 0, p + 1
        while first < len(figs):
            if figs[first][3] != unit or first in children:
                first += 1
                continue
            if figs[first][0] - end > self.max_gap or skipped > self.max_skip:
                return
            if figs[first][2] == total and _said_again(text, metric, figs[first][4]):
                return  # the total stated again (概述, then 主动公开情况): the parts follow the nearer one
            if figs[first][2] > 0 and (skipped == 0 and not need_cue
                                       or self.cue.search(text, figs[first - 1][1], figs[first][0])):
                run = self._run(text, figs, first, total, unit, children, nested)
                if run is not None and skipped and self._heads(text, figs, p, first, run):
                    run = None  # the figure stepped over is the total of the run's first parts: nested
                if run is not None:
                    metrics = {figs[i][4] for i in run}
                    if len(metrics) == len(run) and metric not in metrics:
                        yield run
                        children.update(run)
                        end, skipped, need_cue, first = figs[run[-1]][1], 0, True, run[-1] + 1
                        continue
            skipped += 1
            first += 1

    def _heads(self, text: str, figs: list, p: int, first: int, run: list[int]) -> bool:
        """Whether the last figure in the unit between ``p`` and ``first`` heads the run instead of ``p``: it
        equals the sum of the run's first figures (…140条，具体为：…100条、…40条；…160条: the 140 heads the 100
        and the 40, not the 300), or it exceeds the run's sum (统计信息3条…),政府信息公开46条(包括…1条、…2条: the
        cue is the 46's, unless a sentence ends between them)."""
        unit = figs[first][3]
        q = next((i for i in range(first - 1, p, -1) if figs[i][3] == unit), None)
        if q is None:
            return False
        acc = 0.0
        for i in run[:-1]:
            acc += figs[i][2]
            if abs(acc - figs[q][2]) < 1e-9:
                return True
        return figs[q][2] > acc + figs[run[-1]][2] + 1e-9 and not self.sentence_end.search(
            text, figs[q][1], figs[first][0])

    def _run(self, text: str, figs: list, first: int, total: float, unit: str, children: set[int],
             nested: bool) -> Optional[list[int]]:
        """The figures from ``first`` on, in ``unit``, within one sentence, that add up to ``total`` (the
        parts of another run are stepped over when ``nested``, else they end it)."""
        acc, run = 0.0, []
        for i in range(first, len(figs)):
            if figs[i][3] != unit:
                continue
            if run and self.sentence_end.search(text, figs[run[-1]][1], figs[i][0]):
                return None
            if i in children:
                if nested:
                    continue
                return None
            acc += figs[i][2]
            run.append(i)
            if abs(acc - total) < 1e-9:
                return run if len(run) >= self.min_parts else None
            if acc > total:
                return None
        return None

    def __call__(self, doc: Doc) -> Doc:
        if not doc._.relations:
            return doc
        figs = self._figures(doc, script.rule_text(doc), list(doc._.relations))
        if len(figs) < 2:
            return doc
        with extensions.deferred_relation_spans(doc):  # the relations may be set twice: spans made once
            found = self.cue_heads(doc, figs)
            if found:
                doc._.relations = _parts_moved(doc._.relations, found)
            found = self.breakdowns(doc, figs)
            if found:
                rels = [r for r in doc._.relations if not (r[4] == PART_OF and (r[0], r[1]) in found)]
                rels += [(c[0], c[1], p[0], p[1], PART_OF, 1.0) for c, p in found.items()]
                doc._.relations = sorted(set(rels))
        return doc


def _parts_moved(rels: list[tuple], parents: dict[tuple[int, int], tuple[int, int]]) -> list[tuple]:
    """``rels`` with the PART_OF of each child in ``parents`` pointing to its new parent (one relation per
    child and parent, with the best score)."""
    best: dict[tuple, float] = {}
    out = []
    for r in rels:
        if r[4] == PART_OF and (r[0], r[1]) in parents:
            key = (r[0], r[1], *parents[(r[0], r[1])], PART_OF)
            best[key] = max(best.get(key, r[5]), r[5])
        else:
            out.append(tuple(r))
    return sorted(set(out) | {(*key, score) for key, score in best.items()})


def _said_again(text: str, metric: tuple[int, int], other: tuple[int, int]) -> bool:
    return metric != other and text[metric[0]:metric[1]] == text[other[0]:other[1]]


@Language.factory("govie_breakdown_sums", default_config=BREAKDOWN_SUMS_CONFIG,
                  assigns=["doc._.relations"], requires=["doc.ents", "doc._.relations"])
def make_breakdown_sums(nlp: Language, name: str, max_gap: int, max_skip: int, min_parts: int,
                        sentence_ends: list[str], skip_units: list[str], cues: list[str],
                        head_cues: list[str]) -> BreakdownSums:
    return BreakdownSums(nlp, name, max_gap, max_skip, min_parts, tuple(sentence_ends), tuple(skip_units),
                         tuple(cues), tuple(head_cues))
