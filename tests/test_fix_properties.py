"""Properties of linting and fixing over generated playbooks (hypothesis).

The regular suite runs a deterministic profile; ``ASYNCLINT_HYPOTHESIS_PROFILE=heavy``
runs many more examples with random seeds.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asynclint.fixes.apply import (
    MAX_ROUNDS,
    FixRun,
    applicable,
    apply_edits,
    choose,
    first_safe,
    fix_project,
    keep_final_newline,
    lost_tasks,
    write_fixes,
)
from asynclint.fixes.edits import Applicability, Edit
from asynclint.linter import lint
from asynclint.model import load_project

settings.register_profile(
    "default", derandomize=True, max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "heavy", max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("ASYNCLINT_HYPOTHESIS_PROFILE", "default"))

# -- generated playbooks ------------------------------------------------------------------

Pairs = list  # [(key, value)] where value is a str, a Pairs (mapping) or a list of Pairs


@st.composite
def async_keys(draw, polls=(None, 0, 1, 2)) -> Pairs:
    poll = draw(st.sampled_from(polls))
    pairs = [("async", str(draw(st.sampled_from((5, 10, 30)))))]
    if poll is not None:
        pairs.append(("poll", str(poll)))
    return draw(st.permutations(pairs))


def _command(index: int) -> Pairs:
    return [("name", f"Task {index}"), ("ansible.builtin.command", "sleep 0")]


CLEAN = ("command", "launch", "block", "loop")
ALL = CLEAN + ("stale", "import", "include", "nested")


@st.composite
def task(draw, index: int, kinds: tuple[str, ...], depth: int = 0) -> list[Pairs]:
    kind = draw(st.sampled_from(kinds))
    comment = [("#", f"comment {index}")] if draw(st.booleans()) else []
    reg = f"job_{index}"
    if kind == "command":
        return [comment + _command(index)]
    if kind == "launch":
        launch = _command(index) + [("async", "10"), ("poll", "0"), ("register", reg)]
        wait = [("ansible.builtin.async_status", [("jid", f'"{{{{ {reg}.ansible_job_id }}}}"')]),
                ("register", f"{reg}_result"), ("until", f"{reg}_result is finished"),
                ("retries", "20"), ("delay", "1")]
        return [comment + launch, wait]
    if kind == "stale":
        launch = _command(index) + [("async", "10"), ("poll", "0"), ("register", reg)]
        wait = [("name", f"Wait {index}"), ("ansible.builtin.debug", [("msg", "waiting")]),
                ("until", f"{reg}.finished"), ("retries", "20"), ("delay", "1")]
        return [launch, comment + wait]
    if kind == "block" and depth < 2:
        children = [item for i in range(draw(st.integers(1, 2)))
                    for item in draw(task(index * 10 + i, kinds, depth + 1))]
        extra = draw(async_keys()) if kinds == ALL and draw(st.booleans()) else []
        return [comment + [("name", f"Block {index}"), ("block", children)] + extra]
    if kind == "import":
        return [comment + [("ansible.builtin.import_tasks", "other.yml")] + draw(async_keys())]
    if kind == "include":
        return [[("ansible.builtin.include_tasks", "other.yml")] + draw(async_keys())]
    if kind == "nested":
        return [[("name", f"Nested {index}"),
                 ("ansible.builtin.shell", [("cmd", "sleep 0")] + draw(async_keys((1, 2))))]]
    return [comment + _command(index) + [("loop", "[1, 2]")]]


@st.composite
def playbook(draw) -> str:
    indent = draw(st.sampled_from((2, 4)))
    offset = draw(st.sampled_from((0, 2)))
    kinds = draw(st.sampled_from((CLEAN, ALL)))
    plays = []
    for number in range(draw(st.integers(1, 2))):
        tasks = [item for i in range(draw(st.integers(1, 4)))
                 for item in draw(task(number * 100 + i, kinds))]
        play = [("hosts", "localhost"), ("gather_facts", "false")]
        play += draw(async_keys()) if kinds == ALL and draw(st.integers(0, 4)) == 0 else []
        plays.append(play + [("tasks", tasks)])
    lines = _items(plays, 0, indent, offset)
    newline = draw(st.sampled_from(("\n", "\r\n")))
    text = newline.join(["---"] + lines)
    return text + (newline if draw(st.booleans()) else "")


def _items(items: list[Pairs], column: int, indent: int, offset: int) -> list[str]:
    lines: list[str] = []
    for item in items:
        body = _mapping(item, column + 2, indent, offset)
        first = next(i for i, line in enumerate(body) if not line.lstrip().startswith("#"))
        body[first] = " " * column + "- " + body[first][column + 2:]
        lines += body
    return lines


def _mapping(pairs: Pairs, column: int, indent: int, offset: int) -> list[str]:
    pad = " " * column
    lines: list[str] = []
    for key, value in pairs:
        if key == "#":
            lines.append(f"{pad}# {value}")
        elif isinstance(value, str):
            lines.append(f"{pad}{key}: {value}")
        elif value and isinstance(value[0], tuple):
            lines += [f"{pad}{key}:"] + _mapping(value, column + indent, indent, offset)
        else:
            lines += [f"{pad}{key}:"] + _items(value, column + offset, indent, offset)
    return lines


# -- helpers ------------------------------------------------------------------------------


class Workspace:
    """A temporary folder holding one generated playbook."""

    def __init__(self, text: str):
        self._folder = tempfile.TemporaryDirectory()
        self.path = Path(self._folder.name) / "site.yml"
        self.write(text)

    def write(self, text: str) -> None:
        self.path.write_bytes(text.encode("utf-8"))

    def text(self) -> str:
        return self.path.read_bytes().decode("utf-8")

    def fix(self, unsafe: bool) -> FixRun:
        run = fix_project(load_project([str(self.path)]), unsafe=unsafe)
        assert write_fixes(run) == {}
        return run

    def close(self) -> None:
        self._folder.cleanup()


def workspace(text: str) -> Iterator[Workspace]:
    space = Workspace(text)
    try:
        yield space
    finally:
        space.close()


def _threshold(unsafe: bool) -> Applicability:
    return Applicability.UNSAFE if unsafe else Applicability.SAFE


def _first_round_edits(path: Path, unsafe: bool) -> list[Edit]:
    project = load_project([str(path)])
    fixes = [f.fix for f in lint(project).findings if applicable(f, _threshold(unsafe))]
    return [edit for fix in choose(first_safe(dict.fromkeys(fixes))) for edit in fix.edits]


def _outside(text: str, edits: list[Edit]) -> list[str]:
    """The pieces of ``text`` that no edit touches, in order."""
    pieces, cursor = [], 0
    for edit in sorted(edits):
        pieces.append(text[cursor:edit.start])
        cursor = edit.end
    return pieces + [text[cursor:]]


def _comments(text: str, edits: list[Edit]) -> Counter[str]:
    found: Counter[str] = Counter()
    for piece in _outside(text, edits):
        found.update(line.strip() for line in piece.splitlines()
                     if line.strip().startswith("#") and line.strip() != "#")
    return found


# -- properties ---------------------------------------------------------------------------


@given(playbook())
def test_lint_never_raises(text: str) -> None:
    for space in workspace(text):
        result = lint(load_project([str(space.path)]))
        assert result.internal_errors == ()
        assert [f for f in result.findings if f.code == "ASY000"] == []


@given(playbook(), st.booleans())
def test_fixing_is_idempotent_and_keeps_what_it_does_not_own(text: str, unsafe: bool) -> None:
    for space in workspace(text):
        edits = _first_round_edits(space.path, unsafe)
        run = space.fix(unsafe)
        fixed = space.text()
        if not edits:
            assert fixed == text and run.changed == ()
        assert run.refused == ()
        space.fix(unsafe)
        assert space.text() == fixed
        assert not _comments(text, edits) - _comments(fixed, [])


@given(playbook(), st.booleans())
def test_every_changed_byte_lies_inside_an_applied_edit(text: str, unsafe: bool) -> None:
    """The fixed file is exactly the original with each round's edits spliced in."""
    for space in workspace(text):
        current = text
        for _ in range(MAX_ROUNDS):
            edits = _first_round_edits(space.path, unsafe)
            if not edits:
                break
            current = keep_final_newline(current, apply_edits(current, edits))
            space.write(current)
        space.write(text)
        space.fix(unsafe)
        assert space.text() == current


