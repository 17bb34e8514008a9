"""`until` that tests the variable registered by a `poll: 0` launch.

## What it does
Finds an `until` condition that reads the result registered by an earlier
background launch (`async: N`, `poll: 0`): in a `debug` task, or in an
`async_status` task whose `until` tests the launch variable instead of its
own `register`.

## Why is this bad?
The launch registers its result once (`ansible_job_id`, `started`,
`finished: false`) and that variable never changes. The condition stays false,
so the task fails after `retries + 1` attempts even when the job succeeded.
This is the article's "Wrong example".

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: /bin/sleep 5
      async: 10
      poll: 0
      register: async_task_result
    - ansible.builtin.debug:
        msg: "{{ async_task_result }}"
      until: async_task_result.finished
      retries: 5
      delay: 2
```

## Use instead
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: /bin/sleep 5
      async: 10
      poll: 0
      register: async_task_result
    - ansible.builtin.async_status:
        jid: "{{ async_task_result.ansible_job_id }}"
      register: job_result
      until: job_result is finished
      retries: 5
      delay: 2
```

## Fix safety
Replacing the wait with an `async_status` task on the launch's
`ansible_job_id`, its own `register` and `until: <register> is finished`
(keeping `retries`/`delay`) is safe: it waits for the job as intended.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.expressions import value_references
from asynclint.findings import Problem
from asynclint.fixes import Edit, Fix
from asynclint.fixes.waits import finished_test, fresh_name, job_id, wait_module
from asynclint.fixes.yaml_edit import (
    insert_entries,
    render_lines,
    render_scalar,
    replace_entry,
    replace_value,
    style_of,
)
from asynclint.model import Task
from asynclint.model.keywords import short_name
from asynclint.parsing import YEntry
from asynclint.rules.helpers import is_async_status, is_launch, play_runs, problem_at

CODE = "ASY101"
NAME = "until-on-stale-launch-result"
SEVERITY = "error"
FIX = "safe"


def _set_fact_names(task: Task) -> set[str]:
    if task.action is None or short_name(task.action) != "set_fact":
        return set()
    args = task.value(task.action_entry.name) if task.action_entry else None
    return {str(key) for key in args} if isinstance(args, dict) else set()


def _wait_fix(task: Task, until: YEntry, launch: str, launched: Task) -> Fix | None:
    """Turn the task into a real wait: `async_status` on the job, `until` on its own register.

    Offered for a `debug` wait (its action is replaced) and for an `async_status` task
    whose `until` reads the launch (only `until`, and `register` when missing, change).
    """
    debug = task.action is not None and short_name(task.action) == "debug"
    if task.loop or launched.loop or task.has("args") or not (debug or is_async_status(task)):
        return None
    source, style = task.source, style_of(task.source)
    register = task.register or fresh_name(source.text, f"{launch}_status")
    edits: list[Edit | None] = [
        replace_value(source, until, render_scalar(finished_test(source.text, register), style))
    ]
    added = [] if task.register else [f"register: {register}"]
    if debug:
        lines = render_lines(wait_module(job_id(launch)), style) + added
        edits.append(replace_entry(source, task.action_entry, lines))  # type: ignore[arg-type]
    elif added:
        edits.append(insert_entries(source, task.map, added, after=task.action_entry))
    if None in edits:
        return None
    return Fix(f"Wait for the job of `{launch}` with `async_status` on its `ansible_job_id`",
               tuple(edit for edit in edits if edit is not None))


def check(ctx) -> Iterator[Problem]:
    for steps in play_runs(ctx.flows):
        launches: dict[str, Task] = {}
        for step in steps:
            task = step.task
            own = task.register
            until = task.entry("until") if launches else None  # no launch: nothing is stale
            if until is not None and not is_launch(task):
                stale = [
                    ref.name
                    for ref in value_references(task.value("until"), bare=True)
                    if ref.name in launches and ref.name != own
                ]
                if stale:
                    yield problem_at(
                        task, until,
                        f"`until` tests `{stale[0]}`, the result of a `poll: 0` launch, which "
                        "never changes: the retries run out even when the job succeeds; wait "
                        "with `async_status` on its `ansible_job_id`",
                        _wait_fix(task, until, stale[0], launches[stale[0]]),
                    )
            if launches:
                for name in _set_fact_names(task):
                    launches.pop(name, None)
            if own is not None:
                if is_launch(task):
                    launches[own] = task
                else:
                    launches.pop(own, None)
