"""What ties a file to the jobs of its run, for the prefilter (:mod:`asynclint.model.prefilter`).

The tracker (:mod:`asynclint.graph.tracking`) follows a job only through names: the register
of its launch, facts and ``vars`` set from it, loop variables over it. These helpers list the
names a file adds to that set and the includes through which the tracker would lose a job.
(Jobs meet other jobs only: rules compare a job with the jobs in flight, never with the
plain tasks around it, so the paths a job touches tie it to no other file.)
"""

from __future__ import annotations

from asynclint.graph.reading import mentions, set_facts, variables_of
from asynclint.graph.tracking import mentions_any
from asynclint.model import Document, Task
from asynclint.model.nodes import document_task_nodes


def set_names(document: Document | None, names: set[str],
              launches: bool) -> tuple[set[str], set[str]]:
    """Names ``document`` sets from ``names`` (``vars``, facts; with ``launches`` the register
    of every task run with ``async`` too) and the files its includes reach while mentioning
    one of ``names``."""
    named: set[str] = set()
    reached: set[str] = set()
    if document is None:
        return named, reached
    holders: list[object] = list(document.plays)
    for node in document_task_nodes(document):
        holders.append(node)
        if not isinstance(node, Task):
            continue
        if launches and node.register and node.has("async"):
            named.add(node.register)
        named.update(name for name, value in set_facts(node).items()
                     if names and mentions_any(value, frozenset(names)))
        if node.include is not None and node.include.resolved and names \
                and mentions(node.map, names):
            reached.add(node.include.resolved)
    if names:
        for holder in holders:
            named.update(name for name, value in variables_of(holder) if mentions(value, names))
    return named, reached
