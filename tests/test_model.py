"""The model: keywords versus module arguments, includes, roles, discovery, flows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from asynclint.model import Block, Task, load_project
from asynclint.model.build import action_of
from asynclint.model.flow import flows
from asynclint.model.keywords import BLOCK_KEYWORDS, PLAY_KEYWORDS, TASK_KEYWORDS
from asynclint.parsing import compose_documents, source_from_text


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tasks_of(path: Path) -> list[Task]:
    return [t for t in load_project([str(path)]).tasks() if t.source.path.endswith(path.name)]


def test_keyword_sets_match_ansible_core() -> None:
    from ansible.playbook.block import Block as AnsibleBlock
    from ansible.playbook.handler import Handler
    from ansible.playbook.play import Play as AnsiblePlay

    internal = {"async_val", "loop_with", "args"}
    assert set(Handler.fattributes) - internal == TASK_KEYWORDS - {"local_action", "args"}
    assert set(AnsibleBlock.fattributes) == BLOCK_KEYWORDS
    assert set(AnsiblePlay.fattributes) == PLAY_KEYWORDS


def _action(text: str):
    (doc,) = compose_documents(source_from_text("t.yml", text))
    name, entry, args = action_of(doc.items[0])
    return name, args


def test_action_recognition() -> None:
    assert _action("- ansible.builtin.command: echo\n")[0] == "ansible.builtin.command"
    assert _action("- name: x\n  ansible.legacy.shell: echo\n  register: r\n")[0] == (
        "ansible.legacy.shell"
    )
    assert _action("- action: command echo hi\n  async: 3\n")[0] == "command"
    assert _action("- local_action:\n    module: copy\n    src: a\n")[0] == "copy"
    assert _action("- community.general.make:\n    chdir: x\n")[0] == "community.general.make"
    assert _action("- with_items: [1]\n  debug: msg=x\n")[0] == "debug"
    assert _action("- name: only a name\n")[0] is None


def test_async_as_module_argument_or_task_name_is_not_the_keyword(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yml", "- hosts: localhost\n  tasks:\n"
                 "    - name: async\n      my.coll.mod:\n        async: 5\n")
    (task,) = tasks_of(path)
    assert task.name == "async"
    assert not task.has("async")
    assert task.arg("async") is not None


def test_structural_paths_and_blocks(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yml", """\
- hosts: localhost
  tasks:
    - debug: msg=a
    - block:
        - command: echo
      rescue:
        - block:
            - command: echo
