"""The rule catalog: an explicit registry, one module per rule.

A rule module holds its documentation (the module docstring), its metadata
(``CODE``, ``NAME``, ``SEVERITY``, optional ``ENABLED`` and ``FIX``) and a
pure ``check(ctx)`` that yields :class:`~asynclint.findings.Problem`.
"""

from __future__ import annotations

from asynclint.rules import (
    async_context_mismatch,
    async_in_module_args,
    async_on_block,
    async_on_dynamic_include,
    async_on_play,
    async_on_static_import,
    async_unsupported_action,
    async_without_poll,
    concurrent_resource_conflict,
    jid_from_looped_register,
    job_never_awaited,
    launch_result_conditional,
    loop_var_collision,
    parallelizable_sequence,
    poll_without_async,
    reboot_via_async_shell,
    retries_zero_with_until,
    sequential_async_loop,
    status_check_without_until,
    syntax_error,
    unawaited_result_used,
    unguarded_wait_on_conditional_launch,
    until_on_launch_task,
    until_on_stale_launch_result,
    until_without_retries,
    wait_after_cleanup,
    wait_budget_too_short,
    wait_loop_over_register_dict,
    wait_on_polled_job,
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
    wait_loop_over_register_dict,
    jid_from_looped_register,
    launch_result_conditional,
    job_never_awaited,
    wait_after_cleanup,
    retries_zero_with_until,
    until_without_retries,
    wait_budget_too_short,
    poll_without_async,
    async_without_poll,
    unguarded_wait_on_conditional_launch,
    wait_on_polled_job,
    until_on_launch_task,
    unawaited_result_used,
    loop_var_collision,
    status_check_without_until,
    async_context_mismatch,
    concurrent_resource_conflict,
    parallelizable_sequence,
    sequential_async_loop,
    reboot_via_async_shell,
)

RULES: tuple[Rule, ...] = tuple(Rule.from_module(module) for module in MODULES)
BY_CODE = {rule.code: rule for rule in RULES}
BY_NAME = {rule.name: rule for rule in RULES}


def find_rule(code_or_name: str) -> Rule | None:
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())


__all__ = ["DOC_SECTIONS", "MODULES", "RULES", "Rule", "find_rule"]
