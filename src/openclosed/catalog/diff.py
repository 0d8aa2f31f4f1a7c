"""What changed between two catalogues: prices, models added or retired, lifecycle, licences.

`openclosed catalog diff OLD NEW`. Each side is `embedded` or a directory. In a directory, a file
that is complete (it sets `extends: none`, or it holds every required top-level section, as a copy
of `data/` does) is the whole file; a partial file is an overlay over the embedded one, exactly as
with `--catalog DIR`. User-config and OPENCLOSED_CATALOG overlays are never applied here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError
from ..yamlio import load_file
from .index import Catalog
from .loader import from_layers, layer
from .places import FILES, embedded_dir
from .schema import LIFECYCLE_FIELDS

REQUIRED = {
    "models.yaml": ("as_of", "licences", "models"),
    "providers.yaml": ("as_of", "gpus", "api_providers", "gpu_clouds"),
}
OFFERING_PRICES = ("input", "output", "cached_input", "cache_write")
TIER_FIELDS = ("threshold_tokens", "input", "output", "cached_input", "cache_write")
ON_PREM_FIELDS = (
    "amortisation_years",
    "electricity_usd_per_kwh",
    "pue",
    "server_power_overhead",
    "hosting_usd_per_gpu_month",
)
LICENCE_FIELDS = (
    "name",
    "kind",
    "commercial_use",
    "mau_limit",
    "eu_multimodal_exclusion",
    "url",
    "permits",
    "requires",
    "restricts",
)


def _complete(path: Path, fname: str) -> bool:
    data, _ = load_file(path)
    if not isinstance(data, dict):
        raise InputError.one("expected a mapping at the top level", str(path), 1)
    return data.get("extends") == "none" or all(k in data for k in REQUIRED[fname])


def load_side(spec: str | Path) -> tuple[Catalog, str]:
    """`embedded` or a directory -> (catalogue, label)."""
    base = embedded_dir()
    if str(spec).lower() == "embedded":
        return from_layers({f: layer(f, [base]) for f in FILES}, [str(base)]), "embedded"
    d = Path(spec)
    if not d.exists():
        raise InputError.one("catalogue directory not found (or give 'embedded')", str(d))
    if not d.is_dir():
        raise InputError.one("expected a directory holding models.yaml and/or providers.yaml, or 'embedded'", str(d))
    if not any((d / f).exists() for f in FILES):
        raise InputError.one("holds neither models.yaml nor providers.yaml", str(d))
    lays = {}
    for f in FILES:
        path = d / f
        if not path.exists():
            lays[f] = layer(f, [base])
        elif _complete(path, f):
            lays[f] = layer(f, [d])
        else:
            lays[f] = layer(f, [base, d])
    return from_layers(lays, [str(base), str(d)]), str(d)


# ---------------------------------------------------------------- the comparison
def _pct(old: Any, new: Any) -> float | None:
    if isinstance(old, (int, float)) and isinstance(new, (int, float)) and not isinstance(old, bool) and old:
        return round((new - old) / old * 100, 2)
    return None


def _plain(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


class _Rows(list):
    def add(self, kind: str, item: str, fld: str, change: str, old: Any = None, new: Any = None) -> None:
        self.append(
            {
                "kind": kind,
                "item": item,
                "field": fld,
                "change": change,
                "old": _plain(old),
                "new": _plain(new),
                "change_pct": _pct(old, new),
            }
        )

    def presence(self, kind: str, item: str, label: str, a: Any, b: Any, attr: str = "name") -> bool:
        """Record an entry added or removed; True when only one side has it."""
        if a is not None and b is not None:
            return False
        self.add(kind, item, label, "added" if a is None else "removed", getattr(a, attr, None), getattr(b, attr, None))
        return True

    def fields(self, kind: str, item: str, a: Any, b: Any, names: tuple[str, ...], prefix: str = "") -> None:
        for n in names:
            o, v = getattr(a, n, None) if a is not None else None, getattr(b, n, None) if b is not None else None
            if o != v:
                change = "added" if o is None else "removed" if v is None else "changed"
                self.add(kind, item, prefix + n, change, o, v)


def diff_catalogs(old: Catalog, new: Catalog) -> list[dict[str, Any]]:
    rows = _Rows()
    om, nm = old.models.items, new.models.items
    for mid in sorted(set(om) | set(nm)):
        a, b = om.get(mid), nm.get(mid)
        if a is None:
            rows.add("model", mid, "model", "added", None, b.name)
            if b.shutdown_date or b.deprecation_date:
                rows.fields("lifecycle", mid, None, b, ("deprecation_date", "shutdown_date", "replacement"))
            continue
        if b is None:
            rows.add("model", mid, "model", "removed", a.name, None)
            continue
        rows.fields("lifecycle", mid, a, b, ("deprecation_date", "shutdown_date", "replacement"))
        rows.fields("licence", mid, a, b, ("licence",))
    ol, nl = old.licences.items, new.licences.items
    for lid in sorted(set(ol) | set(nl)):
        a, b = ol.get(lid), nl.get(lid)
        if not rows.presence("licence", lid, "licence", a, b):
            rows.fields("licence", lid, a, b, LICENCE_FIELDS)

    op = {p.id: p for p in old.providers_file.api_providers}
    np_ = {p.id: p for p in new.providers_file.api_providers}
    for pid in sorted(set(op) | set(np_)):
        a, b = op.get(pid), np_.get(pid)
        if rows.presence("provider", pid, "provider", a, b):
            continue
        rows.fields("price", pid, a, b, ("price_multiplier",))
        ao, bo = {o.model: o for o in a.offerings}, {o.model: o for o in b.offerings}
        for mid in sorted(set(ao) | set(bo)):
            x, y = ao.get(mid), bo.get(mid)
            item = f"{pid}/{mid}"
            if x is None or y is None:
                rows.add("offering", item, "offering", "added" if x is None else "removed")
                if y is not None and (y.shutdown_date or y.deprecation_date):
                    rows.fields("lifecycle", item, None, y, LIFECYCLE_FIELDS)
                continue
            rows.fields("lifecycle", item, x, y, LIFECYCLE_FIELDS)
            rows.fields("price", item, x.prices, y.prices, OFFERING_PRICES, "prices.")
            if x.long_context is not None or y.long_context is not None:
                rows.fields("price", item, x.long_context, y.long_context, TIER_FIELDS, "long_context.")
            rows.fields("price", item, x, y, ("batch_discount", "request_fee"))

    oc = {c.id: c for c in old.providers_file.gpu_clouds}
    nc = {c.id: c for c in new.providers_file.gpu_clouds}
    for cid in sorted(set(oc) | set(nc)):
        a, b = oc.get(cid), nc.get(cid)
        if rows.presence("gpu-cloud", cid, "gpu cloud", a, b):
            continue
        rows.fields("gpu-price", cid, a, b, ("price_multiplier",))
        ag, bg = {g.gpu: g for g in a.offers}, {g.gpu: g for g in b.offers}
        for gid in sorted(set(ag) | set(bg)):
            x, y = ag.get(gid), bg.get(gid)
            item = f"{cid}/{gid}"
            if rows.presence("gpu-offer", item, "offer", x, y, attr="hourly_price"):
                continue
            rows.fields("gpu-price", item, x, y, ("hourly_price", "reserved_hourly_price"))

    a_op, b_op = old.providers_file.on_prem, new.providers_file.on_prem
    if a_op is not None or b_op is not None:
        rows.fields("on-prem", "on-prem", a_op, b_op, ON_PREM_FIELDS)
        ag = {g.gpu: g for g in (a_op.gpus if a_op else [])}
        bg = {g.gpu: g for g in (b_op.gpus if b_op else [])}
        for gid in sorted(set(ag) | set(bg)):
            rows.fields(
                "on-prem", f"on-prem/{gid}", ag.get(gid), bg.get(gid), ("purchase_price", "used_purchase_price")
            )

    og, ng = old.gpus.items, new.gpus.items
    for gid in sorted(set(og) | set(ng)):
        rows.presence("gpu", gid, "gpu", og.get(gid), ng.get(gid))
    return list(rows)


def diff(old_spec: str | Path, new_spec: str | Path) -> dict[str, Any]:
    old, old_label = load_side(old_spec)
    new, new_label = load_side(new_spec)
    rows = diff_catalogs(old, new)
    summary: dict[str, int] = {}
    for r in rows:
        summary[r["kind"]] = summary.get(r["kind"], 0) + 1
    return {
        "schema_version": 1,
        "old": {"catalog": old_label, "as_of": old.as_of.isoformat()},
        "new": {"catalog": new_label, "as_of": new.as_of.isoformat()},
        "summary": summary,
        "changes": rows,
    }
