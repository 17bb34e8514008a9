"""A run imports only what it needs: no rule module when nothing is linted, no other command's
machinery ever. Which modules are loaded, never how long that takes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from asynclint.rules.catalog import CATALOG

RULE_MODULES = frozenset(info.module for info in CATALOG)
# other commands, other formats, and what only linting needs
HEAVY = frozenset({"asynclint.transforms.parallelize", "asynclint.fixes.apply",
                   "asynclint.output.sarif", "asynclint.graph.build", "jinja2", "networkx",
                   "libcst"})
# what only some runs need: a plugin outside the shipped table, a pyproject.toml naming
# asynclint, a failing rule
RARE = frozenset({"hashlib", "tomllib", "traceback"})
# what no check needs: asynclint's classes are structs, not dataclasses (which import inspect,
# and ast, dis and tokenize with it), and rule docs are cleaned without inspect
NEVER = frozenset({"dataclasses", "inspect"})
# `asynclint check .`, then the names of the loaded modules as the last line
PROBE = ("import json, sys\n"
         "from asynclint.cli import main\n"
         "main(['check', '.', *sys.argv[1:]])\n"
         "print(json.dumps(sorted(sys.modules)))\n")
LAUNCH = """\
- hosts: localhost
  tasks:
    - ansible.builtin.command: sleep 1
      async: 10
      poll: 2
      retries: 0
      until: false
"""
QUIET = """\
- hosts: localhost
  tasks:
    - ansible.builtin.include_tasks: more.yml
"""


def check_loads(project: Path, cache: Path, *args: str) -> tuple[str, set[str]]:
    """What ``asynclint check . ARGS`` prints in ``project``, and the modules it loaded."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("GITHUB_ACTIONS", None)
    run = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=project, env=env,
                         capture_output=True, text=True, check=True)
    output, _, modules = run.stdout.rstrip("\n").rpartition("\n")
    return output, set(json.loads(modules))


def test_a_cached_run_loads_no_rule(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "site.yml").write_text(LAUNCH, encoding="utf-8")
    cold, linted = check_loads(project, tmp_path / "cache")
    warm, loaded = check_loads(project, tmp_path / "cache")
    assert "ASY107" in cold and warm == cold
    assert RULE_MODULES <= linted
    assert loaded & (RULE_MODULES | HEAVY) == set()


def test_a_run_with_nothing_to_lint_loads_no_rule(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "site.yml").write_text(QUIET, encoding="utf-8")
    (project / "more.yml").write_text("- ansible.builtin.debug: msg=hi\n", encoding="utf-8")
    output, loaded = check_loads(project, tmp_path / "cache")
    assert output == "All checks passed: 2 files, no findings."
    assert loaded & (RULE_MODULES | HEAVY) == set()


def test_a_lint_loads_nothing_only_some_runs_need(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "site.yml").write_text(LAUNCH, encoding="utf-8")
    output, loaded = check_loads(project, tmp_path / "cache", "--no-cache")
    assert "ASY107" in output
    assert RULE_MODULES <= loaded
    assert loaded & (RARE | NEVER) == set()