""")
    project = load_project([str(path)])
    (play,) = project.documents[0].plays
    block = play.sections["tasks"][1]
    assert isinstance(block, Block)
    assert block.path == (0, "tasks", 1)
    inner = block.rescue[0]
    assert isinstance(inner, Block)
    assert inner.block[0].path == (0, "tasks", 1, "rescue", 0, "block", 0)


def test_includes_resolve_relative_to_the_including_file(tmp_path: Path) -> None:
    write(tmp_path, "sub/inner.yml", "- command: echo inner\n")
    write(tmp_path, "sub/outer.yml", "- include_tasks: inner.yml\n")
    playbook = write(tmp_path, "p.yml", "- hosts: localhost\n  tasks:\n"
                     "    - ansible.builtin.import_tasks: sub/outer.yml\n"
                     "    - include_tasks: '{{ x }}.yml'\n")
    project = load_project([str(playbook)])
    by_path = {Path(d.path).name: d for d in project.documents}
    assert set(by_path) == {"p.yml", "outer.yml", "inner.yml"}
    assert by_path["inner.yml"].kind == "tasks"
    steps = [step.task for flow in flows(project) for step in flow.steps]
    assert [t.action for t in steps] == [
        "ansible.builtin.import_tasks", "include_tasks", "command", "include_tasks",
    ]
    templated = steps[-1].include
    assert templated is not None and templated.target is None and templated.dynamic


def test_roles_are_expanded_in_play_order(tmp_path: Path) -> None:
    write(tmp_path, "roles/web/tasks/main.yml", "- command: echo role\n")
    write(tmp_path, "roles/web/defaults/main.yml", "x: 1\n")
    playbook = write(tmp_path, "site.yml", "- hosts: localhost\n  pre_tasks:\n"
                     "    - command: echo pre\n  roles:\n    - web\n  tasks:\n"
                     "    - include_role:\n        name: web\n")
    project = load_project([str(playbook)])
    (flow_pre, flow_roles, flow_tasks) = flows(project)
    assert [f.section for f in (flow_pre, flow_roles, flow_tasks)] == ["pre_tasks", "roles", "tasks"]
    assert flow_roles.steps[0].task.role == "web"
    assert [s.task.action for s in flow_tasks.steps] == ["include_role", "command"]


def test_a_role_is_searched_once_per_folder_with_the_same_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader remembers where each role was found from each folder: the files of one
    folder (and the plays of one file) naming the same role get the same tasks file, and the
    places looked at in vain are those of one search each, as without the memory."""
    from asynclint.model import build

    write(tmp_path, "roles/web/tasks/main.yml", "- command: echo role\n")
    write(tmp_path, "plays/roles/db/tasks/setup.yml", "- command: echo db\n")
    plays = "- hosts: a\n  roles: [web, absent]\n- hosts: b\n  roles: [web]\n  tasks:\n" \
            "    - include_role:\n        name: db\n        tasks_from: setup\n"
    first = write(tmp_path, "plays/one.yml", plays)
    second = write(tmp_path, "plays/two.yml", plays)
    above = write(tmp_path, "site.yml", "- hosts: c\n  roles: [web]\n  tasks:\n"
                  "    - include_role:\n        name: db\n        tasks_from: setup\n")
    searches: list[tuple[str, str]] = []
    search = build.Builder._search_role

    def counted(self, name: str, tasks_from: str) -> str | None:
        searches.append((name, tasks_from))
        return search(self, name, tasks_from)

    monkeypatch.setattr(build.Builder, "_search_role", counted)
    project = load_project([str(first), str(second), str(above)])
    assert sorted(searches) == [("absent", "main"), ("db", "setup"), ("db", "setup"),
                                ("web", "main"), ("web", "main")]  # two folders
    playbooks = [document for document in project.documents
                 if document.plays and document.path != str(above)]
    assert len(playbooks) == 2
    (top,) = (document for document in project.documents if document.path == str(above))
    assert top.plays[0].roles[0].tasks_file == str(tmp_path / "roles/web/tasks/main.yml")
    assert top.plays[0].sections["tasks"][0].include.resolved is None  # not plays/roles/db
    found = {(play.roles[0].tasks_file, play.roles[-1].tasks_file)
             for document in playbooks for play in document.plays}
    web = str(tmp_path / "roles/web/tasks/main.yml")
    assert found == {(web, None), (web, web)}
    includes = [node.include.resolved for document in playbooks
                for node in document.plays[1].sections["tasks"]]
    assert includes == [str(tmp_path / "plays/roles/db/tasks/setup.yml")] * 2

    from asynclint.model import project as loading

    def unshared(path: str, role_dir: str | None, missed: list[str], known: dict[str, bool],
                 roles: object) -> build.FileContext:
        return build.FileContext(path, role_dir, missed, known)  # every play searches again

    monkeypatch.setattr(loading, "FileContext", unshared)
    alone = load_project([str(first), str(second), str(above)])
    assert len(searches) == 5 + 10
    assert alone.missed == project.missed
    assert str(tmp_path / "plays/roles/absent/tasks/main.yml") in project.missed


def test_discovery_skips_what_is_not_ansible(tmp_path: Path) -> None:
    write(tmp_path, "site.yml", "- hosts: all\n  tasks: []\n")
    write(tmp_path, "roles/r/tasks/main.yml", "- command: echo\n")
    write(tmp_path, "roles/r/vars/main.yml", "- not: tasks\n")
    write(tmp_path, "group_vars/all.yml", "x: 1\n")
    write(tmp_path, ".git/config.yml", "- a: 1\n")
    write(tmp_path, "venv/pyvenv.cfg", "home = x\n")
    write(tmp_path, "venv/lib/x.yml", "- a: 1\n")
    write(tmp_path, "venv/direct.yml", "- hosts: all\n  tasks: []\n")
    write(tmp_path, "k8s/deploy.yaml", "apiVersion: v1\nkind: Pod\n")
    write(tmp_path, ".pre-commit-config.yaml", "repos: []\n")
    project = load_project([str(tmp_path)])
    kinds = {Path(d.path).relative_to(tmp_path).as_posix(): d.kind for d in project.documents}
    assert kinds == {
        "site.yml": "playbook",
        "roles/r/tasks/main.yml": "tasks",
        "k8s/deploy.yaml": "other",
        ".pre-commit-config.yaml": "other",
    }


