"""``govie render``: one report as a self-contained HTML page (displaCy-style highlighting).

The page shows the report text with QUANTITY and METRIC spans highlighted, VALUE_OF / PART_OF links
(hover a span to highlight its partners and draw arcs; links within one line are drawn as arcs all the
time), a facts table whose rows link to the spans, and the consistency warnings of
:attr:`govie.Report.checks`. Everything (CSS, JS) is inline: no external resources are loaded.

>>> import govie
>>> from govie.io.render import render_html
>>> page = render_html(govie.parse("全市累计主动公开政府信息57194条。"), title="demo")
>>> "57194条" in page
True
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..report import Report

QUANTITY, METRIC = "QUANTITY", "METRIC"
VALUE_OF, PART_OF = "VALUE_OF", "PART_OF"
#: characters a browser shows badly (C0 controls except tab/newline, DEL, lone surrogates)
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def esc(value: Any) -> str:
    """HTML-escape ``value`` (quotes included); control characters and lone surrogates are replaced."""
    s = _BAD_CHARS.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else " ", str(value))
    return html.escape(s, quote=True)


def format_value(value: Any) -> str:
    """A fact's value as text, as in the JSON output (``57194``, ``12.5``)."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return str(value)


def _meta_value(key: str, value: Any) -> str:
    """A report.meta entry as a short text for the page header (never a Python repr)."""
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, dict) for v in value):
            kinds = sorted({str(v["kind"]) for v in value if v.get("kind") is not None})
            noun = "table" if key == "tables" else "item"
            return f"{len(value)} {noun}{'' if len(value) == 1 else 's'}" + (f" ({', '.join(kinds)})" if kinds else "")
        return ", ".join(_meta_value(key, v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_meta_value(str(k), v)}" for k, v in value.items())
    return format_value(value)


@dataclass
class _Span:
    start: int
    end: int
    label: str
    title: list[str] = field(default_factory=list)
    row: Optional[str] = None  # facts-table row id (quantities that are facts)
    linked: bool = False
    warn: list[str] = field(default_factory=list)  # the warnings (text against table) about this span

    @property
    def id(self) -> str:
        return f"{'q' if self.label == QUANTITY else 'm'}{self.start}-{self.end}"


def _collect(report: Report) -> tuple[list[_Span], list[tuple[str, str, str]], dict[int, str]]:
    """Spans to highlight (non-overlapping, in text order), links between them, fact index → row id."""
    n = len(report.text)
    quants: dict[tuple[int, int], _Span] = {}
    metrics: dict[tuple[int, int], _Span] = {}
    raw_links: list[tuple[tuple[int, int], tuple[int, int], str]] = []

    def ok(s: int, e: int) -> bool:
        return isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= n

    rows: dict[int, str] = {}
    fact_keys = {(f.quantity.start, f.quantity.end): i for i, f in enumerate(report.facts)}
    for f in list(report.quantities) + list(report.facts):
        k = (f.quantity.start, f.quantity.end)
        if not ok(*k) or k in quants:
            continue
        sp = quants[k] = _Span(*k, QUANTITY)
        unit = f" {f.unit}" if f.unit else ""
        sp.title.append(f"{'≈' if f.approximate else ''}{format_value(f.value)}{unit}")
        if k in fact_keys:
            sp.row = rows[fact_keys[k]] = f"f{fact_keys[k] + 1}"
        for m in f.metrics:
            raw_links.append((k, (m.start, m.end), VALUE_OF))
        if f.indicator_id:
            sp.title.append(f"[{f.indicator_id}]")
    for c in report.checks:
        for sp in _check_spans(c):
            k = (sp["start"], sp["end"])
            if not ok(*k):
                continue
            if k not in quants:
                quants[k] = _Span(*k, QUANTITY)
            other = [o for o in _check_spans(c) if o is not sp]
            quants[k].warn.append(f"⚠ {sp['role']} ≠ {other[0]['role']} {other[0]['text']}" if other else "⚠")
    for r in report.relations:
        try:
            h = (r["head"]["start"], r["head"]["end"])
            t = (r["tail"]["start"], r["tail"]["end"])
        except (KeyError, TypeError):
            continue
        raw_links.append((h, t, r.get("label", VALUE_OF)))
    raw_links = [link for link in dict.fromkeys(raw_links) if ok(*link[0]) and ok(*link[1])]
    for h, t, label in raw_links:
        for k, want in ((h, QUANTITY if label == VALUE_OF else METRIC), (t, METRIC)):
            if k not in quants and k not in metrics:
                (quants if want == QUANTITY else metrics)[k] = _Span(*k, want)
    # place quantities first, then metrics, never overlapping (the text stays readable)
    taken = bytearray(n)
    kept: dict[tuple[int, int], _Span] = {}
    for group in (quants, metrics):
        for k in sorted(group, key=lambda k: (k[0], k[0] - k[1])):
            if k in kept or any(taken[k[0]:k[1]]):
                continue
            taken[k[0]:k[1]] = b"\x01" * (k[1] - k[0])
            kept[k] = group[k]
    links: list[tuple[str, str, str]] = []
    for h, t, label in raw_links:
        if h in kept and t in kept and h != t:
            links.append((kept[h].id, kept[t].id, label))
            kept[h].linked = kept[t].linked = True
            if label == VALUE_OF and kept[h].label == QUANTITY:
                kept[h].title.append(f"→ {report.text[t[0]:t[1]]}")
    links = list(dict.fromkeys(links))
    return sorted(kept.values(), key=lambda s: s.start), links, rows


def _text_html(text: str, spans: list[_Span]) -> str:
    out: list[str] = []
    pos = 0
    for sp in spans:
        out.append(esc(text[pos:sp.start]))
        cls = "ent q" if sp.label == QUANTITY else "ent m"
        if sp.end - sp.start <= 12:
            cls += " nw"  # short spans do not break across lines
        if not sp.linked:
            cls += " unlinked"
        if sp.warn:
            cls += " warn"
        title = " ".join(sp.title + sp.warn) if sp.title or sp.warn else sp.label.lower()
        attrs = f'class="{cls}" id="{sp.id}" data-label="{sp.label}" title="{esc(title)}" tabindex="0"'
        body = esc(text[sp.start:sp.end])
        if sp.row:
            out.append(f'<a {attrs} href="#{sp.row}">{body}</a>')
        else:
            out.append(f"<span {attrs}>{body}</span>")
        pos = sp.end
    out.append(esc(text[pos:]))
    return "".join(out)


def _facts_html(report: Report, span_ids: set[str], rows: dict[int, str]) -> str:
    out = ['<table id="facts"><thead><tr><th>#</th><th>quantity</th><th>value</th><th>unit</th>'
           '<th title="approximate">≈</th><th>indicator</th><th>indicator_id</th></tr></thead><tbody>']
    for i, f in enumerate(report.facts):
        q = f.quantity
        qid = f"q{q.start}-{q.end}"
        qcell = f'<a href="#{qid}">{esc(q.text)}</a>' if qid in span_ids else esc(q.text)
        mcells = []
        for j, m in enumerate(f.metrics):
            mid = f"m{m.start}-{m.end}"
            cls = ' class="more"' if j else ""
            mcells.append(f'<a href="#{mid}"{cls}>{esc(m.text)}</a>' if mid in span_ids
                          else f"<span{cls}>{esc(m.text)}</span>")
        ind = f"<code>{esc(f.indicator_id)}</code>" if f.indicator_id else ""
        row = rows.get(i, f"f{i + 1}")
        out.append(f'<tr id="{row}" data-q="{qid if qid in span_ids else ""}">'
                   f'<td class="n">{i + 1}</td><td class="qt">{qcell}</td>'
                   f'<td class="num">{esc(format_value(f.value))}</td><td>{esc(f.unit or "")}</td>'
                   f'<td class="c">{"≈" if f.approximate else ""}</td><td>{" ".join(mcells)}</td>'
                   f"<td>{ind}</td></tr>")
    if not report.facts:
        out.append('<tr><td colspan="7" class="empty">no facts</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _check_spans(check: Any) -> list[dict]:
    """The well-formed spans of a warning (``Check.spans``), in order."""
    out = []
    for sp in getattr(check, "spans", None) or []:
        if isinstance(sp, dict) and isinstance(sp.get("start"), int) and isinstance(sp.get("end"), int):
            out.append({"role": str(sp.get("role") or "span"), "start": sp["start"], "end": sp["end"],
                        "text": str(sp.get("text") or "")})
    return out


def _checks_html(report: Report, rows_by_indicator: dict[str, str], span_ids: frozenset = frozenset()) -> str:
    if not report.checks:
        return '<section class="checks ok"><strong>✓ no consistency warnings</strong></section>'

    def ref(ind: str) -> str:
        row = rows_by_indicator.get(ind)
        return f'<a href="#{row}"><code>{esc(ind)}</code></a>' if row else f"<code>{esc(ind)}</code>"

    out = [f'<section class="checks warn" id="checks"><strong>⚠ {len(report.checks)} consistency '
           f'warning{"s" if len(report.checks) != 1 else ""}</strong><ul>']
    def span_ref(sp: dict) -> str:
        sid = f"q{sp['start']}-{sp['end']}"
        body = f"{esc(sp['role'])} <q>{esc(sp['text'])}</q>"
        return f'<a class="wspan" href="#{sid}">{body}</a>' if sid in span_ids else body

    for c in report.checks:
        spans = _check_spans(c)
        if c.kind == "narrative" and spans:
            links = " ↔ ".join(span_ref(sp) for sp in spans)
            out.append(f'<li class="narrative"><span class="msg">{esc(c.message)}</span><br>{links}; '
                       f"indicator {ref(c.total_id)}; gap (table − text) <b>{esc(format_value(c.gap))}</b></li>")
            continue
        parts = ", ".join(f"{ref(k)} = {esc(format_value(v))}" for k, v in (c.parts or {}).items())
        where = (" — " + ", ".join(span_ref(sp) for sp in spans)) if spans else ""
        out.append(f'<li><span class="msg">{esc(c.message)}</span><br>total {ref(c.total_id)} = '
                   f"{esc(format_value(c.total))}; parts {parts or '—'}; "
                   f'gap <b>{esc(format_value(c.gap))}</b>{where}</li>')
    out.append("</ul></section>")
    return "".join(out)


def render_html(report: Report, title: str) -> str:
    """A self-contained HTML page (inline CSS/JS, no external resources) showing ``report``."""
    spans, links, rows = _collect(report)
    span_ids = {s.id for s in spans}
    rows_by_indicator: dict[str, str] = {}
    for i, f in enumerate(report.facts):
        if f.indicator_id:
            rows_by_indicator.setdefault(f.indicator_id, rows.get(i, f"f{i + 1}"))
    n_q = sum(1 for s in spans if s.label == QUANTITY)
    n_m = len(spans) - n_q
    n_part = sum(1 for link in links if link[2] == PART_OF)
    n_checks = len(report.checks)
    stats = (f"{len(report.text):,} characters · {len(report.facts)} facts · {len(report.quantities)} quantities "
             f"({len(report.quantities) - len(report.facts)} unlinked) · {n_m} metrics · "
             f"{len(links) - n_part} VALUE_OF · {n_part} PART_OF links · "
             f"{n_checks} warning{'' if n_checks == 1 else 's'}")
    meta = ""
    if report.meta:
        meta = '<dl class="meta">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(_meta_value(str(k), v))}</dd>"
                                             for k, v in report.meta.items()) + "</dl>"
    # JSON inside <script>: no "<", ">" or "&" may appear literally
    data = json.dumps(links, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026")
    from .. import __version__

    return _PAGE.format(
        title=esc(title), version=esc(__version__), stats=esc(stats), meta=meta,
        checks=_checks_html(report, rows_by_indicator, frozenset(span_ids)), text=_text_html(report.text, spans),
        facts=_facts_html(report, span_ids, rows), links=data, css=_CSS, js=_JS,
        empty=' <em class="empty">(empty report)</em>' if not report.text.strip() else "",
    )


# ---------------------------------------------------------------------------------------------- CLI

def cmd_render(args: argparse.Namespace) -> int:
    from ..api import load, parse
    from ..cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE, _err
    from .readers import InputError, read_file

    path = Path(args.path)
    if not path.exists():
        _err(f"{path}: no such file or directory")
        return EXIT_USAGE
    if path.is_dir():
        _err(f"{path}: is a directory; render takes one report file")
        return EXIT_USAGE
    if args.output:
        from ..cli import output_problem

        problem = output_problem(Path(args.output), [str(path)], [path])
        if problem:
            _err(problem)
            return EXIT_USAGE
    try:
        text = read_file(path)
    except InputError as e:
        _err(str(e))
        return EXIT_INPUT
    except ImportError as e:
        _err(f"{path}: cannot read this format ({e})")
        return EXIT_INPUT
    if not text.strip():
        _err(f"{path}: empty input, no facts")
    report = parse(text, nlp=load(args.model))
    page = render_html(report, title=args.title or path.name)
    if args.output:
        from .batch import _atomic_write

        try:
            _atomic_write(Path(args.output), lambda out: out.write(page))
        except OSError as e:
            _err(f"{args.output}: {e.strerror or e}")
            return EXIT_USAGE
    else:
        sys.stdout.write(page)
    return EXIT_OK


def add_commands(subparsers: Any) -> None:
    p = subparsers.add_parser("render", help="write one report as a self-contained HTML page")
    p.add_argument("path", help="a report file (.txt; .html .docx .pdf where the extractors are installed)")
    p.add_argument("-o", "--output", help="write the page here instead of stdout")
    p.add_argument("--model", default=None, help="pipeline directory, or 'rules' for the rule baseline")
    p.add_argument("--title", default=None, help="page title (default: the file name)")
    p.set_defaults(func=cmd_render)


# ------------------------------------------------------------------------------------------- assets

_CSS = """
:root{--q:#feca74;--q-b:#e0a030;--m:#7aecec;--m-b:#2fb8b8;--part:#8e6bd6;--val:#c77c00;--ink:#1d2129;
--muted:#6a7280;--line:#e3e6ea;--bg:#fafafa}
*{box-sizing:border-box}
html,body{margin:0;background:var(--bg);color:var(--ink);
font:15px/1.5 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif}
header{padding:12px 20px 8px;border-bottom:1px solid var(--line);background:#fff}
h1{font-size:19px;margin:0 0 2px;font-weight:600;overflow-wrap:anywhere}
.stats{color:var(--muted);font-size:13px}
.bar{display:flex;flex-wrap:wrap;gap:14px;align-items:center;margin-top:6px;font-size:13px}
.legend span{display:inline-block;padding:0 6px;border-radius:4px;margin-right:4px;font-size:12px;font-weight:600}
.legend .lq{background:var(--q)}.legend .lm{background:var(--m)}
.legend .lv{color:var(--val)}.legend .lp{color:var(--part)}
.bar label{cursor:pointer;user-select:none}
.meta{display:flex;flex-wrap:wrap;gap:2px 12px;margin:4px 0 0;font-size:12px;color:var(--muted)}
.meta dt{font-weight:600}.meta dd{margin:0 8px 0 0}
main{display:grid;grid-template-columns:minmax(0,1.2fr) minmax(420px,1fr);gap:0;align-items:start}
.left{padding:12px 20px 40px;min-width:0}
.right{position:sticky;top:0;max-height:100vh;overflow:auto;border-left:1px solid var(--line);background:#fff}
.checks{border-radius:6px;padding:8px 12px;margin:0 0 12px;font-size:13.5px}
.checks.ok{background:#eef8ee;border:1px solid #b9dfb9;color:#2d6a2d}
.checks.warn{background:#fff6e0;border:1px solid #f0c36d;color:#6b4a00}
.checks ul{margin:6px 0 0;padding-left:20px;max-height:30vh;overflow:auto}.checks li{margin:3px 0}
.checks .msg{font-weight:600}
.checks a.wspan{color:inherit;background:#fde2e1;border-radius:3px;padding:0 3px}
.ent.warn{outline:2px solid #d9534f;outline-offset:1px}
.doc{position:relative;background:#fff;border:1px solid var(--line);border-radius:6px;padding:14px 18px}
#text{white-space:pre-wrap;overflow-wrap:anywhere;line-height:2.55;tab-size:4;font-size:15px;position:relative;
z-index:1}
svg#arcs{position:absolute;left:0;top:0;pointer-events:none;z-index:2;overflow:visible}
svg#arcs path{fill:none;stroke-width:1.4}
svg#arcs .VALUE_OF{stroke:var(--val)}svg#arcs .PART_OF{stroke:var(--part);stroke-dasharray:4 3}
svg#arcs .hover{stroke-width:2.2}
.ent{padding:.2em .3em;margin:0 .12em;border-radius:.35em;line-height:1;color:inherit;text-decoration:none;
-webkit-box-decoration-break:clone;box-decoration-break:clone;cursor:pointer;transition:opacity .12s}
.ent.nw{white-space:nowrap}.ent.q{background:var(--q)}.ent.m{background:var(--m)}
.ent.unlinked{background:none;box-shadow:inset 0 0 0 1px var(--q-b)}
.ent.m.unlinked{box-shadow:inset 0 0 0 1px var(--m-b)}
body.tags .ent::after{content:attr(data-label);font-size:.52em;font-weight:700;letter-spacing:.02em;
vertical-align:middle;margin-left:.35em;opacity:.7}
body.tags .ent.q::after{content:"QTY"}
.dim .ent{opacity:.35}
.dim .ent.hl{opacity:1}
.ent.hl{box-shadow:0 0 0 2px var(--ink)}
.ent.hl.self{box-shadow:0 0 0 2px var(--val)}
.ent:target{animation:flash 1.6s ease-out;box-shadow:0 0 0 2px #d33}
@keyframes flash{0%{box-shadow:0 0 0 6px rgba(221,51,51,.6)}100%{box-shadow:0 0 0 2px #d33}}
.tablebar{position:sticky;top:0;background:#fff;padding:8px 10px;border-bottom:1px solid var(--line);z-index:3;
display:flex;gap:10px;align-items:center;font-size:13px}
.tablebar input{flex:1;padding:4px 8px;border:1px solid var(--line);border-radius:4px;font:inherit}
table{border-collapse:collapse;width:100%;font-size:13px}
th{position:sticky;top:41px;background:#f3f4f6;text-align:left;font-weight:600;padding:4px 6px;
border-bottom:1px solid var(--line);z-index:2}
td{padding:3px 6px;border-bottom:1px solid #f0f1f3;vertical-align:top;overflow-wrap:anywhere}
td.n{color:var(--muted);text-align:right;white-space:nowrap;width:2.5em}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.c{text-align:center}td.qt{white-space:nowrap}
td a{color:inherit;text-decoration:none;border-bottom:1px dotted var(--muted)}
td.qt a{background:var(--q);border:0;border-radius:3px;padding:0 3px}
td a.more{color:var(--muted);font-size:12px}
td code{font-size:11.5px;color:#4b3aa8;white-space:nowrap}
tr:target td,tr.hl td{background:#fff3c4}
tr:hover td{background:#f6f7f9}
.empty{color:var(--muted);text-align:center;padding:16px}
@media (max-width:1000px){main{grid-template-columns:1fr}.right{position:static;max-height:none;
border-left:0;border-top:1px solid var(--line)}th{top:0}}
@media print{.right{position:static;max-height:none}svg#arcs{display:none}}
"""

_JS = r"""
(function(){
"use strict";
var links=JSON.parse(document.getElementById("govie-links").textContent);
var text=document.getElementById("text"),doc=document.querySelector(".doc"),svg=document.getElementById("arcs");
var NS="http://www.w3.org/2000/svg",partners={},el={};
function byId(id){return el[id]||(el[id]=document.getElementById(id));}
links.forEach(function(l){(partners[l[0]]=partners[l[0]]||[]).push(l);(partners[l[1]]=partners[l[1]]||[]).push(l);});
// one arrowhead marker per link kind
var defs=document.createElementNS(NS,"defs");
[["VALUE_OF","#c77c00"],["PART_OF","#8e6bd6"]].forEach(function(k){
 var m=document.createElementNS(NS,"marker");m.setAttribute("id","ah-"+k[0]);m.setAttribute("viewBox","0 0 8 8");
 m.setAttribute("refX","7");m.setAttribute("refY","4");m.setAttribute("markerWidth","6");m.setAttribute("markerHeight","6");
 m.setAttribute("orient","auto");var p=document.createElementNS(NS,"path");p.setAttribute("d","M0,0 L8,4 L0,8 z");
 p.setAttribute("fill",k[1]);m.appendChild(p);defs.appendChild(m);});
svg.appendChild(defs);
var gAll=document.createElementNS(NS,"g"),gHover=document.createElementNS(NS,"g");
svg.appendChild(gAll);svg.appendChild(gHover);
function anchor(e,base,last){var rs=e.getClientRects();if(!rs.length)return null;var r=last?rs[rs.length-1]:rs[0];
 return {x:r.left-base.left+r.width/2,y:r.top-base.top,h:r.height};}
function arc(l,g,cls,maxSameLine){
 var a=byId(l[0]),b=byId(l[1]);if(!a||!b)return;
 var base=doc.getBoundingClientRect();
 var pa=anchor(a,base,false),pb=anchor(b,base,false);if(!pa||!pb)return;
 var same=Math.abs(pa.y-pb.y)<4,d;
 if(maxSameLine){if(!same||Math.abs(pa.x-pb.x)>maxSameLine)return;}
 if(same){var h=Math.min(15,5+Math.abs(pa.x-pb.x)*0.06);
  d="M"+pa.x+","+pa.y+" C"+pa.x+","+(pa.y-h)+" "+pb.x+","+(pb.y-h)+" "+pb.x+","+pb.y;}
 else{// different lines: leave the upper span at its bottom, enter the lower one at its top
  var up=pa.y<pb.y,ea=anchor(a,base,up),eb=anchor(b,base,!up);
  var ya=up?ea.y+ea.h:ea.y,yb=up?eb.y:eb.y+eb.h,k=Math.min(40,Math.abs(yb-ya)/2)*(up?1:-1);
  d="M"+ea.x+","+ya+" C"+ea.x+","+(ya+k)+" "+eb.x+","+(yb-k)+" "+eb.x+","+yb;}
 var p=document.createElementNS(NS,"path");p.setAttribute("d",d);p.setAttribute("class",l[2]+(cls?" "+cls:""));
 p.setAttribute("marker-end","url(#ah-"+l[2]+")");g.appendChild(p);}
function sizeSvg(){svg.setAttribute("width",doc.scrollWidth);svg.setAttribute("height",doc.scrollHeight);}
var showArcs=document.getElementById("opt-arcs"),showTags=document.getElementById("opt-tags");
function drawAll(){while(gAll.firstChild)gAll.removeChild(gAll.firstChild);sizeSvg();
 if(!showArcs.checked)return;var frag=document.createDocumentFragment();
 for(var i=0;i<links.length;i++)arc(links[i],frag,"",420);gAll.appendChild(frag);}
var current=null;
function clear(){if(!current)return;document.querySelectorAll(".hl").forEach(function(x){x.classList.remove("hl","self");});
 text.classList.remove("dim");while(gHover.firstChild)gHover.removeChild(gHover.firstChild);current=null;}
function focusOn(id,row){clear();var e=byId(id);if(!e)return;current=id;text.classList.add("dim");
 e.classList.add("hl","self");(partners[id]||[]).forEach(function(l){
  var o=byId(l[0]===id?l[1]:l[0]);if(o){o.classList.add("hl");markRow(o);}arc(l,gHover,"hover",0);
 });
 if(row){var tr=byId(row);if(tr)tr.classList.add("hl");}else markRow(e);}
function markRow(e){var r=(e.getAttribute("href")||"").slice(1),tr=r&&byId(r);if(tr&&tr.tagName==="TR")tr.classList.add("hl");}
text.addEventListener("mouseover",function(ev){var e=ev.target.closest(".ent");if(e&&e.id!==current)focusOn(e.id);});
text.addEventListener("mouseleave",clear);
text.addEventListener("mouseout",function(ev){var e=ev.target.closest(".ent");
 if(e&&!(ev.relatedTarget&&e.contains(ev.relatedTarget)))clear();});
text.addEventListener("focusin",function(ev){var e=ev.target.closest(".ent");if(e)focusOn(e.id);});
text.addEventListener("focusout",clear);
var tbody=document.querySelector("#facts tbody");
tbody.addEventListener("mouseover",function(ev){var tr=ev.target.closest("tr");if(tr&&tr.dataset.q)focusOn(tr.dataset.q,tr.id);});
tbody.addEventListener("mouseleave",clear);
showArcs.addEventListener("change",drawAll);
showTags.addEventListener("change",function(){document.body.classList.toggle("tags",showTags.checked);drawAll();});
var filter=document.getElementById("filter");
filter.addEventListener("input",function(){var q=filter.value.trim().toLowerCase();
 tbody.querySelectorAll("tr").forEach(function(tr){tr.style.display=!q||tr.textContent.toLowerCase().indexOf(q)>=0?"":"none";});});
var t=null;window.addEventListener("resize",function(){clearTimeout(t);t=setTimeout(drawAll,150);});
function fromHash(){var id=decodeURIComponent(location.hash.slice(1)),e=id&&byId(id);
 if(e&&e.classList.contains("ent"))focusOn(id);}
window.addEventListener("hashchange",fromHash);
function start(){drawAll();fromHash();}
if(document.fonts&&document.fonts.ready)document.fonts.ready.then(start);
start();
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="govie {version}">
<title>{title} · govie</title>
<style>{css}</style>
</head>
<body class="tags">
<header>
<h1>{title}{empty}</h1>
<div class="stats">{stats}</div>
{meta}
<div class="bar">
<span class="legend"><span class="lq">QUANTITY</span><span class="lm">METRIC</span>
<b class="lv">→ VALUE_OF</b> <b class="lp">⇢ PART_OF</b></span>
<label><input type="checkbox" id="opt-arcs" checked> arcs within a line</label>
<label><input type="checkbox" id="opt-tags" checked> label tags</label>
<span class="stats">hover a span to see its links; click a quantity to find its row</span>
</div>
</header>
<main>
<div class="left">
{checks}
<div class="doc"><svg id="arcs" aria-hidden="true"></svg><div id="text">{text}</div></div>
</div>
<aside class="right">
<div class="tablebar"><strong>Facts</strong><input id="filter" type="search" placeholder="filter rows…"></div>
{facts}
</aside>
</main>
<script type="application/json" id="govie-links">{links}</script>
<script>{js}</script>
</body>
</html>
"""
