"""Before/after pairs under ``fixtures/fixes/<CODE>/``, and the guarantees of writing.

``<case>.yml`` fixed by ``asynclint fix`` must give ``<case>.fixed.yml`` byte for byte.
The first line of each file is its own ``# ansible:`` header (proven by the ground-truth
test: the "before" shows the problem, the "after" runs cleanly), so the before file is
fixed with the after file's header line in place of its own.

A fix may change a task file the case includes: its expected text sits beside it
(``tasks/build.yml`` -> ``tasks/build.fixed.yml``), and every other file of the folder must
be left as it is.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from asynclint.cli import main
from asynclint.findings import Problem
from asynclint.fixes import Applicability, Edit, Fix
from asynclint.fixes.apply import FixError, FixRun, first_safe, fix_project, write_fixes
from asynclint.linter import Selection, lint
from asynclint.model import load_project
from asynclint.rules import BY_CODE, RULES, Rule
from asynclint.rules.registry import Severity
from fixture_files import FIX_FIXTURES, FIXED, fixed_copy, helper_fixes

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "wrong"

PAIRS = sorted(
    path for path in FIX_FIXTURES.glob("*/*.yml")
    if not path.name.endswith(FIXED) and path.with_suffix(FIXED).exists()
)


def _after(before: Path) -> Path:
    return before.with_suffix(".fixed.yml")


def _code(before: Path) -> str:
    return before.relative_to(FIX_FIXTURES).parts[0]


def _first_line(data: bytes) -> bytes:
    return data[: data.index(b"\n") + 1]


def _copy_folder(source: Path, tmp_path: Path) -> Path:
    folder = tmp_path / source.parent.name
    shutil.copytree(source.parent, folder)
    return folder / source.name


def fix_file(path: Path, unsafe: bool = False) -> FixRun:
    run = fix_project(load_project([str(path)]), unsafe=unsafe)
    assert not run.refused, [(f.path, f.refused) for f in run.refused]
    assert write_fixes(run) == {}
    return run


def _unsafe(before: Path) -> bool:
    return BY_CODE[_code(before)].fix == "unsafe"


def test_there_are_fix_pairs() -> None:
    assert {_code(p) for p in PAIRS} >= {"ASY001", "ASY002", "ASY003", "ASY004", "ASY006",
                                         "ASY101"}


def test_fix_folders_name_rules_that_offer_fixes() -> None:
    for folder in (p for p in FIX_FIXTURES.iterdir() if p.is_dir()):
        assert folder.name in BY_CODE, folder
        assert BY_CODE[folder.name].fix in ("safe", "unsafe"), folder


def _reached(playbook: Path) -> set[str]:
    """The real paths of the files loading ``playbook`` reads (it and what it includes)."""
    return set(load_project([str(playbook)]).by_real_path)


def _folder_bytes(folder: Path) -> dict[Path, bytes]:
    return {path.relative_to(folder): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_every_helper_fixed_file_is_checked_by_a_case() -> None:
    """A ``tasks/x.fixed.yml`` is compared only when a case includes ``tasks/x.yml``."""
    helpers = {os.path.realpath(helper): fixed for folder in FIX_FIXTURES.iterdir()
               for helper, fixed in helper_fixes(folder).items()}
    assert helpers, "no fix fixture changes a task file it includes"
    reached = set().union(*(_reached(before) for before in PAIRS))
    assert [fixed for helper, fixed in helpers.items() if helper not in reached] == []
    assert all(Path(helper).exists() for helper in helpers)


@pytest.mark.parametrize("before", PAIRS, ids=[str(p.relative_to(FIX_FIXTURES)) for p in PAIRS])
def test_fixing_gives_the_fixed_file(before: Path, tmp_path: Path) -> None:
    """The case gives its ``.fixed.yml``, each task file it includes gives its own
    ``.fixed.yml`` when it has one, and every other file stays as it is."""
    expected = _after(before).read_bytes()
    copy = _copy_folder(before, tmp_path)
    data = before.read_bytes()
    copy.write_bytes(_first_line(expected) + data[len(_first_line(data)):])
    reached = _reached(copy)
    wanted = _folder_bytes(copy.parent)
    wanted[Path(copy.name)] = expected
    for helper, fixed in helper_fixes(copy.parent).items():
        if os.path.realpath(helper) in reached:
            wanted[helper.relative_to(copy.parent)] = fixed.read_bytes()
    run = fix_file(copy, _unsafe(before))
    assert _folder_bytes(copy.parent) == wanted
    assert _code(before) in {code for file in run.files for code in file.fixed}


@pytest.mark.parametrize("before", PAIRS, ids=[str(p.relative_to(FIX_FIXTURES)) for p in PAIRS])
def test_fixing_the_fixed_file_changes_nothing(before: Path, tmp_path: Path) -> None:
    copy = fixed_copy(_after(before), tmp_path / before.parent.name)
    files = _folder_bytes(copy.parent)
    run = fix_file(copy, unsafe=True)
    assert run.changed == ()
    assert _folder_bytes(copy.parent) == files


@pytest.mark.parametrize("before", PAIRS, ids=[str(p.relative_to(FIX_FIXTURES)) for p in PAIRS])
def test_the_fixed_file_has_no_finding_of_the_fixed_code(before: Path) -> None:
    result = lint(load_project([str(_after(before))]), Selection(extend_select=frozenset({"ALL"})))
    assert [f for f in result.findings if f.code in (_code(before), "ASY000")] == []


# -- writing ------------------------------------------------------------------------------

IMPORT = """- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.import_tasks: work.yml
      async: 10
      poll: 0
