"""HTML: one self-contained page (inline CSS and SVG, no script, nothing fetched).

`report_html` is the `compare --format html` report, `sweep_html` the `sweep --format html`
page, `to_html` any other View. Every piece of text from the catalogue, the workload or the
user is escaped with html.escape.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from . import Block, View
from .fmt import cell

if TYPE_CHECKING:
    from ..analyses.sweep import Sweep
    from ..engine import Result
    from ..report import Report

NUMERIC = ("money", "number", "int", "score", "lock", "pct", "figure")

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b;
       margin: 0 auto; max-width: 1080px; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 4px; }
.meta { color: #555; font-size: 13px; margin: 0 0 16px; }
.rec { background: #f2f7ff; border-left: 4px solid #1f77b4; padding: 12px 16px; margin: 12px 0; }
.rec strong { font-size: 17px; }
.warn { background: #fff7e6; border-left: 4px solid #e0a000; padding: 8px 14px; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 8px 0; }
th, td { padding: 5px 7px; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
th { background: #f6f6f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
span.range { color: #555; font-size: 12px; font-weight: 400; }
span.id { white-space: nowrap; }
span.kind { color: #555; font-size: 12px; font-weight: 400; }
@media (max-width: 900px) {
  body { padding: 16px 12px 32px; }
  table { font-size: 11.5px; }
  th, td { padding: 4px 3px; }
  span.range, span.kind { font-size: 11px; }
}
tr.top td { background: #f2f7ff; font-weight: 600; }
dl.wl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 18px; margin: 0; }
dl.wl dt { color: #555; } dl.wl dd { margin: 0; }
ul.reasons { margin: 2px 0 10px; padding-left: 20px; font-size: 13.5px; }
.bad { color: #b00020; } .muted { color: #666; }
figure { margin: 12px 0; } figcaption { color: #555; font-size: 13px; }
svg { max-width: 100%; height: auto; }
footer { margin-top: 36px; color: #777; font-size: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  table, figure, .rec { break-inside: avoid; }
  tr { break-inside: avoid; }
  .rec, .warn, th, tr.top td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { margin: 14mm; }
}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


class Raw(str):
    """A cell already written as HTML (its parts escaped where it was built)."""


def _c(value: object) -> str:
    return value if isinstance(value, Raw) else _e(value)


def table(headers: list[tuple[str, bool]], rows: list[list[str]], row_classes: list[str] | None = None) -> str:
    """Escaped cells (but `Raw` ones); headers are (text, numeric)."""
    head = "".join(f'<th class="num">{_c(h)}</th>' if num else f"<th>{_c(h)}</th>" for h, num in headers)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        cells = "".join(
            f'<td class="num">{_c(v)}</td>' if headers[k][1] else f"<td>{_c(v)}</td>" for k, v in enumerate(row)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"


def constraint_items(wl: object) -> list[tuple[str, str]]:
    """The constraints a report was judged under (its `workload` echo), under the workload file's
    own keys: `latency.max_ttft_ms`, `privacy.sensitivity`, ...; unset limits read "none"."""
    from ..report import to_plain

    out: list[tuple[str, str]] = []
    for section in ("latency", "privacy", "licence", "quality", "budget", "horizon_months", "self_hosting", "traffic"):
        value = getattr(wl, section, None)
        if value is None:
            continue
        plain = to_plain(value)
        items = plain.items() if isinstance(plain, dict) else [(None, plain)]
        for key, v in items:
            if isinstance(v, list):
                text = ", ".join(map(str, v)) or "any"
            elif isinstance(v, bool):
                text = "yes" if v else "no"
            elif v is None:
                text = "none"
            else:
                text = f"{v:,g}" if isinstance(v, float) else str(v)
            out.append((section + (f".{key}" if key else ""), text))
    return out


def _id_html(oid: str) -> str:
    """An option id that a narrow page may break after its "@" and nowhere else (never inside a
    model's or a host's name, so it reads, and copies, whole)."""
    head, at, tail = oid.partition("@")
    if not at:
        return f'<span class="id">{_e(oid)}</span>'
    return f'<span class="id">{_e(head)}@</span><wbr><span class="id">{_e(tail)}</span>'


def _workload_dl(items: list[tuple[str, str]]) -> str:
    return '<dl class="wl">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items) + "</dl>"


# ------------------------------------------------------------------ compare report
def report_html(report: Report, result: Result | None = None) -> str:
    """The comparison as a page: workload, recommendation and reasons, cost chart, ranked table."""
    from ..analyses.sweep_picks import kind_of
    from .svg import bar_chart_svg
    from .views import (
        LEGEND_DIRECTION,
        catalogue_date,
        cost_range,
        latency_text,
        legend,
        quality_text,
        range_sentence,
        spend_line,
    )

    wl = report.workload
    options = report.options
    parts = [
        f"<h1>openclosed: how to host the &lsquo;{_e(wl.name)}&rsquo; workload</h1>",
        f'<p class="meta">openclosed {_e(report.tool.version)} · catalogue as of '
        f"{_e(catalogue_date(report))} ({report.catalog.models} models, {report.catalog.providers} "
        f"providers, {report.catalog.gpus} GPUs) · checked for {_e(report.generated_for)} · "
        f"profile {_e(report.profile)} · sorted by {_e(report.sort)}</p>",
    ]
    rec = report.recommendation
    if rec is not None:
        extra = range_sentence(report)
        headline = f"Recommended: {rec.id}"
        if report.routing is not None:
            from .routing_view import kind_label

            kind = report.recommendation_kind
            routed = "; ".join(f"{c.name} → {c.recommended}" for c in report.routing.classes)
            headline = f"Recommendation ({kind_label(kind)}): {routed if kind == 'routed' else rec.id}"
        parts.append(
            f'<div class="rec"><strong>{_e(headline)}</strong><p>{_e(rec.why)}</p>'
            + (f'<p class="range">{_e(extra)}</p>' if extra else "")
            + "</div>"
        )
    else:
        parts.append('<div class="warn">No option meets every constraint of this workload.</div>')
    spend = spend_line(report)
    if spend:
        parts.append(f'<p class="spend"><strong>{_e(spend)}</strong></p>')
    for w in report.warnings:
        parts.append(f'<div class="warn">{_e(w)}</div>')
    if report.routing is not None:
        from .routing_view import routing_block

        parts.append(_block_html(routing_block(report.routing)))
    parts.append("<h2>Workload</h2>")
    parts.append(
        _workload_dl(
            [
                ("source", wl.source),
                ("requests per month", f"{wl.requests_per_month:,.0f}"),
                ("tokens per request", f"{wl.input_tokens:,.0f} input / {wl.output_tokens:,.0f} output"),
                ("tokens per month", f"{wl.tokens_per_month:,.0f}"),
                ("cached input share", f"{wl.cached_input_share:g}"),
                ("batch share", f"{wl.batch_share:g}"),
                ("peak to average", f"{wl.peak_to_average:g}"),
                ("longest request", f"{wl.context_tokens:,.0f} tokens"),
                ("score weights", ", ".join(f"{k} {v:g}" for k, v in report.weights.items())),
                *constraint_items(wl),
            ]
        )
    )
    if options:
        parts.append("<h2>Monthly cost</h2>")
        # An option that cannot run has no cost to draw.
        shown = [o for o in options if o.monthly_cost is not None][:20]
        items = [(o.id, o.monthly_cost, kind_of(o), o.monthly_cost_low, o.monthly_cost_high) for o in shown]
        parts.append(
            "<figure>"
            + bar_chart_svg("Monthly cost of the options below (USD/month; whiskers: P10–P90)", items)
            + (
                f"<figcaption>The first {len(shown)} of {len(options)} options.</figcaption>"
                if len(options) > len(shown)
                else ""
            )
            + "</figure>"
        )
    parts.append("<h2>Ranked options</h2>")
    # Narrow enough for an 800-pixel window or a printed page: the kind under the id, an id that
    # breaks only after its "@", the feasibility column only when an option is not feasible.
    with_status = any(not o.feasible for o in options)
    # Cash up front for owned servers: a column only when an option listed has some.
    with_capex = any((getattr(o, "capex", 0.0) or 0.0) > 0 for o in options)
    headers = [
        ("#", True),
        (Raw('option<br><span class="kind">kind</span>'), False),
        (Raw('$/month<br><span class="range">P10–P90</span>'), True),
        *([("capex", True)] if with_capex else []),
        ("$/Mtok", True),
        ("privacy↑", True),
        ("lock-in↓", True),
        ("quality↑", True),
        ("TTFT ms", True),
        ("overall↑", True),
    ] + ([("feasible", False)] if with_status else [])
    rows, classes = [], []
    for o in options:
        rows.append(
            [
                cell(o.rank, "int"),
                Raw(f'{_id_html(o.id)}<br><span class="kind">{_e(kind_of(o))}</span>'),
                Raw(
                    _e(cell(o.monthly_cost, "money"))
                    + (f'<br><span class="range">{_e(cost_range(o))}</span>' if cost_range(o) else "")
                ),
                *([cell(o.capex, "money")] if with_capex else []),
                cell(o.cost_per_million_tokens, "money"),
                cell(o.scores.privacy, "score"),
                cell(o.scores.lock_in, "lock"),
                cell(quality_text(o), "number"),
                cell(latency_text(o), "number"),
                cell(o.scores.overall, "score"),
            ]
            + (["yes" if o.feasible else "no"] if with_status else [])
        )
        classes.append("top" if rec is not None and o.id == rec.id else "")
    parts.append(table(headers, rows, classes) if rows else "<p>No options to show.</p>")
    parts.append(
        '<p class="muted">↑ higher is better, ↓ lower is better: privacy and overall (0..100) and quality (the '
        "catalogue's index, Artificial Analysis Intelligence Index v4.3) are higher-better; lock-in (0..100) is "
        "lower-better. Costs in USD; P10–P90: the 10th to 90th percentile of each monthly cost over the sampled "
        f"scenarios ({_e(LEGEND_DIRECTION)}).</p>"
    )
    for line in legend(options):
        parts.append(f'<p class="muted legend">{_e(line)}</p>')
    parts.append("<h2>Why each option scores as it does</h2>")
    for o in options:
        items = [f"<li>{_e(r)}</li>" for r in o.reasons]
        items += [f'<li class="bad">{_e(v)}</li>' for v in o.violations]
        items += [f'<li class="muted">warning: {_e(w)}</li>' for w in o.warnings]
        parts.append(f'<h3>{_e(o.id)} <span class="muted">({_e(o.model_name)}, {_e(o.licence)})</span></h3>')
        parts.append(f'<ul class="reasons">{"".join(items)}</ul>')
    parts.append(
        f"<footer>Generated by openclosed {_e(report.tool.version)}. Catalogue sources: "
        f"{_e(', '.join(report.catalog.sources) or 'embedded')}.</footer>"
    )
    return page(f"openclosed report: {wl.name}", "\n".join(parts))


# ------------------------------------------------------------------ sweep
def sweep_html(sw: Sweep) -> str:
    from .chart import sweep_chart_data
    from .svg import line_chart_svg
    from .sweep_view import featured, key, sample_indices, value_text

    cd = sweep_chart_data(sw)
    wl = sw.workload
    parts = [
        f"<h1>openclosed sweep: {_e(sw.field)} for &lsquo;{_e(wl.name)}&rsquo;</h1>",
        f'<p class="meta">{_e(sw.field)} from {_e(value_text(sw.spec.start))} to '
        f"{_e(value_text(sw.spec.stop))} in {sw.spec.steps} "
        f"{'log-spaced' if sw.spec.log else 'evenly spaced'} points · method: {_e(sw.method)}</p>",
        "<h2>Workload</h2>",
        _workload_dl(
            [
                ("source", sw.workload_source),
                ("requests per month", f"{wl.requests_per_month:,.0f}"),
                (
                    "tokens per request",
                    f"{wl.traffic.input_tokens:,.0f} input / {wl.traffic.output_tokens:,.0f} output",
                ),
                ("cached input share", f"{wl.traffic.cached_input_share:g}"),
                ("peak to average", f"{wl.traffic.peak_to_average:g}"),
                ("GPU price multiplier", f"{wl.self_hosting.gpu_price_multiplier:g}"),
            ]
        ),
        "<h2>Cost</h2>",
        "<figure>" + line_chart_svg(cd) + "</figure>",
    ]
    if cd.marks:
        parts.append("<h2>Break-even points</h2><ol>" + "".join(f"<li>{_e(m.detail)}</li>" for m in cd.marks) + "</ol>")
    else:
        parts.append("<p>The options never swap order in this range.</p>")
    for note in cd.notes + sw.notes:
        parts.append(f'<p class="muted">{_e(note)}</p>')
    parts.append("<h2>Options</h2>")
    parts.append(
        table(
            [("key", False), ("option", False), ("kind", False), ("feasible", False)],
            [
                [
                    key(i),
                    s.id,
                    s.kind,
                    "yes" if all(s.feasible) else "no: " + "; ".join(s.violations),
                ]
                for i, s in enumerate(sw.series)
            ],
        )
    )
    parts.append("<h2>Monthly cost at selected points</h2>")
    idx = sample_indices(sw)
    shown = [sw.series[k] for k in featured(sw, 12, idx)]
    headers = [(sw.spec.unit, True)] + [(f"{s.id} $/month", True) for s in shown]
    rows = [[value_text(sw.values[i])] + [cell(s.costs[i], "money") for s in shown] for i in idx]
    parts.append(table(headers, rows))
    parts.append('<p class="muted">Every point is in <code>--format csv</code> and <code>--format json</code>.</p>')
    return page(f"openclosed sweep: {sw.field}", "\n".join(parts))


# ------------------------------------------------------------------ any view
def to_html(view: View) -> str:
    cols = [c for c in view.columns if c.table]
    parts = [f"<h1>{_e(view.title)}</h1>"] + [f'<p class="spend">{_e(line)}</p>' for line in view.intro]
    rows = [[cell(r.get(c.key), c.kind) for c in cols] for r in view.rows]
    parts.append(table([(c.header, c.kind in NUMERIC) for c in cols], rows) if rows else "<p>Nothing to show.</p>")
    for note in view.notes:
        parts.append(f"<p>{_e(note)}</p>")
    for heading, body in view.sections:
        parts.append(f"<h2>{_e(heading)}</h2>" + "".join(f"<p>{_e(line)}</p>" for line in body))
    for block in view.blocks:
        parts.append(_block_html(block))
    return page(view.title, "\n".join(parts))


def _block_html(block: Block) -> str:
    cols = [c for c in block.columns if c.table]
    rows = [[cell(r.get(c.key), c.kind) for c in cols] for r in block.rows]
    body = table([(c.header, c.kind in NUMERIC) for c in cols], rows) if rows else "<p>Nothing to show.</p>"
    return f"<h2>{_e(block.title)}</h2>" + body + "".join(f'<p class="muted">{_e(n)}</p>' for n in block.notes)
