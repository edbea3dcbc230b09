"""``govie annotate push|pull``: a live Label Studio project, through ``label-studio-sdk``.

- ``push``: parse every ``.txt`` report under a directory with the pipeline and send each as a task
  whose *prediction* holds govie's regions and relations, with scores (a relation's score is the
  relation model's probability; a region's is the highest score of the relations it takes part
  in; the prediction's is the mean relation score, which Label Studio's "prediction score"
  sampling orders by). The project is created with :data:`govie.corpus.interop.LABEL_STUDIO_CONFIG`
  when it does not exist. A text already in the project (same sha256) is not sent twice.
- ``pull``: every task with a finished annotation (submitted, not skipped) becomes a corpus record —
  standoff offsets into the text file found under ``--reports`` (by the carried ``text_ref``, else
  by sha256), pinned by its sha256 — exactly as ``govie corpus import`` writes it.

The server and key come from ``--url``/``--api-key`` or ``$LABEL_STUDIO_URL``/``$LABEL_STUDIO_API_KEY``
(the Label Studio key of *Account & Settings*; a legacy token or a personal access token).
"""
from __future__ import annotations

import argparse
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Optional, Sequence

from .records import sha256

URL_ENV, KEY_ENV = "LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"
EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
#: what a project's labelling config must offer for govie's tasks
NEEDED = {"labels": {"QUANTITY", "METRIC"}, "relations": {"VALUE_OF", "PART_OF"}}


class LabelStudioError(RuntimeError):
    """Label Studio cannot be reached, refuses the key, or a project does not fit (one line)."""


# --------------------------------------------------------------------------- connection
def connect(url: Optional[str] = None, api_key: Optional[str] = None):
    """A ``label_studio_sdk.LabelStudio`` client for ``url`` (default ``$LABEL_STUDIO_URL``)."""
    try:
        from label_studio_sdk import LabelStudio
    except ImportError:
        raise LabelStudioError("label-studio-sdk is not installed: pip install label-studio-sdk") from None
    url = url or os.environ.get(URL_ENV)
    api_key = api_key or os.environ.get(KEY_ENV)
    if not url:
        raise LabelStudioError(f"no Label Studio server: pass --url URL or set {URL_ENV}")
    if not api_key:
        raise LabelStudioError(f"no API key: pass --api-key KEY or set {KEY_ENV} (Label Studio: Account & Settings)")
    return LabelStudio(base_url=url.rstrip("/"), api_key=api_key)


def _call(what: str, fn, *args, **kwargs):
    """Run an SDK call; connection failures and HTTP errors become one-line :class:`LabelStudioError`."""
    import httpx

    try:
        return fn(*args, **kwargs)
    except httpx.HTTPError as e:
        raise LabelStudioError(f"{what}: cannot reach Label Studio ({type(e).__name__}: {e}); is the server "
                               "running at that URL?") from None
    except Exception as e:  # the SDK's ApiError carries status_code and body
        code = getattr(e, "status_code", None)
        if code is None:
            raise
        if code in (401, 403):
            raise LabelStudioError(f"{what}: Label Studio refused the API key (HTTP {code})") from None
        body = str(getattr(e, "body", ""))[:300]
        raise LabelStudioError(f"{what}: Label Studio answered HTTP {code}: {body}") from None


