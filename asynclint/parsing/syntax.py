"""Whether a file surely composes, decided without building any node.

libyaml's parser runs over the bytes in C (no events reach Python), about ten times faster
than composing. A file is said to compose only when nothing that :func:`compose_documents`
checks beyond the parser can fail: it is UTF-8 without NUL bytes, holds nothing that looks like
an alias (``*name``: the composer rejects an undefined anchor) and cannot nest deeper than the
composer accepts. ``False`` means "maybe not": read the file to find out.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Callable

# an alias starts a node: at the start of a line (after a BOM too), after a space or a flow
# indicator, or right after the `:` of a quoted key in a flow mapping (`{"a":*x}`)
_ALIAS = re.compile(rb"(?:^|\xef\xbb\xbf|[\s\[{,:])\*", re.MULTILINE)
_ALIAS_TEXT = re.compile(r"(?:^|\ufeff|[\s\[{,:])\*", re.MULTILINE)
# the composer gives up somewhere above 490 levels (its own limit, or Python's recursion)
SAFE_DEPTH = 400
_USUAL = 64  # no line of a usual file starts with this many spaces and indicators


@cache
def _deep(width: int, text: bool) -> Callable[[bytes | str], bool]:
    """Whether a line starts with ``width`` spaces and indicators, in text or in bytes.

    Sought as a newline and the run, the first line apart: a pattern starting with a newline
    is found by a fast scan for the newline, where ``^`` (multiline) is tried at every
    character (three times slower on the usual file).
    """
    run = rf"[ \-?:]{{{width}}}"
    first = re.compile(run if text else run.encode())
    later = re.compile(("\n" + run) if text else ("\n" + run).encode())

    def found(data: bytes | str) -> bool:
        return first.match(data) is not None or later.search(data) is not None

    return found


def shallow(data: bytes | str, limit: int = SAFE_DEPTH) -> bool:
    """True when no YAML in ``data`` (bytes, or the text decoded from them) can nest deeper
    than ``limit`` levels.

    A block collection nested in another starts on a new line further right, or at the same
    column for a sequence under a mapping key, or after a `-`/`?`/`:` indicator at the start
    of its line (``- - x``): at most two levels per leading column (spaces and indicators).
    Flow collections need a bracket each. Long lines of text cost nothing.
    """
    text = isinstance(data, str)
    brackets = data.count("[" if text else b"[") + data.count("{" if text else b"{")
    if 2 * len(data) + 2 + brackets <= limit:
        return True
    widest = (limit - 2 - brackets) // 2  # the widest leading run that stays within it
    if widest < 0:
        return False
    if widest >= _USUAL and not _deep(_USUAL, text)(data):
        return True  # the common case, with the one pattern every file uses
    return not _deep(widest + 1, text)(data)


def _decodes(data: bytes) -> bool:
    if b"\x00" in data[:8192]:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@cache
def _c_parser() -> Any:
    try:  # the C extension (ruamel.yaml.clibz) is optional
        from ruamel.yaml.cyaml import CParser
    except ImportError:  # pragma: no cover - depends on the platform
        return None
    return CParser


def _c_parses(data: bytes) -> bool:
    parser_class = _c_parser()
    if parser_class is None:  # pragma: no cover - depends on the platform
        return False
    parser = parser_class(data)
    try:
        parser.raw_parse()
    except Exception:  # ruamel raises many types; all of them mean "not sure"
        return False
    finally:
        parser.dispose()
    return True


def may_alias(data: bytes | str) -> bool:
    """Something in ``data`` (bytes, or the text decoded from them) may be an alias."""
    if isinstance(data, str):
        return "*" in data and _ALIAS_TEXT.search(data) is not None
    return b"*" in data and _ALIAS.search(data) is not None


def surely_composes(data: bytes) -> bool:
    return _decodes(data) and not may_alias(data) and shallow(data) and _c_parses(data)
