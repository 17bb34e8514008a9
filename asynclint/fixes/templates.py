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


# Inside an expression: string literals (skipped), attributes (skipped), names, anything else.
_TOKENS = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\.\s*[A-Za-z_]\w*|[A-Za-z_]\w*|.""",
                     re.DOTALL)
_JINJA = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.DOTALL)


def _expression_uses(text: str, base: int, name: str) -> list[int] | None:
    """Offsets of variable ``name`` in a Jinja expression; ``None`` when the expression binds or
    passes a name of that spelling (``for name in``, ``f(name=...)``)."""
    found = []
    tokens = list(_TOKENS.finditer(text))
    for index, token in enumerate(tokens):
        if token.group() != name:
            continue
        rest = text[token.end():].lstrip()
        previous = text[:token.start()].rstrip()
        if (rest.startswith("=") and not rest.startswith("==")) or previous.endswith("for"):
            return None
        found.append(base + token.start())
    return found


def rename_variable(source: Source, node: YNode, old: str, new: str,
                    bare: bool) -> list[Edit] | None:
    """Rename variable ``old`` where a scalar uses it: inside its ``{{ }}``/``{% %}`` parts, or
    everywhere for a bare condition (``bare``). ``None`` when it cannot be done precisely."""
    if not isinstance(node, YScalar) or not re.search(rf"\b{re.escape(old)}\b", node.value):
        return []
    offset = _value_offset(source, node)
    if offset is None:
        return None
    spans = ([(0, node.value)] if bare else
             [(m.start(m.lastindex or 1), m.group(m.lastindex or 1))
              for m in _JINJA.finditer(node.value)])
    edits: list[Edit] = []
    for start, text in spans:
        uses = _expression_uses(text, start, old)
        if uses is None:
            return None
        edits += [Edit(offset + at, offset + at + len(old), new) for at in uses]
    return edits


def renamed_expression(text: str, old: str, new: str) -> str | None:
    """A bare expression with variable ``old`` renamed ``new`` (``None``: not precisely)."""
    uses = _expression_uses(text, 0, old)
    if uses is None:
        return None
    for at in reversed(uses):
        text = text[:at] + new + text[at + len(old):]
    return text
