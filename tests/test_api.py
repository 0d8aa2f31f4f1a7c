"""The Python API does what the CLI does, without a subprocess, and without typer or rich."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import TODAY


def test_public_api_matches_the_cli(cli) -> None:
    import datetime as dt

    from openclosed import Workload, compare, load_catalog
    from openclosed.engine import Settings

    workload = Workload.model_validate(
        {"traffic": {"requests_per_day": 20_000, "input_tokens": 3000, "output_tokens": 400}}
    )
    result = compare(load_catalog(), workload, Settings(today=dt.date.fromisoformat(TODAY)))
    r = cli(
        "compare",
        "--requests-per-day",
        "20000",
        "--input-tokens",
        "3000",
        "--output-tokens",
        "400",
        "--all",
        "--format",
        "json",
        "--today",
        TODAY,
    )
    from_cli = {o["id"]: o["monthly_cost"] for o in r.json()["options"]}
    from_api = {o.id: o.monthly_cost for o in result.report.options}
    assert from_api == from_cli
    assert result.report.recommended == r.json()["recommended"]
    json.loads(result.report.model_dump_json())


def test_the_core_imports_neither_typer_nor_rich() -> None:
    code = (
        "import sys; from openclosed import compare, load_catalog, preset; "
        "compare(load_catalog(), preset('rag')); "
        "print(sorted(m for m in ('typer', 'rich', 'click') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_version_does_not_import_pydantic() -> None:
    code = (
        "import sys; from openclosed.cli.app import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print('pydantic.main' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")
