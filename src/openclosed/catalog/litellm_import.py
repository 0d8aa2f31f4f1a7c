"""Refresh API prices from the price file bundled in the `litellm` package (offline).

`openclosed catalog import litellm` reads `model_prices_and_context_window_backup.json`, the copy of
BerriAI/litellm's price map that ships inside the wheel. It locates the file with
`importlib.util.find_spec` and never imports litellm itself: importing it may fetch the live price
map over the network (unless LITELLM_LOCAL_MODEL_COST_MAP is set) and costs seconds.

The result is the same `Plan` as `catalog import genai-prices` (refresh.py): changes, offerings
held back where the sources disagree by more than the threshold, unmatched offerings, and the
overlay entries; the CLI writes them with the same rules. Pure apart from reading that one file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from ..errors import InputError, MissingExtraError
from .index import Catalog
from .refresh import (
    RELEASE_BASIS,
    Plan,
    _fmt,
    confirm,
    holds,
    price_changes,
    propose_shutdown,
    published,
    reachable_tier,
    record_changes,
    release_date,
    released_note,
)

NO_DATE_LL = "litellm gives no date for its prices: as_of is the previous entry's. "

UPSTREAM = "BerriAI/litellm"
DATA_FILE = "model_prices_and_context_window_backup.json"

# Our API provider id -> the key prefixes litellm uses for it, tried in order.
PREFIXES: dict[str, tuple[str, ...]] = {
    "openai": ("", "openai/"),
    "anthropic": ("", "anthropic/"),
    "google": ("gemini/",),
    "azure-openai": ("azure/", "azure_ai/"),  # azure_ai/: models sold by Azure (Foundry) other than OpenAI's
    "aws-bedrock": ("", "bedrock/", "bedrock/converse/", "bedrock_mantle/"),  # mantle: open models
    "google-vertex": ("vertex_ai/",),
    "together": ("together_ai/",),
    "fireworks": ("fireworks_ai/",),
    "deepinfra": ("deepinfra/",),
    "groq": ("groq/",),
    "cerebras": ("cerebras/",),
    "deepseek": ("deepseek/",),
    "mistral": ("mistral/",),
    "moonshot": ("moonshot/",),
    "zai": ("zai/",),
    "xai": ("xai/",),
    "minimax": ("minimax/",),
    "alibaba": ("dashscope/",),
}

# Our API provider id -> the `litellm_provider` value its entries carry (a first-party key such as
# `claude-sonnet-5` must not be taken for Bedrock's offering of the same model).
LITELLM_PROVIDERS: dict[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "gemini",
    "azure-openai": "azure",
    "aws-bedrock": "bedrock",
    "google-vertex": "vertex_ai",
    "together": "together_ai",
    "fireworks": "fireworks_ai",
    "deepinfra": "deepinfra",
    "groq": "groq",
    "cerebras": "cerebras",
    "deepseek": "deepseek",
    "mistral": "mistral",
    "moonshot": "moonshot",
    "zai": "zai",
    "xai": "xai",
    "minimax": "minimax",
    "alibaba": "dashscope",
}

# (our provider, our model) -> litellm key, where our provider_model_id is not litellm's key.
KEYS: dict[tuple[str, str], str] = {
    ("azure-openai", "gpt-4o"): "azure/gpt-4o",
}

# litellm per-token price keys -> our TokenPrices fields (we store USD per million tokens).
PRICE_KEYS = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cached_input",
    "cache_creation_input_token_cost": "cache_write",
}
# Long-context tiers litellm encodes as "<key>_above_<N>k_tokens".
TIER_THRESHOLDS = {"200k": 200_000, "272k": 272_000, "128k": 128_000, "100k": 100_000}


def data_path() -> Path:
    """The price file inside the installed litellm package (MissingExtraError without it)."""
    import importlib.util

    spec = importlib.util.find_spec("litellm")  # finds the package without executing it
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError("catalog import litellm", "litellm")
    path = Path(next(iter(spec.submodule_search_locations))) / DATA_FILE
    if not path.is_file():
        raise InputError.one(f"the installed litellm has no {DATA_FILE}", str(path))
    return path


def litellm_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("litellm")
    except PackageNotFoundError:
        return "unknown"


def load_litellm() -> tuple[str, dict[str, Any]]:
    """(version, price map) from the installed package's bundled JSON (no network)."""
    path = data_path()
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError.one(f"cannot read litellm's price file: {exc}", str(path)) from None
    if not isinstance(data, dict):
        raise InputError.one("expected a JSON object of models", str(path))
    return litellm_version(), data


def ll_prices(entry: dict[str, Any]) -> tuple[dict[str, float], dict[str, Any] | None]:
    """(prices, long_context tier or None) in USD per million tokens from one litellm entry."""
    prices: dict[str, float] = {}
    for key, ours in PRICE_KEYS.items():
        value = entry.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            prices[ours] = round(float(value) * 1e6, 9)
    if prices.get("cache_write") == 0:
        # litellm writes 0 where a provider has no separate cache-write charge (DeepSeek, Z.ai): the
        # written tokens are billed as input, which is what our absent cache_write means; 0 would make
        # them free.
        del prices["cache_write"]
    tier: dict[str, Any] | None = None
    for label, threshold in TIER_THRESHOLDS.items():
        found = {
            ours: round(float(entry[f"{key}_above_{label}_tokens"]) * 1e6, 9)
            for key, ours in PRICE_KEYS.items()
            if isinstance(entry.get(f"{key}_above_{label}_tokens"), (int, float))
        }
        if "input" in found or "output" in found:
            tier = {"threshold_tokens": threshold}
            for ours in ("input", "output", "cached_input", "cache_write"):
                if ours in found:
                    tier[ours] = found[ours]
                elif ours in ("input", "output") and ours in prices:
                    tier[ours] = prices[ours]
            break
    return prices, tier


