"""Every catalogue price against the genai-prices and litellm package data (skipped without the extras).

A difference is allowed only where the offering's note says why (it names the source it disagrees
with). The test lists every difference with the catalogue's stated reason, so a failing run is a
to-do list: fix the price from a primary source, or write down why the package is wrong.
No network: both packages are read from their installed data files only.
"""

from __future__ import annotations

import datetime as dt
import importlib.util

import pytest

from openclosed.catalog import validate_dir

DAY = dt.date(2026, 11, 30)  # the date the catalogue was last checked against both packages

# DeepSeek's first-party API (deepseek-chat / deepseek-reasoner and their prices) is rewritten by the
# branch that adds DeepSeek-V3.2 (issue 8/10 division of work); its entries are checked there.
OWNED_ELSEWHERE = {("deepseek", "deepseek-v3"), ("deepseek", "deepseek-r1")}


def _offering(cat, provider: str, model: str):
    prov = next(p for p in cat.providers_file.api_providers if p.id == provider)
    return next(o for o in prov.offerings if o.model == model)


def _unexplained(plan, cat, source_words: tuple[str, ...]) -> list[str]:
    lines = []
    seen = set()
    for change in plan.changes:
        key = (change["provider"], change["model"])
        if key in seen or key in OWNED_ELSEWHERE:
            continue
        seen.add(key)
        off = _offering(cat, *key)
        note = (off.note or "").lower()
        fields = [c for c in plan.changes if (c["provider"], c["model"]) == key]
        detail = ", ".join(f"{c['field']} ours {c['old']} theirs {c['new']}" for c in fields)
        if not any(w in note for w in source_words):
            lines.append(f"{key[0]}/{key[1]}: {detail} -- note gives no reason: {off.note!r}")
    return lines


def test_prices_agree_with_genai_prices_or_say_why():
    pytest.importorskip("genai_prices")
    from openclosed.catalog import refresh

    cat = validate_dir(None)
    plan = refresh.plan_import(cat, DAY, threshold_pct=1.0, data=refresh.load_genai_prices())
    assert plan.confirmed, "nothing matched: the genai-prices data could not be read"
    bad = _unexplained(plan, cat, ("genai-prices", "genai_prices"))
    assert not bad, "differences from genai-prices without a stated reason:\n" + "\n".join(bad)


def test_prices_agree_with_litellm_or_say_why():
    if importlib.util.find_spec("litellm") is None:
        pytest.skip("litellm is not installed (optional extra: pip install 'openclosed[litellm]')")
    from openclosed.catalog import litellm_import

    cat = validate_dir(None)
    plan = litellm_import.plan_import(cat, DAY, threshold_pct=1.0, data=litellm_import.load_litellm())
    assert plan.confirmed, "nothing matched: litellm's price file could not be read"
    bad = _unexplained(plan, cat, ("litellm",))
    assert not bad, "differences from litellm without a stated reason:\n" + "\n".join(bad)
