"""Turn file summaries into verdicts: inheritance, ``super().run()`` and delegation.

Classes are named by references ``"module.key:ClassName"``; a file's own classes appear in
its summary as bases ``":ClassName"``. Attribute lookup follows the bases depth-first, left
to right. A base that cannot be found makes the answer unknown (``None``), never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from asynclint.actions.summary import ClassSummary, FileSummary, EventPath, Flag, Outcome
from asynclint.structs import struct, field

ACTION_CLASS = "ActionModule"
MAX_DEPTH = 64  # inheritance deeper than this is treated as a cycle
_T = TypeVar("_T")


class _Unresolved(Exception):
    """A class or base that is not in the scan set."""


def resolve_verdicts(
    files: Mapping[str, FileSummary],
    plugins: Mapping[str, str],
    locate: Callable[[str], str | None],
) -> dict[str, Flag]:
    """Whether each action plugin supports async.

    ``files`` maps module keys to summaries, ``plugins`` maps action plugin names to the key of
    their file, and ``locate`` maps a name given to ``action_loader.get`` to a plugin name
    (or ``None`` when no action plugin answers to it).
    """
    resolver = _Resolver(files, plugins, locate)
    return {name: resolver.plugin_verdict(name) for name in plugins}


def combine(verdicts: frozenset[Flag]) -> Flag:
    """One verdict from the verdicts of all paths; disagreement or no path is unknown."""
    return next(iter(verdicts)) if len(verdicts) == 1 else None


@struct
class _Resolver:
    files: Mapping[str, FileSummary]
    plugins: Mapping[str, str]
    locate: Callable[[str], str | None]
    memo: dict[str, Flag] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)

    def plugin_verdict(self, name: str) -> Flag:
        if name in self.memo:
            return self.memo[name]
        if name in self.active:  # delegation cycle
            return None
        self.active.add(name)
        verdict = self.class_verdict(f"{self.plugins[name]}:{ACTION_CLASS}")
        self.active.discard(name)
        self.memo[name] = verdict
        return verdict

    def class_verdict(self, ref: str) -> Flag:
        try:
            flag = self.class_flag(ref)
            init = self.find(ref, lambda c: c.init)
            entry = flag if init is None else init[1][flag]
            return combine(self.run_verdicts(ref, entry))
        except _Unresolved:
            return None

    def class_flag(self, ref: str) -> Flag:
        found = self.find(ref, lambda c: (c.flag,) if c.defines_flag else None)
        return None if found is None else found[1][0]

    def run_verdicts(self, ref: str, entry: Flag, depth: int = 0) -> frozenset[Flag]:
        found = self.find(ref, lambda c: c.run)
        if found is None or depth > MAX_DEPTH:
            raise _Unresolved(ref)
        owner, run = found
        return frozenset(self.path_verdict(owner, path, depth) for path in run[entry])

    def path_verdict(self, owner: str, path: EventPath, depth: int) -> Flag:
        """The first refusal along the path decides; otherwise any unknown step is unknown."""
        verdicts = [self.outcome_verdict(owner, outcome, depth) for outcome in path]
        if False in verdicts:
            return False
        return None if None in verdicts else True

    def outcome_verdict(self, owner: str, outcome: Outcome, depth: int) -> Flag:
        if outcome.kind == "check":
            return outcome.flag
        if outcome.kind == "super":
            return combine(self.super_verdicts(owner, outcome.flag, depth + 1))
        target = self.locate(outcome.target) if outcome.target else None
        return None if target is None else self.plugin_verdict(target)

    def super_verdicts(self, owner: str, entry: Flag, depth: int) -> frozenset[Flag]:
        for base in self.bases(owner):
            if self.find(base, lambda c: c.run) is not None:
                return self.run_verdicts(base, entry, depth)
        raise _Unresolved(owner)

    def find(
        self, ref: str, pick: Callable[[ClassSummary], _T | None], depth: int = 0
    ) -> tuple[str, _T] | None:
        """The first class along ``ref``'s bases (itself first) for which ``pick`` is not None."""
        if depth > MAX_DEPTH:
            raise _Unresolved(ref)
        value = pick(self.summary(ref))
        if value is not None:
            return ref, value
        for base in self.bases(ref):
            found = self.find(base, pick, depth + 1)
            if found is not None:
                return found
        return None

    def bases(self, ref: str) -> tuple[str, ...]:
        module = ref.rpartition(":")[0]
        return tuple(
            f"{module}{base}" if base.startswith(":") else base for base in self.summary(ref).bases
        )

    def summary(self, ref: str) -> ClassSummary:
        module, _, name = ref.rpartition(":")
        file = self.files.get(module)
        if file is None or name not in file.classes:
            raise _Unresolved(ref)
        return file.classes[name]
