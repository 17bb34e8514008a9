"""``--format text``: ``path:line:col: CODE [name] message`` and a summary line."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from asynclint.findings import Finding, Severity
from asynclint.fixes import Applicability

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD = "\033[1m"
_RESET = "\033[0m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def format_line(finding: Finding, color: bool = False) -> str:
    location = f"{finding.path}:{finding.line}:{finding.column}:"
    code = finding.code
    if color:
        location = f"{_BOLD}{location}{_RESET}"
        code = f"{_COLORS[finding.severity]}{code}{_RESET}"
    line = f"{location} {code} [{finding.name}] {finding.message}"
    if finding.fix is not None:
        line += f" (fix: {finding.fix.applicability.label})"
    return line


def summary(findings: Sequence[Finding], files: int, failed: int = 0) -> str:
    """The last line: what was found, and what ``asynclint fix`` can fix. With ``failed``
    rules (each reported on standard error), never that all checks passed."""
    if failed:
        found = (f"{_plural(len(findings), 'finding')}" if findings else "no findings")
        return (f"Found {found} in {_plural(files, 'file')}, but {_plural(failed, 'rule')} "
                f"failed (reported below): the check is incomplete.")
    if not findings:
        return f"All checks passed: {_plural(files, 'file')}, no findings."
    by_severity = Counter(finding.severity for finding in findings)
    parts = [
        _plural(by_severity[severity], severity.label)
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if by_severity[severity]
    ]
    text = f"Found {_plural(len(findings), 'finding')} ({', '.join(parts)}) in {_plural(files, 'file')}."
    fixes = Counter(f.fix.applicability for f in findings if f.fix is not None)
    if fixes[Applicability.SAFE]:
        text += f" {fixes[Applicability.SAFE]} fixable with `asynclint fix`"
        if fixes[Applicability.UNSAFE]:
            text += f", {fixes[Applicability.UNSAFE]} more with `--unsafe-fixes`"
        text += "."
    elif fixes[Applicability.UNSAFE]:
        text += f" {fixes[Applicability.UNSAFE]} fixable with `asynclint fix --unsafe-fixes`."
    return text


def format_text(findings: Sequence[Finding], files: int, color: bool = False,
                failed: int = 0) -> str:
    lines = [format_line(finding, color) for finding in findings]
    lines.append(summary(findings, files, failed))
    return "\n".join(lines) + "\n"