"""
IMPORT_FIXED = """- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.import_tasks: work.yml
"""


@pytest.fixture
def playbook(tmp_path: Path) -> Path:
    (tmp_path / "work.yml").write_text("- ansible.builtin.command: 'true'\n")
    path = tmp_path / "site.yml"
    path.write_text(IMPORT)
    return path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in ("site.yml", "work.yml"))


def test_a_failing_rename_leaves_the_original_intact(playbook: Path, monkeypatch) -> None:
    run = fix_project(load_project([str(playbook)]))

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    failures = write_fixes(run)
    assert list(failures) == [run.changed[0].path]
    assert "No space left on device" in failures[run.changed[0].path]
    assert playbook.read_text() == IMPORT
    assert _leftovers(playbook.parent) == []


def test_an_interrupted_write_leaves_the_original_intact(playbook: Path, monkeypatch) -> None:
    run = fix_project(load_project([str(playbook)]))

    def killed(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", killed)
    with pytest.raises(KeyboardInterrupt):
        write_fixes(run)
    assert playbook.read_text() == IMPORT
    assert _leftovers(playbook.parent) == []


def test_a_read_only_file_is_reported_and_not_written(playbook: Path, capsys) -> None:
    playbook.chmod(0o444)
    assert main(["fix", str(playbook)]) == 2
    assert "read-only" in capsys.readouterr().err
    assert playbook.read_text() == IMPORT
    assert _leftovers(playbook.parent) == []


def test_a_file_changed_since_reading_is_not_written(playbook: Path) -> None:
    run = fix_project(load_project([str(playbook)]))
    playbook.write_text(IMPORT + "# edited meanwhile\n")
    assert "changed on disk" in write_fixes(run)[run.changed[0].path]
    assert playbook.read_text() == IMPORT + "# edited meanwhile\n"


def test_the_file_mode_is_kept(playbook: Path) -> None:
    playbook.chmod(0o640)
    fix_file(playbook)
    assert playbook.read_text() == IMPORT_FIXED
    assert stat.S_IMODE(playbook.stat().st_mode) == 0o640


def test_bom_crlf_tabs_and_a_missing_final_newline_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "site.yml"
    (tmp_path / "work.yml").write_text("- ansible.builtin.command: 'true'\n")
    text = "\ufeff- hosts: localhost\r\n  tasks:\r\n    - ansible.builtin.debug:\r\n" \
           "        msg: \"a\tb\"\r\n    - ansible.builtin.import_tasks: work.yml\r\n" \
           "      poll: 0\r\n      async: 5"
    path.write_bytes(text.encode("utf-8"))
    fix_file(path)
    expected = text[: text.index("      poll")].rstrip("\r\n")
    assert path.read_bytes() == expected.encode("utf-8")


def test_files_read_only_through_includes_are_not_written(tmp_path: Path) -> None:
    (tmp_path / "work.yml").write_text("- ansible.builtin.command: 'true'\n")
    inner = tmp_path / "inner.yml"
    inner.write_text("- ansible.builtin.import_tasks: work.yml\n  async: 10\n  poll: 0\n")
    outer = tmp_path / "site.yml"
    outer.write_text("- hosts: localhost\n  tasks:\n    - ansible.builtin.include_tasks: "
                     "inner.yml\n")
    run = fix_file(outer)
    assert run.changed == ()
    assert "async: 10" in inner.read_text()


def test_suppressed_findings_are_not_fixed(playbook: Path) -> None:
    text = IMPORT.replace("work.yml\n", "work.yml  # noqa: ASY004\n")
    playbook.write_text(text)
    fix_file(playbook)
    assert playbook.read_text() == text


def test_unsafe_fixes_need_the_flag(tmp_path: Path) -> None:
    path = tmp_path / "site.yml"
    text = "- hosts: localhost\n  async: 10\n  tasks: []\n"
    path.write_text(text)
    fix_file(path)
    assert path.read_text() == text
    fix_file(path, unsafe=True)
    assert path.read_text() == "- hosts: localhost\n  tasks: []\n"


def test_an_unsafe_fix_waits_for_the_safe_fixes_of_its_file(tmp_path: Path) -> None:
    """ASY101's safe fix turns the wrong wait into a real one; ASY105's unsafe fix (append a
    wait) was computed before that and is not needed once it is applied."""
    path = tmp_path / "until.yml"
    shutil.copy(EXAMPLES / "until_on_launch_result.yml", path)
    before = lint(load_project([str(path)])).findings
    assert {"ASY101", "ASY105"} <= {finding.code for finding in before}
    fix_file(path, unsafe=True)
    text = path.read_text()
    assert text.count("ansible.builtin.async_status:") == 1, text
    assert not {"ASY101", "ASY105"} & {f.code for f in lint(load_project([str(path)])).findings}


def test_first_safe_holds_back_unsafe_fixes_of_files_with_safe_ones() -> None:
    safe = Fix("safe", (Edit.insert(0, "a").on("a.yml"),))
    unsafe_same = Fix("unsafe", (Edit.insert(5, "b").on("a.yml"),), Applicability.UNSAFE)
    unsafe_other = Fix("unsafe", (Edit.insert(5, "c").on("b.yml"),), Applicability.UNSAFE)
    across = Fix("unsafe", (Edit.insert(9, "d").on("b.yml"), Edit.insert(9, "e").on("a.yml")),
                 Applicability.UNSAFE)
    assert first_safe([unsafe_same, safe, unsafe_other, across]) == [safe, unsafe_other]
    assert first_safe([unsafe_same, across]) == [unsafe_same, across]


# -- the engine's own checks, with rules whose fixes misbehave ---------------------------

def _rule(code: str, make_fix) -> Rule:
    def check(ctx):
        for document in ctx.project.documents:
            fix = make_fix(document.source.text)
            if fix is not None:
                yield Problem(document.source, 0, 0, "test", fix)

    return Rule(code, f"test-{code.lower()}", Severity.ERROR, True, "safe", "", check)


def _run_with(rule: Rule, playbook: Path) -> FixRun:
    return fix_project(load_project([str(playbook)]), Selection(select=frozenset({rule.code})),
                       rules=(*RULES, rule))


def test_fixes_that_never_converge_are_an_error_naming_the_code(playbook: Path) -> None:
    rule = _rule("ASY990", lambda text: Fix("Add a comment", (Edit.insert(0, "# again\n"),)))
    with pytest.raises(FixError, match="ASY990"):
        _run_with(rule, playbook)


MERGING = """\
- hosts: localhost
  gather_facts: false
  vars:
    background: &background
      async: 10
      poll: 0
  tasks:
    - <<: *background
      ansible.builtin.command: sleep 1
      register: job
    - <<: *background
      ansible.builtin.command: sleep 2
