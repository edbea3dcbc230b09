"""Corpus statistics by group, the issuer-grouped train/dev/test split and its guards (near duplicates
across splits).
"""
from __future__ import annotations

import json
import re
import warnings
import zlib
from collections import Counter
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from ..optional import require
from .records import CorpusDoc, DEFAULT_CORPUS, Problem, SPLITS, SPLIT_METHOD, issuer_key, sha256, year_band


STAT_GROUPS = ("split", "kind", "level", "province", "layout", "format", "script", "year", "origin")


def _group_value(d: CorpusDoc, key: str) -> str:
    if key == "split":
        return d.split or "unassigned"
    if key == "kind":
        return d.kind
    if key == "year":
        return year_band(d.meta.get("year"))
    if key == "layout":
        return d.layout
    if key == "script":
        return d.script
    if key == "origin":
        return d.origin
    v = d.meta.get(key)
    return str(v) if v not in (None, "") else "(missing)"


def stats(docs: Sequence[CorpusDoc]) -> dict[str, Any]:
    """Counts (documents, QUANTITY, METRIC, VALUE_OF, PART_OF, distinct issuers) for the whole corpus
    (``all``) and per value of each of :data:`STAT_GROUPS` (``year`` by :func:`year_band`)."""
    def count(ds: Sequence[CorpusDoc]) -> dict[str, int]:
        c: Counter = Counter({"documents": len(ds), "QUANTITY": 0, "METRIC": 0, "VALUE_OF": 0, "PART_OF": 0})
        for d in ds:
            c.update(e["label"] for e in d.entities)
            c.update(r["type"] for r in d.relations)
        c["issuers"] = len({issuer_key(d) for d in ds})
        return dict(c)

    out: dict[str, Any] = {"all": count(docs)}
    for key in STAT_GROUPS:
        groups: dict[str, list] = {}
        for d in docs:
            groups.setdefault(_group_value(d, key), []).append(d)
        out[key] = {k: count(v) for k, v in sorted(groups.items())}
    return out


def _stratum(d: CorpusDoc) -> str:
    return f"{d.kind}/{d.meta.get('format') or '?'}/{d.script}"


def _tags(d: CorpusDoc) -> set[tuple[str, str]]:
    """What each of dev and test should hold an example of (when the corpus has one)."""
    return {("kind", d.kind), ("format", str(d.meta.get("format"))), ("script", d.script)}


def _group_folds(labels: list[str], groups: list[str], k: int, seed: int) -> list[list[int]]:
    """``StratifiedGroupKFold`` folds (indices); unstratified (one label) where stratifying is impossible."""
    import numpy as np

    StratifiedGroupKFold = require("sklearn.model_selection", "train", "the corpus split").StratifiedGroupKFold

    k = min(k, len(set(groups)))
    if k < 2:
        return []
    x = np.zeros(len(labels))
    for y in (labels, ["-"] * len(labels)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "least populated class has fewer members than n_splits"
                folds = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed).split(x, y, groups)
                return [sorted(int(i) for i in test) for _, test in folds]
        except ValueError:
            continue
    return []


def split_groups(docs: Sequence[CorpusDoc], link_duplicates: bool = True) -> dict[str, str]:
    """Document id → the group the split keeps together: its :func:`issuer_key`, with the groups of
    near-duplicate texts (:func:`near_duplicates`, among the documents whose text is loaded) merged."""
    key = {d.id: issuer_key(d) for d in docs}
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        while parent.get(k, k) != k:
            k = parent[k]
        return k

    if link_duplicates:
        for a, b, _ in near_duplicates([d for d in docs if d.text and d.origin == "real"]):
            ra, rb = find(key[a]), find(key[b])
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {i: find(k) for i, k in key.items()}


