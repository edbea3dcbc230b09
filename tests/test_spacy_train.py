"""``spacy train training/config.cfg`` trains govie_relations with spaCy's own loop, and ``spacy debug
config`` accepts the config (#14): on a tiny corpus written the way ``govie train`` writes its DocBins."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "training" / "config.cfg"

SENTENCES = [
    ("全市主动公开政府信息122条，其中网站公开98条。", [("主动公开政府信息", "122条"), ("网站公开", "98条")], True),
    ("本年度受理依申请公开12件，办结率100%。", [("受理依申请公开", "12件"), ("办结率", "100%")], False),
    ("收到政府信息公开申请224件，其中当面申请34件。", [("收到政府信息公开申请", "224件"), ("当面申请", "34件")], True),
    ("举办新闻发布会6场，接待群众来访300人次。", [("举办新闻发布会", "6场"), ("接待群众来访", "300人次")], False),
]


def _corpus_doc(i: int, text: str, pairs, part_of: bool):
    from govie.corpus.records import CorpusDoc
    from govie.normalize import normalize

    ents, rels = [], []
    for k, (metric, quantity) in enumerate(pairs):
        m0 = text.index(metric)
        q0 = text.index(quantity, m0 + len(metric))
        n = normalize(quantity)
        ents.append({"id": f"m{k}", "label": "METRIC", "start": m0, "end": m0 + len(metric), "text": metric})
        ents.append({"id": f"q{k}", "label": "QUANTITY", "start": q0, "end": q0 + len(quantity), "text": quantity,
                     "value": n.value, "unit": n.unit, "approximate": n.approximate})
        rels.append({"head": f"q{k}", "tail": f"m{k}", "type": "VALUE_OF"})
    if part_of:
        rels.append({"head": "m1", "tail": "m0", "type": "PART_OF"})
    return CorpusDoc(f"t{i}", text, {}, ents, rels, "train")


@pytest.fixture(scope="module")
def docbins(tmp_path_factory):
    import spacy

    from govie.training.docbin import to_docbin

    path = tmp_path_factory.mktemp("relcorpus")
    nlp = spacy.blank("zh")
    docs = [_corpus_doc(i, *s) for i, s in enumerate(SENTENCES * 3)]
    db, misaligned = to_docbin(docs, nlp)
    assert misaligned == 0
    db.to_disk(path / "train.spacy")
    to_docbin(docs[:4], nlp)[0].to_disk(path / "dev.spacy")
    return path


def _spacy(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spacy", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)


def test_spacy_debug_config_passes(docbins) -> None:
    run = _spacy("debug", "config", str(CONFIG), "--paths.train", str(docbins / "train.spacy"),
                 "--paths.dev", str(docbins / "dev.spacy"))
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "Config is valid" in run.stdout


def test_spacy_train_trains_the_relation_component(docbins, tmp_path) -> None:
    out = tmp_path / "out"
    run = _spacy("train", str(CONFIG), "--output", str(out), "--paths.train", str(docbins / "train.spacy"),
                 "--paths.dev", str(docbins / "dev.spacy"), "--training.max_epochs", "25",
                 "--training.eval_frequency", "20", "--components.govie_relations.fallback", "false")
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    lines = run.stdout.splitlines()
    header = next(line.split() for line in lines if "REL_MICRO_F" in line.split())
    # a column per score weight of the config; the header names the loss column in two words
    col = header.index("REL_MICRO_F") - 1
    scores = [float(line.split()[col]) for line in lines
              if line.split()[:1] and line.split()[0].isdigit() and len(line.split()) == len(header) - 1]
    assert scores and max(scores) > scores[0]  # the dev relation F1 of the model alone rose during training
    # the saved pipeline loads in a fresh process (entry points) and links a sentence it never saw
    code = ("import json, sys, spacy\n"
            "from govie.training.corpus_reader import read_examples\n"
            "nlp = spacy.load(sys.argv[1])\n"
            "eg = next(iter(read_examples(nlp, sys.argv[2])))\n"
            "doc = nlp(eg.predicted)\n"
            "print(json.dumps({'rels': sorted(r[:5] for r in doc._.relations), "
            "'gold': sorted(r[:5] for r in eg.reference._.relations), "
            "'labels': nlp.get_pipe('govie_relations').labels}))\n")
    res = subprocess.run([sys.executable, "-c", code, str(out / "model-last"), str(docbins / "dev.spacy")],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got["labels"] == ["VALUE_OF", "PART_OF"]
    assert got["rels"] == got["gold"]
