"""Which actions can run async: the scanner, the shipped table, project plugins, the cache.

The shipped table is regenerated from the installed ansible-core and compared; the verdicts
for a sample of actions (ansible-core's, a project's own, a collection's) are re-proven by
running ansible-playbook on them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from importlib import metadata, resources
from pathlib import Path

import pytest

from ansible_runner import run_playbook
from asynclint.actions.cache import CACHE_FORMAT, content_digest
from asynclint.actions.generate import build_table, installed_ansible_dir, release_version, render
from asynclint.actions.scanner import scan_source
from asynclint.actions.summary import Outcome
from asynclint.actions.table import ActionTable, load_action_table

# FACTS.md, item 4
UNSUPPORTED = (
    "add_host", "assemble", "assert", "async_status", "copy", "debug", "fail", "fetch",
    "gather_facts", "group_by", "include_vars", "pause", "raw", "reboot", "script", "set_fact",
    "set_stats", "template", "unarchive", "validate_argument_spec", "wait_for_connection",
)  # fmt: skip
SUPPORTED = ("command", "shell", "uri", "dnf", "package", "service")
ANSIBLE_DIR = installed_ansible_dir()


def spellings(short: str) -> tuple[str, ...]:
    return (short, f"ansible.builtin.{short}", f"ansible.legacy.{short}")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def action_plugin(body: str, *, base: str = "ActionBase", imports: str = "") -> str:
    header = imports or "from ansible.plugins.action import ActionBase\n"
    return header + f"\n\nclass ActionModule({base}):\n" + textwrap.indent(textwrap.dedent(body), "    ")


RUN_PING = """
def run(self, tmp=None, task_vars=None):
    result = super().run(tmp, task_vars)
    result.update(self._execute_module(module_name="ansible.legacy.ping", module_args={},
                                       task_vars=task_vars, wrap_async=self._task.async_val))
    return result
"""

MODULE = """
from ansible.module_utils.basic import AnsibleModule


def main():
    AnsibleModule(argument_spec={}).exit_json(changed=False)


if __name__ == "__main__":
    main()
