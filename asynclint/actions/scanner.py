"""Read action plugin source with libcst and summarise how it treats async.

Nothing is imported or executed: the source is parsed, and each class's ``run()`` and
``__init__`` are walked path by path while tracking ``self._supports_async``. A path ends
at its first async-relevant event (see :class:`~asynclint.actions.summary.Outcome`):
``ActionBase.run`` performs the check (``super().run()`` or ``Base.run(self, ...)``), an
``action_loader.get("name", ...)`` hands the task to another action plugin (``shell`` runs
``command``), and ``if self._task.async_val: raise ...`` refuses async explicitly.
Paths that return or raise before any event do not decide anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import libcst as cst
import libcst.matchers as m

from asynclint.actions.summary import FLAGS, ClassSummary, FileSummary, Flag, Outcome

FLAG_ATTRIBUTE = "_supports_async"
UNKNOWN_BASE = "?"


def scan_source(source: str) -> FileSummary:
    """Summarise every top-level class of a plugin file; raises ``libcst.ParserSyntaxError``."""
    module = cst.parse_module(source)
    imports = _ImportCollector()
    module.visit(imports)
    local = frozenset(s.name.value for s in module.body if isinstance(s, cst.ClassDef))
    classes = {
        stmt.name.value: _summarize_class(stmt, imports, local)
        for stmt in module.body
        if isinstance(stmt, cst.ClassDef)
    }
    return FileSummary(MappingProxyType(classes))


# --- imports and base classes -------------------------------------------------------------


class _ImportCollector(cst.CSTVisitor):
    """Absolute imports of the file: names bound to classes and names bound to modules."""

    def __init__(self) -> None:
        super().__init__()
        self.classes: dict[str, str] = {}
        self.modules: dict[str, str] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name)
            if dotted is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.modules[alias.asname.name.value] = dotted
            else:
                head = dotted.split(".")[0]
                self.modules[head] = head

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = _dotted(node.module)
        if module is None:
            return
        for alias in node.names:
            name = _dotted(alias.name)
            if name is None:
                continue
            bound = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound = alias.asname.name.value
            self.classes[bound] = f"{module}:{name}"
            self.modules[bound] = f"{module}.{name}"


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


def _base_reference(expr: cst.BaseExpression, imports: _ImportCollector, local: frozenset[str]) -> str:
    dotted = _dotted(expr)
    if dotted is None:
        return UNKNOWN_BASE
    parts = dotted.split(".")
    if len(parts) == 1:
        if dotted in local:
            return f":{dotted}"
        return imports.classes.get(dotted, UNKNOWN_BASE)
    module = imports.modules.get(parts[0])
    if module is None:
        return UNKNOWN_BASE
    return ".".join([module, *parts[1:-1]]) + f":{parts[-1]}"


# --- classes ---------------------------------------------------------------------------------


def _summarize_class(node: cst.ClassDef, imports: _ImportCollector, local: frozenset[str]) -> ClassSummary:
    base_exprs = [arg.value for arg in node.bases if arg.keyword is None]
    walker = _Walker(frozenset(d for d in map(_dotted, base_exprs) if d is not None))
    body = _class_body(node)
    flags = [flag for stmt in body for flag in _class_flag_assignments(stmt)]
    methods = {s.name.value: s for s in body if isinstance(s, cst.FunctionDef)}
    init = methods.get("__init__")
    run = methods.get("run")
    return ClassSummary(
        bases=tuple(_base_reference(e, imports, local) for e in base_exprs),
        defines_flag=bool(flags),
        flag=flags[-1] if flags else None,
        init=None if init is None else walker.init_effect(init),
        run=None if run is None else walker.run_outcomes(run),
    )


def _class_body(node: cst.ClassDef) -> Sequence[cst.BaseStatement]:
    body = node.body
    if isinstance(body, cst.IndentedBlock):
        return body.body
    return (cst.SimpleStatementLine(body=body.body),)


def _class_flag_assignments(stmt: cst.BaseStatement) -> Iterable[Flag]:
    if not isinstance(stmt, cst.SimpleStatementLine):
        return
    for small in stmt.body:
        if isinstance(small, cst.Assign) and any(
            m.matches(t.target, m.Name(FLAG_ATTRIBUTE)) for t in small.targets
        ):
            yield _literal_flag(small.value)
        elif (
            isinstance(small, cst.AnnAssign)
            and small.value is not None
            and m.matches(small.target, m.Name(FLAG_ATTRIBUTE))
        ):
            yield _literal_flag(small.value)


def _literal_flag(expr: cst.BaseExpression) -> Flag:
    if m.matches(expr, m.Name("True")):
        return True
    if m.matches(expr, m.Name("False")):
        return False
    return None


# --- walking a method -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Flow:
    """Where the paths through a piece of code end up."""

    outcomes: frozenset[Outcome] = frozenset()
    live: frozenset[Flag] = frozenset()
    returned: frozenset[Flag] = frozenset()

    def __or__(self, other: _Flow) -> _Flow:
        return _Flow(
            self.outcomes | other.outcomes, self.live | other.live, self.returned | other.returned
        )


@dataclass(frozen=True)
class _SetFlag:
    flag: Flag


@dataclass(frozen=True)
class _Event:
    kind: str
    target: str = ""

    def outcome(self, flag: Flag) -> Outcome:
        if self.kind == "delegate":
            return Outcome("delegate", None, self.target)
        if self.kind == "refuse":
            return Outcome("check", False)
        return Outcome(self.kind, flag)  # type: ignore[arg-type]


_Effect = _SetFlag | _Event
_Then = Callable[[Flag], _Flow]
_SUPER = _Event("super")
_CHECK = _Event("check")
_REFUSE = _Event("refuse")
_FLAG_TARGET = m.Attribute(value=m.Name("self"), attr=m.Name(FLAG_ATTRIBUTE))


@dataclass(frozen=True)
class _Walker:
    """Abstract interpretation of one class's methods over the value of the flag."""

    base_names: frozenset[str] = field(default_factory=frozenset)

    def run_outcomes(self, run: cst.FunctionDef) -> Mapping[Flag, frozenset[Outcome]]:
        return MappingProxyType({f: self.suite(run.body, frozenset({f})).outcomes for f in FLAGS})

    def init_effect(self, init: cst.FunctionDef) -> Mapping[Flag, Flag]:
        def exit_flag(entry: Flag) -> Flag:
            flow = self.suite(init.body, frozenset({entry}))
            exits = flow.live | flow.returned
            return next(iter(exits)) if len(exits) == 1 else (entry if not exits else None)

        return MappingProxyType({f: exit_flag(f) for f in FLAGS})

    # statements

    def suite(self, suite: cst.BaseSuite, live: frozenset[Flag]) -> _Flow:
        if isinstance(suite, cst.IndentedBlock):
            return self.block(suite.body, live)
        return self.block((cst.SimpleStatementLine(body=suite.body),), live)

    def optional_suite(self, suite: cst.BaseSuite | None, live: frozenset[Flag]) -> _Flow:
        return _Flow(live=live) if suite is None else self.suite(suite, live)

    def block(self, stmts: Sequence[cst.BaseStatement], live: frozenset[Flag]) -> _Flow:
        flow = _Flow(live=live)
        for stmt in stmts:
            if not flow.live:
                break
            step = _Flow()
            for flag in flow.live:
                step = step | self.statement(stmt, flag)
            flow = _Flow(flow.outcomes | step.outcomes, step.live, flow.returned | step.returned)
        return flow

    def statement(self, stmt: cst.BaseStatement, flag: Flag) -> _Flow:
        if isinstance(stmt, cst.SimpleStatementLine):
            return self.small_statements(stmt.body, flag)
        if isinstance(stmt, cst.If):
            return self.if_statement(stmt, flag)
        if isinstance(stmt, (cst.For, cst.While)):
            return self.loop(stmt, flag)
        if isinstance(stmt, (cst.Try, cst.TryStar)):
            return self.try_statement(stmt, flag)
        if isinstance(stmt, cst.With):
            return self.after_effects(self.effects(stmt.items), flag, lambda f: self.suite(stmt.body, frozenset({f})))
        if isinstance(stmt, cst.Match):
            return self.after_effects(self.effects(stmt.subject), flag, lambda f: self.match(stmt, f))
        return _Flow(live=frozenset({flag}))

    def small_statements(self, smalls: Sequence[cst.BaseSmallStatement], flag: Flag) -> _Flow:
        for small in smalls:
            for effect in self.small_effects(small):
                if isinstance(effect, _SetFlag):
                    flag = effect.flag
                else:
                    return _Flow(outcomes=frozenset({effect.outcome(flag)}))
            if isinstance(small, cst.Return):
                return _Flow(returned=frozenset({flag}))
            if isinstance(small, cst.Raise):
                return _Flow()
        return _Flow(live=frozenset({flag}))

    def if_statement(self, stmt: cst.If, flag: Flag) -> _Flow:
        def branches(f: Flag) -> _Flow:
            live = frozenset({f})
            guard = _async_guard(stmt)
            if guard is not None:
                taken = _Flow(outcomes=frozenset({guard.outcome(f)}))
            else:
                taken = self.suite(stmt.body, live)
            orelse = stmt.orelse
            if isinstance(orelse, cst.If):
                return taken | self.statement(orelse, f)
            return taken | self.optional_suite(None if orelse is None else orelse.body, live)

        return self.after_effects(self.effects(stmt.test), flag, branches)

    def loop(self, stmt: cst.For | cst.While, flag: Flag) -> _Flow:
        head = stmt.iter if isinstance(stmt, cst.For) else stmt.test

        def body(f: Flag) -> _Flow:
            once = self.suite(stmt.body, frozenset({f}))
            live = once.live | {f}
            done = _Flow(once.outcomes, live, once.returned)
            if stmt.orelse is None:
                return done
            orelse = self.suite(stmt.orelse.body, live)
            return _Flow(done.outcomes | orelse.outcomes, orelse.live, done.returned | orelse.returned)

        return self.after_effects(self.effects(head), flag, body)

    def try_statement(self, stmt: cst.Try | cst.TryStar, flag: Flag) -> _Flow:
        live = frozenset({flag})
        body = self.suite(stmt.body, live)
        orelse = None if stmt.orelse is None else stmt.orelse.body
        flow = _Flow(body.outcomes, returned=body.returned) | self.optional_suite(orelse, body.live)
        for handler in stmt.handlers:
            flow = flow | self.suite(handler.body, live | body.live)
        if stmt.finalbody is None:
            return flow
        final = self.suite(stmt.finalbody.body, flow.live)
        return _Flow(flow.outcomes | final.outcomes, final.live, flow.returned | final.returned)

    def match(self, stmt: cst.Match, flag: Flag) -> _Flow:
        live = frozenset({flag})
        flow = _Flow(live=live)
        for case in stmt.cases:
            flow = flow | self.suite(case.body, live)
        return flow

    def after_effects(self, effects: Sequence[_Effect], flag: Flag, then: _Then) -> _Flow:
        for effect in effects:
            if isinstance(effect, _SetFlag):
                flag = effect.flag
            else:
                return _Flow(outcomes=frozenset({effect.outcome(flag)}))
        return then(flag)

    # expressions

    def small_effects(self, small: cst.BaseSmallStatement) -> list[_Effect]:
        if isinstance(small, cst.Assign):
            sets = [_SetFlag(_literal_flag(small.value))] if any(
                m.matches(t.target, _FLAG_TARGET) for t in small.targets
            ) else []
            return self.effects(small.value) + sets
        if isinstance(small, cst.AnnAssign) and small.value is not None:
            sets = [_SetFlag(_literal_flag(small.value))] if m.matches(small.target, _FLAG_TARGET) else []
            return self.effects(small.value) + sets
        return self.effects(small)

    def effects(self, node: cst.CSTNode | Sequence[cst.CSTNode]) -> list[_Effect]:
        collector = _CallCollector(self.base_names)
        for part in node if isinstance(node, Sequence) else (node,):
            part.visit(collector)
        return list(collector.events)


