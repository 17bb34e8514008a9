"""Plans of `asynclint parallelize` without running Ansible: schedules, bounds, durations,
the ASY001 unsafe fix and the Mermaid drawing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from asynclint.cli import main
from asynclint.fixes.apply import fix_project
from asynclint.linter import Context
from asynclint.model import load_project
from asynclint.transforms.durations import DurationsError, read_durations
from asynclint.transforms.parallelize import Options, Rewritten, parallelize
from asynclint.transforms.schedule import Await, Launch, Run, critical_path, estimate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "parallelize"
SKEWED = {"a1": 1.0, "a2": 3.0, "b1": 3.0, "b2": 1.0, "c": 2.0}


def plan_of(name: str, **options) -> Rewritten:
    project = load_project([str(FIXTURES / name)])
    outcome = parallelize(Context(project), project.documents[0], Options(**options))
    assert isinstance(outcome, Rewritten)
    return outcome


def words(steps) -> list[str]:
    return [f"launch {s.unit.title}" if isinstance(s, Launch) else
            f"run {s.unit.title}" if isinstance(s, Run) else
            "wait " + " ".join(u.title for u in s.units) for s in steps]


def test_stages_is_the_articles_layout():
    steps = plan_of("article.yml", layout="stages").plans[0].steps
    assert words(steps) == ["launch a1", "launch b1", "launch c", "wait a1 b1 c",
                            "launch a2", "launch b2", "wait a2 b2"]


def test_chains_with_durations_follow_the_critical_path():
    plan = plan_of("article.yml", layout="chains", durations=SKEWED).plans[0]
    assert words(plan.steps) == ["launch a1", "launch b1", "launch c", "wait a1", "launch a2",
                                 "wait c b1", "launch b2", "wait a2 b2"]
    stages = plan_of("article.yml", layout="stages", durations=SKEWED).plans[0]
    assert critical_path(plan.group, SKEWED) == 4.0
    assert estimate(plan.steps, SKEWED) < estimate(stages.steps, SKEWED)


def test_a_dependency_between_chains_orders_them():
    steps = words(plan_of("data-dependency.yml").plans[0].steps)
    assert steps.index("wait a1") < steps.index("launch b1")


def test_a_task_that_cannot_run_async_runs_in_its_chain():
    steps = words(plan_of("sync-task.yml").plans[0].steps)
    assert steps.index("wait a1") < steps.index("run remember a1") < steps.index("launch a2")


@settings(max_examples=30, deadline=None)
@given(limit=st.integers(min_value=1, max_value=5), layout=st.sampled_from(["stages", "chains"]),
       times=st.lists(st.floats(min_value=0.1, max_value=9), min_size=6, max_size=6))
def test_never_more_jobs_in_flight_than_max_parallel(limit: int, layout: str, times: list[float]):
    names = ["a1", "a2", "b1", "c1", "c2", "e1"]
    steps = plan_of("max-parallel.yml", layout=layout, max_parallel=limit,
                    durations=dict(zip(names, times))).plans[0].steps
    flying: set[str] = set()
    for step in steps:
        if isinstance(step, Launch):
            flying.add(step.unit.title)
            assert len(flying) <= limit
        elif isinstance(step, Await):
            flying -= {unit.title for unit in step.units}
    assert not flying
    assert sorted(s.unit.title for s in steps if isinstance(s, Launch)) == sorted(names)


def test_durations_from_the_profile_tasks_summary_and_the_json_callback():
    profile = ("wait for async task 1 & 2 before doing task 3 ------------------ 11.12s\n"
               "Gathering Facts ------------------------------------------------- 1.33s\n"
               "myrole : Task 1 -------------------------------------------------- 0.49s\n")
    assert read_durations(profile) == {"wait for async task 1 & 2 before doing task 3": 11.12,
                                       "Gathering Facts": 1.33, "Task 1": 0.49}
    json_output = ('{"plays": [{"tasks": [{"task": {"name": "a1", "duration": {'
                   '"start": "2024-01-01T10:00:00.000000Z", "end": "2024-01-01T10:00:02.500000Z"}}}]}]}')
    assert read_durations(json_output) == {"a1": 2.5}
    with pytest.raises(DurationsError):
        read_durations("PLAY RECAP\n")


def test_the_asy001_unsafe_fix_is_the_transform(tmp_path: Path, capsys):
    target = tmp_path / "article.yml"
    shutil.copy(FIXTURES / "article.yml", target)
    run = fix_project(load_project([str(target)]), unsafe=True)
    assert main(["parallelize", str(target)]) == 0
    assert run.files[0].after == target.read_text()
    assert fix_project(load_project([str(target)]), unsafe=False).changed == ()


def test_graph_draws_the_plan_in_mermaid(tmp_path: Path, capsys):
    target = tmp_path / "article.yml"
    shutil.copy(FIXTURES / "article.yml", target)
    assert main(["parallelize", str(target)]) == 0
    capsys.readouterr()
    assert main(["graph", "--format", "mermaid", str(target)]) == 0
    drawing = capsys.readouterr().out
    assert drawing.startswith("flowchart TD")
    assert ' a1"])' in drawing and ' Wait for a1"}}' in drawing and "==>" in drawing


NAMED = """- hosts: localhost  # keep me
  gather_facts: false
  tasks:
    - name: x
      ansible.builtin.command: sleep 1
    - name: y
      ansible.builtin.command: sleep 2
    # a comment after the group
    - name: z
      ansible.builtin.debug:
        msg: done
"""


def test_tasks_named_on_the_command_line_run_side_by_side(tmp_path: Path, capsys):
    target = tmp_path / "named.yml"
    target.write_text(NAMED)
    assert main(["parallelize", str(target)]) == 0
    assert "nothing to parallelize" in capsys.readouterr().out
    assert main(["parallelize", str(target), "--tasks", "x", "y", "--timeout", "30"]) == 0
    after = target.read_text()
    start, end = NAMED.index("    - name: x"), NAMED.index("    # a comment")
    assert after.startswith(NAMED[:start]) and after.endswith(NAMED[end:])
    middle = after[start:len(after) - len(NAMED) + end]
    assert middle.count("poll: 0") == 2 and middle.count("async: 30") == 2
    assert "retries: 60" in middle and "mode: cleanup" in middle