"""


@pytest.fixture
def load(tmp_path: Path):
    """``load_action_table`` isolated from the machine: no default collections, a private cache."""

    def _load(root: Path | None = None, **kwargs) -> ActionTable:
        kwargs.setdefault("collections_paths", ())
        kwargs.setdefault("cache_dir", tmp_path / "cache")
        return load_action_table(root, **kwargs)

    return _load


@pytest.fixture
def builtin(load) -> ActionTable:
    return load()


# --- the shipped table ----------------------------------------------------------------------


def test_shipped_table_is_what_the_scanner_makes_of_installed_ansible_core() -> None:
    shipped = resources.files("asynclint.actions").joinpath("data", "ansible_core.json")
    regenerated = render(build_table(ANSIBLE_DIR, release_version(ANSIBLE_DIR)))
    assert shipped.read_text(encoding="utf-8") == regenerated


def test_shipped_table_names_the_ansible_core_version(builtin: ActionTable) -> None:
    assert builtin.ansible_core_version == metadata.version("ansible-core")


def test_shipped_verdicts_agree_with_the_run_time_table(builtin: ActionTable) -> None:
    shipped = json.loads(
        resources.files("asynclint.actions").joinpath("data", "ansible_core.json").read_text()
    )
    assert shipped["supports_async"] == {
        name: builtin.supports_async(f"ansible.builtin.{name}") for name in shipped["supports_async"]
    }


@pytest.mark.parametrize("short", UNSUPPORTED)
def test_actions_without_async_support(builtin: ActionTable, short: str) -> None:
    assert [builtin.supports_async(n) for n in spellings(short)] == [False, False, False]


@pytest.mark.parametrize("short", SUPPORTED)
def test_actions_with_async_support(builtin: ActionTable, short: str) -> None:
    assert [builtin.supports_async(n) for n in spellings(short)] == [True, True, True]


def test_every_action_plugin_of_ansible_core_is_classified(builtin: ActionTable) -> None:
    plugins = {p.stem for p in (ANSIBLE_DIR / "plugins" / "action").glob("*.py")} - {"__init__"}
    decided = {n: builtin.supports_async(n) for n in plugins - {"normal"}}
    assert decided == {n: n in SUPPORTED for n in plugins - {"normal"}}


def test_modules_without_an_action_plugin_use_normal(builtin: ActionTable) -> None:
    plugins = {p.stem for p in (ANSIBLE_DIR / "plugins" / "action").glob("*.py")}
    modules = {
        p.stem
        for p in (ANSIBLE_DIR / "modules").glob("*.py")
        if not p.name.startswith("_") and "def main" in p.read_text(encoding="utf-8")
    }
    plain = sorted(modules - plugins)
    assert {"ping", "file", "service_facts", "wait_for", "stat"} <= set(plain)
    assert {n: builtin.supports_async(f"ansible.builtin.{n}") for n in plain} == dict.fromkeys(plain, True)


@pytest.mark.parametrize(
    "name",
    ["community.general.nosuch", "nosuch_module", "ansible.builtin.nosuch", "ansible.builtin.acl",
     "meta", "include_tasks", "import_tasks", "include_role", "import_role"],
)  # fmt: skip
def test_unknown_names_are_unknown(builtin: ActionTable, name: str) -> None:
    assert builtin.supports_async(name) is None


def test_builtin_redirects_are_followed(builtin: ActionTable) -> None:
    assert builtin.supports_async("yum") is True
    assert builtin.action_plugin("ansible.builtin.yum") == "ansible.builtin.dnf"


def test_importing_and_loading_the_shipped_table_does_not_load_libcst(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from asynclint.actions.table import load_action_table\n"
        f"t = load_action_table(None, collections_paths=(), cache_dir={str(tmp_path)!r})\n"
        "assert t.supports_async('copy') is False\n"
        "print('libcst' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- the scanner on shapes of code ----------------------------------------------------------


def run_paths(source: str) -> frozenset[tuple[Outcome, ...]]:
    summary = scan_source(source).classes["ActionModule"]
    assert summary.run is not None
    return summary.run[False]


def test_scanner_reads_the_flag_at_the_super_call() -> None:
    before = action_plugin("def run(self, tmp=None, task_vars=None):\n    self._supports_async = True\n    return super().run(tmp, task_vars)\n")
    after = action_plugin("def run(self, tmp=None, task_vars=None):\n    r = super(ActionModule, self).run(tmp, task_vars)\n    self._supports_async = True\n    return r\n")
    assert run_paths(before) == {(Outcome("super", True),)}
    assert run_paths(after) == {(Outcome("super", False),)}


def test_scanner_follows_branches_loops_and_try() -> None:
    source = action_plugin(
        """
        def run(self, tmp=None, task_vars=None):
            for x in task_vars:
                if x:
                    self._supports_async = True
            try:
                pass
            except ValueError:
                return {}
            return ActionBase.run(self, tmp, task_vars)
        """
    )
    assert run_paths(source) == {(Outcome("super", True),), (Outcome("super", False),)}


def test_scanner_drops_raising_paths_and_ignores_nested_functions() -> None:
    source = action_plugin(
        """
        def run(self, tmp=None, task_vars=None):
            def helper():
                return super().run()
            if not task_vars:
                raise ValueError("no vars")
            self._supports_async = True
            return super().run(tmp, task_vars)
        """
    )
    assert run_paths(source) == {(Outcome("super", True),)}


def test_scanner_sees_delegation_and_explicit_refusal() -> None:
    delegation = action_plugin(
        "def run(self, tmp=None, task_vars=None):\n"
        "    other = self._shared_loader_obj.action_loader.get('ansible.legacy.command', task=self._task)\n"
        "    return other.run(task_vars=task_vars)\n"
    )
    refusal = action_plugin(
        "_supports_async = True\n\n"
        "def run(self, tmp=None, task_vars=None):\n"
        "    if self._task.async_val:\n"
        "        raise RuntimeError('no async here')\n"
        "    return super().run(tmp, task_vars)\n"
    )
    assert run_paths(delegation) == {(Outcome("delegate", None, "ansible.legacy.command"),)}
    assert run_paths(refusal) == {(Outcome("check", False),)}


def test_scanner_resolves_base_classes_through_imports() -> None:
    source = textwrap.dedent(
        """
        import ansible.plugins.action as act
        from ansible.plugins.action.normal import ActionModule as Normal
        from .sibling import Thing

        class Mixin: pass
        class A(act.ActionBase): pass
        class B(Mixin, Normal): pass
        class C(Thing): pass
        """
    )
    classes = scan_source(source).classes
    assert classes["A"].bases == ("ansible.plugins.action:ActionBase",)
    assert classes["B"].bases == (":Mixin", "ansible.plugins.action.normal:ActionModule")
    assert classes["C"].bases == ("?",)


# --- a project's own action plugins ---------------------------------------------------------

PROJECT_PLUGINS = {
    "attr_true": (action_plugin("_supports_async = True\n" + RUN_PING), True),
    "attr_false": (action_plugin("_supports_async = False\n" + RUN_PING), False),
    "set_in_run": (action_plugin(RUN_PING.replace("    result = super", "    self._supports_async = True\n    result = super")), True),
    "set_after_check": (action_plugin(RUN_PING.replace("    return result", "    self._supports_async = True\n    return result")), False),
    "set_in_init": (action_plugin("def __init__(self, *args, **kwargs):\n    super().__init__(*args, **kwargs)\n    self._supports_async = True\n" + RUN_PING), True),
    "plain_base": (action_plugin(RUN_PING), False),
    "from_normal": (action_plugin("pass\n", base="NormalAction", imports="from ansible.plugins.action.normal import ActionModule as NormalAction\n"), True),
    "from_normal_off": (action_plugin("_supports_async = False\n", base="NormalAction", imports="from ansible.plugins.action.normal import ActionModule as NormalAction\n"), False),
    # passes template's own check, then template hands the rendered file to copy, which refuses
    "from_template": (action_plugin("_supports_async = True\n", base="Template", imports="from ansible.plugins.action.template import ActionModule as Template\n"), False),
    "runs_shell": (action_plugin("def run(self, tmp=None, task_vars=None):\n    return self._shared_loader_obj.action_loader.get('ansible.builtin.shell', task=self._task).run(task_vars=task_vars)\n"), True),
    "runs_copy": (action_plugin("def run(self, tmp=None, task_vars=None):\n    return self._shared_loader_obj.action_loader.get('ansible.legacy.copy', task=self._task).run(task_vars=task_vars)\n"), False),
    "maybe": (action_plugin("def run(self, tmp=None, task_vars=None):\n    if task_vars:\n        self._supports_async = True\n    return super().run(tmp, task_vars)\n"), None),
    "computed": (action_plugin("_supports_async = bool(1)\n" + RUN_PING), None),
    "unknown_base": (action_plugin("pass\n", base="Remote", imports="from somewhere.else import Remote\n"), None),
    "flag_property": (action_plugin("@property\ndef _supports_async(self):\n    return True\n" + RUN_PING), None),
    "helper_sets_flag": (action_plugin("def _prepare(self):\n    self._supports_async = True\n\ndef _report(self):\n    return self._supports_async\n" + RUN_PING.replace("    result = super", "    self._prepare()\n    self._report()\n    result = super")), None),
    "helper_reads_flag": (action_plugin("def _report(self):\n    return self._supports_async\n" + RUN_PING.replace("    result = super", "    self._report()\n    result = super")), False),
    "never_checks": (action_plugin("def run(self, tmp=None, task_vars=None):\n    return {}\n"), None),
    "not_python": ("def run(:\n", None),
}  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name, (source, _) in PROJECT_PLUGINS.items():
        write(root / "action_plugins" / f"{name}.py", source)
    write(root / "roles" / "web" / "action_plugins" / "role_plugin.py", action_plugin("_supports_async = True\n"))
    write(root / "library" / "local_module.py", MODULE)
    return root


@pytest.mark.parametrize("name", sorted(PROJECT_PLUGINS))
def test_project_action_plugins(load, project: Path, name: str) -> None:
    expected = PROJECT_PLUGINS[name][1]
    table = load(project)
    assert (table.supports_async(name), table.supports_async(f"ansible.legacy.{name}")) == (expected, expected)
    assert table.supports_async(f"ansible.builtin.{name}") is None


def test_role_plugins_and_library_modules_are_found(load, project: Path) -> None:
    table = load(project)
    assert table.supports_async("role_plugin") is True
    assert table.supports_async("local_module") is True
    assert table.supports_async("ansible.legacy.local_module") is True


def test_plugin_folders_in_hidden_vendored_and_virtualenv_trees_are_not_the_project(
        tmp_path: Path) -> None:
    from asynclint.actions.discovery import ACTION_DIR, LIBRARY_DIR, _named_dirs

    root = tmp_path / "project"
    for folder in ("action_plugins", "roles/web/library", "deep/a/b/action_plugins",
                   ".hidden/action_plugins", "node_modules/x/action_plugins",
                   "venv/action_plugins", "venv/lib/library", "ok/library"):
        (root / folder).mkdir(parents=True)
    (root / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (root / "linked").mkdir()
    (root / "linked" / "action_plugins").symlink_to(root / "deep")  # named: counts
    (root / "loop").symlink_to(root, target_is_directory=True)  # not walked into
    found = _named_dirs(root, (ACTION_DIR, LIBRARY_DIR))
    relative = {name: [str(path.relative_to(root)) for path in paths]
                for name, paths in found.items()}
    assert relative == {
        ACTION_DIR: ["action_plugins", "linked/action_plugins", "deep/a/b/action_plugins"],
        LIBRARY_DIR: ["ok/library", "roles/web/library"],
    }


def test_the_project_is_found_from_the_checked_paths(tmp_path: Path) -> None:
    from asynclint.actions.discovery import project_root

    home = tmp_path / "user"
    repo = home / "src" / "infra"
    (repo / ".git").mkdir(parents=True)
    write(repo / "playbooks" / "site.yml", "- hosts: all\n")
    (home / "plain" / "sub").mkdir(parents=True)
    outside = tmp_path / "elsewhere" / "site"
    outside.mkdir(parents=True)
    cases = [
        (home, ["src/infra/playbooks/site.yml"], repo),  # a marker below cwd: that folder
        (home, ["src/infra/playbooks", "src/infra"], repo),
        (repo / "playbooks", ["site.yml"], repo / "playbooks"),  # never above cwd
        (home, ["plain/sub"], home),  # no marker up to cwd: cwd, as before
        (home, ["src/infra", "plain"], home),
        (home, ["-"], home),  # standard input alone
        (home, [str(outside)], outside),  # outside cwd, no marker: its own folder
        (outside, ["../../user/src/infra/playbooks/site.yml"], repo),  # outside: marker above
    ]
    for cwd, paths, expected in cases:
        assert project_root(paths, cwd) == expected, (cwd, paths)
    (repo / "playbooks" / "ansible.cfg").write_text("[defaults]\n", encoding="utf-8")
    assert project_root(["src/infra/playbooks/site.yml"], home) == repo / "playbooks"


def test_a_sibling_projects_plugins_are_not_this_projects(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run from a folder above the project, the plugin walk stays in the project."""
    from asynclint.cli import main

    home = tmp_path / "user"
    repo = home / "src" / "infra"
    (repo / ".git").mkdir(parents=True)
    write(repo / "site.yml", """
        - hosts: localhost
          tasks:
            - mything: {}
              async: 60
              poll: 5
        """)
    refusing = action_plugin("_supports_async = False\n" + RUN_PING)
    write(home / "other" / "action_plugins" / "mything.py", refusing)
    monkeypatch.chdir(home)

    def check() -> str:
        main(["check", "--no-cache", "--exit-zero", "src/infra/site.yml"])
        return capsys.readouterr().out

    assert "ASY005" not in check()
    write(repo / "roles" / "x" / "action_plugins" / "mything.py", refusing)
    assert "ASY005" in check()


