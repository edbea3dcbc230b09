"""The ``govie_indicators`` component: canonical indicator ids for linked METRICs and narrative figures,
and the checks of narrative figures against the table cells of the same indicator."""
from __future__ import annotations

from spacy.language import Language

from ..normalize import recorded
from ..taxonomy import Taxonomy, document_era, load_taxonomy
from .extensions import entity_offsets


class IndicatorLinker:
    """Fills ``doc._.indicator_ids`` for linked quantities that have none (narrative facts), through
    :meth:`Taxonomy.match_narrative`, and with ``checks`` adds a warning to
    ``doc.user_data["govie_checks"]`` for each narrative figure that disagrees with the table cell of
    its indicator (:func:`govie.checks.check_narrative`)."""

    def __init__(self, name: str = "govie_indicators", overwrite: bool = False, checks: bool = True) -> None:
        self.name = name
        self.overwrite = overwrite
        self.checks = checks
        self.taxonomy = load_taxonomy()

    def __call__(self, doc):
        from . import extensions, script

        extensions.init_doc(doc)
        text = extensions.doc_text(doc)
        view = script.rule_text(doc)  # the taxonomy matches the simplified view; checks quote ``text``
        era = document_era(view)
        ids = doc._.indicator_ids
        info = doc._.quantity_info
        metrics: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for hs, he, ts, te, label, _score in doc._.relations or []:
            if label == "VALUE_OF":
                metrics.setdefault((hs, he), []).append((ts, te))
        quantities = {(s, e) for s, e, label in entity_offsets(doc) if label == "QUANTITY"}
        for (s, e), ms in metrics.items():
            key = f"{s}:{e}"
            if key in ids and not self.overwrite:
                continue
            n = recorded(info, text, s, e) if (s, e) in quantities else None  # ``Span._.unit``
            unit = n.unit if n is not None else None
            iid = None
            for ts, te in sorted(ms, key=lambda m: abs(m[0] - s)):
                if te <= s:
                    before, between = view[max(0, ts - 30):ts], view[te:s]
                else:
                    before, between = view[max(0, s - 30):s], view[e:ts]
                iid = self.taxonomy.match_narrative(view[ts:te], era=era, unit=unit, before=before,
                                                    between=between)
                if iid:
                    break
            if iid:
                ids[key] = iid
        if self.checks:
            warnings = self._check(doc, text)
            if warnings:
                doc.user_data["govie_checks"] = list(doc.user_data.get("govie_checks") or []) + warnings
        return doc

    def _check(self, doc, text: str) -> list[dict]:
        """Narrative figures against the table cells of the same indicator."""
        from ..checks import check_narrative, in_tables, table_regions
        from ..report import Fact, TextSpan

        regions = table_regions(doc.user_data.get("govie_meta") or {})
        ids = doc._.indicator_ids or {}
        if not regions or not ids:
            return []
        info = doc._.quantity_info or {}
        narrative, cells = [], {}
        for key, iid in ids.items():
            s, e = (int(x) for x in key.split(":"))
            n = recorded(info, text, s, e)
            if n is None or n.value is None:
                continue
            f = Fact(TextSpan(s, e, text[s:e]), n.value, n.unit, bool(n.approximate), [], iid)
            if in_tables(s, e, regions):
                cells.setdefault(iid, []).append(f)
            else:
                narrative.append(f)
        narrative.sort(key=lambda f: f.quantity.start)
        return check_narrative(narrative, cells, self.taxonomy)


@Language.factory("govie_indicators", default_config={"overwrite": False, "checks": True},
                  assigns=["doc._.indicator_ids"], requires=["doc._.relations"])
def make_indicators(nlp: Language, name: str, overwrite: bool, checks: bool) -> IndicatorLinker:
    return IndicatorLinker(name, overwrite, checks)
