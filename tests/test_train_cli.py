"""``govie train|evaluate|corpus``: --corpus/--reports everywhere (several report folders), the
message of an installed govie without a corpus, progress of silent stages, --name/--version of a
retrained pipeline, ``evaluate --compare`` and ``validate --lint --doc/--limit``."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import govie.corpus as gc
from govie import train as gt
from govie.corpus import load_corpus, sha256

from test_corpus import NARRATIVE, build_corpus, cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def corpus_dir(tmp_path: Path) -> Path:
    return build_corpus(tmp_path)


def _reports_record(corpus: Path, doc_id: str, text: str, ref: str) -> None:
    rec = {"id": doc_id, "text_ref": ref, "sha256": sha256(text), "meta": {"layout": "narrative", "source": "reports",
           "script": "simplified", "origin": "real"}, "entities": [], "relations": []}
    (corpus / "annotations").mkdir(parents=True, exist_ok=True)
    (corpus / "annotations" / f"{doc_id}.json").write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")


# --------------------------------------------------------------------------- several reports folders
def test_texts_in_several_report_folders_load_together(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GOVIE_REPORTS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(gc, "PROJECT_ROOT", tmp_path / "nowhere")
    shared, mine = tmp_path / "shared", tmp_path / "mine"
    shared.mkdir()
    mine.mkdir()
    a, b = NARRATIVE.format(a=1, b=2, c=3, d=4), NARRATIVE.format(a=5, b=6, c=7, d=8)
    (shared / "001.txt").write_text(a, encoding="utf-8")
    (mine / "001.txt").write_text(b, encoding="utf-8")  # the same name, another text
    corpus = tmp_path / "corpus"
    _reports_record(corpus, "s1", a, "001.txt")
    _reports_record(corpus, "m1", b, "001.txt")
    docs = {d.id: d.text for d in load_corpus(corpus, reports_dir=[mine, shared])}
    assert docs == {"s1": a, "m1": b}  # each record gets the file whose sha256 it holds
    monkeypatch.setenv("GOVIE_REPORTS_DIR", str(shared))  # the default, plus --reports mine
    assert {d.id for d in load_corpus(corpus, reports_dir=mine)} == {"s1", "m1"}
    monkeypatch.setenv("GOVIE_REPORTS_DIR", os.pathsep.join([str(mine), str(shared)]))
    assert {d.id for d in load_corpus(corpus)} == {"s1", "m1"}


def test_printed_next_step_after_import_works(tmp_path: Path, monkeypatch, capsys) -> None:
    """The corpus's texts sit in the default reports folder, the new ones in mydir: the step printed
    after `corpus import --reports mydir` must run as printed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(gc, "PROJECT_ROOT", tmp_path / "nowhere")
    shared = tmp_path / "shared-reports"
    shared.mkdir()
    monkeypatch.setenv("GOVIE_REPORTS_DIR", str(shared))
    corpus = tmp_path / "corpus"
    old = NARRATIVE.format(a=11, b=2, c=3, d=1)
    (shared / "r001.txt").write_text(old, encoding="utf-8")
    _reports_record(corpus, "r001", old, "r001.txt")
    mydir = tmp_path / "mydir"
    mydir.mkdir()
    (mydir / "new.txt").write_text("2021年，共受理依申请公开169件，其中当面申请34件。\n", encoding="utf-8")
    pre = tmp_path / "pre.json"
    assert cli("export-annotations", "--format", "labelstudio", str(pre), "--texts", str(mydir), "--model", "rules") == 0
    assert cli("corpus", "import", "--format", "labelstudio", str(pre), "--reports", str(mydir), "--corpus",
               str(corpus), "--layout", "narrative") == 0
    out = capsys.readouterr().out
    step = next(line for line in out.splitlines() if line.startswith("next: ")).removeprefix("next: ")
    validate, split = step.split("; ")
    assert cli(*validate.split()[1:]) == 0
    assert "2 documents validated" in capsys.readouterr().out
    assert cli(*split.split()[1:]) == 0
    assert json.loads((corpus / "splits.json").read_text(encoding="utf-8"))["documents"].keys() == {"r001", "new"}


def test_import_from_several_folders(tmp_path: Path, capsys) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "a.txt").write_text(NARRATIVE.format(a=1, b=1, c=1, d=1), encoding="utf-8")
    (two / "b.txt").write_text(NARRATIVE.format(a=2, b=2, c=2, d=2), encoding="utf-8")
    both = tmp_path / "both"
    both.mkdir()
    shutil.copy(one / "a.txt", both)
    shutil.copy(two / "b.txt", both)
    pre = tmp_path / "pre.json"
    assert cli("export-annotations", "--format", "labelstudio", str(pre), "--texts", str(both), "--model", "rules") == 0
    corpus = tmp_path / "corpus"
    assert cli("corpus", "import", "--format", "labelstudio", str(pre), "--reports", str(one), "--reports", str(two),
               "--corpus", str(corpus)) == 0
    out = capsys.readouterr().out
    assert f"--reports {one} --reports {two}" in out
    assert {d.id for d in load_corpus(corpus, reports_dir=[one, two])} == {"a", "b"}


# --------------------------------------------------------------------------- validate --doc / --limit
def _noisy_corpus(tmp_path: Path) -> Path:
    corpus = build_corpus(tmp_path)
    for p in sorted((corpus / "texts").glob("*.txt")):  # numerals outside any QUANTITY, after the annotated ones
        with open(p, "a", encoding="utf-8") as fh:
            fh.write("附件1、附件2、附件3。\n")
    for p in sorted((corpus / "annotations").glob("*.json")):
        rec = json.loads(p.read_text(encoding="utf-8"))
        rec["sha256"] = sha256((corpus / "texts" / rec["text_ref"]).read_text(encoding="utf-8"))
        p.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    return corpus


def test_validate_lint_limit_and_doc(tmp_path: Path, capsys) -> None:
    corpus = _noisy_corpus(tmp_path)
    assert cli("corpus", "validate", "--corpus", str(corpus), "--lint", "--limit", "0") == 0
    every = [line for line in capsys.readouterr().out.splitlines() if line.startswith("lint\t")]
    assert len(every) >= 18
    assert cli("corpus", "validate", "--corpus", str(corpus), "--lint", "--limit", "5") == 0
    out = capsys.readouterr().out
    assert len([line for line in out.splitlines() if line.startswith("lint\t")]) == 5
    assert f"… {len(every) - 5} more uncovered numerals not shown (in 6 documents:" in out
    assert cli("corpus", "validate", "--corpus", str(corpus), "--lint", "--doc", "n01") == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("lint\t")]
    assert lines and all(line.startswith("lint\tn01\t") for line in lines)
    assert len(lines) == sum(line.startswith("lint\tn01\t") for line in every) and "more uncovered" not in out
    assert "1 documents validated" in out
    assert cli("corpus", "validate", "--corpus", str(corpus), "--doc", "zz9") == 2
    assert "--doc zz9: no such record" in capsys.readouterr().err
