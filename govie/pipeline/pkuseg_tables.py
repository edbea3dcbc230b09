""":class:`govie.pipeline.segmenter.FastSegmenter`'s tables saved next to the pkuseg model and read back.

Building the tables from spacy_pkuseg's feature dictionary takes ~0.3 s CPU, and unpacking that dictionary
(``features.msgpack``) another ~0.35 s; hashing the postprocessor's 390,000 words ~0.3 s more. A pipeline
saved by :class:`govie.pipeline.tokenizer.GovieTokenizer` also writes :data:`TABLES` (numpy arrays, read
with ``np.load``), so loading it builds none of this, and spacy_pkuseg itself only when a text needs its
own path (sentinel characters). The postprocessor's words are saved too (:mod:`.pkuseg_words`): without
user words, the load leaves spaCy's ``pkuseg_processors`` packed (unpacking it and building the two word
sets is ~0.28 s CPU). The file names the weights and word lists it was made from (a checksum of the
weights, the number of words, the size of ``pkuseg_processors``): a file that does not match them is
ignored and the tables are built.

    python -m govie.pipeline.pkuseg_tables govie/model/tokenizer   # (re)write the file of a saved pipeline
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from .pkuseg_features import _BLOOM_BITS, _Table

#: the file in a saved tokenizer's directory
TABLES = "fast_segmenter.npz"
#: spaCy's file of the pkuseg preprocessor / postprocessor in the same directory
PROCESSORS = "pkuseg_processors"
_FORMAT = 2  # 2: the postprocessor's words saved (pkuseg_words), user words and processors file noted


def _checksum(w: np.ndarray) -> int:
    """Of the weights, bit for bit (wraps around)."""
    return int(np.ascontiguousarray(w, dtype=np.float64).view(np.uint64).sum(dtype=np.uint64).view(np.int64))


def save_tables(fast, path: Path) -> None:
    """Write the tables of ``fast`` (a :class:`FastSegmenter` of a spacy_pkuseg object) to ``path``, with
    the postprocessor's words (:mod:`govie.pipeline.pkuseg_words`) and the size of the
    ``pkuseg_processors`` file beside it (a load checks it: the words must be of that file)."""
    from .pkuseg_words import _of, word_arrays

    fast._prepare()
    pre, post = fast.seg.preprocesser, fast.seg.postprocesser
    dicts = fast._dict_hashes() if post.do_process else None
    processors = Path(path).parent / PROCESSORS
    user_words = 1 if getattr(getattr(pre, "trie", None), "children", None) else 0
    out = {
        "meta": np.array([_FORMAT, fast.n_tag, fast.n_feature, fast.n_words, fast.margin,
                          len(post.common_words) if post.do_process else -1,
                          len(post.other_words) if post.do_process else -1, _checksum(fast.seg.model.w),
                          user_words, processors.stat().st_size if processors.is_file() else -1],
                         dtype=np.int64),
        "is_b": fast.is_b, "lengths": np.array(fast.lengths, dtype=np.int64),
        "norm": np.array([[k, ord(v)] for k, v in sorted(fast.table.items())], dtype=np.int64).reshape(-1, 2),
        **{k: getattr(fast, k).astype(np.int32) for k in ("suff", "pref", "w_end", "w_start")},
    }
    words = None
    if dicts is not None and not user_words:
        if fast._saved_words is not None:  # read with its tables and, as _dict_hashes just checked, still its words
            words = fast._saved_words[3].arrays()  # (training saves a pipeline several times: ~1.5 s CPU each else)
        else:  # computed once per segmenter and word sets (~1.5 s CPU)
            cached = getattr(fast, "_word_arrays", None)
            if cached is None or cached[0] != _of(post):
                cached = fast._word_arrays = (_of(post), word_arrays(post.common_words, post.other_words))
            words = cached[1]
    if words is not None:  # the words' sorted hashes stand for dict_hash (one copy of 3 MB of hashes)
        out["dict_hash"] = np.zeros(0, dtype=np.uint64)
        out.update(words)
    else:
        out["dict_hash"] = dicts[0] if dicts is not None else np.zeros(0, dtype=np.uint64)
    named = [(f"char{j}", t) for j, (t, _) in enumerate(fast.char_tables)]
    named += [("wwl", fast.ww_tables[0]), ("wwr", fast.ww_tables[1])]
    named += [(f"level{j}", t) for j, (t, _) in enumerate(fast.levels)]
    for name, t in named:
        out[name + "_keys"], out[name + "_vals"] = t.keys[:-1], t.vals[:-1].astype(np.int32)  # ids < 2**31
    for j, (_, word_of) in enumerate(fast.levels):
        out[f"level{j}_word"] = word_of
    with open(path, "wb") as f:
        np.savez_compressed(f, **out)


def load_tables(path: Path, w: np.ndarray, processors: Path):
    """A :class:`FastSegmenter` whose tables are read from ``path``, for the weights ``w`` and the
    ``pkuseg_processors`` file of a saved pipeline, with no spacy_pkuseg object yet (see
    ``FastSegmenter.attach``); None if the file is not of these weights and words.

    Without user words, the postprocessor's words are not unpacked: the fast path reads them from the
    tables (:class:`~govie.pipeline.pkuseg_words.SavedWords`), and the preprocessor and postprocessor
    are stand-ins until spacy_pkuseg's own objects are built."""
    from types import SimpleNamespace

    from .pkuseg_features import _CHAR_FEATS
    from .pkuseg_words import SavedPostprocessor, SavedWords, _of, processors_of
    from .segmenter import FastSegmenter

    with np.load(path) as z:
        a = {k: z[k] for k in z.files}
    meta = a["meta"].tolist()
    if meta[0] != _FORMAT or len(meta) != 10:
        return None
    _, n_tag, n_feature, n_words, margin, n_common, n_other, checksum, user_words, size = meta
    if checksum != _checksum(w) or len(w) != n_tag * (n_feature + n_tag):
        return None
    try:
        data = Path(processors).read_bytes()
    except OSError:
        return None
    if len(data) != size:
        return None
    do_process = n_common >= 0
    words = None
    if user_words or (do_process and "words_hash" not in a):  # read as spaCy reads them
        import srsly

        user_dict, do_process, common, other = srsly.msgpack_loads(data)
        pre, post = processors_of(user_dict, do_process, set(common), set(other))
        if ((len(post.common_words), len(post.other_words)) if do_process else (-1, -1)) != (n_common, n_other):
            return None
    else:
        pre = SimpleNamespace(trie=SimpleNamespace(children={}))  # no user words
        post = SavedPostprocessor(do_process, data)
        words = SavedWords(a) if do_process else None
    fast = FastSegmenter.__new__(FastSegmenter)
    fast._weights(w, n_tag, n_feature)
    fast.is_b, fast.lengths, fast.margin, fast.n_words = a["is_b"], a["lengths"].tolist(), margin, n_words
    fast.table = {k: chr(v) for k, v in a["norm"].tolist()}
    fast.usable = True  # only usable tables are saved
    fast.seg = fast.fe = fast.loader = None
    fast._pre, fast._post = pre, post
    fast.positions = fast.seen = 0
    fast._built = True
    pad = fast.pad
    fast.char_tables = [(_Table(a[f"char{j}_keys"], a[f"char{j}_vals"], pad), offs)
                        for j, (_, offs) in enumerate(_CHAR_FEATS)]
    fast.ww_tables = [_Table(a["wwl_keys"], a["wwl_vals"], pad), _Table(a["wwr_keys"], a["wwr_vals"], pad)]
    fast.levels = [(_Table(a[f"level{j}_keys"], a[f"level{j}_vals"], -1), a[f"level{j}_word"].astype(np.int64))
                   for j in range(len(fast.lengths) - 1)]
    fast.suff, fast.pref, fast.w_end, fast.w_start = (a[k].astype(np.int64) for k in ("suff", "pref", "w_end", "w_start"))
    fast._singles()
    fast._derive()
    h = a["words_hash"] if words is not None else a["dict_hash"]
    fast._dict_h = fast._saved_words = fast._saved_of = None
    if do_process:
        seen = np.zeros(1 << _BLOOM_BITS, dtype=bool)
        seen[h >> np.uint64(64 - _BLOOM_BITS)] = True
        bits = np.packbits(seen, bitorder="little")
        if words is not None:
            fast._saved_words = (post, h, bits, words)
        else:
            fast._dict_h = (_of(post), h, bits)
    return fast


def main(argv: list[str]) -> int:
    """Write :data:`TABLES` into the saved tokenizer directories named (``.../tokenizer``)."""
    import spacy
    from spacy.lang.zh import ChineseTokenizer

    from .segmenter import FastSegmenter

    for d in argv:
        tok = ChineseTokenizer(spacy.blank("zh").vocab, segmenter="pkuseg")
        tok.from_disk(d)  # spacy_pkuseg's files, as spaCy reads them; the rest of the directory is left as it is
        save_tables(FastSegmenter(tok.pkuseg_seg), Path(d) / TABLES)
        print(d, (Path(d) / TABLES).stat().st_size, "bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
