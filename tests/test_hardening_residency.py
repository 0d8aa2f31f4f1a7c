"""Residency holds where a self-hosted option is priced (Hardening 1), and no "None" in a
violation (Hardening 2). On a copy of the frozen test catalogue with hand-made offers.

Rule: a self-hosted option is feasible only if the region it is priced in is in an allowed area;
a list price with no region of its own holds where the offer states it, else where the cloud
does; on-prem is allowed; anything else is ruled out with "region unknown".
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, TODAY, yaml_dump, yaml_load

FIXTURE = ROOT / "tests" / "fixtures" / "catalog"
H100_US_ONLY = {
    "gpu": "h100-sxm",
    "instance": "p5",
    "gpus_per_instance": 8,
    "gpu_counts": [1, 8],
    "hourly_price": 6.88,
    "regions": ["us"],
    "regional_prices": [
        {
            "region": "us-east-1",
            "area": "us",
            "hourly_price": 6.88,
            "source": "https://aws.example",
            "as_of": "2026-01-21",
        }
    ],
    "source": "https://aws.example",
    "as_of": "2026-01-21",
}


def _catalogue(tmp_path: Path, clouds: list[dict]) -> Path:
    out = tmp_path / "cat"
    shutil.copytree(FIXTURE, out)
    data = yaml_load((out / "providers.yaml").read_text())
    data["gpu_clouds"] = clouds
    (out / "providers.yaml").write_text(yaml_dump(data))
    return out


def _cloud(cid: str, regions: list[str], offer: dict) -> dict:
    return {"id": cid, "name": cid.upper(), "url": "https://example.com", "regions": regions, "offers": [offer]}


def _options(cli, cat: Path, *extra: str) -> dict:
    run = cli(
        "compare", "--preset", "chatbot", "--catalog", str(cat), "--all", "--format", "json", "--today", TODAY, *extra
    )
    assert run.code == 0, run.err
    return {o["id"]: o for o in run.json()["options"] if o["deployment"] == "self-hosted"}


def test_a_cloud_with_eu_regions_does_not_make_a_us_priced_offer_eu(cli, tmp_path: Path) -> None:
    cat = _catalogue(tmp_path, [_cloud("aws", ["us", "eu"], H100_US_ONLY)])
    options = _options(cli, cat, "--residency", "eu")
    aws = [o for oid, o in options.items() if "@aws:" in oid]
    assert aws
    for o in aws:
        assert not o["feasible"]
        assert "residency: AWS prices NVIDIA H100 SXM5 80GB only in us-east-1 (us), not in eu" in o["violations"]
        assert o["monthly_cost"] is not None  # ruled out by a constraint: it keeps its real cost
        assert o["self_hosting"]["region"] == "us-east-1"


def test_a_list_price_holds_where_the_offer_or_else_the_cloud_states_it(cli, tmp_path: Path) -> None:
    no_region = {k: v for k, v in H100_US_ONLY.items() if k not in ("regions", "regional_prices")}
    clouds = [
        _cloud("eucloud", ["eu"], no_region),  # the offer states nothing: the cloud's eu holds
        _cloud("uscloud", ["eu"], {**no_region, "regions": ["us"]}),  # the offer's own us wins
        _cloud("nowhere", [], no_region),  # nobody states a region
    ]
    options = _options(cli, _catalogue(tmp_path, clouds), "--residency", "eu")
    by_cloud = {oid.split("@")[1].split(":")[0]: o for oid, o in options.items()}
    assert not any(v.startswith("residency") for v in by_cloud["eucloud"]["violations"])
    assert "residency: USCLOUD prices NVIDIA H100 SXM5 80GB only in us, not in eu" in by_cloud["uscloud"]["violations"]
    assert (
        "residency: region unknown: NOWHERE states no region for its NVIDIA H100 SXM5 80GB price (allowed: eu)"
        in by_cloud["nowhere"]["violations"]
    )
    # Without a residency rule the same offers are all usable.
    options = _options(cli, _catalogue(tmp_path / "b", clouds))
    assert not any(v.startswith("residency") for o in options.values() for v in o["violations"])


def test_a_named_region_outside_the_residency_is_ruled_out(cli, tmp_path: Path) -> None:
    cat = _catalogue(tmp_path, [_cloud("aws", ["us", "eu"], H100_US_ONLY)])
    wl = tmp_path / "wl.yaml"
    wl.write_text(
        "version: 1\nname: named\ntraffic: {requests_per_day: 50000, input_tokens: 800, output_tokens: 200}\n"
        "privacy: {residency: [eu]}\nself_hosting: {region: us-east-1}\n"
    )
    run = cli("compare", str(wl), "--catalog", str(cat), "--all", "--format", "json", "--today", TODAY)
    aws = [o for o in run.json()["options"] if "@aws:" in o["id"]]
    assert aws and all(not o["feasible"] for o in aws)
    assert all(any(v.startswith("residency: AWS prices") for v in o["violations"]) for o in aws)


@pytest.mark.parametrize(("commitment", "what"), [("none", "on-demand"), ("3y", "3-year committed")])
def test_no_price_of_the_kind_asked_names_it_without_none(cli, tmp_path: Path, commitment: str, what: str) -> None:
    offer = dict(H100_US_ONLY)
    offer["regional_prices"] = [{**offer["regional_prices"][0], "hourly_price": None, "committed_1y": 4.0}]
    cat = _catalogue(tmp_path, [_cloud("aws", ["us"], offer)])
    wl = tmp_path / "wl.yaml"
    wl.write_text(
        "version: 1\nname: p\ntraffic: {requests_per_day: 50000, input_tokens: 800, output_tokens: 200}\n"
        f"self_hosting: {{commitment: {commitment}}}\n"
    )
    run = cli("compare", str(wl), "--catalog", str(cat), "--all", "--today", TODAY)
    assert run.code == 0, run.err
    assert "None" not in run.out
    assert f"price: AWS publishes no {what} NVIDIA H100 SXM5 80GB price" in " ".join(run.out.split())
