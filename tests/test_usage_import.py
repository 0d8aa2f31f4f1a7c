"""`openclosed workload from-usage`: usage exports to workloads, figures checked by hand.

Two kinds of check: tiny hand-written exports whose every expected figure is worked out in the
comments below, and the realistic week-long fixtures (tests/fixtures/usage/generate.py), whose
expected figures the tests recompute from the raw rows with plain arithmetic.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from openclosed.errors import InputError
from openclosed.workload.model import workload_from_dict
from openclosed.workload.usage import from_usage

FIX = Path(__file__).parent / "fixtures" / "usage"
MONTH_DAYS = 730 / 24  # a month is 730 hours


def run(catalog, name: str, **kw):
    text, derived = from_usage(FIX / name, catalog, **kw)
    data = yaml.safe_load(text)
    workload_from_dict(data, name)  # what compare will read
    return data, derived, text


# ------------------------------------------------------------------ tiny, by hand
def test_tiny_openai_by_hand(catalog) -> None:
    data, d, text = run(catalog, "tiny_openai.json", by_model=True)
    t = data["traffic"]
    # 3 hourly buckets (the last empty) = 0.125 days; 10 + 10 + 30 = 50 requests.
    assert t["requests_per_day"] == 400
    assert t["input_tokens"] == 660  # (10000 + 3000 + 20000) / 50
    assert t["output_tokens"] == 120  # (2000 + 1000 + 3000) / 50
    assert t["cached_input_share"] == 0.303  # 10000 / 33000
    assert t["cache_write_share"] == 0
    assert t["batch_share"] == 0.2  # the 10 gpt-4o-mini requests were batch
    assert t["peak_to_average"] == 1.8  # 30 requests in hour 2 vs 50 / 3 an hour
    assert "context_tokens" not in t
    # gpt-4o-2024-08-06 and openai/gpt-4o are one catalogue model: one class.
    assert t["classes"] == [
        {
            "name": "gpt-4o",
            "share": 0.8,
            "input_tokens": 750,
            "output_tokens": 125,
            "cached_input_share": 0.3333,
            "cache_write_share": 0,
        },
        {
            "name": "gpt-4o-mini",
            "share": 0.2,
            "input_tokens": 300,
            "output_tokens": 100,
            "cached_input_share": 0,
            "cache_write_share": 0,
        },
    ]
    # Catalogue prices gpt-4o 2.5 / 1.25 cached / 10, gpt-4o-mini 0.15 / 0.6 with batch at half.
    # A month is 30.4167 days / 0.125 = 243.333 periods.
    costs = {m.name: m.catalogue_monthly_cost for m in d.models}
    assert costs["gpt-4o-2024-08-06"] == pytest.approx((6000 * 2.5 + 4000 * 1.25 + 2000 * 10) / 1e6 * 243.33333, 1e-6)
    assert costs["openai/gpt-4o"] == pytest.approx((14000 * 2.5 + 6000 * 1.25 + 3000 * 10) / 1e6 * 243.33333, 1e-6)
    assert costs["gpt-4o-mini"] == pytest.approx((3000 * 0.15 + 1000 * 0.6) / 1e6 * 0.5 * 243.33333, 1e-6)
    assert d.catalogue_monthly_cost == pytest.approx(27.50275, 1e-6)
    assert d.unmatched == []
    assert "# busiest hour 2026-11-02 01:00 UTC: 30 requests" in text


def test_tiny_anthropic_by_hand(catalog) -> None:
    data, d, text = run(catalog, "tiny_anthropic.json", requests=10, by_model=True)
    t = data["traffic"]
    # Input = uncached + cache reads + cache writes: (1000 + 3000 + 1000) + 2000 + 1000 = 8000 over 2 hours.
    assert t["requests_per_day"] == 120  # 10 requests / (2 / 24) days
    assert t["input_tokens"] == 800
    assert t["output_tokens"] == 200  # (800 + 200 + 1000) / 10
    assert t["cached_input_share"] == 0.375  # 3000 / 8000
    assert t["cache_write_share"] == 0.125  # (500 + 500) / 8000
    # No request counts: tokens per hour stand in. Hour 1: 5800, hour 2: 4200, mean 5000.
    assert t["peak_to_average"] == 1.16
    assert "500 tokens with a 5-minute lifetime, 500 with 1 hour" in text
    # Shares by tokens: Sonnet 4.5 has 7000 + 1000 of 10000 tokens, so 8 of the 10 requests.
    sonnet, old = t["classes"]
    assert sonnet == {
        "name": "claude-sonnet-4.5",
        "share": 0.8,
        "input_tokens": 875,
        "output_tokens": 125,
        "cached_input_share": 0.4286,
        "cache_write_share": 0.1429,
    }
    assert old["name"] == "claude-3-5-sonnet-20241022" and old["share"] == 0.2
    assert "shares by tokens" in text
    # Sonnet 4.5 at 3 / 0.3 cached / 3.75 write / 15 out, for 2 hours of a 730-hour month.
    expected = (3000 * 3 + 3000 * 0.3 + 1000 * 3.75 + 1000 * 15) / 1e6 * 365
    assert d.models[0].catalogue_monthly_cost == pytest.approx(expected, 1e-6)
    assert [m.name for m in d.unmatched] == ["claude-3-5-sonnet-20241022"]
    assert "Not matched to the catalogue: claude-3-5-sonnet-20241022" in text


def test_tiny_litellm_csv_by_hand(catalog) -> None:
    data, d, text = run(catalog, "tiny_litellm.csv")
    t = data["traffic"]
    # r3 failed and r5 is an embedding: 3 requests from 09:00 to the end of 11:00 = 3 hours.
    assert t["requests_per_day"] == 24
    assert t["input_tokens"] == 2000  # (1000 + 3000 + 2000) / 3
    assert t["output_tokens"] == 333.3  # (100 + 300 + 600) / 3
    assert t["cached_input_share"] == 0.25  # (500 + 1000) / 6000
    assert t["cache_write_share"] == 0.0667  # 400 / 6000
    assert t["peak_to_average"] == 2  # 2 requests at 09:00 vs 1 an hour
    assert t["context_tokens"] == 3300  # r2: 3000 + 300
    assert d.export.skipped == 2
    assert d.export_monthly_cost == pytest.approx(0.06 / 0.125 * MONTH_DAYS)
    assert "2 rows left out" in text


def test_tiny_openrouter_by_hand(catalog) -> None:
    data, d, text = run(catalog, "tiny_openrouter.json")
    t = data["traffic"]
    assert t["requests_per_day"] == 75  # 150 requests over 2 days
    assert (t["input_tokens"], t["output_tokens"]) == (500, 100)
    assert "peak_to_average" not in t  # days hide the busiest hour
    assert "peak_to_average not derived" in text
    assert d.export_monthly_cost == pytest.approx((1.5 + 0.5 + 0.25) / 2 * MONTH_DAYS)
    # gpt-4.1 at OpenAI: 2 in / 8 out.
    assert d.catalogue_monthly_cost == pytest.approx((75000 * 2 + 15000 * 8) / 1e6 / 2 * MONTH_DAYS)
    assert d.models[0].priced_as == "gpt-4.1@openai"


def test_openrouter_reasoning_tokens_are_read_and_other_exports_say_they_have_none(catalog, tmp_path) -> None:
    rows = json.loads((FIX / "tiny_openrouter.json").read_text())["data"]
    rows[0]["reasoning_tokens"], rows[1]["reasoning_tokens"] = 2000, 1000
    path = tmp_path / "reasoning_openrouter.json"
    path.write_text(json.dumps({"data": rows}))
    text, d = from_usage(path, catalog)
    t = yaml.safe_load(text)["traffic"]
    # completion_tokens include reasoning: (10,000 − 2,000 + 5,000 − 1,000) / 150 = 80 visible and
    # 3,000 / 150 = 20 hidden tokens per request.
    assert (t["output_tokens"], t["reasoning_tokens"]) == (80, 20)
    # Repriced at the catalogue with the hidden tokens at the output price: the same as before.
    assert d.catalogue_monthly_cost == pytest.approx((75000 * 2 + 15000 * 8) / 1e6 / 2 * MONTH_DAYS)
    _, _, text = run(catalog, "tiny_openai.json")
    assert "reasoning tokens: the export does not separate them" in text


# ------------------------------------------------------------------ realistic weeks, recomputed
def _hourly_peak(by_hour: dict, hours: float) -> float:
    return round(max(by_hour.values()) / (sum(by_hour.values()) / hours), 2)


def test_openai_week_matches_a_recomputation(catalog) -> None:
    page = json.loads((FIX / "openai_week.json").read_text())
    req = inp = out = cached = batch = 0
    by_hour: dict[int, int] = defaultdict(int)
    for bucket in page["data"]:
        for r in bucket["results"]:
            req += r["num_model_requests"]
            inp += r["input_tokens"]
            out += r["output_tokens"]
            cached += r["input_cached_tokens"]
            batch += r["num_model_requests"] if r["batch"] else 0
            by_hour[bucket["start_time"]] += r["num_model_requests"]
    days = (page["data"][-1]["end_time"] - page["data"][0]["start_time"]) / 86400
    assert days == 7
    data, d, _ = run(catalog, "openai_week.json")
    t = data["traffic"]
    assert t["requests_per_day"] == round(req / 7, 2)
    assert t["input_tokens"] == round(inp / req, 1)
    assert t["output_tokens"] == round(out / req, 1)
    assert t["cached_input_share"] == round(cached / inp, 4)
    assert t["batch_share"] == round(batch / req, 4)
    assert t["peak_to_average"] == _hourly_peak(by_hour, 168)
    # The fine-tune is priced as its base model; every name matched.
    assert {m.name: m.priced_as for m in d.models}["ft:gpt-4o-mini-2024-07-18:acme::9AbCdEf1"] == "gpt-4o-mini@openai"
    assert d.unmatched == []


def test_anthropic_week_matches_a_recomputation(catalog) -> None:
    report = json.loads((FIX / "anthropic_week.json").read_text())
    inp = out = cached = written = 0
    by_hour: dict[str, int] = defaultdict(int)
    for bucket in report["data"]:
        for r in bucket["results"]:
            cc = r["cache_creation"]
            w = cc["ephemeral_5m_input_tokens"] + cc["ephemeral_1h_input_tokens"]
            i = r["uncached_input_tokens"] + r["cache_read_input_tokens"] + w
            inp, out, cached, written = (
                inp + i,
                out + r["output_tokens"],
                cached + r["cache_read_input_tokens"],
                written + w,
            )
            by_hour[bucket["starting_at"]] += i + r["output_tokens"]
    data, d, _ = run(catalog, "anthropic_week.json", input_tokens_per_request=2000, by_model=True)
    t = data["traffic"]
    requests = inp / 2000
    assert t["requests_per_day"] == round(requests / 7, 2)
    assert t["input_tokens"] == 2000
    assert t["output_tokens"] == round(out / requests, 1)
    assert t["cached_input_share"] == round(cached / inp, 4)
    assert t["cache_write_share"] == round(written / inp, 4)
    assert t["peak_to_average"] == _hourly_peak(by_hour, 168)
    assert sum(c["share"] for c in t["classes"]) == pytest.approx(1, abs=1e-9)
    assert [m.name for m in d.unmatched] == ["claude-3-5-sonnet-20241022"]


def _litellm_kept(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["status"] != "failure" and r["call_type"] == "acompletion"]


def test_litellm_week_json_and_csv_match_a_recomputation(catalog) -> None:
    rows = _litellm_kept(json.loads((FIX / "litellm_spend_logs.json").read_text()))
    assert 900 < len(rows) < 1000
    inp = sum(r["prompt_tokens"] for r in rows)
    out = sum(r["completion_tokens"] for r in rows)
    usage = [r["metadata"]["usage_object"] for r in rows]
    cached = sum(
        u.get("cache_read_input_tokens", 0) + u.get("prompt_tokens_details", {}).get("cached_tokens", 0) for u in usage
    )
    written = sum(u.get("cache_creation_input_tokens", 0) for u in usage)
    stamps = [dt.datetime.fromisoformat(r["startTime"].replace("Z", "+00:00")) for r in rows]
    first = min(stamps).replace(minute=0, second=0, microsecond=0)
    last = max(stamps).replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    hours = (last - first).total_seconds() / 3600
    by_hour: dict[dt.datetime, int] = defaultdict(int)
    for s in stamps:
        by_hour[s.replace(minute=0, second=0, microsecond=0)] += 1
    spend = sum(r["spend"] for r in rows)
    for name in ("litellm_spend_logs.json", "litellm_spend_logs.csv"):
        data, d, _ = run(catalog, name)
        t = data["traffic"]
        assert t["requests_per_day"] == round(len(rows) / (hours / 24), 2)
        assert t["input_tokens"] == round(inp / len(rows), 1)
        assert t["output_tokens"] == round(out / len(rows), 1)
        assert t["cached_input_share"] == round(cached / inp, 4)
        assert t["cache_write_share"] == round(written / inp, 4)
        assert t["peak_to_average"] == _hourly_peak(by_hour, hours)
        assert t["context_tokens"] == max(r["prompt_tokens"] + r["completion_tokens"] for r in rows)
        assert d.export_monthly_cost == pytest.approx(spend / (hours / 24) * MONTH_DAYS)
        assert [m.name for m in d.unmatched] == ["internal-router-v2"]


def test_litellm_csv_rows_are_the_json_rows() -> None:
    with (FIX / "litellm_spend_logs.csv").open() as fh:
        ids = [r["request_id"] for r in csv.DictReader(fh)]
    assert ids == [r["request_id"] for r in json.loads((FIX / "litellm_spend_logs.json").read_text())]


def test_openrouter_week_matches_a_recomputation(catalog) -> None:
    rows = json.loads((FIX / "openrouter_activity.json").read_text())["data"]
    req = sum(r["requests"] for r in rows)
    data, d, _ = run(catalog, "openrouter_activity.json", by_model=True)
    t = data["traffic"]
    assert t["requests_per_day"] == round(req / 7, 2)
    assert t["input_tokens"] == round(sum(r["prompt_tokens"] for r in rows) / req, 1)
    shares = {c["name"]: c["share"] for c in t["classes"]}
    llama = sum(r["requests"] for r in rows if r["model"].startswith("meta-llama"))
    assert shares["llama-3.3-70b"] == pytest.approx(llama / req, abs=1e-6)
    cost = sum(r["usage"] + r["byok_usage_inference"] for r in rows)
    assert d.export_monthly_cost == pytest.approx(cost / 7 * MONTH_DAYS)
    assert {m.priced_as for m in d.models} == {
        "gpt-4.1@openai",
        "llama-3.3-70b@deepinfra",
        "claude-sonnet-4.5@anthropic",
    }


# ------------------------------------------------------------------ the CLI
def test_compare_runs_on_a_generated_workload(cli, tmp_path: Path) -> None:
    out = tmp_path / "wl.yaml"
    r = cli("workload", "from-usage", str(FIX / "openai_week.json"), "--by-model", "--out-file", str(out))
    assert r.code == 0, r.err
    assert r.out == ""
    assert "Current models at catalogue prices" in r.err and "gpt-4o@openai" in r.err
    r = cli("compare", str(out), "--format", "json", "--today", "2026-11-24")
    assert r.code == 0, r.err
    report = r.json()
    assert report["workload"]["requests_per_month"] == pytest.approx(
        yaml.safe_load(out.read_text())["traffic"]["requests_per_day"] * MONTH_DAYS, rel=1e-6
    )
    assert report["recommended"]


def test_stdout_is_the_workload(cli) -> None:
    r = cli("workload", "from-usage", str(FIX / "tiny_openai.json"))
    assert r.code == 0, r.err
    assert yaml.safe_load(r.out)["traffic"]["requests_per_day"] == 400


BAD = {
    "bad_truncated.json": "bad_truncated.json:62: invalid JSON",
    "bad_empty_file.json": "file is empty",
    "bad_empty_page.json": "the export is empty",
    "bad_mixed_pages.json": "mixed exports in one file",
    "bad_mixed_kinds.json": "data[1].results[4].object: mixed usage kinds",
    "bad_value.json": "data[1].results[0].input_tokens: expected a number (got 'lots')",
    "bad_columns.csv": "a LiteLLM spend-log CSV needs the columns",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_get_one_clear_line(cli, name: str) -> None:
    r = cli("workload", "from-usage", str(FIX / name))
    assert r.code == 2
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and name in lines[0], r.err
    assert BAD[name] in lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tiny_anthropic.json"], "--requests: the Anthropic usage report"),
        (["tiny_openai.json", "--source", "anthropic"], "does not look like an anthropic export"),
        (["tiny_openai.json", "--source", "bedrock"], "unknown source 'bedrock'"),
        (["tiny_anthropic.json", "--requests", "5", "--input-tokens-per-request", "9"], "not both"),
        (["tiny_litellm.csv", "--source", "openai"], "a CSV file, but the openai export is JSON"),
    ],
)
def test_usage_mistakes_exit_2(cli, args: list[str], message: str) -> None:
    args = [str(FIX / args[0]), *args[1:]]
    r = cli("workload", "from-usage", *args)
    assert r.code == 2 and message in r.err, r.err
    assert len(r.err.strip().splitlines()) == 1


def test_a_requests_override_rescales_but_keeps_the_split(catalog) -> None:
    data, _, _ = run(catalog, "tiny_openai.json", requests=100, by_model=True)
    assert data["traffic"]["requests_per_day"] == 800
    assert [c["share"] for c in data["traffic"]["classes"]] == [0.8, 0.2]


def test_failed_write_leaves_no_file(cli, tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "wl.yaml"
    r = cli("workload", "from-usage", str(FIX / "tiny_openai.json"), "--out-file", str(target))
    assert r.code == 2 and not target.exists()


def test_every_error_is_an_input_error(catalog) -> None:
    with pytest.raises(InputError):
        from_usage(FIX / "bad_value.json", catalog)


@pytest.mark.parametrize(("name", "kw"), [("tiny_openai.json", {}), ("tiny_anthropic.json", {"requests": 10})])
def test_pages_pasted_together_are_read(catalog, tmp_path: Path, name: str, kw: dict) -> None:
    # The API pages a long period; a JSON array of the pages is one export (an empty page included).
    page = json.loads((FIX / name).read_text())
    both = tmp_path / "pages.json"
    both.write_text(json.dumps([{"object": "page", "data": [], "has_more": True}, page]))
    text, _ = from_usage(both, catalog, **kw)
    single, _ = from_usage(FIX / name, catalog, **kw)
    assert yaml.safe_load(text)["traffic"] == yaml.safe_load(single)["traffic"]