@given(playbook(), st.booleans())
def test_no_task_is_lost_and_safe_fixes_leave_no_finding_of_their_code(text: str,
                                                                        unsafe: bool) -> None:
    for space in workspace(text):
        before = load_project([str(space.path)])
        findings = lint(before).findings
        total = Counter(f.code for f in findings)
        safe = Counter(f.code for f in findings if applicable(f, _threshold(unsafe))
                       and f.fix.applicability == Applicability.SAFE)  # type: ignore[union-attr]
        space.fix(unsafe)
        after = load_project([str(space.path)])
        assert lost_tasks(before.documents[0], after.documents[0]) == []
        left = Counter(f.code for f in lint(after).findings)
        assert all(left[code] <= total[code] - safe[code] for code in safe)


@given(name=st.text(alphabet="ab_1é", min_size=1, max_size=3), data=st.data())
def test_a_fresh_name_is_a_word_the_text_does_not_use(name: str, data: st.DataObject) -> None:
    """A name counts as used where a pattern with a look-behind finds it, though it is
    searched for from its first character (the look-behind made it a search at every
    position: quadratic over a file with many findings)."""
    import re

    from asynclint.fixes.waits import _uses, fresh_name

    pieces = st.one_of(st.just(name), st.just(name + "_2"), st.sampled_from(list("ab_.1 é\n")))
    text = "".join(data.draw(st.lists(pieces, max_size=12)))
    used = re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) is not None
    assert _uses(text, name) == used
    fresh = fresh_name(text, name)
    assert not _uses(text, fresh) and (fresh == name) == (not used)


def test_the_finished_test_follows_each_file() -> None:
    from asynclint.fixes.waits import finished_test

    assert finished_test("until: r.finished\n", "w") == "w.finished"
    assert finished_test("until: r is finished\n", "w") == "w is finished"
    assert finished_test("until: r.finished\n", "w") == "w.finished"  # asked again
    assert finished_test("until: r.finished or s is finished\n", "w") == "w is finished"
    assert finished_test("", "w") == "w is finished"


def test_fixes_that_each_append_after_the_same_task_all_land() -> None:
    """Each job never awaited gets its wait after the last task of the play: the fixes
    overlap, so one lands a round. With more jobs than :data:`MAX_ROUNDS`, fixing goes on as
    long as each round leaves fewer to do, and ends with every wait written."""
    count = MAX_ROUNDS + 3
    text = "- hosts: localhost\n  gather_facts: false\n  tasks:\n" + "".join(
        f"    - ansible.builtin.command: sleep 1\n      async: 10\n      poll: 0\n"
        f"      register: job{index}\n" for index in range(count))
    for space in workspace(text):
        run = space.fix(unsafe=True)
        assert run.refused == ()
        fixed = space.text()
        for index in range(count):
            assert f'jid: "{{{{ job{index}.ansible_job_id }}}}"\n      register: job{index}_status' \
                in fixed
        assert lint(load_project([str(space.path)])).findings == ()
        space.fix(unsafe=True)
        assert space.text() == fixed