def test_discovery_names_what_is_not_a_link_and_real_paths_agree(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files and folders the walk found not to be links resolve without an lstat, and every
    path resolves as ``os.path.realpath`` does, links (to files, to folders) included."""
    from asynclint.model.paths import RealPaths
    from asynclint.model.project import discover_paths

    write(tmp_path, "elsewhere/real.yml", "- command: echo\n")
    write(tmp_path, "project/roles/r/tasks/main.yml", "- command: echo\n")
    write(tmp_path, "project/site.yml", "- hosts: all\n  tasks: []\n")
    os.symlink(tmp_path / "elsewhere/real.yml", tmp_path / "project/linked.yml")
    os.symlink(tmp_path / "elsewhere", tmp_path / "project/roles/r/tasks/more")
    monkeypatch.chdir(tmp_path / "project")
    plain: set[str] = set()
    found = list(discover_paths(".", plain=plain))
    assert "linked.yml" in found and "linked.yml" not in plain
    assert {"site.yml", "roles", "roles/r", "roles/r/tasks", "roles/r/tasks/main.yml"} <= plain
    assert not any(path.startswith("roles/r/tasks/more") for path in plain)
    real = RealPaths(plain)
    asked = [*found, "roles/r/tasks/more/real.yml", "roles/r/tasks/more/gone.yml",
             "roles/r/tasks/gone.yml"]
    expected = [os.path.realpath(path) for path in asked]
    tested: list[str] = []
    monkeypatch.setattr(os.path, "islink",
                        lambda path, islink=os.path.islink: tested.append(path) or islink(path))
    assert [real(path) for path in asked] == expected
    assert not any(os.path.basename(path) in ("site.yml", "main.yml", "r") for path in tested)


def test_symlink_loops_do_not_hang(tmp_path: Path) -> None:
    write(tmp_path, "a/p.yml", "- hosts: all\n  tasks: []\n")
    os.symlink(tmp_path / "a", tmp_path / "a" / "loop")
    project = load_project([str(tmp_path)])
    assert len(project.documents) == 1


def test_recursive_includes_terminate(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", "- include_tasks: b.yml\n")
    write(tmp_path, "b.yml", "- include_tasks: a.yml\n")
    playbook = write(tmp_path, "p.yml", "- hosts: all\n  tasks:\n    - include_tasks: a.yml\n")
    project = load_project([str(playbook)])
    (flow,) = flows(project)
    assert [s.task.include.target for s in flow.steps] == ["a.yml", "b.yml", "a.yml"]


def test_absolute_paths_as_abspath_spells_them(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from asynclint.model.paths import absolute

    monkeypatch.chdir(tmp_path)
    for path in ["a/b.yml", "./a/../b.yml", "/x//y/./z.yml", "..", ".", "a/", "//twice/a",
                 f"{tmp_path}/c.yml", "é/ü.yml"]:
        assert absolute(path, os.getcwd()) == os.path.abspath(path), path


def test_the_loader_resolves_paths_as_realpath_does(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from asynclint.model.project import _Loader

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "x").mkdir()
    (tmp_path / "a" / "b" / "c" / "f.yml").write_text("")
    (tmp_path / "x" / "link").symlink_to(tmp_path / "a" / "b")
    (tmp_path / "a" / "b" / "g.yml").symlink_to("c/f.yml")
    (tmp_path / "x" / "up").symlink_to("../a")
    loader = _Loader(use_c=True)
    for path in ["a/b/c/f.yml", "x/link/c/f.yml", "a/b/g.yml", "x/link/g.yml",
                 "x/up/b/../b/c/f.yml", "./a/b/c/f.yml", f"{tmp_path}/x/link/c/../g.yml",
                 "missing/z.yml", "x/up/b/c/../../b/c/f.yml", "/", "a/b/c/f.yml"]:
        assert loader.real(path) == os.path.realpath(path), path
