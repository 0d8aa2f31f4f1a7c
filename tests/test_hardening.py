"""Issue 13: one test per problem found with hostile inputs (each failed before the fix).

Numbers refer to the issue's list: 1 cache (tests/test_cache.py), 2 special output files,
3 exit 3 on bad input, 4 unbounded work, 5 wrong answers accepted, 6 messages.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SWEEP_CHATBOT, TODAY, write

WL = "version: 1\ntraffic:\n  requests_per_day: 1000\n  input_tokens: 500\n  output_tokens: 200\n"
REPORT = ROOT / "tests" / "data" / "report-a.json"


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def one_error(run, *needles: str) -> str:
    """Exit 2, exactly one `error:` line, no traceback; returns the line."""
    assert run.code == 2, (run.code, run.err)
    assert "Traceback" not in run.err and "internal error" not in run.err
    lines = errors(run.err)
    assert len(lines) == 1, run.err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _is_char_device(path: str) -> bool:
    try:
        return stat.S_ISCHR(os.stat(path).st_mode)
    except OSError:
        return False


# ------------------------------------------------------------------ 2. special files are never replaced
def test_out_file_refuses_a_fifo_and_a_symlink_to_one(cli, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    for target in (fifo, link):
        one_error(cli("models", "list", "--format", "json", "-o", str(target)), "--out-file", "FIFO")
        assert stat.S_ISFIFO(os.stat(target).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "pipe"]  # no temporary file left


def test_write_atomic_refuses_devices_and_sockets(tmp_path: Path) -> None:
    import socket

    from openclosed.errors import InputError
    from openclosed.fileio import write_atomic

    device = next((Path(d) for d in ("/dev/full", "/dev/zero", os.devnull) if _is_char_device(d)), None)
    if device is not None:  # a shared machine may have lost them to a tool without this check
        with pytest.raises(InputError, match="character device"):
            write_atomic(device, "x")
        assert _is_char_device(str(device))
    sock_path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(sock_path))
        with pytest.raises(InputError) as info:
            write_atomic(sock_path, b"x", field="--chart")
        assert "--chart: is a socket" in str(info.value)
    assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)


# ------------------------------------------------------------------ 3. bad input exits 2, never 3
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("version: 1\ntraffic: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than"),
        (WL + "licence:\n  monthly_active_users: " + "9" * 400 + "\n", "too large"),
        (WL + "self_hosting:\n  utilisation_cap: 1e-320\n", "utilisation_cap"),
        (WL.replace("version: 1", 'version: 1\nname: "\\ud800"'), "invalid"),
        (WL + "horizon_months: " + "1" * 5000 + "\n", "too large"),
    ],
    ids=["deep", "huge-int", "tiny-divisor", "lone-surrogate", "5000-digits"],
)
def test_bad_workloads_exit_2(cli, tmp_path: Path, text: str, needle: str) -> None:
    path = write(tmp_path / "w.yaml", text)
    one_error(cli("compare", str(path), "--format", "json"), needle)


def test_size_input_tokens_inf_exits_2(cli) -> None:
    one_error(cli("size", "llama-3.3-70b", "--gpu", "h100-sxm", "--input-tokens", "inf"), "--input-tokens")
    one_error(cli("size", "llama-3.3-70b", "--gpu", "h100-sxm", "--output-tokens", "nan"), "--output-tokens")


@pytest.mark.parametrize("kind", ["not-a-directory", "too-long", "unwritable"])
def test_bad_out_file_paths_exit_2(cli, tmp_path: Path, kind: str) -> None:
    plain = write(tmp_path / "plain.txt", "x")
    if kind == "not-a-directory":
        target = plain / "out.json"
    elif kind == "too-long":
        target = tmp_path / ("x" * 300 + ".json")
    else:
        if os.geteuid() == 0:
            pytest.skip("root can write anywhere")
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "out.json"
    one_error(cli("models", "list", "--format", "json", "-o", str(target)), "--out-file")


@pytest.mark.parametrize(
    "cost",
    ["1" + "0" * 400, "1e400", "[" * 3000 + "1" + "]" * 3000, '"\\ud800"', "NaN", "-Infinity"],
    ids=["huge-int", "overflow", "deep", "surrogate", "nan", "-inf"],
)
def test_diff_of_hostile_reports_exits_2(cli, tmp_path: Path, cost: str) -> None:
    text = REPORT.read_text()
    data = json.loads(text)
    first = data["options"][0]["monthly_cost"]
    bad = text.replace(f'"monthly_cost": {json.dumps(first)}', f'"monthly_cost": {cost}', 1)
    assert bad != text
    path = write(tmp_path / "bad.json", bad)
    one_error(cli("diff", str(REPORT), str(path)), "bad.json")


def test_broken_genai_prices_exits_2(cli, tmp_path: Path, monkeypatch) -> None:
    pkg = tmp_path / "site" / "genai_prices"
    write(pkg / "__init__.py", "raise RuntimeError('half-upgraded install')\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    for name in [m for m in sys.modules if m == "genai_prices" or m.startswith("genai_prices.")]:
        monkeypatch.delitem(sys.modules, name)
    line = one_error(cli("catalog", "import", "genai-prices", "--into", str(tmp_path / "ov")), "broken")
    assert "half-upgraded install" in line


# ------------------------------------------------------------------ 4. nothing unbounded
def test_size_limit_is_checked_before_parsing(cli, tmp_path: Path) -> None:
    path = write(tmp_path / "big.yaml", WL + "# " + "x" * 3_000_000 + "\n")
    start = time.monotonic()
    one_error(cli("compare", str(path)), "larger than")
    assert time.monotonic() - start < 2


def test_node_limit_is_checked_while_parsing(cli, tmp_path: Path) -> None:
    # 1.6 MB, under the byte limit, but 400,000 values: refused by the event stream, no tree built.
    path = write(tmp_path / "wide.yaml", WL + "description: [" + "1," * 400_000 + "1]\n")
    start = time.monotonic()
    one_error(cli("compare", str(path)), "values")
    assert time.monotonic() - start < 5


def test_dev_zero_and_a_fifo_are_refused_without_reading(cli, tmp_path: Path) -> None:
    one_error(cli("compare", "/dev/zero"), "not a regular file")
    fifo = tmp_path / "w.yaml"
    os.mkfifo(fifo)  # no writer: a plain open() would block forever
    one_error(cli("compare", str(fifo)), "not a regular file")
    one_error(cli("diff", str(fifo), str(REPORT)), "not a regular file")


def test_sweep_work_is_capped(cli) -> None:
    from openclosed.limits import MAX_SWEEP_WORK, check_sweep_budget

    one_error(cli("sweep", "--preset", "chatbot", "--options", "all", "--steps", "100000"), "--steps", "limit")
    check_sweep_budget(10_000, 1_000)  # 10,000 points over a catalogue larger than today's fits
    assert MAX_SWEEP_WORK >= 10_000 * 1_000


# ------------------------------------------------------------------ 5. wrong answers are refused
@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ("horizon_months: 1e-320\n", "horizon_months"),
        ("horizon_months: 0.000001\n", "horizon_months"),
    ],
)
def test_tiny_horizon_is_refused(cli, tmp_path: Path, extra: str, needle: str) -> None:
    one_error(cli("compare", str(write(tmp_path / "w.yaml", WL + extra))), needle)


def test_tiny_request_rate_is_refused(cli, tmp_path: Path) -> None:
    text = WL.replace("requests_per_day: 1000", "requests_per_day: 1e-320")
    one_error(cli("compare", str(write(tmp_path / "w.yaml", text))), "requests_per_day")


def test_boolean_is_not_a_number_but_boolean_keys_accept_yes_no(cli, tmp_path: Path) -> None:
    bad = WL.replace("input_tokens: 500", "input_tokens: yes")
    one_error(cli("compare", str(write(tmp_path / "bad.yaml", bad))), "input_tokens", "boolean")
    ok = WL + "privacy:\n  allow_third_party: no\nlicence:\n  commercial: yes\n"
    run = cli("compare", str(write(tmp_path / "ok.yaml", ok)), "--format", "json", "--today", TODAY)
    assert run.code == 0, run.err


def test_vary_with_three_dots_is_an_error(cli) -> None:
    one_error(cli("sweep", "--preset", "chatbot", "--vary", "requests_per_month=1k...1M"), "--vary", "two dots")
    one_error(cli("sweep", "--preset", "chatbot", "--vary", "requests_per_month=1k..1M..2M"), "--vary")


def test_check_with_nan_baseline_exits_2(cli, tmp_path: Path) -> None:
    data = json.loads(REPORT.read_text())
    text = json.dumps(data).replace(json.dumps(data["options"][0]["monthly_cost"]), "NaN", 1)
    baseline = write(tmp_path / "base.json", text)
    one_error(cli("check", "--preset", "chatbot", "--baseline", str(baseline), "--today", TODAY), "NaN")


@pytest.mark.parametrize("bad_id", ["my@model", "my:model"])
def test_overlay_id_with_separator_is_refused(cli, tmp_path: Path, bad_id: str) -> None:
    write(
        tmp_path / "ov" / "models.yaml",
        f"models:\n  - id: {bad_id}\n    name: Mine\n    vendor: me\n    open_weights: false\n"
        "    licence: proprietary\n    context_window: 8000\n    source: https://example.com\n    as_of: 2026-01-01\n",
    )
    one_error(cli("catalog", "validate", "--catalog", str(tmp_path / "ov")), bad_id, "'@' or ':'", "models.yaml:2")


def test_failed_sweep_leaves_the_chart_alone(cli, tmp_path: Path) -> None:
    chart = write(tmp_path / "chart.svg", "old chart")
    run = cli(*SWEEP_CHATBOT, "--chart", str(chart), "--out-file", str(tmp_path / "missing" / "x.json"))
    one_error(run, "--out-file")
    assert chart.read_text() == "old chart"


# ------------------------------------------------------------------ 6. messages
def test_chart_errors_name_the_chart_flag(cli, tmp_path: Path) -> None:
    one_error(cli(*SWEEP_CHATBOT, "--chart", str(tmp_path / "missing" / "c.svg")), "--chart")
    one_error(cli(*SWEEP_CHATBOT, "--chart", str(tmp_path)), "--chart")


def test_yaml_tag_error_is_one_line(cli, tmp_path: Path) -> None:
    for text in ("a: !!python/name:os.system ''\n", "a: !!python/object/apply:os.system ['true']\n", "a: !x 1\n"):
        path = write(tmp_path / "w.yaml", text)
        one_error(cli("compare", str(path)), "w.yaml:1", "tag")


def test_disabled_model_still_referenced_blames_the_overlay(cli, tmp_path: Path) -> None:
    ov = write(tmp_path / "ov" / "models.yaml", "models:\n  - id: gpt-4o\n    disabled: true\n")
    run = cli("catalog", "validate", "--catalog", str(ov.parent))
    assert run.code == 2
    lines = errors(run.err)
    assert lines and all(line.startswith(f"error: {ov}:3:") for line in lines), run.err
    assert "disabled here" in lines[0] and "providers.yaml" in lines[0]


def test_interrupt_says_so(cli, monkeypatch) -> None:
    import openclosed.catalog

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(openclosed.catalog, "load_catalog", interrupted)
    run = cli("compare", "--preset", "chatbot")
    assert run.code == 130
    assert run.err.strip().splitlines()[-1] == "interrupted"


def test_control_characters_are_escaped_on_the_terminal(cli, tmp_path: Path) -> None:
    write(
        tmp_path / "ov" / "models.yaml",
        'models:\n  - id: evil\n    name: "Evil\\e[2J\\u202e"\n    vendor: "x\\x07"\n    open_weights: false\n'
        "    licence: proprietary\n    context_window: 8000\n    source: https://example.com\n    as_of: 2026-01-01\n",
    )
    for fmt in ("table", "markdown"):
        run = cli("models", "show", "evil", "--catalog", str(tmp_path / "ov"), "--format", fmt)
        assert run.code == 0, run.err
        assert "\x1b" not in run.out and "\u202e" not in run.out and "\x07" not in run.out
        # Markdown also escapes the bracket (it could open a link): `\[` renders as `[`.
        assert ("\\x1b[2J" if fmt == "table" else "\\x1b\\[2J") in run.out
    run = cli("models", "show", "evil\x1b[31m")
    assert run.code == 2 and "\x1b" not in run.err and "\\x1b[31m" in run.err
