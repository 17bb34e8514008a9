"""``@struct`` behaves as ``@dataclass`` for every option asynclint uses: the same class body
under both decorators gives the same constructor, repr, equality, hash, order, frozenness,
``replace`` and ``__match_args__``. The standard library is the oracle."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from asynclint.structs import FrozenInstanceError, field, fields, replace, struct

# a field: (kind, value, repr, compare); kind is required, default, factory or no-init
FIELD = st.tuples(
    st.sampled_from(["required", "default", "factory", "no-init"]),
    st.integers(-2, 2),
    st.booleans(),
    st.booleans(),
)
OPTIONS = st.fixed_dictionaries({"frozen": st.booleans(), "eq": st.booleans(),
                                 "order": st.booleans(), "slots": st.booleans()})


def make(decorator: Any, field_function: Any, specs: list[tuple[str, int, bool, bool]],
         options: dict[str, bool]) -> type:
    """The same class body under ``decorator``; required fields come first, as both need."""
    specs = sorted(specs, key=lambda spec: spec[0] != "required")
    namespace: dict[str, Any] = {"__annotations__": {}, "__qualname__": "Point",
                                 "__module__": __name__}
    for number, (kind, value, shown, compared) in enumerate(specs):
        name = f"f{number}"
        namespace["__annotations__"][name] = "int"
        if kind == "default":
            namespace[name] = field_function(default=value, repr=shown, compare=compared)
        elif kind == "factory":
            namespace[name] = field_function(default_factory=lambda v=value: [v], repr=shown,
                                             compare=compared)
        elif kind == "no-init":
            namespace[name] = field_function(default=value, init=False, repr=shown,
                                             compare=compared)
        elif not shown or not compared:
            namespace[name] = field_function(repr=shown, compare=compared)
    if options["order"] and not options["eq"]:
        options = {**options, "order": False}  # dataclasses refuses order without eq
    return decorator(**options)(type("Point", (), namespace))


def outcome(call: Any) -> Any:
    try:
        return ("ok", call())
    except (TypeError, AttributeError, ValueError) as error:
        return ("error", type(error).__name__ if not isinstance(error, AttributeError)
                else "AttributeError")


def observe(cls: type, args: list[int], changes: dict[str, int]) -> list[Any]:
    """Everything a caller can see of ``cls`` with these arguments."""
    seen: list[Any] = [cls.__match_args__, cls.__hash__ is None]
    made = outcome(lambda: cls(*args))
    seen.append(made[0])
    if made[0] != "ok":
        return seen
    first, second = cls(*args), cls(*args)
    seen += [repr(first), first == second, first != second, first == 1]
    if cls.__hash__ is not None:
        seen.append(outcome(lambda: hash(first) == hash(second)))
    for changed in ([a + 1 for a in args], [*args[:-1], args[-1] - 1] if args else []):
        other = outcome(lambda: cls(*changed))  # noqa: B023 - called at once
        if other[0] == "ok":
            seen += [first == other[1], outcome(lambda: first < other[1]),  # noqa: B023
                     outcome(lambda: other[1] <= first)]  # noqa: B023
            if first == other[1] and cls.__hash__ is not None:
                seen.append(outcome(lambda: hash(first) == hash(other[1])))  # noqa: B023
    if hasattr(first, "f0"):  # 3.11's frozen slots dataclass fails oddly on other names
        seen.append(outcome(lambda: setattr(first, "f0", 9)))
        seen.append(outcome(lambda: delattr(first, "f0")))
    replacer = replace if hasattr(cls, "__struct_fields__") else dataclasses.replace
    replaced = outcome(lambda: repr(replacer(second, **changes)))
    seen.append(replaced if replaced[0] == "ok" else "error")  # its type changed in 3.13
    seen.append(outcome(lambda: repr(cls(**{f"f{i}": v for i, v in enumerate(args)}))))
    return seen


@given(st.lists(FIELD, max_size=5), OPTIONS, st.lists(st.integers(-3, 3), max_size=6),
       st.dictionaries(st.sampled_from(["f0", "f1", "f2", "f3"]), st.integers(-3, 3)))
@example([("required", 0, True, True), ("no-init", 1, False, True)],
         {"frozen": True, "eq": True, "order": True, "slots": True}, [5], {"f1": 2})
@example([("factory", 0, True, False)], {"frozen": True, "eq": True, "order": False,
                                         "slots": False}, [], {})
def test_struct_behaves_as_dataclass(specs: list[Any], options: dict[str, bool],
                                     args: list[int], changes: dict[str, int]) -> None:
    ours = make(struct, field, specs, options)
    theirs = make(dataclasses.dataclass, dataclasses.field, specs, options)
    assert observe(ours, args, changes) == observe(theirs, args, changes)


@struct(frozen=True)
class Base:
    source: str
    start: int = 0


@struct(frozen=True, eq=False)
class Child(Base):
    section: str = "tasks"


@struct(frozen=True, slots=True)
class Node:
    value: str
    start: int
    cached: dict[str, int] | None = field(default=None, init=False, repr=False, compare=False,
                                          hash=False)


@struct
class Settings:
    items: list[int] = field(default_factory=list)
    seen: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.seen = len(self.items)


def test_fields_come_from_the_bases_first() -> None:
    child = Child("a.yml", 3)
    assert [item.name for item in fields(Child)] == ["source", "start", "section"]
    assert child.__match_args__ == ("source", "start", "section")
    assert repr(child) == "Child(source='a.yml', start=3, section='tasks')"
    assert Base("a", 1) == Base("a", 1) and hash(Base("a", 1)) == hash(Base("a", 1))


@pytest.mark.parametrize("base_eq", [True, False])
def test_a_subclass_compares_as_a_dataclass_subclass(base_eq: bool) -> None:
    """``eq=False`` on a subclass keeps the base's comparison, fields of the base only."""
    def family(decorator: Any) -> list[Any]:
        base = decorator(frozen=True, eq=base_eq)(
            type("Base", (), {"__annotations__": {"source": "str", "start": "int"},
                              "start": 0}))
        child = decorator(frozen=True, eq=False)(
            type("Child", (base,), {"__annotations__": {"section": "str"},
                                    "section": "tasks"}))
        first, second = child("a", 1), child("a", 1, "handlers")
        return [repr(first).partition("(")[2], first == second, first == child("a", 1),
                hash(first) == hash(second), base("a") == base("a")]
    assert family(struct) == family(dataclasses.dataclass)


