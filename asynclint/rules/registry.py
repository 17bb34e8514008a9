"""The rule record the core works with, read from a rule module's constants."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Iterable

from asynclint.findings import Problem, Severity

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    enabled: bool
    fix: str | None  # "safe", "unsafe", "display-only" or None: what the rule's fixes are
    doc: str
    check: Callable[..., Iterable[Problem]]

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else ""

    def section(self, title: str) -> str:
        """The text of one ``## title`` section of the rule's documentation."""
        lines = self.doc.splitlines()
        out: list[str] = []
        inside = False
        for line in lines:
            if line.startswith("## "):
                inside = line[3:].strip() == title
                continue
            if inside:
                out.append(line)
        return "\n".join(out).strip()

    @staticmethod
    def from_module(module: ModuleType) -> "Rule":
        return Rule(
            code=module.CODE,
            name=module.NAME,
            severity=Severity.parse(module.SEVERITY),
            enabled=getattr(module, "ENABLED", True),
            fix=getattr(module, "FIX", None),
            doc=inspect.cleandoc(module.__doc__ or ""),
            check=module.check,
        )
