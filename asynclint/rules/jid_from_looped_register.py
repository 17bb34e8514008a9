"""`jid` read from the top level of a looped launch's register.

## What it does
Finds an `async_status` task whose `jid` is `<register>.ansible_job_id` (or
`<register>['ansible_job_id']`) where `<register>` was registered by a looped `poll: 0` launch.

## Why is this bad?
A looped launch starts one job per item and registers a dict whose job ids sit under
`.results[i].ansible_job_id`; the dict itself has no `ansible_job_id`. The wait fails at run
time ("object of type 'dict' has no attribute 'ansible_job_id'") and no job is awaited.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: "sleep {{ item }}"
      loop: [1, 2]
      async: 10
      poll: 0
      register: launch
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 10
      delay: 1
```

## Use instead
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: "sleep {{ item }}"
      loop: [1, 2]
      async: 10
      poll: 0
      register: launch
    - ansible.builtin.async_status:
        jid: "{{ item.ansible_job_id }}"
      loop: "{{ launch.results }}"
      register: job
      until: job is finished
      retries: 10
      delay: 1
```

## Fix safety
Looping the wait over `<register>.results` with `<loop_var>.ansible_job_id` is safe: every job
of the launch is awaited, which is what the wait meant to do. A `loop_var` the wait already
names is used; when the wait reads `item` for another purpose (or an include around it loops
with `item`), a fresh `loop_var` is added so that nothing else changes meaning. A wait that
already loops is left to be fixed by hand.
"""

from __future__ import annotations

from typing import Iterator

import re

from asynclint.findings import Problem
from asynclint.fixes import Fix
from asynclint.fixes.templates import references_of, rename
from asynclint.fixes.waits import fresh_name
from asynclint.fixes.yaml_edit import Pairs, insert_entries, render_lines, style_of
from asynclint.graph.records import LOOPED_REGISTER, Wait
from asynclint.rules.helpers import problem_at

CODE = "ASY103"
NAME = "jid-from-looped-register"
SEVERITY = "error"
FIX = "safe"


def _loop_variable(wait: Wait) -> tuple[str, bool]:
    """The wait's loop variable, and whether `loop_control` must name it: the default `item`
    is replaced by a fresh name when the task already reads `item` or an include loops with it."""
    task, step = wait.node.task, wait.node.step
    if task.has("loop_control"):
        return task.loop_var, False
    text = task.source.text[task.start:task.end]
    if references_of("item").search(text) is None and not any(
        holder.loop is not None and holder.loop_var == "item" for holder in step.includes
    ):
        return "item", False
    return fresh_name(task.source.text, f"{wait.variable}_job"), True


def _loop_fix(wait: Wait) -> Fix | None:
    """Loop the wait over `<reg>.results` and read `<loop_var>.ansible_job_id`."""
    task, variable = wait.node.task, wait.variable
    jid = task.arg("jid")
    if task.loop is not None or jid is None or task.action_entry is None or variable is None:
        return None
    loop_var, named = _loop_variable(wait)
    job_id = re.compile(references_of(variable).pattern
                        + r"(?=\s*(?:\.\s*ansible_job_id\b|\[\s*['\"]ansible_job_id['\"]\s*\]))")
    edits = rename(task.source, jid.value, variable, loop_var, job_id)
    if not edits or len(edits) != 1:
        return None
    pairs: Pairs = (("loop", "{{ " + variable + ".results }}"),)
    if named:
        pairs += (("loop_control", (("loop_var", loop_var),)),)
    lines = render_lines(pairs, style_of(task.source))
    added = insert_entries(task.source, task.map, lines, after=task.action_entry)
    if added is None:
        return None
    return Fix(f"Loop the wait over `{variable}.results` and read `{loop_var}.ansible_job_id`",
               (*edits, added))


def check(ctx) -> Iterator[Problem]:
    for job in ctx.graph.jobs():
        for wait in (*job.waits, *job.cleanups):
            if wait.problem != LOOPED_REGISTER:
                continue
            task = wait.node.task
            yield problem_at(
                task, task.arg("jid") or task.action_entry,
                f"`jid` reads `{wait.variable}.ansible_job_id`, but `{wait.variable}` comes from "
                "a looped launch and has none (each job id is under `.results`): the wait fails "
                f"at run time; loop over `{wait.variable}.results` instead",
                _loop_fix(wait),
            )
