"""The text the rule components match on: the doc's text in simplified script, same length and offsets.

The rule components' word lists, cue words and patterns are written in simplified characters. A
traditional-script report (``受理依申請公開169件``) is read through :func:`rule_text`, a view of the
same length: each line converted by OpenCC t2s as a whole where that keeps every character in place
(phrases: ``答覆數`` → ``答复数``, which no character map can do, ``覆`` being simplified too), else character by
character (:func:`govie.taxonomy.to_simplified`: a character whose conversion is one character is
replaced, any other is kept; its map is cached with a bound). An offset found in the view is an
offset of the doc; spans are always made from the doc, so their text stays the original. Text
without a traditional character is its own view (the same string): its output cannot change.
"""
from __future__ import annotations

from spacy.tokens import Doc

from . import extensions
from ..taxonomy import _t2s, to_simplified

#: ``doc.user_data`` key of the cached view: ``[length of the text, view]``, the view ``None`` when the
#: text has no traditional character (nothing stored twice for simplified text)
RULE_TEXT_KEY = "govie_rule_text"


def simplified_view(text: str) -> str:
    """``text`` in simplified script, same length and offsets; ``text`` itself when it has no
    traditional character."""
    chars = to_simplified(text)
    conv = _t2s()
    if chars == text or conv is None:
        return chars
    out = []
    for line, simple in zip(text.splitlines(keepends=True), chars.splitlines(keepends=True)):
        phrases = conv.convert(line)
        out.append(phrases if _aligned(phrases, simple) else simple)
    return "".join(out)


def _aligned(phrases: str, simple: str) -> bool:
    """The phrase conversion of a line kept every character in place: same length, and it differs from
    the character map only where both have a CJK character (a phrase that lengthens beside one that
    shortens would move digits and punctuation)."""
    return len(phrases) == len(simple) and all(
        "\u3400" <= a <= "\u9fff" and "\u3400" <= b <= "\u9fff" for a, b in zip(phrases, simple) if a != b)


def store_view(doc: Doc, text: str, view: str) -> None:
    """Cache ``view`` (``simplified_view(text)``) as the doc's rule text."""
    doc.user_data[RULE_TEXT_KEY] = [len(text), None if view == text else view]


def set_view_norms(doc: Doc) -> None:
    """Give each token of a traditional-script doc its text in the simplified view as ``norm_``
    (``資訊`` → ``资讯``), and its word (the vocab's lexeme) the view's prefix and suffix: tok2vec's NORM,
    PREFIX and SUFFIX features then read the words it learnt from simplified reports, and an s2t copy of a
    report gets the NER entities of its original. A doc without a stored view, or whose view is its text,
    is left as it is."""
    cached = doc.user_data.get(RULE_TEXT_KEY)
    text = extensions.doc_text(doc)
    if not cached or cached[1] is None or cached[0] != len(text):
        return
    view = cached[1]
    vocab = doc.vocab
    for tok in doc:
        s = tok.idx
        simple = view[s:s + len(tok)]
        if simple != tok.text:
            tok.norm_ = simple
            lex, plain = vocab[tok.text], vocab[simple]
            if lex.prefix != plain.prefix or lex.suffix != plain.suffix:
                lex.prefix_, lex.suffix_ = plain.prefix_, plain.suffix_


def rule_text(doc: Doc) -> str:
    """The doc's text in simplified script (same length, same offsets), computed once per doc."""
    text = extensions.doc_text(doc)
    cached = doc.user_data.get(RULE_TEXT_KEY)
    if cached is None or cached[0] != len(text):
        store_view(doc, text, simplified_view(text))
        cached = doc.user_data[RULE_TEXT_KEY]
    return text if cached[1] is None else cached[1]
