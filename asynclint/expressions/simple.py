"""The references of the common Jinja expressions, read without jinja2.

Most conditions and templates in playbooks are variables' attribute chains, tested, filtered,
compared or passed to a function: ``job.finished``, ``result is not failed``,
``r.status == 200``, ``{{ item.ansible_job_id }}``, ``{{ out.stdout | default('') }}``.
Templates add ``{% if %}``/``{% elif %}``/``{% else %}`` and ``{% for x in y [if z] %}`` blocks
(with ``{% else %}``), comments and ``-`` whitespace control: kubespray's templates are of
that kind. Reading them here spares a run the import of jinja2 (more instructions than a bare
parse of a thousand-task repository). The grammar below is a subset of Jinja's; within it,
the references are exactly those :mod:`asynclint.expressions.jinja_ast` finds in jinja2's
parse tree (``tests/test_expressions.py`` compares the two on generated expressions and
templates). Anything outside it (tuples, slices, floats, ``*args``, ``+`` whitespace control,
other statements, strings that are templates themselves) gives ``None``: jinja2 reads it.

::

    expression := or ("if" or ["else" expression])*
    or, and    := not (("or"|"and") not)*
    not        := "not" not | binary
    binary     := unary (OPERATOR unary)*        comparisons, "in", "not in", math, "~"
    unary      := ("-"|"+") unary-without-filters | primary postfix* suffix*
    suffix     := "|" NAME ("." NAME)* [arguments] | "is" ["not"] NAME ("." NAME)* [arguments]
    primary    := NAME | INTEGER | STRING | "(" expression ")" | "[" expression, ... "]"
                | "{" expression ":" expression, ... "}"
    postfix    := "." NAME | "[" expression "]" | arguments
    arguments  := "(" [NAME "="] expression, ... ")"

References come out in source order, whatever the precedence: every node but a test yields
its children's in the order they are written. Only ``not`` over a test and a test over a
variable's access chain change what a reference says.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

from asynclint.expressions.markers import is_templated
from asynclint.expressions.reference import Reference

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<integer>0(?![0-9A-Za-z_.])|[1-9][0-9]*(?![0-9A-Za-z_.]))
    | (?P<string>'(?:[^'\\\n]|\\[^\n])*'|"(?:[^"\\\n]|\\[^\n])*")
    | (?P<operator>\*\*|//|==|!=|<=|>=|[-+*/%~<>=|.,\[\](){}:])
    )""", re.VERBOSE)
_SPACE = re.compile(r"\s*\Z")
# names Jinja reads as keywords or constants where a variable would stand
_KEYWORDS = frozenset({"and", "or", "not", "in", "is", "if", "else"})
_CONSTANTS = {"true": True, "false": False, "True": True, "False": False, "none": None,
              "None": None}
_BINARY = frozenset({"==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "//", "%", "**",
                     "~"})
# what may follow a test's name without being read as its argument (`x is divisibleby 3`)
_AFTER_TEST = frozenset({("end", ""), ("name", "and"), ("name", "or"), ("name", "else"),
                         ("operator", ")"), ("operator", "]"), ("operator", ","),
                         ("operator", "|"), ("operator", "(")})


class _Outside(Exception):
    """The text is not in the subset (or not valid Jinja): leave it to jinja2."""


# A small tree shaped like jinja2's: ("name", str), ("const", value), ("attr", node, str),
# ("key", node, constant key), ("item", node, key node), ("call", callee, *arguments),
# ("filter", node, *arguments), ("test", node, name, *arguments), ("not", node),
# ("neg", node), and ("all", *children) for every node whose references are its children's in order.
Node = tuple[Any, ...]


