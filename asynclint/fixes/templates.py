"""Edits inside a scalar's text: a variable renamed, an attribute added to a reference.

A scalar is edited in place only when its source text maps one to one onto its value: a plain
scalar, or a quoted one without escapes or line folding. Anything else returns ``None`` and
the fix is not offered.
"""

from __future__ import annotations

import re

from asynclint.fixes.edits import Edit
from asynclint.parsing import Source, YNode, YScalar

# `{{ name }}`, `{{ name.a['b'] }}`, optionally `| list`; group "chain" ends where an attribute goes.
_WHOLE = re.compile(
    r"""^\s*\{\{-?\s*(?P<chain>[A-Za-z_]\w*"""
    r"""(?:\s*\.\s*\w+|\s*\[\s*(?:'[^']*'|"[^"]*"|-?\d+)\s*\])*)"""
    r"""\s*(?:\|\s*list\s*)?-?\}\}\s*$"""
)


def _value_offset(source: Source, node: YNode) -> int | None:
    """Where ``node.value`` starts in the text, when the text writes the value verbatim."""
    if not isinstance(node, YScalar) or node.tag is not None:
        return None
    raw = source.text[node.start:node.end]
    if node.style == "" and raw == node.value:
        return node.start
    if node.style in ("'", '"') and raw[1:-1] == node.value and "\\" not in raw and (
        node.style == '"' or "''" not in raw
    ):
        return node.start + 1
    return None


def add_attribute(source: Source, node: YNode, attribute: str) -> Edit | None:
    """``{{ reg }}`` -> ``{{ reg.<attribute> }}`` in a scalar that is one variable access."""
    offset = _value_offset(source, node)
    match = _WHOLE.match(node.value) if offset is not None else None  # type: ignore[union-attr]
    if offset is None or match is None:
        return None
    return Edit.insert(offset + match.end("chain"), f".{attribute}")


def references_of(name: str) -> re.Pattern[str]:
    """A variable ``name`` used as a variable (not an attribute, not part of a longer word)."""
    return re.compile(rf"(?<![\w.'\"]){re.escape(name)}(?![\w'\"])")


def rename(source: Source, node: YNode, old: str, new: str,
           where: re.Pattern[str] | None = None) -> list[Edit] | None:
    """Rename every use of variable ``old`` in a scalar (``where``: a narrower pattern whose
    matches start at the name). ``None`` when the scalar cannot be edited in place."""
    offset = _value_offset(source, node)
    if offset is None:
        return None
    pattern = where or references_of(old)
    return [Edit(offset + m.start(), offset + m.start() + len(old), new)
            for m in pattern.finditer(node.value)]  # type: ignore[union-attr]
