"""Which job results a value holds, followed through aliases, lists and loops, never rendered.

An :class:`Origin` says "this value is the registered result of that job, reached by this
attribute chain". ``listed`` marks a job result put inside a list (``[t1, t2]``): iterating
the list gives the result back.
"""

from __future__ import annotations

import re
from typing import Callable

from asynclint.expressions import Reference, is_templated, template_references
from asynclint.graph.records import GraphNode
from asynclint.structs import replace, struct

Attrs = tuple[str | int, ...]
ELEMENT = "*"  # an element of `.results`, whichever it is
RESULTS = "results"
JOB_ID = "ansible_job_id"

# `{{ name }}`, `{{ name.a['b'][0] }}`, optionally `| list`: the value is that variable itself.
_WHOLE = re.compile(
    r"""^\s*\{\{-?\s*[A-Za-z_]\w*"""
    r"""(?:\s*\.\s*\w+|\s*\[\s*(?:'[^']*'|"[^"]*"|-?\d+)\s*\])*"""
    r"""\s*(?:\|\s*list\s*)?-?\}\}\s*$"""
)


@struct(frozen=True)
class Origin:
    launch: GraphNode
    looped: bool  # the launch itself loops: its register holds `.results`
    attrs: Attrs = ()
    listed: bool = False

    def extend(self, attrs: Attrs) -> "Origin":
        """The origin of ``value.attrs`` when ``value`` has this origin."""
        if self.listed and attrs and isinstance(attrs[0], int):
            return replace(self, attrs=self.attrs + attrs[1:], listed=False)
        return replace(self, attrs=self.attrs + attrs)

    @property
    def on_job_path(self) -> bool:
        """The launch result itself or a step towards a job id, not output read from it."""
        attrs = self.attrs[2:] if self.attrs[:1] == (RESULTS,) else self.attrs
        return attrs in ((), (JOB_ID,))

    @property
    def is_register(self) -> bool:
        """The whole register of the launch, as it was registered."""
        return not self.attrs and not self.listed

    @property
    def job_result(self) -> bool:
        """One job's own result: the register of an unlooped launch or one item of `.results`."""
        if self.listed:
            return False
        if self.looped:
            return len(self.attrs) == 2 and self.attrs[0] == RESULTS
        return not self.attrs


Resolver = Callable[[str], frozenset[Origin]]


def is_whole_reference(text: object) -> bool:
    """True when a template is one variable access and nothing else."""
    return isinstance(text, str) and _WHOLE.match(text) is not None


def reference_origins(reference: Reference, resolve: Resolver, whole: bool) -> set[Origin]:
    found = set()
    for origin in resolve(reference.name):
        extended = origin.extend(reference.attrs)
        if not whole and extended.is_register:
            extended = replace(extended, listed=True)
        found.add(extended)
    return found


def value_origins(value: object, resolve: Resolver) -> frozenset[Origin]:
    """The job results a value holds (a template, or a YAML list of templates).

    A value built from a job's output (``launch.stdout``) holds no job: only the result
    itself, its ``.results`` and the way to an ``ansible_job_id`` are followed.
    """
    if isinstance(value, str):
        if not is_templated(value):
            return frozenset()
        whole = is_whole_reference(value)
        found: set[Origin] = set()
        for reference in template_references(value):
            found |= reference_origins(reference, resolve, whole)
        return frozenset(origin for origin in found if origin.on_job_path)
    if isinstance(value, list):
        items: set[Origin] = set()
        for item in value:
            for origin in value_origins(item, resolve):
                items.add(replace(origin, listed=True) if origin.is_register else origin)
        return frozenset(items)
    return frozenset()


@struct(frozen=True)
class Element:
    """What a loop item holds; ``register_dict`` when the loop walks a looped launch's register."""

    origin: Origin
    register_dict: bool = False


def loop_elements(value: object, resolve: Resolver) -> tuple[Element, ...]:
    """What each item of a loop over ``value`` holds."""
    whole = is_whole_reference(value)
    return tuple(_element(origin, whole) for origin in value_origins(value, resolve))


def _element(origin: Origin, whole: bool) -> Element:
    if origin.listed:
        return Element(replace(origin, listed=False))
    if origin.looped and origin.attrs == (RESULTS,):
        return Element(replace(origin, attrs=(RESULTS, ELEMENT)))
    if origin.looped and not origin.attrs and whole:
        return Element(origin, register_dict=True)
    return Element(origin)

