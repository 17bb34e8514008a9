"""`async` on an action that cannot run in the background.

## What it does
Finds `async` on a task whose action plugin does not support async:
`debug`, `set_fact`, `copy`, `template`, `assert`, `async_status`, `reboot`,
`wait_for_connection`, a project's own action plugin that does not set
`_supports_async`, and the like. Modules without an action plugin of their own
(`stat`, `ping`, ...) run through the `normal` action, which supports async.

A project's own plugins and modules are read from the `action_plugins/` and
`library/` folders beside its playbooks and anywhere in the project: the nearest
folder at or above the checked paths that holds `.git`, `ansible.cfg`,
`galaxy.yml` or `.asynclint.yml` (stopping at the working folder, which is the
project when no such folder is below it). Collections come from the project's
`collections/` folder and `ANSIBLE_COLLECTIONS_PATH`.

## Why is this bad?
Async support belongs to the action plugin. Syntax-check passes, then the task
fails at run time with `This action (<name>) does not support async.`, with
`poll: 0` as with `poll > 0`. Actions whose support is unknown (a collection
that is not installed) are never flagged.

## Example
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: hello
      async: 10
      poll: 0
```

## Use instead
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        msg: hello
```

## Fix safety
There is no automatic fix: whether the task should lose `async` or run a
different action is the author's call.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.rules.helpers import int_value, problem_at

CODE = "ASY005"
NAME = "async-unsupported-action"
SEVERITY = "error"


def check(ctx) -> Iterator[Problem]:
    for task in ctx.project.tasks():
        action = task.action
        if action is None or task.include is not None:
            continue
        limit = int_value(task, "async")
        if limit is None or limit <= 0 or ctx.actions.supports_async(action) is not False:
            continue
        yield problem_at(
            task, task.entry("async"),
            f"Ansible fails this task at run time: the `{action}` action does not support "
            "`async`",
        )
