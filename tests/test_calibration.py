"""The calibration set (data/calibration.yaml) and the estimator's error on it: the set's integrity
(every row sourced and dated, the held-out split by source, its size and breadth), and that the
per-family tables in docs/methodology.md are what the code computes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from openclosed.selfhost import calibration
from openclosed.selfhost.families import GENERATION, KINDS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def checks(catalog) -> list[calibration.Check]:
    return calibration.run(catalog)


def test_every_row_is_sourced_dated_and_well_formed() -> None:
    rows = calibration.load()
    assert len(rows) >= 150
    for r in rows:
        s = r.source
        assert s.url.startswith("https://"), r.ref
        assert dt.date.fromisoformat(s.date) <= dt.date(2026, 12, 6), r.ref
        assert s.publisher and s.kind and r.engine, r.ref
        assert r.metric in calibration.METRICS, r.ref
        assert r.measured > 0 and r.gpus >= 1 and r.input_tokens >= 1 and r.output_tokens >= 1, r.ref
        assert r.concurrency is None or r.concurrency >= 1, r.ref
        assert r.plan is None or r.plan.gpus == r.gpus, r.ref
    assert len({r.ref for r in rows}) == len(rows)


def test_held_out_third_is_split_by_source() -> None:
    rows = calibration.load()
    held = [r for r in rows if r.held_out]
    # A source is wholly held out or wholly in the fit: no held-out row shares a source (id or URL)
    # with a row the fit used.
    fit_ids = {r.source.id for r in rows if not r.held_out}
    fit_urls = {r.source.url for r in rows if not r.held_out}
    assert all(r.source.id not in fit_ids and r.source.url not in fit_urls for r in held)
    assert 0.30 <= len(held) / len(rows) <= 0.40


def test_the_set_is_broad(catalog) -> None:
    rows = [r for r in calibration.load() if calibration.available(catalog, r)]
    assert len(rows) == len(calibration.load())  # every row's model and GPU is in the catalogue
    kinds = {calibration.family(catalog.model(r.model).architecture, r.gpu)[0] for r in rows}
    assert kinds == set(KINDS)
    assert {"hopper", "blackwell", "cdna3"} <= {GENERATION[r.gpu] for r in rows}
    engines = " ".join(r.engine for r in rows)
    for engine in ("vLLM", "SGLang", "TensorRT-LLM", "ATOM"):
        assert engine in engines
    assert len({r.source.publisher for r in rows}) >= 6
    assert any((r.plan is not None and r.plan.nodes > 1) for r in rows)  # multi-node
    assert any(r.requests for r in rows)  # bursts
    concurrencies = [r.concurrency for r in rows if r.concurrency]
    assert min(concurrencies) == 1 and max(concurrencies) >= 512


def _doc_table(title: str) -> str:
    text = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
    m = re.search(rf"<!-- {title} -->\n(.*?)\n<!-- end -->", text, re.S)
    assert m, title
    return m.group(1).strip()


def test_methodology_tables_are_what_the_code_computes(checks) -> None:
    fit, held = calibration.split(checks)
    assert _doc_table("calibration: held-out") == calibration.family_table(held)
    assert _doc_table("calibration: fit") == calibration.family_table(fit)


def test_a_burst_is_sized_at_the_concurrency_that_fits(catalog) -> None:
    # 500 prompts of 4,000 tokens sent at once: the engine runs as many as fit its KV cache; the
    # prediction is the steady throughput at that batch, not at 500.
    burst = next(r for r in calibration.load() if r.requests == 500 and r.gpu == "h100-sxm")
    cap = calibration.size(
        burst.model,
        catalog.model(burst.model).architecture,
        catalog.gpu(burst.gpu),
        burst.precision,
        burst.plan or burst.gpus,
        burst.input_tokens,
        burst.output_tokens,
    ).max_concurrency
    at_cap = calibration.size(
        burst.model,
        catalog.model(burst.model).architecture,
        catalog.gpu(burst.gpu),
        burst.precision,
        burst.plan or burst.gpus,
        burst.input_tokens,
        burst.output_tokens,
        concurrency=min(500, cap),
    )
    assert calibration.predict(catalog, burst) == at_cap.output_tokens_per_s
