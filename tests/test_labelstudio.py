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