class _Parser:
    def __init__(self, text: str):
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while not _SPACE.match(text, position):
            match = _TOKEN.match(text, position)
            if match is None:
                raise _Outside
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
        self.at = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.at + offset
        return self.tokens[index] if index < len(self.tokens) else ("end", "")

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        token_kind, token = self.peek()
        if (value is not None and token != value) or (kind is not None and token_kind != kind):
            raise _Outside
        self.at += 1
        return token

    def word(self, value: str) -> bool:
        return self.peek() == ("name", value)

    def whole(self) -> Node:
        node = self.expression()
        if self.peek()[0] != "end":
            raise _Outside
        return node

    def expression(self) -> Node:
        node = self.disjunction()
        while self.word("if"):
            self.at += 1
            test = self.disjunction()
            if self.word("else"):
                self.at += 1
                node = ("all", node, test, self.expression())
            else:
                node = ("all", node, test)
        return node

    def disjunction(self) -> Node:
        return self.joined("or", self.conjunction)

    def conjunction(self) -> Node:
        return self.joined("and", self.negation)

    def joined(self, word: str, operand: Callable[[], Node]) -> Node:
        """Operands joined by ``word`` (``and``, ``or``): their references in order."""
        node = operand()
        while self.word(word):
            self.at += 1
            node = ("all", node, operand())
        return node

    def negation(self) -> Node:
        if self.word("not"):
            self.at += 1
            return ("not", self.negation())
        return self.binary()

    def binary(self) -> Node:
        node = self.unary()
        while True:
            kind, token = self.peek()
            if kind == "operator" and token in _BINARY:
                self.at += 1
            elif self.word("in"):
                self.at += 1
            elif self.word("not") and self.peek(1) == ("name", "in"):
                self.at += 2
            else:
                return node
            node = ("all", node, self.unary())

    def unary(self, suffixes: bool = True) -> Node:
        if self.peek() in (("operator", "-"), ("operator", "+")):
            sign = "neg" if self.take() == "-" else "all"
            node = (sign, self.unary(suffixes=False))
        else:
            node = self.primary()
        node = self.postfix(node)
        while suffixes:
            if self.peek() == ("operator", "|"):
                self.at += 1
                self.dotted_name()
                node = ("filter", node, *self.arguments())
            elif self.word("is"):
                self.at += 1
                negated = self.word("not")
                self.at += negated
                node = ("test", node, self.dotted_name(), *self.arguments())
                if negated:
                    node = ("not", node)
                if self.peek() not in _AFTER_TEST and not (
                        self.peek()[0] == "operator" and self.peek()[1] in _BINARY):
                    raise _Outside  # Jinja would read what follows as the test's argument
            elif self.peek() == ("operator", "("):
                raise _Outside  # a call of a filter's or a test's result
            else:
                break
        return node

    def dotted_name(self) -> str:
        name = self.take(kind="name")
        while self.peek() == ("operator", "."):
            self.at += 1
            name += "." + self.take(kind="name")
        return name

    def arguments(self) -> list[Node]:
        """Positional then keyword arguments in parentheses, if any; their values in order."""
        if self.peek() != ("operator", "("):
            return []
        self.at += 1
        values: list[Node] = []
        keywords = False
        while self.peek() != ("operator", ")"):
            if values:
                self.take(",")
                if self.peek() == ("operator", ")"):
                    break  # a trailing comma
            if self.peek()[0] == "name" and self.peek(1) == ("operator", "="):
                self.at += 2
                keywords = True
            elif keywords:
                raise _Outside  # a positional argument after a keyword one
            values.append(self.expression())
        self.at += 1
        return values

    def primary(self) -> Node:
        kind, token = self.peek()
        self.at += 1
        if kind == "name":
            if token in _CONSTANTS:
                return ("const", _CONSTANTS[token])
            if token in _KEYWORDS:
                raise _Outside
            return ("name", token)
        if kind == "integer":
            return ("const", int(token))
        if kind == "string":
            value = _string_value(token)
            if is_templated(value) or self.peek()[0] == "string":
                raise _Outside  # Ansible renders it; adjacent strings join
            return ("const", value)
        if (kind, token) == ("operator", "{"):  # a dict: its keys and values in order
            return ("all", *(part for pair in self.separated("}", self.pair) for part in pair))
        if (kind, token) == ("operator", "("):
            node = self.expression()
            self.take(")")
            return node
        if (kind, token) == ("operator", "["):
            return ("all", *self.separated("]", self.expression))
        raise _Outside

    def separated(self, close: str, item: Callable[[], Any]) -> list[Any]:
        """Items separated by commas up to ``close`` (a trailing comma allowed), which is
        taken too."""
        items: list[Any] = []
        while self.peek() != ("operator", close):
            if items:
                self.take(",")
                if self.peek() == ("operator", close):
                    break
            items.append(item())
        self.at += 1
        return items

    def pair(self) -> tuple[Node, Node]:
        key = self.expression()
        self.take(":")
        return key, self.expression()

    def postfix(self, node: Node) -> Node:
        while True:
            token = self.peek()
            if token == ("operator", "."):
                self.at += 1
                node = ("attr", node, self.take(kind="name"))
            elif token == ("operator", "["):
                self.at += 1
                key = self.expression()
                self.take("]")
                constant = _constant_key(key)
                node = ("item", node, key) if constant is None else ("key", node, constant)
            elif token == ("operator", "("):
                node = ("call", node, *self.arguments())
            else:
                return node


