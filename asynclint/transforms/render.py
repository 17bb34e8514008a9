"""The text that replaces a parallel group, in the file's own style.

Existing keywords are moved verbatim (re-indented, comments on their lines kept); only new
keys (`async`, `poll`, `register`, the waits) are rendered, through the fix engine's
:mod:`~asynclint.fixes.yaml_edit`. A block's keywords are carried onto each of its tasks:
`when` and `tags` add up, `vars` and `environment` merge (the task's own win), any other
keyword the task sets itself wins. A wait runs where its jobs ran: it carries their
connection and privilege keywords, `vars`, `tags`, `no_log` and `ignore_errors`.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.fixes.edits import Edit
from asynclint.fixes.waits import (WAIT_MODULE, covering_retries, finished_test, fresh_name,
                                   job_id, wait_module)
from asynclint.fixes.yaml_edit import (Pairs, Style, dash_column, entry_end, entry_lines,
                                       key_column, line_end, render_lines)
from asynclint.model import TaskNode
from asynclint.parsing import Source, YEntry, YMap
from asynclint.parsing.nodes import to_python
from asynclint.structs import struct
from asynclint.transforms.plan import Group, Refusal, Unit
from asynclint.transforms.schedule import Launch, Run, Step

DELAY = 0.5  # seconds between two checks of a job (a float delay is valid, FACTS 12)
NOT_CARRIED = frozenset({"name", "block", "rescue", "always", "async", "poll"})
LAUNCH_KEYS = frozenset({"async", "poll", "register"})
LIST_KEYS = ("when", "tags")
MAP_KEYS = ("vars", "environment")
CONTEXT_KEYS = frozenset({
    "become", "become_user", "become_method", "become_exe", "become_flags", "remote_user",
    "connection", "port", "delegate_to", "run_once", "vars", "tags", "no_log", "ignore_errors",
    "ignore_unreachable", "any_errors_fatal", "check_mode",
})


@struct(frozen=True)
class Names:
    """Generated variable names, checked against every word of the file."""

    text: str
    loop_var: str
    status: str

    @staticmethod
    def for_text(text: str) -> "Names":
        return Names(text, fresh_name(text, "_asynclint_wait"), fresh_name(text, "_asynclint_status"))

    def register(self, unit: Unit) -> str:
        line = unit.task.source.position(unit.task.start)[0]
        return fresh_name(self.text, f"_asynclint_job_{line}")


# -- keywords ------------------------------------------------------------------------------


def _verbatim(unit: Unit, entry: YEntry) -> list[str]:
    lines = entry_lines(unit.task.source, entry)
    if lines is None:
        raise Refusal(f"`{entry.name}` of `{unit.title}` cannot be moved (an alias or odd indentation)")
    return lines


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


def _merged_list(key: str, block: YEntry, own: YEntry, style: Style) -> list[str]:
    items = [*_as_list(to_python(block.value)), *_as_list(to_python(own.value))]
    return render_lines(((key, list(dict.fromkeys(items))),), style)  # type: ignore[arg-type]


def _merged_map(unit: Unit, block: YEntry, own: YEntry, style: Style) -> list[str]:
    if not (isinstance(block.value, YMap) and isinstance(own.value, YMap)
            and not block.value.flow and not own.value.flow):
        raise Refusal(f"`{own.name}` of `{unit.title}` and of its block cannot be merged")
    inherited = [e for e in block.value.effective() if e.name not in own.value]
    lines = [f"{own.name}:"]
    for entry in (*inherited, *own.value.effective()):
        lines += [" " * style.indent + line for line in _verbatim(unit, entry)]
    return lines


def _merged(unit: Unit, block: YEntry, own: YEntry, style: Style) -> list[str]:
    if own.name in LIST_KEYS:
        return _merged_list(own.name, block, own, style)
    if own.name in MAP_KEYS:
        return _merged_map(unit, block, own, style)
    return _verbatim(unit, own)


def keywords(unit: Unit, style: Style) -> Iterator[tuple[str, list[str]]]:
    """The unit's keywords as lines, its block's carried over; a launch's own `async`,
    `poll` and `register` are left out (the launch sets its own)."""
    carried = {e.name: e for e in unit.block.map.effective()
               if e.name not in NOT_CARRIED} if unit.block is not None else {}
    for entry in unit.task.map.effective():
        if unit.background and entry.name in LAUNCH_KEYS:
            continue
        inherited = carried.pop(entry.name or "", None)
        lines = _merged(unit, inherited, entry, style) if inherited else _verbatim(unit, entry)
        yield entry.name or "", lines
    for name, entry in carried.items():
        yield name or "", _verbatim(unit, entry)


def context(unit: Unit, style: Style) -> tuple[str, ...]:
    """The lines a wait for this unit's job must carry."""
    return tuple(line for key, lines in keywords(unit, style) if key in CONTEXT_KEYS
                 for line in lines)


