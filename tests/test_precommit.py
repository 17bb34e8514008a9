"""The pre-commit hooks, run by the real pre-commit against this repository.

``pre-commit try-repo`` clones the repository at its ``HEAD`` (plus uncommitted changes to
tracked files), builds the hook's virtual environment with pip and runs the hook in a
temporary git repository holding a playbook.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# One worker builds the expensive environment once and runs every test that needs it.
pytestmark = pytest.mark.xdist_group("pre-commit")

ROOT = Path(__file__).resolve().parent.parent
WRONG = """\
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.import_tasks: slow.yml
      async: 60
      poll: 0
"""
FIXED = """\
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.import_tasks: slow.yml
"""
SLOW = "- ansible.builtin.command: sleep 1\n"


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the session, so the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.email", "test@example.com")
    git(tmp_path, "config", "user.name", "test")
    (tmp_path / "slow.yml").write_text(SLOW, encoding="utf-8")
    return tmp_path


def try_repo(repo: Path, home: Path, hook: str) -> subprocess.CompletedProcess[str]:
    git(repo, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--all-files",
         "--color", "never"],
        cwd=repo, env=env, capture_output=True, text=True, check=False,
    )


def test_check_hook_fails_on_a_wrong_playbook_and_passes_once_fixed(repo, pre_commit_home):
    playbook = repo / "site.yml"
    playbook.write_text(WRONG, encoding="utf-8")
    failed = try_repo(repo, pre_commit_home, "asynclint")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "site.yml:5:7: ASY004 [async-on-static-import]" in failed.stdout
    playbook.write_text(FIXED, encoding="utf-8")
    passed = try_repo(repo, pre_commit_home, "asynclint")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_fix_hook_rewrites_the_playbook_then_passes(repo, pre_commit_home):
    playbook = repo / "site.yml"
    playbook.write_text(WRONG, encoding="utf-8")
    fixed = try_repo(repo, pre_commit_home, "asynclint-fix")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert playbook.read_text(encoding="utf-8") == FIXED
    assert (repo / "slow.yml").read_text(encoding="utf-8") == SLOW
    again = try_repo(repo, pre_commit_home, "asynclint-fix")
    assert again.returncode == 0, again.stdout + again.stderr
