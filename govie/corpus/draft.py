"""Write standoff annotations from a script, walking the text with a cursor.

Used to annotate corpus documents by careful reading: every call finds the next
occurrence of a string after the cursor, so repeated strings resolve in order and
offsets are never typed by hand::

    d = Draft("r019", reports_dir / "019.txt", meta={...})
    m = d.m("公布政府信息")          # METRIC, next occurrence after the cursor
    q = d.q("2599条", m)             # QUANTITY after it, linked VALUE_OF -> m
    d.part_of(d.m("机构职能类信息"), m)
    d.save("corpus/annotations")
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Optional

from ..normalize import normalize


class Draft:
    def __init__(self, doc_id: str, path: str | Path, meta: Optional[dict] = None,
                 text_ref: Optional[str] = None) -> None:
        self.path = Path(path)
        self.text = self.path.read_text(encoding="utf-8")
        self.doc_id = doc_id
        self.meta = dict(meta or {})
        self.text_ref = text_ref or self.path.name
        self.cursor = 0
        self.entities: list[dict[str, Any]] = []
        self.relations: list[dict[str, str]] = []
        self._by_span: dict[tuple[int, int, str], dict] = {}

    # -- cursor -------------------------------------------------------------
    def find(self, s: str, start: Optional[int] = None) -> int:
        i = self.text.find(s, self.cursor if start is None else start)
        if i < 0:
            raise ValueError(f"{s!r} not found after offset {self.cursor if start is None else start}: "
                             f"...{self.text[self.cursor:self.cursor + 40]!r}")
        return i

    def seek(self, s: str) -> int:
        """Move the cursor to the end of the next occurrence of ``s``; return its start."""
        i = self.find(s)
        self.cursor = i + len(s)
        return i

    def goto(self, s: str) -> int:
        """Move the cursor to the start of the next occurrence of ``s``."""
        self.cursor = self.find(s)
        return self.cursor

    # -- entities -----------------------------------------------------------
    def _entity(self, label: str, start: int, end: int, **extra: Any) -> dict:
        key = (start, end, label)
        if key in self._by_span:
            return self._by_span[key]
        for e in self.entities:
            if e["start"] < end and start < e["end"]:
                raise ValueError(f"{label} {self.text[start:end]!r}@{start} overlaps "
                                 f"{e['label']} {e['text']!r}@{e['start']}")
        ent = {"id": f"e{len(self.entities) + 1}", "label": label, "start": start, "end": end,
               "text": self.text[start:end], **extra}
        self.entities.append(ent)
        self._by_span[key] = ent
        return ent

    def m(self, s: str, at: Optional[int] = None, move: bool = True) -> dict:
        """METRIC: next occurrence of ``s`` after the cursor (or exactly at ``at``)."""
        i = self.find(s) if at is None else at
        if self.text[i:i + len(s)] != s:
            raise ValueError(f"{s!r} is not at {at}")
        if move:
            self.cursor = i + len(s)
        return self._entity("METRIC", i, i + len(s))

    def q(self, s: str, *metrics: dict, value: Any = None, unit: Any = "auto",
          approximate: Optional[bool] = None, at: Optional[int] = None) -> dict:
        """QUANTITY: next occurrence of ``s``; links VALUE_OF to each of ``metrics``.

        ``value``/``unit``/``approximate`` default to the normaliser's reading of the span;
        pass them to override (``unit=None`` for a bare table number with no unit).
        """
        i = self.find(s) if at is None else at
        if self.text[i:i + len(s)] != s:
            raise ValueError(f"{s!r} is not at {at}")
        self.cursor = i + len(s)
        n = normalize(s)
        ent = self._entity("QUANTITY", i, i + len(s),
                           value=n.value if value is None else value,
                           unit=n.unit if unit == "auto" else unit,
                           approximate=n.approximate if approximate is None else approximate)
        for m in metrics:
            self.link(ent, m)
        return ent

    def row(self, label: "str | dict | None", parts: list[str], cols: "list[dict | None]",
            unit: Optional[str] = None) -> list[dict]:
        """A table row whose cell numbers follow the label as one run (``规范性文件898989``).

        ``label``: row-label text (a new METRIC after the cursor), an existing METRIC, or None
        (cells start at the cursor). ``parts``: the cell numbers in order, which must spell the
        run exactly (whitespace between cells allowed). ``cols``: the column-header METRIC for
        each cell (None where there is none). Each cell becomes a QUANTITY linked to the row
        label and its column header, with ``unit`` (None: the table prints no unit).
        """
        lab = self.m(label) if isinstance(label, str) else label
        if lab is not None:
            self.cursor = max(self.cursor, lab["end"])
        if len(cols) != len(parts):
            raise ValueError(f"{len(parts)} parts but {len(cols)} column headers")
        i = self.cursor
        out = []
        for part, col in zip(parts, cols):
            while i < len(self.text) and self.text[i] in " \t\n\r\u3000":
                i += 1
            if self.text[i:i + len(part)] != part:
                raise ValueError(f"cell {part!r} expected at {i}, text has {self.text[i:i + 12]!r}")
            q = self.q(part, *[m for m in (lab, col) if m is not None], unit=unit, at=i)
            if unit is None:
                q["unit"] = None
            out.append(q)
            i += len(part)
        nxt = self.text[i:i + 1]
        if nxt.isdigit():
            raise ValueError(f"row run continues after the last part at {i}: {self.text[i:i + 12]!r}")
        self.cursor = i
        return out

    def approx(self, q: dict) -> dict:
        """Mark a quantity approximate (prefix qualifier such as 近/约/超过)."""
        q["approximate"] = True
        return q

    def link(self, q: dict, m: dict) -> None:
        assert q["label"] == "QUANTITY" and m["label"] == "METRIC"
        rel = {"type": "VALUE_OF", "head": q["id"], "tail": m["id"]}
        if rel not in self.relations:
            self.relations.append(rel)

    def part_of(self, child: dict, parent: dict) -> None:
        assert child["label"] == "METRIC" and parent["label"] == "METRIC"
        rel = {"type": "PART_OF", "head": child["id"], "tail": parent["id"]}
        if rel not in self.relations:
            self.relations.append(rel)

    # -- checks and output --------------------------------------------------
    def uncovered(self) -> list[tuple[int, str, str]]:
        """Numerals not inside any QUANTITY, with context: check each is an excluded class."""
        spans = [(e["start"], e["end"]) for e in self.entities if e["label"] == "QUANTITY"]
        out = []
        for mt in re.finditer(r"[0-9０-９]+(?:\.[0-9]+)?|[一二两三四五六七八九十百千万]+", self.text):
            if not any(s <= mt.start() < e for s, e in spans):
                out.append((mt.start(), mt.group(),
                            self.text[max(0, mt.start() - 8):mt.end() + 6].replace("\n", "⏎")))
        return out

    def record(self) -> dict:
        return {"id": self.doc_id, "text_ref": self.text_ref,
                "sha256": hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
                "meta": self.meta,
                "entities": sorted(self.entities, key=lambda e: e["start"]),
                "relations": self.relations}

    def save(self, out_dir: str | Path) -> Path:
        rec = self.record()
        dangling = [e["text"] for e in self.entities if e["label"] == "METRIC"
                    and not any(r["tail"] == e["id"] or r["head"] == e["id"] for r in self.relations)]
        if dangling:
            raise ValueError(f"METRICs with no quantity: {dangling[:10]}")
        out = Path(out_dir) / f"{self.doc_id}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(rec, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        q = sum(e["label"] == "QUANTITY" for e in self.entities)
        print(f"saved {out}: {q} QUANTITY, {len(self.entities) - q} METRIC, {len(self.relations)} relations")
        return out
