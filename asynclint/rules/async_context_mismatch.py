"""A wait that runs as another user, on another host or with another async directory.

## What it does
Compares an `async_status` task with the `poll: 0` launch it waits for: the user it becomes
(`become`/`become_user`), the host it is delegated to (`delegate_to`) and the async directory
(`ansible_async_dir` in `vars`, or `ANSIBLE_ASYNC_DIR` in `environment`), each read from the
task, its blocks and includes, and the play.

## Why is this bad?
A job's status file lives in the async directory of the user and host that launched it.
`async_status` run as another user, on another host or with another directory looks in the
wrong place and fails with "could not find job" while the job runs on.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: sleep 5
      async: 10
      poll: 0
      register: launch
      delegate_to: builder
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
    - ansible.builtin.command: sleep 5
      async: 10
      poll: 0
      register: launch
      delegate_to: builder
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 10
      delay: 1
      delegate_to: builder
```

## Fix safety
No fix: which of the two contexts is the intended one is the author's choice.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.expressions import is_templated, value_references
from asynclint.findings import Problem
from asynclint.model import Block, Play, Task
from asynclint.model.flow import Step
from asynclint.parsing import YEntry, YMap
from asynclint.parsing.nodes import to_python
from asynclint.rules.helpers import problem_at
from asynclint.structs import struct

CODE = "ASY118"
NAME = "async-context-mismatch"
SEVERITY = "warning"
FIX = None

ASYNC_DIR_VAR = "ansible_async_dir"
ASYNC_DIR_ENV = "ANSIBLE_ASYNC_DIR"


@struct(frozen=True)
class Setting:
    """One part of a task's async context: its value and the key on the task that sets it."""

    name: str
    value: object
    entry: YEntry | None  # None when inherited (from a block, include or the play) or unset


def _holders(step: Step, play: Play | None) -> tuple[Task | Block | Play, ...]:
    """The task, its blocks, its includes, then the play: innermost first."""
    return (step.task, *reversed(step.blocks), *reversed(step.includes),
            *((play,) if play is not None else ()))


def _keyword(step: Step, play: Play | None, key: str) -> tuple[object, YEntry | None]:
    for holder in _holders(step, play):
        if holder.has(key):
            return holder.value(key), (holder.entry(key) if holder is step.task else None)
    return None, None


def _user(step: Step, play: Play | None) -> Setting:
    become, become_entry = _keyword(step, play, "become")
    user, user_entry = _keyword(step, play, "become_user")
    if not become:
        return Setting("become", None, become_entry)
    return Setting("become_user", user or "root", user_entry or become_entry)


def _async_dir(step: Step, play: Play | None) -> Setting:
    for holder in _holders(step, play):
        for section, name in (("vars", ASYNC_DIR_VAR), ("environment", ASYNC_DIR_ENV)):
            node = holder.node(section)
            entry = node.entry(name) if isinstance(node, YMap) else None
            if entry is not None:
                own = entry if holder is step.task else None
                return Setting(ASYNC_DIR_VAR, to_python(entry.value), own)
    return Setting(ASYNC_DIR_VAR, None, None)


def context(step: Step, play: Play | None) -> tuple[Setting, ...]:
    delegate, entry = _keyword(step, play, "delegate_to")
    return (_user(step, play), Setting("delegate_to", delegate, entry), _async_dir(step, play))


def _variables(value: object) -> frozenset[str]:
    return frozenset(reference.dotted for reference in value_references(value))


def _differs(launch: object, wait: object) -> bool:
    """Values differ when one is unset, both are literal, or they template the same variables
    into different text (``{{ d }}/jobs`` and ``{{ d }}/status``)."""
    if launch == wait:
        return False
    if launch is None or wait is None:
        return True
    if is_templated(launch) or is_templated(wait):
        return _variables(launch) == _variables(wait)
    return True


def _shown(setting: Setting) -> str:
    return "none" if setting.value is None else f"`{setting.value}`"


def check(ctx) -> Iterator[Problem]:
    for job in ctx.graph.jobs():
        if not job.is_launch:
            continue
        launch = context(job.node.step, job.node.play)
        for wait in (*job.waits, *job.cleanups):
            task = wait.node.task
            mine = context(wait.node.step, wait.node.play)
            for there, here in zip(launch, mine):
                if not _differs(there.value, here.value):
                    continue
                yield problem_at(
                    task, here.entry or task.action_entry,
                    f"the job `{job.register}` was launched with `{there.name}` {_shown(there)} "
                    f"but this `async_status` runs with {_shown(here)}: it looks in another "
                    "async directory and fails with \"could not find job\"",
                )
                break
