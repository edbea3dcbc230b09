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


def test_import_govie_imports_no_spacy_until_a_name_is_used():
    """``import govie`` is cheap (PEP 562): spaCy and the pipeline come with the first public name used,
    and ``govie.normalize`` is still the function, not its module."""
    code = ("import sys, json, govie\n"
            "before = [m for m in ('spacy', 'cn2an', 'govie.api') if m in sys.modules]\n"
            "fn = callable(govie.normalize)\n"
            "parse = govie.parse\n"
            "after = [m for m in ('spacy', 'govie.api', 'govie.pipeline.extensions') if m in sys.modules]\n"
            "print(json.dumps([before, fn, after, parse.__module__, 'parse' in dir(govie)]))\n")
    before, fn, after, module, listed = json.loads(_run(code).strip().splitlines()[-1])
    assert before == [] and fn
    assert after == ["spacy", "govie.api", "govie.pipeline.extensions"]
    assert module == "govie.api" and listed


def test_unknown_name_is_an_attribute_error():
    import govie

    try:
        govie.no_such_name  # noqa: B018
    except AttributeError as e:
        assert "no_such_name" in str(e)
    else:  # pragma: no cover
        raise AssertionError("govie.no_such_name did not raise")


def test_cli_parse_skips_spacys_command_line_and_spacy_pkusegs_downloader(tmp_path):
    """A one-file parse imports neither ``spacy.cli`` (typer, weasel) nor spacy_pkuseg's model downloader
    (requests), writes the same facts as the API, and spaCy's ``info`` and command line, spacy_pkuseg's
    ``download_model``, are still there when asked for."""
    src = tmp_path / "report.txt"
    src.write_text("本年度共受理政府信息公开申请25件，办结23件。全年主动公开政府信息1,234条。", encoding="utf-8")
    out = tmp_path / "facts.jsonl"
    code = ("import sys, json\n"
            "from govie.cli import main\n"
            "rc = main(['parse', sys.argv[1], '-o', sys.argv[2]])\n"
            "skipped = [m for m in ('spacy.cli', 'typer', 'weasel', 'requests', 'spacy_pkuseg.download')\n"
            "           if m in sys.modules]\n"
            "used = 'spacy_pkuseg' in sys.modules\n"
            "import spacy\n"
            "info = sorted(spacy.info())[:1]\n"
            "import spacy.cli\n"
            "import spacy_pkuseg, spacy_pkuseg.download as real\n"
            "print(json.dumps([rc, skipped, used, info, callable(spacy.cli.setup_cli),\n"
            "                  real.download_model.__module__, spacy_pkuseg.download_model.__module__]))\n")
    rc, skipped, used, info, cli, real, lazy = json.loads(_run(code, str(src), str(out)).strip().splitlines()[-1])
    assert rc == 0 and skipped == [] and used  # the segmenter did run spacy_pkuseg's Viterbi
    assert info and cli  # spaCy's info and command line are there when asked for
    assert real == "spacy_pkuseg.download" and lazy == "govie.optional"
    import govie

    facts = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [f["value"] for f in facts] == [f.value for f in govie.parse(src.read_text(encoding="utf-8")).facts]
    assert [f["value"] for f in facts] == [25, 23, 1234]


def test_version_imports_no_spacy():
    code = ("import sys, json\n"
            "from govie.cli import main\n"
            "rc = main(['--version'])\n"
            "print(json.dumps([rc, 'spacy' in sys.modules]))\n")
    lines = _run(code).strip().splitlines()
    assert lines[0] == __import__("govie").__version__
    assert json.loads(lines[-1]) == [0, False]


def test_import_deferring_leaves_the_submodule_until_its_function_is_called(tmp_path):
    """govie.optional.import_deferring on a package of its own: ``from .heavy import fn`` in its
    ``__init__`` does not import ``heavy``; calling ``fn`` does, once, and a later import gets the real
    module; a package already imported is left as it is."""
    pkg = tmp_path / "deferpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from .heavy import fn\nVALUE = 1\n", encoding="utf-8")
    (pkg / "heavy.py").write_text("import sys\nsys.modules[__name__].LOADS = 1\n"
                                  "def fn(x):\n    return ('real', x)\n", encoding="utf-8")
    code = ("import sys, json\n"
            f"sys.path.insert(0, {str(tmp_path)!r})\n"
            "from govie.optional import import_deferring\n"
            "p = import_deferring('deferpkg', 'heavy', 'fn')\n"
            "before = 'deferpkg.heavy' in sys.modules\n"
            "first = p.fn(2)\n"
            "import deferpkg.heavy as h\n"
            "again = import_deferring('deferpkg', 'heavy', 'fn') is p\n"
            "print(json.dumps([p.VALUE, before, first, p.fn is h.fn, h.LOADS, again]))\n")
    value, before, first, rebound, loads, again = json.loads(_run(code).strip().splitlines()[-1])
    assert value == 1 and before is False
    assert first == ["real", 2] and rebound and loads == 1 and again


def _run_code(code, tmp_path):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)


def test_the_command_ends_without_finalization_once_everything_is_written(tmp_path):
    # tearing down the modules of spaCy and its stack costs a fifth of a one-file parse: the command
    # leaves with os._exit once stdout and stderr are flushed and the atexit handlers have run
    code = (
        "import atexit, sys\n"
        "from govie.cli import _quick_exit\n"
        "class Finalized:\n"
        "    def __del__(self):\n"
        "        open('finalized', 'w').close()\n"
        "kept = Finalized()\n"
        "atexit.register(lambda: open('atexit', 'w').close())\n"
        "print('written')\n"  # a pipe: buffered until flushed
        "print('said', file=sys.stderr)\n"
        "_quick_exit(3)\n"
    )
    p = _run_code(code, tmp_path)
    assert p.returncode == 3
    assert p.stdout == "written\n" and p.stderr == "said\n"
    assert (tmp_path / "atexit").exists()
    assert not (tmp_path / "finalized").exists()


def test_with_another_thread_running_the_command_exits_the_usual_way(tmp_path):
    code = (
        "import threading, time\n"
        "from govie.cli import _quick_exit\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    open('thread', 'w').close()\n"
        "threading.Thread(target=late).start()\n"
        "_quick_exit(0)\n"
    )
    p = _run_code(code, tmp_path)
    assert p.returncode == 0 and (tmp_path / "thread").exists()


def test_python_m_govie_cli_and_the_script_entry_end_through_the_quick_exit():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    scripts = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["govie"] == "govie.cli:run"
    assert "sys.exit(main())" not in (root / "govie" / "cli.py").read_text(encoding="utf-8")


def test_plain_chinese_numerals_are_read_without_importing_cn2an():
    # cn2an's import compiles its patterns: ~0.55 s CPU, more than a short report's parse; 31 of the 318
    # corpus texts hold a Chinese numeral, nearly all of them plain (三次, 十一家, 两名)
    code = ("import sys, json, govie\n"
            "r = govie.parse('召开会议三次，十一家单位参加，配备两名工作人员，答复二百五十件。')\n"
            "print(json.dumps([[(f.quantity.text, f.value) for f in r.facts], 'cn2an' in sys.modules]))\n")
    facts, imported = json.loads(_run(code).strip().splitlines()[-1])
    assert [v for _, v in facts] == [3, 11, 2, 250]
    assert imported is False
