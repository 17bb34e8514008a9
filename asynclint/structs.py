"""Value classes that cost little to create: the part of :mod:`dataclasses` asynclint uses.

``@struct`` reads a class's annotated fields as ``@dataclass`` does and gives it the same
``__init__`` (``field()`` defaults, ``default_factory``, ``init=False``, ``__post_init__``),
``__repr__``, ``__eq__``, ``__hash__``, ordering, frozen instances and ``__slots__``.

Why not ``@dataclass``: on the Pythons asynclint supports before 3.13, ``@dataclass``
compiles every method it writes separately, about a millisecond a frozen class, and a check
creates some fifty classes before reading a file. Here only ``__init__`` is compiled (an
instance is made in it); comparing and hashing are closures over an
:func:`operator.attrgetter` of the compared fields, as fast as compiled methods; ``__repr__``
and the frozen ``__setattr__`` are shared functions.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar

__all__ = ["FrozenInstanceError", "field", "fields", "replace", "struct"]

T = TypeVar("T")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FrozenInstanceError(AttributeError):
    """Setting or deleting an attribute of a frozen instance."""


class Field:
    __slots__ = ("compare", "default", "default_factory", "hash", "init", "name", "repr")

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING, init: bool = True,
                 repr: bool = True, compare: bool = True,
                 hash: bool | None = None) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare
        self.hash = compare if hash is None else hash

    def __repr__(self) -> str:
        return f"Field(name={self.name!r})"


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] | Any = MISSING,
          init: bool = True, repr: bool = True, compare: bool = True,
          hash: bool | None = None) -> Any:
    """A field's options, as :func:`dataclasses.field`."""
    return Field(default, default_factory, init, repr, compare, hash)


def fields(instance_or_class: Any) -> tuple[Field, ...]:
    return tuple(instance_or_class.__struct_fields__.values())


def replace(instance: T, /, **changes: Any) -> T:
    """A copy of ``instance`` with ``changes``, as :func:`dataclasses.replace`."""
    for item in instance.__struct_fields__.values():  # type: ignore[attr-defined]
        if not item.init:
            if item.name in changes:
                raise ValueError(f"field {item.name} is declared with init=False, "
                                 "it cannot be specified with replace()")
        elif item.name not in changes:
            changes[item.name] = getattr(instance, item.name)
    return instance.__class__(**changes)


def struct(cls: type | None = None, /, *, frozen: bool = False, eq: bool = True,
           order: bool = False, slots: bool = False) -> Any:
    """``@dataclass`` with the same options, for the classes asynclint defines."""
    def wrap(cls: type) -> type:
        return _process(cls, frozen, eq, order, slots)
    return wrap if cls is None else wrap(cls)


# Shared methods ------------------------------------------------------------------


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__struct_repr__)
    return f"{self.__class__.__qualname__}({shown})"


def _key(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of an instance's ``names`` attributes."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda self: (get(self),)
    return lambda self: ()


def _comparisons(key: Callable[[Any], Any], hash_key: Callable[[Any], Any],
                 order: bool) -> dict[str, Any]:
    """``__eq__``, ``__hash__`` and, with ``order``, the orderings, on the tuples of the
    compared (hashed) fields: closures, as fast as ``@dataclass``'s compiled methods."""
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hash_key(self))

    methods: dict[str, Any] = {"__eq__": __eq__, "__hash__": __hash__}
    if order:
        def __lt__(self: Any, other: Any) -> Any:
            return key(self) < key(other) if other.__class__ is self.__class__ else NotImplemented

        def __le__(self: Any, other: Any) -> Any:
            return key(self) <= key(other) if other.__class__ is self.__class__ else NotImplemented

        def __gt__(self: Any, other: Any) -> Any:
            return key(self) > key(other) if other.__class__ is self.__class__ else NotImplemented

        def __ge__(self: Any, other: Any) -> Any:
            return key(self) >= key(other) if other.__class__ is self.__class__ else NotImplemented

        methods.update(__lt__=__lt__, __le__=__le__, __gt__=__gt__, __ge__=__ge__)
    return methods


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, name) for name in self.__struct_fields__)


def _setstate(self: Any, state: tuple[Any, ...]) -> None:
    for name, value in zip(self.__struct_fields__, state):
        object.__setattr__(self, name, value)


# Building a class ----------------------------------------------------------------


