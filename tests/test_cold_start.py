"""``govie parse one_file.txt`` imports nothing a text parse does not use (#16: start-up is most of a one-file
run): no training, dataframe, plotting or pdf/docx/html reader libraries."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sklearn", "datasets", "pandas", "pyarrow", "matplotlib", "pdfplumber", "pdfminer", "docx", "bs4")


def _run(code: str, *args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True,
                          env=env).stdout


def test_cli_parse_of_a_text_file_imports_no_heavy_library(tmp_path):
    src = tmp_path / "report.txt"
    src.write_text("本年度共受理政府信息公开申请25件，办结23件。", encoding="utf-8")
    out = tmp_path / "facts.jsonl"
    code = ("import sys, json\n"
            "from govie.cli import main\n"
            "rc = main(['parse', sys.argv[1], '-o', sys.argv[2]])\n"
            f"print(json.dumps([rc, sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))]))\n")
    rc, heavy = json.loads(_run(code, str(src), str(out)).strip().splitlines()[-1])
    assert rc == 0
    assert out.read_text(encoding="utf-8").strip()  # the parse did run and write facts
    assert heavy == []


def test_the_check_sees_a_heavy_import():
    """The same check on a process that did import one of them (so the test above can fail)."""
    code = ("import sys, json, csv\n"
            "sys.modules['pandas'] = csv  # stands for an import of pandas\n"
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))\n")
    assert json.loads(_run(code).strip()) == ["pandas"]
