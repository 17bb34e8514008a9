"""Compose YAML text into frozen nodes, with ruamel.yaml's C composer when available."""

from __future__ import annotations

import warnings
from functools import cache
from typing import Any

from asynclint.parsing.direct import compose_direct, suited
from asynclint.parsing.nodes import YNode, new_entry, new_map, new_scalar, new_seq
from asynclint.parsing.source import BOM, ParseError, Source

_STANDARD_TAG = "tag:yaml.org,2002:"
MAX_DEPTH = 500


@cache
def _c_loader() -> Any:
    """ruamel.yaml's C loader, imported on first use (ruamel loads all of itself with it).

    Its resolver is a constant: the converter keeps only local tags (:func:`_tag`) and reads
    plain scalars itself (:meth:`YScalar.python`), so matching every plain scalar against
    YAML's implicit types, as ruamel's resolver does, would be wasted.
    """
    try:  # the C extension (ruamel.yaml.clibz) is optional
        from ruamel.yaml.cyaml import CParser
        from ruamel.yaml.tag import Tag
    except ImportError:  # pragma: no cover - depends on the platform
        return None
    standard = Tag(suffix=_STANDARD_TAG + "str")
    _RESOLVED.append(standard)

    class Loader(CParser):  # type: ignore[misc, valid-type]
        """The parser and composer alone: ``CBaseLoader`` also sets up a constructor and a
        resolver, in Python, for every file, and the composer needs neither (a tenth of the
        cost of composing a usual file)."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            return standard

        def descend_resolver(self, parent: Any, index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

    return Loader


_RESOLVED: list[Any] = []  # the one tag the C loader's resolver gives


def c_available() -> bool:
    return _c_loader() is not None


def _raw_documents(text: str, use_c: bool) -> tuple[list[Any], int]:
    """ruamel nodes of every document, and the offset to add to their marks."""
    if use_c and c_available():
        loader = _c_loader()(text)
        try:
            documents = []
            while loader.check_node():
                documents.append(loader.get_node())
        finally:
            loader.dispose()
        # libyaml counts characters but not a leading BOM
        return documents, (1 if text.startswith(BOM) else 0)
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    with warnings.catch_warnings():  # a reused anchor is valid YAML: no warning on stderr
        warnings.simplefilter("ignore")
        return list(yaml.compose_all(text)), 0


def _tag(raw: Any) -> str | None:
    """A node's local tag; ``None`` for the standard ones (``!!str``, resolved or written)."""
    ctag = getattr(raw, "ctag", None)  # ruamel's Tag: read its parts, skip building a string
    if _RESOLVED and ctag is _RESOLVED[0]:
        return None
    if ctag is not None and ctag.handle is None and type(ctag.suffix) is str \
            and ctag.suffix.startswith(_STANDARD_TAG) and "%" not in ctag.suffix:
        return None
    tag = raw.tag
    if tag is None or tag.startswith(_STANDARD_TAG) or tag in ("!", "?"):
        return None
    return tag


class _Converter:
    """ruamel nodes to frozen nodes; aliases stay shared, depth is bounded."""

    def __init__(self, shift: int):
        self.shift = shift
        self.memo: dict[int, YNode] = {}
        self.standard = _RESOLVED[0] if _RESOLVED else None  # needs no _tag()

    def convert(self, raw: Any, depth: int = 0) -> YNode:
        shift = self.shift
        if raw.id == "scalar":  # a leaf: an alias of it is an equal scalar, no need to share
            return new_scalar(raw.value, raw.start_mark.index + shift,
                              raw.end_mark.index + shift, raw.style or "",
                              None if raw.ctag is self.standard else _tag(raw))
        known = self.memo.get(id(raw))
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            mark = raw.start_mark
            raise ParseError(
                f"nesting deeper than {MAX_DEPTH} levels", mark.line + 1, mark.column + 1
            )
        start = raw.start_mark.index + shift
        end = raw.end_mark.index + shift
        convert = self.convert
        depth += 1
        node: YNode
        if raw.id == "sequence":
            items = tuple([convert(child, depth) for child in raw.value])
            node = new_seq(items, start, end, bool(raw.flow_style), _tag(raw))
        else:
            entries = tuple([new_entry(convert(k, depth), convert(v, depth))
                             for k, v in raw.value])
            node = new_map(entries, start, end, bool(raw.flow_style), _tag(raw))
        self.memo[id(raw)] = node
        return node


def compose_documents(source: Source, use_c: bool = True) -> tuple[YNode | None, ...]:
    """Every document of ``source`` as frozen nodes (``None`` for an empty document), merge
    keys expanded as Ansible expands them (:mod:`asynclint.parsing.merge`)."""
    documents = _compose(source, use_c)
    if "<<" not in source.text:
        return documents
    from asynclint.parsing.merge import expand_merges

    return tuple(expand_merges(document) for document in documents)


def _compose(source: Source, use_c: bool) -> tuple[YNode | None, ...]:
    text = source.text
    if use_c and suited(text, MAX_DEPTH):
        try:
            documents = compose_direct(text, 1 if text.startswith(BOM) else 0)
        except Exception:  # bad YAML (or too deep for C): the way below says what and where
            documents = None
        if documents is not None:
            return tuple(documents)
    try:
        raw_documents, shift = _raw_documents(source.text, use_c)
    except RecursionError:
        raise ParseError("nesting too deep to parse") from None
    except Exception as error:  # ruamel raises many types; all of them mean bad YAML
        if not (use_c and c_available()):
            raise _as_parse_error(error, source) from None
        # the C composer's libyaml is older than Ansible's and rejects some valid YAML
        # (`[db, db:create]`): only what the pure composer rejects too is an error
        return _compose(source, use_c=False)
    converter = _Converter(shift)
    try:
        return tuple(
            None if raw is None else converter.convert(raw) for raw in raw_documents
        )
    except RecursionError:
        raise ParseError("nesting too deep to parse") from None


def _as_parse_error(error: Exception, source: Source) -> ParseError:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    message = " ".join(part for part in (context, problem) if part) or str(error).splitlines()[0]
    if mark is None:
        return ParseError(message)
    line = mark.line + 1
    column = mark.column + 1
    return ParseError(message, line, column)
