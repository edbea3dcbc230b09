"""``govie annotate push|pull`` against a real Label Studio server that the test starts itself.

The server runs from the ``label-studio`` package on 127.0.0.1 only, with SQLite in a temporary
data directory, a user and a legacy API token created non-interactively on the command line, and no
update check. An annotator is simulated through the API (an annotation that edits the
pre-annotation); ``pull`` must turn it into a corpus record.

Starting a fresh server means running Label Studio's database migrations: ~4.5 minutes on the
project's 2-core machine, over the CI budget for the default run. So the test is marked
``integration`` (not in the default run) and runs with::

    pytest -m integration tests/test_labelstudio_live.py

It skips when ``label-studio``/``label-studio-sdk`` are not installed (``pip install label-studio
label-studio-sdk``; docs/retraining.md).
"""
from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from govie.corpus.records import load_corpus, sha256, validate_doc

from test_corpus import NARRATIVE, cli

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(importlib.util.find_spec("label_studio") is None
                       or importlib.util.find_spec("label_studio_sdk") is None,
                       reason="label-studio and label-studio-sdk are not installed"),
]
#: a fresh server migrates its database first: minutes on a loaded 2-core machine
STARTUP_LIMIT = 900


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _label_studio_command() -> list[str]:
    exe = Path(sys.executable).with_name("label-studio")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("label-studio")
    return [found] if found else [sys.executable, "-m", "label_studio.server"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(url, api key) of a Label Studio server on 127.0.0.1, stopped at the end of the module."""
    data = tmp_path_factory.mktemp("label-studio-data")
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": str(data), "LATEST_VERSION_CHECK": "false",
           "HOME": str(data), "SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": ""}
    log = open(data / "server.log", "w", encoding="utf-8")
    cmd = _label_studio_command() + [
        "start", "--no-browser", "--data-dir", str(data), "--internal-host", "127.0.0.1", "--port", str(port),
        "--username", "annotator@example.com", "--password", secrets.token_hex(8), "--user-token", token,
        "--enable-legacy-api-token", "--log-level", "WARNING"]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                            cwd=str(data), start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"label-studio exited with {proc.returncode}:\n"
                            + (data / "server.log").read_text(encoding="utf-8")[-3000:])
            if time.monotonic() - started > STARTUP_LIMIT:
                pytest.fail(f"label-studio did not answer within {STARTUP_LIMIT} s")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            time.sleep(2)
        print(f"\nlabel-studio up after {time.monotonic() - started:.0f} s", file=sys.stderr)
        yield url, token
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=30)
        log.close()


def test_push_annotate_pull_round_trip(server, tmp_path: Path, monkeypatch, capsys) -> None:
    from label_studio_sdk import LabelStudio

    url, token = server
    monkeypatch.setenv("LABEL_STUDIO_URL", url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", token)
    texts = tmp_path / "mine"
    texts.mkdir()
    text_a = NARRATIVE.format(a=5719, b=300, c=169, d=34)
    (texts / "a.txt").write_text(text_a, encoding="utf-8")
    (texts / "b.txt").write_text("2021年，共受理依申请公开88件，其中当面申请12件。\n", encoding="utf-8")

    t0 = time.monotonic()
    assert cli("annotate", "push", str(texts), "--project", "govie e2e", "--model", "rules") == 0
    out = capsys.readouterr().out
    assert "created Label Studio project 'govie e2e'" in out and "pushed 2 reports" in out
    client = LabelStudio(base_url=url, api_key=token)
    project = next(p for p in client.projects.list() if p.title == "govie e2e")
    assert 'Relation value="PART_OF"' in project.label_config
    tasks = {t.data["doc_id"]: t.model_dump(mode="json") for t in client.tasks.list(project=project.id, fields="all")}
    assert set(tasks) == {"a", "b"}
    pred = tasks["a"]["predictions"][0]
    relations = [r for r in pred["result"] if r["type"] == "relation"]
    regions = {r["id"]: r for r in pred["result"] if r["type"] == "labels"}
    assert relations and all(0 < r["score"] <= 1 for r in relations)
    assert 0 < pred["score"] <= 1
    assert pred["score"] == pytest.approx(sum(r["score"] for r in relations) / len(relations), abs=1e-3)
    assert all(text_a[r["value"]["start"]:r["value"]["end"]] == r["value"]["text"] for r in regions.values())

    # a second push sends nothing twice
    assert cli("annotate", "push", str(texts), "--project", "govie e2e", "--model", "rules") == 0
    assert "pushed 0 reports" in capsys.readouterr().out
    assert len(list(client.tasks.list(project=project.id))) == 2

    # the annotator: drops the link of 93人, adds a METRIC 从事政府信息公开工作 → 93人 by hand; leaves b alone
    q93 = next(i for i, r in regions.items() if r["value"]["text"] == "93人")
    result = [r for r in pred["result"] if not (r["type"] == "relation" and q93 in (r["from_id"], r["to_id"]))]
    result = [{k: v for k, v in r.items() if k != "score"} for r in result]
    m_start = text_a.index("从事政府信息公开工作")
    result.append({"id": "hand1", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": m_start, "end": m_start + 10, "text": "从事政府信息公开工作",
                             "labels": ["METRIC"]}})
    result.append({"from_id": q93, "to_id": "hand1", "type": "relation", "direction": "right",
                   "labels": ["VALUE_OF"]})
    client.annotations.create(id=tasks["a"]["id"], result=result, was_cancelled=False, ground_truth=False)

    corpus = tmp_path / "corpus"
    assert cli("annotate", "pull", "--project", "govie e2e", "--reports", str(texts), "--corpus", str(corpus)) == 0
    out = capsys.readouterr().out
    assert "pulled 1 annotated documents" in out and "1 tasks not annotated yet" in out
    assert not (corpus / "annotations" / "b.json").exists()
    rec = json.loads((corpus / "annotations" / "a.json").read_text(encoding="utf-8"))
    assert rec["text_ref"] == "a.txt" and rec["sha256"] == sha256(text_a) and rec["meta"]["source"] == "reports"
    assert all(text_a[e["start"]:e["end"]] == e["text"] for e in rec["entities"])
    by_id = {e["id"]: e for e in rec["entities"]}
    links = {(by_id[r["head"]]["text"], by_id[r["tail"]]["text"], r["type"]) for r in rec["relations"]}
    assert ("93人", "从事政府信息公开工作", "VALUE_OF") in links
    q = next(e for e in rec["entities"] if e["text"] == "169件")
    assert (q["value"], q["unit"], q["approximate"]) == (169, "件", False)

    # the record loads from its standoff reference, and the printed next step works
    doc = load_corpus(corpus, reports_dir=texts)[0]
    assert doc.text == text_a and not [p for p in validate_doc(doc, lint=False) if p.severity == "error"]
    step = next(line for line in out.splitlines() if line.startswith("next: ")).removeprefix("next: ")
    for command in step.split("; "):
        assert cli(*command.split()[1:]) == 0, command
    print(f"push + annotate + pull: {time.monotonic() - t0:.1f} s", file=sys.stderr)