def test_project_plugin_overrides_the_short_name_only(load, tmp_path: Path) -> None:
    root = tmp_path / "override"
    write(root / "action_plugins" / "copy.py", action_plugin("_supports_async = True\n" + RUN_PING))
    write(root / "action_plugins" / "from_template.py", PROJECT_PLUGINS["from_template"][0])
    table = load(root)
    assert table.supports_async("copy") is True
    assert table.supports_async("ansible.legacy.copy") is True
    assert table.supports_async("ansible.builtin.copy") is False
    # template hands over to ansible.legacy.copy: the local one, which accepts async
    assert table.supports_async("from_template") is True
    assert table.supports_async("template") is False  # its own check refuses first


def test_delegation_follows_a_local_override(load, tmp_path: Path) -> None:
    root = tmp_path / "override"
    write(root / "action_plugins" / "command.py", action_plugin("_supports_async = False\n"))
    table = load(root)
    assert table.supports_async("shell") is False
    assert table.supports_async("ansible.builtin.shell") is False  # it runs ansible.legacy.command
    assert table.supports_async("ansible.builtin.command") is True


def test_extra_search_paths(load, tmp_path: Path) -> None:
    extra = tmp_path / "elsewhere"
    write(extra / "far_away.py", action_plugin("_supports_async = True\n"))
    assert load(None, search_paths=(extra,)).supports_async("far_away") is True
    assert load(None).supports_async("far_away") is None


