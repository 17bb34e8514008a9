"""Pieces of generated waits: fresh register names and the `finished` test the file uses."""

from __future__ import annotations

import re

from asynclint.fixes.yaml_edit import Pairs

WAIT_MODULE = "ansible.builtin.async_status"


def fresh_name(text: str, base: str) -> str:
    """``base``, or ``base_2``, ``base_3``... whichever word ``text`` does not use yet."""
    candidate, number = base, 1
    while re.search(rf"(?<![\w.]){re.escape(candidate)}(?!\w)", text):
        number += 1
        candidate = f"{base}_{number}"
    return candidate


def finished_test(text: str, register: str) -> str:
    """``<register> is finished``, or ``<register>.finished`` when the file only uses that form."""
    if re.search(r"\.finished\b", text) and not re.search(r"\bis\s+finished\b", text):
        return f"{register}.finished"
    return f"{register} is finished"


def job_id(register: str, variable: str | None = None) -> str:
    """The template of a job id: ``{{ reg.ansible_job_id }}`` (or of a loop variable)."""
    return "{{ " + (variable or register) + ".ansible_job_id }}"


def wait_module(jid: str) -> Pairs:
    """``ansible.builtin.async_status: {jid: ...}`` as pairs to render."""
    return ((WAIT_MODULE, (("jid", jid),)),)
