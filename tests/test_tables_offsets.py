"""The table reader's token-offset helpers agree with spaCy's own char_span / filter_spans / set_ents."""
import random

import spacy
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from govie.tables.component import TokenOffsets, _entities, _filter_spans, _set_ents
from spacy.attrs import ENT_IOB, ENT_KB_ID, ENT_TYPE, IDX, LENGTH


def _doc(rnd: random.Random) -> Doc:
    words = [rnd.choice(["共", "受理", "12", "件", " ", "  ", "其中"]) for _ in range(rnd.randint(1, 25))]
    spaces = [rnd.random() < 0.3 for _ in words]
    return Doc(spacy.blank("zh").vocab, words=words, spaces=spaces)


def test_offsets_align_as_char_span_and_entities_are_set_as_set_ents():
    rnd = random.Random(7)
    for _ in range(300):
        doc = _doc(rnd)
        n = len(doc.text)
        arr = doc.to_array([IDX, LENGTH])
        toks = TokenOffsets(arr[:, 0].tolist(), (arr[:, 0] + arr[:, 1]).tolist(), n)
        for s in range(-1, n + 1):
            for e in range(s + 1, n + 2):
                for mode, got in (("strict", toks.strict(s, e)), ("contract", toks.contract(s, e))):
                    sp = doc.char_span(s, e, alignment_mode=mode)
                    want = None if sp is None or not len(sp) else (sp.start, sp.end)
                    assert got == want, (doc.text, s, e, mode)
        label = doc.vocab.strings.add("QUANTITY")
        cands = [(a, b, label) for a, b in ((rnd.randrange(len(doc)), 0) for _ in range(6))]
        cands = [(a, min(len(doc), a + rnd.randint(1, 3)), lab) for a, _, lab in cands]
        kept = _filter_spans(cands)
        assert [(s.start, s.end) for s in filter_spans([Span(doc, a, b, label=lab) for a, b, lab in cands])] \
            == [(a, b) for a, b, _ in kept]
        other = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
        other.set_ents([Span(other, a, b, label=lab) for a, b, lab in kept])
        _set_ents(doc, kept, doc.to_array([ENT_KB_ID]))
        cols = [ENT_IOB, ENT_TYPE, ENT_KB_ID]
        assert doc.to_array(cols).tolist() == other.to_array(cols).tolist()
        assert _entities(doc.to_array([ENT_IOB])[:].ravel(), doc.to_array([ENT_TYPE]).ravel()) == \
            [(e.start, e.end, e.label) for e in other.ents]
