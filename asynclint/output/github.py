"""``--format github``: GitHub Actions workflow commands, shown as annotations on the diff.

Chosen automatically when ``GITHUB_ACTIONS=true`` and no ``--format`` was given.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from asynclint.findings import Finding, Severity
from asynclint.output.text import summary

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    properties: Mapping[str, object] = {
        "file": finding.path.replace("\\", "/"),
        "line": finding.line,
        "col": finding.column,
        "endLine": max(finding.end_line, finding.line),
        "endColumn": max(finding.end_column, 1),
        "title": f"{finding.code} {finding.name}",
    }
    joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{COMMANDS[finding.severity]} {joined}::{escape_data(finding.message)}"


def format_github(findings: Sequence[Finding], files: int, color: bool = False) -> str:
    lines = [annotation(finding) for finding in findings]
    lines.append(summary(findings, files))
    return "\n".join(lines) + "\n"


def choose_format(requested: str | None, environ: Mapping[str, str]) -> str:
    """``auto`` (or nothing) means ``github`` under GitHub Actions, ``text`` elsewhere."""
    if requested is not None and requested != "auto":
        return requested
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"
