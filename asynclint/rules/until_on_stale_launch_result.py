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
from asynclint.model import Task
from asynclint.model.keywords import short_name
from asynclint.rules.helpers import is_launch, play_runs, problem_at

CODE = "ASY101"
NAME = "until-on-stale-launch-result"
SEVERITY = "error"
FIX = "safe"


def _set_fact_names(task: Task) -> set[str]:
    if task.action is None or short_name(task.action) != "set_fact":
        return set()
    args = task.value(task.action_entry.name) if task.action_entry else None
    return {str(key) for key in args} if isinstance(args, dict) else set()


def check(ctx) -> Iterator[Problem]:
    for steps in play_runs(ctx.flows):
        launches: dict[str, Task] = {}
        for step in steps:
            task = step.task
            own = task.register
            until = task.entry("until")
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
                    )
            for name in _set_fact_names(task):
                launches.pop(name, None)
            if own is not None:
                if is_launch(task):
                    launches[own] = task
                else:
                    launches.pop(own, None)
