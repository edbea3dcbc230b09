"""Batch mode, ``govie train --output`` and signals must never lose or corrupt data (#13, #19).

Every test uses synthetic texts and the rule pipeline (``--model rules``); the subprocess tests keep
to a few seconds each.
"""
import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from govie.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "全市累计主动公开政府信息57194条，共受理依申请公开169件，其中当面申请34件。"
VALUES = [57194, 169, 34]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["parse", *argv, "--model", "rules"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def make_inputs(root: Path, n: int = 3, text: str = SENTENCE) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        p = root / f"r{i:02d}.txt"
        p.write_text(text, encoding="utf-8")
        files.append(p)
    return files


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def output_files(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


# ----------------------------------------------------------------------------------- govie train --output
def test_train_output_check_refuses_what_govie_did_not_write(tmp_path):
    from govie.training.train import MARKER, check_output_dir

    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("years of work", encoding="utf-8")
    with pytest.raises(ValueError, match="not a govie training output") as e:
        check_output_dir(foreign)
    assert "\n" not in str(e.value) and str(foreign) in str(e.value)
    assert (foreign / "thesis.tex").read_text(encoding="utf-8") == "years of work"

    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="not a directory"):
        check_output_dir(a_file)

    # accepted: a new path (parents created later), an empty directory, a previous output (marker),
    # a pipeline govie wrote before the marker existed (meta.json name govie_zh)
    check_output_dir(tmp_path / "new" / "deeper" / "model")
    (tmp_path / "empty").mkdir()
    check_output_dir(tmp_path / "empty")
    prev = tmp_path / "prev"
    prev.mkdir()
    (prev / MARKER).write_text("{}", encoding="utf-8")
    (prev / "config.cfg").write_text("", encoding="utf-8")
    check_output_dir(prev)
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "meta.json").write_text(json.dumps({"name": "govie_zh"}), encoding="utf-8")
    check_output_dir(legacy)


def test_train_output_check_unwritable_parent(tmp_path, monkeypatch):
    from govie.training import train as train_mod

    real_access = os.access
    monkeypatch.setattr(train_mod.os, "access",
                        lambda p, mode, **kw: False if Path(p) == tmp_path else real_access(p, mode, **kw))
    with pytest.raises(ValueError, match="not writable"):
        train_mod.check_output_dir(tmp_path / "model")
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.undo()
    with pytest.raises(ValueError, match="cannot create"):
        train_mod.check_output_dir(blocker / "sub" / "model")


def test_train_cli_refuses_immediately(tmp_path, monkeypatch, capsys):
    from govie.training import train as train_mod

    def no_training(*a, **kw):  # the check must come before the long run
        raise AssertionError("training started")

    monkeypatch.setattr(train_mod, "train", no_training)
    monkeypatch.setattr(train_mod, "load_corpus", no_training)
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    t0 = time.monotonic()
    code = main(["train", "--output", str(foreign)])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert time.monotonic() - t0 < 5
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err and str(foreign) in lines[0], err
    assert (foreign / "keep.txt").read_text(encoding="utf-8") == "mine"


class FakePipeline:
    def __init__(self, fail: bool = False):
        self.fail = fail

    def to_disk(self, path):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "config.cfg").write_text("new", encoding="utf-8")
        if self.fail:
            raise KeyboardInterrupt  # interrupted while saving


def test_train_save_is_swapped_in_at_the_end(tmp_path):
    from govie.training.train import MARKER, save_output

    out = tmp_path / "model"
    save_output(FakePipeline(), out)
    assert (out / "config.cfg").read_text(encoding="utf-8") == "new"
    assert json.loads((out / MARKER).read_text(encoding="utf-8"))["govie_version"]
    (out / "config.cfg").write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        save_output(FakePipeline(fail=True), out)
    assert (out / "config.cfg").read_text(encoding="utf-8") == "old"  # the old output is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no temporary sibling left
    save_output(FakePipeline(), out)  # a previous output (marker) is replaced
    assert (out / "config.cfg").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


