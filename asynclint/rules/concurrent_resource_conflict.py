"""Two background jobs running at once that touch the same path or package lock.

## What it does
Finds a `poll: 0` launch started while an earlier job is still in flight (launched and not
yet awaited), or a looped launch whose items all run at once, when both touch the same path
(`dest`, `path`, `creates`, `removes`, `src`, `name` of file modules), at least one of them
writing it, or both use the system package manager (`apt`, `dnf`, `yum`, `package`...).
Paths that read the loop variable differ from item to item and are left out.

## Why is this bad?
Jobs launched together run at the same time: writes to one file race, and package managers
hold an exclusive lock, so the second job fails or waits on it. The article's closing caution
about parallel tasks.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.apt:
        name: nginx
      async: 600
      poll: 0
      register: web
    - ansible.builtin.apt:
        name: postgresql
      async: 600
      poll: 0
      register: db
    - ansible.builtin.async_status:
        jid: "{{ item.ansible_job_id }}"
      loop: "{{ [web, db] }}"
      register: job
      until: job is finished
      retries: 60
      delay: 10
```

## Use instead
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.apt:
        name: [nginx, postgresql]
      async: 600
      poll: 0
      register: packages
    - ansible.builtin.async_status:
        jid: "{{ packages.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 60
      delay: 10
```

## Fix safety
No fix: serialising the jobs or merging them changes the playbook's timing; the author decides.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.graph.resources import touches
from asynclint.rules.helpers import problem_at

CODE = "ASY201"
NAME = "concurrent-resource-conflict"
SEVERITY = "warning"
FIX = None


def _looped_conflict(ctx, job) -> Problem | None:
    """Every item of a looped launch is a job of its own, all running at once."""
    resource = ctx.graph.shared_resource(job.node, job.node) if job.looped else None
    if resource is None:
        return None
    return problem_at(
        job.task, job.task.action_entry,
        f"every item of this looped `poll: 0` task is a job of its own, all touching "
        f"`{resource}` at the same time: their changes race (a package manager lock makes "
        "some of them fail); pass all items to one task or drop `poll: 0`",
    )


def check(ctx) -> Iterator[Problem]:
    touching: dict[int, bool] = {}  # by id of the job's task: read each task's resources once

    def touches_any(job) -> bool:
        if id(job.task) not in touching:
            touching[id(job.task)] = bool(touches(job.task))
        return touching[id(job.task)]

    for job in ctx.graph.jobs():
        if not job.is_launch or not touches_any(job):
            continue
        problem = _looped_conflict(ctx, job)
        if problem is not None:
            yield problem
            continue
        for other in ctx.graph.in_flight_at(job.node):
            if not touches_any(other):
                continue
            resource = ctx.graph.shared_resource(other.node, job.node)
            if resource is None:
                continue
            task = job.task
            yield problem_at(
                task, task.action_entry,
                f"this job and the job started at line {other.node.line} both touch "
                f"`{resource}` and run at the same time: their changes race (a package manager "
                "lock makes one of them fail); wait for the first job before starting this one",
            )
            break
