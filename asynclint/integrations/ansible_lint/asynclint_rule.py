"""The ``asynclint`` rule for ansible-lint: asynclint's findings as ansible-lint matches.

ansible-lint imports this file by its name alone (``asynclint_rule``, unique among rule
folders) and keeps only the rule classes *defined* here. Each asynclint rule is a sub-tag,
``asynclint[async-on-static-import]``, so ``skip_list``, ``warn_list`` and ``# noqa``
work per rule. asynclint's own configuration file is honoured as by ``asynclint check``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ansiblelint.rules import AnsibleLintRule

from asynclint import __version__
from asynclint.actions.discovery import project_root
from asynclint.config import Config, load_config
from asynclint.findings import Finding
from asynclint.links import rules_index_url
from asynclint.linter import SYNTAX_ERROR_CODE, lint
from asynclint.model import load_project
from asynclint.rules import RULES
from asynclint.structs import replace

if TYPE_CHECKING:
    from ansiblelint.errors import MatchError
    from ansiblelint.file_utils import Lintable

RULE_ID = "asynclint"
KINDS = frozenset({"playbook", "tasks", "handlers"})


def tag(rule_name: str) -> str:
    return f"{RULE_ID}[{rule_name}]"


def findings_in(path: Path, config: Config) -> list[Finding]:
    """asynclint's findings in one file, read with the files it includes.

    Syntax errors are left to ansible-lint, which reports them itself.
    """
    selection = config.selection()
    selection = replace(selection, ignore=selection.ignore | {SYNTAX_ERROR_CODE})
    root = project_root([str(path)], Path.cwd())
    result = lint(load_project([str(path)]), selection, config.options(), project_root=root)
    real = os.path.realpath(path)
    return [finding for finding in result.findings if os.path.realpath(finding.path) == real]


class AsynclintRule(AnsibleLintRule):
    """Ansible's async, poll and async_status patterns (asynclint)."""

    id = RULE_ID
    description = (
        "asynclint finds misuses of `async`, `poll` and `async_status` that Ansible rejects, "
        "ignores or fails on at run time; each asynclint rule is a sub-tag such as "
        "`asynclint[async-on-static-import]`."
    )
    severity = "HIGH"
    tags = ["idiom"]
    version_changed = __version__
    link = rules_index_url()
    _ids = {tag(rule.name): rule.summary for rule in RULES if rule.code != SYNTAX_ERROR_CODE}

    @property
    def url(self) -> str:
        return rules_index_url()

    def matchyaml(self, file: Lintable) -> list[MatchError]:
        if file.kind not in KINDS or str(file.base_kind) != "text/yaml":
            return []
        config = load_config(file.path)
        if config.excluded(file.path):
            return []
        return [
            self.create_matcherror(
                message=f"{finding.message} ({finding.code})",
                lineno=finding.line,
                column=finding.column,
                filename=file,
                tag=tag(finding.name),
            )
            for finding in findings_in(file.path, config)
        ]
