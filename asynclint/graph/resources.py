"""What a task touches: the file paths it writes or reads, and the package manager lock.

Paths are compared as written (literal ones normalised): the same template names the same
path within a run, except one reading the task's loop variable (``dest: "{{ item }}"``
differs from item to item). Two touches conflict when at least one of them writes.
"""

from __future__ import annotations

import posixpath

from asynclint.expressions import is_templated, template_references
from asynclint.graph.reading import module_args
from asynclint.model import Task
from asynclint.model.keywords import short_name
from asynclint.structs import struct

# Arguments naming a path the module creates, changes or removes.
WRITTEN_PATH_ARGS = ("dest", "path", "creates", "removes")
# Modules whose `name` is an alias of `path`.
NAME_IS_PATH = frozenset({"file", "lineinfile", "blockinfile", "replace", "ini_file"})
READ_PATH_ARGS = ("src",)
# Modules that only look at the paths they are given.
READ_ONLY = frozenset({"stat", "wait_for", "find", "slurp", "fetch"})
# System package managers: one host has one, and each holds its own exclusive lock.
PACKAGE_MANAGERS = frozenset({
    "apt", "apt_key", "apt_repository", "deb822_repository", "dpkg_selections", "dnf", "dnf5",
    "yum", "yum_repository", "package", "zypper", "apk", "pacman", "pkgng", "portage",
})
PACKAGE_LOCK = "package manager lock"


@struct(frozen=True)
class Touch:
    """One resource a task touches: a path or a lock, and whether the task changes it."""

    resource: str
    writes: bool

    def conflicts(self, other: "Touch") -> bool:
        return self.resource == other.resource and (self.writes or other.writes)


def module_name(task: Task) -> str | None:
    """The module's own name: ``community.general.zypper`` is ``zypper``."""
    if task.action is None:
        return None
    return short_name(task.action).rsplit(".", 1)[-1]


def _path(value: object, loop_var: str | None) -> str | None:
    """A path as written; a template counts unless it reads the task's loop variable."""
    if not isinstance(value, str) or not value.strip():
        return None
    if is_templated(value):
        if loop_var is not None and loop_var in {r.name for r in template_references(value)}:
            return None
        return value.strip()
    return posixpath.normpath(value.strip())


def touches(task: Task) -> tuple[Touch, ...]:
    """The resources a task touches, in a stable order."""
    module = module_name(task)
    if module is None or task.include is not None:
        return ()
    if module in PACKAGE_MANAGERS:
        return (Touch(PACKAGE_LOCK, True),)
    args = module_args(task)
    loop_var = task.loop_var if task.loop is not None else None
    found: list[Touch] = []
    written = WRITTEN_PATH_ARGS + (("name",) if module in NAME_IS_PATH else ())
    for key in written:
        path = _path(args.get(key), loop_var)
        if path is not None:
            found.append(Touch(path, module not in READ_ONLY))
    for key in READ_PATH_ARGS:
        path = _path(args.get(key), loop_var)
        if path is not None:
            found.append(Touch(path, False))
    return tuple(dict.fromkeys(found))


def conflict(first: Task, second: Task) -> str | None:
    """The resource two tasks both touch, one of them writing; None when there is none."""
    for mine in touches(first):
        for theirs in touches(second):
            if mine.conflicts(theirs):
                return mine.resource
    return None