def _own_fields(cls: type) -> dict[str, Field]:
    found: dict[str, Field] = {}
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - not inspect's cost
    for name, annotation in annotations.items():
        if isinstance(annotation, str) and annotation.startswith(("ClassVar", "typing.ClassVar")):
            continue
        default = cls.__dict__.get(name, MISSING)
        item = default if isinstance(default, Field) else Field(default)
        item.name = name
        if isinstance(default, Field):  # the class attribute becomes the plain default
            if item.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, item.default)
        found[name] = item
    return found


def _init_source(fields: dict[str, Field], frozen: bool, post_init: bool,
                 names: dict[str, Any]) -> str:
    params, body = ["self"], []
    for name, item in fields.items():
        if item.init:
            if item.default_factory is not MISSING:
                names[f"_factory_{name}"] = item.default_factory
                params.append(f"{name}=_HAS_FACTORY")
                value = f"_factory_{name}() if {name} is _HAS_FACTORY else {name}"
            elif item.default is not MISSING:
                names[f"_default_{name}"] = item.default
                params.append(f"{name}=_default_{name}")
                value = name
            else:
                params.append(name)
                value = name
        elif item.default_factory is not MISSING:
            names[f"_factory_{name}"] = item.default_factory
            value = f"_factory_{name}()"
        elif item.default is not MISSING:
            names[f"_default_{name}"] = item.default
            value = f"_default_{name}"
        else:
            continue
        body.append(f"  _set(self, {name!r}, {value})" if frozen else f"  self.{name} = {value}")
    if post_init:
        body.append("  self.__post_init__()")
    return f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or "  pass")


def _compiled_init(cls: type, fields: dict[str, Field], frozen: bool) -> Any:
    names: dict[str, Any] = {"_set": object.__setattr__, "_HAS_FACTORY": MISSING}
    source = _init_source(fields, frozen, hasattr(cls, "__post_init__"), names)
    exec(source, names)  # noqa: S102 - the source is built above from field names
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _first_init(cls: type, fields: dict[str, Field], frozen: bool) -> Any:
    """An ``__init__`` that compiles the real one on the first instance, puts it on the class
    and runs it: a run creates instances of only some of the classes it imports, and compiling
    is most of what building a class costs. The order of the fields is checked now."""
    defaulted = False
    for name, item in fields.items():
        if not item.init:
            continue
        if item.default is not MISSING or item.default_factory is not MISSING:
            defaulted = True
        elif defaulted:
            raise TypeError(f"non-default argument {name!r} follows default argument")

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init = cls.__dict__["__init__"]
        if init is __init__:  # not compiled yet
            init = _compiled_init(cls, fields, frozen)
            type.__setattr__(cls, "__init__", init)
        init(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _process(cls: type, frozen: bool, eq: bool, order: bool, slots: bool) -> type:
    all_fields: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        all_fields.update(base.__dict__.get("__struct_fields__", {}))
    own = _own_fields(cls)
    all_fields.update(own)

    if slots:
        namespace = {key: value for key, value in cls.__dict__.items()
                     if key not in own and key not in ("__dict__", "__weakref__")}
        namespace["__slots__"] = tuple(own)
        namespace["__getstate__"] = _getstate
        namespace["__setstate__"] = _setstate
        qualname = cls.__qualname__
        cls = type(cls)(cls.__name__, cls.__bases__, namespace)
        cls.__qualname__ = qualname

    init = _first_init(cls, all_fields, frozen)

    compared = tuple(name for name, item in all_fields.items() if item.compare)
    hashed = tuple(name for name, item in all_fields.items() if item.hash)
    key = _key(compared)
    methods = _comparisons(key, key if hashed == compared else _key(hashed), order)

    attributes: dict[str, Any] = {
        "__struct_fields__": all_fields,
        "__struct_repr__": tuple(name for name, item in all_fields.items() if item.repr),
        "__match_args__": tuple(name for name, item in all_fields.items() if item.init),
        "__init__": init,
    }
    if "__repr__" not in cls.__dict__:
        attributes["__repr__"] = _repr
    if eq and "__eq__" not in cls.__dict__:
        attributes["__eq__"] = methods["__eq__"]
        if cls.__dict__.get("__hash__") is None:  # absent, or None for a class with __eq__
            attributes["__hash__"] = methods["__hash__"] if frozen else None
    if order:
        for name in ("__lt__", "__le__", "__gt__", "__ge__"):
            attributes[name] = methods[name]
    if frozen:
        attributes["__setattr__"] = _frozen_setattr
        attributes["__delattr__"] = _frozen_delattr
    for name, value in attributes.items():
        setattr(cls, name, value)
    return cls
