"""`async` or `poll` indented under a module's arguments.

## What it does
Finds `async`/`poll` written one level too deep, among the arguments of a
builtin module instead of next to it as task keywords.

## Why is this bad?
Ansible passes them to the module, which rejects them at run time:
`Unsupported parameters for (ansible.legacy.command) module: async, poll`.
Unknown third-party modules are not flagged: `async` may be a real option of
theirs.

## Example
```yaml
- ansible.builtin.command:
    cmd: sleep 20
    async: 50
    poll: 2
```

## Use instead
```yaml
- ansible.builtin.command:
    cmd: sleep 20
  async: 50
  poll: 2
```

## Fix safety
Moving the keys to task level is safe when the task does not set them already.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.fixes import Fix
from asynclint.fixes.yaml_edit import insert_entries, moved_entry_text, remove_entries
from asynclint.model import Task
from asynclint.model.keywords import include_kind, short_name
from asynclint.parsing import YEntry, YMap
from asynclint.rules.helpers import async_keys, keys_phrase, problem_at

# set_fact's arguments are variable names, not options: `async: 10` there sets a variable
VARIABLE_ARGUMENTS = frozenset({"set_fact"})
# builtin modules with an option of that name: `async` of yum_repository downloads in parallel
OWN_OPTIONS = {"yum_repository": frozenset({"async"})}

CODE = "ASY006"
NAME = "async-in-module-args"
SEVERITY = "error"
FIX = "safe"


def _dedent_fix(task: Task, args: YMap, entries: list[YEntry]) -> Fix | None:
    """Move the keys next to the action; keys the task already sets are only removed."""
    names = {entry.name for entry in entries}
    moved = [e for e in args.effective() if e.name in names and not task.has(e.name)]
    lines = [moved_entry_text(task.source, args, entry) for entry in moved]
    removal = remove_entries(task.source, args, entries)
    if removal is None or None in lines:
        return None
    if not lines:
        return Fix(f"Remove {keys_phrase(entries)} from the module arguments", removal)
    insert = insert_entries(task.source, task.map, lines, after=task.action_entry)  # type: ignore[arg-type]
    if insert is None:
        return None
    return Fix(f"Move {keys_phrase(entries)} to task level", (*removal, insert))


def _argument_maps(task: Task) -> Iterator[YMap]:
    """The mappings that hold module arguments: under the action key and under `args:`."""
    if isinstance(task.args, YMap):
        yield task.args
    extra = task.node("args")
    if isinstance(extra, YMap):
        yield extra


def check(ctx) -> Iterator[Problem]:
    for task in ctx.project.tasks():
        action = task.action
        if action is None:
            continue
        maps = [(args, keys) for args in _argument_maps(task) if (keys := async_keys(args))]
        if not maps or include_kind(action):  # the usual task: no async key in its arguments
            continue
        if task.action_entry is not None and task.action_entry.name in ("action", "local_action"):
            continue
        if short_name(action) in VARIABLE_ARGUMENTS or not ctx.actions.is_ansible_core(action):
            continue
        own = OWN_OPTIONS.get(short_name(action), frozenset())
        for args, keys in maps:
            entries = [entry for entry in keys if entry.name not in own]
            if entries:
                yield problem_at(
                    task, entries[0],
                    f"{keys_phrase(entries)} under the arguments of `{action}` fails at run "
                    "time (Unsupported parameters): indent it as a task keyword",
                    _dedent_fix(task, args, entries),
                )
