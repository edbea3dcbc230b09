"""Properties of :func:`govie.parse` on arbitrary text (rule pipeline, for speed).

Deterministic in CI: ``derandomize=True`` (the examples depend only on the test), no example database,
and every crash ever found is replayed first from ``tests/data/parse_crashes.jsonl`` (one JSON string a
line). ``python benchmarks/fuzz.py`` runs the same properties for longer with random seeds and appends
what it finds to that file.
"""
import json
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import govie
from govie import api

# report-like alphabet: digits, Chinese numerals and units, punctuation, whitespace, control characters
REPORT_CHARS = st.sampled_from(list("0123456789０１２３.,．%％万亿余多条件人次个元年月日第一二三四五六七八九十百千两零"
                                    "主动公开政府信息受理依申请行政复议诉讼共其中，。；：、（）()《》“”\n\t \r\x00\x0b\x1f\u3000"))
TEXTS = st.one_of(st.text(), st.text(REPORT_CHARS, max_size=300),
                  st.lists(st.one_of(st.text(REPORT_CHARS, max_size=40), st.text(max_size=10)), max_size=20)
                  .map("".join))


CRASHES = [json.loads(line) for line in
           (Path(__file__).parent / "data" / "parse_crashes.jsonl").read_text(encoding="utf-8").splitlines() if line]
CI = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


def with_crashes(test):
    """Replay every recorded crash as an explicit example of ``test``."""
    for text in CRASHES:
        test = example(text=text)(test)
    return test


def _spans(report):
    for f in report.quantities + report.facts:
        yield f.quantity
        yield from f.metrics


def check_parse(nlp, text):
    """The properties every parse holds: no exception, the text kept, offsets that point at their text."""
    report = govie.parse(text, nlp=nlp)
    assert report.text == text
    assert all(f in report.quantities for f in report.facts)
    for span in _spans(report):
        assert 0 <= span.start <= span.end <= len(text)
        assert text[span.start:span.end] == span.text
    for rel in report.relations:
        for end in (rel["head"], rel["tail"]):
            assert text[end["start"]:end["end"]] == end["text"]


@settings(max_examples=200, **CI)
@with_crashes
@given(text=TEXTS)
def test_parse_never_raises_and_offsets_hold(rules_nlp, text):
    check_parse(rules_nlp, text)


@settings(max_examples=25, **CI)
@with_crashes
@given(text=TEXTS)
def test_shipped_pipeline_never_raises(text):
    check_parse(govie.load(), text)


@settings(max_examples=50, **CI)
@given(text=st.text(REPORT_CHARS, min_size=1, max_size=400), size=st.integers(10, 120))
def test_chunks_cover_text_in_order(text, size):
    pieces = list(api.chunks(text, size=size))
    assert "".join(p for _, p in pieces) == text
    for start, piece in pieces:
        assert text[start:start + len(piece)] == piece
        assert piece


@settings(max_examples=30, **CI)
@given(text=st.text(REPORT_CHARS, max_size=400), size=st.integers(20, 120))
def test_chunked_parse_keeps_offsets(rules_nlp, text, size):
    old = api.CHUNK_CHARS
    api.CHUNK_CHARS = size
    try:
        report = govie.parse(text, nlp=rules_nlp)
    finally:
        api.CHUNK_CHARS = old
    for span in _spans(report):
        assert text[span.start:span.end] == span.text
