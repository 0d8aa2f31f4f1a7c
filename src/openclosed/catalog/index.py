"""The validated catalogue with case-insensitive, alias-aware look-ups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..errors import Problem, UnknownIdError
from ..yamlio import Loc
from .schema import ApiProvider, Gpu, GpuCloud, Licence, Model, ModelsFile, Offering, OnPrem, ProvidersFile


@dataclass
class XProblem(Problem):
    """A cross-reference problem; `file` names the catalogue file until it is located."""

    loc: Loc = ()


def _norm(text: str) -> str:
    return text.strip().lower().replace("_", "-").replace(" ", "-")


class _Index:
    def __init__(self, kind: str, items: dict[str, Any], aliases: dict[str, str]) -> None:
        self.kind, self.items, self.aliases = kind, items, aliases

    def find(self, given: str) -> Any | None:
        """The entry named by id or alias, or None (no suggestions: cheap for many names)."""
        key = _norm(given)
        if key in self.items:
            return self.items[key]
        return self.items[self.aliases[key]] if key in self.aliases else None

    def get(self, given: str) -> Any:
        key = _norm(given)
        if key in self.items:
            return self.items[key]
        if key in self.aliases:
            return self.items[self.aliases[key]]
        import difflib  # only for the message: a found id never pays its import

        names = list(self.items) + list(self.aliases)
        close = difflib.get_close_matches(key, names, n=3, cutoff=0.5)
        ids: list[str] = []
        for c in close:
            canonical = self.aliases.get(c, c)
            if canonical not in ids:
                ids.append(canonical)
        if not ids:
            ids = [n for n in self.items if key in n or n in key][:3]
        raise UnknownIdError(self.kind, given, ids)


def _index(kind: str, entries: list[Any]) -> _Index:
    items = {e.id: e for e in entries}
    aliases: dict[str, str] = {}
    for e in entries:
        for a in getattr(e, "aliases", []):
            aliases.setdefault(_norm(a), e.id)
    return _Index(kind, items, aliases)


class Catalog:
    """Both catalogue files, indexed. Built once per process; treat as read-only."""

    def __init__(self, models: ModelsFile, providers: ProvidersFile, sources: list[str]) -> None:
        self.models_file, self.providers_file, self.sources = models, providers, sources
        self.origins: dict[str, Any] = {}
        # The content hash of the files when loaded through the cache (catalog/cache.py), else None.
        self.cache_key: str | None = None
        self.models = _index("model", models.models)
        self.licences = _index("licence", models.licences)
        self.gpus = _index("GPU", providers.gpus)
        self.api_providers = _index("API provider", providers.api_providers)
        clouds: list[Any] = list(providers.gpu_clouds)
        self.gpu_clouds = _index("GPU cloud", clouds)
        self.on_prem: OnPrem | None = providers.on_prem
        self.providers = _index("provider", [*providers.api_providers, *providers.gpu_clouds])
        if providers.on_prem is not None:
            self.providers.items.setdefault(providers.on_prem.id, providers.on_prem)
        self.as_of: dt.date = max(models.as_of, providers.as_of)

    # ------------------------------------------------------------------ look-ups
    def model(self, given: str) -> Model:
        return self.models.get(given)

    def gpu(self, given: str) -> Gpu:
        return self.gpus.get(given)

    def licence(self, given: str) -> Licence:
        return self.licences.get(given)

    def api_provider(self, given: str) -> ApiProvider:
        return self.api_providers.get(given)

    def gpu_cloud(self, given: str) -> GpuCloud:
        return self.gpu_clouds.get(given)

    def provider(self, given: str) -> ApiProvider | GpuCloud | OnPrem:
        return self.providers.get(given)

    def all_models(self) -> list[Model]:
        return list(self.models.items.values())

    def all_gpus(self) -> list[Gpu]:
        return list(self.gpus.items.values())

    def offerings_of(self, model_id: str) -> list[tuple[ApiProvider, Offering]]:
        return [(p, o) for p in self.providers_file.api_providers for o in p.offerings if o.model == model_id]

    def providers_serving(self, model_id: str) -> list[str]:
        return sorted({p.id for p, _ in self.offerings_of(model_id)})

    def counts(self) -> dict[str, int]:
        pf = self.providers_file
        return {
            "models": len(self.models.items),
            "providers": len(pf.api_providers) + len(pf.gpu_clouds) + (1 if pf.on_prem else 0),
            "gpus": len(self.gpus.items),
            "licences": len(self.licences.items),
        }

    # ------------------------------------------------------------------ checks
    def cross_reference_problems(self) -> list[XProblem]:
        out: list[XProblem] = []
        mf, pf = self.models_file, self.providers_file

        def dup(kind: str, entries: list[Any], file: str, loc: str) -> None:
            seen: set[str] = set()
            for i, e in enumerate(entries):
                if e.id != e.id.lower() or " " in e.id:
                    out.append(
                        XProblem(
                            "ids must be lower case without spaces", file, field=f"{loc}[{e.id}].id", loc=(loc, i, "id")
                        )
                    )
                if "@" in e.id or ":" in e.id or not e.id.strip():
                    # Option ids are MODEL@PROVIDER and MODEL@CLOUD:GPU: such an id could never be named.
                    out.append(
                        XProblem(
                            "ids must not be empty or contain '@' or ':' (they separate the parts of an option id)",
                            file,
                            field=f"{loc}[{e.id}].id",
                            loc=(loc, i, "id"),
                        )
                    )
                if e.id in seen:
                    out.append(
                        XProblem(f"duplicate {kind} id '{e.id}'", file, field=f"{loc}[{e.id}].id", loc=(loc, i, "id"))
                    )
                seen.add(e.id)

        dup("licence", mf.licences, "models.yaml", "licences")
        dup("model", mf.models, "models.yaml", "models")
        dup("GPU", pf.gpus, "providers.yaml", "gpus")
        dup("provider", [*pf.api_providers, *pf.gpu_clouds], "providers.yaml", "api_providers")
        for i, m in enumerate(mf.models):
            if m.licence not in self.licences.items:
                out.append(
                    XProblem(
                        f"licence '{m.licence}' is not in the catalogue",
                        "models.yaml",
                        field=f"models[{m.id}].licence",
                        loc=("models", i, "licence"),
                    )
                )
            if m.replacement and m.replacement not in self.models.items:
                out.append(
                    XProblem(
                        f"replacement '{m.replacement}' is not in the catalogue",
                        "models.yaml",
                        field=f"models[{m.id}].replacement",
                        loc=("models", i, "replacement"),
                    )
                )
        for i, p in enumerate(pf.api_providers):
            served: set[str] = set()
            for j, o in enumerate(p.offerings):
                if o.model in served:
                    # The option id is MODEL@PROVIDER: two offerings of one model could not be told apart.
                    out.append(
                        XProblem(
                            f"{p.id} already has an offering of '{o.model}' (one offering per model and provider)",
                            "providers.yaml",
                            field=f"api_providers[{p.id}].offerings[{o.model}].model",
                            loc=("api_providers", i, "offerings", j, "model"),
                        )
                    )
                served.add(o.model)
                if o.model not in self.models.items:
                    out.append(
                        XProblem(
                            f"model '{o.model}' is not in models.yaml",
                            "providers.yaml",
                            field=f"api_providers[{p.id}].offerings[{o.model}].model",
                            loc=("api_providers", i, "offerings", j, "model"),
                        )
                    )
                ded = getattr(o.fine_tuning, "dedicated", None)
                for gpu_id in ded.hourly_per_gpu if ded is not None else ():
                    if gpu_id not in self.gpus.items:
                        out.append(
                            XProblem(
                                f"GPU '{gpu_id}' is not in gpus",
                                "providers.yaml",
                                field=f"api_providers[{p.id}].offerings[{o.model}].fine_tuning.dedicated",
                                loc=("api_providers", i, "offerings", j, "fine_tuning", "dedicated", "hourly_per_gpu"),
                            )
                        )
                if o.replacement and o.replacement not in self.models.items:
                    out.append(
                        XProblem(
                            f"replacement '{o.replacement}' is not in models.yaml",
                            "providers.yaml",
                            field=f"api_providers[{p.id}].offerings[{o.model}].replacement",
                            loc=("api_providers", i, "offerings", j, "replacement"),
                        )
                    )
        for i, c in enumerate(pf.gpu_clouds):
            for j, g in enumerate(c.offers):
                if g.gpu not in self.gpus.items:
                    out.append(
                        XProblem(
                            f"GPU '{g.gpu}' is not in gpus",
                            "providers.yaml",
                            field=f"gpu_clouds[{c.id}].offers[{g.gpu}].gpu",
                            loc=("gpu_clouds", i, "offers", j, "gpu"),
                        )
                    )
        if pf.on_prem is not None:
            for j, g in enumerate(pf.on_prem.gpus):
                if g.gpu not in self.gpus.items:
                    out.append(
                        XProblem(
                            f"GPU '{g.gpu}' is not in gpus",
                            "providers.yaml",
                            field=f"on_prem.gpus[{g.gpu}].gpu",
                            loc=("on_prem", "gpus", j, "gpu"),
                        )
                    )
        return out
