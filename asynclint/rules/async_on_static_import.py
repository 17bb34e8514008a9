"""`async` or `poll` on `import_tasks` or `import_role`.

## What it does
Finds `async`/`poll` on a static import (`import_tasks`, `import_role`).

## Why is this bad?
Ansible accepts the keys and silently ignores them: no error, no warning, and
the imported tasks run synchronously, one after another. The playbook looks
parallel but is not.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.import_tasks: slow.yml
      async: 60
      poll: 0
```

## Use instead
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.import_tasks: slow.yml
```
and set `async`/`poll` on the tasks inside `slow.yml` that should run in the
background.

## Fix safety
Removing the ignored keys is safe: Ansible ignores them already, so the
playbook does exactly what it did before.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.fixes import Applicability
from asynclint.fixes.yaml_edit import removal_fix
from asynclint.model.keywords import STATIC_IMPORTS
from asynclint.rules.helpers import async_keys, keys_phrase, problem_at

CODE = "ASY004"
NAME = "async-on-static-import"
SEVERITY = "error"
FIX = "safe"


def check(ctx) -> Iterator[Problem]:
    for task in ctx.project.tasks():
        include = task.include
        if include is None or include.kind not in STATIC_IMPORTS:
            continue
        entries = async_keys(task.map)
        if entries:
            fix = removal_fix(task.source, task.map, entries,
                              f"Remove the ignored {keys_phrase(entries)}", Applicability.SAFE)
            yield problem_at(
                task, entries[0],
                f"Ansible silently ignores {keys_phrase(entries)} on `{include.kind}`: the "
                "imported tasks run synchronously",
                fix,
            )
