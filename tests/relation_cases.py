"""The small breakdown case the relation-component tests share: a text, its entities, its gold relations,
and the Doc / Example made of them (imported by test_relations.py and test_relations_tuning.py)."""
from govie.pipeline import extensions

TEXT = "主动公开政府信息122条，其中网站公开98条。"
ENTS = [(0, 8, "METRIC"), (8, 12, "QUANTITY"), (15, 19, "METRIC"), (19, 22, "QUANTITY")]
GOLD = [(8, 12, 0, 8, "VALUE_OF", 1.0), (19, 22, 15, 19, "VALUE_OF", 1.0), (15, 19, 0, 8, "PART_OF", 1.0)]


def make_doc(nlp, text=TEXT, ents=ENTS):
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(s, e, label=l) for s, e, l in ents]
    extensions.init_doc(doc)
    return doc


def make_example(nlp):
    from spacy.training import Example

    ref = make_doc(nlp)
    ref._.relations = list(GOLD)
    return Example(make_doc(nlp), ref)
