"""A tiny training run end to end: trained, saved, reloaded in a fresh process, parses a sentence;
and the pkuseg stage gives the same weights twice.

Uses the seed documents in corpus/texts only (always present), 1 epoch, 1 pkuseg iteration.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS_TEXTS = Path(__file__).resolve().parents[1] / "corpus" / "texts"


@pytest.mark.slow
def test_tiny_training_run_end_to_end(tmp_path):
    out = tmp_path / "model"
    cmd = [sys.executable, "-m", "govie.cli", "train", "--output", str(out), "--work", str(tmp_path / "work"),
           "--reports", str(tmp_path / "no-reports"), "--max-docs", "2", "--max-epochs", "1",
           "--pkuseg-iter", "1", "--rel-epochs", "1", "--no-augment"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (out / "config.cfg").exists()
    assert (out / "tokenizer" / "pkuseg_model").is_dir()
    assert (out / "govie_relations" / "cfg").exists() and (out / "govie_relations" / "model").exists()
    code = (
        "import json, sys, spacy, govie\n"
        "nlp = spacy.load(sys.argv[1])\n"
        "r = govie.parse('全市共受理依申请公开169件，其中当面申请34件。', nlp=nlp)\n"
        "print(json.dumps({'pipe': nlp.pipe_names, 'q': [(q.quantity.text, q.value, q.unit) for q in r.quantities]},"
        " ensure_ascii=False))\n"
    )
    res = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got["pipe"][:2] == ["tok2vec", "ner"] and "govie_relations" in got["pipe"]
    assert ["169件", 169, "件"] in got["q"] and ["34件", 34, "件"] in got["q"]


def test_pkuseg_training_is_reproducible(tmp_path):
    """Two pkuseg builds of the same segmented text give the same weights (its optimiser shuffles)."""
    import numpy as np

    from govie.training.segmentation import train_pkuseg, write_training_file

    texts = [p.read_text(encoding="utf-8")[:3000] for p in sorted(CORPUS_TEXTS.glob("*.txt"))]
    write_training_file([(t, []) for t in texts], tmp_path / "train.txt")
    write_training_file([(texts[0][:500], [])], tmp_path / "dev.txt")
    weights = []
    for k in range(2):
        out = train_pkuseg(tmp_path / "train.txt", tmp_path / "dev.txt", tmp_path / f"seg{k}", iterations=2)
        weights.append(np.load(out / "weights.npz")["w"])
    assert weights[0].size > 0 and np.any(weights[0])
    assert np.array_equal(weights[0], weights[1])
