"""Read action plugin source with libcst and summarise how it treats async.

Nothing is imported or executed: the source is parsed, and each class's ``run()`` and
``__init__`` are walked path by path while tracking ``self._supports_async``. Along each
path the scanner records the async-relevant events (see
:class:`~asynclint.actions.summary.Outcome`): ``ActionBase.run`` performs the check
(``super().run()`` or ``Base.run(self, ...)``), ``action_loader.get("name", ...)`` hands the
task to another action plugin which checks again (``shell`` runs ``command``, ``template``
runs ``copy``), and ``if self._task.async_val: raise ...`` refuses async explicitly.
Paths that raise are dropped: the task fails for a reason of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Literal

import libcst as cst
import libcst.matchers as m

from asynclint.actions.summary import FLAGS, ClassSummary, EventPath, FileSummary, Flag, Outcome
from asynclint.structs import struct, field

FLAG_ATTRIBUTE = "_supports_async"
UNKNOWN_BASE = "?"
_FLAG_TARGET = m.Attribute(value=m.Name("self"), attr=m.Name(FLAG_ATTRIBUTE))


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
    body = _class_body(node)
    methods = {s.name.value: s for s in body if isinstance(s, cst.FunctionDef)}
    walker = _Walker(
        base_names=frozenset(d for d in map(_dotted, base_exprs) if d is not None),
        flag_setters=frozenset(
            name
            for name, method in methods.items()
            if name not in ("run", "__init__") and _assigns_flag(method)
        ),
    )
    flags = [flag for stmt in body for flag in _class_flag_definitions(stmt)]
    init = methods.get("__init__")
    run = methods.get("run")
    return ClassSummary(
        bases=tuple(_base_reference(e, imports, local) for e in base_exprs),
        defines_flag=bool(flags),
        flag=flags[-1] if flags else None,
        init=None if init is None else walker.init_effect(init),
        run=None if run is None else walker.run_paths(run),
    )


def _assigns_flag(node: cst.CSTNode) -> bool:
    return bool(
        m.findall(node, m.AssignTarget(target=_FLAG_TARGET) | m.AnnAssign(target=_FLAG_TARGET))
    )


def _class_body(node: cst.ClassDef) -> Sequence[cst.BaseStatement]:
    body = node.body
    if isinstance(body, cst.IndentedBlock):
        return body.body
    return (cst.SimpleStatementLine(body=body.body),)


def _class_flag_definitions(stmt: cst.BaseStatement) -> Iterable[Flag]:
    """Values the class body gives ``_supports_async``; a method or property is not static."""
    if isinstance(stmt, cst.FunctionDef) and stmt.name.value == FLAG_ATTRIBUTE:
        yield None
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


@struct(frozen=True)
class _SetFlag:
    flag: Flag


@struct(frozen=True)
class _Event:
    kind: Literal["super", "check", "refuse", "delegate"]
    target: str = ""

    def outcome(self, flag: Flag) -> Outcome:
        match self.kind:
            case "delegate":
                return Outcome("delegate", None, self.target)
            case "refuse":
                return Outcome("check", False)
            case "super" | "check":
                return Outcome(self.kind, flag)


_Effect = _SetFlag | _Event
_SUPER = _Event("super")
_CHECK = _Event("check")
_REFUSE = _Event("refuse")
_REFUSED = Outcome("check", False)
_UNKNOWN_FLAG = _SetFlag(None)


@struct(frozen=True)
class _Path:
    """One way through the code: the flag now and the async-relevant events so far."""

    flag: Flag
    events: tuple[Outcome, ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.events) and self.events[-1] == _REFUSED

    def apply(self, effects: Sequence[_Effect]) -> _Path:
        path = self
        for effect in effects:
            if path.refused:
                break
            if isinstance(effect, _SetFlag):
                path = _Path(effect.flag, path.events)
            else:
                path = _Path(path.flag, (*path.events, effect.outcome(path.flag)))
        return path


@struct(frozen=True)
class _Flow:
    """Paths still running, and paths that ended (returned, or refused async)."""

    live: frozenset[_Path] = frozenset()
    ended: frozenset[_Path] = frozenset()

    def __or__(self, other: _Flow) -> _Flow:
        return _Flow(self.live | other.live, self.ended | other.ended)


_Then = Callable[[_Path], _Flow]


@struct(frozen=True)
class _Walker:
    """Abstract interpretation of one class's methods over the value of the flag.

    Paths that raise are dropped (the task fails for another reason); a path that
    reaches a refusing check ends there.
    """

    base_names: frozenset[str] = field(default_factory=frozenset)
    flag_setters: frozenset[str] = field(default_factory=frozenset)

    def run_paths(self, run: cst.FunctionDef) -> Mapping[Flag, frozenset[EventPath]]:
        def paths(entry: Flag) -> frozenset[EventPath]:
            flow = self.suite(run.body, frozenset({_Path(entry)}))
            return frozenset(p.events for p in flow.live | flow.ended if p.events)

        return MappingProxyType({f: paths(f) for f in FLAGS})

    def init_effect(self, init: cst.FunctionDef) -> Mapping[Flag, Flag]:
        def exit_flag(entry: Flag) -> Flag:
            flow = self.suite(init.body, frozenset({_Path(entry)}))
            exits = {p.flag for p in flow.live | flow.ended}
            if not exits:  # every path raises
                return entry
            return next(iter(exits)) if len(exits) == 1 else None

        return MappingProxyType({f: exit_flag(f) for f in FLAGS})

    # statements

    def suite(self, suite: cst.BaseSuite, live: frozenset[_Path]) -> _Flow:
        if isinstance(suite, cst.IndentedBlock):
            return self.block(suite.body, live)
        return self.block((cst.SimpleStatementLine(body=suite.body),), live)

    def optional_suite(self, suite: cst.BaseSuite | None, live: frozenset[_Path]) -> _Flow:
        return _Flow(live=live) if suite is None else self.suite(suite, live)

    def block(self, stmts: Sequence[cst.BaseStatement], live: frozenset[_Path]) -> _Flow:
        flow = _Flow(live=live)
        for stmt in stmts:
            if not flow.live:
                break
            step = _Flow()
            for path in flow.live:
                step = step | self.statement(stmt, path)
            flow = _Flow(step.live, flow.ended | step.ended)
        return flow

    def statement(self, stmt: cst.BaseStatement, path: _Path) -> _Flow:
        if isinstance(stmt, cst.SimpleStatementLine):
            return self.small_statements(stmt.body, path)
        if isinstance(stmt, cst.If):
            return self.if_statement(stmt, path)
        if isinstance(stmt, (cst.For, cst.While)):
            return self.loop(stmt, path)
        if isinstance(stmt, (cst.Try, cst.TryStar)):
            return self.try_statement(stmt, path)
        if isinstance(stmt, cst.With):
            body = stmt.body
            return self.after(self.effects(stmt.items), path, lambda p: self.suite(body, frozenset({p})))
        if isinstance(stmt, cst.Match):
            return self.after(self.effects(stmt.subject), path, lambda p: self.match(stmt, p))
        return _Flow(live=frozenset({path}))

    def small_statements(self, smalls: Sequence[cst.BaseSmallStatement], path: _Path) -> _Flow:
        for small in smalls:
            path = path.apply(self.small_effects(small))
            if path.refused or isinstance(small, cst.Return):
                return _Flow(ended=frozenset({path}))
            if isinstance(small, cst.Raise):
                return _Flow()
        return _Flow(live=frozenset({path}))

    def if_statement(self, stmt: cst.If, path: _Path) -> _Flow:
        def branches(p: _Path) -> _Flow:
            guard = _async_guard(stmt)
            if guard is not None:  # its raising body is not taken unless async is refused
                return self.after([guard], p, lambda q: self.orelse(stmt, q))
            return self.suite(stmt.body, frozenset({p})) | self.orelse(stmt, p)

        return self.after(self.effects(stmt.test), path, branches)

    def orelse(self, stmt: cst.If, path: _Path) -> _Flow:
        orelse = stmt.orelse
        if isinstance(orelse, cst.If):
            return self.statement(orelse, path)
        return self.optional_suite(None if orelse is None else orelse.body, frozenset({path}))

    def loop(self, stmt: cst.For | cst.While, path: _Path) -> _Flow:
        head = stmt.iter if isinstance(stmt, cst.For) else stmt.test

        def body(p: _Path) -> _Flow:
            once = self.suite(stmt.body, frozenset({p}))
            done = _Flow(once.live | {p}, once.ended)
            if stmt.orelse is None:
                return done
            return _Flow(ended=done.ended) | self.suite(stmt.orelse.body, done.live)

        return self.after(self.effects(head), path, body)

    def try_statement(self, stmt: cst.Try | cst.TryStar, path: _Path) -> _Flow:
        start = frozenset({path})
        body = self.suite(stmt.body, start)
        orelse = None if stmt.orelse is None else stmt.orelse.body
        flow = _Flow(ended=body.ended) | self.optional_suite(orelse, body.live)
        for handler in stmt.handlers:
            flow = flow | self.suite(handler.body, start | body.live)
        if stmt.finalbody is None:
            return flow
        final = self.suite(stmt.finalbody.body, flow.live)
        return _Flow(final.live, flow.ended | final.ended)

    def match(self, stmt: cst.Match, path: _Path) -> _Flow:
        flow = _Flow(live=frozenset({path}))
        for case in stmt.cases:
            flow = flow | self.suite(case.body, frozenset({path}))
        return flow

    def after(self, effects: Sequence[_Effect], path: _Path, then: _Then) -> _Flow:
        moved = path.apply(effects)
        return _Flow(ended=frozenset({moved})) if moved.refused else then(moved)

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
        collector = _CallCollector(self.base_names, self.flag_setters)
        for part in node if isinstance(node, Sequence) else (node,):
            part.visit(collector)
        return list(collector.events)


class _CallCollector(cst.CSTVisitor):
    """Async-relevant calls of an expression, in evaluation order (innermost first)."""

    def __init__(self, base_names: frozenset[str], flag_setters: frozenset[str]) -> None:
        super().__init__()
        self.base_names = base_names
        self.flag_setters = flag_setters
        self.events: list[_Effect] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def leave_Call(self, original_node: cst.Call) -> None:
        if m.matches(original_node.func, m.Attribute(value=m.Name("self"))):
            method = cst.ensure_type(original_node.func, cst.Attribute).attr.value
            if method in self.flag_setters:  # a helper sets the flag: its value is now unknown
                self.events.append(_UNKNOWN_FLAG)
                return
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
