"""Issue 26 item 7: the sweep's legend lists what is drawn; options at the same flat cost are
tied, not crossing."""

from __future__ import annotations

import pytest
from conftest import ROOT

from openclosed.analyses.crossings import find_crossings
from openclosed.analyses.sweep import Series

FIXTURE = str(ROOT / "tests" / "fixtures" / "catalog")
VALUES = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def _flat(name: str, costs: list[float]) -> Series:
    return Series(name, "self-hosted", costs, [True] * len(costs))


@pytest.mark.parametrize("padding", [0, 12])
def test_options_leaving_a_tie_do_not_cross(padding: int) -> None:
    # a and b cost the same (b with float noise) until a steps up at the 4th point: a tie ends,
    # nothing crosses. c (an API, linear) crosses the flat cost between the 2nd and 3rd points.
    a = _flat("a-server", [100.0, 100.0, 100.0, 150.0, 150.0, 150.0])
    b = _flat("b-server", [100.0 + 1e-10, 100.0, 100.0 + 1e-10, 100.0, 100.0, 100.0])
    c = Series("c-api", "open-weight API", [40.0 * v for v in VALUES], [True] * 6)
    # Up to 12 options every pair is compared: c crosses both flat options, a and b never cross.
    # Beyond 12 (padding), only changes of the cheapest are crossings: c to a (the first id among
    # the tied), then b taking over when a steps up is no crossing.
    pad = [_flat(f"z{k}", [1e6] * 6) for k in range(padding)]
    found = find_crossings(VALUES, [a, b, c, *pad])
    expected = [("c-api", "a-server", (2.0, 3.0))] + ([("c-api", "b-server", (2.0, 3.0))] if not padding else [])
    assert [(x.cheaper_below, x.cheaper_above, x.between) for x in found] == expected


@pytest.mark.parametrize("width", [80, 120])
def test_no_plot_legend_lists_what_the_table_names(cli, monkeypatch, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    r = cli(
        "sweep", "--preset", "chatbot", "--options", "all", "--no-plot", "--catalog", FIXTURE, "--today", "2026-11-24"
    )
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    header = lines[1]
    legend = [ln for ln in lines if " = " in ln and "@" in ln and not ln.startswith("Crossing")]
    keys = [ln.split(" = ")[0] for ln in legend]
    text = " ".join(ln for ln in lines if ln.startswith(("Crossing", " ")) or ln[:1].isdigit())
    for k in keys:  # each key listed is a column, a crossing's option or a row's cheapest
        assert f"{k} $/month" in r.out or f" {k} " in f" {text} " or any(ln.rstrip().endswith(k) for ln in lines)
    json = cli("sweep", "--preset", "chatbot", "--options", "all", "--catalog", FIXTURE, "-f", "json").json()
    assert len(json["options"]) == 12 and len(keys) < 12
    assert f"{12 - len(keys)} other options swept are in --format csv and json." in " ".join(r.out.split())
    # Every column of the table (shown or hidden at this width) has its key in the legend.
    for k in [h.split()[0] for h in header.split("   ") if "$/month" in h]:
        assert k in keys
    assert max(len(ln) for ln in lines) <= width
