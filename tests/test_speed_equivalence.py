"""The prefilter, the cache and parallel workers never change what `asynclint check` finds."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from asynclint import parallel
from asynclint.linter import LintResult, Selection
from asynclint.model.prefilter import NEEDS, FileScan, need_of
from asynclint.pipeline import Speed, check
from asynclint.rules import RULES

REPO = Path(__file__).resolve().parent.parent
SELECTIONS = {"default": Selection(), "all": Selection(extend_select=frozenset({"ALL"}))}
PLAIN = Speed(prefilter=False)


def _load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _findings(result: LintResult) -> tuple[list[dict[str, object]], int]:
    return [finding.to_json() for finding in result.findings], result.files


def _speeds(cache_dir: Path) -> dict[str, Speed]:
    return {
        "prefilter": Speed(),
        "cache, cold": Speed(cache_dir=cache_dir),
        "cache, warm": Speed(cache_dir=cache_dir),
        "workers": Speed(jobs=2),
        "workers and cache": Speed(jobs=2, cache_dir=cache_dir),
    }


def _assert_same(paths: list[str], selection: Selection, cache_dir: Path,
                 project_root: Path | None = None) -> int:
    expected = _findings(check(paths, selection, speed=PLAIN, project_root=project_root))
    for name, speed in _speeds(cache_dir).items():
        found = check(paths, selection, speed=speed, project_root=project_root)
        assert _findings(found) == expected, name
    return len(expected[0])


@pytest.fixture
def workers_always(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Send every scan to forked children, however small the input, beside pytest-xdist's
    own thread (which never touches what a child does). Gives, for each run, whether its
    scans were left to children."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_FILES", 0)
    monkeypatch.setattr(parallel, "other_threads", lambda: 0)
    forked: list[bool] = []
    start = parallel.Scans.__init__

    def init(self: parallel.Scans, paths: list[str], jobs: int, digests: bool = False,
             **more: object) -> None:
        start(self, paths, jobs, digests, **more)
        forked.append(self.pending)

    monkeypatch.setattr(parallel.Scans, "__init__", init)
    return forked


def test_every_rule_says_what_it_needs() -> None:
    assert {rule.code for rule in RULES} <= set(NEEDS)


def test_a_rule_without_needs_turns_the_prefilter_off() -> None:
    assert need_of(["ASY001", "ASY999"]) is None
    assert need_of(["ASY001"]) is not None


@pytest.mark.parametrize("selection", sorted(SELECTIONS))
def test_fixtures_and_examples(selection: str, tmp_path: Path, workers_always: list[bool],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert _assert_same(["fixtures", "examples"], SELECTIONS[selection], tmp_path / "cache") > 100
    assert any(workers_always)  # some run left its scans to children


@pytest.mark.parametrize("selection", sorted(SELECTIONS))
def test_generated_corpus(selection: str, tmp_path: Path, workers_always: list[bool],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    _load_generator().generate(corpus, 3000, seed=7)
    monkeypatch.chdir(corpus)
    assert _assert_same(["."], SELECTIONS[selection], tmp_path / "cache") > 0
    assert any(workers_always)  # some run left its scans to children


CASES = {
    # the play gives the role's launch its run: without it the job is never in a play
    "play without async words": {
        "site.yml": "- hosts: all\n  become: true\n  roles:\n    - worker\n",
        "roles/worker/tasks/main.yml":
            "- ansible.builtin.command: /bin/true\n  async: 60\n  poll: 0\n  register: job\n"
            "- ansible.builtin.debug:\n    msg: \"{{ job.stdout }}\"\n",
    },
    # reached by an include before its own turn: read as tasks, as without the prefilter
    "file reached before its turn": {
        "a.yml": "- ansible.builtin.include_tasks: b.yml\n  loop: [1, 2]\n",
        "b.yml": "---\nkey: value\n---\n- ansible.builtin.debug:\n    msg: x\n  loop: [3]\n",
    },
    "syntax error in a file without words": {
        "ok.yml": "- ansible.builtin.debug:\n    msg: x\n",
        "broken.yml": "- a: [b\n",
        "alias.yml": "- a: *nowhere\n",
        "binary.yml": "\x00\x01",
    },
    # an include spelled with an escape: the file is parsed and followed as it reaches b.yml
    "link word behind a YAML escape": {
        "a.yml": "- \"ansible.builtin.\\x69nclude_tasks\": b.yml\n  loop: [1, 2]\n",
        "b.yml": "---\nkey: value\n---\n- ansible.builtin.debug:\n    msg: x\n  loop: [3]\n",
    },
    "word behind a YAML escape": {
        "t.yml": "- ansible.builtin.command: x\n  \"\\x61sync\": 10\n  poll: 0\n",
    },
    # a fix's new name is fresh in every checked file, read or left unread by the prefilter
    "fresh name": {
        "play.yml": "- hosts: localhost\n  tasks:\n    - ansible.builtin.include_tasks: batch.yml\n"
                    "      loop: [[1, 2], [3, 4]]\n",
        "batch.yml": "- ansible.builtin.command: \"sleep {{ item }}\"\n  loop: \"{{ item }}\"\n",
        "other.yml": "- hosts: localhost\n  tasks:\n    - ansible.builtin.debug:\n"
                     "        msg: \"{{ inner_item }}\"\n",
    },
    # a looped include and the loops below it are kept without the files above them
    "loop below a looped include": {
        "site.yml": "- hosts: localhost\n  roles:\n    - web\n",
        "roles/web/tasks/main.yml": "- ansible.builtin.debug:\n    msg: start\n"
                                    "- ansible.builtin.include_tasks: batches.yml\n",
        "roles/web/tasks/batches.yml": "- ansible.builtin.include_tasks: batch.yml\n"
                                       "  loop: [[1, 2], [3, 4]]\n",
        "roles/web/tasks/batch.yml": "- ansible.builtin.include_tasks: step.yml\n",
        "roles/web/tasks/step.yml": "- ansible.builtin.command: \"sleep {{ item }}\"\n"
                                    "  loop: \"{{ item }}\"\n",
    },
    # the outer looped include binds `item`, the inner one its own name: the loop at the
    # bottom collides with the outer one, two includes up
    "loop two looped includes down": {
        "play.yml": "- hosts: localhost\n  tasks:\n    - ansible.builtin.include_tasks: outer.yml\n"
                    "      loop: [1, 2]\n",
        "outer.yml": "- ansible.builtin.include_tasks: middle.yml\n",
        "middle.yml": "- ansible.builtin.include_tasks: inner.yml\n  loop: [3]\n"
                      "  loop_control:\n    loop_var: batch\n",
        "inner.yml": "- ansible.builtin.debug:\n    msg: \"{{ item }}\"\n  loop: [4]\n",
    },
    # b.yml alone holds no task (a mapping document): reached as tasks, it includes c.yml
    # as tasks, where a job is never awaited
    "file that links, reached before its turn": {
        "a.yml": "- ansible.builtin.include_tasks: b.yml\n",
        "b.yml": "---\nkey: value\n---\n- ansible.builtin.include_tasks: c.yml\n",
        "c.yml": "---\nkey: value\n---\n- ansible.builtin.command: sleep 1\n  async: 10\n"
                 "  poll: 0\n  register: job\n",
    },
    # the include of an unknown file may wait for the job: it is not reported as never awaited
    "include of an unknown file in the run": {
        "site.yml": "- hosts: localhost\n  tasks:\n    - ansible.builtin.command: sleep 1\n"
                    "      async: 10\n      poll: 0\n      register: job\n"
                    "    - ansible.builtin.include_tasks: middle.yml\n",
        "middle.yml": "- ansible.builtin.include_tasks: \"{{ wait_file }}\"\n",
    },
    "until alone": {
        "tasks/t.yml": "- ansible.builtin.uri:\n    url: x\n  until: r is success\n  retries: 0\n",
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cases(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
               workers_always: list[bool]) -> None:
    for name, text in CASES[case].items():
        path = tmp_path / "project" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path / "project")
    for selection in SELECTIONS.values():
        found = _assert_same(["."], selection, tmp_path / "cache")
        if case.startswith("loop"):  # the cases that must find something
            assert found


# A playbook applying roles is one run; the prefilter keeps, of a run, the files holding the
# words and the files tied to their jobs. Each case has a role that must be kept (it holds the
# finding or changes it) and a role that must not matter (`unrelated`). The codes show what
# the unfiltered run finds, so none of these cases passes by finding nothing.
UNRELATED = ("- ansible.builtin.command: /bin/true\n  register: other\n"
             "- ansible.builtin.debug:\n    msg: \"{{ other.stdout }}\"\n")
LAUNCH = ("- ansible.builtin.command: sleep 1\n  async: 60\n  poll: 0\n  register: job\n")
WAIT = ("- ansible.builtin.async_status:\n    jid: \"{{ job.ansible_job_id }}\"\n"
        "  register: done\n  until: done is finished\n  retries: 30\n  delay: 1\n")


def _site(*roles: str, play_vars: str = "") -> str:
    listed = "".join(f"    - {role}\n" for role in roles)
    return f"- hosts: all\n{play_vars}  roles:\n{listed}"


RELATED = {
    # the register is read (unawaited) in another role
    "read in a sibling role": ({
        "site.yml": _site("launch", "unrelated", "reader"),
        "roles/launch/tasks/main.yml": LAUNCH,
        "roles/unrelated/tasks/main.yml": UNRELATED,
        "roles/reader/tasks/main.yml": "- ansible.builtin.debug:\n    msg: \"{{ job.stdout }}\"\n",
    }, {"ASY115"}),
    # a fact set from the register in one role, its job id waited on in another
    "alias through set_fact": ({
        "site.yml": _site("launch", "alias", "unrelated", "waiter"),
        "roles/launch/tasks/main.yml": LAUNCH,
        "roles/alias/tasks/main.yml": "- ansible.builtin.set_fact:\n    saved: \"{{ job }}\"\n",
        "roles/unrelated/tasks/main.yml": UNRELATED,
        "roles/waiter/tasks/main.yml": "- ansible.builtin.debug:\n    msg: \"{{ saved.stdout }}\"\n",
    }, {"ASY115"}),
    # a play variable names the register; a role reads it
    "alias through play vars": ({
        "site.yml": _site("launch", "unrelated", "reader",
                          play_vars="  vars:\n    launched: \"{{ job }}\"\n"),
        "roles/launch/tasks/main.yml": LAUNCH,
        "roles/unrelated/tasks/main.yml": UNRELATED,
        "roles/reader/tasks/main.yml": "- ansible.builtin.debug:\n    msg: \"{{ launched.stdout }}\"\n",
    }, {"ASY115"}),
    # an include passes the register on in its vars; the included file reads it
    "alias through include vars": ({
        "site.yml": _site("launch", "unrelated"),
        "roles/launch/tasks/main.yml": LAUNCH + (
            "- ansible.builtin.include_tasks: read.yml\n  vars:\n    passed: \"{{ job }}\"\n"),
        "roles/launch/tasks/read.yml": "- ansible.builtin.debug:\n    msg: \"{{ passed.stdout }}\"\n",
        "roles/unrelated/tasks/main.yml": UNRELATED,
    }, {"ASY115"}),
    # an include loops over the looped launch's results; the included file reads `item`
    "include looping over the results": ({
        "site.yml": _site("launch", "unrelated"),
        "roles/launch/tasks/main.yml": (
            "- ansible.builtin.command: sleep {{ item }}\n  loop: [1, 2]\n  async: 60\n"
            "  poll: 0\n  register: jobs\n"
            "- ansible.builtin.include_tasks: each.yml\n  loop: \"{{ jobs.results }}\"\n"),
        "roles/launch/tasks/each.yml": "- ansible.builtin.debug:\n    msg: \"{{ item.stdout }}\"\n",
        "roles/unrelated/tasks/main.yml": UNRELATED,
    }, {"ASY115"}),
    # an include whose target is unknown hides where the job is waited for: no ASY105
    # (`launch_b` of another playbook has no such include: ASY105 there)
    "unknown include after the launch": ({
        "site.yml": _site("launch", "unrelated", "dynamic"),
        "roles/launch/tasks/main.yml": LAUNCH,
        "roles/unrelated/tasks/main.yml": UNRELATED,
        "roles/dynamic/tasks/main.yml": "- ansible.builtin.include_tasks: \"{{ which }}.yml\"\n",
        "other.yml": _site("launch_b"),
        "roles/launch_b/tasks/main.yml": LAUNCH,
    }, {"ASY105"}),
    # the same name registered again by a plain task: `reader` reads that one (no ASY115
    # there), while `reader_b` in another playbook reads the job's
    "register overwritten in a sibling role": ({
        "site.yml": _site("launch", "overwrite", "unrelated", "reader"),
        "roles/launch/tasks/main.yml": LAUNCH,
        "roles/overwrite/tasks/main.yml": "- ansible.builtin.command: /bin/true\n  register: job\n",
        "roles/unrelated/tasks/main.yml": UNRELATED,
        "roles/reader/tasks/main.yml": "- ansible.builtin.debug:\n    msg: \"{{ job.stdout }}\"\n",
        "roles/reader_b/tasks/main.yml": "- ansible.builtin.debug:\n    msg: \"{{ job.rc }}\"\n",
        "other.yml": _site("launch", "reader_b"),
    }, {"ASY115"}),
    # two package jobs in flight together, with plain package tasks elsewhere in the run
    "package jobs": ({
        "site.yml": _site("web", "unrelated", "db", "waiter"),
        "roles/web/tasks/main.yml": "- ansible.builtin.apt:\n    name: nginx\n  async: 60\n"
                                    "  poll: 0\n  register: job\n",
        "roles/unrelated/tasks/main.yml": "- ansible.builtin.apt:\n    name: curl\n",
        "roles/db/tasks/main.yml": "- ansible.builtin.apt:\n    name: postgresql\n  async: 60\n"
                                   "  poll: 0\n  register: db\n",
        "roles/waiter/tasks/main.yml": WAIT,
    }, {"ASY201"}),
    # a looped include runs a file that includes a file looping with `item` again
    "looped include two levels down": ({
        "site.yml": "- hosts: all\n  tasks:\n    - ansible.builtin.include_tasks: a.yml\n"
                    "      loop: [1, 2]\n    - ansible.builtin.include_tasks: plain.yml\n",
        "a.yml": "- ansible.builtin.include_tasks: b.yml\n",
        "b.yml": "- ansible.builtin.debug:\n    msg: x\n  loop: [3]\n",
        "plain.yml": "- ansible.builtin.debug:\n    msg: y\n",
    }, {"ASY116"}),
    # `retries` spelled every way: only those that may be 0 are findings
    "retries spellings": ({
        "tasks/t.yml": "".join(
            f"- ansible.builtin.uri:\n    url: x\n  until: r is success\n  retries: {value}\n"
            for value in ("0", "'0'", "-1", "!!int 0", "0x0", "5", "\"{{ n }}\"")),
        "tasks/ok.yml": "- ansible.builtin.uri:\n    url: x\n  until: r is success\n"
                        "  retries: 5\n  # retries: 10\n",
        "tasks/fine.yml": "- ansible.builtin.uri:\n    url: x\n  until: r is success\n"
                          "  retries: 3\n",
    }, {"ASY107"}),
    # a long line does not make a file "maybe not composing"; a syntax error is still found
    "long lines and a syntax error": ({
        "long.yml": "- ansible.builtin.command: echo " + "word " * 500 + "\n",
        "broken.yml": "- a: [b\n" + "  c: " + "x" * 500 + "\n",
    }, {"ASY000"}),
}


@pytest.mark.parametrize("case", sorted(RELATED))
def test_related_files_are_kept(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                workers_always: list[bool]) -> None:
    files, codes = RELATED[case]
    for name, text in files.items():
        path = tmp_path / "project" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path / "project")
    found = check(["."], SELECTIONS["all"], speed=PLAIN).findings
    assert codes <= {finding.code for finding in found}, [f.to_json() for f in found]
    for selection in SELECTIONS.values():
        _assert_same(["."], selection, tmp_path / "cache")
    kept = check(["."], SELECTIONS["default"], speed=Speed())
    assert kept.files == check(["."], SELECTIONS["default"], speed=PLAIN).files


def test_the_prefilter_leaves_unrelated_roles_unread(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    files, _ = RELATED["read in a sibling role"]
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path)
    need = need_of(rule.code for rule in RULES if Selection().enabled(rule))
    from asynclint.model import load_project
    from asynclint.model.prefilter import BytePrefilter

    project = load_project(["."], prefilter=BytePrefilter(need))
    assert "roles/unrelated/tasks/main.yml" in project.skipped
    assert "roles/reader/tasks/main.yml" not in project.skipped


def test_scans_made_later_leave_the_same_files_unread(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """While children scan, the loader reads each file it reaches only to tell whether it may
    link; the files left unread are the same as with the scans made first, a file an include
    reaches beyond the checked folder (no child scans it) too."""
    files = {
        "project/play.yml": "- hosts: localhost\n  tasks:\n"
                            "    - ansible.builtin.include_tasks: ../shared/steps.yml\n"
                            "    - ansible.builtin.command: /bin/true\n"
                            "      async: 10\n      poll: 0\n",
        "project/other.yml": "- ansible.builtin.debug:\n    msg: other\n",
        "shared/steps.yml": "- ansible.builtin.debug:\n    msg: step\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path / "project")
    from asynclint.model import load_project
    from asynclint.model.prefilter import BytePrefilter, scan_file, target_files

    need = need_of(rule.code for rule in RULES if Selection().enabled(rule))
    assert need is not None
    scans = {os.path.realpath(path): scan_file(path) for path in target_files(["."])}
    first = load_project(["."], prefilter=BytePrefilter(need, scans))
    later = load_project(["."], prefilter=BytePrefilter(need, later=lambda: scans))
    assert [os.path.basename(path) for path in first.skipped] == ["steps.yml", "other.yml"]
    assert later.skipped == first.skipped
    assert [doc.path for doc in later.documents] == [doc.path for doc in first.documents]

    # a scan a child made already is used as it comes: that file is not read here
    import asynclint.model.prefilter as prefilter_module

    other = os.path.realpath("other.yml")
    read: list[str] = []
    monkeypatch.setattr(prefilter_module, "read_bytes",
                        lambda path, read_bytes=prefilter_module.read_bytes:
                        read.append(path) or read_bytes(path))
    asked: list[str] = []

    def early(real: str) -> tuple[bool, FileScan | None]:
        asked.append(real)
        return (True, scans[other]) if real == other else (False, None)

    mixed = load_project(["."], prefilter=BytePrefilter(need, later=lambda: scans,
                                                        early=early))
    assert other in asked and other not in read and read
    assert mixed.skipped == first.skipped
    assert [doc.path for doc in mixed.documents] == [doc.path for doc in first.documents]


def _project_of(paths: list[str], selection: Selection, linked: bool) -> tuple[object, int]:
    """The project a prefilter for ``selection`` with every scan made gives, each file that
    may include others followed through what it links to when ``linked`` (as children send
    it) instead of its model; and how many were."""
    from asynclint.linter import lint
    from asynclint.model import load_project
    from asynclint.model.paths import RealPaths
    from asynclint.model.prefilter import BytePrefilter, scan_file, target_files
    from asynclint.model.project import link_reader

    need = need_of(rule.code for rule in RULES if selection.enabled(rule))
    assert need is not None
    scans = {os.path.realpath(path): scan_file(path) for path in target_files(paths)}
    read_links = link_reader(RealPaths())
    followed: list[str] = []

    def links(real: str, kind: str | None) -> object:
        found = read_links(real)
        if found is None:
            return None
        followed.append(real)
        return found[kind]

    project = load_project(paths, prefilter=BytePrefilter(need, scans,
                                                          linked=links if linked else None))
    findings = lint(project, selection).findings
    return (sorted((document.path, document.kind, repr(document.plays), repr(document.tasks))
                   for document in project.documents),
            project.skipped, project.missed, [(error.path, str(error.error))
                                              for error in project.errors],
            [finding.to_json() for finding in findings]), len(followed)


@pytest.mark.parametrize("where", ["fixtures and examples", "generated corpus", *sorted(CASES)])
def test_files_followed_through_their_links_give_the_same_project(
        where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a child sends of a file that may include others (:class:`Links`) stands in for
    its model while the loader follows it: the files kept, their models, the files left out,
    the places looked at in vain, the errors and the findings are the same as when each such
    file is parsed as it is reached."""
    if where == "fixtures and examples":
        monkeypatch.chdir(REPO)
        paths = ["fixtures", "examples"]
    elif where == "generated corpus":
        _load_generator().generate(tmp_path / "corpus", 3000, seed=11)
        monkeypatch.chdir(tmp_path / "corpus")
        paths = ["."]
    else:
        for name, text in CASES[where].items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        monkeypatch.chdir(tmp_path)
        paths = ["."]
    for selection in SELECTIONS.values():
        parsed, none = _project_of(paths, selection, linked=False)
        followed, count = _project_of(paths, selection, linked=True)
        assert none == 0
        assert followed == parsed
        if where in ("fixtures and examples", "generated corpus"):
            assert count > 30


