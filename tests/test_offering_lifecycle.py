"""An offering's own lifecycle: a provider retires a model that others keep serving."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TODAY, write
from pydantic import ValidationError

from openclosed.catalog.schema import Offering

MODEL = "gpt-oss-120b"  # served by five providers with no lifecycle date of their own
OID = f"{MODEL}@groq"
AT = "lifecycle: gpt-oss-120b at Groq (GroqCloud)"


def _overlay(tmp_path: Path, lines: str) -> Path:
    text = f"api_providers:\n  - id: groq\n    offerings:\n      - model: {MODEL}\n" + "".join(
        f"        {ln}\n" for ln in lines.strip().splitlines()
    )
    return write(tmp_path / "ov" / "providers.yaml", text).parent


def _options(cli, *extra: str) -> dict[str, dict]:
    run = cli(
        "compare", "--preset", "chatbot", "--models", MODEL, "--deployment", "api", "--all",
        "--format", "json", "--today", TODAY, *extra,
    )  # fmt: skip
    assert run.code == 0, run.err
    return {o["id"]: o for o in run.json()["options"]}


LIFE = "lifecycle_source: https://example.org/deprecations\nlifecycle_as_of: 2026-11-01\n"


def test_retired_offering_cannot_run_while_other_providers_still_serve_the_model(cli, tmp_path: Path) -> None:
    base = _options(cli)
    ov = _overlay(tmp_path, "shutdown_date: 2026-11-23\n" + LIFE)
    new = _options(cli, "--catalog", str(ov))
    gone = new[OID]
    assert not gone["feasible"] and gone["monthly_cost"] is None
    assert f"{AT} was retired on 2026-11-23" in gone["violations"]
    others = [k for k in base if k != OID]
    assert others, "the model needs a second provider for this test"
    for k in others:  # the model itself is not retired: every other offering is as before
        assert new[k]["monthly_cost"] == base[k]["monthly_cost"] and new[k]["feasible"] == base[k]["feasible"]


def test_retirement_inside_the_horizon_warns_and_costs_the_lifecycle_penalty(cli, tmp_path: Path) -> None:
    base = _options(cli)[OID]
    ov = _overlay(tmp_path, "shutdown_date: 2027-01-23\nreplacement: gpt-oss-20b\n" + LIFE)
    new = _options(cli, "--catalog", str(ov))[OID]
    assert new["feasible"] == base["feasible"] and new["monthly_cost"] == base["monthly_cost"]
    warning = (
        f"{AT} is retired on 2027-01-23 (in 60 days, inside the 12-month horizon); the provider points to gpt-oss-20b"
    )
    assert warning in new["warnings"]
    # scoring.LIFECYCLE_PENALTY = 15 overall points, as for a model that shuts down
    assert new["scores"]["overall"] == pytest.approx(base["scores"]["overall"] - 15.0, abs=0.05)


def test_deprecation_alone_is_a_warning(cli, tmp_path: Path) -> None:
    ov = _overlay(tmp_path, "deprecation_date: 2026-11-01\n" + LIFE)
    new = _options(cli, "--catalog", str(ov))[OID]
    assert f"{AT} is deprecated since 2026-11-01" in new["warnings"]


def _offering(**extra) -> dict:
    return {"model": "m", "prices": {"input": 1, "output": 2}, "source": "s", "as_of": "2026-01-01", **extra}


def test_lifecycle_dates_need_their_own_source() -> None:
    with pytest.raises(ValidationError, match="lifecycle_source"):
        Offering.model_validate(_offering(shutdown_date="2026-10-01"))
    with pytest.raises(ValidationError, match="before deprecation_date"):
        Offering.model_validate(
            _offering(deprecation_date="2026-10-01", shutdown_date="2026-09-01", lifecycle_source="x",
                      lifecycle_as_of="2026-10-01")
        )  # fmt: skip
    ok = Offering.model_validate(
        _offering(shutdown_date="2026-10-01", lifecycle_source="x", lifecycle_as_of="2026-10-01")
    )
    assert ok.shutdown_date.isoformat() == "2026-10-01"


def test_unknown_offering_replacement_is_a_catalogue_error(cli, tmp_path: Path) -> None:
    ov = _overlay(tmp_path, "deprecation_date: 2026-11-01\nreplacement: no-such-model\n" + LIFE)
    run = cli("catalog", "validate", "--catalog", str(ov))
    assert run.code == 2 and "replacement 'no-such-model' is not in models.yaml" in run.err


def test_embedded_catalogue_treats_no_peer_retired_offering_as_live() -> None:
    """Every offering the peers date as retired before the catalogue's date carries that date."""
    import datetime as dt

    from openclosed.catalog import validate_dir

    cat = validate_dir(None)
    day = dt.date(2026, 12, 6)
    retired = {
        f"{o.model}@{p.id}"
        for p in cat.providers_file.api_providers
        for o in p.offerings
        if o.shutdown_date is not None and o.shutdown_date <= day
    }
    # litellm 1.110.2's deprecation_date before 2026-12-06 on offerings whose model is still live
    for oid in ("llama-3.3-70b@together", "glm-5@google-vertex", "deepseek-v3.2@deepseek", "kimi-k2.5@moonshot",
                "gpt-oss-120b@fireworks", "llama-3.2-11b-vision@aws-bedrock"):  # fmt: skip
        assert oid in retired


def test_a_model_speed_applies_to_offerings_without_their_own(cli, tmp_path: Path) -> None:
    """A per-model figure (basis: model) fills in for an offering that has none; an offering's own
    figure wins; a figure older than 180 days warns."""
    models = write(
        tmp_path / "ov" / "models.yaml",
        "models:\n  - id: gpt-oss-120b\n    speed: {output_tokens_per_s: 7, ttft_ms: 9000, basis: model,"
        " source: https://example.org/aa, as_of: 2026-01-02}\n",
    ).parent
    run = cli(
        "compare", "--preset", "chatbot", "--models", MODEL, "--deployment", "api", "--all",
        "--format", "json", "--today", TODAY, "--catalog", str(models),
    )  # fmt: skip
    assert run.code == 0, run.err
    opts = {o["id"]: o for o in run.json()["options"]}
    no_own = [o for o in opts.values() if o["api_speed"]["basis"] == "model"]
    assert no_own, "an offering without its own figure takes the model's"
    for o in no_own:
        assert o["api_speed"]["output_tokens_per_s"] == 7 and not o["feasible"]
        assert any(
            w.startswith("speed: figure for gpt-oss-120b at ") and "(the model's figure)" in w for w in o["warnings"]
        )
    own = [o for o in opts.values() if o["api_speed"]["basis"] == "provider"]
    assert own and all(o["api_speed"]["output_tokens_per_s"] != 7 for o in own)


def test_an_offering_speed_defaults_to_basis_provider() -> None:
    from openclosed.catalog.schema import ApiSpeed

    assert ApiSpeed(output_tokens_per_s=1, source="s", as_of="2026-01-01").basis == "provider"
