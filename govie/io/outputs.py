"""Batch outputs: atomic writes, the check that an output is complete, ``errors.tsv``, the manifest
that records what made the outputs (resume only when it matches), and the stacked panel
(``all.<format>``). See :mod:`govie.io.batch` for the run itself and ``docs/batch.md``."""
from __future__ import annotations

import csv
import io
import json
import os
import secrets
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, TextIO

BATCH_FORMATS = ("jsonl", "json", "tsv", "csv", "facts.csv", "parquet")
#: formats whose per-input outputs are also stacked into one ``OUTDIR/all.<format>`` at the end of a run
#: (``csv``: one row per report; ``facts.csv``/``parquet``: the issuer × year × indicator panel, a row per fact)
PANEL_FORMATS = ("csv", "facts.csv", "parquet")
PANEL_NAME = "all"
ERRORS_FILE = "errors.tsv"
#: what made the outputs of a batch directory: resume only when it matches
MANIFEST = ".govie-batch.json"




def display(path: Any) -> str:
    """``path`` as printable UTF-8 text: bytes that are not UTF-8 (a GBK name from a Windows zip)
    appear as ``\\xNN`` escapes instead of breaking every writer that meets them."""
    s = os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path)
    try:
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that surrogateescape did not make
        return s.encode("utf-8", "backslashreplace").decode("utf-8")


def one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__