_NAME = st.text(alphabet="ab_1-.é", max_size=3)
_PIECES = st.lists(st.one_of(_NAME, st.sampled_from([" ", "{{ ", " }}", "\n", "|", "é"])),
                   max_size=8)


@given(names=st.sets(_NAME, max_size=48), pieces=_PIECES)  # few names, and more than FEW_NAMES
@example(names={f"n{number}" for number in range(40)}, pieces=["{{ ", "n7", " }}"])
@example(names={"ab"}, pieces=["ab1"])  # a longer word holds the name: not a mention
@example(names={"a", "a-b"}, pieces=["{{ ", "a-b", " }}"])  # a name the pattern finds
@example(names={"a"}, pieces=["é", "a"])  # a non-ASCII letter is not a word character
def test_a_name_is_found_as_one_pattern_of_every_name_finds_it(names: set[str],
                                                                pieces: list[str]) -> None:
    """The related files' search (a set lookup per name made of word characters) agrees
    with one pattern of every name as a whole word."""
    from asynclint.model.prefilter import _WORD, _Mention

    data = "".join(pieces).encode()
    spelled = b"|".join(re.escape(name.encode())
                        for name in sorted(names, key=lambda n: (-len(n), n)))
    pattern = re.compile(rb"(?<![\w])(?:" + spelled + rb")(?![\w])")
    expected = bool(names) and pattern.search(data) is not None
    mention = _Mention(names)
    assert bool(mention) and mention.found(data, frozenset(_WORD.findall(data))) == expected \
        or not mention and not expected
    if expected:  # the quick look before the words are listed never misses a mention
        assert mention.maybe_in(data)


