"""The prefilter, the cache and parallel workers never change what `asynclint check` finds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from asynclint import parallel
from asynclint.linter import LintResult, Selection
from asynclint.model.prefilter import NEEDS, need_of
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


def _assert_same(paths: list[str], selection: Selection, cache_dir: Path) -> int:
    expected = _findings(check(paths, selection, speed=PLAIN))
    for name, speed in _speeds(cache_dir).items():
        assert _findings(check(paths, selection, speed=speed)) == expected, name
    return len(expected[0])


@pytest.fixture
def workers_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send every scan to the worker processes, however small the input."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_FILES", 0)


def test_every_rule_says_what_it_needs() -> None:
    assert {rule.code for rule in RULES} <= set(NEEDS)


def test_a_rule_without_needs_turns_the_prefilter_off() -> None:
    assert need_of(["ASY001", "ASY999"]) is None
    assert need_of(["ASY001"]) is not None


@pytest.mark.parametrize("selection", sorted(SELECTIONS))
def test_fixtures_and_examples(selection: str, tmp_path: Path, workers_always: None,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert _assert_same(["fixtures", "examples"], SELECTIONS[selection], tmp_path / "cache") > 100


@pytest.mark.parametrize("selection", sorted(SELECTIONS))
def test_generated_corpus(selection: str, tmp_path: Path, workers_always: None,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    _load_generator().generate(corpus, 3000, seed=7)
    monkeypatch.chdir(corpus)
    assert _assert_same(["."], SELECTIONS[selection], tmp_path / "cache") > 0


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
    "word behind a YAML escape": {
        "t.yml": "- ansible.builtin.command: x\n  \"\\x61sync\": 10\n  poll: 0\n",
    },
    "until alone": {
        "tasks/t.yml": "- ansible.builtin.uri:\n    url: x\n  until: r is success\n  retries: 0\n",
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cases(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, text in CASES[case].items():
        path = tmp_path / "project" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path / "project")
    for selection in SELECTIONS.values():
        _assert_same(["."], selection, tmp_path / "cache")
