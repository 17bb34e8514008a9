"""The core: run the selected rules over a project and stamp their problems.

Rules yield :class:`~asynclint.findings.Problem`; the core owns everything
cross-cutting: selection, severity, ``# noqa`` suppression, syntax errors
(``ASY000``), de-duplication and ordering. It never raises on bad input.
"""

from __future__ import annotations

import os
import re
import sys
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from asynclint.findings import Finding, Problem, Severity
from asynclint.model import Project
from asynclint.model.paths import resolved
from asynclint.rules.catalog import RuleInfo, find_info
from asynclint.rules.registry import Rule
from asynclint.structs import field, replace, struct

SYNTAX_ERROR_CODE = "ASY000"
SYNTAX_ERROR_NAME = "syntax-error"
_NOQA = re.compile(r"(?:^|\s)#\s*noqa(?::\s*(?P<codes>[\w\-\[\]]+(?:[\s,]+[\w\-\[\]]+)*))?",
                   re.IGNORECASE)


@struct(frozen=True)
class Selection:
    """Which rules run and at what severity.

    ``select``/``ignore`` hold codes, names, or code prefixes (``ASY1``);
    ``None`` for ``select`` means every rule enabled by default.
    """

    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    extend_select: frozenset[str] = frozenset()
    severities: dict[str, Severity] = field(default_factory=dict)

    @staticmethod
    def _matches(rule: RuleInfo | Rule, patterns: Iterable[str]) -> bool:
        for pattern in patterns:
            if pattern in ("ALL", rule.name) or rule.code.startswith(pattern.upper()):
                return True
        return False

    def enabled(self, rule: RuleInfo | Rule) -> bool:
        if self._matches(rule, self.ignore):
            return False
        if self._matches(rule, self.extend_select):
            return True
        if self.select is None:
            return rule.enabled
        return self._matches(rule, self.select)

    def severity(self, rule: RuleInfo | Rule) -> Severity:
        return self.severities.get(rule.code, self.severities.get(rule.name, rule.severity))


class Context:
    """What a rule may look at: the project, execution flows, the task graph, action support."""

    def __init__(self, project: Project, options: dict[str, dict[str, Any]] | None = None,
                 project_root: Path | None = None,
                 named_dirs: Mapping[str, list[Path]] | None = None):
        self.project = project
        self.options = options or {}
        self.project_root = project_root
        self.named_dirs = named_dirs  # the plugin folders of the project, when already found

    def option(self, rule: str, key: str, default: Any) -> Any:
        return self.options.get(rule, {}).get(key, default)

    @cached_property
    def flows(self):
        from asynclint.model.flow import flows

        return flows(self.project)

    @cached_property
    def actions(self):
        from asynclint.actions.table import load_action_table

        return load_action_table(self.project_root, playbook_action_dirs(self.project),
                                 named=self.named_dirs)

    @cached_property
    def awaited_launches(self):
        """:func:`~asynclint.rules.helpers.awaited_launches` of the flows, found once for
        every rule that asks."""
        from asynclint.rules.helpers import awaited_launches

        return tuple(awaited_launches(self.flows))

    @cached_property
    def graph(self):
        from asynclint.graph import build_graph

        return build_graph(self.project, self.flows, data=False)


def playbook_action_places(project: Project) -> tuple[Path, ...]:
    """Where an ``action_plugins/`` folder next to a playbook would be, there or not."""
    return tuple(sorted({
        resolved(Path(document.path)).parent / "action_plugins"
        for document in project.ansible_documents()
        if document.kind == "playbook"
    }))


def playbook_action_dirs(project: Project) -> tuple[Path, ...]:
    """The ``action_plugins/`` folders next to the playbooks, which Ansible always searches."""
    return tuple(folder for folder in playbook_action_places(project) if folder.is_dir())


@struct(frozen=True)
class LintResult:
    findings: tuple[Finding, ...]
    files: int
    internal_errors: tuple[str, ...] = ()


def _internal_error(rule: Rule) -> str:
    """One line naming the rule, the exception and where it was raised.

    The whole traceback only with ``ASYNCLINT_DEBUG`` set: users get a report, not a dump.
    """
    import traceback  # only when a rule fails

    if os.environ.get("ASYNCLINT_DEBUG"):
        return f"rule {rule.code} failed:\n{traceback.format_exc()}"
    error = sys.exc_info()[1]
    frames = traceback.extract_tb(error.__traceback__) if error is not None else []
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"rule {rule.code} failed: {type(error).__name__}: {error}{where}"


def noqa_codes(line: str) -> frozenset[str] | None:
    """Codes silenced by a ``# noqa`` comment on ``line``; an empty set silences all."""
    match = _NOQA.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    if not codes:
        return frozenset()
    return frozenset(code.strip().upper() for code in re.split(r"[\s,]+", codes) if code.strip())


