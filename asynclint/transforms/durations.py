"""Per-task durations from a previous run, by task name.

Two formats are read: the `profile_tasks` callback's summary (``Task name ----- 1.23s``, a
role's tasks as ``role : Task name``) and the `json` callback's document (each task's
``duration`` with ``start``/``end`` timestamps). A name seen twice keeps its longest time.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Iterator

_PROFILE_LINE = re.compile(r"^(?P<name>.+?)\s-{3,}\s+(?P<seconds>\d+(?:\.\d+)?)s\s*$")


class DurationsError(Exception):
    """The file is neither format."""


def _profile(text: str) -> Iterator[tuple[str, float]]:
    for line in text.splitlines():
        match = _PROFILE_LINE.match(line.strip())
        if match:
            name = match.group("name").strip()
            yield name.split(" : ", 1)[-1], float(match.group("seconds"))


def _seconds(span: dict[str, str]) -> float:
    start = datetime.fromisoformat(span["start"])
    end = datetime.fromisoformat(span["end"])
    return (end - start).total_seconds()


def _json(data: object) -> Iterator[tuple[str, float]]:
    plays = data.get("plays", []) if isinstance(data, dict) else []
    for play in plays:
        for task in play.get("tasks", []):
            info = task.get("task", {})
            if info.get("name") and "duration" in info:
                yield info["name"], _seconds(info["duration"])


def read_durations(text: str) -> dict[str, float]:
    """Seconds by task name; raises :class:`DurationsError` when nothing can be read."""
    try:
        data = json.loads(text[text.find("{"):]) if "{" in text else None
        pairs = list(_json(data)) if data is not None else []
    except (ValueError, KeyError, TypeError, AttributeError):
        pairs = []
    pairs = pairs or list(_profile(text))
    if not pairs:
        raise DurationsError("no task durations found (expected the profile_tasks summary "
                             "or the json callback's output)")
    found: dict[str, float] = {}
    for name, seconds in pairs:
        found[name] = max(seconds, found.get(name, 0.0))
    return found
