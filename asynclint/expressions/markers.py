"""Cheap checks for Jinja delimiters, done before any parse (no jinja2 import)."""

from __future__ import annotations

_START_MARKERS = ("{{", "{%", "{#")
_END_MARKERS = ("}}", "%}", "#}")
_OVERRIDE_HEADER = "#jinja2:"


def is_templated(value: object) -> bool:
    """True when ``value`` is a string Ansible would template.

    That is a string containing a Jinja start delimiter (``{{``, ``{%`` or ``{#``) or starting
    with the ``#jinja2:`` override header, as Ansible's own check does. Such a value is unknown
    until run time (``poll: "{{ 0 }}"`` is a valid fire-and-forget launch). Values tagged
    ``!unsafe`` are never templated by Ansible: callers must not pass them here.
    """
    return isinstance(value, str) and (
        value.startswith(_OVERRIDE_HEADER) or any(marker in value for marker in _START_MARKERS)
    )


def is_entire_template(text: str) -> bool:
    """True when a conditional is wrapped in Jinja delimiters: Ansible renders it as a template."""
    return text.startswith(_OVERRIDE_HEADER) or (
        text.startswith(_START_MARKERS) and text.endswith(_END_MARKERS)
    )
