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
    assert RunCache(tmp_path).get("0" * 64) is None
