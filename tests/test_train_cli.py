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

import govie
import govie.corpus.records as gc
from govie.training import output as go
from govie.training import train as gt
from govie.corpus.records import load_corpus, sha256

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


# --------------------------------------------------------------------------- installed govie: no corpus
def test_no_corpus_message_in_process(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(gc, "DEFAULT_CORPUS", tmp_path / "site-packages-parent" / "corpus")
    monkeypatch.delenv("GOVIE_CORPUS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    for argv in (["corpus", "stats"], ["corpus", "validate"], ["evaluate", "--model", "rules"],
                 ["train", "--output", str(tmp_path / "out"), "--config", str(ROOT / "training" / "config.cfg")]):
        assert cli(*argv) == 2, argv
        err = capsys.readouterr().err
        assert "no annotated corpus found" in err and "--corpus DIR" in err and "GOVIE_CORPUS_DIR" in err, argv
    assert cli("corpus", "stats", "--corpus", str(tmp_path / "nope")) == 2
    err = capsys.readouterr().err
    assert f"--corpus {tmp_path / 'nope'}: no annotations/ directory there" in err


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """govie laid out as `pip install .` (not editable) leaves it: the package alone in a
    site-packages directory, no corpus/ and no training/ beside it."""
    site = tmp_path_factory.mktemp("site-packages")
    shutil.copytree(ROOT / "govie", site / "govie", ignore=shutil.ignore_patterns("__pycache__", "model"))
    os.symlink(ROOT / "govie" / "model", site / "govie" / "model")
    return site


def _run_installed(site: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVIE_")}
    env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, "-m", "govie.cli", *argv], cwd=str(cwd), env=env, capture_output=True,
                          text=True, timeout=300)


