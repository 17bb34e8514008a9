"""Output formats: small pure functions from findings to text, one module each.

A format's module is imported only when that format is asked for (``sarif`` reads every
rule's documentation).
"""

from __future__ import annotations

from importlib import import_module
from typing import Callable, Sequence

from asynclint.findings import Finding

Formatter = Callable[[Sequence[Finding], int, bool], str]

# format name: "module:function" of its formatter
FORMATS: dict[str, str] = {
    "text": "asynclint.output.text:format_text",
    "json": "asynclint.output.json_format:format_json",
    "sarif": "asynclint.output.sarif:format_sarif",
    "codeclimate": "asynclint.output.codeclimate:format_codeclimate",
    "github": "asynclint.output.github:format_github",
}


def formatter(name: str) -> Formatter:
    """The formatter of the format ``name``, a key of :data:`FORMATS`."""
    module, _, function = FORMATS[name].partition(":")
    return getattr(import_module(module), function)


__all__ = ["FORMATS", "Formatter", "formatter"]
