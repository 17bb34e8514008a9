"""Every registered rule documents itself, and its examples say what it does.

The module docstring is the rule's documentation (``asynclint explain``): it has every
section, its Example triggers the rule and its Use instead does not, both linted as real
files with only that rule selected.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from asynclint.linter import Selection, lint
from asynclint.model import load_project
from asynclint.rules import DOC_SECTIONS, MODULES, RULES, Rule

RULES_DIR = Path(__file__).resolve().parent.parent / "asynclint" / "rules"
NOT_RULES = frozenset({"__init__", "catalog", "helpers", "registry"})
KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
CODE = re.compile(r"ASY\d{3}")
YAML_BLOCK = re.compile(r"^```ya?ml\n(.*?)^```", re.MULTILINE | re.DOTALL)
# A block starting with `# file: NAME` is a helper file (an included task file) written
# next to the playbook blocks of the same section, not a playbook of its own.
HELPER_FILE = re.compile(r"^# file: (\S+)\n")
IDS = [rule.code for rule in RULES]


def yaml_blocks(rule: Rule, section: str) -> list[str]:
    return [b for b in YAML_BLOCK.findall(rule.section(section)) if not HELPER_FILE.match(b)]


def write_helper_files(rule: Rule, section: str, tmp_path: Path) -> None:
    for block in YAML_BLOCK.findall(rule.section(section)):
        match = HELPER_FILE.match(block)
        if match:
            (tmp_path / match.group(1)).write_text(block, encoding="utf-8")


def reported_codes(text: str, rule: Rule, tmp_path: Path) -> list[str]:
    """Codes found in ``text`` linted as a playbook file with only ``rule`` selected."""
    path = tmp_path / "playbook.yml"
    path.write_text(text, encoding="utf-8")
    result = lint(load_project([str(path)]), Selection(select=frozenset({rule.code})))
    assert not result.internal_errors, result.internal_errors
    return [finding.code for finding in result.findings]


def test_every_rule_module_is_registered() -> None:
    modules = {path.stem for path in RULES_DIR.glob("*.py")} - NOT_RULES
    registered = {module.__name__.rpartition(".")[2] for module in MODULES}
    assert modules - registered == set(), "rule modules missing from asynclint/rules/catalog.py"


def test_codes_and_names_are_unique() -> None:
    codes = [rule.code for rule in RULES]
    names = [rule.name for rule in RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_metadata_is_well_formed(rule: Rule) -> None:
    assert CODE.fullmatch(rule.code), rule.code
    assert KEBAB.fullmatch(rule.name), rule.name
    assert rule.fix in (None, "safe", "unsafe", "display-only")
    assert rule.summary and not rule.summary.startswith("#")


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_docstring_has_every_section(rule: Rule) -> None:
    titles = [line[3:].strip() for line in rule.doc.splitlines() if line.startswith("## ")]
    assert titles == list(DOC_SECTIONS)
    for title in DOC_SECTIONS:
        assert rule.section(title), f"section {title!r} is empty"


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_example_triggers_the_rule(rule: Rule, tmp_path: Path) -> None:
    blocks = yaml_blocks(rule, "Example")
    assert blocks, "the Example has no ```yaml block"
    write_helper_files(rule, "Example", tmp_path)
    for block in blocks:
        assert rule.code in reported_codes(block, rule, tmp_path), block


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_use_instead_does_not_trigger_the_rule(rule: Rule, tmp_path: Path) -> None:
    blocks = yaml_blocks(rule, "Use instead")
    assert blocks, "Use instead has no ```yaml block"
    write_helper_files(rule, "Use instead", tmp_path)
    for block in blocks:
        assert rule.code not in reported_codes(block, rule, tmp_path), block


@pytest.mark.parametrize("doc", [
    *(module.__doc__ or "" for module in MODULES),
    "", "\n\n", "  x\n   y\n  z\n\n", "a\n\tb\n  \n c", "x\n  y  \n", "\n\n  a\n    b\n",
])
def test_rule_docs_are_cleaned_as_inspect_cleans_them(doc: str) -> None:
    """A check never imports :mod:`inspect`; its own ``cleandoc`` must give the same text."""
    import inspect

    from asynclint.rules.registry import cleandoc

    assert cleandoc(doc) == inspect.cleandoc(doc)
