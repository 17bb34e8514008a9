"""`async` or `poll` on `include_tasks` or `include_role`.

## What it does
Finds `async`/`poll` on a dynamic include (`include_tasks`, `include_role`),
and `apply: {async: ...}` on one.

## Why is this bad?
An include is not a task that runs on a host; it cannot run in the
background. Ansible rejects the keys on the include itself at parse time
(`'async' is not a valid attribute for a TaskInclude` / `IncludeRole`), and an
`async` passed through `apply:` makes the include fail at run time.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.include_tasks:
        file: ./some-task.yml
      async: 20
      poll: 0
```

## Use instead
Put `async`/`poll` on the tasks inside `some-task.yml` (or let
`asynclint parallelize` turn sibling includes into parallel stages):
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.include_tasks:
        file: ./some-task.yml
```
```yaml
# file: some-task.yml
- ansible.builtin.command: sleep 20
  async: 50
  poll: 2
```

## Fix safety
Removing the keys is unsafe (the tasks then run synchronously); when the
include is the only user of a local task file, moving the keys onto the tasks
inside it is offered as an unsafe fix.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.fixes import Applicability, Fix
from asynclint.fixes.yaml_edit import removal_fix
from asynclint.model.keywords import DYNAMIC_INCLUDES, INCLUDE_ROLE
from asynclint.model import Task
from asynclint.parsing import YEntry, YMap
from asynclint.rules.helpers import async_keys, keys_phrase, problem_at

CODE = "ASY003"
NAME = "async-on-dynamic-include"
SEVERITY = "error"
FIX = "unsafe"


def _apply_fix(task: Task, apply: YEntry, applied: list[YEntry]) -> Fix | None:
    """Remove the keys from `apply`, or `apply` itself when nothing else is in it."""
    title = f"Remove {keys_phrase(applied)} from `apply`"
    inner = apply.value
    if isinstance(inner, YMap) and len(applied) < len(inner.entries):
        return removal_fix(task.source, inner, applied, title, Applicability.UNSAFE)
    holder = next((node for node in (task.args, task.node("args"))
                   if isinstance(node, YMap) and apply in node.entries), None)
    return None if holder is None else removal_fix(task.source, holder, [apply], title,
                                                   Applicability.UNSAFE)


def check(ctx) -> Iterator[Problem]:
    for task in ctx.project.tasks():
        include = task.include
        if include is None or include.kind not in DYNAMIC_INCLUDES:
            continue
        klass = "IncludeRole" if include.kind == INCLUDE_ROLE else "TaskInclude"
        entries = async_keys(task.map)
        if entries:
            yield problem_at(
                task, entries[0],
                f"Ansible rejects {keys_phrase(entries)} on `{include.kind}` "
                f"('{entries[0].name}' is not a valid attribute for a {klass}): set it on the "
                "included tasks",
                removal_fix(task.source, task.map, entries,
                            f"Remove {keys_phrase(entries)} from `{include.kind}`",
                            Applicability.UNSAFE),
            )
        apply = task.arg("apply")
        if apply is not None and isinstance(apply.value, YMap):
            applied = async_keys(apply.value)
            if applied:
                yield problem_at(
                    task, applied[0],
                    f"{keys_phrase(applied)} under `apply` of `{include.kind}` makes the include "
                    "fail at run time: set it on the included tasks",
                    _apply_fix(task, apply, applied),
                )
