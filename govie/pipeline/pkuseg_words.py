"""spacy_pkuseg's preprocessor and postprocessor as govie loads them, and spacy_pkuseg imported without
its model downloader (:func:`import_spacy_pkuseg`).

The postprocessor holds ~390,000 words (``common_words``, ``other_words``). Unpacking them from the
saved ``pkuseg_processors`` and building the sets costs ~0.28 s CPU, a third of ``govie.load()``,
while the fast path only asks whether a few window texts are words (~1.4% of the windows, after a
hash filter). :class:`SavedWords` answers ``word in common`` / ``word in other`` exactly from the
saved arrays (the words' hashes, sorted, and the words in that order); :class:`SavedPostprocessor`
stands for spacy_pkuseg's postprocessor and unpacks the real sets only when something reads them
(spacy_pkuseg's own path, a user replacing the words).
"""
from __future__ import annotations

from typing import Iterable, Optional

import numpy as np

from .pkuseg_features import _HASH_BASE, prefix_hashes

_MASK = (1 << 64) - 1
COMMON, OTHER = 1, 2


def word_hash(word: str) -> int:
    """The polynomial hash (mod 2**64) the fast path computes for a window of text with numpy
    (:func:`~.pkuseg_features.prefix_hashes`): the sum of ``ord(c) * BASE**i``."""
    h, p = 0, 1
    for c in word:
        h = (h + ord(c) * p) & _MASK
        p = (p * _HASH_BASE) & _MASK
    return h


def word_arrays(common: Iterable[str], other: Iterable[str]) -> Optional[dict[str, np.ndarray]]:
    """The arrays :class:`SavedWords` reads, for ``np.savez``: the words' hashes (sorted), which list
    each word is in, the words joined in that order and their lengths; None if a word is longer than
    255 characters or has a newline in it (the fast path does not use the words then). The hashes are
    computed with numpy over all words at once, as the fast path hashes windows of text."""
    kinds: dict[str, int] = {}
    for kind, words in ((COMMON, common), (OTHER, other)):
        for w in words:
            kinds[w] = kinds.get(w, 0) | kind
    if any("\n" in w or len(w) > 255 for w in kinds):
        return None
    words = list(kinds)
    lens = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    g, inv = prefix_hashes("".join(words))
    at = np.cumsum(lens) - lens
    with np.errstate(over="ignore"):
        hashes = (g[at + lens] - g[at]) * inv[at]
    order = np.argsort(hashes, kind="stable")
    return {"words_hash": hashes[order],
            "words_kind": np.fromiter((kinds[w] for w in words), dtype=np.uint8, count=len(words))[order],
            "words_text": np.frombuffer("".join(words[i] for i in order.tolist()).encode("utf-8", "surrogatepass"),
                                        dtype=np.uint8),
            "words_len": lens[order].astype(np.uint8)}


class SavedWords:
    """``common`` and ``other``: exact membership in the postprocessor's two word lists, read from the
    arrays of :func:`word_arrays`."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.hashes = arrays["words_hash"]
        self.kinds = arrays["words_kind"]
        self.text = arrays["words_text"].tobytes().decode("utf-8", "surrogatepass")
        self.at = np.zeros(len(self.hashes) + 1, dtype=np.int64)  # word i is text[at[i]:at[i + 1]]
        np.cumsum(arrays["words_len"], out=self.at[1:])
        self.common = _Member(self, COMMON)
        self.other = _Member(self, OTHER)

    def __len__(self) -> int:
        return len(self.hashes)

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays these words were read from (what :func:`word_arrays` gives for the same words)."""
        return {"words_hash": self.hashes, "words_kind": self.kinds,
                "words_text": np.frombuffer(self.text.encode("utf-8", "surrogatepass"), dtype=np.uint8),
                "words_len": np.diff(self.at).astype(np.uint8)}

    def kind(self, word: str) -> int:
        """COMMON | OTHER bits of ``word`` (0: not a word of either list)."""
        h = word_hash(word)
        i = int(np.searchsorted(self.hashes, np.uint64(h)))
        kind = 0
        while i < len(self.hashes) and int(self.hashes[i]) == h:
            if self.text[int(self.at[i]):int(self.at[i + 1])] == word:
                kind |= int(self.kinds[i])
            i += 1
        return kind


class _Member:
    """``word in member``: the word is in one of the lists (what the fast path asks of the sets)."""

    def __init__(self, words: SavedWords, kind: int) -> None:
        self.words, self.kind = words, kind

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and bool(self.words.kind(word) & self.kind)


class SavedPostprocessor:
    """spacy_pkuseg's ``Postprocesser`` of a saved tokenizer, its word sets unpacked from the bytes of
    ``pkuseg_processors`` (read at load, so the directory may go away) on first read. ``replaced``: a
    set was assigned (the saved words no longer describe it, so the fast path hashes the sets instead)."""

    def __init__(self, do_process: bool, processors: bytes) -> None:
        self.do_process = do_process
        self.replaced = False
        self._data: Optional[bytes] = processors
        self._sets: Optional[list[set]] = None

    def _load(self) -> list[set]:
        if self._sets is None:
            import srsly

            _, _, common, other = srsly.msgpack_loads(self._data)
            self._sets, self._data = [set(common), set(other)], None
        return self._sets

    @property
    def common_words(self) -> set:
        return self._load()[0]

    @common_words.setter
    def common_words(self, words: set) -> None:
        self._load()[0] = words
        self.replaced = True

    @property
    def other_words(self) -> set:
        return self._load()[1]

    @other_words.setter
    def other_words(self, words: set) -> None:
        self._load()[1] = words
        self.replaced = True


def import_spacy_pkuseg():
    """``import spacy_pkuseg`` without its model downloader, which imports requests (~0.1 s CPU of a
    one-file ``govie parse``; govie never downloads): :func:`govie.optional.import_deferring`, so
    ``spacy_pkuseg.download_model`` still works when called."""
    from ..optional import import_deferring

    return import_deferring("spacy_pkuseg", "download", "download_model")


def _of(post) -> tuple:
    """What the postprocessor's word sets are (spaCy replaces the sets when it loads words)."""
    return (id(post.common_words), len(post.common_words), id(post.other_words), len(post.other_words))


def processors_of(user_dict, do_process: bool, common_words: set, other_words: set):
    """spacy_pkuseg's preprocessor (user dictionary) and postprocessor for saved settings; ``user_dict``
    may be a preprocessor already (kept) or a stand-in without user words (replaced)."""
    spacy_pkuseg = import_spacy_pkuseg()
    if isinstance(user_dict, spacy_pkuseg.Preprocesser):
        pre = user_dict
    else:
        pre = spacy_pkuseg.Preprocesser(user_dict if isinstance(user_dict, (list, tuple)) else [])
    post = spacy_pkuseg.Postprocesser(None, None)
    post.do_process, post.common_words, post.other_words = do_process, common_words, other_words
    return pre, post
