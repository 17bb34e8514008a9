"""Fixes that change two files: ASY003 moving `async`/`poll` from an `include_tasks` into
the task file it includes, and the engine's guarantees for such fixes (applied whole or not at
all, verified, reverted and written together)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from asynclint.cli import main
from asynclint.findings import Problem
from asynclint.fixes import Applicability, Edit, Fix
from asynclint.fixes.apply import FixRun, choose, fix_project, write_fixes
from asynclint.linter import Selection, lint
from asynclint.model import load_project
from asynclint.rules import RULES, Rule
from asynclint.rules.registry import Severity

SITE = """- hosts: localhost
  gather_facts: false
  tasks:
    - name: Include the work
      ansible.builtin.include_tasks:
        file: work.yml
      async: 30  # half a minute
      poll: 2
"""
SITE_FIXED = """- hosts: localhost
  gather_facts: false
  tasks:
    - name: Include the work
      ansible.builtin.include_tasks:
        file: work.yml
"""
WORK = """- name: Build
  ansible.builtin.command: echo built
- name: Report
  ansible.builtin.debug:
    msg: done
"""
WORK_FIXED = """- name: Build
  ansible.builtin.command: echo built
  async: 30  # half a minute
  poll: 2
- name: Report
  ansible.builtin.debug:
    msg: done
