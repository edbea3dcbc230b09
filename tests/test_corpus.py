"""The corpus API (govie.corpus.records) and ``govie corpus validate|stats|split|convert``.

Everything except the last section builds its own tiny corpus in ``tmp_path``; the real-corpus
tests skip when ``../shared/reports`` is not there.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from govie.corpus.records import SPLIT_METHOD, CorpusDoc, CorpusError, load_corpus, read_splits, sha256, to_traditional, validate, validate_doc

from govie.corpus.split import make_split, stats, write_split

from govie.corpus.hf import to_dataset

from govie.training.docbin import to_docbin, to_docs
from govie.corpus.draft import Draft

ROOT = Path(__file__).resolve().parents[1]
SHARED_REPORTS = ROOT.parent / "shared" / "reports"
needs_reports = pytest.mark.skipif(not SHARED_REPORTS.is_dir(), reason="../shared/reports not available")

NARRATIVE = ("2020年，本市累计主动公开政府信息{a}条，其中网站公开{b}条。全年共受理依申请公开{c}件，"
             "其中当面申请{d}件。从事政府信息公开工作93人。办理复文率、公开率均达100%。近5000人次参加培训。\n")
TABLE = "指标名称 | 单位 | 数量\n主动公开政府信息数 | 条 | {a}\n受理申请数 | 件 | {c}\n（单位：万元）\n收费金额 | 1.5\n"


def annotate(doc_id: str, path: Path, layout: str, origin: str = "real") -> Draft:
    meta = {"layout": layout, "script": "simplified", "origin": origin, "source": "corpus", "year": 2020,
            "issuing_body": f"{doc_id}县人民政府", "format": "old", "kind": "report", "level": "county",
            "province": "江苏"}
    d = Draft(doc_id, path, meta=meta, text_ref=path.name)
    if layout == "narrative":
        m1 = d.m("主动公开政府信息")
        d.q(d.text[d.cursor:d.text.index("条", d.cursor) + 1], m1)
        m2 = d.m("网站公开")
        d.q(d.text[d.cursor:d.text.index("条", d.cursor) + 1], m2)
        d.part_of(m2, m1)
        m3 = d.m("受理依申请公开")
        d.q(d.text[d.cursor:d.text.index("件", d.cursor) + 1], m3)
        m4 = d.m("当面申请")
        d.q(d.text[d.cursor:d.text.index("件", d.cursor) + 1], m4)
        d.part_of(m4, m3)
        d.q("93人", d.m("从事政府信息公开工作"))
        d.q("100%", d.m("办理复文率"), d.m("公开率"))
        q = d.approx(d.q("5000人次"))
        d.link(q, d.m("参加培训"))
    else:
        m = d.m("主动公开政府信息数")
        d.seek("条 | ")
        d.q(d.text[d.cursor:d.text.index("\n", d.cursor)], m, unit="条")
        m = d.m("受理申请数")
        d.seek("件 | ")
        d.q(d.text[d.cursor:d.text.index("\n", d.cursor)], m, unit="件")
        d.q("1.5", d.m("收费金额"), value=15000, unit="元")
    return d


def build_corpus(root: Path, n_narrative: int = 3, n_table: int = 3, splits: bool = True) -> Path:
    """A corpus directory with seeds-style texts in ``texts/`` and records in ``annotations/``."""
    corpus = root / "corpus"
    (corpus / "texts").mkdir(parents=True)
    ids = []
    for k in range(n_narrative + n_table):
        layout = "narrative" if k < n_narrative else "table-2008"
        vals = {"a": 1000 + k, "b": 300 + k, "c": 40 + k, "d": 10 + k}
        text = (NARRATIVE if layout == "narrative" else TABLE).format(**vals)
        doc_id = f"{'n' if layout == 'narrative' else 't'}{k:02d}"
        path = corpus / "texts" / f"{doc_id}.txt"
        path.write_text(text, encoding="utf-8")
        annotate(doc_id, path, layout).save(corpus / "annotations")
        ids.append(doc_id)
    if splits:
        order = ["train", "dev", "test"]
        write_split({i: order[n % 3] for n, i in enumerate(ids)}, corpus)
    return corpus


@pytest.fixture()
def corpus_dir(tmp_path: Path) -> Path:
    return build_corpus(tmp_path)


@pytest.fixture()
def narrative_doc(corpus_dir: Path) -> CorpusDoc:
    return next(d for d in load_corpus(corpus_dir) if d.id == "n00")


# --------------------------------------------------------------------------- loading
def test_load_records_texts_and_splits(corpus_dir: Path) -> None:
    docs = load_corpus(corpus_dir)
    assert [d.id for d in docs] == ["n00", "n01", "n02", "t03", "t04", "t05"]
    assert [d.split for d in docs] == ["train", "dev", "test"] * 2
    n00 = docs[0]
    assert n00.layout == "narrative" and n00.origin == "real"
    for e in n00.entities:
        assert n00.text[e["start"]:e["end"]] == e["text"]
    facts = {f["quantity"]["text"]: f for f in n00.facts()}
    assert facts["1000条"]["value"] == 1000 and facts["1000条"]["unit"] == "条"
    assert [m["text"] for m in facts["100%"]["metrics"]] == ["办理复文率", "公开率"]
    assert facts["5000人次"]["approximate"] is True
    t = next(d for d in docs if d.id == "t03")
    cells = {f["quantity"]["text"]: f for f in t.facts()}
    assert cells["1003"]["unit"] == "条" and cells["1.5"]["value"] == 15000 and cells["1.5"]["unit"] == "元"


def test_record_format(corpus_dir: Path) -> None:
    rec = json.loads((corpus_dir / "annotations" / "n00.json").read_text(encoding="utf-8"))
    assert set(rec) == {"id", "text_ref", "sha256", "meta", "entities", "relations"}
    text = (corpus_dir / "texts" / rec["text_ref"]).read_text(encoding="utf-8")
    assert rec["sha256"] == sha256(text)
    assert [e["start"] for e in rec["entities"]] == sorted(e["start"] for e in rec["entities"])
    assert {r["type"] for r in rec["relations"]} == {"VALUE_OF", "PART_OF"}


def test_sha_mismatch_is_an_error(corpus_dir: Path) -> None:
    p = corpus_dir / "texts" / "n01.txt"
    p.write_text(p.read_text(encoding="utf-8").replace("本市", "全市"), encoding="utf-8")
    with pytest.raises(CorpusError, match="sha256"):
        load_corpus(corpus_dir)
    assert "n01" not in [d.id for d in load_corpus(corpus_dir, missing="skip")]


def test_missing_text_and_bad_records(corpus_dir: Path, tmp_path: Path) -> None:
    (corpus_dir / "texts" / "n02.txt").unlink()
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(corpus_dir)
    assert len(load_corpus(corpus_dir, missing="skip")) == 5
    (corpus_dir / "annotations" / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CorpusError, match="invalid JSON"):
        load_corpus(corpus_dir)
    (corpus_dir / "annotations" / "bad.json").write_text('{"id": "bad"}', encoding="utf-8")
    with pytest.raises(CorpusError, match="lacks"):
        load_corpus(corpus_dir)


def test_reports_dir_record_needs_a_reports_dir(tmp_path: Path, monkeypatch) -> None:
    corpus = tmp_path / "c"
    reports = tmp_path / "reports"
    reports.mkdir()
    text = NARRATIVE.format(a=1, b=2, c=3, d=4)
    (reports / "x.txt").write_text(text, encoding="utf-8")
    rec = {"id": "x", "text_ref": "x.txt", "sha256": sha256(text),
           "meta": {"layout": "narrative", "source": "reports"}, "entities": [], "relations": []}
    (corpus / "annotations").mkdir(parents=True)
    (corpus / "annotations" / "x.json").write_text(json.dumps(rec), encoding="utf-8")
    monkeypatch.delenv("GOVIE_REPORTS_DIR", raising=False)
    monkeypatch.chdir(tmp_path / "c")  # no ../shared/reports next to it
    import govie.corpus.records as gc

    monkeypatch.setattr(gc, "PROJECT_ROOT", tmp_path / "nowhere")
    with pytest.raises(CorpusError, match="reports directory"):
        load_corpus(corpus)
    assert load_corpus(corpus, reports_dir=reports)[0].text == text
    monkeypatch.setenv("GOVIE_REPORTS_DIR", str(reports))
    assert load_corpus(corpus)[0].id == "x"


# --------------------------------------------------------------------------- validation
def kinds(problems, severity=None) -> set[str]:
    return {p.kind for p in problems if severity is None or p.severity == severity}


def test_valid_doc_has_no_errors_or_warnings(narrative_doc: CorpusDoc) -> None:
    problems = validate_doc(narrative_doc, lint=True)
    assert not [p for p in problems if p.severity in ("error", "warning")]
    # the year 2020 is the one numeral outside every QUANTITY
    lint = [p for p in problems if p.severity == "lint"]
    assert len(lint) == 1 and "'2020'" in lint[0].message and lint[0].kind == "uncovered"
    assert not [p for p in validate_doc(narrative_doc, lint=False) if p.severity == "lint"]


def qty(doc: CorpusDoc, text: str) -> dict:
    return next(e for e in doc.entities if e["text"] == text and e["label"] == "QUANTITY")


def met(doc: CorpusDoc, text: str) -> dict:
    return next(e for e in doc.entities if e["text"] == text and e["label"] == "METRIC")


def test_span_outside_text(narrative_doc: CorpusDoc) -> None:
    d = copy.deepcopy(narrative_doc)
    qty(d, "93人").update(start=len(d.text) - 1, end=len(d.text) + 5)
    assert "offsets" in kinds(validate([d], lint=False), "error")
    d = copy.deepcopy(narrative_doc)
    qty(d, "93人").update(start=10, end=10)  # empty span
    assert "offsets" in kinds(validate_doc(d, lint=False), "error")


def test_text_mismatch(narrative_doc: CorpusDoc) -> None:
    d = copy.deepcopy(narrative_doc)
    e = qty(d, "93人")
    e["start"] += 1
    e["end"] += 1
    assert "text" in kinds(validate_doc(d, lint=False), "error")


def test_overlap(narrative_doc: CorpusDoc) -> None:
    d = copy.deepcopy(narrative_doc)
    m = met(d, "从事政府信息公开工作")
    m["end"] += 1
    m["text"] = d.text[m["start"]:m["end"]]  # now swallows the 9 of 93人
    problems = validate_doc(d, lint=False)
    assert "overlap" in kinds(problems, "error")
    assert "text" not in kinds(problems)


def test_dangling_and_mislabelled_relations(narrative_doc: CorpusDoc) -> None:
    d = copy.deepcopy(narrative_doc)
    d.relations.append({"type": "VALUE_OF", "head": "e99", "tail": met(d, "公开率")["id"]})
    msgs = [p.message for p in validate_doc(d, lint=False) if p.kind == "relation"]
    assert any("missing entity" in m for m in msgs)

    d = copy.deepcopy(narrative_doc)
    d.relations.append({"type": "VALUE_OF", "head": met(d, "公开率")["id"], "tail": met(d, "办理复文率")["id"]})
    msgs = [p.message for p in validate_doc(d, lint=False) if p.kind == "relation"]
    assert any("METRIC->METRIC" in m for m in msgs)

    d = copy.deepcopy(narrative_doc)
    d.relations.append({"type": "PART_OF", "head": qty(d, "93人")["id"], "tail": met(d, "公开率")["id"]})
    assert "relation" in kinds(validate_doc(d, lint=False), "error")

    d = copy.deepcopy(narrative_doc)
    d.relations.append({"type": "LOCATED_IN", "head": qty(d, "93人")["id"], "tail": met(d, "公开率")["id"]})
    assert any("unknown relation type" in p.message for p in validate_doc(d, lint=False))


def test_orphan_metric_unknown_label_bad_layout(narrative_doc: CorpusDoc) -> None:
    d = copy.deepcopy(narrative_doc)
    s = d.text.index("培训")
    d.entities.append({"id": "e50", "label": "METRIC", "start": s, "end": s + 2, "text": "培训"})
    d.entities.append({"id": "e51", "label": "DATE", "start": 0, "end": 5, "text": d.text[:5]})
    d.meta["layout"] = "poster"
    problems = validate_doc(d, lint=False)
    assert "orphan-metric" in kinds(problems, "warning")
    assert {"label", "meta", "overlap"} <= kinds(problems, "error")


def test_value_and_unit_disagreement_are_warnings(narrative_doc: CorpusDoc) -> None:
    d = copy.deepcopy(narrative_doc)
    qty(d, "93人")["value"] = 39
    qty(d, "100%")["unit"] = "个"
    problems = validate_doc(d, lint=False)
    assert {"value", "unit"} <= kinds(problems, "warning")
    assert not kinds(problems, "error")
    d = copy.deepcopy(narrative_doc)
    del qty(d, "93人")["unit"]
    assert "field" in kinds(validate_doc(d, lint=False), "error")


def test_table_unit_from_unit_column_is_not_a_warning(corpus_dir: Path) -> None:
    t = next(d for d in load_corpus(corpus_dir) if d.id == "t03")
    assert not [p for p in validate_doc(t, lint=False) if p.severity != "lint"]


def test_uncovered_numeral_lint(narrative_doc: CorpusDoc) -> None:
    d = copy.deepcopy(narrative_doc)
    drop = qty(d, "93人")
    d.entities.remove(drop)
    d.relations = [r for r in d.relations if drop["id"] not in (r["head"], r["tail"])]
    lint = [p for p in validate_doc(d, lint=True) if p.kind == "uncovered"]
    assert any("'93'" in p.message for p in lint)
    assert all(p.severity == "lint" for p in lint)


# --------------------------------------------------------------------------- split and stats
def light(n_narrative: int, n_table: int, extra: int = 0) -> list[CorpusDoc]:
    """Documents without text, each of its own issuer: narrative ones in the old format, table ones new."""
    docs = [CorpusDoc(f"n{k:03d}", "", {"layout": "narrative", "format": "old", "origin": "real"}, [], [])
            for k in range(n_narrative)]
    docs += [CorpusDoc(f"t{k:03d}", "", {"layout": "table-2008", "format": "new", "origin": "real"}, [], [])
             for k in range(n_table)]
    docs += [CorpusDoc(f"x{k:03d}", "", {"layout": "narrative", "origin": "synthetic"}, [], []) for k in range(extra)]
    return docs


def test_split_is_deterministic_and_stratified() -> None:
    docs = light(20, 20, extra=3)
    a = make_split(docs, seed=5)
    assert a == make_split(list(reversed(docs)), seed=5)  # order of the input does not matter
    assert set(a) == {d.id for d in docs}
    for s in ("dev", "test"):
        ids = [i for i, v in a.items() if v == s]
        assert 5 <= len(ids) <= 7  # about 15% of 40
        # stratified by format: both formats, about half each
        assert 2 <= sum(i.startswith("n") for i in ids) <= 4 and 2 <= sum(i.startswith("t") for i in ids) <= 4
    assert all(a[f"x{k:03d}"] == "train" for k in range(3))
    assert any(make_split(docs, seed=s) != a for s in (6, 7, 8))


@pytest.mark.parametrize("n,t", [(0, 0), (1, 0), (2, 0), (3, 1), (4, 2), (5, 0), (2, 5)])
def test_split_of_tiny_corpora(n: int, t: int) -> None:
    docs = light(n, t)
    split = make_split(docs, seed=13)
    assert set(split) == {d.id for d in docs}
    assert set(split.values()) <= {"train", "dev", "test"}
    assert split == make_split(docs, seed=13)


def test_write_and_read_split(tmp_path: Path) -> None:
    split = make_split(light(10, 10), seed=3)
    p = write_split(split, tmp_path, seed=3)
    assert json.loads(p.read_text(encoding="utf-8"))["seed"] == 3
    assert read_splits(tmp_path) == split


def test_stats(corpus_dir: Path) -> None:
    st = stats(load_corpus(corpus_dir))
    assert st["all"]["documents"] == 6
    assert st["all"]["QUANTITY"] == 3 * 7 + 3 * 3
    assert st["layout"]["narrative"]["PART_OF"] == 6
    assert st["split"]["train"]["documents"] == 2
    assert set(st["origin"]) == {"real"} and set(st["script"]) == {"simplified"}


# --------------------------------------------------------------------------- conversions
def test_to_dataset_features(corpus_dir: Path) -> None:
    ds = to_dataset(load_corpus(corpus_dir))
    assert set(ds) == {"train", "dev", "test"}
    train = ds["train"]
    assert train.num_rows == 2
    f = train.features
    assert f["year"].dtype == "int32" and f["text"].dtype == "string"
    ent = f["entities"].feature
    assert ent["start"].dtype == "int32" and ent["value"].dtype == "int64" and ent["value_float"].dtype == "float64"
    assert ent["approximate"].dtype == "bool"
    row = train[0]
    assert row["sha256"] == sha256(row["text"])
    assert row["kind"] == "report" and row["province"] == "江苏" and row["format"] == "old"
    q = next(e for e in row["entities"] if e["text"] == "93人")
    assert q["value"] == 93 and type(q["value"]) is int and q["value_float"] is None
    assert q["unit"] == "人" and q["label"] == "QUANTITY"
    m = next(e for e in row["entities"] if e["label"] == "METRIC")
    assert m["value"] is None and m["value_float"] is None and m["unit"] is None
    assert {r["type"] for r in row["relations"]} == {"VALUE_OF", "PART_OF"}


def test_to_docbin_blank_zh_needs_no_splits(corpus_dir: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    docs = load_corpus(corpus_dir)
    nlp = spacy.blank("zh")
    db, splits_needed = to_docbin(docs, nlp)
    assert splits_needed == 0
    back = list(DocBin().from_bytes(db.to_bytes()).get_docs(nlp.vocab))
    assert len(back) == len(docs)
    for gold, doc in zip(docs, back):
        assert doc.text == gold.text
        assert sorted((e.start_char, e.end_char, e.label_) for e in doc.ents) == \
            sorted((e["start"], e["end"], e["label"]) for e in gold.entities)
        assert len(doc._.relations) == len(gold.relations)
        assert doc.user_data["govie_id"] == gold.id
    n00 = back[0]
    assert tuple(n00._.quantity_info[f"{qty(docs[0], '5000人次')['start']}:{qty(docs[0], '5000人次')['end']}"]) \
        == (5000, "人次", True)


def test_to_docs_splits_tokens_where_a_boundary_falls_inside() -> None:
    import spacy

    text = "主动公开政府信息57194条 其中网站公开32条"
    ents = [{"id": "e1", "label": "METRIC", "start": 0, "end": 8, "text": "主动公开政府信息"},
            {"id": "e2", "label": "QUANTITY", "start": 8, "end": 14, "text": "57194条", "value": 57194,
             "unit": "条", "approximate": False}]
    doc = CorpusDoc("x", text, {"layout": "narrative"}, ents, [{"type": "VALUE_OF", "head": "e2", "tail": "e1"}])
    sdocs, needed = to_docs([doc], spacy.blank("en"))  # whitespace tokens: "主动公开政府信息57194条" is one token
    assert needed == 1  # the METRIC/QUANTITY boundary at 8; 0 and 14 are token edges already
    assert [(e.text, e.label_) for e in sdocs[0].ents] == [("主动公开政府信息", "METRIC"), ("57194条", "QUANTITY")]


def test_traditional_augmentation_offsets(corpus_dir: Path) -> None:
    docs = load_corpus(corpus_dir)
    src = docs[0]
    t = to_traditional(src)
    assert t.id == "n00-t" and t.split == "train"
    assert t.meta["script"] == "traditional" and t.meta["origin"] == "augmented"
    assert t.text != src.text and "開" in t.text and len(t.entities) == len(src.entities)
    for a, b in zip(src.entities, t.entities):
        assert t.text[b["start"]:b["end"]] == b["text"]
        assert (a["label"], a.get("value"), a.get("unit"), a.get("approximate")) == \
            (b["label"], b.get("value"), b.get("unit"), b.get("approximate"))
    assert t.relations == src.relations
    assert "主動公開政府信息" in [e["text"] for e in t.entities]
    assert not [p for p in validate_doc(t, lint=False) if p.severity != "lint"]
    aug = load_corpus(corpus_dir, augment=True)
    added = [d for d in aug if d.origin == "augmented"]
    assert sorted(d.id for d in added) == ["n00-t", "t03-t"]  # train documents only, never dev/test
    assert all(d.split == "train" for d in added)


# --------------------------------------------------------------------------- command line
def cli(*argv: str) -> int:
    from govie.cli import main

    return main(list(argv))


def test_cli_validate_exit_codes(corpus_dir: Path, capsys) -> None:
    assert cli("corpus", "validate", "--corpus", str(corpus_dir)) == 0
    out = capsys.readouterr().out
    assert "6 documents validated" in out and "0 errors" in out and "uncovered" in out
    assert "lint\t" not in out
    assert cli("corpus", "validate", "--corpus", str(corpus_dir), "--lint") == 0
    assert "lint\tn00\tuncovered" in capsys.readouterr().out

    rec_path = corpus_dir / "annotations" / "n01.json"
    rec = json.loads(rec_path.read_text(encoding="utf-8"))
    rec["entities"][1]["value"] = 1  # a warning only
    rec_path.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    assert cli("corpus", "validate", "--corpus", str(corpus_dir)) == 0
    assert "warning\tn01\tvalue" in capsys.readouterr().out

    rec["entities"][1]["start"] += 1  # an error
    rec_path.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    assert cli("corpus", "validate", "--corpus", str(corpus_dir)) == 1
    out = capsys.readouterr().out
    assert "error\tn01\ttext" in out and "1 errors" in out


def test_cli_validate_reports_unloadable_records(corpus_dir: Path, capsys) -> None:
    (corpus_dir / "texts" / "t04.txt").unlink()
    assert cli("corpus", "validate", "--corpus", str(corpus_dir)) == 1
    out = capsys.readouterr().out
    assert "error\tt04\ttext-missing" in out and "5 documents validated, 1 not loaded" in out
    assert cli("corpus", "validate", "--corpus", str(corpus_dir), "--skip-missing") == 0
    assert cli("corpus", "validate", "--corpus", str(corpus_dir / "nope")) == 2


def test_cli_stats(corpus_dir: Path, capsys) -> None:
    assert cli("corpus", "stats", "--corpus", str(corpus_dir)) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["documents", "QUANTITY", "METRIC", "VALUE_OF", "PART_OF", "issuers"]
    assert out.splitlines()[1].split() == ["all", "6", "30", "33", "33", "6", "6"]
    assert "table-2008" in out and "simplified" in out
    assert cli("corpus", "stats", "--corpus", str(corpus_dir), "--json", "--augment") == 0
    st = json.loads(capsys.readouterr().out)
    assert st["origin"]["augmented"]["documents"] == 2 and st["script"]["traditional"]["documents"] == 2
    (corpus_dir / "texts" / "t04.txt").unlink()
    assert cli("corpus", "stats", "--corpus", str(corpus_dir)) == 1
    assert cli("corpus", "stats", "--corpus", str(corpus_dir), "--skip-missing") == 0


def test_cli_split(tmp_path: Path, capsys) -> None:
    corpus = build_corpus(tmp_path, 6, 6, splits=False)
    assert cli("corpus", "split", "--corpus", str(corpus), "--seed", "4") == 0
    first = read_splits(corpus)
    assert set(first) == {f"n{k:02d}" for k in range(6)} | {f"t{k:02d}" for k in range(6, 12)}
    assert cli("corpus", "split", "--corpus", str(corpus), "--seed", "4") == 0  # same split: unchanged
    assert "unchanged" in capsys.readouterr().out
    different = next(s for s in range(5, 30) if make_split(load_corpus(corpus), seed=s) != first)
    assert cli("corpus", "split", "--corpus", str(corpus), "--seed", str(different)) == 1
    assert read_splits(corpus) == first  # refused
    assert cli("corpus", "split", "--corpus", str(corpus), "--seed", str(different), "--force") == 0
    assert read_splits(corpus) == make_split(load_corpus(corpus), seed=different)


def test_cli_split_extend_keeps_assignments(tmp_path: Path) -> None:
    corpus = build_corpus(tmp_path, 3, 3)
    before = read_splits(corpus)
    text = NARRATIVE.format(a=7, b=6, c=5, d=4)
    for k in range(5):
        p = corpus / "texts" / f"z{k}.txt"
        p.write_text(text + str(k), encoding="utf-8")
        annotate(f"z{k}", p, "narrative").save(corpus / "annotations")
    assert cli("corpus", "split", "--corpus", str(corpus), "--extend") == 0
    after = read_splits(corpus)
    assert {k: after[k] for k in before} == before
    assert all(f"z{k}" in after for k in range(5))


def test_cli_convert(corpus_dir: Path, tmp_path: Path, capsys) -> None:
    from spacy.tokens import DocBin

    out = tmp_path / "docbins"
    assert cli("corpus", "convert", "--to", "docbin", str(out), "--corpus", str(corpus_dir)) == 0
    printed = capsys.readouterr().out
    assert "entity boundaries that needed a token split: 0" in printed
    assert sorted(p.name for p in out.iterdir()) == ["dev.spacy", "test.spacy", "train.spacy"]
    assert len(DocBin().from_disk(out / "train.spacy")) == 2
    one = tmp_path / "train.spacy"
    assert cli("corpus", "convert", "--to", "docbin", str(one), "--corpus", str(corpus_dir), "--split", "train",
               "--augment") == 0
    assert len(DocBin().from_disk(one)) == 4
    ds_dir = tmp_path / "ds"
    assert cli("corpus", "convert", "--to", "dataset", str(ds_dir), "--corpus", str(corpus_dir)) == 0
    from datasets import load_from_disk

    assert load_from_disk(str(ds_dir))["dev"].num_rows == 2


# --------------------------------------------------------------------------- the real corpus
@needs_reports
def test_real_corpus_validates() -> None:
    docs = load_corpus(reports_dir=SHARED_REPORTS)
    assert len(docs) >= 50
    problems = validate(docs, lint=False)
    assert not [p for p in problems if p.severity == "error"], problems[:5]


def _split_is_current() -> bool:
    """splits.json was written by this version's method (grouped by issuer), not an older one."""
    meta = json.loads((ROOT / "corpus" / "splits.json").read_text(encoding="utf-8"))
    return meta.get("method") == SPLIT_METHOD


@needs_reports
def test_real_split_is_reproducible() -> None:
    if not _split_is_current():
        pytest.skip("corpus/splits.json predates the split by issuer; rewrite it with `govie corpus split --force`")
    docs = load_corpus(reports_dir=SHARED_REPORTS)
    meta = json.loads((ROOT / "corpus" / "splits.json").read_text(encoding="utf-8"))
    assert make_split(docs, seed=meta["seed"]) == meta["documents"]


@needs_reports
def test_real_corpus_docbin_alignment() -> None:
    import spacy

    docs = load_corpus(reports_dir=SHARED_REPORTS)
    _, needed = to_docbin(docs, spacy.blank("zh"))
    assert needed == 0


@needs_reports
def test_real_corpus_cli_validate(capsys) -> None:
    code = cli("corpus", "validate", "--reports", str(SHARED_REPORTS))
    out = capsys.readouterr().out
    if not _split_is_current():  # an older split by document may put one issuer in two splits
        errors = [line for line in out.splitlines() if line.startswith("error\t")]
        assert all(line.split("\t")[2] == "split-issuer" for line in errors), errors[:5]
        return
    assert code == 0 and "0 errors" in out
