"""Fine-tuning through an API provider: whether it can tune the model the way the workload asks,
what one training run costs, and what a tuned model costs to call (docs/methodology.md, "Fine-tuning").

The offering's `fine_tuning` object (catalog/schema.py `FineTuning`) holds the facts: the methods,
the training price per million tokens, and how tuned models are served. Everything the provider
cannot do, or the catalogue cannot price, becomes a `customisation:` violation that says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..catalog.schema import FineTuning
from ..workload.model import HOURS_PER_MONTH

if TYPE_CHECKING:
    from ..catalog.schema import ApiProvider, DedicatedPrices, Offering, TokenPrices
    from ..workload.customisation import Customisation
    from .dedicated import DedicatedFleet


@dataclass
class ApiTuning:
    """What tuning costs at one API offering, or why it cannot be priced (`violations`)."""

    violations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    price_per_million: float = 0.0  # USD per million training tokens (provider multiplier applied)
    per_run: float = 0.0  # USD for one training run
    serving: str = "base"
    tuned_prices: TokenPrices | None = None
    hosting_per_month: float = 0.0  # hourly fees of the deployed tuned models
    dedicated: DedicatedPrices | None = None  # serving: dedicated, with the provider's GPU-hour prices
    fleet: DedicatedFleet | None = None  # the deployment priced (set by api/options.py)
    source: str = ""
    as_of: str = ""

    priced: bool = False  # the training price and the serving are known (it may still be ruled out)
    method_priced: bool = False  # the price is the method's own, not the provider's one price (`any`)


def _plain(methods: list[str]) -> str:
    return " and ".join("LoRA" if m == "lora" else "full" for m in methods)


def api_tuning(provider: ApiProvider, offering: Offering, custom: Customisation) -> ApiTuning:
    """Tuning `offering.model` at `provider` as `custom` asks: its cost, or the reasons it cannot be priced."""
    ft = offering.fine_tuning
    where = f"{offering.model} at {provider.id}"
    if ft is False:
        # False is also the default: for most offerings the catalogue simply records no tuning offer,
        # so the reason says what is known, not that the provider refuses.
        return ApiTuning([f"customisation: the catalogue records no fine-tuning of {offering.model} at {provider.id}"])
    if ft is True or not isinstance(ft, FineTuning):
        return ApiTuning([f"customisation: {where} can be fine-tuned, but the catalogue has no prices for it"])
    out = ApiTuning(source=ft.source, as_of=ft.as_of.isoformat())
    if not ft.new_customers:
        out.violations.append(f"customisation: {provider.id} no longer takes new fine-tuning customers ({ft.source})")
    blocked = False  # the method or the serving cannot be priced (new customers can be: they are told why not)
    if ft.methods and custom.method not in ft.methods:
        blocked = True
        out.violations.append(
            f"customisation: {provider.id} offers {_plain(list(ft.methods))} fine-tuning of {offering.model}, "
            f"not {_plain([custom.method])}"
        )
    elif not ft.methods:
        out.warnings.append(
            f"customisation: {provider.id} does not say whether it tunes every weight or adapters; "
            "priced at its one training price"
        )
    serving = ft.full_serving if custom.method == "full" and ft.full_serving else ft.serving
    out.serving = serving
    if serving == "dedicated" and ft.dedicated is not None:
        out.dedicated = ft.dedicated  # priced as a fleet sized to the traffic (api/dedicated.py)
    elif serving == "dedicated":
        fee = (
            f" at ${ft.hourly_fee:,.2f} an hour"
            if ft.hourly_fee is not None
            else " (priced per GPU-hour; not in the catalogue)"
        )
        out.violations.append(
            f"customisation: {provider.id} serves tuned {offering.model} on dedicated deployments only{fee}"
        )
    elif serving == "provisioned":
        out.violations.append(
            f"customisation: {provider.id} serves tuned {offering.model} on provisioned capacity only "
            "(model units by the hour; the price is not in the catalogue)"
        )
        blocked = True
    price = ft.training_per_million.get(custom.method, ft.training_per_million.get("any"))  # type: ignore[call-overload]
    if price is None:
        hourly = f"; a tuned model is served at base prices plus ${ft.hourly_fee:,.2f} an hour" if ft.hourly_fee else ""
        out.violations.append(f"customisation: the training price of {where} is not in the catalogue{hourly}")
        return out
    if blocked:
        return out
    mult = provider.price_multiplier
    out.priced = True
    out.method_priced = custom.method in ft.training_per_million
    out.price_per_million = price * mult
    out.per_run = round(custom.tokens_per_run / 1e6 * price * mult, 6)
    if serving == "tuned_prices":
        out.tuned_prices = ft.tuned_prices
    if serving == "base_plus_hourly" and ft.hourly_fee is not None:
        out.hosting_per_month = round(ft.hourly_fee * mult * HOURS_PER_MONTH * custom.adapters, 6)
    return out


def tuned_offering(offering: Offering, tuning: ApiTuning) -> Offering:
    """The offering as a tuned model is billed: its own token prices where it has them."""
    if tuning.tuned_prices is None:
        return offering
    # A tuned model's prices are those of the fine-tuning table: no dated steps, no long-context tier.
    return offering.model_copy(update={"prices": tuning.tuned_prices, "price_steps": [], "long_context": None})
