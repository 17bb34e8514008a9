"""The rule catalog: an explicit registry, one module per rule.

A rule module holds its documentation (the module docstring), its metadata
(``CODE``, ``NAME``, ``SEVERITY``, optional ``ENABLED`` and ``FIX``) and a
pure ``check(ctx)`` that yields :class:`~asynclint.findings.Problem`.
"""

from __future__ import annotations

from asynclint.rules import (
    async_in_module_args,
    async_on_block,
    async_on_dynamic_include,
    async_on_play,
    async_on_static_import,
    async_unsupported_action,
    async_without_poll,
    launch_result_conditional,
    poll_without_async,
    reboot_via_async_shell,
    retries_zero_with_until,
    sequential_async_loop,
    status_check_without_until,
    syntax_error,
    until_on_launch_task,
    until_on_stale_launch_result,
    until_without_retries,
    wait_budget_too_short,
)
from asynclint.rules.registry import DOC_SECTIONS, Rule

MODULES = (
    syntax_error,
    async_on_block,
    async_on_play,
    async_on_dynamic_include,
    async_on_static_import,
    async_unsupported_action,
    async_in_module_args,
    until_on_stale_launch_result,
    launch_result_conditional,
    retries_zero_with_until,
    until_without_retries,
    wait_budget_too_short,
    poll_without_async,
    async_without_poll,
    until_on_launch_task,
    status_check_without_until,
    sequential_async_loop,
    reboot_via_async_shell,
)

RULES: tuple[Rule, ...] = tuple(Rule.from_module(module) for module in MODULES)
BY_CODE = {rule.code: rule for rule in RULES}
BY_NAME = {rule.name: rule for rule in RULES}


def find_rule(code_or_name: str) -> Rule | None:
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())


__all__ = ["DOC_SECTIONS", "MODULES", "RULES", "Rule", "find_rule"]
