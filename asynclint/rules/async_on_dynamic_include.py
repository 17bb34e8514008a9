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
When an `include_tasks` polls (`poll` above 0, or no `poll`) and is the only
task in the project that includes or imports its local task file, the fix
moves `async`/`poll` onto each task inside that file that can run in the
background (tasks that set a key already keep theirs; includes and actions
that cannot run async are left alone). It changes two files and is unsafe:
another playbook outside the checked paths may use the task file too.
Otherwise the fix removes the keys, also unsafe (the tasks then run
synchronously). With `poll: 0` the included tasks would all start at once
with nothing waiting for them: that is not moved, only removed.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from asynclint.findings import Problem
from asynclint.fixes import Applicability, Fix
from asynclint.fixes.yaml_edit import moved_entry_text, remove_entries, removal_fix
from asynclint.model import Document, Project, Task
from asynclint.model.keywords import ASYNC_KEYS, DYNAMIC_INCLUDES, INCLUDE_ROLE, INCLUDE_TASKS
from asynclint.parsing import YEntry, YMap
from asynclint.rules.helpers import (
    async_capable,
    async_keys,
    int_value,
    keys_onto,
    keys_phrase,
    problem_at,
)

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


def _users(project: Project) -> Counter[int]:
    """How many tasks and role lists of the project reach each document (by ``id``)."""
    reached = [task.include.resolved for task in project.tasks()
               if task.include is not None and task.include.resolved]
    reached += [role.tasks_file for document in project.ansible_documents()
                for play in document.plays for role in play.roles if role.tasks_file]
    documents = (project.resolve(path) for path in reached)
    return Counter(id(document) for document in documents if document is not None)


def _move_fix(ctx, task: Task, entries: list[YEntry], users: Counter[int]) -> Fix | None:
    """Move the keys from an `include_tasks` onto the tasks of the file only it includes.

    ``None`` when the include does not poll, its file is not one of the project's task files
    or has other users, or an edit cannot be made cleanly.
    """
    include = task.include
    if include is None or include.kind != INCLUDE_TASKS or not task.has("async"):
        return None
    poll = int_value(task.map, "poll")
    if task.has("poll") and (poll is None or poll <= 0):
        return None
    included: Document | None = ctx.project.resolve(include.resolved)
    if (included is None or included.kind != "tasks" or included.source is task.source
            or users[id(included)] != 1):
        return None
    keys = [e for e in task.map.effective() if e.name in ASYNC_KEYS]
    texts = {entry.name or "": moved_entry_text(task.source, task.map, entry) for entry in keys}
    removal = remove_entries(task.source, task.map, entries)
    if removal is None or None in texts.values():
        return None
    inserts = keys_onto(async_capable(ctx, included.tasks), texts)  # type: ignore[arg-type]
    if not inserts:
        return None
    return Fix(f"Move {keys_phrase(entries)} onto the tasks of {include.target}",
               (*removal, *(edit.on(included.path) for edit in inserts)), Applicability.UNSAFE)


def check(ctx) -> Iterator[Problem]:
    users: Counter[int] | None = None
    for task in ctx.project.tasks():
        include = task.include
        if include is None or include.kind not in DYNAMIC_INCLUDES:
            continue
        klass = "IncludeRole" if include.kind == INCLUDE_ROLE else "TaskInclude"
        entries = async_keys(task.map)
        if entries:
            if users is None and include.kind == INCLUDE_TASKS:
                users = _users(ctx.project)
            fix = None if users is None else _move_fix(ctx, task, entries, users)
            yield problem_at(
                task, entries[0],
                f"Ansible rejects {keys_phrase(entries)} on `{include.kind}` "
                f"('{entries[0].name}' is not a valid attribute for a {klass}): set it on the "
                "included tasks",
                fix or removal_fix(task.source, task.map, entries,
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
