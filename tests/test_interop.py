"""Doccano and Label Studio conversions (govie.corpus.interop) and ``govie corpus export|import``."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from govie.corpus import interop
from govie.corpus.records import CorpusDoc, load_corpus, sha256, validate_doc

from test_corpus import NARRATIVE, SHARED_REPORTS, build_corpus, cli, needs_reports, qty


@pytest.fixture()
def corpus_dir(tmp_path: Path) -> Path:
    return build_corpus(tmp_path)


@pytest.fixture()
def docs(corpus_dir: Path) -> list[CorpusDoc]:
    return load_corpus(corpus_dir)


def same(a: CorpusDoc, b: CorpusDoc) -> None:
    assert b.text == a.text
    assert b.entities == a.entities
    assert b.relations == a.relations


def spans(doc: CorpusDoc) -> set:
    return {(e["start"], e["end"], e["label"]) for e in doc.entities}


def rel_spans(doc: CorpusDoc) -> set:
    idx = {e["id"]: e for e in doc.entities}
    return {(idx[r["head"]]["start"], idx[r["tail"]]["start"], r["type"]) for r in doc.relations}


# --------------------------------------------------------------------------- Doccano
def test_doccano_item_shape(docs: list[CorpusDoc]) -> None:
    item = interop.doc_to_doccano(docs[0])
    assert item["text"] == docs[0].text
    e = item["entities"][0]
    assert set(e) == {"id", "label", "start_offset", "end_offset"} and isinstance(e["id"], int)
    r = item["relations"][0]
    assert set(r) == {"id", "from_id", "to_id", "type"}
    ids = {x["id"] for x in item["entities"]}
    assert all(r["from_id"] in ids and r["to_id"] in ids for r in item["relations"])
    json.dumps(item)  # JSON-serialisable


def test_doccano_round_trip(docs: list[CorpusDoc], tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    assert interop.write_doccano([interop.doc_to_doccano(d) for d in docs], path) == len(docs)
    back = [interop.doccano_to_doc(i) for i in interop.read_doccano(path)]
    for a, b in zip(docs, back):
        same(a, b.doc)
        assert b.doc.id == a.id and b.doc.meta == a.meta and not b.notes


def test_doccano_foreign_export(docs: list[CorpusDoc]) -> None:
    """What Doccano gives back: its own integer ids, no govie block; values come from the normaliser."""
    d = docs[0]
    item = interop.doc_to_doccano(d)
    del item["govie"]
    remap = {e["id"]: 9000 + 7 * n for n, e in enumerate(reversed(item["entities"]))}
    for e in item["entities"]:
        e["id"] = remap[e["id"]]
    for r in item["relations"]:
        r["from_id"], r["to_id"] = remap[r["from_id"]], remap[r["to_id"]]
    imp = interop.doccano_to_doc(item)
    assert spans(imp.doc) == spans(d) and rel_spans(imp.doc) == rel_spans(d)
    assert [e["id"] for e in imp.doc.entities] == [f"e{i}" for i in range(1, len(d.entities) + 1)]
    assert qty(imp.doc, "5000人次")["approximate"] is True  # prefix 近
    assert qty(imp.doc, "1000条")["value"] == 1000 and qty(imp.doc, "1000条")["unit"] == "条"
    assert not [p for p in validate_doc(imp.doc, lint=False) if p.severity == "error"]


def test_doccano_old_label_format() -> None:
    text = "共受理依申请公开169件。"
    imp = interop.doccano_to_doc({"text": text, "label": [[1, 8, "METRIC"], [8, 12, "QUANTITY"]]})
    assert [(e["text"], e["label"]) for e in imp.doc.entities] == [("受理依申请公开", "METRIC"), ("169件", "QUANTITY")]
    assert imp.doc.relations == []


def test_table_cell_without_unit_gets_none(docs: list[CorpusDoc]) -> None:
    t = next(d for d in docs if d.id == "t03")
    item = interop.doc_to_doccano(t)
    del item["govie"]
    imp = interop.doccano_to_doc(item)
    cell = qty(imp.doc, "1003")
    assert cell["value"] == 1003 and cell["unit"] is None and cell["approximate"] is False
    # with the gold block the annotated unit column survives
    assert qty(interop.doccano_to_doc(interop.doc_to_doccano(t)).doc, "1003")["unit"] == "条"


def test_changed_span_is_renormalised(docs: list[CorpusDoc]) -> None:
    d = docs[0]
    item = interop.doc_to_doccano(d)
    q = qty(d, "93人")
    ent = next(e for e in item["entities"] if e["start_offset"] == q["start"])
    ent["end_offset"] -= 1  # annotator shrank 93人 to 93
    imp = interop.doccano_to_doc(item)
    shrunk = qty(imp.doc, "93")
    assert shrunk["value"] == 93 and shrunk["unit"] is None
    assert shrunk["id"] not in {e["id"] for e in d.entities}  # a new entity, a fresh id
    assert len(imp.doc.relations) == len(d.relations)


# --------------------------------------------------------------------------- Label Studio
def test_labelstudio_task_shape(docs: list[CorpusDoc]) -> None:
    task = interop.doc_to_labelstudio(docs[0])
    assert task["data"]["text"] == docs[0].text
    result = task["annotations"][0]["result"]
    labels = [r for r in result if r["type"] == "labels"]
    rels = [r for r in result if r["type"] == "relation"]
    assert len(labels) == len(docs[0].entities) and len(rels) == len(docs[0].relations)
    v = labels[0]["value"]
    assert docs[0].text[v["start"]:v["end"]] == v["text"] and len(v["labels"]) == 1
    assert {"from_id", "to_id", "labels"} <= set(rels[0])
    pred = interop.doc_to_labelstudio(docs[0], key="predictions")
    assert "annotations" not in pred and pred["predictions"][0]["result"] == result


def test_labelstudio_round_trip(docs: list[CorpusDoc], tmp_path: Path) -> None:
    path = tmp_path / "ls.json"
    interop.write_labelstudio([interop.doc_to_labelstudio(d) for d in docs], path)
    back = [interop.labelstudio_to_doc(t) for t in interop.read_labelstudio(path)]
    for a, b in zip(docs, back):
        same(a, b.doc)
        assert b.doc.id == a.id


def test_labelstudio_tool_edits(docs: list[CorpusDoc]) -> None:
    d = docs[0]
    task = interop.doc_to_labelstudio(d)
    del task["data"]["govie"]
    result = task["annotations"][0]["result"]
    rels = [r for r in result if r["type"] == "relation" and r["labels"] == ["VALUE_OF"]]
    rels[0]["from_id"], rels[0]["to_id"], rels[0]["direction"] = rels[0]["to_id"], rels[0]["from_id"], "left"
    rels[1]["labels"] = []  # drawn without a label
    rels[2]["from_id"], rels[2]["to_id"] = rels[2]["to_id"], rels[2]["from_id"]  # METRIC -> QUANTITY
    shifted = next(r for r in result if r["type"] == "labels" and r["value"]["text"] == "93人")
    shifted["value"]["start"] += 2  # a tool that counted offsets differently
    shifted["value"]["end"] += 2
    task["annotations"].insert(0, {"was_cancelled": True, "result": []})
    imp = interop.labelstudio_to_doc(task)
    assert spans(imp.doc) == spans(d)
    assert rel_spans(imp.doc) == rel_spans(d)
    assert any("moved" in n for n in imp.notes) and any("reversed" in n for n in imp.notes)


def test_labelstudio_prediction_used_when_no_annotation(docs: list[CorpusDoc]) -> None:
    task = interop.doc_to_labelstudio(docs[0], key="predictions")
    imp = interop.labelstudio_to_doc(task)
    assert spans(imp.doc) == spans(docs[0]) and any("prediction" in n for n in imp.notes)


# --------------------------------------------------------------------------- predictions
def test_report_pre_annotation(rules_nlp) -> None:
    import govie

    text = "全市累计主动公开政府信息57194条，其中当面申请34件。"
    report = govie.parse(text, nlp=rules_nlp)
    item = interop.report_to_doccano(report, "p1", {"layout": "narrative"})
    task = interop.report_to_labelstudio(report, "p1", {"layout": "narrative"})
    assert item["govie"]["source"] == "model" and task["data"]["govie"]["source"] == "model"
    q_texts = {text[e["start_offset"]:e["end_offset"]] for e in item["entities"] if e["label"] == "QUANTITY"}
    assert q_texts == {q.quantity.text for q in report.quantities} and "57194条" in q_texts
    for imp in (interop.doccano_to_doc(item), interop.labelstudio_to_doc(task)):
        q = qty(imp.doc, "57194条")
        assert (q["value"], q["unit"]) == (57194, "条")
        assert len(imp.doc.relations) == len(report.relations)
        assert not [p for p in validate_doc(imp.doc, lint=False) if p.severity == "error"]


def test_doc_to_report(docs: list[CorpusDoc]) -> None:
    report = interop.doc_to_report(docs[0])
    assert len(report.quantities) == 7 and len(report.facts) == 7
    f = next(f for f in report.facts if f.quantity.text == "100%")
    assert [m.text for m in f.metrics] == ["办理复文率", "公开率"]
    back = interop.report_to_doc(report, docs[0].id, docs[0].meta)
    assert spans(back) == spans(docs[0]) and rel_spans(back) == rel_spans(docs[0])


def test_guesses() -> None:
    assert interop.guess_layout(NARRATIVE) == "narrative"
    assert interop.guess_layout("指标名称 计量单位 主动公开信息数 条 6") == "table-2008"
    assert interop.guess_layout("三、收到和处理政府信息公开申请情况 本年新收政府信息公开申请数量") == "standard-2019"
    assert interop.guess_script("政府信息公开工作年度报告") == "simplified"
    assert interop.guess_script("政府信息公開工作年度報告") == "traditional"
    assert interop.guess_year("2019年度政府信息公开工作年度报告") == 2019


# --------------------------------------------------------------------------- command line
def test_cli_export_import_round_trip(corpus_dir: Path, tmp_path: Path, capsys) -> None:
    for fmt, name in (("doccano", "x.jsonl"), ("labelstudio", "x.json")):
        out = tmp_path / name
        assert cli("corpus", "export", "--format", fmt, str(out), "--corpus", str(corpus_dir)) == 0
        target = tmp_path / f"new-{fmt}"
        shutil.copytree(corpus_dir / "texts", target / "texts")
        assert cli("import-annotations", "--format", fmt, str(out), "--reports", str(target / "texts"),
                   "--corpus", str(target)) == 0
        for rec in sorted((corpus_dir / "annotations").glob("*.json")):
            a = json.loads(rec.read_text(encoding="utf-8"))
            b = json.loads((target / "annotations" / rec.name).read_text(encoding="utf-8"))
            assert a == b, rec.name
        # records must not be replaced silently
        assert cli("corpus", "import", "--format", fmt, str(out), "--reports", str(target / "texts"),
                   "--corpus", str(target)) == 1
        assert cli("corpus", "import", "--format", fmt, str(out), "--reports", str(target / "texts"),
                   "--corpus", str(target), "--force") == 0
        assert cli("corpus", "validate", "--corpus", str(target)) == 0
    capsys.readouterr()


def test_cli_pre_annotate_then_import(tmp_path: Path, capsys) -> None:
    texts = tmp_path / "mine"
    texts.mkdir()
    (texts / "a.txt").write_text(NARRATIVE.format(a=12, b=3, c=4, d=1), encoding="utf-8")
    (texts / "b.txt").write_text("2021年，共受理依申请公开169件，其中当面申请34件。\n", encoding="utf-8")
    out = tmp_path / "pre.json"
    assert cli("export-annotations", "--format", "labelstudio", str(out), "--texts", str(texts), "--model", "rules",
               "--ls-config", str(tmp_path / "config.xml")) == 0
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert [t["data"]["doc_id"] for t in tasks] == ["a", "b"]
    assert "<Relation value=\"VALUE_OF\"/>" in (tmp_path / "config.xml").read_text(encoding="utf-8")
    corpus = tmp_path / "corpus"
    assert cli("corpus", "import", "--format", "labelstudio", str(out), "--reports", str(texts),
               "--corpus", str(corpus), "--layout", "narrative") == 0
    rec = json.loads((corpus / "annotations" / "b.json").read_text(encoding="utf-8"))
    text = (texts / "b.txt").read_text(encoding="utf-8")
    assert rec["text_ref"] == "b.txt" and rec["sha256"] == sha256(text)
    assert rec["meta"]["layout"] == "narrative" and rec["meta"]["source"] == "reports" and rec["meta"]["year"] == 2021
    q = next(e for e in rec["entities"] if e["text"] == "169件")
    assert (q["value"], q["unit"], q["approximate"]) == (169, "件", False)
    assert cli("corpus", "validate", "--corpus", str(corpus), "--reports", str(texts)) == 0
    out_text = capsys.readouterr().out
    assert "2 documents validated" in out_text


def test_cli_import_unknown_text_fails(corpus_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "x.jsonl"
    assert cli("corpus", "export", "--format", "doccano", str(out), "--corpus", str(corpus_dir)) == 0
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    (elsewhere / "n00.txt").write_text("一段别的文字。", encoding="utf-8")
    target = tmp_path / "t"
    assert cli("corpus", "import", "--format", "doccano", str(out), "--reports", str(elsewhere),
               "--corpus", str(target)) == 1
    err = capsys.readouterr().err
    assert "no .txt file" in err
    assert not (target / "annotations").exists() or not list((target / "annotations").glob("*.json"))


def test_cli_import_finds_text_by_hash(corpus_dir: Path, tmp_path: Path) -> None:
    """A foreign export (no govie block): the text is found by its sha256 under --reports."""
    doc = load_corpus(corpus_dir)[0]
    item = interop.doc_to_doccano(doc)
    del item["govie"]
    item.pop("doc_id")
    src = tmp_path / "in.jsonl"
    interop.write_doccano([item], src)
    reports = tmp_path / "reports" / "2020"
    reports.mkdir(parents=True)
    (reports / "kunshan.txt").write_text(doc.text, encoding="utf-8")
    target = tmp_path / "c"
    assert cli("corpus", "import", "--format", "doccano", str(src), "--reports", str(tmp_path / "reports"),
               "--corpus", str(target), "--id-prefix", "x") == 0
    rec = json.loads((target / "annotations" / "x2020_kunshan.json").read_text(encoding="utf-8"))
    assert rec["text_ref"] == "2020/kunshan.txt" and rec["meta"]["layout"] == "narrative"


@needs_reports
def test_real_corpus_round_trip(tmp_path: Path) -> None:
    docs = load_corpus(reports_dir=SHARED_REPORTS)[:6]
    for d in docs:
        same(d, interop.doccano_to_doc(json.loads(json.dumps(interop.doc_to_doccano(d)))).doc)
        same(d, interop.labelstudio_to_doc(json.loads(json.dumps(interop.doc_to_labelstudio(d)))).doc)


def test_cli_import_texts_inside_corpus_texts(tmp_path: Path) -> None:
    """Your own reports under corpus/texts/<dir>/: records point into corpus/texts (source corpus)."""
    corpus = tmp_path / "corpus"
    mine = corpus / "texts" / "mine"
    mine.mkdir(parents=True)
    (mine / "a.txt").write_text(NARRATIVE.format(a=5, b=4, c=3, d=2), encoding="utf-8")
    out = tmp_path / "pre.jsonl"
    assert cli("export-annotations", "--format", "doccano", str(out), "--texts", str(mine), "--model", "rules") == 0
    assert cli("corpus", "import", "--format", "doccano", str(out), "--reports", str(mine),
               "--corpus", str(corpus)) == 0
    rec = json.loads((corpus / "annotations" / "a.json").read_text(encoding="utf-8"))
    assert rec["text_ref"] == "mine/a.txt" and rec["meta"]["source"] == "corpus"
    assert load_corpus(corpus, reports_dir=tmp_path / "nowhere")[0].id == "a"
