"""Output formats: small pure functions from findings to text."""

from __future__ import annotations

from typing import Callable, Sequence

from asynclint.findings import Finding
from asynclint.output.json_format import format_json
from asynclint.output.text import format_text

Formatter = Callable[[Sequence[Finding], int, bool], str]

FORMATTERS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
}

__all__ = ["FORMATTERS", "Formatter", "format_json", "format_text"]
