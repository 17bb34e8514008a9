"""Edits on the original YAML text, built from the model's spans.

Nothing here re-dumps YAML: every builder returns :class:`Edit` values that
splice into ``Source.text``. Existing text is moved verbatim; only newly
generated fragments are rendered, in the file's own detected :class:`Style`
(indentation of mappings and sequences, quote style, line endings). A builder
returns ``None`` when it cannot edit the spot with certainty (an alias, an
entry sharing its line with other content...): the fix is then not offered.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Sequence, Union

from asynclint.fixes.edits import Applicability, Edit, Fix
from asynclint.parsing import Source, YEntry, YMap, YNode, YScalar
from asynclint.parsing.nodes import walk
from asynclint.parsing.source import BOM
from asynclint.structs import replace, struct

Scalar = Union[str, int, float, bool]
Value = Union[Scalar, "Pairs", "Items"]
Pairs = tuple[tuple[str, Value], ...]  # a mapping to render, in order
Items = list[Value]  # a sequence to render

_BARE_KEY = re.compile(r"^(?:[\w.\-]+|\"[^\"]*\"|'[^']*'):[ \t]*(?:#.*)?$")
_SAFE_PLAIN = re.compile(r"^[A-Za-z_][\w.\-/ ]*$")
_RESERVED = frozenset({"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"})
_WHITESPACE = " \t\r\n"


@struct(frozen=True)
class Style:
    """How a file writes YAML, as far as new fragments need to know."""

    newline: str = "\n"
    indent: int = 2  # columns a nested mapping sits right of its key
    sequence_offset: int = 2  # columns a "- " item sits right of its key (0 or more)
    quote: str = '"'


def _significant(lines: Sequence[str], index: int) -> str | None:
    for line in lines[index:]:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return line
    return None


@lru_cache(maxsize=64)
def detect_style(text: str) -> Style:
    """The most common indentation steps and quote of ``text`` (defaults when it has none)."""
    lines = text.lstrip(BOM).replace("\r\n", "\n").split("\n")
    mapping_steps: Counter[int] = Counter()
    sequence_steps: Counter[int] = Counter()
    for index, line in enumerate(lines):
        body = line.lstrip(" ")
        while body.startswith("- "):
            body = body[2:].lstrip(" ")
        below = _significant(lines, index + 1) if _BARE_KEY.match(body) else None
        if below is None:
            continue
        inner = below.lstrip(" ")
        step = len(below) - len(inner) - (len(line) - len(body))
        if inner.startswith("- ") or inner == "-":
            if step >= 0:
                sequence_steps[step] += 1
        elif step > 0:
            mapping_steps[step] += 1
    quotes = Counter(re.findall(r"(?:: |- )([\"'])", text))
    return Style(
        indent=mapping_steps.most_common(1)[0][0] if mapping_steps else 2,
        sequence_offset=sequence_steps.most_common(1)[0][0] if sequence_steps else 2,
        quote="'" if quotes["'"] > quotes['"'] else '"',
    )


def style_of(source: Source) -> Style:
    return replace(detect_style(source.text), newline=source.newline)


# -- spans ----------------------------------------------------------------------------------


def _content_end(node: YNode) -> int:
    """Where the last scalar or flow collection below ``node`` ends (its start when it is an
    empty block collection): a block collection's own end lies past the blank lines and
    comments after it. Iterative: nesting is as deep as the composer allows."""
    end = -1
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, YScalar) or current.flow:
            end = max(end, current.end)
        elif isinstance(current, YMap):
            if not current.entries:
                end = max(end, current.start)
            for entry in current.entries:
                pending += (entry.key, entry.value)
        elif not current.items:
            end = max(end, current.start)
        else:
            pending += current.items
    return end


def entry_end(source: Source, entry: YEntry) -> int:
    """Offset just after the last character the entry's key or value writes."""
    end = max(entry.key.end, _content_end(entry.value))
    while end > entry.key.end and source.text[end - 1] in _WHITESPACE:
        end -= 1
    return end


def _in_place(entry: YEntry) -> bool:
    """False when part of the value is an alias written elsewhere in the file."""
    return all(node.start >= entry.key.start for node in walk(entry.value))


