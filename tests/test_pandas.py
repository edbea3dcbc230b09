"""pandas and the tidy long formats (#18): Report.to_dataframe, govie.to_dataframe, ``--format facts.csv``,
``--format parquet`` and ``--format csv`` in batch mode, stacked into the issuer × year × indicator panel."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import govie
from govie.cli import main
from govie.io.tabular import FACT_COLUMNS

pd = pytest.importorskip("pandas")

REPORTS = {
    "a/2019.txt": "甲市人民政府2019年政府信息公开工作年度报告\n全市累计主动公开政府信息57194条，共受理依申请公开169件，其中当面申请34件。\n",
    "a/2020.txt": "甲市人民政府2020年政府信息公开工作年度报告\n全市累计主动公开政府信息60001条，共受理依申请公开201件，其中当面申请40件。\n",
    "b/2020.txt": "乙县人民政府2020年政府信息公开工作年度报告\n全县主动公开政府信息3500条，共受理依申请公开12件。\n",
}


@pytest.fixture(scope="module")
def nlp():
    return govie.load("rules")


@pytest.fixture()
def inputs(tmp_path) -> Path:
    root = tmp_path / "in"
    for rel, text in REPORTS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _facts_of(nlp) -> int:
    return sum(len(govie.parse(t, nlp=nlp).facts) for t in REPORTS.values())


def test_report_to_dataframe_one_row_per_fact_integer_values(nlp):
    report = govie.parse(REPORTS["a/2019.txt"], nlp=nlp)
    df = report.to_dataframe(source="a/2019.txt")
    assert list(df.columns) == FACT_COLUMNS
    assert len(df) == len(report.facts) == 3
    assert str(df["value"].dtype) == "int64"
    assert str(df["year"].dtype) == "Int64" and set(df["year"]) == {2019}
    assert set(df["issuer"]) == {"甲市人民政府"} and set(df["source"]) == {"a/2019.txt"}
    row = df[df["value"] == 57194].iloc[0]
    assert row["unit"] == "条" and row["indicator"] == "主动公开政府信息" and row["approximate"] == False  # noqa: E712
    assert report.text[row["quantity_start"]:row["quantity_end"]] == "57194条" == row["quantity"]
    assert report.text[row["metric_start"]:row["metric_end"]] == "主动公开政府信息"
    assert [None if x is pd.NA else x for x in df["indicator_id"]] == [f.indicator_id for f in report.facts]


def test_to_dataframe_of_many_reports_and_the_panel(nlp):
    reports = {src: govie.parse(t, nlp=nlp) for src, t in REPORTS.items()}
    df = govie.to_dataframe(reports)
    assert len(df) == sum(len(r.facts) for r in reports.values())
    assert list(df["source"].unique()) == list(REPORTS)
    panel = df.pivot_table(index=["issuer", "year"], columns="indicator", values="value", aggfunc="first")
    assert panel.loc[("甲市人民政府", 2020), "主动公开政府信息"] == 60001
    assert panel.loc[("乙县人民政府", 2020), "受理依申请公开"] == 12
    # the same from a list of Reports (no source) and from (source, Report) pairs
    assert govie.to_dataframe(list(reports.values()))["source"].isna().all()
    assert govie.to_dataframe(list(reports.items())).equals(df)


def test_value_is_float_once_a_value_is_not_whole(nlp):
    df = govie.parse("依申请公开办结率为98.5%，共受理依申请公开169件。", nlp=nlp).to_dataframe()
    assert str(df["value"].dtype) == "float64"
    assert sorted(df["value"]) == [98.5, 169.0]


def test_empty_and_bad_inputs(nlp):
    empty = govie.parse("", nlp=nlp).to_dataframe()
    assert list(empty.columns) == FACT_COLUMNS and len(empty) == 0
    assert len(govie.to_dataframe([])) == 0
    with pytest.raises(TypeError, match="not text"):
        govie.to_dataframe("全市累计主动公开政府信息57194条")
    with pytest.raises(TypeError, match="govie.Report"):
        govie.to_dataframe([{"facts": []}])


def test_clear_error_without_pandas(nlp, monkeypatch):
    report = govie.parse(REPORTS["b/2020.txt"], nlp=nlp)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r'pip install "govie\[pandas\]"'):
        report.to_dataframe()


def test_repr_is_short(nlp):
    report = govie.parse(REPORTS["a/2019.txt"] * 200, nlp=nlp)
    r = repr(report)
    assert len(r) < 200, r
    assert "600 facts" in r and r.startswith("<Report ")
    assert len(repr(govie.parse("", nlp=nlp))) < 200


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(["parse", *argv, "--model", "rules"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["facts.csv", "parquet"])
def test_batch_directory_into_pandas(inputs, tmp_path, capsys, nlp, fmt):
    """Acceptance (#18): a batch output directory read into pandas: integer dtypes, one row per fact."""
    out = tmp_path / "out"
    code, err = run(capsys, str(inputs), "-o", f"{out}/", "--format", fmt)
    assert code == 0, err
    n = _facts_of(nlp)
    assert (out / f"a/2019.txt.{fmt}").exists()
    assert f"all.{fmt}" in err
    panel = pd.read_parquet(out / "all.parquet") if fmt == "parquet" else pd.read_csv(out / "all.facts.csv")
    assert len(panel) == n
    assert pd.api.types.is_integer_dtype(panel["value"]) and pd.api.types.is_integer_dtype(panel["year"])
    assert sorted(panel["source"].unique()) == sorted(str(inputs / r) for r in REPORTS)
    df = govie.read_facts(out)
    assert len(df) == n and str(df["value"].dtype) == "int64" and str(df["year"].dtype) == "Int64"
    assert set(zip(df["issuer"], df["year"])) == {("甲市人民政府", 2019), ("甲市人民政府", 2020), ("乙县人民政府", 2020)}
    # resume: nothing redone, the panel is rebuilt whole from the outputs on disk
    (out / f"all.{fmt}").unlink()
    code, err = run(capsys, str(inputs), "-o", f"{out}/", "--format", fmt)
    assert code == 0 and "0 parsed, 3 skipped" in err
    assert len(govie.read_facts(out / f"all.{fmt}")) == n


def test_batch_csv_one_row_per_report(inputs, tmp_path, capsys):
    out = tmp_path / "out"
    code, err = run(capsys, str(inputs), "-o", f"{out}/", "--format", "csv")
    assert code == 0, err
    df = pd.read_csv(out / "all.csv")
    assert len(df) == 3 and sorted(df["year"]) == [2019, 2020, 2020]
    assert set(df["body"]) == {"甲市人民政府", "乙县人民政府"}


def test_batch_panel_leaves_out_a_failed_input(inputs, tmp_path, capsys, nlp):
    (inputs / "broken.txt").write_bytes(bytes(range(256)) * 3)
    out = tmp_path / "out"
    code, err = run(capsys, str(inputs), "-o", f"{out}/", "--format", "facts.csv")
    assert code == 1
    assert len(govie.read_facts(out)) == _facts_of(nlp)


def test_single_file_facts_csv_and_parquet(inputs, tmp_path, capsys, nlp):
    code, err = run(capsys, str(inputs), "-o", str(tmp_path / "f.csv"), "--format", "facts.csv")
    assert code == 0, err
    df = govie.read_facts(tmp_path / "f.csv")
    assert len(df) == _facts_of(nlp) and str(df["value"].dtype) == "int64"
    code, err = run(capsys, str(inputs), "-o", str(tmp_path / "f.parquet"), "--format", "parquet")
    assert code == 0, err
    assert govie.read_facts(tmp_path / "f.parquet").equals(df)
    code, err = run(capsys, str(inputs), "--format", "parquet")
    assert code == 2 and "-o FILE.parquet" in err


def test_facts_csv_cells_are_spreadsheet_safe(tmp_path, capsys):
    src = tmp_path / "x.txt"
    src.write_text("=HYPERLINK(1)受理依申请公开169件。", encoding="utf-8")
    code, _ = run(capsys, str(src), "--format", "facts.csv")
    assert code == 0
    text = capsys.readouterr().out
    assert "\n=" not in text and ",=" not in text