# ------------------------------------------------------------------------------------ batch: provenance
def test_batch_manifest_and_force(tmp_path, capsys):
    from govie import __version__
    from govie.io.batch import MANIFEST

    src, out = tmp_path / "in", tmp_path / "out"
    make_inputs(src)
    code, _, err = run_cli(capsys, str(src), "-o", f"{out}/")
    assert code == EXIT_OK, err
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["format"] == "jsonl" and manifest["govie_version"] == __version__
    assert manifest["model"]["name"] == "rules"

    # another format into the same directory: refused, nothing written, --force suggested
    code, _, err = run_cli(capsys, str(src), "-o", f"{out}/", "--format", "tsv")
    assert code == EXIT_USAGE
    assert "--force" in err and "jsonl" in err and len(err.strip().splitlines()) == 1, err
    assert not list(out.glob("*.txt.tsv"))

    # another model: refused too
    manifest["model"] = {"name": "some_other_model", "version": "9.9", "path": "/elsewhere"}
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    code, _, err = run_cli(capsys, str(src), "-o", f"{out}/")
    assert code == EXIT_USAGE and "--force" in err and "some_other_model" in err

    # --force redoes everything and records the new provenance
    code, _, err = run_cli(capsys, str(src), "-o", f"{out}/", "--force")
    assert code == EXIT_OK, err
    assert "3 parsed, 0 skipped" in err
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["model"]["name"] == "rules"


def test_batch_existing_outputs_without_manifest_need_force(tmp_path, capsys):
    src, out = tmp_path / "in", tmp_path / "out"
    make_inputs(src, 1)
    out.mkdir()
    (out / "r00.txt.jsonl").write_text('{"value": 1}\n', encoding="utf-8")  # who made this?
    code, _, err = run_cli(capsys, str(src), "-o", f"{out}/")
    assert code == EXIT_USAGE and "--force" in err
    assert (out / "r00.txt.jsonl").read_text(encoding="utf-8") == '{"value": 1}\n'