"""
MOVE = "Move `async`/`poll` onto the tasks of work.yml"
REMOVE = "Remove `async`/`poll` from `include_tasks`"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "work.yml").write_text(WORK)
    path = tmp_path / "site.yml"
    path.write_text(SITE)
    return path


def _work(site: Path) -> Path:
    return site.parent / "work.yml"


def _fix_titles(*paths: Path) -> list[str]:
    findings = lint(load_project([str(path) for path in paths])).findings
    return [f.fix.title for f in findings if f.code == "ASY003" and f.fix is not None]


# -- the rule -----------------------------------------------------------------------------


def test_the_move_is_offered_for_the_only_user_of_a_task_file(site: Path) -> None:
    assert _fix_titles(site) == [MOVE]


def test_a_second_user_in_the_project_leaves_only_the_removal(site: Path) -> None:
    other = site.parent / "other.yml"
    other.write_text("- hosts: localhost\n  tasks:\n    - ansible.builtin.import_tasks: work.yml\n")
    assert _fix_titles(site) == [MOVE]  # other.yml is not part of this project
    assert _fix_titles(site, other) == [REMOVE]


def test_a_role_listing_the_file_is_a_user_too(tmp_path: Path) -> None:
    tasks = tmp_path / "roles" / "web" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "main.yml").write_text(WORK)
    site = tmp_path / "site.yml"
    site.write_text(SITE.replace("file: work.yml", "file: roles/web/tasks/main.yml")
                    + "- hosts: localhost\n  roles:\n    - web\n")
    assert _fix_titles(site) == [REMOVE]


@pytest.mark.parametrize("keys", ["async: 30\n      poll: 0\n", "poll: 2\n",
                                  "async: 30\n      poll: \"{{ interval }}\"\n"])
def test_without_a_literal_poll_above_zero_or_without_async_the_keys_are_only_removed(
        site: Path, keys: str) -> None:
    site.write_text(SITE.replace("async: 30  # half a minute\n      poll: 2\n", keys))
    assert [title.split(" ")[0] for title in _fix_titles(site)] == ["Remove"]


def test_a_task_file_with_no_task_that_can_run_async_gets_a_removal(site: Path) -> None:
    _work(site).write_text("- ansible.builtin.debug:\n    msg: done\n")
    assert _fix_titles(site) == [REMOVE]


def test_include_role_keeps_the_removal(tmp_path: Path) -> None:
    tasks = tmp_path / "roles" / "web" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "main.yml").write_text(WORK)
    site = tmp_path / "site.yml"
    site.write_text(SITE.replace("include_tasks:\n        file: work.yml",
                                 "include_role:\n        name: web"))
    assert [f.fix.title for f in lint(load_project([str(site)])).findings
            if f.code == "ASY003" and f.fix] == ["Remove `async`/`poll` from `include_role`"]


# -- the engine ---------------------------------------------------------------------------


def test_the_move_is_applied_only_with_unsafe_fixes(site: Path, capsys) -> None:
    assert main(["fix", str(site)]) == 1
    assert (site.read_text(), _work(site).read_text()) == (SITE, WORK)
    assert main(["fix", "--unsafe-fixes", str(site)]) == 1
    assert "Fixed 1 finding in 2 files, 0 remaining." in capsys.readouterr().out
    assert (site.read_text(), _work(site).read_text()) == (SITE_FIXED, WORK_FIXED)


def test_fix_diff_shows_both_files_and_writes_nothing(site: Path, capsys) -> None:
    assert main(["fix", "--diff", "--unsafe-fixes", str(site)]) == 1
    out = capsys.readouterr()
    assert f"--- a/{site}\n" in out.out and f"--- a/{_work(site)}\n" in out.out
    assert "-      async: 30  # half a minute\n" in out.out
    assert "+  async: 30  # half a minute\n+  poll: 2\n" in out.out
    assert "Would fix 1 finding in 2 files, 0 remaining." in out.err
    assert (site.read_text(), _work(site).read_text()) == (SITE, WORK)


def test_fixing_twice_equals_fixing_once(site: Path) -> None:
    first = fix_project(load_project([str(site)]), unsafe=True)
    assert [(f.path, f.fixed, f.linked) for f in first.changed] == [
        (str(site), ("ASY003",), (str(_work(site)),)),
        (str(_work(site)), (), (str(site),)),
    ]
    assert write_fixes(first) == {}
    again = fix_project(load_project([str(site)]), unsafe=True)
    assert again.changed == () and again.refused == ()
    assert (site.read_text(), _work(site).read_text()) == (SITE_FIXED, WORK_FIXED)


def test_a_task_file_given_with_the_playbook_is_fixed_once(site: Path) -> None:
    run = fix_project(load_project([str(site), str(_work(site))]), unsafe=True)
    assert write_fixes(run) == {}
    assert (site.read_text(), _work(site).read_text()) == (SITE_FIXED, WORK_FIXED)


def test_the_included_file_must_be_writable_or_neither_file_is_written(site: Path,
                                                                        capsys) -> None:
    _work(site).chmod(0o444)
    assert main(["fix", "--unsafe-fixes", str(site)]) == 2
    err = capsys.readouterr().err
    assert f"{_work(site)}: not written: it is read-only" in err
    assert f"{site}: not written: a fix changes it together with {_work(site)}" in err
    assert (site.read_text(), _work(site).read_text()) == (SITE, WORK)


def test_a_failed_write_of_the_second_file_puts_the_first_one_back(site: Path,
                                                                   monkeypatch) -> None:
    run = fix_project(load_project([str(site)]), unsafe=True)
    real_replace = os.replace
    calls = []

    def replace_once(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_once)
    failures = write_fixes(run)
    assert len(calls) == 3  # the first file, the failed second, the first one put back
    assert "No space left on device" in failures[str(calls[1])]
    assert set(failures) == {str(site), str(_work(site))}
    assert (site.read_text(), _work(site).read_text()) == (SITE, WORK)
    assert sorted(p.name for p in site.parent.iterdir()) == ["site.yml", "work.yml"]


def test_an_interrupted_write_puts_the_written_file_back(site: Path, monkeypatch) -> None:
    run = fix_project(load_project([str(site)]), unsafe=True)
    real_fsync = os.fsync
    calls = []

    def interrupted_once(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        write_fixes(run)
    assert (site.read_text(), _work(site).read_text()) == (SITE, WORK)
    assert sorted(p.name for p in site.parent.iterdir()) == ["site.yml", "work.yml"]


# -- refusals, with rules whose cross-file fixes misbehave ---------------------------------

MARK = "# fixed\n"


def _cross_rule(code: str, other_edit) -> Rule:
    """A rule offering, on site.yml, one fix that marks it and edits work.yml."""

    def check(ctx):
        site = next(d for d in ctx.project.documents if d.path.endswith("site.yml"))
        work = next(d for d in ctx.project.documents if d.path.endswith("work.yml"))
        if not site.source.text.startswith(MARK):
            yield Problem(site.source, 0, 0, "test", Fix(
                "Mark both", (Edit.insert(0, MARK), other_edit(work.source.text).on(work.path)),
                Applicability.SAFE))

    return Rule(code, f"test-{code.lower()}", Severity.ERROR, True, "safe", "", check)


def _run_with(rule: Rule, site: Path) -> FixRun:
    return fix_project(load_project([str(site)]), Selection(select=frozenset({rule.code})),
                       rules=(*RULES, rule))


def test_a_cross_file_fix_without_trouble_changes_both_files(site: Path) -> None:
    run = _run_with(_cross_rule("ASY993", lambda text: Edit.insert(0, MARK)), site)
    assert [(f.path, f.after) for f in run.changed] == [(str(site), MARK + SITE),
                                                        (str(_work(site)), MARK + WORK)]


def test_an_other_file_that_would_not_parse_reverts_both(site: Path) -> None:
    run = _run_with(_cross_rule("ASY994", lambda text: Edit.insert(0, "[\n")), site)
    assert run.changed == ()
    reasons = {f.path: f.refused for f in run.refused}
    assert "would not parse" in reasons[str(_work(site))]
    assert reasons[str(site)].startswith(f"a fix changes it together with {_work(site)}")
    assert write_fixes(run) == {}
    assert (site.read_text(), _work(site).read_text()) == (SITE, WORK)


def test_an_other_file_that_would_lose_a_task_reverts_both(site: Path) -> None:
    run = _run_with(_cross_rule("ASY995", lambda text: Edit(0, len(text), "[]\n")), site)
    assert run.changed == ()
    reasons = {f.path: f.refused for f in run.refused}
    assert "task would be lost (Build)" in reasons[str(_work(site))]
    assert "together with" in reasons[str(site)]


def test_a_fix_into_a_file_outside_the_project_is_not_applied(site: Path) -> None:
    def check(ctx):
        site_doc = next(d for d in ctx.project.documents if d.path.endswith("site.yml"))
        yield Problem(site_doc.source, 0, 0, "test", Fix(
            "Elsewhere", (Edit.insert(0, MARK), Edit(0, 0, MARK, "elsewhere.yml"))))

    rule = Rule("ASY996", "test-asy996", Severity.ERROR, True, "safe", "", check)
    run = _run_with(rule, site)
    assert run.changed == () and run.refused == ()
    assert [f.code for f in run.result.findings] == ["ASY996"]


def test_overlapping_fixes_are_chosen_whole_across_files() -> None:
    first = Fix("a", (Edit(0, 5, "x", "work.yml"),))
    crossing = Fix("b", (Edit(0, 0, "y", "site.yml"), Edit(2, 8, "z", "work.yml")))
    elsewhere = Fix("c", (Edit(2, 8, "z", "site.yml"),))
    assert choose([first, crossing, elsewhere]) == [first, elsewhere]
    assert choose([crossing, first, elsewhere]) == [crossing, elsewhere]


def test_a_cross_file_fix_that_overlaps_another_waits_for_the_next_round(site: Path) -> None:
    """ASY997 (first) inserts `# 1` into work.yml; ASY998's fix, inserting `# 2` at the same
    place and marking site.yml, is left whole to the next round: applied half, site.yml
    would be marked and `# 2` never inserted."""

    def documents(ctx):
        return (next(d for d in ctx.project.documents if d.path.endswith(name))
                for name in ("site.yml", "work.yml"))

    def first(ctx):
        site_doc, work = documents(ctx)
        if "# 1\n" not in work.source.text:
            yield Problem(site_doc.source, 0, 0, "one", Fix("1", (Edit(0, 0, "# 1\n", work.path),)))

    def second(ctx):
        site_doc, work = documents(ctx)
        if not site_doc.source.text.startswith(MARK):
            yield Problem(site_doc.source, 0, 0, "two", Fix(
                "2", (Edit.insert(0, MARK), Edit(0, 0, "# 2\n", work.path))))

    rules = tuple(Rule(code, f"test-{code.lower()}", Severity.ERROR, True, "safe", "", check)
                  for code, check in (("ASY997", first), ("ASY998", second)))
    run = fix_project(load_project([str(site)]),
                      Selection(select=frozenset({"ASY997", "ASY998"})), rules=(*RULES, *rules))
    assert [(f.path, f.after) for f in run.changed] == [(str(site), MARK + SITE),
                                                        (str(_work(site)), "# 2\n# 1\n" + WORK)]


def test_an_excluded_task_file_is_never_written(site: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The config's `exclude` covers files reached through an include: the move would change
    one, so it is not applied (the finding stays)."""
    (site.parent / ".asynclint.yml").write_text("exclude:\n  - work.yml\n")
    monkeypatch.chdir(site.parent)
    assert main(["fix", "--unsafe-fixes", "site.yml"]) == 1
    assert (site.parent / "work.yml").read_text() == WORK
    assert site.read_text() == SITE
    assert "1 remaining" in capsys.readouterr().out
