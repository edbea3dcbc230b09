"""The govie tokenizer's tokens computed for the whole text at once (``tokenizer.tokens``) against the word by
word reference it replaced: ``words_and_spaces`` of the segmenter's words, each split into pieces
(``_PIECE``) and, after a digit, a unit peeled off the front (``_peel_unit``)."""
from pathlib import Path

import pytest

import govie
from govie.pipeline.tokenizer import _PIECE, _peel_unit, tokens, word_spans, words_and_spaces

ROOT = Path(__file__).resolve().parents[1]
CASES = [
    "", " ", "  ", "\n", "一", "12", "12万元", "12 万元", "12  万元", "12\n万元", "2021年度报告", "共受理169件，其中当面申请34件。",
    "５０万余人次", "①号文件", "² 亿元", "abc123万人次ABC政府", "规章000规范性文件12345", " 开头空格\t结尾空格 ",
    "孤立代理\ud800字符 😀表情𠀋字", "\x00\x01控制字符", "a  b\u3000c\u00a0d", "1余万件，3多亿元 4万件",
]


def reference(words: list[str], text: str) -> tuple[list[str], list[bool]]:
    """The word-by-word loop ``GovieTokenizer.__call__`` ran before ``tokens``."""
    seg_words, seg_spaces = words_and_spaces(words, text)
    out: list[str] = []
    spaces: list[bool] = []
    prev = ""
    for word, space in zip(seg_words, seg_spaces):
        parts = [word] if len(word) == 1 else [m.group() for m in _PIECE.finditer(word)]
        if prev.isdigit() and parts and len(parts[0]) > 1 and "\u3400" <= parts[0][0] <= "\u9fff":
            parts = _peel_unit(parts[0]) + parts[1:]
        prev = parts[-1] if parts else prev
        out.extend(parts)
        spaces.extend([False] * (len(parts) - 1) + [space])
    return out, spaces


@pytest.fixture(scope="module")
def nlp():
    return govie.load()


def _texts():
    return CASES + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "texts").glob("*.txt"))]


@pytest.mark.parametrize("text", CASES)
def test_characters_as_words(text):
    """Every character a word (spaCy's character segmentation): spaces, gaps, pieces and peeled units."""
    assert tokens(text, *word_spans(list(text), text)) == reference(list(text), text)


def test_pkuseg_words_give_the_same_tokens(nlp):
    seg = nlp.tokenizer.pkuseg_seg
    peeled = 0
    for text in _texts():
        words = seg.cut(text)
        want = reference(words, text)
        assert tokens(text, *word_spans(words, text)) == want
        if "\ud800" in text:
            continue  # spaCy's StringStore cannot encode a lone surrogate (before and after)
        doc = nlp.make_doc(text)
        assert ([t.text for t in doc], [bool(t.whitespace_) for t in doc]) == want
        peeled += sum(1 for w in want[0] if w in "万亿余多")
    assert peeled > 0  # the unit peeling was exercised


def test_digit_then_unit_words():
    """Hand-made words: a word starting with 万 after a digit word is peeled, after a gap it is not."""
    text = "共12万元 3 亿元\n5万余件"
    words = ["共", "12", "万元", "3", "亿元", "5", "万余件"]
    got = tokens(text, *word_spans(words, text))
    assert got == reference(words, text)
    assert got[0] == ["共", "1", "2", "万", "元", "3", "亿", "元", "\n", "5", "万", "余", "件"]