def line_end(text: str, offset: int) -> int:
    """The offset just after the line ending of the line holding ``offset``."""
    found = text.find("\n", offset)
    return len(text) if found == -1 else found + 1


def column(source: Source, offset: int) -> int:
    """0-based column of ``offset`` (a leading BOM takes no column)."""
    return source.position(offset)[1] - 1


def _prefix(source: Source, offset: int) -> str:
    return source.text[source.line_start(offset):offset].lstrip(BOM)


def entry_text(source: Source, entry: YEntry) -> str | None:
    """The entry as written (``key: value``) when it fits on one line and is not an alias."""
    if not _in_place(entry):
        return None
    text = source.text[entry.key.start:entry_end(source, entry)]
    return None if "\n" in text else text


def moved_entry_text(source: Source, mapping: YMap, entry: YEntry) -> str | None:
    """:func:`entry_text` with the comment that ends its line, for an entry to be moved.

    The removal of a block entry deletes its line with the comment: the comment moves
    with the entry. In a flow mapping, or with anything else after the entry on its
    line, the comment is not the entry's alone and stays out.
    """
    text = entry_text(source, entry)
    if text is None or mapping.flow:
        return text
    end = entry_end(source, entry)
    rest = source.text[end:line_end(source.text, end)].rstrip("\r\n")
    comment = rest.lstrip(" \t")
    if comment.startswith("#") and comment != rest:
        return text + rest.rstrip(" \t")
    return text


def entry_lines(source: Source, entry: YEntry) -> list[str] | None:
    """The entry as written, its trailing comment included, as lines relative to its key's
    column (to be moved elsewhere); ``None`` for an alias or a line less indented than the key."""
    if not _in_place(entry):
        return None
    end = line_end(source.text, entry_end(source, entry))
    text = source.text[entry.key.start:end].rstrip("\r\n")
    indent = column(source, entry.key.start)
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if any(line.strip() and len(line) - len(line.lstrip(" ")) < indent for line in lines[1:]):
        return None
    return [lines[0]] + [line[indent:] for line in lines[1:]]


# -- rendering ------------------------------------------------------------------------------


def render_scalar(value: Scalar, style: Style) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if _SAFE_PLAIN.match(value) and value.lower() not in _RESERVED and not value.endswith(" "):
        return value
    if style.quote == "'":
        return "'" + value.replace("'", "''") + "'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_lines(pairs: Pairs, style: Style) -> list[str]:
    """A block mapping as lines without the base indentation (nested values indented)."""
    lines: list[str] = []
    for key, value in pairs:
        if isinstance(value, tuple):
            lines.append(f"{key}:")
            lines += [" " * style.indent + line for line in render_lines(value, style)]
        elif isinstance(value, list):
            lines.append(f"{key}:")
            lines += [" " * style.sequence_offset + line for line in _render_items(value, style)]
        else:
            lines.append(f"{key}: {render_scalar(value, style)}")
    return lines


def _render_items(items: Items, style: Style) -> list[str]:
    lines: list[str] = []
    for item in items:
        inner = render_lines(item, style) if isinstance(item, tuple) else (
            _render_items(item, style) if isinstance(item, list) else [render_scalar(item, style)]
        )
        lines.append("- " + inner[0])
        lines += ["  " + line for line in inner[1:]]
    return lines


def _join(source: Source, at: int, lines: Sequence[str], indent: int) -> str:
    """Lines to insert at the start of a line (``at``), keeping a missing final newline missing."""
    newline = source.newline
    body = [" " * indent + line for line in lines]
    if at == len(source.text) and not source.text.endswith("\n"):
        return newline + newline.join(body)
    return "".join(line + newline for line in body)


# -- builders -------------------------------------------------------------------------------


def _runs(mapping: YMap, chosen: Sequence[YEntry]) -> list[tuple[int, int]]:
    wanted = {id(entry) for entry in chosen}
    runs: list[tuple[int, int]] = []
    for index, entry in enumerate(mapping.entries):
        if id(entry) not in wanted:
            continue
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def _remove_block_run(source: Source, mapping: YMap, first: int, last: int) -> Edit | None:
    entries = mapping.entries
    head = entries[first]
    following = entries[last + 1] if last + 1 < len(entries) else None
    prefix = _prefix(source, head.key.start)
    if not prefix.strip():
        start = source.line_start(head.key.start)
        end = line_end(source.text, entry_end(source, entries[last]))
        if following is not None and following.key.start < end:
            return None
        return Edit.delete(start, end)
    if prefix.rstrip().endswith("-") and following is not None:
        return Edit.delete(head.key.start, following.key.start)
    return None


