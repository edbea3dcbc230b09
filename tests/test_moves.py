"""training/relation_moves.py: the relations a change moves, gold or not. (The script holds its own
functions: a dump is also taken with another checkout's govie on PYTHONPATH.)"""
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from govie.corpus.records import CorpusDoc

_spec = importlib.util.spec_from_file_location(
    "relation_moves", Path(__file__).resolve().parents[1] / "training" / "relation_moves.py")
script = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("relation_moves", script)  # (its dataclass looks its module up there)
_spec.loader.exec_module(script)
Move, dump_records, moves, summary = script.Move, script.dump_records, script.moves, script.summary

TEXT = "主动公开政府信息120条，其中规范性文件12条。"
ENTS = [{"id": "m1", "start": 0, "end": 8, "label": "METRIC"}, {"id": "q1", "start": 8, "end": 12, "label": "QUANTITY"},
        {"id": "m2", "start": 15, "end": 20, "label": "METRIC"}, {"id": "q2", "start": 20, "end": 23, "label": "QUANTITY"}]
GOLD = [{"head": "q1", "tail": "m1", "type": "VALUE_OF"}, {"head": "q2", "tail": "m2", "type": "VALUE_OF"},
        {"head": "m2", "tail": "m1", "type": "PART_OF"}]


def _record(rels, doc="d1"):
    gold = [["PART_OF", 15, 20, 0, 8], ["VALUE_OF", 8, 12, 0, 8], ["VALUE_OF", 20, 23, 15, 20]]
    return {"id": doc, "relations": [[*r, TEXT[r[1]:r[2]], TEXT[r[3]:r[4]], 0.9] for r in rels], "gold": gold}


def test_a_dump_holds_the_pipelines_relations_and_the_gold_keys():
    class Report:
        relations = [{"label": "VALUE_OF", "head": {"start": 8, "end": 12, "text": "120条"},
                      "tail": {"start": 2, "end": 8, "text": "公开政府信息"}, "score": 0.8}]

    doc = CorpusDoc("d1", TEXT, {}, ENTS, GOLD, "dev")
    (rec,) = dump_records([doc], [Report()])
    assert rec["id"] == "d1"
    assert rec["relations"] == [["VALUE_OF", 8, 12, 2, 8, "120条", "公开政府信息", 0.8]]
    assert rec["gold"] == [["PART_OF", 15, 20, 0, 8], ["VALUE_OF", 8, 12, 0, 8], ["VALUE_OF", 20, 23, 15, 20]]
    json.dumps(rec, ensure_ascii=False)  # a JSON line


def test_moves_mark_each_moved_relation_gold_or_not_and_skip_the_unmoved():
    before = [_record([("VALUE_OF", 8, 12, 2, 8), ("VALUE_OF", 20, 23, 15, 20)])]
    after = [_record([("VALUE_OF", 8, 12, 0, 8), ("VALUE_OF", 20, 23, 15, 20), ("PART_OF", 15, 20, 0, 8)])]
    found = moves(before, after)
    assert found == [Move("d1", True, True, "PART_OF", "规范性文件", "主动公开政府信息"),
                     Move("d1", True, True, "VALUE_OF", "120条", "主动公开政府信息"),
                     Move("d1", False, False, "VALUE_OF", "120条", "公开政府信息")]
    assert str(found[2]) == "d1 -      VALUE_OF '120条' -> '公开政府信息'"
    assert summary(found) == "3 relations move: gold +2 -0, other +0 -1"
    assert [m.label for m in moves(before, after, label="PART_OF")] == ["PART_OF"]
    assert moves(before, before) == []


def test_dumps_of_different_documents_are_an_error():
    with pytest.raises(ValueError, match="first dump only"):
        moves([_record([], "d1")], [_record([], "d2")])
    with pytest.raises(ValueError, match="second dump only"):
        moves([_record([], "d1")], [_record([], "d1"), _record([], "d2")])


def test_the_script_diffs_two_dump_files(tmp_path, capsys):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(json.dumps(_record([("VALUE_OF", 8, 12, 2, 8)]), ensure_ascii=False) + "\n", encoding="utf-8")
    b.write_text(json.dumps(_record([("VALUE_OF", 8, 12, 0, 8)]), ensure_ascii=False) + "\n", encoding="utf-8")
    assert script.main(["diff", str(a), str(b)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2 relations move: gold +1 -0, other +0 -1"
    b.write_text(json.dumps(_record([], "other")) + "\n", encoding="utf-8")
    assert script.main(["diff", str(a), str(b)]) == 2
    assert "first dump only" in capsys.readouterr().err
