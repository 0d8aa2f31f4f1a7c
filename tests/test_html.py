"""HTML pages: self-contained, escaped, with the table, the recommendation and an inline SVG."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from conftest import SWEEP_CHATBOT, TODAY

from openclosed.analyses import sweep as sw
from openclosed.analyses.compare import compare
from openclosed.decide.recommend import with_named
from openclosed.engine import Engine, Settings
from openclosed.render import Column, View
from openclosed.render.html import report_html, to_html
from openclosed.render.listing import best_per_model_and_kind, kind_of
from openclosed.workload.presets import preset

SETTINGS = Settings(today=dt.date.fromisoformat(TODAY))


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.svg_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.stack.append(tag)
        if tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)
        if "svg" in self.stack:
            self.svg_text.append(data)


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    p.close()
    return p


def _no_external(p: Page, html: str) -> None:
    for tag, attrs in p.tags:
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not value.startswith(("http:", "https:", "//")), (tag, key, value)
        assert tag not in ("script", "link", "iframe", "img")
    assert "@import" not in html and "url(" not in html


def test_compare_html_report(cli, catalog) -> None:
    r = cli("compare", "--preset", "chatbot", "--today", TODAY, "--format", "html")
    assert r.code == 0, r.err
    html = r.out
    assert html.startswith("<!DOCTYPE html>")
    p = parse(html)
    result = compare(catalog, preset("chatbot"), SETTINGS)
    # The best option of each model and of each kind, plus every option the recommendation names.
    feasible = best_per_model_and_kind([o for o in result.report.options if o.feasible])
    shown = with_named(result.report.options, feasible, result.report.recommendation)
    body_rows = [row for row in p.rows if row and row[0] != "#"]
    # Each option's id, its kind on a second line (<br>: no text between them).
    assert [row[1] for row in body_rows] == [o.id + kind_of(o) for o in shown]
    rec = result.report.recommendation
    text = " ".join(p.text)
    assert rec is not None and rec.why in text
    assert shown[0].reasons[0] in text
    assert any(tag == "svg" for tag, _ in p.tags)
    assert "@media print" in html
    _no_external(p, html)


def test_report_html_escapes_everything(catalog) -> None:
    result = compare(catalog, preset("chatbot").model_copy(update={"name": "<b>evil</b> & co"}), SETTINGS)
    report = result.report
    html = report_html(report.model_copy(update={"options": report.options[:5]}), result)
    assert "<b>evil</b>" not in html
    assert "&lt;b&gt;evil&lt;/b&gt; &amp; co" in html


def test_sweep_html_has_the_chart_and_the_points(cli, catalog) -> None:
    r = cli(
        *SWEEP_CHATBOT,
        "--steps",
        "25",
        "--today",
        TODAY,
        "--format",
        "html",
    )
    assert r.code == 0, r.err
    p = parse(r.out)
    _no_external(p, r.out)
    start = r.out.index("<svg")
    svg = r.out[start : r.out.index("</svg>", start) + 6]
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag.endswith("svg")
    polylines = [el for el in root.iter() if el.tag.endswith("polyline")]
    res = sw.sweep(
        Engine(catalog, preset("chatbot"), SETTINGS),
        sw.parse_spec("requests_per_month=1e3..1e9", preset("chatbot"), steps=25),
    )
    assert len(polylines) == len(res.series)
    svg_text = " ".join(p.svg_text)
    for s in res.series:
        assert s.id in svg_text
    cells = {c for row in p.rows for c in row}
    assert "1,000,000" in cells  # a decade point of the sampled table


def test_generic_view_to_html() -> None:
    view = View(
        title="t <1>",
        columns=[Column("a", "A"), Column("b", "B $", "money")],
        rows=[{"a": "x&y", "b": 1234.5}],
        json=None,
        notes=["note <i>"],
    )
    html = to_html(view)
    p = parse(html)
    assert ["x&y", "$1,234"] in p.rows or ["x&y", "$1,235"] in p.rows
    assert "<i>" not in html and "&lt;i&gt;" in html