# --- collections ----------------------------------------------------------------------------


def make_collection(root: Path, namespace: str = "acme", name: str = "tools") -> Path:
    coll = root / "ansible_collections" / namespace / name
    write(coll / "plugins" / "action" / "slow.py", action_plugin("_supports_async = False\n" + RUN_PING))
    write(coll / "plugins" / "action" / "fast.py", action_plugin("_supports_async = True\n" + RUN_PING))
    write(
        coll / "plugins" / "action" / "fast_child.py",
        action_plugin("pass\n", base="Fast", imports=f"from ansible_collections.{namespace}.{name}.plugins.action.fast import ActionModule as Fast\n"),
    )  # fmt: skip
    write(coll / "plugins" / "modules" / "plain.py", MODULE)
    write(coll / "plugins" / "modules" / "slow.py", MODULE)
    return coll


@pytest.mark.parametrize("variable", ["ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS"])
def test_collections_from_the_environment(load, tmp_path: Path, monkeypatch, variable: str) -> None:
    make_collection(tmp_path / "colls")
    monkeypatch.delenv("ANSIBLE_COLLECTIONS_PATH", raising=False)
    monkeypatch.delenv("ANSIBLE_COLLECTIONS_PATHS", raising=False)
    monkeypatch.setenv(variable, os.pathsep.join([str(tmp_path / "missing"), str(tmp_path / "colls")]))
    table = load(None, collections_paths=None)
    assert table.supports_async("acme.tools.slow") is False
    assert table.supports_async("acme.tools.fast") is True
    assert table.supports_async("acme.tools.fast_child") is True
    assert table.supports_async("acme.tools.plain") is True
    assert table.supports_async("acme.tools.missing") is None
    assert table.supports_async("acme.other.plain") is None
    assert table.supports_async("slow") is None


