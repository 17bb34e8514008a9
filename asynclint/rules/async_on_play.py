"""`async` or `poll` on a play.

## What it does
Finds `async` or `poll` written at play level, next to `hosts:`.

## Why is this bad?
A play cannot run in the background. Ansible rejects the playbook before
running anything: `'async' is not a valid attribute for a Play`.

## Example
```yaml
- hosts: localhost
  async: 60
  poll: 0
  tasks:
    - ansible.builtin.command: sleep 5
```

## Use instead
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: sleep 5
      async: 60
      poll: 5
```

## Fix safety
Removing the keys is offered as an unsafe fix: the play then runs its tasks
synchronously, which may not be what was meant.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.fixes import Applicability
from asynclint.fixes.yaml_edit import removal_fix
from asynclint.rules.helpers import async_keys, keys_phrase

CODE = "ASY002"
NAME = "async-on-play"
SEVERITY = "error"
FIX = "unsafe"


def check(ctx) -> Iterator[Problem]:
    for document in ctx.project.ansible_documents():
        for play in document.plays:
            entries = async_keys(play.map)
            if not entries:
                continue
            first = entries[0]
            yield Problem(
                play.source, first.key.start, first.key.end,
                f"Ansible rejects {keys_phrase(entries)} on a play ('{first.name}' is not a "
                "valid attribute for a Play): set it on the tasks that should run in the "
                "background",
                fix=removal_fix(play.source, play.map, entries,
                                f"Remove {keys_phrase(entries)} from the play", Applicability.UNSAFE),
                anchor=play.start,
            )
