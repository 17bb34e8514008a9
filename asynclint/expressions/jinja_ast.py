"""Free variables of Jinja source, read from jinja2's own parse tree; nothing is ever rendered.

This is the only module of asynclint that imports jinja2.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator

from jinja2 import Environment, nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.parser import Parser

from asynclint.expressions.markers import is_templated
from asynclint.expressions.reference import Reference

# Ansible enables no extension by default; these two only add statements
# (`{% do %}`, `{% break %}`, `{% continue %}`) some projects switch on.
_ENVIRONMENT = Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])

_ACCESS = (nodes.Name, nodes.Getattr, nodes.Getitem)
# Names a macro body may use without their being passed in.
_MACRO_LOCALS = frozenset({"varargs", "kwargs", "caller"})

Bound = frozenset[str]
Walk = Generator[Reference, None, Bound]


def template_references(text: str) -> tuple[Reference, ...]:
    """References in a template; () when it is not valid Jinja or too deeply nested to read."""
    try:
        template = _ENVIRONMENT.parse(text)
        return tuple(_statements(template.body, frozenset()))
    except (TemplateSyntaxError, RecursionError):
        return ()


def expression_references(text: str) -> tuple[Reference, ...]:
    """References in a bare expression; () when it is not a valid Jinja expression.

    Ansible renders string constants of a conditional that look like templates
    (``x == "{{ y }}"``, with a deprecation warning): their references follow the
    expression's own.
    """
    try:
        parser = Parser(_ENVIRONMENT, text, state="variable")
        expression = parser.parse_expression()
        if not parser.stream.eos:
            return ()
        own = tuple(_expression(expression, frozenset()))
    except (TemplateSyntaxError, RecursionError):
        return ()
    embedded = (
        reference
        for constant in expression.find_all(nodes.Const)
        if is_templated(constant.value)
        for reference in template_references(constant.value)
    )
    return own + tuple(embedded)


def _statements(body: Iterable[nodes.Node], bound: Bound) -> Walk:
    """Walk statements in order; a `{% set %}` binds its names for the statements after it."""
    for node in body:
        bound = yield from _statement(node, bound)
    return bound


def _statement(node: nodes.Node, bound: Bound) -> Walk:
    """Yield the references of one statement and return the names bound after it."""
    match node:
        case nodes.Output():
            for child in node.nodes:
                yield from _expression(child, bound)
            return bound
        case nodes.For():
            yield from _expression(node.iter, bound)
            inner = bound | _target_names(node.target) | {"loop"}
            if node.test is not None:
                yield from _expression(node.test, inner)
            yield from _statements(node.body, inner)
            yield from _statements(node.else_, bound)
            return bound
        case nodes.If():
            # An `if` opens no scope: what a branch sets stays set after it.
            yield from _expression(node.test, bound)
            after_body = yield from _statements(node.body, bound)
            after_elif = yield from _statements(node.elif_, bound)
            after_else = yield from _statements(node.else_, bound)
            return after_body | after_elif | after_else
        case nodes.Assign():
            yield from _expression(node.node, bound)
            yield from _namespace_reads(node.target, bound)
            return bound | _target_names(node.target)
        case nodes.AssignBlock():
            yield from _statements(node.body, bound)
            if node.filter is not None:
                yield from _expression(node.filter, bound)
            yield from _namespace_reads(node.target, bound)
            return bound | _target_names(node.target)
        case nodes.Macro():
            yield from _callable_body(node.args, node.defaults, node.body, bound | {node.name})
            return bound | {node.name}
        case nodes.CallBlock():
            yield from _expression(node.call, bound)
            yield from _callable_body(node.args, node.defaults, node.body, bound)
            return bound
        case nodes.With():
            for value in node.values:
                yield from _expression(value, bound)
            targets = frozenset().union(*(_target_names(target) for target in node.targets))
            yield from _statements(node.body, bound | targets)
            return bound
        case nodes.Import():
            yield from _expression(node.template, bound)
            return bound | {node.target}
        case nodes.FromImport():
            yield from _expression(node.template, bound)
            return bound | {name if isinstance(name, str) else name[1] for name in node.names}
        case _:
            # Block, Scope, FilterBlock, Include, Extends, `do`, `break`, ...: children in order.
            inner = bound
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Stmt):
                    inner = yield from _statement(child, inner)
                else:
                    yield from _expression(child, inner)
            return bound


def _callable_body(
    args: list[nodes.Name], defaults: list[nodes.Expr], body: list[nodes.Node], bound: Bound
) -> Iterator[Reference]:
    """References of a macro (or call block): defaults read outside, the body sees its arguments."""
    for default in defaults:
        yield from _expression(default, bound)
    yield from _statements(body, bound | {arg.name for arg in args} | _MACRO_LOCALS)


def _target_names(target: nodes.Node) -> Bound:
    """Names an assignment or loop target binds (`x`, `a, b`); `ns.attr` binds none."""
    match target:
        case nodes.Name():
            return frozenset({target.name})
        case nodes.Tuple():
            return frozenset().union(*(_target_names(item) for item in target.items))
        case _:
            return frozenset()


def _namespace_reads(target: nodes.Node, bound: Bound) -> Iterator[Reference]:
    """`{% set ns.count = 1 %}` reads `ns`."""
    if isinstance(target, nodes.NSRef) and target.name not in bound:
        yield Reference(target.name)


def _expression(node: nodes.Node, bound: Bound) -> Iterator[Reference]:
    """Yield the free references of an expression in source order."""
    match node:
        case nodes.Name() | nodes.Getattr() | nodes.Getitem():
            yield from _access(node, bound)
        case nodes.Not():
            inner, negated = _strip_not(node)
            if isinstance(inner, nodes.Test):
                yield from _test(inner, bound, negated)
            else:
                yield from _expression(inner, bound)
        case nodes.Test():
            yield from _test(node, bound, negated=False)
        case nodes.Call():
            yield from _call(node, bound)
        case nodes.CondExpr():
            yield from _expression(node.expr1, bound)
            yield from _expression(node.test, bound)
            if node.expr2 is not None:
                yield from _expression(node.expr2, bound)
        case _:
            for child in node.iter_child_nodes():
                yield from _expression(child, bound)


def _access(
    node: nodes.Node, bound: Bound, tests: tuple[str, ...] = (), negated: bool = False
) -> Iterator[Reference]:
    """A variable and its constant attribute/subscript chain, as one reference."""
    base, attrs = _chain(node)
    match base:
        case nodes.Name():
            if base.name not in bound:
                yield Reference(base.name, attrs, tests, negated)
        case nodes.Getitem():
            # A computed key (`a[x]`, `a[1:]`) ends the chain: `a` and `x` are read apiece.
            yield from _access(base.node, bound)
            yield from _expression(base.arg, bound)
        case _:
            yield from _expression(base, bound)


def _chain(node: nodes.Node) -> tuple[nodes.Node, tuple[str | int, ...]]:
    """Split `a.b[0]['c']` into its base `a` and the constant chain `("b", 0, "c")`."""
    reversed_attrs: list[str | int] = []
    while True:
        if isinstance(node, nodes.Getattr):
            reversed_attrs.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and (key := _constant_key(node.arg)) is not None:
            reversed_attrs.append(key)
            node = node.node
        else:
            return node, tuple(reversed(reversed_attrs))


def _constant_key(arg: nodes.Node) -> str | int | None:
    """The key of a constant subscript (`['b']`, `[0]`, `[-1]`), else None."""
    match arg:
        case nodes.Const(value=bool()):
            return None
        case nodes.Const(value=str() | int() as value):
            return value
        case nodes.Neg(node=nodes.Const(value=int() as value)) if not isinstance(value, bool):
            return -value
        case _:
            return None


def _strip_not(node: nodes.Not) -> tuple[nodes.Node, bool]:
    """The operand under a run of `not`s, and whether their count is odd."""
    inner: nodes.Node = node
    negated = False
    while isinstance(inner, nodes.Not):
        inner = inner.node
        negated = not negated
    return inner, negated


def _test(node: nodes.Test, bound: Bound, negated: bool) -> Iterator[Reference]:
    """`x is finished`: the test attaches to `x` when `x` is a plain access."""
    if isinstance(node.node, _ACCESS):
        yield from _access(node.node, bound, (node.name,), negated)
    else:
        yield from _expression(node.node, bound)
    yield from _arguments(node, bound)


def _call(node: nodes.Call, bound: Bound) -> Iterator[Reference]:
    """A call reads its arguments; `a.b.get('c')` reads `a.b`, the method name is not an attribute.

    A called bare name (`lookup(...)`, `range(...)`, `query(...)`) is a function, not a variable.
    """
    match node.node:
        case nodes.Getattr(node=receiver):
            yield from _expression(receiver, bound)
        case nodes.Name():
            pass
        case callee:
            yield from _expression(callee, bound)
    yield from _arguments(node, bound)


def _arguments(node: nodes.Call | nodes.Test, bound: Bound) -> Iterator[Reference]:
    """References in positional, keyword, `*args` and `**kwargs` arguments."""
    for argument in (*node.args, *node.kwargs, node.dyn_args, node.dyn_kwargs):
        if argument is not None:
            yield from _expression(argument, bound)
