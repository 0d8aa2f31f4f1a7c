"""Refresh API prices from the offline data bundled in the `genai-prices` package.

`openclosed catalog import genai-prices` reads `genai_prices.data.providers` (a Python module
generated from pydantic/genai-prices' YAML files and shipped in the wheel). It never calls
`genai_prices.UpdatePrices` or anything else that would fetch over the network.

For every API offering we know, the matching genai-prices provider and model are found (table
below, then the library's own model matching on our `provider_model_id`, our model id and its
aliases). The standard, per-token text prices are compared with ours; the result is an overlay
`providers.yaml` for the user's catalogue directory plus a report of what changed, what could not
be matched and where the two sources disagree by more than a threshold.

This module is pure: it returns the plan and the overlay text. Writing (atomically) is the CLI's.

It is longer than most modules because matching, planning and writing an import are one
procedure with shared rules (threshold, held-back disagreements, atomic overlay).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, MissingExtraError
from .index import Catalog
from .loader import _entry_key, _located_load
from .places import FILES, embedded_dir, overlay_dirs

# Our API provider id -> genai-prices provider id (None: genai-prices does not list it).
PROVIDER_MAP: dict[str, str | None] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "google",  # Gemini API (AI Studio) prices
    "azure-openai": "azure",  # genai-prices falls back to OpenAI's list prices for Azure
    "aws-bedrock": "aws",  # Bedrock model ids (anthropic.claude-..., meta.llama3-...)
    "google-vertex": "google",  # Vertex AI model ids (claude-sonnet-4-5@20250929) live under google
    "together": "together",
    "fireworks": "fireworks",
    "deepinfra": None,  # not in genai-prices (as of 0.2.x)
    "groq": "groq",
    "cerebras": "cerebras",
    "deepseek": "deepseek",
    "mistral": "mistral",
    "moonshot": "moonshotai",
    "zai": "zai",
    "xai": "x-ai",
    "minimax": "minimax",
    "alibaba": None,  # not in genai-prices (as of 0.2.5)
}

# (our provider, our model) -> the model reference to look up, where neither our
# provider_model_id nor our model id / aliases is matched by genai-prices' own patterns.
MODEL_REFS: dict[tuple[str, str], str] = {
    # DeepSeek's first-party API names its models by role, not by version.
    ("deepseek", "deepseek-v3"): "deepseek-chat",
    ("deepseek", "deepseek-r1"): "deepseek-reasoner",
    # Fireworks' R1 is served as the 0528 snapshot.
    ("fireworks", "deepseek-r1"): "accounts/fireworks/models/deepseek-r1-0528",
}

# genai-prices price keys -> our TokenPrices fields (USD per million tokens).
PRICE_KEYS = {
    "input_mtok": "input",
    "output_mtok": "output",
    "cache_read_mtok": "cached_input",
    "cache_write_mtok": "cache_write",
}
FIELDS = (
    "prices.input",
    "prices.output",
    "prices.cached_input",
    "prices.cache_write",
    "long_context.threshold_tokens",
    "long_context.input",
    "long_context.output",
    "long_context.cached_input",
    "long_context.cache_write",
)
UPSTREAM = "pydantic/genai-prices"


@dataclass
class Plan:
    version: str
    source: str
    as_of: dt.date
    threshold_pct: float
    changes: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # provider -> offerings
    # The peer's lifecycle facts that differ from ours: proposed (written), reported (no date to write)
    # or held (the entry carries `hold`).
    lifecycle: list[dict[str, Any]] = field(default_factory=list)
    # The day the package was published (`--released`, e.g. its upload date on PyPI): it dates the
    # prices the package lists that carry no date of their own, stated as such.
    released: dt.date | None = None

    @property
    def disagreements(self) -> list[dict[str, Any]]:
        return [c for c in self.changes if c["disagrees"]]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "source": self.source,
            "as_of": self.as_of.isoformat(),
            "threshold_pct": self.threshold_pct,
            "changes": self.changes,
            "disagreements": self.disagreements,
            "unmatched": self.unmatched,
            "confirmed": self.confirmed,
            "lifecycle": self.lifecycle,
            "released": self.released.isoformat() if self.released else None,
        }


def load_genai_prices() -> tuple[str, list[Any]]:
    """The installed package's version and its bundled providers (no network)."""
    try:
        import genai_prices
        from genai_prices.data import providers
    except ImportError:
        raise MissingExtraError("catalog import genai-prices", "prices") from None
    except Exception as exc:  # installed but broken (a partial upgrade, a version we do not know)
        raise broken_extra(exc) from None
    return str(getattr(genai_prices, "__version__", "unknown")), list(providers)