# -- tasks ---------------------------------------------------------------------------------


def launch_lines(unit: Unit, names: Names, style: Style) -> list[str]:
    own = [line for _, lines in keywords(unit, style) for line in lines]
    generated: Pairs = (("async", unit.limit), ("poll", 0), ("register", names.register(unit)))
    return own + render_lines(generated, style)


def run_lines(unit: Unit, style: Style) -> list[str]:
    return [line for _, lines in keywords(unit, style) for line in lines]


def _jobs_expression(units: tuple[Unit, ...], names: Names) -> str:
    plain = [names.register(u) for u in units if not u.looped]
    parts = ([f"[{', '.join(plain)}]"] if plain else [])
    parts += [f"{names.register(u)}.results" for u in units if u.looped]
    return "{{ " + " + ".join(parts) + " }}"


def _partitions(units: tuple[Unit, ...], style: Style) -> list[tuple[Unit, ...]]:
    """Jobs one wait task can share: same context, and no result the user registered."""
    parts: dict[object, list[Unit]] = {}
    for unit in units:
        key: object = unit if unit.register else context(unit, style)
        parts.setdefault(key, []).append(unit)
    return [tuple(part) for part in parts.values()]


def wait_items(units: tuple[Unit, ...], names: Names, style: Style) -> list[list[str]]:
    """`async_status` until the jobs end, then `mode: cleanup`, for jobs sharing a context."""
    single = len(units) == 1 and not units[0].looped
    variable = names.register(units[0]) if single else names.loop_var
    register = units[0].register if single and units[0].register else names.status
    loop: Pairs = () if single else (
        ("loop", _jobs_expression(units, names)), ("loop_control", (("loop_var", variable),)))
    guard: Pairs = (("when", f"{variable}.ansible_job_id is defined"),)
    title = ", ".join(u.title for u in units)
    limit = max(u.limit for u in units)
    shared = list(context(units[0], style))
    wait = (render_lines((("name", f"Wait for {title}"), *wait_module(job_id(variable))), style)
            + shared + render_lines((*loop, ("register", register),
                                     ("until", finished_test(names.text, register)),
                                     ("retries", covering_retries(limit, DELAY)),
                                     ("delay", DELAY), *guard), style))
    cleanup_module: Pairs = ((WAIT_MODULE, (("jid", job_id(variable)), ("mode", "cleanup"))),)
    cleanup = (render_lines((("name", f"Clean up {title}"), *cleanup_module), style)
               + shared + render_lines((*loop, *guard), style))
    return [wait, cleanup]


def step_items(step: Step, names: Names, style: Style) -> list[list[str]]:
    """The task items one step becomes."""
    if isinstance(step, Launch):
        return [launch_lines(step.unit, names, style)]
    if isinstance(step, Run):
        return [run_lines(step.unit, style)]
    return [item for part in _partitions(step.units, style)
            for item in wait_items(part, names, style)]


def _item(lines: list[str], dash: int, keys: int) -> list[str]:
    head = " " * dash + "-" + " " * (keys - dash - 1) + lines[0]
    return [head] + [" " * keys + line if line.strip() else "" for line in lines[1:]]


def _blank_before(source: Source, node: TaskNode) -> bool:
    start = source.line_start(node.start)
    return start > 0 and not source.text[source.line_start(start - 1):start].strip()


def _spaced(group: Group) -> bool:
    """True when the members are separated by blank lines (the generated tasks will be too)."""
    return any(_blank_before(group.document.source, m) for m in group.members[1:])


def group_edit(group: Group, steps: tuple[Step, ...], names: Names, style: Style) -> Edit:
    """One edit replacing the group's members, from the first dash to the last line."""
    source = group.document.source
    first, last = group.members[0], group.members[-1]
    dash, keys = dash_column(source, first.map), key_column(source, first.map)
    if dash is None or keys is None or any(m.map.flow for m in group.members):
        raise Refusal("the group is not written as block-style list items")
    start = source.line_start(first.map.start)
    end = line_end(source.text, max(entry_end(source, e) for e in last.map.entries))
    items = [_item(lines, dash, keys) for step in steps for lines in step_items(step, names, style)]
    gap = [""] if _spaced(group) else []
    body = [line for index, item in enumerate(items) for line in (gap if index else []) + item]
    text = "".join(line.rstrip(" ") + source.newline for line in body)
    if end == len(source.text) and not source.text.endswith("\n"):
        text = text[: -len(source.newline)]
    return Edit(start, end, text)
