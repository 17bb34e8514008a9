"""``--format sarif``: a SARIF 2.1.0 log for code scanning (GitHub, GitLab, IDEs).

The driver lists every rule with its documentation as help text and a link to
its page; each result carries a ``partialFingerprints`` entry that stays the
same when lines move.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any, Sequence
from urllib.parse import quote

from asynclint import __version__
from asynclint.findings import Finding, Severity
from asynclint.links import HOMEPAGE, rule_url
from asynclint.output.fingerprints import fingerprints
from asynclint.rules import RULES, Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "asynclint/v1"
SOURCE_ROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif_rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.section("What it does") or rule.summary},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "helpUri": rule_url(rule.code),
        "defaultConfiguration": {"level": LEVELS[rule.severity], "enabled": rule.enabled},
        "properties": {"tags": [rule.name], "fix": rule.fix or "none"},
    }


def artifact_location(path: str) -> dict[str, str]:
    """A relative path is given against the source root; an absolute one as a file URI."""
    pure = PurePath(path)
    if pure.is_absolute():
        return {"uri": pure.as_uri()}
    return {"uri": quote(pure.as_posix()), "uriBaseId": SOURCE_ROOT}


def sarif_result(finding: Finding, rule_index: int, fingerprint: str) -> dict[str, Any]:
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact_location(finding.path),
                "region": {
                    "startLine": finding.line,
                    "startColumn": finding.column,
                    "endLine": max(finding.end_line, finding.line),
                    "endColumn": max(finding.end_column, 1),
                },
            },
        }],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }


def sarif_log(findings: Sequence[Finding]) -> dict[str, Any]:
    index = {rule.code: position for position, rule in enumerate(RULES)}
    results = [
        sarif_result(finding, index[finding.code], fingerprint)
        for finding, fingerprint in zip(findings, fingerprints(findings), strict=True)
    ]
    driver = {
        "name": "asynclint",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": HOMEPAGE,
        "rules": [sarif_rule(rule) for rule in RULES],
    }
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {
            SOURCE_ROOT: {"description": {"text": "the folder asynclint ran in"}},
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def format_sarif(findings: Sequence[Finding], files: int, color: bool = False) -> str:
    return json.dumps(sarif_log(findings), indent=2) + "\n"
