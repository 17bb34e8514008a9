"""Frozen YAML nodes with character spans.

A node knows where it stands in the text (``start``/``end`` offsets into
:attr:`Source.text`) and, for scalars, how it was written. Mappings keep every
entry in source order, duplicates included; lookups return the last one, as
Ansible does.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator, Union

from asynclint.structs import field, fields, struct

_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)$")
_HEX = re.compile(r"[-+]?0x[0-9a-fA-F_]+$")
_OCT = re.compile(r"[-+]?0o?[0-7_]+$")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")
_TRUE = frozenset(("true", "yes", "on", "y"))
_FALSE = frozenset(("false", "no", "off", "n"))
_NULL = frozenset(("", "~", "null"))


@struct(frozen=True, slots=True)
class YScalar:
    value: str
    start: int
    end: int
    style: str = ""  # "" plain, "'" or '"' quoted, "|" or ">" block
    tag: str | None = None  # a local tag such as "!vault" or "!unsafe"; None for the standard ones

    @property
    def plain(self) -> bool:
        return self.style == "" and self.tag is None

    def python(self) -> object:
        """The value as Ansible's YAML 1.1 loader reads it (int, float, bool, None or str)."""
        if not self.plain:
            return self.value
        text = self.value
        lowered = text.lower()
        if lowered in _NULL:
            return None
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        try:
            if _INT.match(text):
                return int(text.replace("_", ""))
            if _HEX.match(text):
                return int(text.replace("_", ""), 16)
            if _OCT.match(text) and text.lstrip("+-") not in ("0",):
                return int(text.replace("_", "").replace("0o", "0"), 8)
            if _FLOAT.match(text):
                return float(text.replace("_", ""))
        except ValueError:
            return text
        return text


@struct(frozen=True, slots=True)
class YEntry:
    key: "YNode"
    value: "YNode"

    @property
    def name(self) -> str | None:
        """The key as a string, when it is a scalar."""
        return self.key.value if isinstance(self.key, YScalar) else None


@struct(frozen=True, slots=True)
class YMap:
    entries: tuple[YEntry, ...]
    start: int
    end: int
    flow: bool = False
    tag: str | None = None
    # the last entry of each scalar key, built on the first lookup
    _index: dict[str, YEntry] | None = field(default=None, init=False, repr=False,
                                             compare=False, hash=False)

    def _indexed(self) -> dict[str, YEntry]:
        index = {item.key.value: item for item in self.entries
                 if type(item.key) is YScalar}  # later duplicates win
        object.__setattr__(self, "_index", index)
        return index

    # the three lookups read the index themselves: rules ask tasks for keys by the ten thousand
    def entry(self, key: str) -> YEntry | None:
        """The last entry named ``key`` (Ansible keeps the last of duplicate keys)."""
        index = self._index
        return (self._indexed() if index is None else index).get(key)

    def get(self, key: str) -> "YNode | None":
        index = self._index
        item = (self._indexed() if index is None else index).get(key)
        return None if item is None else item.value

    def __contains__(self, key: str) -> bool:
        index = self._index
        return key in (self._indexed() if index is None else index)

    def keys(self) -> Iterator[str]:
        """Distinct scalar keys, in the order of their last occurrence."""
        seen: dict[str, None] = {}
        for item in self.entries:
            if item.name is not None:
                seen.pop(item.name, None)
                seen[item.name] = None
        return iter(seen)

    def effective(self) -> tuple[YEntry, ...]:
        """Entries without the ones a later duplicate key overrides."""
        names = [item.key.value if isinstance(item.key, YScalar) else None
                 for item in self.entries]
        last = {name: index for index, name in enumerate(names)}
        return tuple(e for i, e in enumerate(self.entries) if last.get(names[i]) == i)


@struct(frozen=True, slots=True)
class YSeq:
    items: tuple["YNode", ...]
    start: int
    end: int
    flow: bool = False
    tag: str | None = None


YNode = Union[YScalar, YMap, YSeq]


def to_python(node: YNode | None, budget: int = 100_000) -> object:
    """Plain Python data for ``node`` (dicts keep the last duplicate key).

    ``budget`` bounds the number of nodes produced, so an alias bomb cannot
    expand without limit; past it, the remaining values become ``None``.
    """
    remaining = [budget]

    def convert(item: YNode | None) -> object:
        if item is None or remaining[0] <= 0:
            return None
        remaining[0] -= 1
        if isinstance(item, YScalar):
            return item.python()
        if isinstance(item, YSeq):
            return [convert(child) for child in item.items]
        result: dict[object, object] = {}
        for entry in item.entries:
            key = entry.key.python() if isinstance(entry.key, YScalar) else repr(entry.key)
            try:
                result[key] = convert(entry.value)
            except TypeError:
                continue
        return result

    return convert(node)


def walk(node: YNode) -> Iterator[YNode]:
    """Every node below and including ``node``, depth first, each object once."""
    seen: set[int] = set()
    stack: list[YNode] = [node]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, YMap):
            for entry in reversed(item.entries):
                stack.append(entry.value)
                stack.append(entry.key)
        elif isinstance(item, YSeq):
            stack.extend(reversed(item.items))


def _builder(cls: type) -> "Callable[..., Any]":
    """A constructor of ``cls`` taking every field positionally, for bulk building.

    A frozen struct's ``__init__`` sets each field through ``object.__setattr__``; writing
    the slots directly builds the same object in half the time (the composer builds one node
    per YAML node).
    """
    setters = [getattr(cls, f.name).__set__ for f in fields(cls) if f.init]
    unset = [getattr(cls, f.name).__set__ for f in fields(cls) if not f.init]  # all default to None
    new = object.__new__

    if len(setters) == 2:
        set_a, set_b = setters

        def build2(a: Any, b: Any) -> Any:
            node = new(cls)
            set_a(node, a)
            set_b(node, b)
            return node
        return build2
    set_a, set_b, set_c, set_d, set_e = setters

    def build5(a: Any, b: Any, c: Any, d: Any, e: Any) -> Any:
        node = new(cls)
        set_a(node, a)
        set_b(node, b)
        set_c(node, c)
        set_d(node, d)
        set_e(node, e)
        for set_none in unset:
            set_none(node, None)
        return node
    return build5


new_scalar = _builder(YScalar)  # (value, start, end, style, tag)
new_entry = _builder(YEntry)  # (key, value)
new_map = _builder(YMap)  # (entries, start, end, flow, tag)
new_seq = _builder(YSeq)  # (items, start, end, flow, tag)
