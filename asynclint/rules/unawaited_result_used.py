"""Job output read from the result a `poll: 0` launch registered.

## What it does
Finds a task reading `stdout`, `stderr`, `rc`, `stdout_lines`, `stderr_lines`, `cmd`,
`delta`, `start`, `end`, `json`, `status` or `content` from the variable registered by a
`poll: 0` launch (directly, through a `set_fact` alias or a loop over its `.results`), while
that variable still holds the launch result.

## Why is this bad?
A launch registers only `ansible_job_id`, `started`, `finished`, `results_file`, `changed`
and `failed`: the job's output is not there, before or after the wait. Reading it is an
undefined-variable error at run time, or silently empty behind `| default`. The output is in
the register of the `async_status` task that waited for the job.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: hostname
      async: 10
      poll: 0
      register: launch
    - ansible.builtin.debug:
        msg: "{{ launch.stdout }}"
```

## Use instead
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: hostname
      async: 10
      poll: 0
      register: launch
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 10
      delay: 1
    - ansible.builtin.debug:
        msg: "{{ job.stdout }}"
```

## Fix safety
No fix: the reading task may need to move after a wait, and the wait's register has another
name; both are the author's choice.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.rules.helpers import problem_at

CODE = "ASY115"
NAME = "unawaited-result-used"
SEVERITY = "error"
FIX = None

OUTPUT_KEYS = frozenset({
    "stdout", "stderr", "rc", "stdout_lines", "stderr_lines", "cmd", "delta", "start", "end",
    "json", "status", "content",
})
# Tests that only ask whether the key exists: reading them is harmless.
EXISTENCE_TESTS = frozenset({"defined", "undefined"})


def output_key(attrs: tuple[str | int, ...], looped: bool) -> str | None:
    """The job output key an access chain below a launch register reads, if any."""
    if looped:
        if len(attrs) < 2 or attrs[0] != "results":
            return None
        attrs = attrs[2:]
    if attrs and isinstance(attrs[0], str) and attrs[0] in OUTPUT_KEYS:
        return attrs[0]
    return None


def check(ctx) -> Iterator[Problem]:
    for read in ctx.graph.reads():
        job = ctx.graph.job(read.launch)
        if job is None or not job.is_launch or EXISTENCE_TESTS & set(read.tests):
            continue
        key = output_key(read.attrs, job.looped)
        if key is None:
            continue
        task = read.node.task
        yield problem_at(
            task, read.entry,
            f"`{read.variable}` holds the launch result of a `poll: 0` job, which has no "
            f"`{key}`: it is undefined (or empty behind `default`); read `{key}` from the "
            "register of the `async_status` wait",
        )
