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
The fix gives the inner task its own `loop_control.loop_var` (a name no checked file uses) and
renames the task's reads of its item to it: inside `{{ }}`/`{% %}` of its arguments, `vars`,
`loop_control` and other keywords, and in its bare conditions (`when`, `until`,
`changed_when`, `failed_when`). Its loop value, templated before its own loop starts, keeps
reading the outer variable, and its `name` is left as it is. The fix stays in the file that
holds the task: setting `loop_var` on the include instead would also mean renaming the outer
variable in every task of the included file, a second file.

It is safe when every read can be renamed exactly, and it is not offered when one cannot (the
name inside a string, as `.item`, through `vars[...]`, `lookup(...)` or `ansible_loop_var`, a
Jinja `for` binding it, a block scalar). The registered results of a looped task name each item
by its loop variable (`results[i].<loop_var>`): when the task's `register` is read anywhere
else, the fix is unsafe.
"""

from __future__ import annotations

from typing import Iterator

import re

from asynclint.findings import Problem
from asynclint.fixes import Applicability, Edit, Fix
from asynclint.fixes.templates import references_of, rename_variable
from asynclint.fixes.yaml_edit import insert_entries, render_lines, replace_value, style_of
from asynclint.graph.reading import BARE_ARGUMENTS, CONDITIONALS
from asynclint.model import Task
from asynclint.model.flow import Step
from asynclint.model.keywords import short_name
from asynclint.parsing import YEntry, YMap, YNode, YScalar
from asynclint.parsing.nodes import walk
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


# Keys read once before the loop starts (renaming there would change what they see), and ways
# of reaching a variable by its name as a string.
_BEFORE_LOOP = frozenset({"name", "tags", "run_once", "throttle", "any_errors_fatal"})
_BY_NAME = ("ansible_loop_var", "lookup(", "query(", "q(", "vars[", "hostvars")


def _fresh(texts: list[str], base: str) -> str:
    candidate, number = base, 1
    while any(references_of(candidate).search(text) for text in texts):
        number += 1
        candidate = f"{base}_{number}"
    return candidate


def _scalars(entry: YEntry, bare: bool, action: str) -> Iterator[tuple[YNode, bool]]:
    """The scalar values below an entry, each with whether it is a bare expression."""
    if isinstance(entry.value, YMap) and action:
        for argument in entry.value.entries:
            argument_bare = (action, argument.name) in BARE_ARGUMENTS
            for node in walk(argument.value):
                yield node, argument_bare
        return
    for node in walk(entry.value):
        yield node, bare


def _renames(task: Task, old: str, new: str) -> list[Edit] | None:
    """Every use of the task's own loop variable renamed (its loop value, read before the loop
    binds the variable, is left alone); ``None`` when one cannot be renamed precisely."""
    text = task.source.text[task.start:task.end]
    pattern = rf"""\.\s*{re.escape(old)}\b|['"]{re.escape(old)}['"]"""
    if re.search(pattern, text) or any(way in text for way in _BY_NAME):
        return None
    module = short_name(task.action or "")
    edits: list[Edit] = []
    for entry in task.map.entries:
        if entry is task.loop or entry.name == "name":
            continue
        action = module if entry is task.action_entry else ""
        if entry is task.action_entry and module in {m for m, _ in BARE_ARGUMENTS} and (
            isinstance(entry.value, YScalar)
        ):
            return None
        for node, bare in _scalars(entry, entry.name in CONDITIONALS, action):
            found = rename_variable(task.source, node, old, new, bare)
            outside = node.start < task.start or node.end > task.end  # an alias
            if found is None or (found and (entry.name in _BEFORE_LOOP or outside)):
                return None
            edits += found
    return edits


def _loop_var_fix(ctx, task: Task) -> Fix | None:
    """Give the task's loop its own `loop_var` and use it wherever the task reads its item."""
    source, old = task.source, task.loop_var
    others = [text for path, text in ctx.project.texts() if path != source.path]
    texts = [source.text, *others]
    new = _fresh(texts, f"{task.register}_item" if task.register else f"inner_{old}")
    renames = _renames(task, old, new)
    control = task.map.get("loop_control")
    if renames is None or task.loop is None or not (control is None or isinstance(control, YMap)):
        return None
    named = control.entry("loop_var") if isinstance(control, YMap) else None
    if named is not None:
        added = replace_value(source, named, new)
    elif isinstance(control, YMap):
        added = insert_entries(source, control, [f"loop_var: {new}"])
    else:
        lines = render_lines((("loop_control", (("loop_var", new),)),), style_of(source))
        added = insert_entries(source, task.map, lines, after=task.loop)
    if added is None:
        return None
    # The registered results name the item by the loop variable (`results[i].<loop_var>`): a
    # register read elsewhere may read the old name, so the fix is then unsafe.
    register = task.register
    own = source.text[:task.start] + source.text[task.end:]
    read = register is not None and any(
        references_of(register).search(text)
        for text in [own, *others]
    )
    return Fix(f"Name this loop's variable `{new}` (`loop_control.loop_var`) and read it there",
               (*renames, added), Applicability.UNSAFE if read else Applicability.SAFE)


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
                _loop_var_fix(ctx, task),
            )
