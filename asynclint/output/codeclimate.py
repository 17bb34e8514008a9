"""``--format codeclimate``: the Code Quality report GitLab reads from a CI artifact."""

from __future__ import annotations

import json
from typing import Any, Sequence

from asynclint.findings import Finding, Severity
from asynclint.output.fingerprints import fingerprints

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "minor", Severity.INFO: "info"}


def issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": f"{finding.code} {finding.name}",
        "description": f"{finding.code} [{finding.name}] {finding.message}",
        "categories": ["Bug Risk"],
        "severity": SEVERITIES[finding.severity],
        "fingerprint": fingerprint,
        "location": {
            "path": finding.path.replace("\\", "/"),
            "lines": {"begin": finding.line, "end": max(finding.end_line, finding.line)},
        },
    }


def format_codeclimate(findings: Sequence[Finding], files: int, color: bool = False) -> str:
    issues = [issue(f, fp) for f, fp in zip(findings, fingerprints(findings), strict=True)]
    return json.dumps(issues, indent=2) + "\n"