# ------------------------------------------------------------------------------------------- writing
def _atomic_write(path: Path, write: Callable[[TextIO], None]) -> None:
    """``write(fh)`` into a temporary file unique to this run (pid + random), fsync, rename to ``path``.
    On any failure (a full disk, a signal) the temporary file is removed and ``path`` left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.part")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_report(fh: TextIO, source: str, report, fmt: str) -> None:
    """One report in a batch output format (``source`` names the input)."""
    from .formats import FACT_FIELDS, _tsv_row, fact_rows

    if fmt in ("csv", "facts.csv", "parquet"):
        from . import tabular

        if fmt == "csv":
            from .formats import sheet_cell
            from ..corpus.dataset import report_row, write_csv

            write_csv([{k: sheet_cell(v) for k, v in report_row(source, report).items()}], fh)
        elif fmt == "facts.csv":
            tabular.write_facts_csv(tabular.fact_records(report, source), fh)
        else:
            fh.flush()
            tabular.write_parquet(tabular.frame(tabular.fact_records(report, source)), fh.buffer)
    elif fmt == "jsonl":
        for row in fact_rows(source, report):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "json":
        json.dump({"source": source, **report.to_dict()}, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    elif fmt == "tsv":
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(FACT_FIELDS)
        for row in fact_rows(source, report):
            writer.writerow(_tsv_row(row))
    else:  # pragma: no cover - checked by run_batch
        raise ValueError(fmt)


def valid_output(out: Path, fmt: str, source: Optional[Path] = None) -> bool:
    """``out`` is a complete output of format ``fmt`` (resume trusts it): it parses completely, ends
    with its last newline, and is empty only as the ``.jsonl`` of an empty ``source``."""
    from .formats import FACT_FIELDS

    try:
        data = out.read_bytes()
    except OSError:
        return False
    if fmt == "parquet":
        try:
            import pyarrow.parquet as pq

            return data[:4] == data[-4:] == b"PAR1" and pq.read_metadata(io.BytesIO(data)) is not None
        except Exception:  # pyarrow missing, or a damaged file: redo it
            return False
    if not data:
        if fmt != "jsonl" or source is None:
            return False
        try:
            return os.stat(source).st_size == 0
        except OSError:
            return False
    try:
        text = data.decode("utf-8")
        if not text.endswith("\n"):
            return False
        if fmt == "jsonl":
            return all(isinstance(d := json.loads(line), dict) and "quantity" in d and "value" in d
                       for line in text.splitlines())
        if fmt == "json":
            d = json.loads(text)
            return isinstance(d, dict) and isinstance(d.get("facts"), list)
        if fmt == "tsv":
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
            return bool(rows) and rows[0] == FACT_FIELDS and all(len(r) == len(FACT_FIELDS) for r in rows)
        if fmt in ("csv", "facts.csv"):
            if fmt == "csv":
                from ..corpus.dataset import columns as header
            else:
                from .tabular import FACT_COLUMNS

                def header() -> list[str]:
                    return FACT_COLUMNS
            rows = list(csv.reader(io.StringIO(text, newline="")))
            return (bool(rows) and rows[0] == list(header()) and all(len(r) == len(rows[0]) for r in rows)
                    and (fmt != "csv" or len(rows) == 2))
    except (ValueError, csv.Error):
        return False
    return False


def _remove_dead_temporaries(out_dir: Path) -> None:
    """Remove ``.NAME.<pid>-<hex>.part`` files under ``out_dir`` whose process no longer runs (a run
    killed outright); those of live runs are left alone."""
    import re

    part = re.compile(r"^\..+\.(\d+)-[0-9a-f]{8}\.part$")
    for root, _, names in os.walk(out_dir):
        for name in names:
            m = part.match(name)
            if not m:
                continue
            try:
                os.kill(int(m.group(1)), 0)
                continue  # alive: keep
            except PermissionError:
                continue  # alive, another user's
            except (ProcessLookupError, OverflowError):
                pass  # no such process
            try:
                os.unlink(os.path.join(root, name))
            except OSError:
                pass


def _append_errors(out_dir: Path, rows: Sequence[tuple[str, str]], replace_paths: Optional[set] = None) -> None:
    """Append ``rows`` to ``OUTDIR/errors.tsv`` under an exclusive lock (concurrent runs append, never
    overwrite each other); with ``replace_paths``, the rows about those paths already there are dropped
    first (a run's own rows are then written again, once)."""
    path = out_dir / ERRORS_FILE
    with open(path, "a+", encoding="utf-8", newline="") as fh:
        try:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        except (ImportError, OSError):  # pragma: no cover - no flock (Windows): append all the same
            pass
        fh.seek(0)
        old = fh.read()
        header = "path\terror\n"
        if replace_paths:
            kept = [r for r in csv.reader(io.StringIO(old, newline=""), delimiter="\t")][1:]
            kept = [r for r in kept if r and r[0] not in replace_paths]
            buf = io.StringIO()
            w = csv.writer(buf, delimiter="\t", lineterminator="\n")
            w.writerow(["path", "error"])
            w.writerows(kept)
            w.writerows(rows)
            if buf.getvalue() != old:
                fh.seek(0)
                fh.truncate()
                fh.write(buf.getvalue())
        else:
            w = csv.writer(fh, delimiter="\t", lineterminator="\n")
            if not old:
                fh.write(header)
            w.writerows(rows)
        fh.flush()
        os.fsync(fh.fileno())


# ------------------------------------------------------------------------------------------ manifest
def model_identity(nlp_path: Any = None) -> dict:
    """What a pipeline is, for the manifest: ``{"name", "version", "path", "fingerprint"}``.

    The fingerprint hashes its ``meta.json`` and ``govie-train.json`` (written anew by every training
    run), so a pipeline retrained in the same directory counts as another model. The shipped
    pipeline's path is recorded as ``(shipped)``: the same govie installed elsewhere is the same model.
    """
    import hashlib

    from .. import __version__
    from ..api import MODEL_DIR

    shipped = nlp_path is None
    if nlp_path is None:
        nlp_path = MODEL_DIR if (MODEL_DIR / "config.cfg").exists() else "rules"
    if str(nlp_path) == "rules":
        return {"name": "rules", "version": __version__, "path": "rules"}
    path = Path(nlp_path).resolve()
    digest = hashlib.sha256()
    meta: Any = {}
    for name in ("meta.json", "govie-train.json"):
        try:
            data = (path / name).read_bytes()
        except OSError:
            continue
        digest.update(name.encode() + b"\0" + data)
        if name == "meta.json":
            try:
                meta = json.loads(data)
            except ValueError:
                pass
    meta = meta if isinstance(meta, dict) else {}
    return {"name": meta.get("name"), "version": meta.get("version"),
            "path": "(shipped)" if shipped else display(path), "fingerprint": digest.hexdigest()[:16]}


def _differences(have: dict, want: dict) -> str:
    def model(m: Any) -> str:
        m = m if isinstance(m, dict) else {}
        return f"{m.get('name')} {m.get('version')} ({m.get('path')})"

    out = []
    if have.get("model") != want["model"]:
        a, b = model(have.get("model")), model(want["model"])
        out.append(f"model {a}, not {b}" if a != b else f"model {a} as it was then (since retrained)")
    if have.get("format") != want["format"]:
        out.append(f"format {have.get('format')}, not {want['format']}")
    if have.get("govie_version") != want["govie_version"]:
        out.append(f"govie {have.get('govie_version')}, not {want['govie_version']}")
    return "; ".join(out)


def check_manifest(out_dir: Path, want: dict, outputs: Sequence[Path], force: bool) -> None:
    """Refuse (``ValueError``, one line) to mix outputs of another model/format/version into ``out_dir``
    unless ``force``; write the manifest of this run."""
    path = out_dir / MANIFEST
    keys = ("model", "format", "govie_version")
    if not force:
        try:
            have = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            have = None
        except (OSError, ValueError):
            have = {}
        if have is None:
            if any(o.exists() for o in outputs):
                raise ValueError(f"{display(out_dir)} already holds outputs that govie did not record (no {MANIFEST}); "
                                 "pass --force to redo them all, or choose another -o")
        elif not isinstance(have, dict) or any(have.get(k) != want[k] for k in keys):
            old = _differences(have, want) if isinstance(have, dict) else f"an unreadable {MANIFEST}"
            raise ValueError(f"{display(out_dir)} holds outputs made with {old}; "
                             "pass --force to redo everything, or choose another -o")
        else:
            return
    _atomic_write(path, lambda fh: fh.write(json.dumps(want, ensure_ascii=False, indent=1) + "\n"))


# --------------------------------------------------------------------------------------------- panel
def stack_outputs(out_dir: Path, outputs: Sequence[Path], fmt: str, result: Optional[Any] = None) -> Path:
    """Stack the complete per-input ``outputs`` (in input order) into ``OUTDIR/all.<fmt>``, written
    atomically; inputs that failed have no output and are left out. Returns the panel's path."""
    panel = out_dir / f"{PANEL_NAME}.{fmt}"
    done = [o for o in outputs if o.exists() and valid_output(o, fmt)]
    rows = 0
    if fmt == "parquet":
        import pandas as pd

        from . import tabular

        frames = [pd.read_parquet(o) for o in done]
        df = tabular.typed(pd.concat(frames, ignore_index=True)) if frames else tabular.frame([])
        rows = len(df)
        _atomic_write(panel, lambda fh: (fh.flush(), tabular.write_parquet(df, fh.buffer)))
    else:
        def write(fh: TextIO) -> None:
            nonlocal rows
            header = None
            for o in done:
                text = o.read_text(encoding="utf-8")
                cut = text.index("\n") + 1  # after the header (names only, no quoted line breaks)
                if header is None:
                    header = text[:cut]
                    fh.write(header)
                fh.write(text[cut:])
                rows += sum(1 for _ in csv.reader(io.StringIO(text[cut:], newline="")))
            if header is None:  # nothing parsed: the header alone
                if fmt == "csv":
                    from ..corpus.dataset import columns

                    fh.write(",".join(columns()) + "\n")
                else:
                    from .tabular import FACT_COLUMNS

                    fh.write(",".join(FACT_COLUMNS) + "\n")

        _atomic_write(panel, write)
    if result is not None:
        result.panel, result.panel_rows = panel, rows
    return panel
