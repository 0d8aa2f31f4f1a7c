"""Streams, links, signals and saved reports keep the exit-code contract (Hardening 16-20).

DESIGN section 11: a closed pipe exits 0; a closed or full stdout exits 2 with one line. The
stream cases need a real process (file descriptors, not pytest's capture): each runs the console
entry in a subprocess. Each test failed before its fix.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

CMD = [sys.executable, "-m", "openclosed", "models", "list", "--format", "json"]


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, stderr=subprocess.PIPE, text=True, timeout=60, check=False, **kw)


def _one_error(proc: subprocess.CompletedProcess, needle: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"error: cannot write the output to standard output: {needle}"], proc.stderr


# ------------------------------------------------------------------ 16. a closed pipe exits 0
def test_a_pipe_closed_before_the_first_write_exits_0() -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written (`| true`)
    try:
        proc = _run(CMD, stdout=write)
    finally:
        os.close(write)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_version_into_a_closed_pipe_exits_0() -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        proc = _run([sys.executable, "-m", "openclosed", "--version"], stdout=write)
    finally:
        os.close(write)
    assert (proc.returncode, proc.stderr) == (0, "")


# ------------------------------------------------------------------ 17. closed or full stdout: 2, one line
def test_a_closed_stdout_exits_2_with_one_line() -> None:
    proc = _run(CMD, preexec_fn=lambda: os.close(1))  # `>&-`
    _one_error(proc, "standard output is closed")


@pytest.mark.skipif(
    not (os.path.exists("/dev/full") and stat.S_ISCHR(os.stat("/dev/full").st_mode)), reason="no /dev/full"
)
@pytest.mark.parametrize("args", [["models", "list", "--format", "json"], ["--version"]])
def test_a_full_stdout_exits_2_with_one_line(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        proc = _run([sys.executable, "-m", "openclosed", *args], stdout=full)
    _one_error(proc, "No space left on device")


def test_a_closed_stdout_does_not_stop_out_file(tmp_path: Path) -> None:
    out = tmp_path / "models.json"
    proc = _run([*CMD, "-o", str(out)], preexec_fn=lambda: os.close(1))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())[0]["id"]


# ------------------------------------------------------------------ 18. -o through a symbolic link
def test_a_link_to_a_file_is_kept_and_its_target_replaced(cli, tmp_path: Path) -> None:
    target = tmp_path / "real" / "models.json"
    target.parent.mkdir()
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    run = cli("models", "list", "--format", "json", "-o", str(link))
    assert run.code == 0, run.err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())[0]["id"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    # Written beside the target: no temporary file left in either directory.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real"]
    assert [p.name for p in target.parent.iterdir()] == ["models.json"]


def test_a_dangling_link_creates_its_target(cli, tmp_path: Path) -> None:
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "made.csv")
    assert cli("models", "list", "--format", "csv", "-o", str(link)).code == 0
    assert link.is_symlink() and (tmp_path / "made.csv").read_text().startswith("id,")


def test_a_link_to_proc_self_fd_1_is_written_through(tmp_path: Path) -> None:
    # What `-o /dev/stdout > log` does, with a link of our own instead of the system's /dev/stdout.
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    if not Path("/proc/self/fd/1").exists():
        pytest.skip("no /proc")
    log = tmp_path / "log.json"
    with log.open("w") as fh:
        proc = _run([*CMD, "-o", str(link)], stdout=fh)
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
    assert json.loads(log.read_text())[0]["id"]
    # Through a pipe: written through too (no rename can replace a pipe).
    proc = subprocess.run([*CMD, "-o", str(link)], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0 and json.loads(proc.stdout)[0]["id"], proc.stderr
    assert link.is_symlink()


def test_a_link_to_a_fifo_nobody_reads_is_refused_not_waited_on(cli, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    run = cli("models", "list", "--format", "json", "-o", str(link))
    assert run.code == 2 and "--out-file: is a FIFO that no process reads" in run.err, run.err
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(fifo).st_mode)


# ------------------------------------------------------------------ 19. SIGTERM and SIGHUP clean up
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_a_signal_during_a_write_leaves_no_temporary_file(tmp_path: Path, signame: str) -> None:
    target = tmp_path / "out.csv"
    target.write_text("kept\n")
    code = f"""
import os, signal, sys
from openclosed.fileio import Terminated, atomic_open
try:
    with atomic_open(sys.argv[1]) as fh:
        fh.write(b"x" * 100_000)
        os.kill(os.getpid(), signal.{signame})
        fh.write(b"never reached")
except Terminated as exc:
    sys.exit(128 + exc.signum)
"""
    proc = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, timeout=60, check=False)
    assert proc.returncode == 128 + getattr(__import__("signal"), signame), proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    assert target.read_text() == "kept\n"


def test_the_cli_exits_128_plus_the_signal(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    from openclosed import fileio

    real = fileio.os.chmod

    def chmod_then_term(*args, **kw):
        real(*args, **kw)
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while the temporary file exists

    monkeypatch.setattr(fileio.os, "chmod", chmod_then_term)
    before = signal.getsignal(signal.SIGTERM)
    run = cli("models", "list", "--format", "json", "-o", str(tmp_path / "m.json"))
    assert (run.code, run.err.strip()) == (143, "terminated")
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) == before


# ------------------------------------------------------------------ 20. a saved report with a negative cost
@pytest.mark.parametrize(
    ("report", "field"),
    [
        ({"schema_version": 1, "options": [{"id": "gpt-4o-mini@openai", "monthly_cost": -5}]}, "options[0]"),
        (
            {"schema_version": 1, "options": [], "routing": {"monthly_cost": -1.5}},
            "routing.monthly_cost",
        ),
    ],
)
def test_a_negative_cost_in_a_baseline_is_bad_input(cli, tmp_path: Path, report: dict, field: str) -> None:
    path = tmp_path / "base.json"
    path.write_text(json.dumps(report))
    run = cli(
        "check", "--preset", "chatbot", "--option", "gpt-4o-mini@openai", "--baseline", str(path),
        "--max-increase-pct", "10",
    )  # fmt: skip
    assert run.code == 2, (run.code, run.out, run.err)
    lines = [ln for ln in run.err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and field in lines[0] and "from 0 to" in lines[0], run.err
