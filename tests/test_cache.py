"""The cache of whole-run results: hits only when nothing the run read or could read changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from asynclint import pipeline
from asynclint.cache import CACHE_FORMAT, RunCache
from asynclint.linter import LintResult, Selection
from asynclint.pipeline import Speed, check

LAUNCH = "- ansible.builtin.command: /bin/true\n  async: 60\n  poll: 0\n  register: job\n"
PLAY = "- hosts: all\n  tasks:\n    - ansible.builtin.include_tasks: ../shared/jobs.yml\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "jobs.yml").write_text(LAUNCH)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "play.yml").write_text(PLAY)
    monkeypatch.chdir(tmp_path / "site")
    return tmp_path


@pytest.fixture
def speed(tmp_path: Path) -> Speed:
    return Speed(cache_dir=tmp_path / "cache")


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs that had to read the project."""
    counted: list[int] = []
    real = pipeline.load_project

    def counting(*args: object, **kwargs: object):
        counted.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "load_project", counting)
    return counted


def _codes(result: LintResult) -> list[str]:
    return [finding.code for finding in result.findings]


def _entries(speed: Speed) -> list[Path]:
    assert speed.cache_dir is not None
    return sorted((speed.cache_dir / CACHE_FORMAT).glob("*"))


def test_an_unchanged_project_is_not_read_again(project: Path, speed: Speed,
                                                loads: list[int]) -> None:
    first = check(["."], speed=speed)
    second = check(["."], speed=speed)
    assert second == first and "ASY105" in _codes(first)
    assert len(loads) == 1
    assert [path.suffix for path in _entries(speed)] == [".pickle"]  # no temporary file left


def test_a_changed_target_is_read_again(project: Path, speed: Speed, loads: list[int]) -> None:
    check(["."], speed=speed)
    (project / "site" / "play.yml").write_text(PLAY + "    - ansible.builtin.debug:\n"
                                               "        msg: \"{{ job.stdout }}\"\n")
    assert "ASY115" in _codes(check(["."], speed=speed))
    assert len(loads) == 2


def test_a_run_of_a_changed_project_replaces_the_entry_before_it(
        project: Path, speed: Speed, loads: list[int]) -> None:
    """One entry per scope and settings: the cache does not grow with every edit."""
    check(["."], speed=speed)
    for count in range(3):
        (project / "site" / "play.yml").write_text(PLAY + f"# edit {count}\n")
        check(["."], speed=speed)
    assert len(loads) == 4 and len(_entries(speed)) == 1
    (project / "site" / "play.yml").write_text(PLAY)
    check(["."], speed=speed)  # the first state again: its entry was replaced
    assert len(loads) == 5


def test_a_changed_file_reached_by_an_include_is_read_again(project: Path, speed: Speed,
                                                            loads: list[int]) -> None:
    assert "ASY105" in _codes(check(["."], speed=speed))
    (project / "shared" / "jobs.yml").write_text(LAUNCH.replace("  poll: 0\n", ""))
    assert "ASY105" not in _codes(check(["."], speed=speed))
    assert len(loads) == 2


def test_a_new_file_beside_the_targets_is_seen(project: Path, speed: Speed,
                                               loads: list[int]) -> None:
    check(["."], speed=speed)
    os.utime(project / "site", ns=(1, 1))  # what creating or removing a file there does
    check(["."], speed=speed)
    assert len(loads) == 2


def test_another_selection_is_another_entry(project: Path, speed: Speed,
                                            loads: list[int]) -> None:
    check(["."], speed=speed)
    ignored = check(["."], Selection(ignore=frozenset({"ASY105"})), speed=speed)
    assert "ASY105" not in _codes(ignored)
    assert len(loads) == 2 and len(_entries(speed)) == 2


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x04K\x01."])
def test_a_corrupt_entry_is_a_miss(project: Path, speed: Speed, loads: list[int],
                                   garbage: bytes) -> None:
    first = check(["."], speed=speed)
    [entry] = _entries(speed)
    entry.write_bytes(garbage)
    assert check(["."], speed=speed) == first
    assert len(loads) == 2


