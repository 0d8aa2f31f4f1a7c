"""Estimated quality and unchecked latency are visible in every output (JSON, CSV, table, HTML)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from openclosed import compare, load_catalog, preset
from openclosed.render import render_csv, render_table
from openclosed.render.html import report_html
from openclosed.render.views import LEGEND_ESTIMATE, LEGEND_UNCHECKED, compare_view, latency_text, quality_text
from openclosed.report import ApiSpeedOut, OptionOut, construct, to_plain


@pytest.fixture(scope="module")
def report():
    from openclosed.engine import Settings

    rep = compare(load_catalog(use_env=False), preset("chatbot"), Settings(today=dt.date(2026, 11, 30))).report
    rep.options = rep.options[:6]
    api = next(o for o in rep.options if o.deployment == "api")
    api.quality_estimated = True
    api.api_speed = construct(
        ApiSpeedOut,
        output_tokens_per_s=None,
        ttft_ms=None,
        source=None,
        as_of=None,
        prompt_tokens=None,
        measured_ttft_ms=None,
        unchecked=True,
    )
    return rep


def test_catalogue_flags_estimates() -> None:
    cat = load_catalog(use_env=False)
    models = cat.models_file.models
    est = [m.id for m in models if m.quality and m.quality.estimated]
    assert est and all(m.quality.error is not None for m in models if m.quality and m.quality.estimated)
    # Every flagged estimate says so in its note, and no published value is flagged.
    for m in models:
        if m.quality is not None:
            assert m.quality.estimated == ("ESTIMATE" in (m.quality.note or "")), m.id


def test_construct_fills_new_fields_for_callers_written_before_them() -> None:
    # The engine builds options without quality_estimated/api_speed until it sets them.
    values = {k: None for k in OptionOut.__pydantic_fields__ if k not in ("quality_estimated", "api_speed")}
    o = construct(OptionOut, **values)
    assert o.quality_estimated is False and o.api_speed is None
    with pytest.raises(TypeError):
        construct(OptionOut, id="x")


def test_json_and_csv_carry_the_flags(report) -> None:
    api = next(o for o in report.options if o.quality_estimated)
    data = to_plain(api)
    assert data["quality_estimated"] is True
    assert data["api_speed"] == {
        "output_tokens_per_s": None,
        "ttft_ms": None,
        "source": None,
        "as_of": None,
        "prompt_tokens": None,
        "measured_ttft_ms": None,
        "basis": None,
        "unchecked": True,
    }
    view = compare_view(report, report.options, show_all=False)
    rows = list(csv.DictReader(io.StringIO(render_csv(view))))
    row = next(r for r in rows if r["id"] == api.id)
    assert row["quality_estimated"] == "true" or row["quality_estimated"] == "True"
    assert row["api_speed_unchecked"] in ("true", "True")
    assert row["api_speed_basis"] == ""  # no figure applied, so no basis


def test_table_and_html_mark_estimates_and_unchecked_latency(report) -> None:
    api = next(o for o in report.options if o.quality_estimated)
    assert quality_text(api) == f"~{api.quality_index:.0f}"
    assert latency_text(api) == "?"
    table = render_table(compare_view(report, report.options, show_all=False), width=120)
    assert f"~{api.quality_index:.0f}" in table
    assert LEGEND_ESTIMATE in table and LEGEND_UNCHECKED in table
    page = report_html(report)
    assert f"~{api.quality_index:.0f}" in page and LEGEND_ESTIMATE in page and LEGEND_UNCHECKED in page
    # The table's quality column is the catalogue index (the scale quality.min_score uses), not the score.
    others = [o for o in report.options if not o.quality_estimated and o.quality_index is not None]
    assert all(quality_text(o) == f"{o.quality_index:.0f}" for o in others)
