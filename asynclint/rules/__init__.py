"""The rules: one module per rule, registered in :mod:`asynclint.rules.catalog`.

A rule module holds its documentation (the module docstring), its metadata
(``CODE``, ``NAME``, ``SEVERITY``, optional ``ENABLED`` and ``FIX``) and a
pure ``check(ctx)`` that yields :class:`~asynclint.findings.Problem`.

The rule modules are imported on first use of ``MODULES``, ``RULES``, ``BY_CODE``,
``BY_NAME`` or :func:`find_rule`; choosing rules needs only the catalogue.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Any

from asynclint.rules.catalog import CATALOG, find_info
from asynclint.rules.registry import DOC_SECTIONS, Rule

LOADED = ("MODULES", "RULES", "BY_CODE", "BY_NAME")


@cache
def _load() -> dict[str, Any]:
    """The names of :data:`LOADED`: every rule module, imported in catalogue order, its rule."""
    modules = tuple(import_module(info.module) for info in CATALOG)
    rules = tuple(Rule.from_module(module) for module in modules)
    return {"MODULES": modules, "RULES": rules,
            "BY_CODE": {rule.code: rule for rule in rules},
            "BY_NAME": {rule.name: rule for rule in rules}}


def __getattr__(name: str) -> Any:
    if name in LOADED:
        return _load()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def find_rule(code_or_name: str) -> Rule | None:
    info = find_info(code_or_name)
    return None if info is None else _load()["BY_CODE"][info.code]


__all__ = [*LOADED, "DOC_SECTIONS", "Rule", "find_rule"]