def test_installed_govie_names_the_missing_corpus_and_option(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    configs = ["--config", str(ROOT / "training" / "config.cfg"), "--ner-config", str(ROOT / "training" / "ner.cfg")]
    for argv in (["corpus", "stats"], ["evaluate", "--model", "rules"], ["train", "--output", str(tmp_path / "m"),
                                                                           *configs]):
        run = _run_installed(installed, work, *argv)
        assert run.returncode == 2, (argv, run.stderr[-2000:])
        assert "no annotated corpus found" in run.stderr and "pass --corpus DIR" in run.stderr, argv
        assert "Traceback" not in run.stderr
    run = _run_installed(installed, work, "train", "--output", str(tmp_path / "m"))
    assert run.returncode == 2 and "training config not found" in run.stderr and "--config FILE" in run.stderr
    run = _run_installed(installed, work, "train", "--output", str(tmp_path / "m"), *configs[:2])
    assert run.returncode == 2 and "training config not found" in run.stderr and "--ner-config FILE" in run.stderr
    run = _run_installed(installed, work, "train", "--output", str(tmp_path / "m"), *configs[:2], "--stages",
                         "relations", "--base", str(ROOT / "govie" / "model"))  # no NER stage: no --ner-config
    assert run.returncode == 2 and "no annotated corpus found" in run.stderr, run.stderr[-2000:]
    run = _run_installed(installed, work, "corpus", "stats", "--corpus", str(ROOT / "corpus"), "--reports",
                         str(tmp_path / "none"), "--skip-missing")
    assert run.returncode == 0, run.stderr[-2000:]
    assert "all" in run.stdout


def test_installed_work_dir_is_not_site_packages(monkeypatch, tmp_path: Path) -> None:
    import tempfile

    monkeypatch.setattr(gt, "DEFAULT_WORK", tmp_path / "lib" / "training" / "work")
    assert gt.default_work_dir() == Path(tempfile.gettempdir()) / "govie-train-work"  # no training/ here
    (tmp_path / "lib" / "training").mkdir(parents=True)
    assert gt.default_work_dir() == tmp_path / "lib" / "training" / "work"  # a checkout


# --------------------------------------------------------------------------- progress
def test_heartbeat_reports_progress_and_elapsed(capsys) -> None:
    states = iter(["iteration 1/3 done", "iteration 1/3 done", "iteration 2/3 done"])
    with gt.Heartbeat("stage 1/4: pkuseg", every=0.05, progress=lambda: next(states, None)):
        time.sleep(0.4)
    err = capsys.readouterr().err
    assert "stage 1/4: pkuseg: iteration 1/3 done" in err and "iteration 2/3 done" in err
    assert "still running" in err  # an unchanged state still gives a sign of life


def test_pkuseg_progress_reads_the_training_log(tmp_path: Path) -> None:
    progress = gt.pkuseg_progress(tmp_path, 10)
    assert progress() == "reading the training data"
    log = tmp_path / "tmpabc" / ".pkuseg" / "temp" / "output" / "trainLog.txt"
    log.parent.mkdir(parents=True)
    log.write_text("\nstart training...\niter0  diff=1.00e+00  train-time(sec)=3.10  f-score=91.20%\n"
                   "iter1  diff=4.00e-01  train-time(sec)=3.00  f-score=95.50%\n", encoding="utf-8")
    assert progress() == "iteration 2/10 done (diff 4.00e-01, f-score=95.50%)"


def test_pkuseg_stage_prints_its_iterations(tmp_path: Path, monkeypatch, capsys) -> None:
    """The real pkuseg stage, 3 iterations on the seed texts: a line per iteration, not silence."""
    monkeypatch.setattr(gt, "HEARTBEAT", 0.2)
    docs = [d for d in load_corpus(build_corpus(tmp_path / "c", 2, 0))]
    docs = [gc.CorpusDoc(d.id, d.text * 40, d.meta, [], []) for d in docs]
    (tmp_path / "work").mkdir()
    gt.stage_pkuseg(docs[:1], docs[1:], tmp_path / "work", 3)
    err = capsys.readouterr().err
    assert re.search(r"stage 1/4: pkuseg: iteration [123]/3 done", err), err[-2000:]
    assert not (tmp_path / "work" / "pkuseg-tmp").exists()
    assert (tmp_path / "work" / "pkuseg").is_dir()


# --------------------------------------------------------------------------- --name / --version
def test_name_and_version_checks(tmp_path: Path, capsys) -> None:
    gt.check_name_version("my_model", "1.2.0+city")
    with pytest.raises(ValueError, match="letters"):
        gt.check_name_version("my-model", None)
    with pytest.raises(ValueError, match="version"):
        gt.check_name_version(None, "one")
    assert gt.default_name_version(gt.DEFAULT_OUTPUT, None, None) == ("govie_zh", govie.__version__)
    assert gt.default_name_version(tmp_path / "m", None, None) == ("govie_zh_custom", f"{govie.__version__}+custom")
    assert gt.default_name_version(tmp_path / "m", "city", "2.0.0") == ("city", "2.0.0")
    # refused before any training; `train --version` is the pipeline's, not govie's own --version
    assert cli("train", "--output", str(tmp_path / "m"), "--name", "bad-name") == 2
    assert "letters" in capsys.readouterr().err
    assert cli("train", "--output", str(tmp_path / "m"), "--version", "2.0.0", "--config", str(tmp_path / "no.cfg")) == 2
    captured = capsys.readouterr()
    assert "training config not found" in captured.err and govie.__version__ not in captured.out


def test_meta_and_spacy_package_use_name_and_version(tmp_path: Path) -> None:
    import spacy
    from spacy.cli.package import package

    nlp = spacy.blank("zh")
    gt.write_meta(nlp, "city_model", "2.1.0")
    assert (nlp.meta["name"], nlp.meta["version"]) == ("city_model", "2.1.0")
    gt.save_output(nlp, tmp_path / "model")
    meta = json.loads((tmp_path / "model" / "meta.json").read_text(encoding="utf-8"))
    assert (meta["name"], meta["version"]) == ("city_model", "2.1.0")
    assert go._is_training_output(tmp_path / "model")
    (tmp_path / "pkg").mkdir()
    package(tmp_path / "model", tmp_path / "pkg", create_meta=False, create_sdist=False, create_wheel=False,
            silent=True)
    assert (tmp_path / "pkg" / "zh_city_model-2.1.0").is_dir()


# --------------------------------------------------------------------------- evaluate
def test_evaluate_takes_corpus_and_reports(corpus_dir: Path, tmp_path: Path, capsys) -> None:
    assert cli("evaluate", "--corpus", str(corpus_dir), "--reports", str(tmp_path), "--split", "dev", "--model",
               "rules", "--no-baseline") == 0
    captured = capsys.readouterr()
    assert "split: dev" in captured.out and "(2 documents)" in captured.out
    assert "rules (the rule baseline): 2/2 documents" in captured.err  # progress on stderr
    assert cli("evaluate", "--corpus", str(corpus_dir), "--split", "dev", "--model", str(tmp_path / "none")) == 2
    assert "no such pipeline directory" in capsys.readouterr().err


def test_evaluate_compare_side_by_side_with_difference(corpus_dir: Path, tmp_path: Path, capsys) -> None:
    scores = tmp_path / "scores.json"
    assert cli("evaluate", "--corpus", str(corpus_dir), "--split", "train", "--compare", "rules", "shipped",
               "--json", str(scores)) == 0
    out = capsys.readouterr().out
    assert "A = rules (the rule baseline)" in out and "B = shipped pipeline (govie_zh " in out
    header = next(line for line in out.splitlines() if "B − A" in line)
    assert header.split() == ["A", "B", "B", "−", "A"]
    got = json.loads(scores.read_text(encoding="utf-8"))
    for label, key in (("quantity F1", "quantity"), ("fact F1", "fact")):
        row = next(line for line in out.splitlines() if line.startswith(label + " "))
        a, b, diff = (float(x) for x in row.split()[-3:])
        assert (a, b) == (round(got["A"][key]["f"], 3), round(got["B"][key]["f"], 3))
        assert diff == pytest.approx(got["B"][key]["f"] - got["A"][key]["f"], abs=1e-3)
    assert cli("evaluate", "--corpus", str(corpus_dir), "--compare", "rules", "rules", "--model", "rules") == 2


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


def test_evaluate_refuses_a_split_with_missing_texts(corpus_dir: Path, tmp_path: Path, capsys) -> None:
    """A score over the documents that happen to load would mislead: a missing text stops it."""
    (corpus_dir / "texts" / "n01.txt").unlink()
    assert cli("evaluate", "--corpus", str(corpus_dir), "--split", "dev", "--model", "rules", "--no-baseline") == 2
    err = capsys.readouterr().err
    assert "n01" in err and "--reports DIR" in err and "Traceback" not in err