def _as_dict(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if hasattr(obj, "dict"):
        return obj.dict()
    return obj


# --------------------------------------------------------------------------- projects
def config_problem(label_config: str) -> Optional[str]:
    """Why a project's labelling config cannot hold govie's tasks, or None."""
    try:
        root = ET.fromstring(label_config)
    except ET.ParseError as e:
        return f"its labelling config is not XML ({e})"
    labels = {el.get("value") for el in root.iter("Label")}
    relations = {el.get("value") for el in root.iter("Relation")}
    missing = sorted((NEEDED["labels"] - labels) | (NEEDED["relations"] - relations))
    texts = [el for el in root.iter("Text") if el.get("value") == "$text"]
    if missing:
        return f"its labelling config lacks {', '.join(missing)}"
    if not texts:
        return "its labelling config has no <Text value=\"$text\">"
    return None


def find_project(client, project: str):
    """The project whose id (all digits) or title is ``project``, or None."""
    if str(project).isdigit():
        try:
            return _call(f"project {project}", client.projects.get, id=int(project))
        except LabelStudioError as e:
            if "HTTP 404" in str(e):
                return None
            raise
    for p in _call("listing projects", client.projects.list):
        if p.title == project:
            return p
    return None


def ensure_project(client, project: str, create: bool = True):
    """The project, created with govie's labelling config when missing (and ``create``);
    a :class:`LabelStudioError` when it exists with a config that lacks govie's labels."""
    from .interop import LABEL_STUDIO_CONFIG

    found = find_project(client, project)
    if found is None:
        if not create or str(project).isdigit():
            raise LabelStudioError(f"no Label Studio project {project!r}")
        return _call("creating the project", client.projects.create, title=project, label_config=LABEL_STUDIO_CONFIG,
                     description="govie pre-annotations: QUANTITY/METRIC, VALUE_OF/PART_OF (../shared/ANNOTATION.md)"), True
    problem = config_problem(found.label_config or "")
    if problem:
        raise LabelStudioError(f"project {found.title!r} (id {found.id}): {problem}; use another project or "
                               "`govie corpus export --ls-config FILE` for the config")
    return found, False


# --------------------------------------------------------------------------- tasks
def scored_task(report, doc_id: str, meta: dict, text_ref: str, model_version: str) -> dict:
    """A task whose prediction carries the report's regions and relations with their scores."""
    from .interop import report_to_labelstudio

    task = report_to_labelstudio(report, doc_id, meta, text_ref, key="predictions", model_version=model_version)
    pred = task["predictions"][0]
    rel_score: dict[tuple, float] = {}
    for r in report.relations:
        label = r.get("label") or r.get("type")
        key = (r["head"]["start"], r["head"]["end"], r["tail"]["start"], r["tail"]["end"], label)
        if r.get("score") is not None:
            rel_score[key] = max(float(r["score"]), rel_score.get(key, 0.0))
    regions = {x["id"]: x for x in pred["result"] if x.get("type") == "labels"}
    scores = []
    for x in pred["result"]:
        if x.get("type") != "relation":
            continue
        h, t = regions[x["from_id"]]["value"], regions[x["to_id"]]["value"]
        s = rel_score.get((h["start"], h["end"], t["start"], t["end"], x["labels"][0]))
        if s is None:
            continue
        x["score"] = round(s, 4)
        scores.append(s)
        for rid in (x["from_id"], x["to_id"]):
            regions[rid]["score"] = round(max(s, regions[rid].get("score", 0.0)), 4)
    if scores:
        pred["score"] = round(sum(scores) / len(scores), 4)
    return task


def existing_shas(client, project_id: int) -> set[str]:
    """sha256 of the texts already in a project (so a second push sends only new reports)."""
    out = set()
    for t in _call("listing tasks", client.tasks.list, project=project_id, fields="task_only"):
        data = _as_dict(t).get("data") or {}
        text = data.get("text")
        if isinstance(text, str):
            out.add(sha256(text))
    return out


def push(client, project: str, texts_dir: Path, nlp=None, model_version: str = "govie", create: bool = True,
         out=sys.stdout) -> dict:
    """Pre-annotate every ``.txt`` under ``texts_dir`` and send the new ones to ``project``."""
    from . import interop
    from ..api import load, parse_many
    from .exchange import _doc_id_from_path

    files = sorted(p for p in Path(texts_dir).rglob("*.txt") if p.is_file())
    if not files:
        raise LabelStudioError(f"{texts_dir}: no .txt files")
    proj, created = ensure_project(client, project, create=create)
    print(f"{'created' if created else 'using'} Label Studio project {proj.title!r} (id {proj.id})", file=out)
    have = existing_shas(client, proj.id)
    texts, todo = [], []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError) as e:
            raise LabelStudioError(f"{path}: cannot read it as UTF-8 text ({e})") from None
        if sha256(text) in have:
            print(f"skip\t{path.relative_to(texts_dir).as_posix()}\talready in the project", file=out)
            continue
        texts.append(text)
        todo.append(path)
    tasks = []
    if todo:
        nlp = nlp if nlp is not None else load()
        for n, (path, text, report) in enumerate(zip(todo, texts, parse_many(texts, nlp=nlp)), 1):
            ref = path.relative_to(texts_dir).as_posix()
            meta = {"layout": interop.guess_layout(text), "script": interop.guess_script(text), "origin": "real"}
            year = interop.guess_year(text)
            if year:
                meta["year"] = year
            tasks.append(scored_task(report, _doc_id_from_path(path, Path(texts_dir)), meta, ref, model_version))
            print(f"[govie annotate] pre-annotated {n}/{len(todo)}: {ref}", file=sys.stderr, flush=True)
        _call("importing tasks", client.projects.import_tasks, id=proj.id, request=tasks)
    n_regions = sum(sum(x.get("type") == "labels" for x in t["predictions"][0]["result"]) for t in tasks)
    print(f"pushed {len(tasks)} reports ({n_regions} pre-annotated regions) to project {proj.title!r} "
          f"(id {proj.id}); {len(files) - len(tasks)} already there", file=out)
    return {"project": proj.id, "pushed": len(tasks), "skipped": len(files) - len(tasks)}


