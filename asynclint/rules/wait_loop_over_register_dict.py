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
from asynclint.graph.records import REGISTER_DICT
from asynclint.rules.helpers import problem_at

CODE = "ASY102"
NAME = "wait-loop-over-register-dict"
SEVERITY = "error"
FIX = "safe"


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
            )
