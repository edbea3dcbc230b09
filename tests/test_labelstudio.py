"""``govie annotate`` without a server: scored tasks, the project config check, clear errors.

The round trip against a live Label Studio is tests/test_labelstudio_live.py (``-m integration``).
"""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from govie.corpus import labelstudio
from govie.corpus.interop import LABEL_STUDIO_CONFIG

from test_corpus import NARRATIVE, cli


def test_prediction_carries_relation_region_and_task_scores(rules_nlp) -> None:
    import govie

    text = NARRATIVE.format(a=5719, b=300, c=169, d=34)
    report = govie.parse(text, nlp=rules_nlp)
    task = labelstudio.scored_task(report, "a", {"layout": "narrative"}, "a.txt", "rules")
    pred = task["predictions"][0]
    assert pred["model_version"] == "rules"
    rels = [r for r in pred["result"] if r["type"] == "relation"]
    regions = {r["id"]: r for r in pred["result"] if r["type"] == "labels"}
    assert rels and all(0 < r["score"] <= 1 for r in rels)
    by_span = {(r["head"]["start"], r["head"]["end"], r["tail"]["start"], r["tail"]["end"], r["label"]): r["score"]
               for r in report.relations}
    for r in rels:  # each relation's score is the pipeline's, for that very link
        h, t = regions[r["from_id"]]["value"], regions[r["to_id"]]["value"]
        assert r["score"] == pytest.approx(by_span[(h["start"], h["end"], t["start"], t["end"], r["labels"][0])],
                                           abs=1e-4)
    for rid, region in regions.items():  # a region: the best score of its relations
        mine = [r["score"] for r in rels if rid in (r["from_id"], r["to_id"])]
        assert region.get("score") == (max(mine) if mine else None)
    assert pred["score"] == pytest.approx(sum(r["score"] for r in rels) / len(rels), abs=1e-3)
    assert task["data"]["govie"]["text_ref"] == "a.txt" and task["data"]["doc_id"] == "a"


def test_unlinked_quantity_gets_no_made_up_score(rules_nlp) -> None:
    import govie

    report = govie.parse("2021年12月。共计169件。", nlp=rules_nlp)
    task = labelstudio.scored_task(report, "x", {}, "x.txt", "rules")
    pred = task["predictions"][0]
    if not [r for r in pred["result"] if r["type"] == "relation"]:
        assert "score" not in pred
        assert all("score" not in r for r in pred["result"])


def test_config_check() -> None:
    assert labelstudio.config_problem(LABEL_STUDIO_CONFIG) is None
    no_part_of = LABEL_STUDIO_CONFIG.replace('<Relation value="PART_OF"/>', "")
    assert "PART_OF" in labelstudio.config_problem(no_part_of)
    assert "not XML" in labelstudio.config_problem("<View>")
    other_text = LABEL_STUDIO_CONFIG.replace('value="$text"', 'value="$body"')
    assert "$text" in labelstudio.config_problem(other_text)


def test_missing_url_or_key(monkeypatch, tmp_path: Path, capsys) -> None:
    pytest.importorskip("label_studio_sdk")
    monkeypatch.delenv(labelstudio.URL_ENV, raising=False)
    monkeypatch.delenv(labelstudio.KEY_ENV, raising=False)
    (tmp_path / "a.txt").write_text("共受理依申请公开169件。", encoding="utf-8")
    assert cli("annotate", "push", str(tmp_path), "--project", "p") == 2
    assert "--url" in capsys.readouterr().err
    assert cli("annotate", "push", str(tmp_path), "--project", "p", "--url", "http://127.0.0.1:9") == 2
    assert "--api-key" in capsys.readouterr().err


def test_server_not_running_is_one_line(monkeypatch, tmp_path: Path, capsys) -> None:
    pytest.importorskip("label_studio_sdk")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp_path / "a.txt").write_text("共受理依申请公开169件。", encoding="utf-8")
    assert cli("annotate", "push", str(tmp_path), "--project", "p", "--url", f"http://127.0.0.1:{port}",
               "--api-key", "k", "--model", "rules") == 1
    err = capsys.readouterr().err
    assert "cannot reach Label Studio" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert cli("annotate", "pull", "--project", "p", "--url", f"http://127.0.0.1:{port}", "--api-key", "k",
               "--reports", str(tmp_path), "--corpus", str(tmp_path / "c")) == 1
    assert "cannot reach Label Studio" in capsys.readouterr().err


def test_push_needs_a_directory_of_texts(tmp_path: Path, capsys) -> None:
    assert cli("annotate", "push", str(tmp_path / "none"), "--project", "p") == 2
    assert "no such directory" in capsys.readouterr().err
    assert cli("annotate") == 2


class _FakeProjects:
    def __init__(self, tasks: list) -> None:
        self.made, self.tasks = [], tasks

    def list(self):
        return list(self.made)

    def create(self, title: str, label_config: str, description: str = ""):
        from types import SimpleNamespace

        self.made.append(SimpleNamespace(id=len(self.made) + 1, title=title, label_config=label_config))
        return self.made[-1]

    def import_tasks(self, id: int, request: list) -> None:
        self.tasks += [{**t, "id": len(self.tasks) + n} for n, t in enumerate(request, 1)]


class _FakeClient:
    """What push/pull use of label_studio_sdk.LabelStudio: projects.list/create/import_tasks, tasks.list."""

    def __init__(self) -> None:
        from types import SimpleNamespace

        self.stored: list = []
        self.projects = _FakeProjects(self.stored)
        self.tasks = SimpleNamespace(list=lambda project, fields: [dict(t) for t in self.stored])


def test_push_then_pull_without_a_server(tmp_path: Path, rules_nlp) -> None:
    """push and pull through a stand-in client (no SDK, no server): the project is created with govie's
    config, a second push sends nothing, and a task annotated as predicted comes back as a valid record."""
    from govie.corpus.records import load_corpus, validate_doc

    texts = tmp_path / "texts"
    texts.mkdir()
    text = NARRATIVE.format(a=5719, b=300, c=169, d=34)
    (texts / "a.txt").write_text(text, encoding="utf-8")
    client = _FakeClient()
    assert labelstudio.push(client, "p", texts, nlp=rules_nlp, model_version="rules")["pushed"] == 1
    assert client.projects.made[0].label_config == LABEL_STUDIO_CONFIG
    assert labelstudio.push(client, "p", texts, nlp=rules_nlp)["pushed"] == 0  # the same text is not sent twice
    corpus = tmp_path / "corpus"
    assert labelstudio.pull(client, "p", corpus, [texts]) == (0, 0, 1)  # nothing annotated yet
    task = client.stored[0]
    task["annotations"] = [{"result": task["predictions"][0]["result"]}]  # the annotator accepts the prediction
    status, written, waiting = labelstudio.pull(client, "p", corpus, [texts], layout="narrative")
    assert (status, written, waiting) == (0, 1, 0)
    (doc,) = load_corpus(corpus, reports_dir=[texts])
    assert doc.id == "a" and doc.text == text and not [p for p in validate_doc(doc) if p.severity == "error"]
    pred = task["predictions"][0]["result"]
    assert len(doc.entities) == sum(r["type"] == "labels" for r in pred)
    assert len(doc.relations) == sum(r["type"] == "relation" for r in pred) > 0
