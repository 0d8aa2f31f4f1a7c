"""Issue 26 item 5: warnings about what is shown, the rest counted in one line; explain's and
breakeven's warnings (explain's is in test_traceable.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ROOT

FIXTURE = str(ROOT / "tests" / "fixtures" / "catalog")
TODAY = "2026-11-24"
# API options only: more than ten models (a shortened table) without sizing every GPU.
API_CHATBOT = ("compare", "--preset", "chatbot", "--deployment", "api", "--today", TODAY)


def _table_ids(out: str) -> list[str]:
    """The option ids in the table's rows (a row starts with its position)."""
    ids = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) > 2 and parts[0].isdigit() and "@" in parts[1]:
            ids.append(parts[1])
    return ids


@pytest.mark.parametrize("width", [80, 120])
def test_compare_warns_about_the_rows_shown_and_counts_the_rest(cli, monkeypatch, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    # A 3-day limit: the rows on screen are priced as of 2026-09-22 to 2026-12-06, so some are stale
    # under it and some are not (under the default 90 days none is).
    limit = ("--stale-days", "3")
    options = {o["id"]: o for o in cli(*API_CHATBOT, *limit, "-f", "json").json()["options"]}
    r = cli(*API_CHATBOT, *limit)
    assert r.code == 0, r.err
    shown = _table_ids(r.out)
    assert 10 <= len(shown) < len(options)
    hidden = [o for oid, o in options.items() if oid not in shown]
    # Stale prices: counted over the rows on screen, by their price dates.
    today = dt.date.fromisoformat(TODAY)
    stale = [i for i in shown if (today - dt.date.fromisoformat(options[i]["unit_prices"]["as_of"])).days > 3]
    assert 0 < len(stale) < len(shown)
    lines = [ln for ln in r.err.splitlines() if ln.startswith("warning:")]
    assert f"warning: {len(stale)} of {len(shown)} options shown use prices older than 3 days" in r.err
    unchecked = sum(1 for i in shown if options[i]["api_speed"]["unchecked"])
    assert f"latency unchecked for {unchecked} of {len(shown)} options" in r.err
    # The options left out of the table: one line with the number of their warnings.
    concerned = [o for o in hidden if o["warnings"]]
    n = sum(len(o["warnings"]) for o in concerned)
    rest = [ln for ln in lines if "not in the table" in ln]
    assert len(rest) == 1 and rest[0].startswith(f"warning: {n} more warnings (")
    assert f"concern {len(concerned)} options not in the table" in rest[0]
    # No line names an option that is not on screen.
    for ln in lines:
        named = [oid for oid in options if oid in ln]
        assert set(named) <= set(shown), ln


@pytest.mark.parametrize("width", [80, 120])
def test_latency_marks_are_explained_only_where_the_column_is(cli, monkeypatch, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    r = cli("compare", "--preset", "chatbot", "--catalog", FIXTURE, "--today", TODAY)
    header = next(ln for ln in r.out.splitlines() if "option" in ln and "overall" in ln)
    legend = "? latency unchecked: no published speed or time to first token for this API"
    if width == 80:  # the TTFT column is hidden at 80 columns
        assert "TTFT ms" not in header and "TTFT ms" in r.out  # named in the hidden-columns note
        assert legend not in r.out and "marked '?'" not in r.err
        assert "(--format csv: api_speed_unchecked)" in r.err
    else:
        assert "TTFT ms" in header and legend in r.out
        assert "(marked '?' in the latency column)" in r.err


def test_check_counts_stale_prices_over_what_it_shows(cli) -> None:
    args = ("check", "--preset", "chatbot", "--catalog", FIXTURE, "--today", TODAY, "--max-monthly-cost", "1e9")
    data = cli(*args, "-f", "json").json()
    shown = [data["option"], *data["alternatives"]]
    today = dt.date.fromisoformat(TODAY)

    def as_of(o: dict) -> str:
        return (o["unit_prices"] or {}).get("as_of") or o["self_hosting"]["price_as_of"]

    stale = [o for o in shown if (today - dt.date.fromisoformat(as_of(o))).days > 90]
    assert len(shown) == 4 and len(stale) == 3  # the fixture: gpt-oss-20b@together and two alternatives
    md = cli(*args, "-f", "markdown")
    assert f"warning: {len(stale)} of {len(shown)} options shown use prices older than 90 days" in md.err
    # The text shows the checked option alone: its own warning says how old its price is.
    text = cli(*args)
    assert "options shown use prices" not in text.err
    assert "warning: gpt-oss-20b@together: price of gpt-oss-20b at together is 123 days old" in text.err


@pytest.mark.parametrize("width", [80, 120])
def test_breakeven_gives_the_fleet_at_the_break_even_volume(cli, monkeypatch, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    args = ("gpt-4o@openai", "llama-3.3-70b@aws:h100-sxm", "--preset", "chatbot", "--catalog", FIXTURE)
    data = cli("breakeven", *args, "--today", TODAY, "-f", "json").json()
    (c,) = data["crossings"]
    assert c["fleet_a"] is None
    # The same option compared on its own at the break-even volume: its fleet there.
    at = cli(
        "compare",
        "--preset",
        "chatbot",
        "--catalog",
        FIXTURE,
        "--today",
        TODAY,
        "--requests-per-month",
        repr(c["requests_per_month"]),
        "--all",
        "-f",
        "json",
    ).json()
    sh = next(o for o in at["options"] if o["id"] == "llama-3.3-70b@aws:h100-sxm")["self_hosting"]
    option = next(o for o in at["options"] if o["id"] == "llama-3.3-70b@aws:h100-sxm")
    assert c["fleet_b"] == {
        "replicas": sh["replicas"],
        "gpus_per_replica": sh["gpus_per_replica"],
        "billed_gpus": sh["billed_gpus"],
        "nodes": sh["nodes_in_fleet"],
        "capex": option["capex"],  # rented: nothing up front
    }
    assert option["capex"] == 0
    # At the workload's own volume the fleet is smaller: the break-even needs its own count.
    own = cli("compare", "--preset", "chatbot", "--catalog", FIXTURE, "--today", TODAY, "--all", "-f", "json").json()
    assert next(o for o in own["options"] if o["id"] == args[1])["self_hosting"]["replicas"] < sh["replicas"]
    r = cli("breakeven", *args, "--today", TODAY)
    flat = " ".join(r.out.split())
    assert (
        f"At that volume b runs {sh['replicas']} replicas × {sh['gpus_per_replica']} GPUs: "
        f"{sh['billed_gpus']} GPUs on {sh['nodes_in_fleet']} nodes" in flat
    )


def test_routed_check_counts_stale_prices_over_the_plan(cli) -> None:
    args = ("examples/routed-support.yaml", "--catalog", FIXTURE, "--today", TODAY)
    routing = cli("compare", str(ROOT / args[0]), *args[1:], "--all", "-f", "json").json()
    named = {c["recommended"] for c in routing["routing"]["classes"]} | {routing["routing"]["single_option"]}
    named.discard(None)
    today = dt.date.fromisoformat(TODAY)

    def as_of(o: dict) -> str:
        return (o["unit_prices"] or {}).get("as_of") or o["self_hosting"]["price_as_of"]

    plan = [o for o in routing["options"] if o["id"] in named]
    stale = [o for o in plan if (today - dt.date.fromisoformat(as_of(o))).days > 90]
    r = cli("check", str(ROOT / args[0]), *args[1:], "--max-monthly-cost", "1e9")
    assert plan and stale  # the fixture's plan uses claude-haiku-4.5, priced 2026-07-29
    assert f"warning: {len(stale)} of {len(plan)} options shown use prices older than 90 days" in r.err
