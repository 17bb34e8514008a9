"""Ground truth: every fixture's ``# ansible:`` header is checked with real ansible-playbook.

A fixture says what Ansible does with it (rejects it at parse time, fails at run time, or runs
it cleanly, with silent behaviour proven by ``assert`` tasks inside the playbook). The rule
fixtures and the bundled examples are both covered, so every message asynclint prints about
Ansible rests on a run of ansible-core, not on belief. The "after" playbook of a fix pair runs
beside the fixed text of the task files its fix changes too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_runner import run_playbook
from fixture_files import (
    FIX_FIXTURES,
    FIXED,
    FIXTURES,
    ROOT,
    fixed_copy,
    helper_fixes,
    playbooks_with_claims,
)

CASES = playbooks_with_claims(FIXTURES, ROOT / "examples")

pytestmark = pytest.mark.ansible


def test_there_are_ground_truth_cases() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize(
    ("playbook", "claim"), CASES, ids=[str(p.relative_to(ROOT)) for p, _ in CASES]
)
def test_ansible_does_what_the_fixture_claims(playbook: Path, claim, tmp_path: Path) -> None:
    if (playbook.name.endswith(FIXED) and playbook.is_relative_to(FIX_FIXTURES)
            and helper_fixes(playbook.parent)):
        # a fixed playbook runs with the fixed text of the task files its fix changes too
        playbook = fixed_copy(playbook, tmp_path / "fixture")
    syntax = run_playbook(playbook, tmp_path, syntax_check=True)
    if claim.outcome == "syntax-error":
        assert syntax.rc != 0, f"expected a parse error, syntax-check passed:\n{syntax.output}"
        assert claim.text in syntax.output, syntax.output
        return
    assert syntax.rc == 0, f"syntax-check failed:\n{syntax.output}"
    run = run_playbook(playbook, tmp_path)
    if claim.outcome == "runtime-error":
        assert run.rc != 0, f"expected a run-time failure, the run passed:\n{run.output}"
    else:
        assert run.rc == 0, f"the run failed:\n{run.output}"
    if claim.text:
        assert claim.text in run.output, run.output
