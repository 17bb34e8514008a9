"""`bench/run.py` prints its tables in one command; what it measures, never how fast."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _run_module():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_cachegrind_counts_are_read() -> None:
    run = _run_module()
    stderr = (b"==25498== Cachegrind, a high-precision tracing profiler\n"
              b"==25498== \n==25498== I   refs:      489,075,476\n")
    assert run.instructions_of(stderr) == 489_075_476
    assert run.instructions_of(b"==1== valgrind: failed to start tool\n") is None
    # a forked child prints its count first, from its parent's count at the fork on
    forked = b"==25499== I   refs:      1,000\n" + stderr
    assert run.instructions_of(forked) == 489_075_476


def test_one_command_prints_every_measure_and_ratio(tmp_path: Path) -> None:
    """A small corpus, one run each, ansible-lint left out; valgrind out of reach, so the
    instruction counts say why they are missing instead of failing the run."""
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    result = tmp_path / "result.json"
    run = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--tasks", "100", "--repeat", "1",
         "--skip-ansible-lint", "--instructions", "--out", str(tmp_path / "corpus"),
         "--json", str(result)],
        capture_output=True, text=True, env=env, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    for row in ("| Python start-up (python -c pass) | ", "| bare C compose of every YAML file | ",
                "| asynclint check, cold (--no-cache) | ", "| asynclint check, warm cache | ",
                "| asynclint check, first run (cache on, empty) | ",
                "| asynclint cold / bare parse | ", "| asynclint warm / bare parse | ",
                "| asynclint first run (empty cache) / bare parse | "):
        assert row in out and f"{row}n/a" not in out, row
    assert "NOT MEASURED: valgrind is not installed" in out
    assert "WARNING" not in out  # the warm and first runs print what the cold runs print
    data = json.loads(result.read_text())
    assert {m["label"] for m in data["measures"]} >= {"asynclint check, cold (--no-cache)",
                                                      "asynclint check, warm cache"}
    assert "asynclint cold / bare parse" in data["ratios"]


def test_asynclint_runs_as_pip_installs_it() -> None:
    """The bench times the console script pip wrote for this project when the test extras
    were installed: its launcher is that script, line for line, shebang aside."""
    run = _run_module()
    installed = Path(sys.executable).parent / "asynclint"
    script = installed.read_text(encoding="utf-8").splitlines()
    assert script[0].startswith("#!")
    written = Path(run.launcher()).read_text(encoding="utf-8").splitlines()
    assert written == script[1:]
    assert run.asynclint_cmd(None, cache=False)[1:] == [run.launcher(), "check", ".", "--format",
                                                        "json", "--no-cache"]
