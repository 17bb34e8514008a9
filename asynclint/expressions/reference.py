"""The value the expression reader returns: one read of a variable."""

from __future__ import annotations

from asynclint.structs import struct


@struct(frozen=True, slots=True)
class Reference:
    """One read of a free variable, with the constant access chain that follows it.

    ``async_result.results[0].ansible_job_id is not finished`` reads as
    ``Reference("async_result", ("results", 0, "ansible_job_id"), ("finished",), negated=True)``.
    ``tests`` holds the Jinja test applied directly to this access (``x is finished``);
    ``negated`` is true when that test's result is negated (``x is not finished``,
    ``not x is finished``).
    """

    name: str
    attrs: tuple[str | int, ...] = ()
    tests: tuple[str, ...] = ()
    negated: bool = False

    @property
    def dotted(self) -> str:
        """The access as one dotted path: ``async_result.results.0.ansible_job_id``."""
        return ".".join((self.name, *map(str, self.attrs)))