def test_project_collections_come_before_collections_paths(load, tmp_path: Path) -> None:
    project = tmp_path / "project"
    make_collection(project / "collections")
    other = tmp_path / "other"
    write(other / "ansible_collections" / "acme" / "tools" / "plugins" / "action" / "slow.py", action_plugin("_supports_async = True\n"))
    table = load(project, collections_paths=(other,))
    assert table.supports_async("acme.tools.slow") is False


def test_without_the_collection_its_names_are_unknown(load) -> None:
    assert load(None).supports_async("acme.tools.plain") is None


# --- the cache ------------------------------------------------------------------------------


def cache_entry(cache: Path, source: Path) -> Path:
    return cache / CACHE_FORMAT / f"{content_digest(source.read_bytes())}.json"


def test_cache_is_read_on_the_second_load(load, tmp_path: Path) -> None:
    plugin = write(tmp_path / "p" / "action_plugins" / "cached.py", action_plugin("_supports_async = False\n"))
    cache = tmp_path / "cache"
    assert load(tmp_path / "p").supports_async("cached") is False
    entry = cache_entry(cache, plugin)
    assert entry.is_file()
    # an entry for the same content that says otherwise proves the second load trusts the cache
    data = json.loads(entry.read_text())
    data["ActionModule"]["flag"] = "true"
    entry.write_text(json.dumps(data))
    assert load(tmp_path / "p").supports_async("cached") is True


