"""``govie.RelationCorpus.v1``: the Examples ``spacy train`` trains ``govie_relations`` on.

Reads a DocBin that ``govie train`` writes (``train.spacy`` / ``dev.spacy``: gold entities, gold
``Doc._.relations`` and ``Doc._.quantity_info`` in the user data). Each Example's reference is the
gold doc; its predicted doc has the same tokens and the gold entities and quantity readings but no
relations, so the components before ``govie_relations`` (the rule linker, an annotating component)
and the relation model see gold entities, as in the rel_component tutorial's gold-entity reader.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator, Optional, Union

from spacy import registry
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.training import Example

from ..pipeline import extensions


def predicted_copy(nlp: Language, ref: Doc, entities: bool = True) -> Doc:
    """A doc with ``ref``'s tokens, (optionally) its entities and quantity readings, no relations."""
    doc = Doc(nlp.vocab, words=[t.text for t in ref], spaces=[bool(t.whitespace_) for t in ref])
    extensions.init_doc(doc)
    if entities:
        doc.ents = [Span(doc, e.start, e.end, label=e.label_) for e in ref.ents]
        doc._.quantity_info = dict(ref._.quantity_info or {})
    if "govie_id" in ref.user_data:
        doc.user_data["govie_id"] = ref.user_data["govie_id"]
    return doc


def read_examples(nlp: Language, path: Union[str, Path], gold_entities: bool = True, limit: int = 0
                  ) -> Iterator[Example]:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"govie.RelationCorpus.v1: no DocBin at {path} (govie train writes train.spacy "
                         "and dev.spacy into its --work directory)")
    db = DocBin(store_user_data=True).from_disk(path)
    for i, ref in enumerate(db.get_docs(nlp.vocab)):
        if limit and i >= limit:
            break
        extensions.init_doc(ref)
        yield Example(predicted_copy(nlp, ref, gold_entities), ref)


@registry.readers("govie.RelationCorpus.v1")
def relation_corpus(path: Optional[str], gold_entities: bool = True, limit: int = 0
                    ) -> Callable[[Language], Iterator[Example]]:
    """Examples with gold relations in the reference doc (see the module docstring)."""
    if path is None:
        raise ValueError("govie.RelationCorpus.v1: set the DocBin path ([paths] train / dev)")

    def read(nlp: Language) -> Iterator[Example]:
        return read_examples(nlp, path, gold_entities, limit)

    return read