def make_split(docs: Sequence[CorpusDoc], seed: int = 13, dev: float = 0.15, test: float = 0.15,
               link_duplicates: bool = True) -> dict[str, str]:
    """Deterministic document-level train/dev/test split **grouped by issuing body** (:func:`issuer_key`):
    every document of one issuer lands in the same split, and so do near-duplicate texts of different
    issuers (:func:`split_groups`; only where the documents' texts are loaded).

    scikit-learn ``StratifiedGroupKFold`` (stratified by kind/format/script) cuts the real documents into
    about ``1/test`` folds; each fold is a candidate test set, and the rest is cut the same way into
    candidate dev sets. Of those candidates the split keeps the one where dev, test and train each hold
    an opening and a full report, an old- and a new-format report and a traditional-script original (as
    far as the corpus allows), then the one closest to the target sizes. Augmented and synthetic
    documents are always train. Fewer than 3 issuers: all train. The same documents and seed give the
    same split, whatever their order.
    """
    real = sorted((d for d in docs if d.origin == "real"), key=lambda d: d.id)
    out: dict[str, str] = {d.id: "train" for d in real}
    by_id = split_groups(real, link_duplicates)
    groups = [by_id[d.id] for d in real]
    if len(set(groups)) >= 3 and dev >= 0 and test >= 0 and 0 < dev + test < 1:
        assign = _grouped_split(real, groups, seed, dev, test)
        out.update({real[i].id: s for i, s in assign.items()})
    for d in docs:
        if d.origin != "real":
            out[d.id] = "train"
    return dict(sorted(out.items()))


def _grouped_split(real: list[CorpusDoc], groups: list[str], seed: int, dev: float, test: float) -> dict[int, str]:
    n = len(real)
    labels = [_stratum(d) for d in real]
    tags = [_tags(d) for d in real]
    wanted = set().union(*tags)

    def candidates(idx: list[int], frac: float) -> list[list[int]]:
        if frac <= 0 or not idx:
            return [[]]
        folds = _group_folds([labels[i] for i in idx], [groups[i] for i in idx], max(2, round(1 / frac)), seed)
        return [[idx[j] for j in f] for f in folds] or [[]]

    best: Optional[tuple] = None
    everything = list(range(n))
    for ti, t_idx in enumerate(candidates(everything, test)):
        t_set = set(t_idx)
        rest = [i for i in everything if i not in t_set]
        for di, d_idx in enumerate(candidates(rest, dev / (1 - test))):
            parts = {"test": set(t_idx), "dev": set(d_idx)}
            parts["train"] = set(rest) - parts["dev"]
            missing = 0
            for name, frac in (("train", 1.0), ("dev", dev), ("test", test)):
                if frac > 0:
                    have = set().union(*(tags[i] for i in parts[name])) if parts[name] else set()
                    missing += len(wanted - have)
            off = abs(len(parts["dev"]) - dev * n) + abs(len(parts["test"]) - test * n)
            key = (missing, off, ti, di)
            if best is None or key < best[0]:
                best = (key, parts)
    assert best is not None
    return {i: name for name, idx in best[1].items() for i in idx}


def extend_split(docs: Sequence[CorpusDoc], existing: dict[str, str], seed: int = 13, dev: float = 0.15,
                 test: float = 0.15, link_duplicates: bool = True) -> dict[str, str]:
    """Assign only the documents not in ``existing``, keeping every existing assignment.

    A new document of an issuer that already has documents (or a near-duplicate of an assigned
    document, :func:`split_groups`) goes to that issuer's split (the split holding most of them; train
    on a tie). The new documents of new issuers are split with
    :func:`make_split`, with fractions chosen so that the whole corpus comes as close to
    ``dev``/``test`` as the kept assignments allow. Assignments of documents that have no record any
    more are dropped.
    """
    ids = {d.id for d in docs}
    keep = {i: s for i, s in existing.items() if i in ids}
    group = split_groups([d for d in docs if d.origin == "real"], link_duplicates)
    by_issuer: dict[str, Counter] = {}
    for d in docs:
        if d.id in keep and d.origin == "real":
            by_issuer.setdefault(group[d.id], Counter())[keep[d.id]] += 1
    out = dict(keep)
    pool = []
    for d in sorted(docs, key=lambda d: d.id):
        if d.id in keep:
            continue
        if d.origin != "real":
            out[d.id] = "train"
        elif group[d.id] in by_issuer:
            c = by_issuer[group[d.id]]
            out[d.id] = max(SPLITS, key=lambda s: (c[s], -SPLITS.index(s)))
        else:
            pool.append(d)
    if pool:
        n_real = sum(d.origin == "real" for d in docs)
        have = Counter(out[d.id] for d in docs if d.origin == "real" and d.id in out)
        want = {s: max(0.0, f * n_real - have[s]) / len(pool) for s, f in (("dev", dev), ("test", test))}
        total = want["dev"] + want["test"]
        if total > 0.9:  # keep some train in the new issuers' documents
            want = {s: v * 0.9 / total for s, v in want.items()}
        out.update(make_split(pool, seed=seed, dev=want["dev"], test=want["test"], link_duplicates=link_duplicates))
    return dict(sorted(out.items()))


