"""Every rule fixture reports exactly what its ``# expect:`` comments declare.

Each folder under ``fixtures/rules/`` is checked as a whole (includes are
followed); ``fixtures/correct/`` and ``examples/correct/`` must give no
warning or error at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclint.findings import Severity
from asynclint.linter import Selection, lint
from asynclint.model import load_project
from asynclint.rules import BY_CODE
from fixture_files import FIXTURES, ROOT, RULE_FIXTURES, expectations, yaml_files

RULE_DIRS = sorted(p for p in RULE_FIXTURES.iterdir() if p.is_dir())
CORRECT_DIRS = [d for d in (FIXTURES / "correct", ROOT / "examples" / "correct") if d.is_dir()]


def _findings(folder: Path, extend: frozenset[str] = frozenset()):
    project = load_project([str(folder)])
    result = lint(project, Selection(extend_select=extend), project_root=folder)
    assert not result.internal_errors, result.internal_errors
    return result.findings


def _declared(folder: Path) -> set[tuple[str, int, str]]:
    declared = set()
    for path in yaml_files(folder):
        rel = path.resolve().relative_to(ROOT)
        for line, code in expectations(path):
            if code in BY_CODE:
                declared.add((str(rel), line, code))
    return declared


def _reported(findings) -> set[tuple[str, int, str]]:
    return {(str(Path(f.path).resolve().relative_to(ROOT)), f.line, f.code) for f in findings}


def test_every_rule_has_a_fixture_folder() -> None:
    codes = {d.name.split("-", 1)[0] for d in RULE_DIRS}
    missing = [code for code in BY_CODE if code != "ASY000" and code not in codes]
    assert not missing, f"rules without fixtures: {missing}"


@pytest.mark.parametrize("folder", RULE_DIRS, ids=[d.name for d in RULE_DIRS])
def test_rule_fixture_findings_match_expectations(folder: Path) -> None:
    code, name = folder.name.split("-", 1)
    if code not in BY_CODE:
        pytest.fail(f"{folder.name}: no rule {code} is registered")
    assert BY_CODE[code].name == name, "the folder name must be the rule's code and name"
    extend = frozenset({code})
    reported = {r for r in _reported(_findings(folder, extend)) if r[2] in BY_CODE}
    declared = _declared(folder)
    assert any(c == code for _, _, c in declared), f"{folder.name} has no positive case"
    assert reported - declared == set(), "reported but not declared"
    assert declared - reported == set(), "declared but not reported"


@pytest.mark.parametrize("folder", CORRECT_DIRS, ids=[str(d.relative_to(ROOT)) for d in CORRECT_DIRS])
def test_correct_playbooks_have_no_warning_or_error(folder: Path) -> None:
    loud = [f for f in _findings(folder) if f.severity >= Severity.WARNING]
    assert loud == []


def test_examples_report_what_they_declare() -> None:
    folder = ROOT / "examples"
    reported = _reported(_findings(folder))
    assert reported == _declared(folder)
