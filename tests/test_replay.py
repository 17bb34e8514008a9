"""An unchanged ``asynclint check`` prints the last run's output from a stat of what it read;
anything that may have changed what it finds sends it to the full run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from asynclint import cli, replay

LAUNCH = """\
- hosts: localhost
  tasks:
    - ansible.builtin.command: sleep 1
      async: 10
      poll: 0
      register: job
    - ansible.builtin.include_tasks: tasks/wait.yml
"""
WAIT = """\
- ansible.builtin.async_status:
    jid: "{{ job.ansible_job_id }}"
  register: done
  until: done.finished
  retries: 1
  delay: 1
"""
FAST_WAIT = WAIT.replace("retries: 1", "retries: 30")


class Runs:
    """``asynclint`` as its command runs it, counting the runs that were not replays."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        self.full = 0
        self.capsys = capsys
        real = cli.main

        def counted(argv: list[str]) -> int:
            self.full += 1
            return real(argv)

        monkeypatch.setattr(cli, "main", counted)

    def __call__(self, *argv: str) -> tuple[int, str, bool]:
        """Exit code, output, and whether it was replayed."""
        before = self.full
        code = replay.main(list(argv))
        return code, self.capsys.readouterr().out, self.full == before


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "tasks").mkdir(parents=True)
    (root / "site.yml").write_text(LAUNCH, encoding="utf-8")
    (root / "tasks" / "wait.yml").write_text(WAIT, encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return root


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Runs:
    # Paths changed within RACY_NS of a run are never trusted, and every path of a fresh
    # project is: these tests trust them at once, and change sizes, so that a change within
    # one tick of the clock still shows.
    monkeypatch.setattr(replay, "RACY_NS", 0)
    return Runs(monkeypatch, capsys)


def test_an_unchanged_run_is_replayed_byte_for_byte(project: Path, runs: Runs) -> None:
    first = runs("check", ".")
    second = runs("check", ".")
    assert first[0] == 1 and "ASY109" in first[1] and not first[2]
    assert second == (first[0], first[1], True)


def test_a_changed_file_is_checked_again(project: Path, runs: Runs) -> None:
    runs("check", ".")
    (project / "tasks" / "wait.yml").write_text(FAST_WAIT, encoding="utf-8")
    code, output, replayed = runs("check", ".")
    assert (code, replayed) == (0, False) and "ASY109" not in output
    assert runs("check", ".") == (0, output, True)


def test_a_file_read_through_an_include_is_watched(project: Path, runs: Runs) -> None:
    runs("check", "site.yml")  # tasks/wait.yml is not a target: the include reads it
    (project / "tasks" / "wait.yml").write_text(FAST_WAIT, encoding="utf-8")
    code, output, replayed = runs("check", "site.yml")
    assert (code, replayed) == (0, False) and "ASY109" not in output


def test_an_include_that_finds_its_file_later_is_followed(project: Path, runs: Runs) -> None:
    (project / "tasks" / "wait.yml").unlink()
    (project / "sub").mkdir()
    os.chdir(project / "sub")  # the project's folders are neither listed nor walked from here
    first = runs("check", "../site.yml")
    assert "ASY109" not in first[1] and runs("check", "../site.yml")[2] is True
    (project / "tasks" / "wait.yml").write_text(WAIT, encoding="utf-8")
    code, output, replayed = runs("check", "../site.yml")
    assert not replayed and "ASY109" in output  # neither replayed nor taken from the cache


def test_a_file_reached_through_a_link_is_watched_through_it(project: Path, runs: Runs,
                                                            tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "slow.yml").write_text(WAIT, encoding="utf-8")
    (shared / "fast.yml").write_text(FAST_WAIT, encoding="utf-8")
    wait = project / "tasks" / "wait.yml"
    wait.unlink()
    wait.symlink_to(shared / "slow.yml")
    assert "ASY109" in runs("check", "site.yml")[1]
    wait.unlink()
    wait.symlink_to(shared / "fast.yml")
    code, output, replayed = runs("check", "site.yml")
    assert (code, replayed) == (0, False) and "ASY109" not in output


def test_a_new_file_is_found(project: Path, runs: Runs) -> None:
    runs("check", ".")
    (project / "tasks" / "more.yml").write_text("- ansible.builtin.debug: msg=hi\n",
                                                encoding="utf-8")
    code, output, replayed = runs("check", ".")
    assert not replayed and "in 3 files" in output


def test_a_new_configuration_file_is_read(project: Path, runs: Runs) -> None:
    runs("check", ".")
    # above the project: no folder the run lists changes
    (project.parent / ".asynclint.yml").write_text("ignore: [ASY109]\n", encoding="utf-8")
    code, output, replayed = runs("check", ".")
    assert (code, replayed) == (0, False) and "ASY109" not in output


def test_a_new_collection_plugin_is_seen(project: Path, runs: Runs, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    collections = tmp_path / "collections"
    collections.mkdir()
    monkeypatch.setenv("ANSIBLE_COLLECTIONS_PATH", str(collections))
    runs("check", ".")
    assert runs("check", ".")[2] is True
    action = collections / "ansible_collections" / "acme" / "tools" / "plugins" / "action"
    action.mkdir(parents=True)
    (action / "deploy.py").write_text("from ansible.plugins.action import ActionBase\n",
                                      encoding="utf-8")
    assert runs("check", ".")[2] is False


def test_a_link_to_a_missing_file_is_watched(project: Path, runs: Runs, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / "more.yml").symlink_to(elsewhere / "wait.yml")
    runs("check", ".")
    assert runs("check", ".")[2] is True
    (elsewhere / "wait.yml").write_text(WAIT, encoding="utf-8")  # the link now leads somewhere
    code, output, replayed = runs("check", ".")
    assert not replayed and "in 3 files" in output


def test_a_configuration_reached_through_a_link_is_watched(project: Path, runs: Runs,
                                                           tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "lenient.yml").write_text("ignore: [ASY109]\n", encoding="utf-8")
    (shared / "strict.yml").write_text("ignore: []\n", encoding="utf-8")
    (shared / "base.yml").symlink_to(shared / "lenient.yml")
    (project / ".asynclint.yml").write_text(f"extend: {shared / 'base.yml'}\n",
                                            encoding="utf-8")
    assert runs("check", ".")[0] == 0
    (shared / "base.yml").unlink()
    (shared / "base.yml").symlink_to(shared / "strict.yml")
    code, output, replayed = runs("check", ".")
    assert (code, replayed) == (1, False) and "ASY109" in output


PLUGIN = """\
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    _supports_async = {supports}

    def run(self, tmp=None, task_vars=None):
        return super().run(tmp, task_vars)
"""


def test_the_action_plugins_beside_a_playbook_are_watched(project: Path, runs: Runs) -> None:
    hidden = project / ".deploy"  # a folder the plugin walk of the project skips
    (hidden / "action_plugins").mkdir(parents=True)
    (hidden / "site.yml").write_text(
        "- hosts: localhost\n  tasks:\n    - mything: {}\n      async: 60\n      poll: 5\n",
        encoding="utf-8")
    plugin = hidden / "action_plugins" / "mything.py"
    plugin.write_text(PLUGIN.format(supports=True), encoding="utf-8")
    assert "ASY005" not in runs("check", ".deploy/site.yml")[1]
    plugin.write_text(PLUGIN.format(supports=False) + "\n", encoding="utf-8")
    code, output, replayed = runs("check", ".deploy/site.yml")
    assert not replayed and "ASY005" in output  # neither replayed nor taken from the cache


def test_the_command_and_the_environment_are_part_of_the_key(
        project: Path, runs: Runs, monkeypatch: pytest.MonkeyPatch) -> None:
    runs("check", ".")
    assert runs("check", ".", "--format", "json")[2] is False
    assert runs("check", ".", "--format", "json")[2] is True
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, output, replayed = runs("check", ".")
    assert not replayed and output.startswith("::warning ")


def test_runs_without_the_cache_are_neither_recorded_nor_replayed(
        project: Path, runs: Runs) -> None:
    for _ in range(2):
        assert runs("check", ".", "--no-cache")[2] is False
    assert runs("check", ".")[2] is False  # the first run with the cache


def test_standard_input_is_never_replayed(
        project: Path, runs: Runs, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(2):
        monkeypatch.setattr(sys, "stdin", _Stdin(LAUNCH.encode()))
        code, output, replayed = runs("check", "-")
        assert code == 1 and not replayed


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = _Buffer(data)


class _Buffer:
    def __init__(self, data: bytes):
        self.data = data

    def read(self) -> bytes:
        return self.data


def test_paths_changed_just_before_a_run_are_not_trusted(project: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    started = time.time_ns()  # the project was written just now
    assert not replay.record(["check", "."], sys.stdout, started, [str(project / "site.yml")],
                             "output", 0)
    old = time.time() - 60
    for path in (project / "site.yml", project):
        os.utime(path, (old, old))
    # the inode changed times (ctime) when the file was written: still too recent
    assert not replay.record(["check", "."], sys.stdout, started, [str(project / "site.yml")],
                             "output", 0)
    assert replay.record(["check", "."], sys.stdout, started + 10 * replay.RACY_NS,
                         [str(project / "site.yml")], "output", 0)


def test_the_oldest_records_go_first(tmp_path: Path) -> None:
    for number in range(5):
        path = tmp_path / f"{number:016x}"
        path.write_bytes(b"")
        os.utime(path, ns=(number * 10**9, number * 10**9))
    replay.prune(str(tmp_path), kept=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{n:016x}" for n in (2, 3, 4)]


def test_a_killed_run_leaves_no_temporary_file_for_long(tmp_path: Path) -> None:
    hour = 3600 * 10**9
    for name, age in (("0000000000000001", 0), ("0000000000000001.7.tmp", 2 * hour),
                      ("0000000000000001.8.tmp", 0)):
        path = tmp_path / name
        path.write_bytes(b"")
        os.utime(path, ns=(10 * hour - age, 10 * hour - age))
    replay.prune(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "0000000000000001", "0000000000000001.8.tmp"]  # the other may still be written


def test_a_replay_loads_nothing_of_the_linter(tmp_path: Path) -> None:
    """The command as installed: the second run is a replay and imports no linter module."""
    project = tmp_path / "project"
    (project / "tasks").mkdir(parents=True)
    (project / "site.yml").write_text(LAUNCH, encoding="utf-8")
    (project / "tasks" / "wait.yml").write_text(WAIT, encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("GITHUB_ACTIONS", None)
    probe = ("import json, sys\n"
             "from asynclint.replay import main\n"
             "code = main(['check', '.'])\n"
             "print(json.dumps([code, sorted(sys.modules)]))\n")
    time.sleep(replay.RACY_NS / 1e9 + 0.1)  # so that the first run's stats can be trusted

    def run() -> tuple[str, int, set[str]]:
        done = subprocess.run([sys.executable, "-c", probe], cwd=project, env=env,
                              capture_output=True, text=True, check=True)
        output, _, last = done.stdout.rstrip("\n").rpartition("\n")
        code, modules = json.loads(last)
        return output, code, set(modules)

    first, second = run(), run()
    assert "asynclint.cli" in first[2] and "ASY109" in first[0]
    assert second[:2] == first[:2]
    assert {name for name in second[2] if name.startswith("asynclint")} == {
        "asynclint", "asynclint.replay"}


def test_a_record_that_fails_leaves_the_run_alone(project: Path, runs: Runs,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(replay, "record", broken)
    code, output, replayed = runs("check", ".")
    assert code == 1 and "ASY109" in output and "internal error" not in output