@pytest.mark.parametrize("fmt,damage", [
    ("jsonl", lambda s: s[: len(s) // 2]),           # cut in the middle of a line
    ("jsonl", lambda s: ""),                         # emptied, yet the report has facts
    ("json", lambda s: s[:-10]),                     # cut JSON
    ("json", lambda s: ""),
    ("tsv", lambda s: s[: s.index("\n") + 5]),      # header, then a cut row
    ("tsv", lambda s: ""),
])
def test_batch_resume_redoes_damaged_outputs(tmp_path, capsys, fmt, damage):
    src, out = tmp_path / "in", tmp_path / "out"
    make_inputs(src, 2)
    code, _, err = run_cli(capsys, str(src), "-o", f"{out}/", "--format", fmt)
    assert code == EXIT_OK, err
    target = out / f"r00.txt.{fmt}"
    good = target.read_text(encoding="utf-8")
    target.write_text(damage(good), encoding="utf-8")
    code, _, err = run_cli(capsys, str(src), "-o", f"{out}/", "--format", fmt)
    assert code == EXIT_OK, err
    assert "1 parsed, 1 skipped" in err
    assert target.read_text(encoding="utf-8") == good


# --------------------------------------------------------------------------- batch: where outputs go
def test_output_equal_to_input_is_refused(tmp_path, capsys):
    src = tmp_path / "report.txt"
    src.write_text(SENTENCE, encoding="utf-8")
    code, out, err = run_cli(capsys, str(src), "-o", str(src))
    assert code == EXIT_USAGE
    assert src.read_text(encoding="utf-8") == SENTENCE  # not truncated
    assert "input" in err and len(err.strip().splitlines()) == 1, err
    # the same file under another spelling
    code, _, _ = run_cli(capsys, str(src), "-o", str(tmp_path / "." / "report.txt"))
    assert code == EXIT_USAGE and src.read_text(encoding="utf-8") == SENTENCE


def test_output_inside_input_directory_is_refused_where_it_would_be_reread(tmp_path, capsys):
    src = tmp_path / "in"
    make_inputs(src, 2)
    code, _, err = run_cli(capsys, str(src), "-o", str(src / "all.txt"))
    assert code == EXIT_USAGE and "re-read" in err, err
    assert not (src / "all.txt").exists()
    # batch output directory inside the input directory: its outputs are never inputs, and the
    # walk does not descend into it
    code, _, err = run_cli(capsys, str(src), "-o", f"{src / 'out'}/")
    assert code == EXIT_OK, err
    code, _, err = run_cli(capsys, str(src), "-o", f"{src / 'out'}/")
    assert code == EXIT_OK and "0 parsed, 2 skipped" in err, err


def test_batch_write_failure_names_the_file_and_still_summarises(tmp_path, capsys, monkeypatch):
    from govie.io import batch

    src, out = tmp_path / "in", tmp_path / "out"
    make_inputs(src, 3)
    real = batch._atomic_write

    def disk_full(path, write):
        if path.name.startswith("r01") or path.name == batch.ERRORS_FILE:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, write)

    monkeypatch.setattr(batch, "_atomic_write", disk_full)
    monkeypatch.setattr(batch, "_append_errors", lambda *a, **k: disk_full(out / batch.ERRORS_FILE, None))
    code, _, err = run_cli(capsys, str(src), "-o", f"{out}/")
    assert code == EXIT_INPUT
    assert "r01.txt" in err and "No space left on device" in err
    assert "Traceback" not in err
    assert "2 parsed" in err.strip().splitlines()[-1] and "1 failed" in err.strip().splitlines()[-1]
    assert not [p for p in out.rglob("*") if ".part" in p.name]


def test_batch_unreadable_subdirectory_is_reported(tmp_path, capsys, monkeypatch):
    from govie.io import batch

    src, out = tmp_path / "in", tmp_path / "out"
    make_inputs(src, 1)
    make_inputs(src / "locked", 1)
    real = os.scandir

    def scandir(path="."):
        if Path(path) == src / "locked":
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(batch.os, "scandir", scandir)
    code, _, err = run_cli(capsys, str(src), "-o", f"{out}/")
    assert code == EXIT_INPUT
    assert "locked" in err and "Permission denied" in err
    assert "locked" in (out / "errors.tsv").read_text(encoding="utf-8")
    assert (out / "r00.txt.jsonl").exists()


def test_batch_symlink_loop_is_reported_not_followed(tmp_path, capsys):
    src, out = tmp_path / "in", tmp_path / "out"
    make_inputs(src, 1)
    (src / "sub").mkdir()
    (src / "sub" / "loop").symlink_to(src, target_is_directory=True)
    t0 = time.monotonic()
    code, _, err = run_cli(capsys, str(src), "-o", f"{out}/")
    assert time.monotonic() - t0 < 30
    assert code == EXIT_INPUT
    assert "loop" in err and "symbolic link" in err
    assert output_files(out) == [".govie-batch.json", "errors.tsv", "r00.txt.jsonl"]


def test_batch_odd_file_names(tmp_path, capsys):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    gbk = os.fsdecode(src) + os.sep + os.fsdecode("报告2019.txt".encode("gbk"))  # a Windows zip's name
    names = ["a b.txt", "new\nline.txt", "-dash.txt", "--help.txt"]
    for n in names:
        (src / n).write_text(SENTENCE, encoding="utf-8")
    with open(os.fsencode(gbk), "w", encoding="utf-8") as fh:
        fh.write(SENTENCE)
    code, stdout, err = run_cli(capsys, str(src), "-o", f"{out}/")
    assert "5 parsed" in err and code == EXIT_OK, err
    for n in names:
        rows = [json.loads(x) for x in (out / f"{n}.jsonl").read_text(encoding="utf-8").splitlines()]
        assert [r["value"] for r in rows] == VALUES
    gbk_out = Path(gbk.replace(os.fsdecode(src), os.fsdecode(out)) + ".jsonl")
    rows = [json.loads(x) for x in gbk_out.read_text(encoding="utf-8").splitlines()]
    assert [r["value"] for r in rows] == VALUES
    assert "\\xb1\\xa8" in rows[0]["source"]  # the undecodable bytes, shown as escapes
    assert not [p for p in out.rglob("*") if ".part" in os.fsdecode(p.name)]

    # the same files to stdout, and a leading dash given on the command line after --
    code = main(["parse", "--model", "rules", "--", str(src / "-dash.txt"), gbk])
    stdout, err = capsys.readouterr()
    assert code == EXIT_OK, err
    rows = [json.loads(x) for x in stdout.splitlines()]
    assert len(rows) == 6 and sum("\\xb1\\xa8" in r["source"] for r in rows) == 3


def test_concurrent_runs_into_one_directory(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    make_inputs(src, 12)
    (src / "broken.txt").write_bytes(bytes(range(256)) * 3)
    cmd = [sys.executable, "-m", "govie.cli", "parse", str(src), "-o", f"{out}/", "--model", "rules"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
             for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, results):
        assert p.returncode == EXIT_INPUT, err  # broken.txt
        assert "Traceback" not in err
    assert not [p for p in out.rglob("*") if ".part" in p.name]
    from govie.io.batch import valid_output

    for i in range(12):
        assert valid_output(out / f"r{i:02d}.txt.jsonl", "jsonl", src / f"r{i:02d}.txt")
    errors = (out / "errors.tsv").read_text(encoding="utf-8").splitlines()
    assert errors[0] == "path\terror" and errors.count("path\terror") == 1
    assert all("broken.txt" in line for line in errors[1:]) and errors[1:]


# ---------------------------------------------------------------------------------- per-file isolation
@pytest.fixture
def crash_on_marker(monkeypatch):
    """Parsing any text that contains CRASH raises, as a bug in a component would."""
    import govie.api

    real = govie.api.report_from_doc

    def report_from_doc(doc):
        if "CRASH" in doc.text:
            raise RuntimeError("component bug")
        return real(doc)

    monkeypatch.setattr(govie.api, "report_from_doc", report_from_doc)


@pytest.mark.parametrize("fmt", ["jsonl", "json", "tsv", "csv"])
@pytest.mark.parametrize("where", ["stdout", "file"])
def test_one_crashing_report_costs_no_other_facts(tmp_path, capsys, crash_on_marker, fmt, where):
    src = tmp_path / "in"
    make_inputs(src, 3)
    (src / "r01.txt").write_text("CRASH " + SENTENCE, encoding="utf-8")
    target = tmp_path / f"all.{fmt}"
    args = [str(src), "--format", fmt] + (["-o", str(target)] if where == "file" else [])
    code, stdout, err = run_cli(capsys, *args)
    assert code == EXIT_INPUT
    assert "r01.txt" in err and "component bug" in err and "Traceback" not in err
    text = target.read_text(encoding="utf-8") if where == "file" else stdout
    assert "r00.txt" in text and "r02.txt" in text and "r01.txt" not in text
    if fmt == "jsonl":
        assert [json.loads(x)["value"] for x in text.splitlines()] == VALUES * 2
    elif fmt == "json":
        assert [[f["value"] for f in r["facts"]] for r in json.loads(text)] == [VALUES, VALUES]


def test_one_crashing_report_in_batch(tmp_path, capsys, crash_on_marker):
    src, out = tmp_path / "in", tmp_path / "out"
    make_inputs(src, 3)
    (src / "r01.txt").write_text("CRASH " + SENTENCE, encoding="utf-8")
    code, _, err = run_cli(capsys, str(src), "-o", f"{out}/")
    assert code == EXIT_INPUT
    assert "r01.txt" in err and "component bug" in err
    assert output_files(out) == [".govie-batch.json", "errors.tsv", "r00.txt.jsonl", "r02.txt.jsonl"]


# ------------------------------------------------------------------------------------------ signals
def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc), zombies excluded."""
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] == "Z":
            continue
        kids.setdefault(int(fields[1]), []).append(int(d))
    out, todo = set(), [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def _group_members(pgid: int) -> set[int]:
    members = set()
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z" and int(fields[2]) == pgid:
                members.add(int(d))
    return members


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_leaves_no_process_and_no_half_output(tmp_path, sig):
    src, out = tmp_path / "in", tmp_path / "out"
    make_inputs(src, 40, (SENTENCE + "\n") * 100)
    cmd = [sys.executable, "-m", "govie.cli", "parse", "--jobs", "2", str(src), "-o", f"{out}/",
           "--model", "rules"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(),
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not list(out.glob("*.jsonl")) and proc.poll() is None:
            time.sleep(0.05)
        assert list(out.glob("*.jsonl")), "no output appeared"
        if proc.poll() is not None:
            pytest.skip("the run finished before the signal could be sent")
        assert _children(proc.pid), "no worker was started"
        os.kill(proc.pid, sig)
        proc.communicate(timeout=20)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _group_members(proc.pid):
            time.sleep(0.1)
        assert not _group_members(proc.pid), "processes left behind"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in _group_members(proc.pid):
            os.kill(pid, signal.SIGKILL)
    done = [p for p in out.glob("*.jsonl")]
    if proc.returncode == 0 and len(done) == 40:
        pytest.skip("the run finished its last file as the signal came")
    assert proc.returncode == 128 + sig
    assert not [p for p in out.rglob("*") if ".part" in p.name]
    from govie.io.batch import run_batch, valid_output

    done = [p for p in out.glob("*.jsonl")]
    assert done and all(valid_output(p, "jsonl", src / p.name[: -len(".jsonl")]) for p in done)
    result = run_batch([str(src)], out, jobs=1, nlp_path="rules", progress=False)
    assert result.failed == 0 and result.parsed + result.skipped == 40
    assert result.skipped == len(done)
    for p in out.glob("*.jsonl"):
        assert [json.loads(x)["value"] for x in p.read_text(encoding="utf-8").splitlines()] == VALUES * 100


def test_parse_many_without_main_guard_fails_with_one_clear_error(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent("""
        import govie
        print("BODY RAN")
        nlp = govie.load("rules")
        reports = list(govie.parse_many(["全市累计主动公开政府信息57194条。"] * 4, nlp=nlp, n_process=2))
        print("DONE", len(reports))
    """), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env(),
                          cwd=tmp_path)
    assert proc.returncode != 0
    assert proc.stdout.count("BODY RAN") == 1 and "DONE" not in proc.stdout
    assert proc.stderr.count("Traceback") <= 1
    assert 'if __name__ == "__main__":' in proc.stderr
    assert len(proc.stderr.splitlines()) < 20, proc.stderr

    guarded = tmp_path / "guarded.py"
    guarded.write_text(textwrap.dedent("""
        import govie

        def main():
            nlp = govie.load("rules")
            return list(govie.parse_many(["全市累计主动公开政府信息57194条。"] * 4, nlp=nlp, n_process=2))

        if __name__ == "__main__":
            print("DONE", len(main()))
    """), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(guarded)], capture_output=True, text=True, timeout=120, env=env(),
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "DONE 4" in proc.stdout


def test_train_save_refuses_a_directory_filled_during_training(tmp_path):
    """Someone's files appeared in --output while training ran: they are kept, and the new pipeline
    is saved next to them instead of being lost."""
    from govie.training.train import save_output

    out = tmp_path / "model"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="saved to") as e:
        save_output(FakePipeline(), out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    kept = Path(str(e.value).rsplit("saved to ", 1)[1].removesuffix(" instead"))
    assert (kept / "config.cfg").read_text(encoding="utf-8") == "new"


def test_model_identity_tells_a_retrained_pipeline_apart(tmp_path):
    from govie.io.batch import model_identity
    from govie.training.train import MARKER

    model = tmp_path / "model"
    model.mkdir()
    (model / "meta.json").write_text(json.dumps({"name": "govie_zh", "version": "0.1.0"}), encoding="utf-8")
    (model / MARKER).write_text('{"created": "2026-01-01T00:00:00Z"}', encoding="utf-8")
    first = model_identity(model)
    assert first["name"] == "govie_zh" and first["version"] == "0.1.0" and first["path"] == str(model)
    assert model_identity(str(model)) == first
    (model / MARKER).write_text('{"created": "2026-02-01T00:00:00Z"}', encoding="utf-8")  # retrained in place
    assert model_identity(model) != first
    assert model_identity("rules")["name"] == "rules"
    shipped = model_identity(None)
    assert shipped["path"] in ("(shipped)", "rules")  # not this checkout's path


def test_single_output_disk_full_names_the_file(tmp_path, capsys, monkeypatch):
    src = tmp_path / "in"
    make_inputs(src, 2)
    target = tmp_path / "all.jsonl"
    target.write_text("previous\n", encoding="utf-8")

    def fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    code, _, err = run_cli(capsys, str(src), "-o", str(target))
    assert code == EXIT_INPUT
    assert str(target) in err and "No space left on device" in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "previous\n"  # the old output is kept whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.jsonl", "in"]


def test_batch_removes_temporary_files_of_dead_runs(tmp_path, capsys):
    """A run killed outright (SIGKILL, power loss) leaves its .part files: the next run removes those
    of processes that no longer exist, never those of a live run."""
    src, out = tmp_path / "in", tmp_path / "out"
    make_inputs(src, 1)
    (out / "sub").mkdir(parents=True)
    dead = out / "sub" / ".r00.txt.jsonl.999999999-0a1b2c3d.part"
    live = out / f".r00.txt.jsonl.{os.getpid()}-0a1b2c3d.part"
    for p in (dead, live):
        p.write_text('{"half', encoding="utf-8")
    (out / ".govie-batch.json").write_text("{}", encoding="utf-8")
    code, _, err = run_cli(capsys, str(src), "-o", f"{out}/", "--force")
    assert code == EXIT_OK, err
    assert not dead.exists() and live.exists()