def _remove_flow_run(source: Source, mapping: YMap, first: int, last: int) -> Edit:
    entries = mapping.entries
    if last + 1 < len(entries):
        return Edit.delete(entries[first].key.start, entries[last + 1].key.start)
    return Edit.delete(entry_end(source, entries[first - 1]), entry_end(source, entries[last]))


def remove_entries(source: Source, mapping: YMap, chosen: Sequence[YEntry]) -> tuple[Edit, ...] | None:
    """Delete entries of a mapping: whole lines (with their comments) in block style.

    ``None`` when the mapping would be left empty or an entry cannot be cut cleanly.
    """
    if not chosen or len(chosen) >= len(mapping.entries) or not all(map(_in_place, chosen)):
        return None
    edits = []
    for first, last in _runs(mapping, chosen):
        if mapping.flow:
            edits.append(_remove_flow_run(source, mapping, first, last))
            continue
        edit = _remove_block_run(source, mapping, first, last)
        if edit is None:
            return None
        edits.append(edit)
    return tuple(edits)


def key_column(source: Source, mapping: YMap) -> int | None:
    """The column of a block mapping's keys."""
    if mapping.flow or not mapping.entries:
        return None
    return column(source, mapping.entries[0].key.start)


def insert_entries(
    source: Source, mapping: YMap, lines: Sequence[str], after: YEntry | None = None
) -> Edit | None:
    """Insert key lines into a block mapping, after ``after`` (default: its last entry)."""
    indent = key_column(source, mapping)
    anchor = after if after is not None else (mapping.entries[-1] if mapping.entries else None)
    if indent is None or anchor is None or not _in_place(anchor):
        return None
    at = line_end(source.text, entry_end(source, anchor))
    return Edit.insert(at, _join(source, at, lines, indent))


def replace_value(source: Source, entry: YEntry, rendered: str) -> Edit | None:
    """Replace an entry's value (everything after ``key:``) with a one-line rendering."""
    if not _in_place(entry):
        return None
    return Edit(entry.value.start, entry_end(source, entry), rendered)


def replace_entry(source: Source, entry: YEntry, lines: Sequence[str]) -> Edit | None:
    """Replace a whole block entry (key and value) with rendered lines at its column."""
    if not _in_place(entry):
        return None
    indent = column(source, entry.key.start)
    body = lines[0] + "".join(source.newline + " " * indent + line for line in lines[1:])
    return Edit(entry.key.start, entry_end(source, entry), body)


def dash_column(source: Source, item: YMap) -> int | None:
    """The column of the ``-`` that opens a sequence item mapping."""
    prefix = _prefix(source, item.start)
    stripped = prefix.rstrip(" ")
    if item.flow or not stripped.endswith("-") or stripped[:-1].strip():
        return None
    return column(source, item.start) - (len(prefix) - len(stripped)) - 1


def insert_task_after(source: Source, task: YMap, pairs: Pairs, style: Style) -> Edit | None:
    """Insert a new task (a sequence item) right after the task mapping ``task``."""
    dash = dash_column(source, task)
    keys = key_column(source, task)
    if dash is None or keys is None or not task.entries or not _in_place(task.entries[-1]):
        return None
    lines = render_lines(pairs, style)
    item = ["-" + " " * (keys - dash - 1) + lines[0]] + [
        " " * (keys - dash) + line for line in lines[1:]
    ]
    at = line_end(source.text, entry_end(source, task.entries[-1]))
    return Edit.insert(at, _join(source, at, item, dash))



def removal_fix(
    source: Source, mapping: YMap, entries: Sequence[YEntry], title: str,
    applicability: Applicability,
) -> Fix | None:
    """A fix deleting ``entries`` from ``mapping`` (``None`` when they cannot be cut cleanly)."""
    edits = remove_entries(source, mapping, entries)
    return None if edits is None else Fix(title, edits, applicability)
