"""Docs that cannot drift (#18): every code block of README.md and docs/*.md runs here, through sybil.

- ```python blocks run in one namespace per page, in page order; a block written as a doctest
  (``>>>`` lines) has its printed output checked.
- ```bash blocks run with ``bash -e`` in a scratch directory holding a link to the project's
  ``corpus/`` (so the documented paths work and nothing is written into the project), ``govie`` being
  this checkout's CLI. ```console blocks (``$ command`` then its output) have their output checked
  (``...`` matches anything).
- ```json blocks must parse; ```xml blocks must parse and, where they show the Label Studio labelling
  config, equal the one ``govie corpus export --ls-config`` writes.
- A block that cannot run here (it installs packages, trains for minutes, needs a cluster) is preceded
  by ``<!-- skip: next "the reason" -->``, which sybil understands.
- ```text blocks are printed output (tables of measurements), not run; where they show a command
  synopsis (``govie …`` lines) its sub-commands, options and ``--format`` choices must exist. Every
  fenced block must have one of these languages (:func:`test_every_fence_is_run_or_marked`).
"""
from __future__ import annotations

import doctest
import json
import os
import re
import shutil
import subprocess
import sys
import xml.dom.minidom
from pathlib import Path
from unittest import SkipTest

import pytest

sybil = pytest.importorskip("sybil")
from sybil import Sybil  # noqa: E402
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LANGUAGES = {"python", "bash", "console", "json", "xml", "text"}
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<lang>[^`\s]*)[^\n]*$", re.M)


def _env(sandbox: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PATH"] = os.pathsep.join([str(sandbox / ".bin"), str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("GOVIE_REPORTS_DIR", None)
    return env


def _sandbox(path: Path) -> Path:
    """A scratch working directory: ``corpus`` linked to the project's, ``govie`` this checkout's CLI."""
    path.mkdir(parents=True, exist_ok=True)
    if not (path / "corpus").exists():
        (path / "corpus").symlink_to(ROOT / "corpus", target_is_directory=True)
    (path / ".bin").mkdir(exist_ok=True)
    shim = path / ".bin" / "govie"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m govie.cli "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return path


def run_bash(example) -> None:
    sandbox = Path(example.namespace["SANDBOX"])
    proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", example.parsed], cwd=sandbox, env=_env(sandbox),
                          capture_output=True, text=True, timeout=600)
    if proc.returncode:
        raise AssertionError(f"exit {proc.returncode}\n{example.parsed}\nstderr: {proc.stderr[-2000:]}")


def _matches(want: str, got: str) -> bool:
    checker = doctest.OutputChecker()
    return checker.check_output(want, got, doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)


def run_console(example) -> None:
    """``$ command`` lines, each followed by the output it must print (stdout and stderr)."""
    sandbox = Path(example.namespace["SANDBOX"])
    steps: list[list] = []
    for line in example.parsed.splitlines():
        if line.startswith("$ "):
            steps.append([line[2:], []])
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"a console block starts with its command ($ …): {line!r}")
    for command, want_lines in steps:
        proc = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=sandbox, env=_env(sandbox),
                              capture_output=True, text=True, timeout=600)
        got = proc.stdout + proc.stderr
        want = "\n".join(want_lines).strip() + "\n"
        if proc.returncode not in (0,):
            raise AssertionError(f"$ {command}\nexit {proc.returncode}\n{got[-2000:]}")
        if want.strip() and not _matches(want, got):
            raise AssertionError(f"$ {command}\nwanted:\n{want}got:\n{got}")


def check_json(example) -> None:
    json.loads(example.parsed)


def check_xml(example) -> None:
    xml.dom.minidom.parseString(example.parsed)
    if "<Relations>" in example.parsed:  # the Label Studio labelling config: as govie writes it
        from govie.corpus.interop import LABEL_STUDIO_CONFIG

        norm = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
        assert norm(example.parsed) == norm(LABEL_STUDIO_CONFIG), "the page's config differs from govie's"


def _subcommands(parser) -> dict:
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def check_text(example) -> None:
    """Output shown as ``text`` is not run; a command synopsis (``govie …`` lines) must name only
    sub-commands, options and ``--format`` choices that the command line has."""
    import argparse

    from govie.cli import build_parser

    for line in example.parsed.splitlines():
        if not line.startswith("govie "):
            continue
        words = line.split("#")[0].split()[1:]
        parser = build_parser()
        while words and _subcommands(parser):
            names = words.pop(0).split("|")
            subs = _subcommands(parser)
            for name in names:
                assert name in subs, f"{line!r}: no sub-command {name!r} (have {sorted(subs)})"
            parser = subs[names[0]]
        options = {o: a for a in parser._actions for o in a.option_strings}
        for m in re.finditer(r"(--?[a-z][\w-]*)(?:[ =]([\w.|-]+))?", " ".join(words)):
            opt, arg = m.group(1), m.group(2)
            assert opt in options, f"{line!r}: {opt} is not an option of this command"
            choices = options[opt].choices
            if choices and arg and "|" in arg:
                assert set(arg.split("|")) == set(choices), f"{line!r}: {opt} choices are {list(choices)}"


def _setup(namespace: dict) -> None:
    import importlib.util

    namespace["installed"] = lambda name: importlib.util.find_spec(name) is not None
    from govie.corpus import default_reports_dir

    reports = default_reports_dir()
    namespace["reports_available"] = reports is not None and Path(reports).is_dir()


DOCS = Sybil(
    parsers=[
        PythonCodeBlockParser(doctest_optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
        CodeBlockParser("bash", run_bash),
        CodeBlockParser("console", run_console),
        CodeBlockParser("json", check_json),
        CodeBlockParser("xml", check_xml),
        CodeBlockParser("text", check_text),
        SkipParser(),
    ],
)


def _run_page(path: Path, sandbox: Path, monkeypatch) -> tuple[int, list[str]]:
    monkeypatch.chdir(_sandbox(sandbox))
    monkeypatch.setenv("PATH", _env(sandbox)["PATH"])
    document = DOCS.parse(path)
    document.namespace["SANDBOX"] = str(sandbox)
    _setup(document.namespace)
    ran, skipped = 0, []
    for example in document:
        try:
            example.evaluate()
        except SkipTest as e:
            skipped.append(f"line {example.line}: {e}")
            continue
        except Exception as e:
            raise AssertionError(f"{path.relative_to(ROOT)}, line {example.line}: {type(e).__name__}: {e}") from e
        ran += 1
    return ran, skipped


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_code_blocks_run(page, tmp_path, monkeypatch):
    _, skipped = _run_page(page, tmp_path / "work", monkeypatch)
    for line in skipped:  # every skip says why
        assert re.search(r"\w{3,}", line.split(":", 1)[1]), f"{page.name} {line}: a skip needs a reason"


def _fences(text: str) -> list[tuple[int, int, str, str]]:
    """``(first line, last line, language, body)`` of every fenced block (lines 1-based)."""
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m:
            start, fence = i, m.group("fence")
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(fence):
                j += 1
            out.append((start + 1, j + 1, m.group("lang"), "\n".join(lines[i + 1:j])))
            i = j + 1
        else:
            i += 1
    return out


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_fence_is_run_or_marked(page):
    """No block escapes: each has a language that is run or checked, and sybil found it (a ``text``
    block must hold output, not a command or code)."""
    text = page.read_text(encoding="utf-8")
    fences = _fences(text)
    for first, _, lang, body in fences:
        assert lang in LANGUAGES, f"{page.name}:{first}: fenced block without a known language ({lang!r})"
        if lang == "text":
            head = body.strip().splitlines()[0] if body.strip() else ""
            assert not re.match(r"(\$ |python |pip |import |from \w+ import)", head), \
                f"{page.name}:{first}: a text block that holds code; give it its language"
    lines = [e.line for e in DOCS.parse(page) if not isinstance(e.parsed, tuple)]  # skip markers: tuples
    for first, last, lang, _ in fences:
        assert any(first <= n <= last for n in lines), f"{page.name}:{first}: sybil does not see this {lang} block"


def test_skip_markers_need_a_reason():
    for page in PAGES:
        for m in re.finditer(r"<!--\s*skip:\s*(\w+)(.*?)-->", page.read_text(encoding="utf-8")):
            if m.group(1) == "next":
                assert m.group(2).strip(), f"{page.name}: '<!-- skip: next -->' without a reason"


def test_mkdocs_build_strict(tmp_path):
    if shutil.which("mkdocs") is None and not _has_module("mkdocs"):
        pytest.skip('mkdocs is not installed (pip install -e ".[docs]")')
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "site" / "pandas" / "index.html").exists()


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def test_pandas_plot_script_renders_the_figure(tmp_path):
    """docs/pandas.md's figure comes from docs/pandas_plot.py; it must run (and draw a PNG)."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("pandas")
    out = tmp_path / "plot.png"
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "pandas_plot.py"), "--out", str(out)], cwd=tmp_path,
                          env=_env(_sandbox(tmp_path)), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "桐乡市人民政府" in proc.stdout and "224" in proc.stdout
