"""The learning curve's training subsets (deterministic, whole issuers, exact and nested sizes) and its
table on a fake run (training and parsing replaced: no model is trained here)."""
import importlib.util
import json
import re
from pathlib import Path

import pytest

from govie.corpus.records import CorpusDoc, issuer_key
from govie.training.evaluate import Scores
from govie.training.subset import issuer_order, issuer_subset

ROOT = Path(__file__).resolve().parents[1]


def load_script():
    spec = importlib.util.spec_from_file_location("learning_curve", ROOT / "training" / "learning_curve.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def fake_docs(split="train"):
    """38 documents from 22 issuers (16 openings from one issuer each, six issuers with 2 to 5 reports),
    plus an unknown issuer twice (two groups, openings), and a traditional copy of every document."""
    docs = []
    sizes = [1] * 16 + [2, 3, 3, 4, 5, 5]
    k = 0
    for i, size in enumerate(sizes):
        for _ in range(size):
            meta = {"issuing_body": f"某市{i}号 人民政府" if k % 2 else f"某市{i}号人民政府",
                    "kind": "report" if size > 1 else "opening"}
            docs.append(CorpusDoc(f"r{k:03d}", f"文本{k}", meta, [], [], split))
            k += 1
    for j in range(2):
        docs.append(CorpusDoc(f"u{j}", "文本", {"issuing_body": "unknown (no title)", "kind": "opening"}, [], [],
                              split))
    copies = [CorpusDoc(d.id + "-t", d.text, {**d.meta, "origin": "augmented", "augmented_from": d.id}, [], [], split)
              for d in docs]
    return docs + copies


def real(docs):
    return [d for d in docs if d.origin != "augmented"]


def test_subset_sizes_are_exact_nested_and_deterministic():
    docs = fake_docs()
    n_real = len(real(docs))
    assert n_real == 40
    previous = set()
    for n in range(1, n_real + 1):
        ids = [d.id for d in real(issuer_subset(docs, n, seed=3))]
        assert len(ids) == n
        assert ids == [d.id for d in real(issuer_subset(docs, n, seed=3))]  # same call, same subset
        assert previous <= set(ids)  # nested: a larger subset adds documents, never swaps them
        previous = set(ids)
    assert previous == {d.id for d in real(docs)}


def test_subset_takes_whole_issuers_in_a_seeded_order():
    docs = fake_docs()
    groups = {}
    for d in real(docs):
        groups.setdefault(issuer_key(d), set()).add(d.id)
    assert len(groups) == 24  # whitespace in a body does not make a new issuer; two unknown bodies are two
    for n in (5, 12, 25, 30):
        chosen = {d.id for d in real(issuer_subset(docs, n, seed=0))}
        partial = [k for k, ids in groups.items() if ids & chosen and not ids <= chosen]
        assert len(partial) <= 1, (n, partial)  # only the last issuer may be cut
    orders = {s: [issuer_key(d) for d in issuer_order(docs, s)] for s in (0, 1)}
    assert orders[0] != orders[1]  # the seed draws the issuers
    for order in orders.values():  # each issuer's documents are contiguous in the order
        seen = []
        for key in order:
            if not seen or seen[-1] != key:
                assert key not in seen
                seen.append(key)
    # not the corpus order: the first five documents are not simply r000..r004
    assert [d.id for d in real(issuer_subset(docs, 5, seed=0))] != ["r000", "r001", "r002", "r003", "r004"]


def test_subset_keeps_the_mix_of_reports_and_openings():
    """Every prefix holds reports and openings in the whole set's proportion (18 openings of 40), to
    within the largest issuer (5 documents), whatever the seed: five report issuers drawn first would
    give 19 reports in 19 documents."""
    docs = fake_docs()
    share = sum(d.kind == "opening" for d in real(docs)) / 40
    for seed in range(20):
        for n in range(1, 41):
            openings = sum(d.kind == "opening" for d in real(issuer_subset(docs, n, seed)))
            assert abs(openings - share * n) <= 5, (seed, n, openings)


def test_subset_brings_augmented_copies_and_refuses_bad_sizes():
    docs = fake_docs()
    sub = issuer_subset(docs, 7, seed=0)
    chosen = {d.id for d in real(sub)}
    copies = {d.meta["augmented_from"] for d in sub if d.origin == "augmented"}
    assert len(chosen) == 7 and copies == chosen
    assert [d.id for d in sub] == [d.id for d in docs if d in sub]  # the input order is kept
    for bad in (0, -1, 41, True, 2.5):
        with pytest.raises(ValueError, match="1 to 40"):
            issuer_subset(docs, bad)


def test_train_refuses_bad_subset_and_stage_options(tmp_path, capsys):
    from govie.cli import main

    out = str(tmp_path / "m")
    assert main(["train", "--output", out, "--stages", "ner+relations"]) == 2
    assert "needs --base" in capsys.readouterr().err
    assert main(["train", "--output", out, "--stages", "ner+relations", "--base", str(ROOT / "govie" / "model"),
                 "--train-docs", "0"]) == 2
    assert "--train-docs must be at least 1" in capsys.readouterr().err
    nopku = tmp_path / "base"
    nopku.mkdir()
    (nopku / "config.cfg").write_text("[nlp]\n", encoding="utf-8")
    assert main(["train", "--output", out, "--stages", "ner+relations", "--base", str(nopku)]) == 2
    assert "no pkuseg model" in capsys.readouterr().err
    # more documents than the split has: refused before training
    assert main(["train", "--output", out, "--work", str(tmp_path / "w"), "--stages", "ner+relations",
                 "--base", str(ROOT / "govie" / "model"), "--train-docs", "100000"]) == 2
    assert re.search(r"--train-docs: a training subset needs 1 to \d+ documents", capsys.readouterr().err)
    assert not (tmp_path / "m").exists() and not (tmp_path / "w" / "train.spacy").exists()


def fake_scores(fact_tp: int) -> dict:
    s = Scores(documents=3)
    s.quantity.add(95, 2, 3)
    s.fact.add(fact_tp, 100 - fact_tp, 100 - fact_tp)
    s.fact_exact.add(fact_tp - 10, 110 - fact_tp, 110 - fact_tp)
    s.relations["PART_OF"].add(fact_tp // 2, 5, 5)
    o = Scores(documents=1)
    o.fact.add(fact_tp // 4, 1, 2)
    return {"all": s, "opening": o}


@pytest.fixture
def fake_run(tmp_path, monkeypatch):
    """The script with corpus, training, loading and scoring replaced; returns (module, calls, out, base)."""
    lc = load_script()
    docs = fake_docs("train") + [CorpusDoc(f"d{i}", "文本", {"issuing_body": f"另一{i}"}, [], [], "dev")
                                 for i in range(3)]
    monkeypatch.setattr(lc, "load_corpus", lambda **kw: [d for d in docs if kw.get("augment") or d.origin != "augmented"])
    calls = []

    def fake_train(output, work, base, stages, train_subset, subset_seed, **kw):
        calls.append((train_subset, stages))
        (output / "config.cfg").parent.mkdir(parents=True, exist_ok=True)
        (output / "config.cfg").write_text("[nlp]\n", encoding="utf-8")

    monkeypatch.setattr(lc.train_mod, "train", fake_train)
    import govie

    monkeypatch.setattr(govie, "load", lambda path: str(path))
    monkeypatch.setattr(lc, "score", lambda eval_docs, nlp: fake_scores(
        60 if nlp == "rules" else 70 + int(Path(nlp).parent.name[1:]) // 2))
    base = tmp_path / "base"
    (base / "tokenizer" / "pkuseg_model").mkdir(parents=True)
    (base / "tokenizer" / "pkuseg_model" / "weights.npz").write_bytes(b"")
    return lc, calls, tmp_path / "out", base


def test_fake_run_prints_one_row_per_size_and_reuses(fake_run, capsys):
    lc, calls, out, base = fake_run
    args = ["--sizes", "10", "all", "5", "--split", "dev", "--out", str(out), "--base", str(base)]
    assert lc.main(args) == 0
    # NER trained at 5 and 10; at full size (40) only the relations, on the base's NER
    assert calls == [(5, "ner+relations"), (10, "ner+relations"), (40, "relations")]
    printed = capsys.readouterr().out
    assert "tokenizer: the pkuseg model of" in printed and "not retrained" in printed
    lines = printed.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["size", "documents"])
    rows = [line.split() for line in lines[header + 1:header + 5]]
    assert [r[0] for r in rows] == ["0", "5", "10", "40"]
    assert rows[0][1] == "rules" and rows[0][-2:] == ["—", "—"]
    assert rows[1][1] == "5" and rows[3][1] == "40"
    # fact F1 = fact_tp / 100 in the fake: rules 0.60, then 0.72, 0.75, 0.90
    assert [r[4] for r in rows] == ["0.600", "0.720", "0.750", "0.900"]
    assert rows[3][-1].endswith("*") and not rows[2][-1].endswith("*")  # the reused NER is marked
    assert "* tok2vec + NER reused" in printed
    run5 = json.loads((out / "n005" / "run.json").read_text(encoding="utf-8"))
    assert len(run5["documents"]) == 5 and run5["augmented"] == 5 and run5["ner"] == "trained" and run5["cpu_s"] >= 0
    saved = json.loads((out / "scores-dev.json").read_text(encoding="utf-8"))
    assert [r["size"] for r in saved["rows"]] == [0, 5, 10, 40] and saved["rows"][2]["fact_f"] == pytest.approx(0.75)

    # --reuse trains nothing and prints the same figures; a second plain run keeps what is trained
    calls.clear()
    assert lc.main(args + ["--reuse"]) == 0
    assert calls == [] and [line.split()[4] for line in capsys.readouterr().out.splitlines()[header + 1:header + 5]] \
        == ["0.600", "0.720", "0.750", "0.900"]
    assert lc.main(args) == 0 and calls == []
    # the lead re-scores from another checkout: --reuse needs the subset, not the same --base path
    other = base.parent / "other-base"
    base.rename(other)
    assert lc.main(args[:-2] + ["--base", str(base.parent / "gone"), "--reuse"]) == 0 and calls == []
    assert f"pkuseg model of {base}" in capsys.readouterr().out  # the note names the base they were trained on
    # without --reuse, a base with other contents retrains what depends on it
    (other / "tokenizer" / "pkuseg_model" / "weights.npz").write_bytes(b"changed")
    assert lc.main(args[:-2] + ["--base", str(other)]) == 0
    assert calls == [(5, "ner+relations"), (10, "ner+relations"), (40, "relations")]


def test_ner_from_retrains_only_the_relations(fake_run, capsys, monkeypatch):
    lc, calls, out, base = fake_run
    assert lc.main(["--sizes", "5", "all", "--out", str(out), "--base", str(base)]) == 0
    calls.clear()
    capsys.readouterr()
    seen = []
    fake = lc.train_mod.train
    monkeypatch.setattr(lc.train_mod, "train", lambda output, **kw: (seen.append(kw["base"]), fake(output, **kw)))
    new = out.parent / "new"
    assert lc.main(["--sizes", "5", "all", "--out", str(new), "--base", str(base), "--ner-from", str(out)]) == 0
    assert calls == [(5, "relations"), (40, "relations")]
    assert seen == [out / "n005" / "model", base]  # each size's own NER; the base's at full size
    assert json.loads((new / "n005" / "run.json").read_text(encoding="utf-8"))["ner"] == f"reused from {out / 'n005' / 'model'}"
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line.split()[:1] in (["5"], ["40"])]
    assert rows[0][-1].endswith("*") and rows[1][-1].endswith("*")
    assert lc.main(["--sizes", "7", "--out", str(out.parent / "n3"), "--base", str(base), "--ner-from", str(out)]) == 2
    assert "holds no pipeline of this subset" in capsys.readouterr().err


def test_reuse_refuses_missing_or_stale_pipelines(fake_run, capsys):
    lc, calls, out, base = fake_run
    assert lc.main(["--sizes", "5", "--out", str(out), "--base", str(base)]) == 0
    capsys.readouterr()
    assert lc.main(["--sizes", "5", "8", "--out", str(out), "--base", str(base), "--reuse"]) == 2
    assert "no trained pipeline for size 8" in capsys.readouterr().err
    assert lc.main(["--sizes", "5", "--out", str(out), "--base", str(base), "--reuse", "--seed", "1"]) == 2
    assert "another subset" in capsys.readouterr().err
    for bad in (["0"], ["41"], ["many"]):
        assert lc.main(["--sizes", *bad, "--out", str(out), "--base", str(base)]) == 2
        assert "--sizes" in capsys.readouterr().err
    assert calls == [(5, "ner+relations")]


def test_score_counts_openings_apart(rules_nlp):
    """The real scorer: ``all`` is govie evaluate's figure, ``opening`` only the openings' documents."""
    from govie.corpus.records import load_corpus
    from govie.training.evaluate import evaluate

    lc = load_script()
    seed = [d for d in load_corpus(reports_dir=ROOT / "no-reports", missing="skip") if d.id == "s000"][0]
    text = seed.text[:1500].rsplit("\n", 1)[0]
    ents = [e for e in seed.entities if e["end"] <= len(text)]
    ids = {e["id"] for e in ents}
    short = CorpusDoc("s000", text, dict(seed.meta), ents,
                      [r for r in seed.relations if r["head"] in ids and r["tail"] in ids], "dev")
    opening = CorpusDoc("o000", text, {**seed.meta, "kind": "opening"}, ents, short.relations, "dev")
    got = lc.score([short, opening], rules_nlp)
    assert got["all"].to_dict() == evaluate([short, opening], rules_nlp).to_dict()
    assert got["opening"].documents == 1 and got["all"].documents == 2
    assert got["opening"].fact.tp * 2 == got["all"].fact.tp > 0
