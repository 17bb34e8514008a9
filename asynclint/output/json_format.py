"""``--format json``: a JSON array of finding objects."""

from __future__ import annotations

import json
from typing import Sequence

from asynclint.findings import Finding


def format_json(findings: Sequence[Finding], files: int, color: bool = False) -> str:
    return json.dumps([finding.to_json() for finding in findings], indent=2) + "\n"
