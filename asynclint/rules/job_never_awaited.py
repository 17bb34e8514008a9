"""A registered `poll: 0` job that no `async_status` ever waits for.

## What it does
Finds a background launch (`async: N`, `poll: 0`) that registers its result, when no
`async_status` task later in the playbook reads its job id: directly, through a `set_fact`
alias, through a loop over `.results`, or in an included task file.

## Why is this bad?
A job's failure surfaces only at `async_status`. Nothing reports a job that is never awaited:
the play succeeds even when the job failed, the job may outlive the playbook, and its status
file stays behind in the async directory. A launch without `register` is read as deliberate
fire-and-forget and is not reported.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: /usr/local/bin/build
      async: 600
      poll: 0
      register: build
```

## Use instead
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: /usr/local/bin/build
      async: 600
      poll: 0
      register: build
    - ansible.builtin.async_status:
        jid: "{{ build.ansible_job_id }}"
      register: build_job
      until: build_job is finished
      retries: 60
      delay: 10
```

## Fix safety
Appending a wait (and a `mode: cleanup`) at the end of the play section is unsafe: the play
then waits for the job and fails when the job fails, which changes its timing and outcome.
The wait goes after the last task of the section (or task file) that launches the job: an
`async_status` on `<register>.ansible_job_id` (for a looped launch, a loop over
`<register>.results` with a `loop_var` the file does not use yet), its own fresh `register`,
`until: <register> is finished` (or `.finished` when the file writes that form) and
`retries`/`delay` covering the `async` limit, then the same task with `mode: cleanup`. No fix
is offered for a launch that runs under a `when` (its own or inherited), as another user or on
another host, or in a handler, nor for one with `until` (ASY114's fix adds its wait).
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.fixes import Applicability, Edit, Fix
from asynclint.fixes.waits import (
    WAIT_MODULE,
    covering_retries,
    finished_test,
    fresh_name,
    job_id,
    wait_delay,
)
from asynclint.fixes.yaml_edit import Pairs, insert_task_after, style_of
from asynclint.graph.records import Job
from asynclint.model.nodes import TaskNode
from asynclint.rules.helpers import int_value, problem_at

CODE = "ASY105"
NAME = "job-never-awaited"
SEVERITY = "warning"
FIX = "unsafe"


# Keys that make the wait look in another async directory than the launch (ASY118).
_CONTEXT_KEYS = ("become", "become_user", "delegate_to", "vars", "environment")


def _contains(node: TaskNode, offset: int) -> bool:
    return node.start <= offset < node.end


def _section(ctx, job: Job) -> tuple[TaskNode, ...] | None:
    """The task list (play section or task file) whose top level holds the launch."""
    task, play = job.task, job.node.play
    path = task.path
    if len(path) >= 3 and isinstance(path[1], str) and play is not None \
            and play.source is task.source and path[1] != "handlers":
        nodes = play.sections.get(path[1], ())
        index = path[2]
    elif path and isinstance(path[0], int) and job.node.section != "handlers":
        documents = [doc for doc in ctx.project.documents
                     if doc.source is task.source and doc.kind == "tasks"]
        nodes = documents[0].tasks if len(documents) == 1 else ()
        index = path[0]
    else:
        return None
    if not isinstance(index, int) or not 0 <= index < len(nodes) \
            or not _contains(nodes[index], task.start):
        return None
    return nodes


def _status(jid: str, *tail: tuple[str, object], cleanup: bool = False) -> Pairs:
    args = (("jid", jid), ("mode", "cleanup")) if cleanup else (("jid", jid),)
    return ((WAIT_MODULE, args), *tail)  # type: ignore[return-value]


def _wait_fix(ctx, job: Job) -> Fix | None:
    """Append a wait on the job and a `mode: cleanup` after the last task of its section."""
    task, launch = job.task, job.register
    limit = int_value(task, "async")
    blocks = job.node.step.blocks
    if (launch is None or limit is None or limit <= 0 or job.guards or task.has("until")
            or any(holder.has(key) for holder in (task, *blocks) for key in _CONTEXT_KEYS)):
        return None
    nodes = _section(ctx, job)
    if not nodes:
        return None
    source, style = task.source, style_of(task.source)
    register = fresh_name(source.text, f"{launch}_status")
    delay = wait_delay(limit)
    waiting = (("register", register), ("until", finished_test(source.text, register)),
               ("retries", covering_retries(limit, delay)), ("delay", delay))
    if job.looped:
        variable = fresh_name(source.text, f"{launch}_job")
        jid = job_id(launch, variable)
        loop = (("loop", "{{ " + launch + ".results }}"), ("loop_control", (("loop_var", variable),)))
    else:
        jid, loop = job_id(launch), ()
    last = nodes[-1].map
    wait = insert_task_after(source, last, _status(jid, *loop, *waiting), style)
    cleanup = insert_task_after(source, last, _status(jid, *loop, cleanup=True), style)
    if wait is None or cleanup is None:
        return None
    return Fix(f"Wait for the job of `{launch}` with `async_status`, then clean it up",
               (Edit.insert(wait.start, wait.replacement + cleanup.replacement),),
               Applicability.UNSAFE)


def check(ctx) -> Iterator[Problem]:
    for job in ctx.graph.jobs():
        if not job.is_launch or job.register is None or job.node.play is None:
            continue
        if job.waits or job.cleanups or not job.traceable:
            continue
        yield problem_at(
            job.task, job.task.entry("register"),
            f"no `async_status` ever waits for the job registered as `{job.register}`: Ansible "
            "never reports its failure and leaves its status file behind; wait on "
            f"`{job.register}.ansible_job_id`",
            _wait_fix(ctx, job),
        )
