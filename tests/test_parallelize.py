"""`asynclint parallelize`: each fixture of fixtures/parallelize runs with the real
ansible-playbook, made sequential (the invalid keys removed) and parallelized, and both leave
the same files behind; refusals change nothing; a second pass finds nothing to do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ansible_runner import run_playbook
from asynclint.cli import main
from asynclint.fixes.apply import apply_edits
from asynclint.fixes.yaml_edit import remove_entries
from asynclint.linter import Context, lint
from asynclint.model import load_project
from asynclint.rules.helpers import async_keys
from asynclint.transforms.plan import find_groups

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "parallelize"
CASES = sorted(FIXTURES.glob("*.yml"))
REFUSED = sorted((FIXTURES / "refused").glob("*.yml"))
SCHEDULES = ("stages", "chains")


def header(path: Path, key: str) -> str:
    """The value of a ``# key: value`` line at the top of a fixture ('' when absent)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"# {key}: "):
            return line.split(": ", 1)[1]
    return ""


def sequential_text(path: Path) -> str:
    """The playbook Ansible accepts: `async`/`poll` removed from every member of every group."""
    project = load_project([str(path)])
    document = project.documents[0]
    context = Context(project)
    edits = [edit for members in find_groups(context, document) for member in members
             for edit in remove_entries(document.source, member.map, async_keys(member.map)) or ()]
    return apply_edits(document.source.text, edits)


def parallelized(path: Path, target: Path, *extra: str) -> int:
    shutil.copy(path, target)
    return main(["parallelize", str(target), *header(path, "parallelize").split(), *extra])


def markers(workdir: Path) -> dict[str, str]:
    folder = workdir / "remote_tmp" / "markers"
    return {file.name: file.read_text() for file in sorted(folder.iterdir())}


@pytest.mark.ansible
@pytest.mark.parametrize("schedule", SCHEDULES)
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_parallelized_playbook_does_the_same_work(case: Path, schedule: str, tmp_path: Path):
    before = tmp_path / "sequential.yml"
    before.write_text(sequential_text(case), encoding="utf-8")
    after = tmp_path / "parallel.yml"
    assert parallelized(case, after, "--schedule", schedule) == 0
    assert after.read_text() != case.read_text()

    expected = run_playbook(before, tmp_path / "run-sequential")
    assert expected.rc == 0, expected.output
    actual = run_playbook(after, tmp_path / "run-parallel")
    assert actual.rc == 0, actual.output
    assert markers(tmp_path / "run-parallel") == markers(tmp_path / "run-sequential")
    assert not any((tmp_path / "run-parallel" / "async").glob("*")), "job files left behind"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_output_is_clean_and_a_second_pass_finds_nothing(case: Path, tmp_path: Path, capsys):
    target = tmp_path / case.name
    assert parallelized(case, target) == 0
    written = target.read_text()
    result = lint(load_project([str(target)]))
    assert [f.code for f in result.findings] == []
    capsys.readouterr()
    assert main(["parallelize", str(target), *header(case, "parallelize").split()]) == 0
    assert "nothing to parallelize" in capsys.readouterr().out
    assert target.read_text() == written


@pytest.mark.parametrize("case", REFUSED, ids=lambda p: p.stem)
def test_refusal_names_the_reason_and_changes_nothing(case: Path, tmp_path: Path, capsys):
    target = tmp_path / case.name
    shutil.copy(case, target)
    assert main(["parallelize", str(target)]) == 1
    assert header(case, "refused") in capsys.readouterr().err
    assert target.read_bytes() == case.read_bytes()


def test_dry_run_and_diff_write_nothing(tmp_path: Path, capsys):
    target = tmp_path / "article.yml"
    shutil.copy(FIXTURES / "article.yml", target)
    assert main(["parallelize", str(target), "--dry-run"]) == 0
    plan = capsys.readouterr().out
    assert "chain `A`: `a1`, `a2`" in plan and "wait for `a1`" in plan
    assert main(["parallelize", str(target), "--diff"]) == 0
    assert "+      register: _asynclint_job_" in capsys.readouterr().out
    assert target.read_bytes() == (FIXTURES / "article.yml").read_bytes()
