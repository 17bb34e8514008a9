"""Fingerprints that follow a finding across commits.

A finding is identified by its rule, its file and its message (which names the
keys and variables involved), never by its line: adding a task above it leaves
the fingerprint unchanged. Identical findings in one file are told apart by
their rank among themselves.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Sequence

from asynclint.findings import Finding


def _digest(finding: Finding, rank: int) -> str:
    text = "\0".join((finding.code, finding.path.replace("\\", "/"), finding.message, str(rank)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """One fingerprint per finding, in the same order."""
    seen: Counter[tuple[str, str, str]] = Counter()
    result = []
    for finding in findings:
        key = (finding.code, finding.path, finding.message)
        result.append(_digest(finding, seen[key]))
        seen[key] += 1
    return result
