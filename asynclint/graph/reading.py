"""What one task reads, sets and waits for, from its keywords and module arguments."""

from __future__ import annotations

import re
from typing import Collection, Iterable, Iterator

from asynclint.expressions import Reference, is_templated, value_references
from asynclint.model import Task
from asynclint.model.flow import Step
from asynclint.model.keywords import short_name
from asynclint.parsing import YEntry, YMap, YNode, YScalar
from asynclint.parsing.nodes import to_python, walk
from asynclint.model.readings import int_value, is_async_status, is_launch

CONDITIONALS = frozenset({"when", "until", "changed_when", "failed_when"})
# Module arguments that Ansible reads as bare expressions, not templates.
BARE_ARGUMENTS = frozenset({("debug", "var"), ("assert", "that")})
_FREE_FORM_ARG = re.compile(r"""(\w+)=(\{\{.*?\}\}\S*|"[^"]*"|'[^']*'|\S+)""")


def entry_reads(task: Task, names: Collection[str] | None = None
                ) -> Iterator[tuple[YEntry, tuple[Reference, ...]]]:
    """Each key of the task with the references in its value.

    Module arguments given as a mapping count key by key (``msg:`` of a debug task), the
    other keywords as a whole; ``when``/``until``/``changed_when``/``failed_when``, a debug
    ``var`` and an assert ``that`` are bare expressions. ``name`` is left out: it is only displayed.
    With ``names``, a value whose text mentions none of them is not parsed (no references).
    """
    for entry in task.map.effective():
        if entry.name == "name":
            continue
        if entry is task.action_entry and isinstance(entry.value, YMap):
            module = short_name(task.action or "")
            for argument in entry.value.effective():
                bare = (module, argument.name) in BARE_ARGUMENTS
                yield argument, _references(argument.value, bare, names)
            continue
        bare = entry.name in CONDITIONALS
        yield entry, _references(entry.value, bare, names)


def _references(node: YNode | None, bare: bool,
                names: Collection[str] | None = None) -> tuple[Reference, ...]:
    if not bare and not _may_template(node):
        return ()
    if names is not None and not mentions(node, names):
        return ()
    return value_references(to_python(node), bare=bare)


def _may_template(node: YNode | None) -> bool:
    """False when no string below ``node`` (keys included) can be a template.

    Conservative: a non-scalar key (read as its ``repr``) counts as a possible template.
    """
    if node is None:
        return False
    for item in walk(node):
        if isinstance(item, YScalar):
            if is_templated(item.value):
                return True
        elif isinstance(item, YMap) and any(not isinstance(e.key, YScalar) for e in item.entries):
            return True
    return False


def mentions(node: YNode | None, names: Collection[str] | Names) -> bool:
    """True when the text of a scalar below ``node`` (keys included) holds one of ``names``;
    a name of word characters counts when it is a word of the text (:meth:`Names.in_text`).

    A reference to a variable spells its name, so a value mentioning none reads none of them.
    """
    if node is None:
        return False
    if isinstance(names, Names):
        return any(names.in_text(item.value) for item in walk(node) if isinstance(item, YScalar))
    return any(
        name in item.value for item in walk(node) if isinstance(item, YScalar) for name in names)


# what a name must not hold for its absence from a task's text to say it is in no value
_UNSPELLED = frozenset(" \t\r\n'\"\\")
_WORD = re.compile(r"\w+")
FEW_NAMES = 8  # more names than this: a text's words are listed once, then looked up


class Names:
    """Names looked for in texts, sorted as they come: those made of word characters (a
    reference spells such a name as a whole word: one lookup per word of a text finds any of
    them, however many), and the others (each one sought in the text). A set that grows and
    shrinks with the run's variables (:meth:`add`, :meth:`discard`) is sorted name by name,
    never again as a whole."""

    __slots__ = ("others", "words")

    def __init__(self, names: Iterable[str] = ()):
        self.words: set[str] = set()
        self.others: set[str] = set()
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        (self.words if _WORD.fullmatch(name) else self.others).add(name)

    def discard(self, name: str) -> None:
        self.words.discard(name)
        self.others.discard(name)

    def union(self, names: Iterable[str]) -> Names:
        """These names and ``names``, in a new set."""
        found = Names()
        found.words = set(self.words)
        found.others = set(self.others)
        for name in names:
            found.add(name)
        return found

    def __contains__(self, name: object) -> bool:
        return name in self.words or name in self.others

    def __iter__(self) -> Iterator[str]:
        yield from self.words
        yield from self.others

    def __len__(self) -> int:
        return len(self.words) + len(self.others)

    def in_text(self, text: str) -> bool:
        """One of the names is in ``text``: a name of word characters as one of its words."""
        if any(name in text for name in self.others):
            return True
        if len(self.words) <= FEW_NAMES:
            return any(name in text for name in self.words)
        return not self.words.isdisjoint(_WORD.findall(text))


