"""What a file links to: the files it reaches, those that run with it, includes leading nowhere.

The loader follows :func:`reached`, the prefilter ties runs together with :func:`run_edges`
and keeps the files of a run whose includes lead nowhere known (:func:`unknown_includes`).
:class:`Links` is all of that for one file, without its model: what a forked child sends for a
file it parsed (:mod:`asynclint.parallel`), so that the loader follows the file without
parsing it, and parses it only if the prefilter keeps it.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.model.keywords import IMPORT_PLAYBOOK
from asynclint.model.nodes import Document, Task, document_task_nodes
from asynclint.structs import struct


def reached(document: Document) -> Iterator[tuple[str, str | None]]:
    """The files ``document`` reaches, each with the kind it is read as (``tasks``, or
    ``None`` for an imported playbook)."""
    for play in document.plays:
        for role in play.roles:
            if role.tasks_file:
                yield role.tasks_file, "tasks"
        if play.import_playbook is not None and play.import_playbook.resolved:
            yield play.import_playbook.resolved, None
    for node in document_task_nodes(document):
        if isinstance(node, Task) and node.include is not None and node.include.resolved:
            yield node.include.resolved, "tasks"


def run_edges(document: Document) -> Iterator[str]:
    """Files that run as part of the runs of ``document``: its roles and task includes."""
    for play in document.plays:
        for role in play.roles:
            if role.tasks_file:
                yield role.tasks_file
    for node in document_task_nodes(document):
        if (isinstance(node, Task) and node.include is not None and node.include.resolved
                and node.include.kind != IMPORT_PLAYBOOK):
            yield node.include.resolved


def unknown_includes(document: Document | None) -> bool:
    """True when an include of ``document`` leads to no known file (the tracker stops there)."""
    return document is not None and any(
        isinstance(node, Task) and node.include is not None and node.include.resolved is None
        for node in document_task_nodes(document)
    )


@struct(frozen=True)
class Links:
    """:func:`reached`, :func:`run_edges` and :func:`unknown_includes` of one file's model,
    and ``missed``: where its includes and roles were looked for in vain."""

    reached: tuple[tuple[str, str | None], ...]
    runs: tuple[str, ...]
    unknown: bool
    missed: tuple[str, ...]

    @classmethod
    def of(cls, document: Document, missed: list[str]) -> Links:
        return cls(tuple(reached(document)), tuple(run_edges(document)),
                   unknown_includes(document), tuple(missed))

    def to_plain(self) -> tuple:
        """Built-in types only (:mod:`marshal` sends them)."""
        return self.reached, self.runs, self.unknown, self.missed

    @classmethod
    def from_plain(cls, plain: tuple) -> Links:
        found, runs, unknown, missed = plain
        return cls(tuple((str(target), None if kind is None else str(kind))
                         for target, kind in found),
                   tuple(map(str, runs)), bool(unknown), tuple(map(str, missed)))