def test_frozen_refuses_writes_as_dataclasses_do() -> None:
    node = Node("x", 1)
    with pytest.raises(FrozenInstanceError):
        node.value = "y"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del node.start
    object.__setattr__(node, "cached", {"x": 1})  # the way a frozen struct caches
    assert node == Node("x", 1) and hash(node) == hash(Node("x", 1))


def test_slots_without_a_dict_and_the_copies_keep_every_field() -> None:
    node = Node("x", 1)
    assert not hasattr(node, "__dict__") and Node.__slots__ == ("value", "start", "cached")
    for twin in (pickle.loads(pickle.dumps(node)), copy.copy(node), copy.deepcopy(node)):
        assert twin == node and twin.cached is None
    child = Child("a.yml", 3)
    assert repr(pickle.loads(pickle.dumps(child))) == repr(child)


def test_post_init_and_factories_run_per_instance() -> None:
    first, second = Settings([1, 2]), Settings()
    assert first.seen == 2 and second.items == [] and second.items is not Settings().items
    assert Settings.__hash__ is None  # eq without frozen: unhashable, as dataclasses
    with pytest.raises(ValueError, match="init=False"):
        replace(first, seen=3)
    assert replace(first, items=[7]).seen == 1


def test_a_required_field_after_a_default_is_refused() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b'"):
        @struct
        class Wrong:
            a: int = 0
            b: int


def test_init_is_compiled_on_the_first_instance() -> None:
    @struct(frozen=True)
    class Point:
        x: int
        y: int = 0

    assert Point.__init__.__code__.co_varnames[:3] == ("self", "args", "kwargs")
    assert Point(1) == Point(1, 0)
    assert Point.__init__.__code__.co_varnames[:3] == ("self", "x", "y")

    class Sub(Point):  # a plain subclass runs its base's first __init__
        pass

    @struct(frozen=True)
    class Other:
        a: int

    class Child(Other):  # a subclass's instance first: the base gets the compiled one
        pass

    assert Sub(2, 3).y == 3 and Child(a=1).a == 1 and Other(2).a == 2
    assert Other.__init__.__code__.co_varnames[:2] == ("self", "a")