def may_mention(task: Task, names: Collection[str] | Names) -> bool:
    """False when no value of ``task`` (keys included) can refer to one of ``names``, because
    the task's text does not spell it: one substring test per name instead of one per name
    per scalar (:func:`mentions`), or, for many names, one lookup per word of the text.

    A scalar's value is pieces of its lines, a line break turned into a space or kept, so a
    name without spaces, quotes or backslashes is in a value only if it is in the text, when
    no escape (a backslash) or alias (``*``) makes the value otherwise. A reference to a name
    made of word characters spells it between characters that are not (``{{ job.rc }}``,
    ``vars['job']``): one of the text's words.
    """
    if not isinstance(names, Names):
        names = Names(names)
    text = task.source.text[task.map.start:task.map.end]
    if "\\" in text or "*" in text:
        return True
    if any(not _UNSPELLED.isdisjoint(name) for name in names.others):
        return True
    return names.in_text(text)


def variables_of(holder) -> list[tuple[str, object]]:
    """The names a task, block, include or play sets in ``vars:``, with their value nodes."""
    node = holder.node("vars")
    if not isinstance(node, YMap):
        return []
    return [(entry.name, entry.value) for entry in node.entries if entry.name]


def is_set_fact(task: Task) -> bool:
    return task.action is not None and short_name(task.action) == "set_fact"


def set_facts(task: Task) -> dict[str, object]:
    """The variables a ``set_fact`` task sets, with their values as written."""
    if not is_set_fact(task) or task.action_entry is None:
        return {}
    args = to_python(task.action_entry.value)
    if not isinstance(args, dict):
        return {}
    return {str(key): value for key, value in args.items() if key != "cacheable"}


def module_args(task: Task) -> dict[str, object]:
    """A task's module arguments, as a mapping or free-form ``key=value`` words, plus ``args:``."""
    if task.action_entry is None:
        return {}
    args = task.args
    found: dict[str, object] = {}
    if isinstance(args, YScalar):
        found = {key: value.strip("\"'") for key, value in _FREE_FORM_ARG.findall(args.value)}
    elif isinstance(args, YMap):
        found = {str(key): value for key, value in (to_python(args) or {}).items()}
    extra = task.node("args")
    if isinstance(extra, YMap):
        found.update({str(key): value for key, value in (to_python(extra) or {}).items()})
    return found


def jid_entry(task: Task) -> YEntry | None:
    """The ``jid`` key of an ``async_status`` task, or its action key for free-form arguments."""
    return task.arg("jid") or task.action_entry


def is_cleanup(task: Task) -> bool:
    return is_async_status(task) and module_args(task).get("mode") == "cleanup"


def job_mode(task: Task) -> str | None:
    """``launch``, ``polled`` or ``unknown`` for a task run with ``async``; None otherwise.

    ``launch`` is ``poll: 0``; ``polled`` is ``poll > 0`` or no ``poll`` (every 15 s);
    ``unknown`` when ``async`` or ``poll`` is templated.
    """
    if not task.has("async"):
        return None
    templated = any(is_templated(task.value(key)) for key in ("async", "poll"))
    limit = int_value(task, "async")
    if limit is not None and limit <= 0:
        return None
    if templated:
        return "unknown"
    poll = int_value(task, "poll")
    if limit is None or (task.has("poll") and poll is None):
        return None
    if is_launch(task):
        return "launch"
    return "polled" if poll is None or poll > 0 else None


def guards(step: Step) -> tuple[object, ...]:
    """The ``when`` conditions a task runs under: its own, then its blocks' and includes'."""
    return tuple(step.inherited("when"))
