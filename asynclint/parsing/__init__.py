"""The YAML layer: read a file once, compose it, keep exact character spans.

ruamel.yaml lives here and nowhere else. The rest of asynclint sees frozen
:mod:`asynclint.parsing.nodes` values whose ``start``/``end`` are offsets into
the decoded text of the file.
"""

from asynclint.parsing.nodes import YEntry, YMap, YNode, YScalar, YSeq
from asynclint.parsing.source import ParseError, Source, read_source, source_from_text
from asynclint.parsing.compose import compose_documents

__all__ = [
    "ParseError",
    "Source",
    "YEntry",
    "YMap",
    "YNode",
    "YScalar",
    "YSeq",
    "compose_documents",
    "read_source",
    "source_from_text",
]