class _CallCollector(cst.CSTVisitor):
    """Async-relevant calls of an expression, in evaluation order (innermost first)."""

    def __init__(self, base_names: frozenset[str]) -> None:
        super().__init__()
        self.base_names = base_names
        self.events: list[_Event] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def leave_Call(self, original_node: cst.Call) -> None:
        event = _classify_call(original_node, self.base_names)
        if event is not None:
            self.events.append(event)


def _classify_call(call: cst.Call, base_names: frozenset[str]) -> _Event | None:
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    if method == "run" and m.matches(func.value, m.Call(func=m.Name("super"))):
        return _SUPER
    if (
        method == "run"
        and _dotted(func.value) in base_names
        and call.args
        and m.matches(call.args[0].value, m.Name("self"))
    ):
        return _SUPER
    if method == "get" and m.matches(func.value, m.Attribute(attr=m.Name("action_loader"))):
        return _Event("delegate", _string_literal(call.args[0].value) if call.args else "")
    return None


def _string_literal(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else ""
    return ""


def _async_guard(stmt: cst.If) -> _Event | None:
    """An ``if`` on ``self._task.async_val`` whose body raises.

    ``if self._task.async_val and not self._supports_async: raise ...`` is the check itself
    (``ActionBase.run``); without ``_supports_async`` in the test it refuses async outright.
    """
    test = stmt.test
    if m.matches(test, m.UnaryOperation(operator=m.Not())):
        return None
    if not m.findall(test, m.Attribute(attr=m.Name("async_val"))) or not _ends_in_raise(stmt.body):
        return None
    if m.findall(test, m.Attribute(value=m.Name("self"), attr=m.Name(FLAG_ATTRIBUTE))):
        return _CHECK
    return _REFUSE


def _ends_in_raise(suite: cst.BaseSuite) -> bool:
    last = suite.body[-1] if isinstance(suite, cst.IndentedBlock) else suite
    smalls = last.body if isinstance(last, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) else ()
    return bool(smalls) and isinstance(smalls[-1], cst.Raise)


def is_documentation_stub(source: str) -> bool:
    """A module file that holds only documentation strings (``meta``, ``include_tasks``...)."""
    for stmt in cst.parse_module(source).body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            return False
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom) and m.matches(small.module, m.Name("__future__")):
                continue
            value = small.value if isinstance(small, (cst.Assign, cst.Expr)) else None
            if not isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
                return False
    return True
