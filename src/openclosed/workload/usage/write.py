"""The derived figures as a commented workload file (schema version 1), and the summary for stderr."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from ...units import escaped
from ..model import DAYS_PER_MONTH
from .derive import SHOWN_UNMATCHED, Derived, ModelUse

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def printable(text: str) -> str:
    """`text` with every character Python does not call printable written as an escape. Names
    from an export or the command line reach a YAML file (which cannot hold most of them) and a
    terminal (which they could drive): escaped, a name keeps its look and can do neither."""
    return escaped(text, strict=True)


def _scalar(text: str) -> str:
    """A YAML string: plain when safe, else double-quoted (JSON strings are YAML strings)."""
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(printable(text), ensure_ascii=False)


def _c(text: str) -> str:
    """Comment text on one line (a line break in a comment would end it)."""
    return printable(" ".join(str(text).split()))


def _num(x: float, digits: int) -> str:
    value = round(x, digits)
    if value == 0 and x > 0:  # a tiny positive figure must not round to 0 (the schema wants > 0)
        return f"{x:.6g}"
    return str(int(value)) if value == int(value) else repr(value)


def _usd(x: float) -> str:
    return f"${x:,.2f}"


def _shares(cached: float, written: float) -> tuple[float, float]:
    """Rounded shares whose sum still stays within 1 (the schema checks it)."""
    c, w = round(cached, 4), round(written, 4)
    if c + w > 1:
        w = max(0.0, round(1 - c, 4))
    return c, w


@dataclass
class Klass:
    name: str
    members: list[ModelUse]

    @property
    def requests(self) -> float:
        return sum(m.requests for m in self.members)

    def total(self, attr: str) -> float:
        return sum(getattr(m, attr) for m in self.members)


MAX_CLASSES = 100  # the workload schema's limit on traffic.classes
MIN_SHARE = 1e-6  # shares are written with six decimals: a smaller one would read as 0
OTHER = "other models"
SHOWN_MODELS = SHOWN_UNMATCHED  # model lines in the summary; the rest are counted


def model_classes(d: Derived) -> list[Klass]:
    """One class per catalogue model (dated ids of one model merge); unmatched names stay as given."""
    out: dict[str, Klass] = {}
    for m in d.models:
        key = m.match.model_id or printable(m.name)[:100]  # the schema caps class names at 100 characters
        out.setdefault(key, Klass(key, [])).members.append(m)
    return [k for k in out.values() if k.requests > 0 and k.total("input_tokens") > 0 and k.total("output_tokens") > 0]


def classes_of(d: Derived) -> list[Klass]:
    """The classes `--by-model` writes: `model_classes`, the smallest folded (`fold`)."""
    return fold(model_classes(d))[0]


def fold(classes: list[Klass]) -> tuple[list[Klass], list[Klass]]:
    """(the classes to write, the classes folded). A workload holds at most 100 classes and a
    share is written with six decimals, so the largest 99 classes keep their own and the rest
    (with every class whose share would read as 0) become one class, "other models"; when even
    together those would read as 0, they join the largest class instead."""
    total = sum(k.requests for k in classes)
    floor = MIN_SHARE * total
    if len(classes) <= MAX_CLASSES and all(k.requests >= floor for k in classes):
        return classes, []
    ranked = sorted((k for k in classes if k.requests >= floor), key=lambda k: -k.requests)
    kept_ids = {id(k) for k in ranked[: MAX_CLASSES - 1]}
    kept = [k for k in classes if id(k) in kept_ids]  # in the export's order
    folded = [k for k in classes if id(k) not in kept_ids]
    members = [m for k in folded for m in k.members]
    if sum(m.requests for m in members) >= floor or not kept:
        name = OTHER if all(k.name != OTHER for k in kept) else f"{OTHER} (folded)"
        return [*kept, Klass(name, members)], folded
    biggest = max(kept, key=lambda k: k.requests)
    return [Klass(k.name, k.members + members) if k is biggest else k for k in kept], folded


def fold_note(d: Derived) -> str | None:
    """What `--by-model` folded, in one sentence (None when every model has its own class)."""
    unfolded = model_classes(d)
    classes, folded = fold(unfolded)
    if not folded:
        return None
    share = sum(k.requests for k in folded) / sum(k.requests for k in unfolded)
    first = folded[0].members[0]
    into = next(k for k in classes if any(m is first for m in k.members))
    target = f'"{into.name}"' if into.name.startswith(OTHER) else f"the largest class, {into.name}"
    return (
        f"{len(folded)} of {len(unfolded)} model classes ({share * 100:.2g}% of requests) folded into {target}: "
        f"a workload holds at most {MAX_CLASSES} classes, and a share under {MIN_SHARE:g} would be written as 0"
    )


def _class_shares(classes: list[Klass], total: float) -> list[float]:
    # Six decimals each; the largest class absorbs the rounding so the shares sum to 1 exactly.
    shares = [round(k.requests / total, 6) for k in classes]
    big = max(range(len(shares)), key=lambda i: shares[i])
    shares[big] = round(1.0 - sum(s for i, s in enumerate(shares) if i != big), 6)
    return shares


def render(d: Derived, file: str, name: str, by_model: bool) -> str:
    e, t = d.export, d.totals
    width = "one row per request" if e.bucket_seconds is None else f"buckets of {_period(e.bucket_seconds)}"
    lines = [
        f"# openclosed workload derived from {_c(file)} ({e.label})",
        "# by `openclosed workload from-usage`. Check it, then run: openclosed compare THIS_FILE",
        f"# Period: {e.period_start:%Y-%m-%d %H:%M} to {e.period_end:%Y-%m-%d %H:%M} UTC "
        f"({e.period_days:.2f} days; {width}).",
        f"# Totals: {d.requests:,.0f} requests, {t['input']:,.0f} input tokens ({t['cached']:,.0f} cached, "
        f"{t['cache_write']:,.0f} cache writes), {t['output']:,.0f} output tokens.",
    ]
    lines += [f"# Note: {_c(n)}" for n in e.notes]
    span = f"{e.period_start:%Y-%m-%d} to {e.period_end:%Y-%m-%d}"
    lines += [
        "version: 1",
        f"name: {_scalar(name)}",
        "description: " + _scalar(f"Derived from {file} ({e.label}), {span}"),
        "traffic:",
        f"  # {_c(d.requests_note)} = {d.requests:,.0f} requests / {e.period_days:.2f} days",
        f"  requests_per_day: {_num(d.requests_per_day, 2)}",
        f"  # {_c(e.fields.get('input', 'input tokens'))}: {t['input']:,.0f} / {d.requests:,.0f} requests",
        f"  input_tokens: {_num(d.input_tokens, 1)}",
        f"  # {_c(e.fields.get('output', 'output tokens'))}: {t['output']:,.0f} / {d.requests:,.0f} requests",
        f"  output_tokens: {_num(d.output_tokens, 1)}",
    ]
    if d.reasoning_tokens is not None:
        lines += [
            f"  # {_c(e.fields.get('reasoning', 'reasoning tokens'))}: measured hidden tokens per request "
            "(they override each model's typical count)",
            f"  reasoning_tokens: {_num(d.reasoning_tokens, 1)}",
        ]
    else:
        lines.append(
            "  # reasoning tokens: the export does not separate them, so output_tokens include any the models "
            "billed; each model's typical hidden tokens are added on top unless reasoning_tokens is set "
            "(0 when output_tokens already count them all)"
        )
    cached, written = _shares(d.cached_input_share, d.cache_write_share)
    lines += [
        f"  # {_c(e.fields.get('cached', 'cached tokens'))} / input tokens",
        f"  cached_input_share: {_num(cached, 4)}",
        f"  # {_c(e.fields.get('cache_write', 'cache writes'))} / input tokens",
        f"  cache_write_share: {_num(written, 4)}",
    ]
    five, hour = sum(r.cache_write_5m for r in e.rows), sum(r.cache_write_1h for r in e.rows)
    if five or hour:
        lines.append(
            f"  # cache writes split: {five:,.0f} tokens with a 5-minute lifetime, {hour:,.0f} with 1 hour; "
            "the catalogue has one cache-write price for both"
        )
    batch_from = e.fields.get("batch")
    lines += [
        f"  # {_c(batch_from) + ', share of requests' if batch_from else 'the export does not mark batch requests'}",
        f"  batch_share: {_num(d.batch_share, 4)}",
    ]
    if d.peak_to_average is not None:
        lines += [f"  # {_c(d.peak_note)}", f"  peak_to_average: {_num(d.peak_to_average, 2)}"]
    else:
        lines.append(f"  # peak_to_average not derived ({_c(d.peak_note)}); the default applies")
    if d.context_tokens is not None:
        lines += [
            "  # largest single request in the log (prompt + completion)",
            f"  context_tokens: {math.ceil(d.context_tokens)}",
        ]
    else:
        lines.append("  # context_tokens not derived (buckets hide single requests); default: input + output tokens")
    if by_model:
        lines += _classes_yaml(d)
    lines += _spend_yaml(d)
    lines += _cost_comments(d)
    return "\n".join(lines) + "\n"


def current_spend(d: Derived) -> tuple[float, str] | None:
    """What the workload costs today, a month: the export's own cost when it carries one
    (source "export"), else the catalogue price of the matched models ("catalogue"); None when
    neither is known."""
    if d.export_monthly_cost is not None:
        return d.export_monthly_cost, "export"
    if d.catalogue_monthly_cost is not None:
        return d.catalogue_monthly_cost, "catalogue"
    return None


def _spend_yaml(d: Derived) -> list[str]:
    spend = current_spend(d)
    if spend is None:
        return ["# current_spend not written: the export carries no cost and no model matched the catalogue"]
    cost, source = spend
    why = (
        f"the export's own cost ({_c(d.export.fields.get('cost', 'cost'))}) over {d.export.period_days:.2f} days"
        if source == "export"
        else "catalogue prices of the matched models (the export carries no cost)"
    )
    partial = ""
    if source == "catalogue" and d.unmatched:
        partial = f"; {len(d.unmatched)} model(s) not in the catalogue are left out"
    return [
        f"# what you pay today, a month (730 h): {why}{partial}",
        "current_spend:",
        f"  monthly_cost: {_num(cost, 2)}",
        f"  source: {source}",
    ]


def retiring(d: Derived, cat: object, today: object) -> list[str]:
    """A warning per imported model the catalogue says is deprecated or shuts down (the export's
    name, the catalogue model, the date)."""
    from ...catalog.lifecycle import model_warnings

    out: list[str] = []
    seen: set[str] = set()
    for m in d.models:
        mid = m.match.model_id
        if mid is None:
            continue
        for w in model_warnings(cat.model(mid), today):  # type: ignore[attr-defined]
            line = f"{m.name} (-> {mid}): {w}"
            if line not in seen:
                seen.add(line)
                out.append(line)
    return out


def _period(seconds: int) -> str:
    if seconds % 86400 == 0:
        return f"{seconds // 86400} d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"


def _classes_yaml(d: Derived) -> list[str]:
    classes = classes_of(d)
    if not classes:
        return ["  # no model had requests and tokens to make a traffic class of"]
    basis = (
        f"shares of requests ({d.export.fields.get('requests', 'requests')})"
        if d.share_basis == "requests"
        else "shares by tokens (input + output): the export counts no requests per model"
    )
    out = [f"  # one class per model; {basis}"]
    note = fold_note(d)
    if note:
        out.append(f"  # {_c(note)}")
    out.append("  classes:")
    total = sum(k.requests for k in classes)
    for k, share in zip(classes, _class_shares(classes, total), strict=True):
        names = ", ".join(m.name for m in k.members[:5])
        if len(k.members) > 5:
            names += f" and {len(k.members) - 5:,} more"
        tin, tout = k.total("input_tokens"), k.total("output_tokens")
        cached, written = _shares(k.total("cached_tokens") / tin, k.total("cache_write_tokens") / tin)
        out += [
            f"    - name: {_scalar(k.name)}  # export: {_c(names)}",
            f"      share: {_num(share, 6)}",
            f"      input_tokens: {_num(tin / k.requests, 1)}",
            f"      output_tokens: {_num(tout / k.requests, 1)}",
            f"      cached_input_share: {_num(cached, 4)}",
            f"      cache_write_share: {_num(written, 4)}",
        ]
    return out


def _cost_comments(d: Derived) -> list[str]:
    return ["#"] + [f"# {_c(line)}" for line in summary_lines(d)]


def summary_lines(d: Derived) -> list[str]:
    """What the user should read: current models at catalogue prices, the export's cost, unmatched names."""
    days = d.export.period_days
    out = [f"Current models at catalogue prices (a month = {DAYS_PER_MONTH * 24:.0f} h):"]
    # The largest first past SHOWN_MODELS (an export may name thousands); in the export's order below.
    shown = d.models
    if len(shown) > SHOWN_MODELS:
        shown = sorted(d.models, key=lambda m: -m.requests)[:SHOWN_MODELS]
    for m in shown:
        share = m.requests / d.requests if d.requests else 0.0
        what = f"  {m.name}: {share:.1%} of requests"
        if m.catalogue_monthly_cost is not None:
            what += f" -> {m.priced_as} ({m.priced_why}): {_usd(m.catalogue_monthly_cost)}/month"
            if m.match.how.startswith("fine-tune"):
                what += " at base-model prices (a fine-tune is billed at its own rates)"
        else:
            what += f" -> {m.note}"
        if m.export_cost is not None:
            what += f"; the export says {_usd(m.export_cost / days * DAYS_PER_MONTH)}/month"
        out.append(what)
    if len(d.models) > len(shown):
        rest = sum(m.requests for m in d.models) - sum(m.requests for m in shown)
        share = rest / d.requests if d.requests else 0.0
        out.append(f"  … and {len(d.models) - len(shown):,} more models ({share:.1%} of requests)")
    cat_total = d.catalogue_monthly_cost
    if cat_total is not None:
        out.append(f"Catalogue total for the matched models: {_usd(cat_total)}/month.")
    if d.export_monthly_cost is not None:
        line = f"The export's own cost: {_usd(d.export_monthly_cost)}/month ({d.export.fields.get('cost', 'cost')})"
        if cat_total:
            matched_export = sum(
                m.export_cost for m in d.models if m.export_cost is not None and m.catalogue_monthly_cost is not None
            )
            if matched_export > 0:
                gap = (cat_total - matched_export / days * DAYS_PER_MONTH) / (matched_export / days * DAYS_PER_MONTH)
                line += (
                    f"; the catalogue prices the matched models {abs(gap):.1%} {'above' if gap >= 0 else 'below'} it"
                )
        out.append(line + ".")
    else:
        bill = {"openai": " (the Costs API, GET /v1/organization/costs)", "anthropic": " (the Admin API cost report)"}
        out.append(
            "The export carries no cost; compare the catalogue total with your bill"
            + bill.get(d.export.source, "")
            + "."
        )
    if any(m.name == "(model not grouped)" for m in d.models):
        out.append("The export is not grouped by model: export it with group_by=model to see and price each model.")
    if d.unmatched:
        unmatched = d.unmatched
        names = "; ".join(
            m.name + (f" (nearest: {', '.join(m.match.suggestions)})" if m.match.suggestions else "")
            for m in unmatched[:SHOWN_MODELS]
        )
        if len(unmatched) > SHOWN_MODELS:
            names += f"; and {len(unmatched) - SHOWN_MODELS:,} more"
        out.append(f"Not matched to the catalogue: {names}. Add them (or an alias) in a catalogue overlay (--catalog).")
    return out