def _suppressed(problem: Problem, rule: Rule, line: int) -> bool:
    lines = {line}
    if problem.anchor is not None:
        lines.add(problem.source.position(problem.anchor)[0])
    for number in lines:
        codes = noqa_codes(problem.source.line_text(number))
        if codes is None:
            continue
        if not codes or rule.code in codes or rule.name.upper() in codes:
            return True
    return False


def _finding(problem: Problem, rule: Rule, severity: Severity,
             merged: Mapping[str, list[tuple[int, int]]] | None = None) -> Finding:
    line, column = problem.source.position(problem.start)
    end_line, end_column = problem.source.position(max(problem.end, problem.start))
    fix = problem.fix
    if fix is not None and merged and _edits_merged(fix.edits, problem.source.path, merged):
        fix = None
    return Finding(
        path=problem.source.path, line=line, column=column, end_line=end_line,
        end_column=end_column, code=rule.code, name=rule.name, severity=severity,
        message=problem.message, fix=fix, start=problem.start, end=problem.end,
    )


def merged_text(project: Project) -> dict[str, list[tuple[int, int]]]:
    """By file: where the text of entries a merge key brought into a mapping lies (an
    anchor's text, which other mappings may share)."""
    found: dict[str, list[tuple[int, int]]] = {}
    for document in project.documents:
        if "<<" in document.source.text:
            from asynclint.parsing.merge import merged_spans

            spans = [span for holder in (*document.plays, *document.tasks)
                     for span in merged_spans(holder.map, document.source.text)]
            if spans:
                found.setdefault(document.path, []).extend(spans)
    return found


def _edits_merged(edits: Iterable[Any], path: str,
                  merged: Mapping[str, list[tuple[int, int]]]) -> bool:
    """An edit changes (or inserts into) the text of a merged entry: a fix must not, since
    that text is also every other mapping's that merges it."""
    for edit in edits:
        for start, end in merged.get(edit.path or path, ()):
            if edit.start < end and start < edit.end or start < edit.start < end:
                return True
    return False


def syntax_findings(project: Project) -> list[Finding]:
    return [
        Finding(
            path=error.path, line=error.error.line, column=error.error.column,
            end_line=error.error.line, end_column=error.error.column,
            code=SYNTAX_ERROR_CODE, name=SYNTAX_ERROR_NAME, severity=Severity.ERROR,
            message=error.error.message,
        )
        for error in project.errors
    ]


def _syntax_errors(project: Project, selection: Selection) -> list[Finding]:
    """The core's own findings, when ``ASY000`` is selected: the files it could not read."""
    rule = find_info(SYNTAX_ERROR_CODE)
    if rule is None or not selection.enabled(rule):
        return []
    severity = selection.severity(rule)
    return [replace(finding, severity=severity) for finding in syntax_findings(project)]


def _registered_rules(project: Project) -> Sequence[Rule]:
    """The registered rules, imported only when there is a document to look at: without one
    no rule can find anything."""
    if not project.documents:
        return ()
    from asynclint.rules import RULES

    return RULES


def lint(
    project: Project,
    selection: Selection = Selection(),
    options: dict[str, dict[str, Any]] | None = None,
    project_root: Path | None = None,
    rules: Sequence[Rule] | None = None,
    named_dirs: Mapping[str, list[Path]] | None = None,
) -> LintResult:
    """Run every selected rule (by default the registered ones) once over the whole project;
    ``named_dirs``: the project's plugin folders, when the caller found them already
    (:func:`~asynclint.actions.discovery.named_dirs`).

    Syntax errors are the core's own: reported when ``ASY000`` is selected, whatever the rules.
    """
    context = Context(project, options, project_root, named_dirs)
    found: dict[tuple[str, int, str], Finding] = {}
    internal: list[str] = []
    merged = merged_text(project)
    for rule in _registered_rules(project) if rules is None else rules:
        if rule.code == SYNTAX_ERROR_CODE or not selection.enabled(rule):
            continue
        severity = selection.severity(rule)
        try:
            for problem in rule.check(context):
                finding = _finding(problem, rule, severity, merged)
                if _suppressed(problem, rule, finding.line):
                    continue
                found.setdefault((finding.path, finding.start, finding.code), finding)
        except Exception:  # a rule bug must not hide the other rules' findings
            internal.append(_internal_error(rule))
    findings = list(found.values()) + _syntax_errors(project, selection)
    findings.sort(key=lambda f: f.sort_key)
    files = len(project.documents) + len(project.errors) + len(project.skipped)
    return LintResult(tuple(findings), files, tuple(internal))