def _string_value(token: str) -> str:
    """A string literal's value, its escapes read as jinja2's lexer reads them; an escape it
    rejects makes the template invalid."""
    text = token[1:-1]
    if "\\" not in text:
        return text
    try:
        return text.encode("ascii", "backslashreplace").decode("unicode-escape")
    except UnicodeDecodeError:
        raise _Outside from None


def _constant_key(node: Node) -> str | int | None:
    """The key of ``x['b']``, ``x[0]``, ``x[-1]``; ``None`` for a computed one (as jinja_ast)."""
    if node[0] == "const" and type(node[1]) in (str, int):
        return node[1]
    if node[0] == "neg" and node[1][0] == "const" and type(node[1][1]) is int:
        return -node[1][1]
    return None


_ACCESS = frozenset({"name", "attr", "key", "item"})


def _references(node: Node, tests: tuple[str, ...] = (), negated: bool = False
                ) -> Iterator[Reference]:
    kind = node[0]
    if kind in _ACCESS:
        attrs: list[str | int] = []
        while node[0] in ("attr", "key"):
            attrs.append(node[2])
            node = node[1]
        if node[0] == "name":
            yield Reference(node[1], tuple(reversed(attrs)), tests, negated)
        elif node[0] == "item":  # a computed key ends the chain: `a` and the key apiece
            yield from _references(node[1])
            yield from _references(node[2])
        else:
            yield from _references(node)
    elif kind == "not":
        inner, odd = node[1], True
        while inner[0] == "not":
            inner, odd = inner[1], not odd
        if inner[0] == "test":
            yield from _tested(inner, odd)
        else:
            yield from _references(inner)
    elif kind == "test":
        yield from _tested(node, False)
    elif kind == "call":
        callee = node[1]
        if callee[0] == "attr":  # `a.b.get(c)` reads `a.b`, not `get`
            yield from _references(callee[1])
        elif callee[0] != "name":  # a called bare name is a function
            yield from _references(callee)
        for argument in node[2:]:
            yield from _references(argument)
    elif kind == "filter":
        for child in node[1:]:
            yield from _references(child)
    elif kind in ("all", "neg"):
        for child in node[1:]:
            yield from _references(child)


def _tested(node: Node, negated: bool) -> Iterator[Reference]:
    subject = node[1]
    if subject[0] in _ACCESS:
        yield from _references(subject, (node[2],), negated)
    else:
        yield from _references(subject)
    for argument in node[3:]:
        yield from _references(argument)


def expression_references(text: str) -> tuple[Reference, ...] | None:
    """The references of a bare expression in the subset; ``None`` outside it."""
    try:
        return tuple(_references(_Parser(text).whole()))
    except (_Outside, RecursionError):
        return None


_DELIMITERS = re.compile(r"\{[{%#]")
_ENDS = {"{{": "}}", "{%": "%}", "{#": "#}"}


