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
