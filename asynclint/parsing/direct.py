"""Composing with ruamel.yaml's C composer straight into frozen nodes.

The C composer (``_ruamel_yaml_clibz``) builds each node by calling the node classes it finds
in its module, and asks its parser object to ``resolve`` a tag and to ``descend_resolver`` and
``ascend_resolver`` around every node: five calls into Python per node (two for ruamel's node
class, three for the resolver), then the conversion of ruamel's nodes into ours
(:class:`~asynclint.parsing.compose._Converter`). For the length of
one :func:`compose_direct` call, this module puts its own node builders in the composer's
module and answers the three parser calls with built-in functions that run no Python code
(the composer ignores what they return, except the tag, which only our builders read).
A scalar becomes a :class:`YScalar` as it is composed; a sequence or mapping becomes its
frozen node when the composer sets its end mark, its children being done by then.

The result is the nodes :class:`~asynclint.parsing.compose._Converter` gives, for the files
it is used on (``tests/test_parsing_direct.py`` compares both on every YAML file of the
fixtures and examples, and on generated YAML):

- files that may hold an alias go the other way: an alias makes the composer hand out a node
  it already built, which the converter copies for scalars and which a half-built collection
  would be for a recursive alias;
- files that may nest deeper than :data:`~asynclint.parsing.compose.MAX_DEPTH` go the other
  way, which reports where;
- another thread may be composing with the same module: then the swap is not made.

:func:`usable` says whether the composer's module still looks as this module expects
(the names it swaps exist, and are ruamel's node classes); if not, nothing is swapped.
"""

from __future__ import annotations

import _thread
import sys
from functools import cache
from typing import Any

from asynclint.parsing.nodes import YScalar, new_entry, new_map, new_seq
from asynclint.parsing.syntax import may_alias, shallow

_STANDARD_TAG = "tag:yaml.org,2002:"
_NAMES = ("ScalarNode", "SequenceNode", "MappingNode")


def suited(text: str, limit: int) -> bool:
    """``text`` holds no alias and cannot nest ``limit`` levels deep."""
    return not may_alias(text) and shallow(text, limit)


def _explicit_tag(tag: str) -> str | None:
    """A written tag as :func:`asynclint.parsing.compose._tag` reads ruamel's: ``None`` for
    the standard ones, the local ones URI-decoded."""
    if tag.startswith(_STANDARD_TAG) and "%" not in tag:
        return None
    from ruamel.yaml.tag import Tag

    decoded = str(Tag(suffix=tag))
    if decoded.startswith(_STANDARD_TAG) or decoded in ("!", "?"):
        return None
    return decoded


def _local_tag(tag: Any) -> str | None:
    """A node's local tag: ``None`` when the resolver gave it (a ``slice``, see
    :func:`_setup`) or when it is a standard one."""
    return None if type(tag) is slice else _explicit_tag(tag)


def _builders(shift: int) -> dict[str, Any]:
    """The three node builders the composer calls, for marks ``shift`` characters early."""
    new = object.__new__
    scalar_slots = [getattr(YScalar, name).__set__
                    for name in ("value", "start", "end", "style", "tag")]
    set_value, set_start, set_end, set_style, set_tag = scalar_slots

    def scalar(tag: Any, value: str, start_mark: Any, end_mark: Any, style: str | None) -> YScalar:
        node = new(YScalar)
        set_value(node, value)
        set_start(node, start_mark.index + shift)
        set_end(node, end_mark.index + shift)
        set_style(node, style or "")
        set_tag(node, None if type(tag) is slice else _explicit_tag(tag))
        return node

    class Sequence:
        """A sequence being composed; ``final`` once the composer sets its end."""

        __slots__ = ("final", "flow", "start", "tag", "value")

        def __init__(self, tag: Any, value: list, start_mark: Any, end_mark: None,
                     flow_style: bool | None):
            self.tag = tag
            self.value = value
            self.start = start_mark.index + shift
            self.flow = bool(flow_style)

        def _end(self, mark: Any) -> None:
            self.final = new_seq(
                tuple([item if type(item) is YScalar else item.final for item in self.value]),
                self.start, mark.index + shift, self.flow, _local_tag(self.tag))

        end_mark = property(None, _end)

    class Mapping(Sequence):
        __slots__ = ()

        def _end(self, mark: Any) -> None:
            self.final = new_map(
                tuple([new_entry(key if type(key) is YScalar else key.final,
                                 value if type(value) is YScalar else value.final)
                       for key, value in self.value]),
                self.start, mark.index + shift, self.flow, _local_tag(self.tag))

        end_mark = property(None, _end)

    return {"ScalarNode": scalar, "SequenceNode": Sequence, "MappingNode": Mapping}


@cache
def _setup() -> tuple[Any, Any, tuple[dict[str, Any], dict[str, Any]]] | None:
    """The composer's module, a parser class for it, and the builders for no shift and for a
    shift of one (a leading BOM, which libyaml does not count); ``None`` when unusable."""
    try:
        from ruamel.yaml import nodes
        from ruamel.yaml.cyaml import CParser
    except ImportError:  # pragma: no cover - depends on the platform
        return None
    module = sys.modules.get(CParser.__module__)
    if module is None or any(getattr(module, name, None) is not getattr(nodes, name)
                             for name in _NAMES):
        return None  # pragma: no cover - a ruamel.yaml this module was not written for

    class Parser(CParser):  # type: ignore[misc, valid-type]
        """Built-ins that take the composer's arguments and run no Python code: ``slice``
        makes the tag of an untagged node, which the builders recognise by its type."""

        resolve = slice
        descend_resolver = slice
        ascend_resolver = tuple

    return module, Parser, (_builders(0), _builders(1))


def usable() -> bool:
    return _setup() is not None


def other_threads() -> int:
    """How many threads run besides this one: any of them could compose with the module
    while the builders are swapped in, so the direct way is then not taken."""
    return _thread._count()


def compose_direct(text: str, shift: int) -> list[Any] | None:
    """Every document of ``text`` as frozen nodes (``None`` for an empty one); ``None`` when
    this way cannot be used now (another thread runs, or the composer is not the expected
    one). Raises what the composer raises on bad YAML."""
    setup = _setup()
    if setup is None or other_threads():
        return None
    module, parser_class, builders = setup
    originals = {name: getattr(module, name) for name in _NAMES}
    for name, builder in builders[shift].items():
        setattr(module, name, builder)
    parser = parser_class(text)
    try:
        documents = []
        while parser.check_node():
            node = parser.get_node()
            documents.append(node if node is None or type(node) is YScalar else node.final)
        return documents
    finally:
        parser.dispose()
        for name, original in originals.items():
            setattr(module, name, original)
