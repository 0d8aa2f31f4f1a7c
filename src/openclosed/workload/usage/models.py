"""Export model names to catalogue ids, and the catalogue offering that prices each one.

Normalisation, tried in order until the catalogue (ids and aliases, case-insensitive) knows a name:
1. the name as given (Hugging Face ids such as `meta-llama/Llama-3.3-70B-Instruct` are aliases);
2. a fine-tune `ft:BASE:org::id` becomes BASE;
3. an OpenRouter variant suffix (`:free`, `:thinking`, ...) and a Bedrock version (`-v1:0`) go;
4. router prefixes go one at a time (`openai/gpt-4o`, `azure/gpt-4o`, `bedrock/us.anthropic.…`),
   and Bedrock's region and vendor dots (`us.`, `anthropic.`);
5. a date suffix goes (`-2024-08-06`, `-20250929`), and `-latest`;
6. dashes between version digits become dots (`claude-sonnet-4-5` -> `claude-sonnet-4.5`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ...catalog import Catalog
from ...catalog.schema import ApiProvider, Offering
from ...errors import UnknownIdError

_DATE = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8})$")
_BEDROCK_VERSION = re.compile(r"-v\d+(:\d+)?$")
_BEDROCK_DOTS = re.compile(
    r"^(?:(?:us|eu|apac|global|jp|au)\.)?(?:anthropic|meta|mistral|amazon|openai|deepseek|qwen)\."
)
_VERSION_DASH = re.compile(r"(?<=\d)-(?=\d(?:$|-|\D))")

# LiteLLM's custom_llm_provider names that differ from catalogue provider ids or aliases.
PROVIDER_NAMES = {
    "azure": "azure-openai",
    "azure_ai": "azure-openai",
    "bedrock": "aws-bedrock",
    "bedrock_converse": "aws-bedrock",
    "vertex_ai": "google-vertex",
    "vertex_ai_beta": "google-vertex",
    "gemini": "google",
    "together_ai": "together",
    "fireworks_ai": "fireworks",
    "text-completion-openai": "openai",
    "deepseek": "deepseek",
    "mistral": "mistral",
}


@dataclass
class Match:
    given: str
    model_id: str | None
    how: str = ""  # how the name was normalised; empty when it matched as given
    suggestions: list[str] = field(default_factory=list)


def _candidates(name: str) -> list[tuple[str, str]]:
    """Names to try, each with a note of the step that produced it."""
    out: list[tuple[str, str]] = []

    def add(candidate: str, how: str) -> None:
        if candidate and candidate not in (c for c, _ in out):
            out.append((candidate, how))

    s = name.strip()
    add(s, "")
    if s.lower().startswith("ft:"):
        parts = s.split(":")
        s = parts[1] if len(parts) > 1 else s
        add(s, "fine-tune of its base model")
    base_how = out[-1][1]
    s = _BEDROCK_VERSION.sub("", s)
    if ":" in s:
        s = s.split(":", 1)[0]
    add(s, base_how or "variant suffix removed")
    stems = [s]
    while "/" in s:
        s = s.split("/", 1)[1]
        stems.append(s)
    for stem in stems[1:]:
        add(stem, base_how or "provider prefix removed")
    for stem in list(stems):
        bare = _BEDROCK_DOTS.sub("", stem)
        add(bare, base_how or "provider prefix removed")
        undated = _DATE.sub("", bare.removesuffix("-latest"))
        add(undated, base_how or "dated id")
        add(_VERSION_DASH.sub(".", undated), base_how or "version dashes read as dots")
    return out


def map_model(cat: Catalog, name: str, suggest: bool = True) -> Match:
    """The catalogue model an export's name stands for; `suggest` adds the nearest ids when none
    does (a fuzzy search over the catalogue: worth it only for the names a user will read)."""
    if not name.strip():
        return Match(name, None)
    for candidate, how in _candidates(name):
        model = cat.models.find(candidate)
        if model is None:
            continue
        if how == "" and model.id != candidate.lower():
            how = "alias"
        return Match(name, model.id, how)
    return Match(name, None, "", suggestions(cat, name) if suggest else [])


def suggestions(cat: Catalog, name: str) -> list[str]:
    """The catalogue ids nearest to the last normalised form of an unmatched name."""
    candidates = _candidates(name)
    if not candidates:
        return []
    try:
        cat.model(candidates[-1][0])
    except UnknownIdError as exc:
        return list(exc.suggestions)
    return []


@dataclass
class Priced:
    provider: ApiProvider
    offering: Offering
    why: str


def offering_for(cat: Catalog, model_id: str, provider_hint: str | None, export_model: str) -> Priced | None:
    """The offering that prices a model: the provider the export names, else the model's maker, else cheapest."""
    offers = cat.offerings_of(model_id)
    if not offers:
        return None
    hints = []
    if provider_hint:
        hints.append(PROVIDER_NAMES.get(provider_hint.strip().lower(), provider_hint))
    if "/" in export_model:
        prefix = export_model.split("/", 1)[0].lower()
        hints.append(PROVIDER_NAMES.get(prefix, prefix))
    for hint in hints:
        try:
            provider = cat.api_provider(hint)
        except UnknownIdError:
            continue
        for p, o in offers:
            if p.id == provider.id:
                return Priced(p, o, "the provider in the export")
    vendor = cat.model(model_id).vendor.strip().lower()
    for p, o in offers:
        if p.id == vendor:
            return Priced(p, o, "the model's maker")
    p, o = min(offers, key=lambda po: Decimal(str(po[1].prices.input)) + Decimal(str(po[1].prices.output)))
    return Priced(p, o, "cheapest catalogue offering (the export names no provider the catalogue has)")