def broken_extra(exc: BaseException) -> InputError:
    """One line for an installed genai-prices that fails to import or holds data we cannot read."""
    what = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
    return InputError.one(
        f"the installed genai-prices package is broken or incompatible ({what}); "
        "reinstall it with: pip install --force-reinstall 'openclosed[prices]'",
        field="SOURCE",
    )


# ---------------------------------------------------------------- reading genai-prices
def _standard(model: Any, today: dt.date) -> Any:
    """The price set in force on `today` for most of the day.

    Conditional prices with a start date are resolved for `today`; time-of-day prices (DeepSeek's
    off-peak discount, peak surcharges) are resolved by taking the set active for the most
    quarter-hours of the day, i.e. the ordinary list price.
    """
    prices = model.prices
    if not isinstance(prices, list):
        return prices
    seen: Counter[int] = Counter()
    by_id: dict[int, Any] = {}
    for q in range(96):
        ts = dt.datetime.combine(today, dt.time(q // 4, (q % 4) * 15), tzinfo=dt.timezone.utc)
        p = model.get_prices(ts)
        seen[id(p)] += 1
        by_id.setdefault(id(p), p)
    return by_id[seen.most_common(1)[0][0]]


def _num(value: Any) -> float:
    return float(value)


def gp_prices(model: Any, today: dt.date) -> tuple[dict[str, float], dict[str, Any] | None, list[str]]:
    """(prices, long_context tier or None, notes) in our units from one genai-prices model."""
    mp = _standard(model, today)
    raw = {k: v for k, v in vars(mp).items() if not k.startswith("_") and v is not None}
    prices: dict[str, float] = {}
    tier: dict[str, Any] = {}
    notes: list[str] = []
    threshold: int | None = None
    for gkey, ours in PRICE_KEYS.items():
        value = raw.get(gkey)
        if value is None:
            continue
        if hasattr(value, "tiers"):  # TieredPrices: base + thresholds
            prices[ours] = _num(value.base)
            if value.tiers:
                first = value.tiers[0]
                if threshold is None:
                    threshold = int(first.start)
                elif int(first.start) != threshold:
                    notes.append(f"{gkey} tier starts at {first.start}, not {threshold}")
                tier[ours] = _num(first.price)
                if len(value.tiers) > 1:
                    notes.append(f"{gkey} has {len(value.tiers)} tiers; only the first is kept")
        else:
            prices[ours] = _num(value)
    long_context = None
    if threshold is not None:
        long_context = {"threshold_tokens": threshold}
        for ours in ("input", "output", "cached_input", "cache_write"):
            if ours in tier:
                long_context[ours] = tier[ours]
            elif ours in ("input", "output") and ours in prices:
                long_context[ours] = prices[ours]  # untiered: the base rate applies above too
    return prices, long_context, notes


def _find(gp: dict[str, Any], providers: list[Any], gp_pid: str, refs: list[str]) -> Any:
    provider = gp[gp_pid]
    for ref in refs:
        if ref:
            model = provider.find_model(ref, all_providers=providers)
            if model is not None:
                return model
    return None


# ---------------------------------------------------------------- the plan
def _old_values(offering: Any, day: dt.date | None = None) -> dict[str, Any]:
    """Our values to compare, with dated price steps resolved for `day` (the import's date)."""
    from ..api.price_steps import prices_on

    p = prices_on(offering, day) if day is not None else offering.prices
    lc = offering.long_context
    out = {f"prices.{k}": getattr(p, k) for k in ("input", "output", "cached_input", "cache_write")}
    for k in ("threshold_tokens", "input", "output", "cached_input", "cache_write"):
        out[f"long_context.{k}"] = getattr(lc, k) if lc is not None else None
    return out


def _pct(old: Any, new: Any) -> float | None:
    if isinstance(old, (int, float)) and isinstance(new, (int, float)) and old:
        return round((new - old) / old * 100, 2)
    return None


def plan_import(
    cat: Catalog,
    today: dt.date,
    threshold_pct: float = 25.0,
    accept_disagreements: bool = False,
    data: tuple[str, list[Any]] | None = None,
    released: dt.date | None = None,
) -> Plan:
    version, providers = data if data is not None else load_genai_prices()
    gp = {p.id: p for p in providers}
    checked = [getattr(p, "prices_checked", None) for p in providers]
    checked_dates = [c for c in checked if isinstance(c, dt.date)]
    as_of = max(checked_dates) if checked_dates else today
    plan = Plan(
        version=version, source=f"genai-prices {version} ({UPSTREAM}{published(released)})", as_of=as_of,
        threshold_pct=threshold_pct, released=released,
    )  # fmt: skip
    for prov in cat.providers_file.api_providers:
        gp_pid = PROVIDER_MAP.get(prov.id, prov.id if prov.id in gp else None)
        for off in prov.offerings:
            item = {"provider": prov.id, "model": off.model}
            if gp_pid is None or gp_pid not in gp:
                plan.unmatched.append({**item, "reason": "provider not in genai-prices"})
                continue
            model = cat.models.items.get(off.model)
            refs = [
                MODEL_REFS.get((prov.id, off.model)),
                off.provider_model_id,
                off.model,
                *(model.aliases if model else []),
            ]
            found = _find(gp, providers, gp_pid, [r for r in refs if r])
            if found is None:
                plan.unmatched.append(
                    {
                        **item,
                        "reason": f"no model in genai-prices '{gp_pid}' matches {off.provider_model_id or off.model!r}",
                    }
                )
                continue
            new_prices, new_lc, notes = gp_prices(found, as_of)
            new_lc = reachable_tier(new_lc, off, model)
            if "input" not in new_prices or "output" not in new_prices:
                plan.unmatched.append(
                    {**item, "reason": f"genai-prices '{gp_pid}/{found.id}' has no per-token input and output price"}
                )
                continue
            # A date the package states, never the run date (which would clear the stale-price warning
            # without proving anything): the model's check date, else the package's release date when
            # given, else the entry keeps its own as_of.
            checked = getattr(found, "prices_checked", None)
            checked = checked if isinstance(checked, dt.date) else None
            dated = checked or release_date(plan, off, model)
            ref = {"genai_prices_model": f"{gp_pid}/{found.id}"}
            where = f"genai-prices model '{gp_pid}/{found.id}'"
            if getattr(found, "deprecated", False):
                report_deprecated(plan, prov.id, off, where)
            rows = price_changes({**item, **ref}, off, as_of, new_prices, new_lc, threshold_pct, 1e-9)
            if not rows:
                plan.confirmed.append(f"{prov.id}/{off.model}")
                if off.hold is None:
                    confirm(plan, prov.id, off, dated, where, basis="" if checked else RELEASE_BASIS)
                continue
            if holds(plan, off, rows) or record_changes(plan, rows, accept_disagreements):
                continue
            entry: dict[str, Any] = {"model": off.model, "prices": new_prices}
            if new_lc:
                entry["long_context"] = new_lc
            entry["source"] = plan.source
            entry["as_of"] = dated or off.as_of
            changed = ", ".join(f"{r['field']} {_fmt(r['old'])} -> {_fmt(r['new'])}" for r in rows)
            entry["note"] = (
                f"Imported from {where} by `openclosed catalog import genai-prices`: {changed}. "
                + ("" if checked else released_note(dated) if dated else NO_DATE)
                + f"Previous source: {off.source} ({off.as_of})."
                + (" " + "; ".join(notes) + "." if notes else "")
            )
            plan.entries.setdefault(prov.id, []).append(entry)
    return plan


NO_DATE = "The package gives no check date: as_of is the previous entry's. "
RELEASE_BASIS = "its release date; the package dates no price"


def published(released: dt.date | None) -> str:
    """The source's suffix naming the package's release date, when given."""
    return f", published {released.isoformat()}" if released else ""


def released_note(day: dt.date) -> str:
    return f"The package dates no price: as_of is its release date ({day.isoformat()}, given with --released). "


def release_date(plan: Plan, off: Any, model: Any) -> dt.date | None:
    """The package's release date as the date of a price it lists, or None: not given, or the offering
    had shut down by then (a package that still lists a retired offering's price says nothing of today)."""
    if plan.released is None:
        return None
    shut = off.shutdown_date or (model.shutdown_date if model is not None else None)
    return None if shut is not None and shut <= plan.released else plan.released


def holds(plan: Plan, off: Any, rows: list[dict[str, Any]]) -> bool:
    """An entry whose note documents a deliberate difference carries `hold`: an import lists its
    differences with the reason and never overwrites it."""
    if off.hold is None:
        return False
    for r in rows:
        r["status"] = f"hold: {off.hold}"
    plan.changes.extend(rows)
    return True


def report_deprecated(plan: Plan, provider: str, off: Any, where: str) -> None:
    """A peer's undated deprecation flag: listed, never written (there is no date to write)."""
    if off.deprecation_date is None and off.shutdown_date is None:
        status = f"hold: {off.hold}" if off.hold else "reported"
        plan.lifecycle.append(
            {"provider": provider, "model": off.model, "field": "deprecated", "old": None, "new": True,
             "source": where, "status": status}
        )  # fmt: skip


def propose_shutdown(plan: Plan, provider: str, off: Any, model: Any, peer: Any, where: str) -> dict[str, Any] | None:
    """A peer's retirement date that differs from the offering's (or its model's): the lifecycle
    fields an overlay entry gets, or None when there is nothing to propose."""
    if isinstance(peer, str):
        try:
            peer = dt.date.fromisoformat(peer[:10])
        except ValueError:
            return None
    if not isinstance(peer, dt.date):
        return None
    ours = off.shutdown_date or (model.shutdown_date if model is not None else None)
    if ours is not None and ours <= peer:
        return None  # ours is as early or earlier: the peer adds nothing
    # A hold keeps prices; a retirement date is a different fact and is still proposed.
    row = {"provider": provider, "model": off.model, "field": "shutdown_date", "old": ours, "new": peer,
           "source": where, "status": "proposed"}  # fmt: skip
    plan.lifecycle.append(row)
    return {
        "shutdown_date": peer,
        "lifecycle_source": f"{plan.source}: {where}, deprecation_date {peer.isoformat()} (the peer's date)",
        "lifecycle_as_of": plan.as_of,
    }


def reachable_tier(tier: dict[str, Any] | None, off: Any, model: Any) -> dict[str, Any] | None:
    """A source's long-context tier, or None when no request can reach it.

    A tier that starts at or above the offering's context window prices requests the provider refuses
    (claude-sonnet-4.5 after its 1M beta was retired): it is history, not a price difference.
    """
    if not tier:
        return tier
    window = off.context_window or (model.context_window if model is not None else None)
    if window is not None and tier.get("threshold_tokens", 0) >= window:
        return None
    return tier


def confirm(plan: Plan, provider: str, off: Any, as_of: Any, where: str, basis: str = "") -> None:
    """Date-stamp an offering whose prices the source confirms, when the source is newer than ours.

    Without this a refresh that changes nothing leaves every confirmed price as old as before, and the
    stale-price warning keeps firing after the documented refresh.
    """
    if not isinstance(as_of, dt.date) or as_of <= off.as_of:
        return
    plan.entries.setdefault(provider, []).append(
        {
            "model": off.model,
            "source": plan.source,
            "as_of": as_of,
            "note": f"Prices confirmed unchanged by {where} ({plan.source}, as of {as_of.isoformat()}"
            + (f": {basis}" if basis else "")
            + "). "
            f"Previous source: {off.source} ({off.as_of}).",
        }
    )


def _fmt(v: Any) -> str:
    return "none" if v is None else f"{v:g}" if isinstance(v, float) else str(v)


# ---------------------------------------------------------------- the overlay
def check_target(into: Path) -> Path:
    """Refuse to write into the installed package or the embedded catalogue."""
    target = Path(into).expanduser()
    resolved = target.resolve()
    forbidden = [embedded_dir().resolve(), Path(__file__).resolve().parent.parent]
    for f in forbidden:
        if resolved == f or resolved.is_relative_to(f):
            raise InputError.one(
                "refusing to write into the embedded catalogue or the installed package; "
                "give an overlay directory (default: the user config catalogue directory)",
                str(target),
                field="--into",
            )
    if target.exists() and not target.is_dir():
        raise InputError.one("expected a directory", str(target), field="--into")
    return target


def baseline_dirs(into: Path) -> list[Path]:
    """The overlays a user gets by default, plus the target directory if it holds a catalogue."""
    dirs = overlay_dirs(None, use_env=True)
    resolved = [d.resolve() for d in dirs]
    if into.is_dir() and any((into / f).exists() for f in FILES) and into.resolve() not in resolved:
        dirs.append(into)
    return dirs


def baseline_catalog(into: Path) -> Catalog:
    return _located_load([embedded_dir(), *baseline_dirs(into)])


def deep_merge(base: Any, over: Any) -> Any:
    """Merge like the loader: mappings by key, lists of entries by their id / model / gpu."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = deep_merge(out[k], v) if k in out else v
        return out
    if isinstance(base, list) and isinstance(over, list) and all(_entry_key(x) for x in over):
        out_list = list(base)
        index = {_entry_key(x): i for i, x in enumerate(out_list) if _entry_key(x)}
        for item in over:
            key = _entry_key(item)
            if key in index:
                out_list[index[key]] = deep_merge(out_list[index[key]], item)
            else:
                index[key] = len(out_list)
                out_list.append(item)
        return out_list
    return over


def overlay_text(plan: Plan, existing: dict[str, Any] | None, today: dt.date) -> str:
    """The new providers.yaml overlay: the existing one (if any) with the plan merged in."""
    import yaml

    ours = {"api_providers": [{"id": pid, "offerings": offs} for pid, offs in plan.entries.items()]}
    data = deep_merge(existing or {}, ours)
    header = (
        "# openclosed catalogue overlay (providers.yaml), layered over the embedded catalogue.\n"
        f"# Prices imported by `openclosed catalog import` on {today.isoformat()} from\n"
        f"# {plan.source}. Entries merge by id / model; see docs/catalogue.md.\n"
    )

    class _NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return header + yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100)


def validate_overlay(into: Path, text: str) -> None:
    """Load the catalogue as it would be with the new overlay; raise InputError if it breaks."""
    dirs = baseline_dirs(into)
    with tempfile.TemporaryDirectory(prefix="openclosed-import-") as tmp:
        tmpdir = Path(tmp)
        (tmpdir / "providers.yaml").write_text(text, encoding="utf-8")
        if (into / "models.yaml").exists():
            shutil.copyfile(into / "models.yaml", tmpdir / "models.yaml")
        resolved = into.resolve() if into.exists() else None
        swapped = [tmpdir if resolved is not None and d.resolve() == resolved else d for d in dirs]
        if tmpdir not in swapped:
            swapped.append(tmpdir)
        _located_load([embedded_dir(), *swapped])


def read_existing(into: Path) -> tuple[dict[str, Any] | None, bool]:
    """The existing overlay's data (None if there is none) and whether it holds comments."""
    from ..yamlio import load_file

    path = into / "providers.yaml"
    if not path.exists():
        return None, False
    data, _ = load_file(path)
    if not isinstance(data, dict):
        raise InputError.one("expected a mapping at the top level", str(path), 1)
    has_comments = any(
        line.lstrip().startswith("#")
        for line in path.read_text("utf-8").splitlines()
        if not line.startswith("# openclosed catalogue overlay")
        and not line.startswith("# Prices imported")
        and not line.startswith("# genai-prices")
        and "docs/catalogue.md" not in line
    )
    return data, has_comments


def default_into() -> Path:
    from .places import user_config_dir

    return Path(os.environ.get("OPENCLOSED_CONFIG_DIR") or user_config_dir()) / "catalog"


def price_changes(
    item: dict[str, Any],
    off: Any,
    day: dt.date,
    new_prices: dict[str, float],
    new_lc: dict[str, float] | None,
    threshold_pct: float,
    tolerance: float,
) -> list[dict[str, Any]]:
    """One row per price field a source changes (relative `tolerance` counts as equal); a field
    the source is silent on keeps ours. A change beyond `threshold_pct` is a disagreement."""
    old = _old_values(off, day)
    new = {f"prices.{k}": v for k, v in new_prices.items()}
    if new_lc:
        new.update({f"long_context.{k}": v for k, v in new_lc.items()})
    rows = []
    for f in FIELDS:
        if f not in new:
            continue
        o, n = old[f], new[f]
        if o is not None and abs(float(o) - float(n)) <= tolerance * max(1.0, abs(float(o))):
            continue
        pct = _pct(o, n)
        disagrees = o is not None and (pct is None or abs(pct) > threshold_pct)
        rows.append({**item, "field": f, "old": o, "new": n, "change_pct": pct, "disagrees": disagrees})
    return rows


def record_changes(plan: Plan, rows: list[dict[str, Any]], accept_disagreements: bool) -> bool:
    """Add an offering's changes to the plan; True when they are held back (a disagreement not
    accepted), so the caller writes nothing for it."""
    held = any(r["disagrees"] for r in rows) and not accept_disagreements
    for r in rows:
        r["status"] = "held back" if held else "applied"
    plan.changes.extend(rows)
    return held
