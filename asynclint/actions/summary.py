"""What one action plugin file says about async support, independent of where it lives.

The scanner turns a plugin's source into a :class:`FileSummary`; the resolver later
combines summaries (inheritance, delegation) into a verdict. A summary depends only on
the file's text, so it can be cached by content hash and shipped as JSON.

``Flag`` is the value of ``self._supports_async`` as far as static reading can tell:
``True``, ``False`` or ``None`` (not known, e.g. computed at run time).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

from asynclint.structs import struct

Flag = bool | None
FLAGS: tuple[Flag, ...] = (True, False, None)

OutcomeKind = Literal["check", "super", "delegate"]

_FLAG_TEXT: Mapping[Flag, str] = MappingProxyType({True: "true", False: "false", None: "unknown"})
_TEXT_FLAG: Mapping[str, Flag] = MappingProxyType({v: k for k, v in _FLAG_TEXT.items()})


@struct(frozen=True)
class Outcome:
    """An async-relevant event on a path through an action's ``run()``.

    - ``check``: the async check happens with ``flag`` (``ActionBase.run`` itself, or an
      explicit ``if self._task.async_val: raise ...``, recorded as ``check:false``).
    - ``super``: the parent class's ``run()`` is called while ``self._supports_async`` is ``flag``.
    - ``delegate``: another action plugin, ``target`` (``""`` when not a literal), is fetched
      from ``action_loader`` and run in its own right.
    """

    kind: OutcomeKind
    flag: Flag = None
    target: str = ""

    def encode(self) -> str:
        if self.kind == "delegate":
            return f"delegate:{self.target}"
        return f"{self.kind}:{_FLAG_TEXT[self.flag]}"

    @classmethod
    def decode(cls, text: str) -> Outcome:
        kind, _, rest = text.partition(":")
        if kind == "delegate":
            return cls("delegate", None, rest)
        if kind in ("check", "super") and rest in _TEXT_FLAG:
            return cls(kind, _TEXT_FLAG[rest])  # type: ignore[arg-type]
        raise ValueError(f"not an outcome: {text!r}")


FlagMap = Mapping[Flag, Flag]
EventPath = tuple[Outcome, ...]
OutcomeMap = Mapping[Flag, frozenset[EventPath]]


@struct(frozen=True)
class ClassSummary:
    """One class of a plugin file.

    ``bases`` are references ``"module.path:Name"`` (``":Name"`` for a class of the same
    file, ``"?"`` for a base that cannot be named statically). ``flag`` is the class
    attribute ``_supports_async`` (``defines_flag`` tells whether the class sets it at all).
    ``init`` maps the flag on entry to ``__init__`` to the flag on exit; ``run`` maps the
    flag on entry to ``run()`` to the events along each of its paths (paths with no event
    are left out). Both are ``None`` when the class does not define that method.
    """

    bases: tuple[str, ...]
    defines_flag: bool
    flag: Flag
    init: FlagMap | None
    run: OutcomeMap | None


@struct(frozen=True)
class FileSummary:
    """The classes of one plugin file, by name."""

    classes: Mapping[str, ClassSummary]


def flag_to_json(flag: Flag) -> str:
    return _FLAG_TEXT[flag]


def flag_from_json(text: str) -> Flag:
    return _TEXT_FLAG[text]


def class_to_json(summary: ClassSummary) -> dict[str, Any]:
    data: dict[str, Any] = {"bases": list(summary.bases)}
    if summary.defines_flag:
        data["flag"] = flag_to_json(summary.flag)
    if summary.init is not None:
        data["init"] = {flag_to_json(k): flag_to_json(v) for k, v in summary.init.items()}
    if summary.run is not None:
        data["run"] = {
            flag_to_json(k): sorted([o.encode() for o in path] for path in v)
            for k, v in summary.run.items()
        }
    return data


def class_from_json(data: Mapping[str, Any]) -> ClassSummary:
    init = data.get("init")
    run = data.get("run")
    return ClassSummary(
        bases=tuple(str(b) for b in data["bases"]),
        defines_flag="flag" in data,
        flag=flag_from_json(data["flag"]) if "flag" in data else None,
        init=None
        if init is None
        else MappingProxyType({flag_from_json(k): flag_from_json(v) for k, v in init.items()}),
        run=None
        if run is None
        else MappingProxyType(
            {
                flag_from_json(k): frozenset(tuple(Outcome.decode(o) for o in path) for path in v)
                for k, v in run.items()
            }
        ),
    )


def file_to_json(summary: FileSummary) -> dict[str, Any]:
    return {name: class_to_json(cls) for name, cls in sorted(summary.classes.items())}


def file_from_json(data: Mapping[str, Any]) -> FileSummary:
    """Inverse of :func:`file_to_json`; raises ``KeyError``/``ValueError``/``TypeError`` on bad data."""
    return FileSummary(
        MappingProxyType({str(name): class_from_json(cls) for name, cls in data.items()})
    )
