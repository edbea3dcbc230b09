"""``govie parse ONE_FILE`` writes facts chunk by chunk (issue #16: memory of a 50 MB input): the rows
must be those of parsing the whole text at once, in the same order."""
import json
from pathlib import Path

import pytest

import govie
import govie.api
from govie.io.batch import parse_parts
from govie.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def small_chunks(monkeypatch):
    monkeypatch.setattr(govie.api, "CHUNK_CHARS", 1500)  # many chunks from a short text
    monkeypatch.setattr(govie.api, "BATCH_CHARS", 4000)  # and several nlp.pipe batches


def _text() -> str:
    base = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "texts").glob("*.txt")))
    return base[:9000] + "\x07控制字符后共受理申请12件。\n"  # a control character: span texts from the original


def test_parts_are_the_whole_report(small_chunks):
    nlp = govie.load("rules")
    text = _text()
    whole = govie.parse(text, nlp=nlp)
    parts = list(parse_parts(text, nlp))
    assert len(parts) > 3
    assert [f.to_dict() for p in parts for f in p.facts] == [f.to_dict() for f in whole.facts]
    assert [f.to_dict() for p in parts for f in p.quantities] == [f.to_dict() for f in whole.quantities]
    assert [r for p in parts for r in p.relations] == whole.relations
    assert any(f.quantity.text == "12件" for f in whole.facts)


def test_cli_streams_the_same_rows(small_chunks, tmp_path, capsys):
    text = _text()
    src = tmp_path / "one.txt"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["parse", str(src), "-o", str(out), "--model", "rules"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    whole = govie.parse(text, nlp=govie.load("rules"))
    assert rows == [json.loads(json.dumps(f.to_dict(), ensure_ascii=False)) for f in whole.facts]
    assert len(rows) > 10


def test_cli_empty_file_streams_nothing(tmp_path, capsys):
    src = tmp_path / "empty.txt"
    src.write_text("", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["parse", str(src), "-o", str(out), "--model", "rules"]) == 0
    assert out.read_text(encoding="utf-8") == ""
    assert "empty input" in capsys.readouterr().err