def test_a_changed_file_is_rescanned(load, tmp_path: Path) -> None:
    plugin = write(tmp_path / "p" / "action_plugins" / "edited.py", action_plugin("_supports_async = False\n"))
    assert load(tmp_path / "p").supports_async("edited") is False
    write(plugin, action_plugin("_supports_async = True\n"))
    assert load(tmp_path / "p").supports_async("edited") is True
    assert cache_entry(tmp_path / "cache", plugin).is_file()


@pytest.mark.parametrize("garbage", ["{not json", "[]", '{"ActionModule": {"bases": 3}}', '{"ActionModule": {}}'])
def test_a_corrupt_cache_entry_is_ignored(load, tmp_path: Path, garbage: str) -> None:
    plugin = write(tmp_path / "p" / "action_plugins" / "damaged.py", action_plugin("_supports_async = True\n"))
    entry = cache_entry(tmp_path / "cache", plugin)
    entry.parent.mkdir(parents=True)
    entry.write_text(garbage)
    assert load(tmp_path / "p").supports_async("damaged") is True
    assert json.loads(entry.read_text())["ActionModule"]["flag"] == "true"


# --- ground truth: ansible-playbook agrees ---------------------------------------------------

PROBES = {
    "ansible.builtin.copy": {"content": "x", "dest": "{{ playbook_dir }}/copied.txt"},
    "ansible.builtin.template": {"src": "absent.j2", "dest": "{{ playbook_dir }}/t.txt"},
    "ansible.builtin.shell": "true",
    "ansible.legacy.command": "true",
    "ansible.builtin.debug": {"msg": "hello"},
    "ansible.builtin.set_fact": {"probe_fact": 1},
    "fail": {"msg": "the action itself ran"},
    "ansible.builtin.ping": {},
    "ansible.builtin.stat": {"path": "/"},
    "stat": {"path": "/"},
    "attr_true": {},
    "attr_false": {},
    "set_in_run": {},
    "set_after_check": {},
    "from_template": {"src": "probe.j2", "dest": "{{ playbook_dir }}/t.txt"},
    "local_module": {},
    "acme.tools.slow": {},
    "acme.tools.plain": {},
    "acme.tools.fast_child": {},
}
TASK_BLOCK = re.compile(r"^TASK \[(?P<name>[^\]]+)\][^\n]*\n(?P<body>.*?)(?=^TASK \[|^PLAY RECAP)", re.M | re.S)


def ground_truth_project(root: Path) -> Path:
    for name in ("attr_true", "attr_false", "set_in_run", "set_after_check", "from_template"):
        write(root / "action_plugins" / f"{name}.py", PROJECT_PLUGINS[name][0])
    write(root / "action_plugins" / "stat.py", action_plugin("_supports_async = False\n", base="NormalAction", imports="from ansible.plugins.action.normal import ActionModule as NormalAction\n"))  # fmt: skip
    write(root / "library" / "local_module.py", MODULE)
    write(root / "templates" / "probe.j2", "{{ 1 + 1 }}\n")
    make_collection(root / "collections")
    tasks = [
        {"name": f"probe {action}", action: args, "async": 10, "poll": 1, "ignore_errors": True}
        for action, args in PROBES.items()
    ]
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    return write(root / "site.yml", json.dumps(play, indent=2))


def observed(output: str) -> dict[str, bool | str]:
    """``True`` when the task ran, ``False`` when refused for async, else the failure text."""
    results: dict[str, bool | str] = {}
    for block in TASK_BLOCK.finditer(output):
        name, body = block["name"].removeprefix("probe "), block["body"]
        if "fatal: [localhost]" not in body:
            results[name] = bool(re.search(r"^(ok|changed): \[localhost\]", body, re.M)) or body
        elif "does not support async" in body:
            results[name] = False
        else:
            results[name] = body
    return results


@pytest.mark.ansible
def test_ansible_agrees_with_the_table(load, tmp_path: Path) -> None:
    project = tmp_path / "gt"
    playbook = ground_truth_project(project)
    table = load(project)
    expected = {name: table.supports_async(name) for name in PROBES}
    assert expected["ansible.builtin.copy"] is False and expected["ansible.builtin.shell"] is True
    assert expected["stat"] is False and expected["ansible.builtin.stat"] is True
    result = run_playbook(playbook, tmp_path / "run")
    assert result.rc == 0, result.output
    assert observed(result.output) == expected
