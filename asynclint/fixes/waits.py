"""Pieces of generated waits: fresh register names and the `finished` test the file uses."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from asynclint.fixes.edits import Fix
from asynclint.fixes.yaml_edit import Pairs, insert_entries, replace_value
from asynclint.model import Task

WAIT_MODULE = "ansible.builtin.async_status"


def fresh_name(text: str, base: str) -> str:
    """``base``, or ``base_2``, ``base_3``... whichever word ``text`` does not use yet."""
    candidate, number = base, 1
    while _uses(text, candidate):
        number += 1
        candidate = f"{base}_{number}"
    return candidate


def _uses(text: str, name: str) -> bool:
    """``name`` is in ``text`` as a word: not right after a word character or a dot, nor
    before a word character.

    A name of word characters is then one of the text's words not right after a dot, all
    listed once for the file (:func:`_words`): a file with thousands of findings would be
    searched thousands of times. Another name is searched for: the pattern starts with the
    name itself, which the regular expression engine looks for as a string; the character
    before is tested here (a pattern starting with a look-behind is tried at every position
    of a file)."""
    if _WORD.fullmatch(name):
        return name in _words(text)
    if name not in text:
        return False
    for match in re.finditer(rf"{re.escape(name)}(?!\w)", text):
        start = match.start()
        if not start or not (text[start - 1].isalnum() or text[start - 1] in "_."):
            return True
    return False


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=8)  # a file with many findings is read once
def _words(text: str) -> frozenset[str]:
    """The runs of word characters in ``text`` that do not follow a dot."""
    return frozenset(match.group() for match in _WORD.finditer(text)
                     if not match.start() or text[match.start() - 1] != ".")


def finished_test(text: str, register: str) -> str:
    """``<register> is finished``, or ``<register>.finished`` when the file only uses that form."""
    return f"{register}.finished" if _attribute_only(text) else f"{register} is finished"


@lru_cache(maxsize=8)  # a file with many findings is searched once
def _attribute_only(text: str) -> bool:
    return "finished" in text and re.search(r"\.finished\b", text) is not None \
        and re.search(r"\bis\s+finished\b", text) is None


def job_id(register: str, variable: str | None = None) -> str:
    """The template of a job id: ``{{ reg.ansible_job_id }}`` (or of a loop variable)."""
    return "{{ " + (variable or register) + ".ansible_job_id }}"


def wait_module(jid: str) -> Pairs:
    """``ansible.builtin.async_status: {jid: ...}`` as pairs to render."""
    return ((WAIT_MODULE, (("jid", jid),)),)


def covering_retries(limit: float, delay: float) -> int:
    """The fewest retries, ``delay`` seconds apart, that cover ``limit`` seconds."""
    return max(1, math.ceil(limit / delay))


def retries_fix(task: Task, limit: float, default_delay: float) -> Fix | None:
    """Set `retries` (replacing it, or after `until`) so the wait covers a job of ``limit`` s."""
    delay = task.value("delay", default_delay)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay <= 0 or limit <= 0:
        return None
    retries = covering_retries(limit, delay)
    entry = task.entry("retries")
    edit = (replace_value(task.source, entry, str(retries)) if entry is not None else
            insert_entries(task.source, task.map, [f"retries: {retries}"], after=task.entry("until")))
    if edit is None:
        return None
    return Fix(f"Set `retries: {retries}` so that the wait covers `async: {limit:g}`", (edit,))


def wait_delay(limit: float) -> int:
    """The `delay` of a generated wait: every second for short jobs, Ansible's 5 s above a minute."""
    return 1 if limit <= 60 else 5