def write_split(split: dict[str, str], corpus_dir: Union[str, Path, None] = None, seed: int = 13) -> Path:
    p = Path(corpus_dir or DEFAULT_CORPUS) / "splits.json"
    p.write_text(json.dumps({"seed": seed, "method": SPLIT_METHOD, "documents": split}, ensure_ascii=False,
                            indent=1) + "\n", encoding="utf-8")
    return p


# --------------------------------------------------------------------------- split guards
def split_problems(docs: Sequence[CorpusDoc], splits: dict[str, str]) -> list[Problem]:
    """An error for each issuing body (:func:`issuer_key`) whose real documents sit in more than one split."""
    by: dict[str, dict[str, list[str]]] = {}
    for d in sorted(docs, key=lambda d: d.id):
        if d.origin == "real" and d.id in splits:
            by.setdefault(issuer_key(d), {}).setdefault(splits[d.id], []).append(d.id)
    out = []
    for key, parts in sorted(by.items(), key=lambda kv: min(i for ids in kv[1].values() for i in ids)):
        if len(parts) > 1:
            where = "; ".join(f"{s}: {', '.join(parts[s])}" for s in SPLITS if s in parts)
            first = min(i for ids in parts.values() for i in ids)
            out.append(Problem(first, "split-issuer", f"issuing body {key!r} has documents in {len(parts)} splits "
                                                      f"({where})"))
    return out


def _shingles(text: str, n: int) -> set[int]:
    t = re.sub(r"\s+", "", text)
    if len(t) <= n:
        return {zlib.crc32(t.encode("utf-8"))} if t else set()
    return {zlib.crc32(t[i:i + n].encode("utf-8")) for i in range(len(t) - n + 1)}


def near_duplicates(docs: Sequence[CorpusDoc], threshold: float = 0.8, n: int = 5) -> list[tuple[str, str, float]]:
    """Pairs of documents whose texts (whitespace removed) share at least ``threshold`` of their
    ``n``-character shingles (Jaccard), with that Jaccard; exact duplicates included (1.0).

    Exact set comparison; pairs are pruned first by the sets' sizes (Jaccard ≤ smaller/larger) and, for
    long texts, by the Jaccard of a 1-in-16 sample of the (crc32-hashed) shingles, with a 0.2 margin.
    """
    docs = sorted(docs, key=lambda d: d.id)
    sets = [_shingles(d.text, n) for d in docs]
    samples = [{h for h in s if h % 16 == 0} for s in sets]
    out = []
    for a in range(len(docs)):
        A, sa = sets[a], samples[a]
        for b in range(a + 1, len(docs)):
            B, sb = sets[b], samples[b]
            if not A or not B or min(len(A), len(B)) < threshold * max(len(A), len(B)):
                continue
            if len(sa) >= 32 and len(sb) >= 32 and len(sa & sb) < (threshold - 0.2) * len(sa | sb):
                continue
            inter = len(A & B)
            j = inter / (len(A) + len(B) - inter)
            if j >= threshold:
                out.append((docs[a].id, docs[b].id, round(j, 4)))
    return out


def duplicate_problems(docs: Sequence[CorpusDoc], splits: dict[str, str], threshold: float = 0.8) -> list[Problem]:
    """Duplicate texts (same sha256) and near-duplicates (:func:`near_duplicates`) under different ids:
    an error when the two sit in different splits, a warning otherwise (same split, or not assigned)."""
    real = [d for d in docs if d.origin == "real"]
    shas = {d.id: sha256(d.text) for d in real}
    out = []
    for a, b, j in near_duplicates(real, threshold):
        sa, sb = splits.get(a), splits.get(b)
        sev = "error" if sa and sb and sa != sb else "warning"
        where = f"{a} in {sa or 'no split'}, {b} in {sb or 'no split'}"
        if shas[a] == shas[b]:
            out.append(Problem(b, "duplicate", f"same text as {a} (sha256 {shas[a][:12]}…; {where})", sev))
        else:
            out.append(Problem(b, "near-duplicate", f"text nearly the same as {a}'s (Jaccard {j:.2f} of 5-character "
                                                    f"shingles; {where})", sev))
    return out



