"""`async` or `poll` on a `block`.

## What it does
Finds `async` or `poll` written on a `block` (next to `block:`, `rescue:` or
`always:`) instead of on the tasks inside it.

## Why is this bad?
A block is not a task and cannot run in the background. Ansible rejects the
whole playbook before running anything: `'async' is not a valid attribute for
a Block` (`ansible-playbook --syntax-check` fails too).

## Example
```yaml
- hosts: localhost
  tasks:
    - block:
        - ansible.builtin.command: sleep 20
      async: 50
      poll: 2
```

## Use instead
```yaml
- hosts: localhost
  tasks:
    - block:
        - ansible.builtin.command: sleep 20
          async: 50
          poll: 2
```

## Fix safety
With `poll` above 0 (or no `poll`), moving `async`/`poll` onto each child task
that can run in the background keeps the meaning and is safe. With `poll: 0`
the intent is to run the block's tasks side by side; that rewrite changes
concurrency and belongs to `asynclint parallelize` (unsafe).
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.model import Block, document_task_nodes
from asynclint.rules.helpers import async_keys, keys_phrase

CODE = "ASY001"
NAME = "async-on-block"
SEVERITY = "error"
FIX = "safe"


def check(ctx) -> Iterator[Problem]:
    for document in ctx.project.ansible_documents():
        for node in document_task_nodes(document):
            if not isinstance(node, Block):
                continue
            entries = async_keys(node.map)
            if not entries:
                continue
            first = entries[0]
            yield Problem(
                node.source, first.key.start, first.key.end,
                f"Ansible rejects {keys_phrase(entries)} on a block ('{first.name}' is not a "
                "valid attribute for a Block): set it on the tasks inside the block",
                anchor=node.start,
            )