def finished_tasks(client, project_id: int) -> tuple[list[dict], int]:
    """Tasks with at least one submitted (not skipped) annotation, as plain dicts, and how many
    tasks have none yet."""
    done, waiting = [], 0
    for t in _call("listing tasks", client.tasks.list, project=project_id, fields="all"):
        d = _as_dict(t)
        anns = [a if isinstance(a, dict) else _as_dict(a) for a in d.get("annotations") or []]
        anns = [a for a in anns if not a.get("was_cancelled")]
        if not anns:
            waiting += 1
            continue
        done.append({"id": d.get("id"), "data": d.get("data") or {}, "annotations": anns})
    return done, waiting


def pull(client, project: str, corpus_dir: Path, reports: Sequence[Path], **import_options) -> tuple[int, int, int]:
    """Write the project's finished annotations as corpus records; (status, written, not yet annotated)."""
    from . import interop
    from .exchange import import_items

    proj = find_project(client, project)
    if proj is None:
        raise LabelStudioError(f"no Label Studio project {project!r}")
    tasks, waiting = finished_tasks(client, proj.id)
    items = []
    for t in tasks:
        try:
            items.append(interop.labelstudio_to_doc(t))
        except (interop.InteropError, KeyError, TypeError, ValueError) as e:
            print(f"govie: task {t.get('id')}: {e}; skipped", file=sys.stderr)
    status, written = import_items(items, corpus_dir, reports, origin=f"project {proj.title!r}", **import_options)
    if len(items) < len(tasks):
        status = EXIT_DATA
    return status, written, waiting


# --------------------------------------------------------------------------- CLI
def _err(msg: str) -> None:
    print(f"govie: {' '.join(str(msg).split())}", file=sys.stderr)


def cmd_push(args: argparse.Namespace) -> int:
    texts = Path(args.texts)
    if not texts.is_dir():
        _err(f"{texts}: no such directory")
        return EXIT_USAGE
    try:
        client = connect(args.url, args.api_key)
        nlp = None
        if args.model:
            from ..api import load

            nlp = load(args.model)
        push(client, args.project, texts, nlp=nlp, model_version=args.model_version or str(args.model or "govie"),
             create=not args.no_create)
    except LabelStudioError as e:
        _err(str(e))
        return EXIT_USAGE if "no such" in str(e) or "pass --" in str(e) else EXIT_DATA
    return EXIT_OK


def cmd_pull(args: argparse.Namespace) -> int:
    from .exchange import next_steps
    from .records import resolve_corpus_dir

    reports = [Path(r) for r in args.reports]
    for r in reports:
        if not r.is_dir():
            _err(f"{r}: no such directory")
            return EXIT_USAGE
    corpus_dir = resolve_corpus_dir(args.corpus, must_exist=False)
    try:
        client = connect(args.url, args.api_key)
        status, written, waiting = pull(client, args.project, corpus_dir, reports, layout=args.layout,
                                        id_prefix=args.id_prefix, force=args.force, dry_run=args.dry_run,
                                        allow_duplicate=args.allow_duplicate)
    except LabelStudioError as e:
        _err(str(e))
        return EXIT_DATA
    print(f"pulled {written} annotated documents from project {args.project!r}"
          + (f"; {waiting} tasks not annotated yet" if waiting else ""))
    if written and not args.dry_run:
        print(f"next: {next_steps(corpus_dir, reports, explicit_corpus=bool(args.corpus))}")
    return status


def add_commands(sub) -> None:
    from .cli import add_record_options, add_reports_option
    from .records import LAYOUTS

    a = sub.add_parser("annotate", help="send reports with govie's pre-annotations to Label Studio, fetch the "
                                        "finished annotations back as corpus records")
    asub = a.add_subparsers(dest="annotate_command", metavar="{push,pull}")

    def annotate_help(args: argparse.Namespace) -> int:
        a.print_help(sys.stderr)
        return EXIT_USAGE

    a.set_defaults(func=annotate_help)

    def connection(p: argparse.ArgumentParser) -> None:
        p.add_argument("--project", required=True, help="project title (created by push when missing) or id")
        p.add_argument("--url", default=None, help=f"Label Studio server (default ${URL_ENV})")
        p.add_argument("--api-key", default=None, help=f"API key (default ${KEY_ENV})")

    p = asub.add_parser("push", help="pre-annotate every .txt under DIR and create a task for each new one")
    p.add_argument("texts", metavar="DIR", help="directory of UTF-8 .txt reports (task ids and text_ref are their "
                                                "paths relative to DIR)")
    connection(p)
    p.add_argument("--model", default=None, metavar="DIR|rules", help="pipeline (default: the shipped one)")
    p.add_argument("--model-version", default=None, help="the predictions' model_version (default: --model or govie)")
    p.add_argument("--no-create", action="store_true", help="fail instead of creating a missing project")
    p.set_defaults(func=cmd_push)

    p = asub.add_parser("pull", help="write every finished annotation of the project as a corpus record")
    connection(p)
    add_reports_option(p, required=True, help="directory holding the annotated texts (the DIR given to push); "
                       "repeatable")
    add_record_options(p)
    p.set_defaults(func=cmd_pull)
