"""The catalogue, which choosing rules reads, says what the rule modules themselves declare."""

from __future__ import annotations

from importlib import import_module

import pytest

from asynclint.rules import find_rule
from asynclint.rules.catalog import CATALOG, RuleInfo, find_info
from asynclint.rules.registry import Rule


def declared(rule: Rule) -> RuleInfo:
    return RuleInfo(rule.code, rule.name, rule.severity, rule.fix, rule.summary, rule.enabled)


@pytest.mark.parametrize("info", CATALOG, ids=[info.code for info in CATALOG])
def test_an_entry_is_what_its_module_declares(info: RuleInfo) -> None:
    assert info == declared(Rule.from_module(import_module(info.module)))


@pytest.mark.parametrize("key", ["ASY109", "asy109", "wait-budget-too-short", "ASY999", "ASY1"])
def test_an_entry_is_found_as_its_rule_is(key: str) -> None:
    rule = find_rule(key)
    assert find_info(key) == (None if rule is None else declared(rule))


@pytest.mark.parametrize("info", CATALOG, ids=[info.code for info in CATALOG])
def test_the_options_a_rule_reads_are_those_the_configuration_accepts(info: RuleInfo) -> None:
    """A rule reads its options with ``ctx.option(CODE, "name", default)``; the configuration
    refuses every option :data:`~asynclint.rules.catalog.OPTIONS` does not list."""
    import inspect
    import re

    from asynclint.rules.catalog import OPTIONS

    source = inspect.getsource(import_module(info.module))
    read = set(re.findall(r"\.option\(\s*CODE\s*,\s*\"(\w+)\"", source))
    assert ".option(" not in re.sub(r"\.option\(\s*CODE\s*,\s*\"\w+\"", "", source)
    assert read == set(OPTIONS.get(info.code, {}))


def test_an_option_value_is_tested() -> None:
    from asynclint.rules.catalog import OPTIONS

    _, valid = OPTIONS["ASY202"]["min_duration"]
    assert all(valid(value) for value in (0, 10, 2.5))
    assert not any(valid(value) for value in (-1, True, "10", None, float("inf"), float("nan")))