def test_an_unwritable_cache_costs_nothing_but_time(project: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be")
    speed = Speed(cache_dir=blocked)
    assert check(["."], speed=speed) == check(["."], speed=speed)


def test_standard_input_is_never_cached(project: Path, speed: Speed) -> None:
    check(["-"], stdin_data=LAUNCH.encode(), speed=speed)
    assert _entries(speed) == []


def test_missing_entry(tmp_path: Path) -> None:
    assert RunCache(tmp_path).get("0" * 24, "0" * 64) is None


# -- the stat indexes ------------------------------------------------------------------------


def _age(*paths: Path) -> None:
    """Times an hour back: outside the window in which a change may hide in one clock tick."""
    import time

    then = time.time() - 3600
    for path in paths:
        os.utime(path, (then, then))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from asynclint import cache

    counted: list[str] = []
    real = cache._digest_of

    def counting(path: str, info: os.stat_result) -> str | None:
        counted.append(path)
        return real(path, info)

    monkeypatch.setattr(cache, "_digest_of", counting)
    return counted


def _indexed(tmp_path: Path) -> tuple[Path, str | None]:
    """An old file, and its digest as a saved index holds it."""
    from asynclint.cache import Digests

    target = tmp_path / "a.yml"
    target.write_text(LAUNCH)
    _age(target)
    index = Digests(tmp_path / "index.pickle")
    first = index.digest(str(target))
    index.save()
    return target, first


def test_an_unchanged_file_is_not_read_again(tmp_path: Path, reads: list[str]) -> None:
    from asynclint.cache import Digests

    target, first = _indexed(tmp_path)
    assert Digests(tmp_path / "index.pickle").digest(str(target)) == first
    assert reads == [str(target)]


def test_a_file_rewritten_with_its_old_time_and_size_is_read_again(tmp_path: Path,
                                                                   reads: list[str]) -> None:
    from asynclint.cache import Digests

    target, first = _indexed(tmp_path)
    before = os.stat(target)
    target.write_text(LAUNCH.replace("60", "61"))  # same size
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # the inode's ctime moves
    assert Digests(tmp_path / "index.pickle").digest(str(target)) != first


def test_a_file_changed_just_before_the_index_was_written_is_read_again(
        tmp_path: Path, reads: list[str]) -> None:
    from asynclint.cache import Digests

    target = tmp_path / "a.yml"
    target.write_text(LAUNCH)  # now: it may change again within the same clock tick
    index = Digests(tmp_path / "index.pickle")
    index.digest(str(target))
    index.save()
    Digests(tmp_path / "index.pickle").digest(str(target))
    assert reads == [str(target), str(target)]


def test_the_index_holds_only_the_files_its_runs_still_check(tmp_path: Path) -> None:
    from asynclint.cache import Digests

    kept, dropped = tmp_path / "a.yml", tmp_path / "b.yml"
    for path in (kept, dropped):
        path.write_text(LAUNCH)
    _age(kept, dropped)
    index = Digests(tmp_path / "index.pickle")
    index.digest(str(kept))
    index.digest(str(dropped))
    index.save()
    again = Digests(tmp_path / "index.pickle")
    assert set(again.known) == {str(kept), str(dropped)}
    again.digest(str(kept))  # b.yml is no longer checked
    again.save()
    assert set(Digests(tmp_path / "index.pickle").known) == {str(kept)}


def test_each_checked_scope_has_an_index_of_its_own(project: Path, speed: Speed) -> None:
    """Checking another folder neither reads nor grows the index of the first one."""
    from asynclint.cache import INDEX_FORMAT, Digests

    check(["."], speed=speed)
    check(["../shared"], speed=speed)
    assert speed.cache_dir is not None
    indexes = sorted((speed.cache_dir / INDEX_FORMAT).glob("digests-*.pickle"))
    assert len(indexes) == 2
    held = sorted(sorted(Path(path).name for path in Digests(index).known)
                  for index in indexes)
    assert held == [["jobs.yml"], ["play.yml"]]


def test_plugin_folders_are_walked_again_only_when_a_folder_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from asynclint.actions import discovery
    from asynclint.cache import Walks

    root = tmp_path / "project"
    (root / "roles" / "web" / "tasks").mkdir(parents=True)
    (root / "action_plugins").mkdir()
    _age(root, root / "roles", root / "roles" / "web", root / "roles" / "web" / "tasks",
         root / "action_plugins")
    walks: list[Path] = []
    real = discovery.named_dirs

    def counting(where, walked=None):
        walks.append(where)
        return real(where, walked)

    monkeypatch.setattr(discovery, "named_dirs", counting)
    index = tmp_path / "walks.pickle"
    first = Walks(index).named_dirs(root)
    assert first[discovery.ACTION_DIR] == [root / "action_plugins"]
    assert Walks(index).named_dirs(root) == first and len(walks) == 1
    (root / "roles" / "web" / "library").mkdir()  # changes roles/web
    found = Walks(index).named_dirs(root)
    assert found[discovery.LIBRARY_DIR] == [root / "roles" / "web" / "library"]
    assert len(walks) == 2


def test_a_cache_folder_keeps_its_most_recent_files(tmp_path: Path) -> None:
    """One entry per scope and settings, and pre-commit checks a new list of files with every
    commit: the oldest entries go, so that the cache does not grow without end."""
    from asynclint import cache as cache_module

    folder = tmp_path / "runs"
    folder.mkdir()
    for number in range(cache_module.KEPT_FILES + 2):
        old = folder / f"{number:04d}.pickle"
        old.write_bytes(b"")
        os.utime(old, ns=(number * 10**9, number * 10**9))
    cache_module._store(folder / "new.pickle", {"a": 1})
    names = sorted(path.name for path in folder.iterdir())
    assert len(names) == cache_module.KEPT_FILES and "new.pickle" in names
    assert "0000.pickle" not in names and "0002.pickle" not in names
    assert f"{cache_module.KEPT_FILES + 1:04d}.pickle" in names


def test_the_folders_of_retired_formats_go_when_a_new_format_starts(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache and the replay records write beside the folders of their earlier formats:
    those go once, when a current folder is created; an unknown (newer) one stays."""
    from asynclint.cache import INDEX_FORMAT
    from asynclint.cli import main
    from asynclint.replay import RETIRED

    runs = tmp_path / "xdg" / "asynclint" / "runs"
    for name in (*RETIRED, "runs-v99"):
        (runs / name).mkdir(parents=True)
        (runs / name / "entry.pickle").write_bytes(b"")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert main(["check", "play.yml"]) == 1
    assert sorted(path.name for path in runs.iterdir()) == sorted(
        [CACHE_FORMAT, INDEX_FORMAT, "runs-v99"])


def test_a_run_with_the_cache_walks_the_plugin_folders_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache key and the action table both need the project's plugin folders: one walk
    serves both, and the rules see the project's own plugins as they do without the cache."""
    from asynclint.actions import discovery

    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    plugins = root / "roles" / "web" / "action_plugins"
    plugins.mkdir(parents=True)
    (plugins / "stamp.py").write_text(  # runs a module without saying it supports async
        "from ansible.plugins.action import ActionBase\n\n\nclass ActionModule(ActionBase):\n"
        "    def run(self, tmp=None, task_vars=None):\n"
        "        result = super().run(tmp, task_vars)\n"
        "        result.update(self._execute_module(module_name='ansible.legacy.ping',\n"
        "                      module_args={}, task_vars=task_vars,\n"
        "                      wrap_async=self._task.async_val))\n"
        "        return result\n")
    (root / "play.yml").write_text("- hosts: all\n  tasks:\n    - stamp: {}\n"
                                   "      async: 10\n      poll: 0\n")
    monkeypatch.chdir(root)
    walks: list[object] = []
    real = discovery._named_dirs

    def counting(*args: object, **kwargs: object):
        walks.append(args[0])
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(discovery, "_named_dirs", counting)
    plain = check(["."], project_root=root, speed=Speed())
    assert len(walks) == 1
    walks.clear()
    cached = check(["."], project_root=root, speed=Speed(cache_dir=tmp_path / "cache"))
    assert len(walks) == 1
    assert cached.findings == plain.findings
    assert [finding.code for finding in plain.findings] == ["ASY005"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_first_run_reads_each_file_once(project: Path, tmp_path: Path, jobs: int,
                                          reads: list[str], loads: list[int],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """With no entry to compare a key with, the key is made after the run, from the digests
    the scans took of the bytes they read (in forked children with two jobs); the next run's
    key, made before it from a stat per file, is the same, and hits."""
    from asynclint import parallel

    monkeypatch.setattr(parallel, "MIN_PARALLEL_FILES", 0)
    monkeypatch.setattr(parallel, "other_threads", lambda: 0)
    speed = Speed(cache_dir=tmp_path / "cache", jobs=jobs)
    play = str(project / "site" / "play.yml")  # the target; the task file is a dependency
    _age(project / "site" / "play.yml", project / "shared" / "jobs.yml")  # trusted by stat

    def play_reads() -> int:
        return sum(1 for path in reads if os.path.realpath(path) == play)

    first = check(["."], speed=speed)
    assert play_reads() == 0  # its scan's digest serves
    assert check(["."], speed=speed) == first
    assert len(loads) == 1 and play_reads() == 0
    (project / "site" / "play.yml").write_text(PLAY + "\n")  # changed: read for the key
    check(["."], speed=speed)
    assert len(loads) == 2 and play_reads() == 1


def test_an_offered_digest_serves_only_the_stat_it_was_read_at(tmp_path: Path,
                                                                reads: list[str]) -> None:
    from asynclint.cache import Digests, digest

    target = tmp_path / "a.yml"
    target.write_text(LAUNCH)
    _age(target)
    info = os.stat(target)
    stat = (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)
    index = Digests(tmp_path / "index.pickle")
    index.offer(str(target), stat, "offered")
    assert index.digest(str(target)) == "offered" and reads == []
    target.write_text(LAUNCH.replace("60", "61"))  # changed after the scan read it
    index = Digests(tmp_path / "index.pickle")
    index.offer(str(target), stat, "offered")
    assert index.digest(str(target)) == digest(target.read_bytes())
    assert reads == [str(target)]
