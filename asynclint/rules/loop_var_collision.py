"""A loop inside a looped include that uses the include's loop variable again.

## What it does
Finds a looped task in a file run by a looped `include_tasks`/`include_role` when both loops
use the same loop variable, most often the default `item` (the article's batching example
loops an include over batches and the included tasks over `item` again).

## Why is this bad?
The inner loop hides the outer loop's variable: inside the included file `item` is the inner
item, and the outer one is no longer reachable. Ansible only warns ("The loop variable 'item'
is already in use") and runs on, so a task that meant the outer item silently reads the
inner one.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.include_tasks: batch.yml
      loop: [[1, 2], [3, 4]]
```
```yaml
# file: batch.yml
- ansible.builtin.command: "sleep {{ item }}"
  loop: "{{ item }}"
  async: 10
  poll: 0
```

## Use instead
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.include_tasks: batch.yml
      loop: [[1, 2], [3, 4]]
      loop_control:
        loop_var: batch
```
```yaml
# file: batch.yml
- ansible.builtin.command: "sleep {{ item }}"
  loop: "{{ batch }}"
  async: 10
  poll: 0
```

## Fix safety
Adding `loop_control: {loop_var: <unique name>}` to the include (and renaming its uses in the
included file) is safe when the outer variable is read only through that name.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.model import Task
from asynclint.model.flow import Step
from asynclint.rules.helpers import problem_at

CODE = "ASY116"
NAME = "loop-var-collision"
SEVERITY = "warning"
FIX = "safe"


def colliding_include(step: Step) -> Task | None:
    """The innermost looped include that binds the same loop variable as the task's own loop."""
    task = step.task
    if task.loop is None:
        return None
    for include in reversed(step.includes):
        dynamic = include.include is not None and include.include.dynamic
        if dynamic and include.loop is not None and include.loop_var == task.loop_var:
            return include
    return None


def check(ctx) -> Iterator[Problem]:
    for flow in ctx.flows:
        for step in flow.steps:
            include = colliding_include(step)
            if include is None:
                continue
            task = step.task
            line = include.source.position(include.start)[0]
            yield problem_at(
                task, task.loop,
                f"`{task.loop_var}` is already the loop variable of the include that runs this "
                f"file ({include.source.path}:{line}): Ansible warns and this loop hides the "
                f"outer `{task.loop_var}`; give the include its own `loop_control.loop_var`",
            )
