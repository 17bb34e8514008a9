"""Output formats: small pure functions from findings to text."""

from __future__ import annotations

from typing import Callable, Sequence

from asynclint.findings import Finding
from asynclint.output.codeclimate import format_codeclimate
from asynclint.output.github import format_github
from asynclint.output.json_format import format_json
from asynclint.output.sarif import format_sarif
from asynclint.output.text import format_text

Formatter = Callable[[Sequence[Finding], int, bool], str]

FORMATTERS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,
    "codeclimate": format_codeclimate,
    "github": format_github,
}

__all__ = ["FORMATTERS", "Formatter", "format_codeclimate", "format_github", "format_json",
           "format_sarif", "format_text"]
