"""Long-running, independent tasks that run one after another.

## What it does
Finds two or more consecutive synchronous tasks, in the same block, whose actions can run
async, that each take at least `min_duration` seconds (default 10), and that do not depend on
each other: no task reads a variable another registers or sets, and no two touch the same
path or the package manager lock. Durations are known only from a polled task's `async`
limit or a literal `sleep N` command; anything else is left alone.

Option: `min_duration` (seconds), e.g. `[tool.asynclint.rules.ASY202]` `min_duration = 30`.

## Why is this bad?
Each task waits for the previous one although nothing forces that order: the play takes the
sum of the durations instead of the longest one. Launching them with `poll: 0` and waiting
for all of them afterwards overlaps the work.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: sleep 30
    - ansible.builtin.command: sleep 20
```

## Use instead
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: sleep 30
      async: 60
      poll: 0
      register: first
    - ansible.builtin.command: sleep 20
      async: 60
      poll: 0
      register: second
    - ansible.builtin.async_status:
        jid: "{{ item.ansible_job_id }}"
      loop: "{{ [first, second] }}"
      register: job
      until: job is finished
      retries: 30
      delay: 2
```

## Fix safety
No fix: running tasks together changes timing and concurrency; the parallel-stages transform
rewrites a whole sequence on request.
"""

from __future__ import annotations

import re
from typing import Iterator

from asynclint.findings import Problem
from asynclint.graph.records import GraphNode
from asynclint.model import Task
from asynclint.model.keywords import short_name
from asynclint.rules.helpers import int_value, problem_at

CODE = "ASY202"
NAME = "parallelizable-sequence"
SEVERITY = "info"
ENABLED = False
FIX = None

DEFAULT_MIN_DURATION = 10
_SLEEP = re.compile(r"^\s*(?:/usr)?(?:/bin/)?sleep\s+(\d+(?:\.\d+)?)\s*$")
_COMMANDS = frozenset({"command", "shell"})


def sleep_seconds(task: Task) -> float | None:
    """N for a `command`/`shell` task running a literal `sleep N`."""
    if task.action is None or short_name(task.action) not in _COMMANDS:
        return None
    args = task.value(task.action_entry.name) if task.action_entry else None
    if isinstance(args, dict):
        args = args.get("cmd") or args.get("_raw_params")
    match = _SLEEP.match(args) if isinstance(args, str) else None
    return float(match.group(1)) if match else None


def duration(ctx, node: GraphNode) -> float | None:
    """How long a synchronous task runs, when the playbook says; None for background jobs."""
    job = ctx.graph.job(node)
    if job is not None:
        return int_value(node.task, "async") if job.mode == "polled" else None
    return sleep_seconds(node.task)


def _candidate(ctx, node: GraphNode, minimum: float) -> bool:
    task = node.task
    if task.include is not None or task.action is None or task.loop is not None:
        return False
    if ctx.actions.supports_async(task.action) is not True:
        return False
    seconds = duration(ctx, node)
    return seconds is not None and seconds >= minimum


def _same_place(first: GraphNode, second: GraphNode) -> bool:
    return (first.run == second.run and first.index + 1 == second.index
            and first.section == second.section and first.step.blocks == second.step.blocks
            and first.step.includes == second.step.includes
            and first.step.block_section == second.step.block_section)


def sequences(ctx, minimum: float) -> Iterator[list[GraphNode]]:
    """Maximal runs of consecutive, independent, long-running candidate tasks (two or more)."""
    current: list[GraphNode] = []
    for node in ctx.graph.nodes:
        fits = _candidate(ctx, node, minimum)
        joins = (fits and current and _same_place(current[-1], node)
                 and not any(ctx.graph.depends_on(node, earlier) for earlier in current))
        if joins:
            current.append(node)
            continue
        if len(current) > 1:
            yield current
        current = [node] if fits else []
    if len(current) > 1:
        yield current


def check(ctx) -> Iterator[Problem]:
    minimum = ctx.option(CODE, "min_duration", DEFAULT_MIN_DURATION)
    for sequence in sequences(ctx, minimum):
        first = sequence[0].task
        total = sum(duration(ctx, node) or 0 for node in sequence)
        longest = max(duration(ctx, node) or 0 for node in sequence)
        yield problem_at(
            first, first.action_entry,
            f"this task and the {len(sequence) - 1} after it run one after another (about "
            f"{total:g} s) though none depends on another: Ansible could run them together "
            f"with `poll: 0` and wait for all (about {longest:g} s)",
        )
