"""``govie parse FILE.txt`` imports only what a text parse uses (#16 cold start): not the modules of the other
sub-commands, nor the HTML/DOCX/PDF extractors; the other commands are still all there."""
import json
import os
import subprocess
import sys
from pathlib import Path

from govie.cli import main

ROOT = Path(__file__).resolve().parents[1]
NOT_FOR_TEXT = ("govie.corpus", "govie.training", "govie.io.render", "govie.corpus.labelstudio", "govie.io.extract")


def test_parse_of_a_text_file_imports_no_other_command_and_no_extractor(tmp_path):
    src = tmp_path / "report.txt"
    src.write_text("本年度共受理政府信息公开申请25件，办结23件。", encoding="utf-8")
    code = ("import sys, json\n"
            "from govie.cli import main\n"
            "rc = main(['parse', sys.argv[1], '-o', sys.argv[2], '--model', 'rules'])\n"
            f"print(json.dumps([rc, sorted(m for m in sys.modules if m in {NOT_FOR_TEXT!r})]))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code, str(src), str(tmp_path / "out.jsonl")], capture_output=True,
                         text=True, check=True, env=env).stdout
    rc, imported = json.loads(out.strip().splitlines()[-1])
    assert rc == 0 and imported == []
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").strip()


def test_every_command_is_still_offered(capsys):
    assert main(["--help"]) == 0
    help_text = capsys.readouterr().out
    for command in ("parse", "render", "train", "evaluate", "corpus", "annotate"):
        assert command in help_text
    assert main(["corpus", "--help"]) == 0  # a command other than parse is parsed by the full parser


def test_an_html_file_is_still_read(tmp_path, capsys):
    src = tmp_path / "report.html"
    src.write_text("<html><body><p>本年度共受理政府信息公开申请25件。</p></body></html>", encoding="utf-8")
    assert main(["parse", str(src), "--model", "rules"]) == 0
    assert [json.loads(x)["value"] for x in capsys.readouterr().out.splitlines()] == [25]
