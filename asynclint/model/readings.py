"""How a task's async keywords read: literal numbers, templated values, launches, waits.

Shared by the graph and the rules; values that are templated are unknown, never wrong.
"""

from __future__ import annotations

from asynclint.model.keywords import short_name
from asynclint.model.nodes import Task
from asynclint.parsing import YMap, YScalar

TEMPLATE_MARKERS = ("{{", "{%")


def int_value(task: Task | YMap, key: str) -> int | float | None:
    """A numeric keyword; ``None`` when absent, templated or not a number."""
    node = task.get(key) if isinstance(task, YMap) else task.node(key)
    if not isinstance(node, YScalar):
        return None
    value = node.python()
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and not any(m in value for m in TEMPLATE_MARKERS):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            return None
    return None


def is_templated(task: Task, key: str) -> bool:
    node = task.node(key)
    return isinstance(node, YScalar) and any(m in node.value for m in TEMPLATE_MARKERS)


def is_launch(task: Task) -> bool:
    """A ``poll: 0`` background launch: ``async`` > 0 and ``poll`` == 0, both literal."""
    limit = int_value(task, "async")
    return limit is not None and limit > 0 and int_value(task, "poll") == 0


def is_async_status(task: Task) -> bool:
    return task.action is not None and short_name(task.action) == "async_status"
