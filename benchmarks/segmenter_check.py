"""The cached segmenter path against spacy_pkuseg's own: node scores, tags and words, text by text.

    python benchmarks/segmenter_check.py [DIR_OR_FILE ...]   (default: ../shared/reports, its openings, seeds)

Prints how many texts and pieces were compared, how many differ (must be 0), and the speed of both.
"""
from __future__ import annotations

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
    import govie
    from spacy_pkuseg.inference import getLogYY

    from govie.pipeline.segmenter import FastSegmenter

    nlp = govie.load()
    seg = nlp.tokenizer.pkuseg_seg
    fast = getattr(seg.cut, "__self__", None)
    if not isinstance(fast, FastSegmenter):
        fast = FastSegmenter(seg)
    orig, orig_piece = fast.orig_cut, fast.orig_underscore_cut
    paths = corpus_paths(argv)
    texts = [p.read_text(encoding="utf-8") for p in paths]
    bad = pieces = 0
    for path, text in zip(paths, texts):
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
    print(f"{len(texts)} texts, {pieces} pieces, {sum(map(len, texts)):,} characters: "
          f"{bad} pieces or texts differ (features, node scores, words)")
    cold = FastSegmenter(seg)
    for name, cut in (("spacy_pkuseg cut", orig), ("govie FastSegmenter, cold", cold.cut),
                      ("govie FastSegmenter, warm", cold.cut)):
        t = time.process_time()
        for text in texts:
            cut(text)
        print(f"{name:28s}: {time.process_time() - t:.2f} s CPU")
    print(f"cold run: {cold.misses:,} cache misses in {cold.positions // 2:,} positions")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