"""


@pytest.mark.parametrize(("target", "offered"), [
    ("async: 10", False),  # an anchor both tasks merge
    ("<<: *background\n      ansible.builtin.command: sleep 1", False),  # a merge key
    ("      register: job\n", True),  # the task's own text
])
def test_no_fix_edits_the_text_a_merge_key_brings(tmp_path: Path, target: str,
                                                  offered: bool) -> None:
    """A merged key's text is the anchor's, which every mapping merging it shares; a fix
    rewriting a ``<<`` entry would drop or move what it merges. Such fixes are not offered."""
    path = tmp_path / "site.yml"
    path.write_text(MERGING, encoding="utf-8")
    start = MERGING.index(target)
    rule = _rule("ASY990", lambda text: Fix("Edit", (Edit.delete(start, start + len(target)),)))
    (finding,) = lint(load_project([str(path)]), Selection(select=frozenset({"ASY990"})),
                      rules=(rule,)).findings
    assert (finding.fix is not None) == offered


def test_a_fix_that_breaks_the_yaml_is_refused(playbook: Path) -> None:
    rule = _rule("ASY991", lambda text: None if text.startswith("[") else
                 Fix("Break", (Edit.insert(0, "[\n"),)))
    run = _run_with(rule, playbook)
    assert run.changed == ()
    assert "would not parse" in (run.refused[0].refused or "")


def test_a_fix_that_loses_a_task_is_refused(playbook: Path) -> None:
    start = IMPORT.index("    - ansible.builtin.import_tasks")
    rule = _rule("ASY992", lambda text: None if "import_tasks" not in text else
                 Fix("Drop", (Edit.delete(start, len(IMPORT)), Edit.insert(len(IMPORT), "    []\n")),
                     Applicability.SAFE))
    run = _run_with(rule, playbook)
    assert run.changed == ()
    assert "task would be lost" in (run.refused[0].refused or "")


# -- command line -------------------------------------------------------------------------

def test_fix_diff_prints_and_writes_nothing(playbook: Path, capsys) -> None:
    assert main(["fix", "--diff", str(playbook)]) == 1
    out = capsys.readouterr()
    assert "-      async: 10\n" in out.out and "Would fix 1 finding in 1 file" in out.err
    assert playbook.read_text() == IMPORT


def test_fix_check_exits_1_and_writes_nothing(playbook: Path, capsys) -> None:
    assert main(["fix", "--check", str(playbook)]) == 1
    assert "Would fix 1 finding in 1 file, 0 remaining." in capsys.readouterr().out
    assert playbook.read_text() == IMPORT


def test_fix_writes_and_then_finds_nothing(playbook: Path, capsys) -> None:
    assert main(["fix", str(playbook)]) == 1
    assert "Fixed 1 finding in 1 file, 0 remaining." in capsys.readouterr().out
    assert playbook.read_text() == IMPORT_FIXED
    assert main(["fix", str(playbook)]) == 0
    assert main(["fix", "--check", str(playbook)]) == 0


def test_fix_respects_ignore(playbook: Path) -> None:
    assert main(["fix", "--ignore", "ASY004", str(playbook)]) == 0
    assert playbook.read_text() == IMPORT


# -- a fix inside a task file that only its including playbook explains --------------------

def test_loop_var_collision_is_fixed_in_the_included_file(tmp_path: Path) -> None:
    """ASY116 fixes the task file (given with the playbook that loops over it): the fixed text
    is ``batch.after.yml``, which ``batches_after.yml`` runs cleanly (ground truth)."""
    folder = FIX_FIXTURES / "ASY116"
    shutil.copytree(folder, tmp_path / "ASY116")
    playbook, tasks = tmp_path / "ASY116" / "batches.yml", tmp_path / "ASY116" / "batch.yml"
    run = fix_project(load_project([str(playbook), str(tasks)]))
    assert not run.refused and write_fixes(run) == {}
    assert tasks.read_bytes() == (folder / "batch.after.yml").read_bytes()
    assert [file.fixed for file in run.changed] == [("ASY116", "ASY116")]
    again = fix_project(load_project([str(playbook), str(tasks)]), unsafe=True)
    assert again.changed == () and [f for f in again.result.findings if f.code == "ASY116"] == []
