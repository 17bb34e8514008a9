"""YAML merge keys (``<<: *anchor``), expanded as Ansible's loader expands them.

Ansible reads YAML with PyYAML's constructor, which flattens every mapping before building it
(``SafeConstructor.flatten_mapping``): the entries of each ``<<`` value (a mapping, or a list
of mappings, the first of which wins) come before the mapping's own entries, and the ``<<``
entry itself is dropped; of duplicate keys the last one wins, so a key written in the mapping
wins over a merged one, and a later ``<<`` over an earlier one. A ``<<`` whose value is
neither is left as it is (Ansible stops on it). The ``<<`` entry stays where it is written
(no rule reads a key of that name): a fix that rewrites the text around it must see it.

A merged entry keeps the spans of the text it was merged from: the anchor's, which other
mappings may share: it is a :class:`MergedEntry`, and :func:`asynclint.linter.lint` offers no
fix that would edit its text.
"""

from __future__ import annotations

from asynclint.parsing.nodes import YEntry, YMap, YNode, YScalar, YSeq, new_map, new_seq


class MergedEntry(YEntry):
    """An entry a merge key brought into a mapping: its text is the anchor's (or the inline
    mapping's after ``<<``), not the mapping's own."""

    __slots__ = ()


def merged_spans(node: YNode | None, text: str) -> list[tuple[int, int]]:
    """Where, in ``text``, lies the text of each entry merged into a mapping below ``node``,
    and that of each ``<<`` entry (to the end of its line when its value is an alias, whose
    node is the anchor's)."""
    spans: list[tuple[int, int]] = []
    seen: set[int] = set()
    pending = [] if node is None else [node]
    while pending:
        current = pending.pop()
        if id(current) in seen or type(current) is YScalar:
            continue
        seen.add(id(current))
        if type(current) is YSeq:
            pending += current.items
            continue
        for entry in current.entries:  # type: ignore[union-attr]
            key, value = entry.key, entry.value
            if type(entry) is MergedEntry:
                spans.append((min(key.start, value.start), max(key.end, value.end)))
            elif is_merge_key(key):
                if value.start > key.start:  # written here
                    spans.append((key.start, value.end))
                else:
                    line_end = text.find("\n", key.end)
                    spans.append((key.start, len(text) if line_end < 0 else line_end))
            pending += (key, value)
    return spans


def is_merge_key(node: YNode) -> bool:
    return type(node) is YScalar and node.value == "<<" and node.plain


def expand_merges(node: YNode | None) -> YNode | None:
    """``node`` with the merge keys of every mapping below it expanded; the same node when it
    holds none. Nodes an alias shares are expanded once."""
    if node is None:
        return None
    return _Expander().expand(node)


class _Expander:
    def __init__(self) -> None:
        self.done: dict[int, YNode] = {}  # by the id of a node (an alias shares it)

    def expand(self, node: YNode) -> YNode:
        found = self.done.get(id(node))
        if found is not None:
            return found
        if type(node) is YScalar:
            return node
        if type(node) is YSeq:
            items = tuple(self.expand(item) for item in node.items)
            result: YNode = node if all(a is b for a, b in zip(items, node.items)) else \
                new_seq(items, node.start, node.end, node.flow, node.tag)
        else:
            result = self._mapping(node)  # type: ignore[arg-type]
        self.done[id(node)] = result
        return result

    def _mapping(self, node: YMap) -> YMap:
        merged: list[YEntry] = []
        own: list[YEntry] = []
        changed = False
        for entry in node.entries:
            value = self.expand(entry.value)
            sources = _sources(value) if is_merge_key(entry.key) else None
            if sources is not None:
                for source in reversed(sources):  # the first listed wins: it comes last
                    merged += (item if type(item) is MergedEntry
                               else MergedEntry(item.key, item.value) for item in source.entries)
                changed = True
            elif value is not entry.value:
                entry = YEntry(entry.key, value)
                changed = True
            own.append(entry)
        if not changed:
            return node
        return new_map(tuple(merged + own), node.start, node.end, node.flow, node.tag)


def _sources(value: YNode) -> list[YMap] | None:
    """The mappings a ``<<`` value merges, already expanded; ``None`` for another value."""
    if type(value) is YMap:
        return [value]
    if type(value) is YSeq and value.items and all(type(item) is YMap for item in value.items):
        return list(value.items)  # type: ignore[arg-type]
    return None
