"""Public entry points: references in Ansible values, with caching and a no-Jinja fast path.

Simple expressions are read without jinja2 (:mod:`asynclint.expressions.simple`); jinja2 is
imported on the first string outside that subset, so most runs never load it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache

from asynclint.expressions import simple
from asynclint.expressions.markers import is_entire_template, is_templated
from asynclint.expressions.reference import Reference

_CACHE_SIZE = 16384


def template_references(text: object) -> tuple[Reference, ...]:
    """Free references in a template string (`"{{ x.y }}"`, `"a {% if b %}c{% endif %}"`).

    Plain text, non-strings and invalid Jinja give ().
    """
    if not is_templated(text):
        return ()
    return _parsed_template(text)


def expression_references(expr: object) -> tuple[Reference, ...]:
    """Free references in a bare conditional (`when`, `until`, `changed_when`, `failed_when`).

    Like Ansible, a conditional wholly wrapped in delimiters (`"{{ job.finished }}"`) is read
    as a template; an expression held in a variable it renders is not followed. Non-strings
    and invalid Jinja give ().
    """
    if not isinstance(expr, str):
        return ()
    text = expr.strip()
    if is_entire_template(text):
        return _parsed_template(text)
    return _parsed_expression(text)


def value_references(value: object, *, bare: bool = False) -> tuple[Reference, ...]:
    """Free references in a nested value of dicts, lists and strings (module args, `vars`, ...).

    Strings are templates, dict keys included. With ``bare=True`` a top-level string, or a
    string directly in a top-level list (``when: [a, b]``), is a bare conditional instead.
    A container reached twice (YAML aliases, cycles) is read once.
    """
    return tuple(_walk(value, bare))


def _walk(value: object, bare: bool) -> Iterator[Reference]:
    """Depth-first, in source order, without recursion (nesting depth is unbounded)."""
    stack: list[tuple[object, bool]] = [(value, bare)]
    seen: set[int] = set()
    while stack:
        item, item_bare = stack.pop()
        if isinstance(item, str):
            yield from expression_references(item) if item_bare else template_references(item)
        elif isinstance(item, Mapping | list | tuple) and id(item) not in seen:
            seen.add(id(item))
            stack.extend(reversed(_children(item, item_bare)))


def _children(
    container: Mapping[object, object] | list[object] | tuple[object, ...], bare: bool
) -> list[tuple[object, bool]]:
    """A container's keys and values in order; a bare list makes only its own strings bare."""
    if isinstance(container, Mapping):
        return [(part, False) for pair in container.items() for part in pair]
    return [(item, bare and isinstance(item, str)) for item in container]


@lru_cache(maxsize=_CACHE_SIZE)
def _parsed_template(text: str) -> tuple[Reference, ...]:
    found = simple.template_references(text)
    if found is not None:
        return found
    from asynclint.expressions import jinja_ast

    return jinja_ast.template_references(text)


@lru_cache(maxsize=_CACHE_SIZE)
def _parsed_expression(text: str) -> tuple[Reference, ...]:
    found = simple.expression_references(text)
    if found is not None:
        return found
    from asynclint.expressions import jinja_ast

    return jinja_ast.expression_references(text)
