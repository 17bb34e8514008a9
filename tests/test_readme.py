"""The README shows what asynclint really prints, and its set-up commands are the ones CI runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from fixture_files import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_example_session_is_real_output() -> None:
    (session,) = re.findall(r"```text\n\$ (asynclint check [^\n]+)\n(.*?)```", README, re.S)
    command, shown = session
    args = command.split()[1:]
    proc = subprocess.run([sys.executable, "-m", "asynclint", *args], cwd=ROOT,
                          capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"})
    assert proc.stdout == shown


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(python3 -m pip install [^\n]+)\n```", README)
    assert len(commands) == 2, commands
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
    assert "examples/" in commands[0]
