"""Build the model of one file from its composed YAML nodes."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from asynclint.model import keywords as kw
from asynclint.model.nodes import (
    Block,
    Document,
    Include,
    Play,
    RoleRef,
    Task,
    TaskNode,
)
from asynclint.model.paths import join, parents
from asynclint.parsing import Source, YEntry, YMap, YNode, YScalar, YSeq
from asynclint.structs import field, struct

_FQCN = re.compile(r"^[A-Za-z_][\w]*\.[A-Za-z_][\w]*\.[A-Za-z_][\w.]*$")
_TEMPLATED = ("{{", "{%")
_TASK_SIGNALS = frozenset({"register", "when", "loop", "notify", "async", "poll", "until",
                           "become", "delegate_to", "tags", "changed_when", "failed_when",
                           "ignore_errors", "no_log", "vars", "args", "retries"})


@struct(frozen=True)
class FileContext:
    """Where a file stands: its real path and, inside a role, the role's folder (as
    :mod:`pathlib` spells them, :mod:`asynclint.model.paths`)."""

    path: str
    role_dir: str | None
    # receives every candidate path an include or a role was looked for at and not found:
    # a file created there later changes where it resolves
    missed: list[str] | None = field(default=None, compare=False, repr=False)
    # whether each candidate path is a file, shared by the files of one load: playbooks and
    # roles look for the same roles again and again
    known: dict[str, bool] | None = field(default=None, compare=False, repr=False)
    # where each role was found from each folder, and the candidates tried in vain on the
    # way, shared likewise
    roles: dict[tuple[str, str, str], tuple[str | None, tuple[str, ...]]] | None = field(
        default=None, compare=False, repr=False)

    @property
    def role(self) -> str | None:
        return os.path.basename(self.role_dir) if self.role_dir is not None else None

    @property
    def folder(self) -> str:
        return os.path.dirname(self.path) or "."


def role_dir_of(path: str) -> str | None:
    """The role folder of a file in ``<role>/tasks/`` or ``<role>/handlers/``."""
    above = parents(path)
    for index, parent in enumerate(above[:-1]):
        if os.path.basename(parent) in ("tasks", "handlers"):
            role = above[index + 1]
            if os.path.basename(os.path.dirname(role)) == "roles" \
                    or os.path.isdir(join(role, "meta")):
                return role
            return None
    return None


def _literal(node: YNode | None) -> str | None:
    if isinstance(node, YScalar) and node.value and not any(t in node.value for t in _TEMPLATED):
        return node.value
    return None


def action_of(task: YMap) -> tuple[str | None, YEntry | None, YNode | None]:
    """The action a task runs, the entry naming it, and its arguments.

    Follows Ansible's order: ``action:``/``local_action:`` first, then the
    first key that is not a task keyword.
    """
    for key in ("action", "local_action"):
        entry = task.entry(key)
        if entry is None:
            continue
        value = entry.value
        if isinstance(value, YScalar):
            words = value.value.split(None, 1)
            return (words[0] if words else None), entry, value
        if isinstance(value, YMap):
            module = value.get("module")
            name = module.value if isinstance(module, YScalar) else None
            return name, entry, value
        return None, entry, value
    for entry in task.effective():
        name = entry.name
        if name is not None and not kw.is_task_keyword(name):
            return name, entry, entry.value
    return None, None, None


class Builder:
    """Turns the composed nodes of one file into model nodes."""

    def __init__(self, source: Source, context: FileContext):
        self.source = source
        self.context = context
        self.document = 0

    # -- resolution -----------------------------------------------------------------------
    def _first_file(self, candidates: Iterable[str]) -> str | None:
        """The first candidate that is a file; the others tried are noted as missed."""
        missed, known = self.context.missed, self.context.known
        for candidate in candidates:
            if known is None:
                found = os.path.isfile(candidate)
            elif (found := known.get(candidate)) is None:
                found = known[candidate] = os.path.isfile(candidate)
            if found:
                return candidate
            if missed is not None:
                missed.append(candidate)
        return None

    def resolve_tasks_file(self, target: str) -> str | None:
        here = self.context.folder
        candidates = [join(here, target)]
        role_dir = self.context.role_dir
        if role_dir is not None:
            candidates += [join(role_dir, "tasks", target), join(role_dir, target)]
        return self._first_file(candidates)

    def resolve_role(self, name: str, tasks_from: str = "main") -> str | None:
        roles, missed = self.context.roles, self.context.missed
        if roles is None:
            return self._search_role(name, tasks_from)
        key = (self.context.folder, name, tasks_from)  # the folder decides the role_dir
        known = roles.get(key)
        if known is None:
            start = 0 if missed is None else len(missed)
            found = self._search_role(name, tasks_from)
            roles[key] = (found, () if missed is None else tuple(missed[start:]))
            return found
        found, tried = known
        if missed is not None:  # every file that looks notes where it looked
            missed.extend(tried)
        return found

    def _search_role(self, name: str, tasks_from: str) -> str | None:
        here = self.context.folder
        bases = [join(here, "roles"), here]
        if self.context.role_dir is not None:
            bases.append(os.path.dirname(self.context.role_dir) or ".")
        bases += (join(parent, "roles") for parent in parents(here))
        stem = tasks_from[:-4] if tasks_from.endswith((".yml", ".yaml")) else tasks_from
        return self._first_file(join(base, name, "tasks", f"{stem}{suffix}")
                                for base in bases for suffix in (".yml", ".yaml", ""))

    def include_info(self, kind: str, args: YNode | None, task: YMap) -> Include:
        dynamic = kind in kw.DYNAMIC_INCLUDES
        if kind in (kw.INCLUDE_ROLE, kw.IMPORT_ROLE):
            name = tasks_from = None
            if isinstance(args, YMap):
                name = _literal(args.get("name"))
                tasks_from = args.get("tasks_from")
            resolved = None
            if name is not None:
                if tasks_from is None:
                    resolved = self.resolve_role(name)
                elif _literal(tasks_from) is not None:
                    resolved = self.resolve_role(name, _literal(tasks_from) or "main")
            return Include(kind, name, resolved, dynamic)
        target = None
        if isinstance(args, YScalar):
            target = _literal(args)
        elif isinstance(args, YMap):
            target = _literal(args.get("file")) or _literal(args.get("_raw_params"))
        if target is None:
            extra = task.get("args")
            if isinstance(extra, YMap):
                target = _literal(extra.get("file"))
        resolved = self.resolve_tasks_file(target) if target else None
        if kind == kw.IMPORT_PLAYBOOK and target:
            resolved = self._first_file([join(self.context.folder, target)])
        return Include(kind, target, resolved, dynamic)

    # -- tasks ------------------------------------------------------------------------------
    def task_list(self, node: YNode | None, path: tuple, section: str) -> tuple[TaskNode, ...]:
        if not isinstance(node, YSeq):
            return ()
        result = []
        for index, item in enumerate(node.items):
            if isinstance(item, YMap):
                result.append(self.task_node(item, path + (index,), section))
        return tuple(result)

    def task_node(self, item: YMap, path: tuple, section: str) -> TaskNode:
        if any(key in item for key in kw.BLOCK_SECTIONS) and "block" in item:
            return Block(
                self.source, item, path, self.document, section=section,
                role=self.context.role,
                block=self.task_list(item.get("block"), path + ("block",), section),
                rescue=self.task_list(item.get("rescue"), path + ("rescue",), section),
                always=self.task_list(item.get("always"), path + ("always",), section),
            )
        action, action_entry, args = action_of(item)
        loop = item.entry("loop")
        if loop is None:
            loop = next((e for e in item.entries if (e.name or "").startswith("with_")), None)
        kind = kw.include_kind(action)
        include = self.include_info(kind, args, item) if kind else None
        return Task(
            self.source, item, path, self.document, section=section, role=self.context.role,
            action=action, action_entry=action_entry, args=args, loop=loop, include=include,
        )

    # -- plays ------------------------------------------------------------------------------
    def play(self, item: YMap, index: int) -> Play:
        path = (index,)
        importer = next(
            (e for e in item.effective() if kw.include_kind(e.name) == kw.IMPORT_PLAYBOOK), None
        )
        import_playbook = (
            self.include_info(kw.IMPORT_PLAYBOOK, importer.value, item) if importer else None
        )
        sections = {
            name: self.task_list(item.get(name), path + (name,), name)
            for name in kw.PLAY_SECTIONS
            if name in item
        }
        roles = []
        roles_node = item.get("roles")
        if isinstance(roles_node, YSeq):
            for role in roles_node.items:
                name = None
                if isinstance(role, YScalar):
                    name = _literal(role)
                elif isinstance(role, YMap):
                    name = _literal(role.get("role")) or _literal(role.get("name"))
                tasks_file = self.resolve_role(name) if name else None
                roles.append(RoleRef(name, role, tasks_file))
        return Play(
            self.source, item, path, self.document, sections=sections, roles=tuple(roles),
            import_playbook=import_playbook,
        )


_IMPORT_PLAYBOOK_NAMES = tuple(sorted(
    name for name in kw.INCLUDE_SPELLINGS if kw.include_kind(name) == kw.IMPORT_PLAYBOOK))


def is_play(item: YMap) -> bool:
    return (
        "hosts" in item
        or any(name in item for name in _IMPORT_PLAYBOOK_NAMES)  # three lookups, no key list
        or ("tasks" in item and "roles" in item)
    )


def looks_like_task(item: YMap) -> bool:
    if "block" in item:
        return True
    action, _, _ = action_of(item)
    if action is None:
        return False
    if kw.include_kind(action) or _FQCN.match(action) or action.startswith(("ansible.", "community.")):
        return True
    return any(key in _TASK_SIGNALS for key in item.keys())


def classify(documents: tuple[YNode | None, ...], context: FileContext, forced: str | None) -> str:
    """``playbook``, ``tasks`` or ``other`` for a file's documents."""
    items = [
        item
        for doc in documents
        if isinstance(doc, YSeq)
        for item in doc.items
    ]
    maps = [item for item in items if isinstance(item, YMap)]
    if any(isinstance(doc, YMap) for doc in documents) or not maps:
        return "other" if forced is None else forced
    if any(is_play(item) for item in maps):
        return "playbook"
    if forced is not None:
        return forced
    if context.role_dir is not None or os.path.basename(context.folder) in ("tasks", "handlers"):
        return "tasks"
    return "tasks" if any(looks_like_task(item) for item in maps) else "other"


def build_document(
    source: Source,
    documents: tuple[YNode | None, ...],
    context: FileContext,
    forced_kind: str | None = None,
) -> Document:
    """The model of one file. ``forced_kind`` is ``tasks`` for files reached by an include."""
    kind = classify(documents, context, forced_kind)
    builder = Builder(source, context)
    plays: list[Play] = []
    tasks: list[TaskNode] = []
    section = "handlers" if os.path.basename(context.folder) == "handlers" else "tasks"
    for number, doc in enumerate(documents):
        builder.document = number
        if not isinstance(doc, YSeq) or kind == "other":
            continue
        if kind == "playbook":
            for item in doc.items:
                if isinstance(item, YMap):
                    plays.append(builder.play(item, len(plays)))
        else:
            offset = len(tasks)
            for index, item in enumerate(doc.items):
                if isinstance(item, YMap):
                    tasks.append(builder.task_node(item, (offset + index,), section))
    return Document(source, kind, tuple(plays), tuple(tasks), context.role)
