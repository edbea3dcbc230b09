"""The fast paths of the rule components give what the plain spaCy calls and the plain patterns give:
entities set through the doc's arrays, token ranges from offsets, gated and run-scanned exclusion
masks, the cached traditional → simplified table. Synthetic text only."""
import re

import numpy as np
import pytest
import spacy
from spacy.attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.tokens import Doc, Span

from govie.pipeline import extensions
from govie.pipeline import quantities as Q
from govie.pipeline.spans import replace_entities, set_entities, token_ranges
from govie.taxonomy import _simplified_char, to_simplified

SAMPLE = ("联系电话：0571-87654321，邮箱gov_office@hz.gov.cn，网址https://www.hz.gov.cn/xxgk。"
          "依据苏府办〔2016〕127号、市政办发[2019]3号文件，2021年3月5日14时30分，十九届五中全会后，"
          "全年受理申请1,234件，其中G20、5G相关3项；办理时间不超过20个工作日，24小时自助服务。"
          "上线以来3个月，受理12345热线转办30件，第3至5条，（一）1）主楼5层508室，101000号路。")


def _doc(words, ents=()):
    nlp = spacy.blank("zh")
    doc = Doc(nlp.vocab, words=words, spaces=[False] * len(words))
    doc.set_ents([Span(doc, s, e, label=lab) for s, e, lab in ents])
    return doc


ATTRS = [ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID]


@pytest.mark.parametrize("new", [
    [(1, 3)],
    [(0, 2), (1, 4), (5, 6)],  # overlapping new spans: the longest wins, and both drop old ones
    [],
    [(3, 5), (3, 5)],
])
def test_replace_entities_sets_what_set_entities_sets(new):
    words = list("受理申请件数合计为三百件其中")
    old = [(0, 2, "METRIC"), (2, 3, "QUANTITY"), (4, 6, "METRIC"), (9, 12, "QUANTITY")]
    a, b = _doc(words, old), _doc(words, old)
    set_entities(a, [Span(a, s, e, label="QUANTITY") for s, e in new], ["QUANTITY"])
    replace_entities(b, new, "QUANTITY")
    assert np.array_equal(a.to_array(ATTRS), b.to_array(ATTRS))
    assert [(e.start, e.end, e.label_) for e in a.ents] == [(e.start, e.end, e.label_) for e in b.ents]


def test_token_ranges_agree_with_strict_char_span():
    doc = _doc(["全年", "受理", "1,234", "件", " ", "其中", "3", "项"])
    text = doc.text
    spans = [(s, e) for s in range(len(text) + 1) for e in range(s + 1, len(text) + 1)]
    want = []
    for s, e in spans:
        sp = doc.char_span(s, e, alignment_mode="strict")
        want.append(None if sp is None else (sp.start, sp.end))
    assert token_ranges(doc, spans) == want


def test_entity_offsets_read_from_the_arrays():
    doc = _doc(list("受理申请件数合计为三百件其中"), [(0, 2, "METRIC"), (2, 3, "QUANTITY"), (9, 12, "QUANTITY")])
    assert extensions.entity_offsets(doc) == [(0, 2, "METRIC"), (2, 3, "QUANTITY"),
                                                                     (9, 12, "QUANTITY")]


def _plain(mask) -> re.Pattern:
    return mask.pattern if isinstance(mask, Q._Gated) else mask


@pytest.mark.parametrize("text", [SAMPLE, SAMPLE * 3, SAMPLE.replace("，", ""), "a@b.cn " * 5, "x" * 30 + "@"])
def test_gated_masks_find_what_the_whole_text_scan_finds(text):
    for mask in Q._static_masks() + Q._rules(None).masks:
        assert [m.span() for m in mask.finditer(text)] == [m.span() for m in _plain(mask).finditer(text)], mask


def test_every_gate_starts_inside_each_match_of_its_mask():
    """(Ending in the lookahead of its mask, for some.)"""
    for mask in Q._static_masks() + Q._rules(None).masks:
        if isinstance(mask, Q._Gated):
            for m in mask.pattern.finditer(SAMPLE):
                g = mask.gate.search(SAMPLE, m.start())
                assert g and g.start() < m.end(), (mask.pattern.pattern, m.group())


def test_masks_that_matter_match_the_sample():
    """The sample exercises the rewritten and gated masks (so the two tests above test something)."""
    hit = sum(1 for mask in Q._static_masks() + Q._rules(None).masks if _plain(mask).search(SAMPLE))
    assert hit >= 20


def test_to_simplified_is_the_character_by_character_conversion():
    text = "政府資訊公開年度報告：受理申請１２件 abc 萬人次，覆議訴訟"
    want = "".join(_simplified_char(c) if "\u3400" <= c <= "\u9fff" else c for c in text)
    assert to_simplified(text) == want == to_simplified(text)
    assert to_simplified("全市") == "全市"