def _tags(text: str) -> Iterator[tuple[str, str]] | None:
    """The tags of a template in order, as (start delimiter, what is inside without
    whitespace control); ``None`` when it splits in a way jinja2 might not."""
    tags: list[tuple[str, str]] = []
    position = 0
    while (match := _DELIMITERS.search(text, position)) is not None:
        start = match.start()
        if any(end in text[position:start] for end in _ENDS.values()):
            return None  # an end without its start: jinja2 may read it otherwise
        kind = match.group()
        end = text.find(_ENDS[kind], start + 2)
        if end < 0:
            return None
        inner = text[start + 2:end].removeprefix("-").removesuffix("-")
        if any(mark in inner for mark in ("{{", "{%", "{#")) \
                or inner.startswith(("-", "+")) or inner.endswith(("-", "+")):
            return None  # nested delimiters, `+` whitespace control, a sign next to `-`
        tags.append((kind, inner))
        position = end + 2
    if any(end in text[position:] for end in _ENDS.values()):
        return None
    return iter(tags)


def _bind(parser: _Parser) -> frozenset[str]:
    """The names a ``for`` binds: ``x`` or ``k, v``."""
    names = set()
    while True:
        name = parser.take(kind="name")
        if name in _KEYWORDS or name in _CONSTANTS:
            raise _Outside  # jinja2 cannot assign to it
        names.add(name)
        if parser.peek() != ("operator", ","):
            return frozenset(names)
        parser.at += 1


def _free(node: Node, bound: frozenset[str]) -> Iterator[Reference]:
    return (reference for reference in _references(node) if reference.name not in bound)


def _statement(inner: str, stack: list[tuple[str, frozenset[str]]],
               bound: frozenset[str]) -> tuple[list[Reference], frozenset[str]]:
    """Read one ``{% %}`` tag: its references, and the names bound after it. ``stack`` holds
    the open blocks, each with the names bound outside it."""
    parser = _Parser(inner)
    keyword = parser.take(kind="name")
    found: list[Reference] = []
    if keyword in ("if", "elif"):
        if keyword == "elif" and (not stack or stack[-1][0] != "if"):
            raise _Outside
        found.extend(_free(parser.disjunction(), bound))  # no `x if y else z` here
        if keyword == "if":
            stack.append(("if", bound))
    elif keyword == "for":
        targets = _bind(parser)
        parser.take("in", kind="name")
        found.extend(_free(parser.disjunction(), bound))
        inner_bound = bound | targets | {"loop"}
        if parser.word("if"):
            parser.at += 1
            found.extend(_free(parser.expression(), inner_bound))
        stack.append(("for", bound))
        bound = inner_bound
    elif keyword == "else":
        if not stack or stack[-1][0] not in ("if", "for"):
            raise _Outside
        block, outside = stack.pop()
        stack.append((block + " else", outside))  # nothing but its end may follow
        bound = outside
    elif keyword in ("endif", "endfor"):
        if not stack or stack[-1][0].split()[0] != keyword[3:]:
            raise _Outside
        bound = stack.pop()[1]
    else:
        raise _Outside  # set, macro, raw, include...: jinja2 reads them
    if parser.peek()[0] != "end":
        raise _Outside
    return found, bound


def template_references(text: str) -> tuple[Reference, ...] | None:
    """The references of a template whose Jinja is ``{{ expression }}``, comments and
    ``{% if %}``/``{% for %}`` blocks in the subset: names a ``for`` binds (and ``loop``) are
    not references inside it."""
    if text.startswith("#jinja2:"):
        return None
    tags = _tags(text)
    if tags is None:
        return None
    found: list[Reference] = []
    stack: list[tuple[str, frozenset[str]]] = []
    bound: frozenset[str] = frozenset()
    try:
        for kind, inner in tags:
            if kind == "{{":
                found.extend(_free(_Parser(inner).whole(), bound))
            elif kind == "{%":
                references, bound = _statement(inner, stack, bound)
                found.extend(references)
    except (_Outside, RecursionError):
        return None
    if stack:
        return None  # a block left open: not valid Jinja
    return tuple(found)
