"""A wait that loops over a looped launch's register instead of its `.results`.

## What it does
Finds an `async_status` task whose loop (`loop`, `with_items`...) walks the variable
registered by a looped `poll: 0` launch itself, rather than that variable's `.results`.

## Why is this bad?
A looped task registers a dict (`changed`, `msg`, `results`); each job id sits in one item of
`results`. `loop:` over the dict fails at run time ("The `loop` value must resolve to a
'list', not 'dict'"), and `with_items:` yields the whole dict as a single item, which has no
`ansible_job_id`: no job is awaited.

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
        jid: "{{ item.ansible_job_id }}"
      loop: "{{ launch }}"
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
Looping over `<register>.results` is safe: it is what the wait was written to do, one job id
per item.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.fixes import Fix
from asynclint.fixes.templates import add_attribute
from asynclint.graph.records import REGISTER_DICT
from asynclint.model import Task
from asynclint.rules.helpers import problem_at

CODE = "ASY102"
NAME = "wait-loop-over-register-dict"
SEVERITY = "error"
FIX = "safe"


def _results_fix(task: Task, register: str | None) -> Fix | None:
    """`loop: "{{ reg }}"` -> `loop: "{{ reg.results }}"` (the loop value is one variable)."""
    edit = add_attribute(task.source, task.loop.value, "results")  # type: ignore[union-attr]
    if edit is None:
        return None
    return Fix(f"Loop over `{register}.results`", (edit,))


def check(ctx) -> Iterator[Problem]:
    for job in ctx.graph.jobs():
        for wait in (*job.waits, *job.cleanups):
            task = wait.node.task
            if wait.problem != REGISTER_DICT or task.loop is None:
                continue
            register = job.register
            yield problem_at(
                task, task.loop,
                f"`{task.loop.name}` walks `{register}`, the register of a looped launch, which "
                f"is a dict: Ansible rejects it or yields it as one item without "
                f"`ansible_job_id`; loop over `{register}.results`",
                _results_fix(task, register),
            )
