"""The fast segmenter path against spacy_pkuseg's own: node scores, tags and words, text by text.

    python benchmarks/segmenter_check.py [DIR_OR_FILE ...] [--rounds 3] [--no-check]
    (default texts: ../shared/reports, its openings, seeds: 318 texts)

Prints how many texts and pieces were compared, how many differ (must be 0), and the CPU time of both on
the same texts, in turns (medians of the rounds): spacy_pkuseg's ``cut``, the fast path's one-time setup,
its setup read from the shipped model's saved tables instead (what ``govie.load()`` does), and its ``cut``.
The fast path keeps no cache, so every text it cuts is unseen text.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def corpus_paths(args: list[str]) -> list[Path]:
    shared = ROOT.parent / "shared"
    roots = [Path(a) for a in args] or [shared / "reports", shared / "reports" / "openings", shared / "seeds"]
    out: list[Path] = []
    for r in roots:
        out.extend(sorted(r.glob("*.txt")) if r.is_dir() else [r])
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", help="texts or folders of them (default: the shared corpus)")
    ap.add_argument("--rounds", type=int, default=3, help="timing rounds (medians are printed)")
    ap.add_argument("--no-check", action="store_true", help="time only")
    args = ap.parse_args(argv)
    import govie
    from spacy_pkuseg.inference import getLogYY

    from govie.pipeline.segmenter import FastSegmenter

    nlp = govie.load()
    seg = nlp.tokenizer.pkuseg_seg
    fast = FastSegmenter(seg)
    fast.WARMUP_CHARS = 0  # the fast path for every text
    orig, orig_piece = fast.orig_cut, fast.orig_underscore_cut
    paths = corpus_paths(args.paths)
    texts = [p.read_text(encoding="utf-8") for p in paths]
    chars = sum(map(len, texts))
    bad = pieces = 0
    for path, text in zip(paths, [] if args.no_check else texts):
        # the pieces spacy_pkuseg.cut hands to _cut: whitespace-separated, then the user dictionary's split
        for w0 in text.strip().split():
            for piece, isword, _ in zip(*seg.preprocesser.solve(w0)):
                if isword:
                    continue
                pieces += 1
                nodes = list(seg.feature_extractor.normalize_text(piece))
                feats = [seg.feature_extractor.get_node_features_idx(i, nodes) for i in range(len(nodes))]
                y_ref, _ = getLogYY(feats, seg.model.n_tag, seg.model.n_feature * seg.model.n_tag, seg.model.w, 1.0)
                if (fast.features(piece) != feats or not np.array_equal(fast.scores(piece), y_ref)
                        or fast._cut(piece) != orig_piece(piece)):
                    bad += 1
                    print("differs:", path, piece[:40])
        if fast.cut(text) != orig(text):
            bad += 1
            print("words differ:", path)
    if not args.no_check:
        print(f"{len(texts)} texts, {pieces} pieces, {chars:,} characters: "
              f"{bad} pieces or texts differ (features, node scores, words after the postprocessor)")
    load = os.getloadavg()
    print(f"timing: {args.rounds} rounds, CPU seconds (time.process_time), medians; {os.cpu_count()} CPUs, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    from govie.pipeline.pkuseg_tables import PROCESSORS, TABLES, load_tables

    tables = ROOT / "govie" / "model" / "tokenizer" / TABLES
    times: dict[str, list[float]] = {"spacy_pkuseg cut": [], "FastSegmenter setup": [], "tables read (npz)": [],
                                     "FastSegmenter cut": []}
    for _ in range(args.rounds):
        t = time.process_time()
        for text in texts:
            orig(text)
        times["spacy_pkuseg cut"].append(time.process_time() - t)
        t = time.process_time()
        new = FastSegmenter(seg)  # nothing built yet: tables and the postprocessor's hashes are part of this
        new.WARMUP_CHARS = 0
        new._prepare()
        new._dict_hashes()
        times["FastSegmenter setup"].append(time.process_time() - t)
        t = time.process_time()  # what govie.load() does instead, from the shipped model's saved tables
        if tables.is_file() and load_tables(tables, seg.model.w, tables.parent / PROCESSORS) is None:
            raise SystemExit(f"{tables} is not of the shipped weights and words: the read was not measured")
        times["tables read (npz)"].append(time.process_time() - t)
        t = time.process_time()
        for text in texts:  # no cache: every text is unseen text
            new.cut(text)
        times["FastSegmenter cut"].append(time.process_time() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in times.items():
        print(f"{k:22s}: {med[k]:6.2f} s  ({', '.join(f'{x:.2f}' for x in v)}; "
              f"{chars / med[k] if 'cut' in k else 0:,.0f} chars/s)".replace("; 0 chars/s", ""))
    print(f"fast cut vs spacy_pkuseg: {med['spacy_pkuseg cut'] / med['FastSegmenter cut']:.1f}x; with setup: "
          f"{med['spacy_pkuseg cut'] / (med['FastSegmenter cut'] + med['FastSegmenter setup']):.1f}x; "
          f"load average at end {os.getloadavg()[0]:.2f}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
