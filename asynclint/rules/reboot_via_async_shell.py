"""A reboot started in the background with `shell`/`command`, then awaited.

## What it does
Finds a `shell` or `command` task that runs `reboot` (or `shutdown -r`) as a
`poll: 0` background job and is followed, later in the play, by
`wait_for_connection`.

## Why is this bad?
This is the classic hand-written reboot: fire the command without waiting
(the connection drops), then wait for the host to come back. It works, but
the timing is guesswork (`sleep 2 && reboot`, `delay` on the wait), and the
job is never awaited. `ansible.builtin.reboot` does all of it in one task:
it reboots, waits for the host to go down and come back, and checks it with a
test command.

## Example
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.shell: sleep 2 && reboot
      async: 1
      poll: 0
    - ansible.builtin.wait_for_connection:
        delay: 30
        timeout: 300
```

## Use instead
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.reboot:
        reboot_timeout: 300
```

## Fix safety
There is no automatic fix: `ansible.builtin.reboot` is a different action with
its own options, so the rewrite is left to the author.
"""

from __future__ import annotations

import re
from typing import Iterator

from asynclint.findings import Problem
from asynclint.model import Task
from asynclint.model.keywords import short_name
from asynclint.parsing import YScalar
from asynclint.rules.helpers import is_launch, play_runs, problem_at

CODE = "ASY301"
NAME = "reboot-via-async-shell"
SEVERITY = "info"

COMMAND_ACTIONS = frozenset({"shell", "command"})
REBOOT = re.compile(r"\breboot\b|\bshutdown\b[^;&|\n]*\s-r\b")


def command_line(task: Task) -> str:
    """The command a `shell`/`command` task runs, as written (free form, `cmd` or `argv`)."""
    if isinstance(task.args, YScalar):
        return task.args.value
    argv = task.arg_value("argv")
    if isinstance(argv, list):
        return " ".join(map(str, argv))
    return str(task.arg_value("cmd", task.arg_value("_raw_params", "")))


def is_background_reboot(task: Task) -> bool:
    if task.action is None or short_name(task.action) not in COMMAND_ACTIONS:
        return False
    return is_launch(task) and REBOOT.search(command_line(task)) is not None


def is_wait_for_connection(task: Task) -> bool:
    return task.action is not None and short_name(task.action) == "wait_for_connection"


def check(ctx) -> Iterator[Problem]:
    for steps in play_runs(ctx.flows):
        tasks = [step.task for step in steps]
        last_wait = max((i for i, task in enumerate(tasks) if is_wait_for_connection(task)),
                        default=0)
        for task in tasks[:last_wait]:
            if is_background_reboot(task):
                yield problem_at(
                    task, task.action_entry,
                    f"`{task.action}` reboots in the background and `wait_for_connection` "
                    "waits for the host: `ansible.builtin.reboot` does both in one task",
                )
