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
from asynclint.fixes import Fix
from asynclint.fixes.yaml_edit import moved_entry_text, remove_entries
from asynclint.model import Block, document_task_nodes
from asynclint.model.keywords import ASYNC_KEYS
from asynclint.parsing import YEntry
from asynclint.rules.helpers import async_capable, async_keys, int_value, keys_onto, keys_phrase

CODE = "ASY001"
NAME = "async-on-block"
SEVERITY = "error"
FIX = "safe"


def _move_fix(ctx, block: Block, entries: list[YEntry]) -> Fix | None:
    """Copy the keys onto every child that can run async, then remove them from the block.

    Only for a block that polls (`poll` > 0 or no `poll`): with `poll: 0` the children would
    start side by side, a different playbook: the parallelize transform's rewrite (unsafe).
    """
    poll = int_value(block.map, "poll")
    if block.has("poll") and poll == 0:
        from asynclint.transforms.parallelize import block_fix  # it reads the rules' helpers

        return block_fix(ctx, block)
    if block.has("poll") and (poll is None or poll <= 0):
        return None
    keys = [e for e in block.map.effective() if e.name in ASYNC_KEYS]
    texts = {entry.name or "": moved_entry_text(block.source, block.map, entry) for entry in keys}
    removal = remove_entries(block.source, block.map, entries)
    if removal is None or None in texts.values():
        return None
    children = (child for _, child in block.children())
    inserts = keys_onto(async_capable(ctx, children), texts)  # type: ignore[arg-type]
    if inserts is None:
        return None
    return Fix(f"Move {keys_phrase(entries)} onto the tasks inside the block", (*removal, *inserts))


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
                fix=_move_fix(ctx, node, entries),
                anchor=node.start,
            )
