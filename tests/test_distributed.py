"""The Dask recipe of docs/distributed.md, run as written on three small texts."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

dask = pytest.importorskip("dask")
pytest.importorskip("dask.bag")

DOC = Path(__file__).resolve().parents[1] / "docs" / "distributed.md"
TEXTS = {
    "a.txt": "全市累计主动公开政府信息57194条。",
    "sub/b.txt": "共受理依申请公开169件，其中当面申请34件。",
    "c.txt": "本年度行政复议12件，行政诉讼3件。",
}


@pytest.fixture(scope="module")
def recipe():
    """The first python block of the document, executed: ``parse_directory`` and ``parse_partition``."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    namespace: dict = {"__name__": "govie_dask_recipe"}
    exec(compile(blocks[0], str(DOC), "exec"), namespace)
    return namespace


@pytest.fixture()
def reports(tmp_path):
    src = tmp_path / "reports"
    for name, text in TEXTS.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text, encoding="utf-8")
    (src / "broken.txt").write_bytes(bytes(range(256)) * 3)
    return src


def _records(out: Path) -> dict:
    records = [json.loads(line) for p in sorted(out.glob("part-*.jsonl"))
               for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {Path(r["source"]).name: r for r in records}


def _check(records: dict) -> None:
    assert set(records) == {"a.txt", "b.txt", "c.txt", "broken.txt"}
    assert [f["value"] for f in records["a.txt"]["facts"]] == [57194]
    assert [f["value"] for f in records["b.txt"]["facts"]] == [169, 34]
    assert [f["value"] for f in records["c.txt"]["facts"]] == [12, 3]
    assert records["broken.txt"]["error"] and not records["broken.txt"]["facts"]
    for name in ("a.txt", "b.txt", "c.txt"):
        text = (TEXTS.get(name) or TEXTS[f"sub/{name}"])
        for f in records[name]["facts"]:
            q = f["quantity"]
            assert text[q["start"]:q["end"]] == q["text"]


def test_dask_bag_synchronous(recipe, reports, tmp_path):
    out = tmp_path / "out"
    recipe["parse_directory"](str(reports), str(out), npartitions=2, model="rules", scheduler="synchronous")
    _check(_records(out))


def test_dask_local_cluster_threads(recipe, reports, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    out = tmp_path / "out"
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        recipe["parse_directory"](str(reports), str(out), npartitions=3, model="rules")
    _check(_records(out))
