"""`workload from-usage` on hostile or extreme exports (issue: Hardening, items 5 and 9-14).

Every case exits 2 with one `error:` line naming the file (or the flag), or 0 with a workload
that loads; never 3, never a hang. Each test failed before its fix.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
import yaml

from openclosed.workload.model import workload_from_dict

HEADER = "request_id,call_type,startTime,model,prompt_tokens,completion_tokens,spend,custom_llm_provider,status\n"


def _row(i: int, model: str = "gpt-4o", start: str = "2026-11-01T10:00:00Z", status: str = "success") -> str:
    return f"r{i},completion,{start},{model},1000,200,0.01,openai,{status}\n"


def _csv(tmp_path: Path, rows: list[str], name: str = "spend.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _page(results: list[dict]) -> dict:
    return {
        "object": "page",
        "data": [{"object": "bucket", "start_time": 1761984000, "end_time": 1761987600, "results": results}],
    }


def _result(model: str, n: int) -> dict:
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": 1000 * n,
        "output_tokens": 100 * n,
        "num_model_requests": n,
        "model": model,
    }


def _bad(run, *args: str) -> str:
    assert run.code == 2, (run.code, run.err)
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.err
    return lines[0]


def _workload(run) -> dict:
    assert run.code == 0, run.err
    data = yaml.safe_load(run.out)
    workload_from_dict(data, "derived")
    return data


# ------------------------------------------------------------------ item 9: derived figures in range
@pytest.mark.parametrize("value", ["inf", "1e300", "1e-300", "nan"])
def test_requests_outside_the_workload_ranges_is_one_line(cli, tmp_path: Path, value: str) -> None:
    path = _csv(tmp_path, [_row(i) for i in range(3)])
    line = _bad(cli("workload", "from-usage", str(path), "--requests", value))
    assert "--requests" in line and "from 0.000001 to 1e+15" in line


def test_requests_in_range_but_figures_out_of_range_is_one_line(cli, tmp_path: Path) -> None:
    # 1e14 requests in one hour is 7.3e16 a month: past the workload's 1e12 ceiling.
    path = _csv(tmp_path, [_row(i) for i in range(3)])
    line = _bad(cli("workload", "from-usage", str(path), "--requests", "1e14"))
    assert "not a valid workload" in line and "requests_per_month" in line


def test_input_tokens_per_request_below_one_is_one_line(cli, tmp_path: Path) -> None:
    path = _csv(tmp_path, [_row(i) for i in range(3)])
    line = _bad(cli("workload", "from-usage", str(path), "--input-tokens-per-request", "1e-300"))
    assert "--input-tokens-per-request" in line


# ------------------------------------------------------------------ item 10: years 9999 and 0001
@pytest.mark.parametrize("stamp", ["9999-12-31T23:30:00Z", "0001-01-01T00:00:00+01:00", "1969-12-31T23:00:00Z"])
def test_timestamps_out_of_range(cli, tmp_path: Path, stamp: str) -> None:
    path = _csv(tmp_path, [_row(1, start=stamp)])
    line = _bad(cli("workload", "from-usage", str(path)))
    assert f"{path}:2: startTime: expected a time between 1970 and 2199" in line


def test_unix_seconds_past_2199(cli, tmp_path: Path) -> None:
    page = _page([_result("gpt-4o", 10)])
    page["data"][0]["start_time"], page["data"][0]["end_time"] = 7_258_118_400, 7_258_122_000  # 2200-01-01
    path = tmp_path / "late.json"
    path.write_text(json.dumps(page))
    assert "expected Unix seconds between 1970 and 2199" in _bad(cli("workload", "from-usage", str(path)))


def test_openrouter_date_9999(cli, tmp_path: Path) -> None:
    rows = [
        {"date": "9999-12-31", "model": "openai/gpt-4o", "requests": 3, "prompt_tokens": 30, "completion_tokens": 9}
    ]
    path = tmp_path / "activity.json"
    path.write_text(json.dumps({"data": rows}))
    assert "date: expected a time between 1970 and 2199" in _bad(cli("workload", "from-usage", str(path)))


# ------------------------------------------------------------------ item 11: names that YAML cannot hold
@pytest.mark.parametrize("char", ["\x1b", "\x7f", "\x85", "\u2028", "\x00"])
def test_control_characters_in_a_model_name_are_escaped(cli, tmp_path: Path, char: str) -> None:
    # JSON carries any character (\u0000 included); the workload file and stderr get an escape.
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(_page([_result(f"gpt{char}4o", 10)])))
    run = cli("workload", "from-usage", str(path), "--by-model")
    data = _workload(run)
    escaped = "gpt" + f"\\x{ord(char):02x}" if ord(char) < 0x100 else "gpt" + f"\\u{ord(char):04x}"
    assert data["traffic"]["classes"][0]["name"] == escaped + "4o"
    assert char not in run.out and char not in run.err


def test_lone_surrogate_in_a_model_name_is_escaped(cli, tmp_path: Path) -> None:
    path = tmp_path / "surrogate.json"
    path.write_text(
        '[{"startTime": "2026-11-01T10:00:00Z", "model": "gpt\\ud8004o", "prompt_tokens": 10, "completion_tokens": 5}]'
    )
    data = _workload(cli("workload", "from-usage", str(path), "--by-model"))
    assert data["traffic"]["classes"][0]["name"] == "gpt\\ud8004o"


def test_control_characters_in_name_flag_and_file_name(cli, tmp_path: Path) -> None:
    path = _csv(tmp_path, [_row(1)], name="spend\x1b[2J.csv")
    run = cli("workload", "from-usage", str(path), "--name", "team\x1b]0;x\x07")
    data = _workload(run)
    assert data["name"] == "team\\x1b]0;x\\x07"
    assert "spend\\x1b[2J.csv" in data["description"]
    assert "\x1b" not in run.out and "\x1b" not in run.err


@pytest.mark.parametrize("blank", ["   ", "\t"])
def test_blank_model_name_in_a_bucket_report(cli, tmp_path: Path, blank: str) -> None:
    path = tmp_path / "blank.json"
    path.write_text(json.dumps(_page([_result(blank, 10)])))
    line = _bad(cli("workload", "from-usage", str(path)))
    assert "data[0].results[0].model: the model name is blank" in line


# ------------------------------------------------------------------ item 12: special files
def test_fifo_is_refused_without_waiting(cli, tmp_path: Path) -> None:
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("run", cli("workload", "from-usage", str(fifo))))
    thread.start()
    thread.join(10)
    if thread.is_alive():  # unblock the reader so the suite does not hang, then fail
        with open(fifo, "w"):
            pass
        thread.join()
        pytest.fail("from-usage waited on a FIFO")
    assert "not a regular file" in _bad(result["run"])


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_without_reading(cli) -> None:
    assert "not a regular file" in _bad(cli("workload", "from-usage", "/dev/zero"))


# ------------------------------------------------------------------ item 13: --by-model folds, never refuses
def test_a_share_that_rounds_to_zero_is_folded(cli, tmp_path: Path) -> None:
    # 1 request in 100,000,001: a share of 1e-8, written with six decimals it would read as 0.
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(_page([_result("gpt-4o", 100_000_000), _result("gpt-4o-mini", 1)])))
    run = cli("workload", "from-usage", str(path), "--by-model")
    data = _workload(run)
    classes = data["traffic"]["classes"]
    # Alone, the tail would still round to 0: it joins the largest class.
    assert [c["name"] for c in classes] == ["gpt-4o"] and classes[0]["share"] == 1
    assert "1 of 2 model classes" in run.err and "folded into the largest class, gpt-4o" in run.err


def test_more_than_100_models_fold_into_other(cli, tmp_path: Path) -> None:
    # 150 models: m0..m149 with 150, 149, ... 1 requests. The largest 99 (m0..m98) keep a class;
    # m99..m149 (51 + 50 + ... + 1 = 1,326 requests) become "other models".
    results = [_result(f"m{i}", 150 - i) for i in range(150)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(_page(results)))
    run = cli("workload", "from-usage", str(path), "--by-model")
    data = _workload(run)
    classes = data["traffic"]["classes"]
    assert len(classes) == 100
    assert [c["name"] for c in classes[:99]] == [f"m{i}" for i in range(99)]
    other = classes[99]
    total = 150 * 151 // 2
    assert other["name"] == "other models"
    # Six decimals each; the largest class (this one) takes the rounding so the shares sum to 1.
    assert other["share"] == round(1 - sum(round((150 - i) / total, 6) for i in range(99)), 6)
    assert abs(other["share"] - 1326 / total) < 1e-4
    assert other["input_tokens"] == 1000 and other["output_tokens"] == 100
    assert "51 of 150 model classes" in run.err
    assert "# 51 of 150 model classes" in run.out


def test_ten_thousand_models_summary_is_bounded(cli, tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(_page([_result(f"m{i}", 10) for i in range(10_000)])))
    run = cli("workload", "from-usage", str(path), "--by-model")
    data = _workload(run)
    assert len(data["traffic"]["classes"]) == 100
    assert "… and 9,975 more models (99.8% of requests)" in run.err
    assert "; and 9,975 more. Add them" in run.err
    assert len(run.err.splitlines()) < 40


# ------------------------------------------------------------------ item 14: an unterminated quote
def test_unterminated_quote_is_an_error_not_swallowed_rows(cli, tmp_path: Path) -> None:
    rows = [_row(1), _row(2), _row(3).replace(",success", ',"success'), _row(4), _row(5)]
    path = _csv(tmp_path, rows)
    line = _bad(cli("workload", "from-usage", str(path)))
    assert f"{path}:4: invalid CSV: a quoted cell opened here is never closed" in line


def test_quoted_cells_across_lines_still_read(cli, tmp_path: Path) -> None:
    # A legitimate multi-line quoted cell (metadata with a newline) is not an error.
    rows = [_row(1), 'r2,completion,2026-11-01T10:00:00Z,gpt-4o,1000,200,0.01,openai,"suc\ncess"\n']
    data = _workload(cli("workload", "from-usage", str(_csv(tmp_path, rows))))
    assert data["traffic"]["requests_per_day"] == 48  # 2 requests in one hour


# ------------------------------------------------------------------ item 5: streamed, summed per hour
def test_per_request_rows_are_summed_per_hour_and_model(tmp_path: Path) -> None:
    from openclosed.workload.usage import read_export

    rows = [_row(i, start=f"2026-11-01T10:{i:02d}:00Z") for i in range(30)]
    rows += [_row(i, model="gpt-4o-mini", start="2026-11-01T11:05:00Z") for i in range(5)]
    rows[3] = rows[3].replace("1000,200", "5000,900")  # the longest request: 5,900 tokens
    export = read_export(_csv(tmp_path, rows))
    assert [(r.model, r.start.hour, r.requests) for r in export.rows] == [("gpt-4o", 10, 30), ("gpt-4o-mini", 11, 5)]
    assert export.rows[0].input_tokens == 29 * 1000 + 5000
    assert export.largest_request == 5900
    assert export.rows[0].cost == pytest.approx(0.30)


# ------------------------------------------------------------------ item 5: JSON spend logs stream too
def test_a_json_spend_log_is_read_a_row_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openclosed.workload.usage import litellm, read_export

    fixture = Path(__file__).parent / "fixtures" / "usage" / "litellm_spend_logs.json"
    whole = litellm.parse(json.loads(fixture.read_text()), str(fixture))
    monkeypatch.setattr(json, "loads", lambda *a, **k: pytest.fail("parsed the whole file"))
    streamed = read_export(fixture)
    assert streamed.rows == whole.rows and streamed.largest_request == whole.largest_request
    assert (streamed.period_start, streamed.period_end, streamed.skipped) == (
        whole.period_start,
        whole.period_end,
        whole.skipped,
    )


def _rows_json(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "logs.json"
    path.write_text(text)
    return path


ROW = '{"startTime": "2026-11-01T10:00:00Z", "model": "gpt-4o", "prompt_tokens": 1000, "completion_tokens": 200}'


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (f"[{ROW}, {ROW}", "invalid JSON"),  # cut short
        (f"[{ROW}] trailing", "invalid JSON: extra data after the array"),
        (f"[{ROW} {ROW}]", "invalid JSON: expected ',' or ']'"),
        (f"[{ROW}, NaN]", "invalid JSON: NaN is not a number"),
    ],
)
def test_a_broken_json_spend_log_is_one_line(cli, tmp_path: Path, text: str, needle: str) -> None:
    assert needle in _bad(cli("workload", "from-usage", str(_rows_json(tmp_path, text))))


def test_a_row_longer_than_the_read_buffer(tmp_path: Path) -> None:
    from openclosed.workload.usage import read_export

    big = ROW[:-1] + ', "metadata": {"note": "' + "x" * 3_000_000 + '"}}'
    export = read_export(_rows_json(tmp_path, f"[{ROW}, {big}, {ROW}]"))
    assert export.rows[0].requests == 3 and export.rows[0].input_tokens == 3000