def test_the_loader_takes_the_files_discovery_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given what discovery found below a folder, the loader reads the same project without
    walking the folder again."""
    from asynclint.model import project as project_module
    from asynclint.model.prefilter import target_files

    monkeypatch.chdir(REPO)
    discovered: dict[str, list[str]] = {}
    files = list(target_files(["examples", "fixtures/rules"], discovered=discovered))
    assert sorted(discovered) == ["examples", "fixtures/rules"] and len(files) > 100
    expected = project_module.load_project(["examples", "fixtures/rules"])

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("walked again")

    monkeypatch.setattr(project_module, "discover_paths", no_walk)
    found = project_module.load_project(["examples", "fixtures/rules"], discovered=discovered)
    assert [d.path for d in found.documents] == [d.path for d in expected.documents]
    assert found.targets == expected.targets
    assert [(e.path, str(e.error)) for e in found.errors] \
        == [(e.path, str(e.error)) for e in expected.errors]


def test_plugin_folders_a_child_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      workers_always: list[bool]) -> None:
    """Without a cache the first child finds the project's plugin folders for the rules: an
    action plugin far from the playbook counts as it does when the rules walk for it."""
    project = tmp_path / "project"
    plugin = REPO / "fixtures/rules/ASY005-async-unsupported-action/action_plugins/local_notice.py"
    (project / "lib" / "action_plugins").mkdir(parents=True)
    (project / "lib" / "action_plugins" / "notice.py").write_text(plugin.read_text())
    (project / "plays").mkdir()
    (project / "plays" / "site.yml").write_text(
        "- hosts: localhost\n  tasks:\n    - notice:\n        text: hi\n      async: 10\n"
        "      poll: 0\n      register: job\n    - async_status:\n"
        "        jid: \"{{ job.ansible_job_id }}\"\n      register: done\n"
        "      until: done.finished\n      retries: 5\n")
    monkeypatch.chdir(project)
    for selection in SELECTIONS.values():
        assert _assert_same(["."], selection, tmp_path / "cache", project) == 1
    assert any(workers_always)