def find_entry(data: dict[str, Any], provider: str, refs: list[str]) -> tuple[str, dict[str, Any]] | None:
    """The litellm key and entry for the first reference that matches under the provider's prefixes."""
    lower = {k.lower(): k for k in data}
    for ref in refs:
        for prefix in PREFIXES.get(provider, ("",)):
            key = lower.get((prefix + ref).lower())
            if key is None or key == "sample_spec" or not isinstance(data[key], dict):
                continue
            want = LITELLM_PROVIDERS.get(provider)
            if want and not str(data[key].get("litellm_provider", "")).startswith(want):
                continue
            return key, data[key]
    return None


def plan_import(
    cat: Catalog,
    today: dt.date,
    threshold_pct: float = 25.0,
    accept_disagreements: bool = False,
    data: tuple[str, dict[str, Any]] | None = None,
    released: dt.date | None = None,
) -> Plan:
    """Compare every API offering's prices with litellm's bundled data; the same Plan as genai-prices."""
    version, prices_map = data if data is not None else load_litellm()
    plan = Plan(
        version=version, source=f"litellm {version} ({UPSTREAM}{published(released)})", as_of=today,
        threshold_pct=threshold_pct, released=released,
    )  # fmt: skip
    for prov in cat.providers_file.api_providers:
        for off in prov.offerings:
            item = {"provider": prov.id, "model": off.model}
            if prov.id not in PREFIXES:
                plan.unmatched.append({**item, "reason": "provider not mapped to litellm"})
                continue
            model = cat.models.items.get(off.model)
            refs = [KEYS.get((prov.id, off.model)), off.provider_model_id, off.model, *(model.aliases if model else [])]
            found = find_entry(prices_map, prov.id, [r for r in refs if r])
            if found is None:
                plan.unmatched.append(
                    {**item, "reason": f"no litellm key matches {off.provider_model_id or off.model!r}"}
                )
                continue
            key, entry = found
            life = propose_shutdown(plan, prov.id, off, model, entry.get("deprecation_date"), f"litellm key '{key}'")
            new_prices, new_lc = ll_prices(entry)
            new_lc = reachable_tier(new_lc, off, model)
            if new_lc and off.long_context and off.long_context.threshold_tokens == new_lc["threshold_tokens"] - 1:
                # "_above_200k_tokens" cannot tell "above 200K" from "at or above 200K" (199,999, as
                # genai-prices writes the latter): the same tier.
                new_lc["threshold_tokens"] = off.long_context.threshold_tokens
            if "input" not in new_prices or "output" not in new_prices:
                plan.unmatched.append({**item, "reason": f"litellm '{key}' has no per-token input and output price"})
                _lifecycle_only(plan, prov.id, off, life)
                continue
            rows = price_changes({**item, "litellm_key": key}, off, today, new_prices, new_lc, threshold_pct, 1e-6)
            # litellm gives no date for its prices: only the package's release date (`--released`) can date
            # them; the run date would clear the stale-price warning without proving anything.
            dated = release_date(plan, off, model)
            if not rows:
                plan.confirmed.append(f"{prov.id}/{off.model}")
                if off.hold is None:
                    confirm(plan, prov.id, off, dated, f"litellm key '{key}'", basis=RELEASE_BASIS)
                _lifecycle_only(plan, prov.id, off, life)
                continue
            if holds(plan, off, rows) or record_changes(plan, rows, accept_disagreements):
                _lifecycle_only(plan, prov.id, off, life)
                continue
            overlay: dict[str, Any] = {"model": off.model, "prices": {**_current(off), **new_prices}}
            if new_lc:
                overlay["long_context"] = new_lc
            overlay["source"] = f"{plan.source}: {entry.get('source') or key}"
            overlay["as_of"] = dated or off.as_of
            changed = ", ".join(f"{r['field']} {_fmt(r['old'])} -> {_fmt(r['new'])}" for r in rows)
            overlay["note"] = (
                f"Imported from litellm key '{key}' by `openclosed catalog import litellm`: {changed}. "
                + (released_note(dated) if dated else NO_DATE_LL)
                + f"Previous source: {off.source} ({off.as_of})."
            )
            overlay.update(life or {})
            plan.entries.setdefault(prov.id, []).append(overlay)
    return plan


def _lifecycle_only(plan: Plan, provider: str, off: Any, life: dict[str, Any] | None) -> None:
    """An overlay entry that carries only the peer's retirement date (its prices are not written)."""
    if life:
        plan.entries.setdefault(provider, []).append({"model": off.model, **life})


def _current(off: Any) -> dict[str, float]:
    """Our present prices, so that a field litellm does not give is kept in the overlay entry."""
    p = off.prices
    return {k: getattr(p, k) for k in ("input", "output", "cached_input", "cache_write") if getattr(p, k) is not None}
