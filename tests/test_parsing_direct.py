"""Composing straight into frozen nodes gives the nodes the converter gives.

:mod:`asynclint.parsing.direct` swaps its builders into ruamel.yaml's C composer for one
compose. These tests hold its output to the converter's (:class:`_Converter` over ruamel's
nodes) on every YAML file of the tests and on generated YAML, and check that the composer's
module is left as it was found, after a success and after an error.
"""

from __future__ import annotations

import _thread
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from ruamel.yaml.error import YAMLError

from asynclint.parsing import ParseError, direct, read_source, source_from_text
from asynclint.parsing import compose as compose_module
from asynclint.parsing.compose import MAX_DEPTH, compose_documents
from asynclint.parsing.direct import compose_direct, suited, usable
from asynclint.parsing.nodes import walk
from asynclint.parsing.source import BOM
from asynclint.parsing.syntax import surely_composes

ROOT = Path(__file__).resolve().parent.parent


def _converted(text: str) -> object:
    """What :func:`compose_documents` gives without the direct way."""
    source = source_from_text("t.yml", text)
    original = compose_module.suited
    compose_module.suited = lambda text, limit: False
    try:
        return compose_documents(source)
    except ParseError as error:
        return ("error", str(error), error.line, error.column)
    finally:
        compose_module.suited = original


def _direct(text: str) -> object:
    try:
        return compose_documents(source_from_text("t.yml", text))
    except ParseError as error:
        return ("error", str(error), error.line, error.column)


def _composer_names() -> dict[str, object]:
    from ruamel.yaml.cyaml import CParser

    module = sys.modules[CParser.__module__]
    return {name: getattr(module, name) for name in ("ScalarNode", "SequenceNode", "MappingNode")}


def test_the_direct_way_is_usable_here() -> None:
    assert usable()
    assert compose_direct("- a: 1\n", 0) is not None


def _yaml_files() -> list[Path]:
    found = [path for folder in ("fixtures", "examples") for path in (ROOT / folder).rglob("*.y*ml")
             if path.is_file()]
    return sorted(found)


def test_every_yaml_file_of_the_tests_composes_the_same() -> None:
    files = _yaml_files()
    assert len(files) > 250
    direct = 0
    for path in files:
        try:
            source = read_source(str(path), str(path))
        except ParseError:
            continue
        direct += suited(source.text, MAX_DEPTH)
        assert _direct(source.text) == _converted(source.text), path
    assert direct > 200  # most files go the direct way


_SCALARS = st.sampled_from([
    "x", "'q u'", '"d\\tq"', "{{ a }}", "'{{ b }}'", "!vault |\n  $ANSIBLE_VAULT;1.1", "!!str 3",
    "!custom%21x y", "!!int 4", "!unsafe '{{ c }}'", "~", "", "ünïcödé 😀", "|\n  block\n  text",
    ">-\n  folded", "!! z", "! w", "&a anchored", "[1, {b: 2}]", "{c: [3], d: 'e'}", "!!map {}",
])


def _render(node: object, indent: int) -> str:
    pad = " " * indent
    if isinstance(node, str):
        if "\n" in node:  # block scalars and multi-line tags indent under their key
            head, _, rest = node.partition("\n")
            return head + "\n" + "".join(f"{pad}  {line}\n" for line in rest.split("\n"))
        return node + "\n"
    kind, items = node  # type: ignore[misc]
    if not items:
        return ("[]" if kind == "seq" else "{}") + "\n"
    if kind == "seq":
        return "\n" + "".join(f"{pad}- " + _render(item, indent + 2) for item in items)
    return "\n" + "".join(f"{pad}k{i}: " + _render(item, indent + 2)
                          for i, item in enumerate(items))


@settings(max_examples=150, deadline=None)
@given(
    documents=st.lists(st.recursive(
        _SCALARS,
        lambda inner: st.one_of(st.lists(inner, max_size=4).map(lambda items: ("seq", items)),
                                st.lists(inner, max_size=4).map(lambda items: ("map", items))),
        max_leaves=25), min_size=1, max_size=3),
    bom=st.booleans(), crlf=st.booleans(),
)
@example(documents=[("map", ["!custom%21x y"])], bom=True, crlf=False)
@example(documents=[("seq", ["!a%2521 y"])], bom=False, crlf=False)  # decoded twice, as ruamel does
def test_generated_yaml_composes_the_same(documents: list[object], bom: bool, crlf: bool) -> None:
    text = "".join("---" + _render(document, 0) if isinstance(document, tuple)
                   else "--- " + _render(document, 0) for document in documents)
    if crlf:
        text = text.replace("\n", "\r\n")
    if bom:
        text = BOM + text
    assert _direct(text) == _converted(text)


@pytest.mark.parametrize("text", [
    "- &a {x: 1}\n- *a\n",  # an alias: the other way
    "- {\"a\":*x}\n",  # an alias right after a quoted flow key
    "[" * 600 + "]" * 600 + "\n",  # too deep for the direct way
    "- a: [1, 2\n",  # bad YAML: the other way reports it
    "- a\n b: c\n",
])
def test_the_other_way_takes_what_the_direct_way_does_not(text: str) -> None:
    before = _composer_names()
    assert _direct(text) == _converted(text)
    assert _composer_names() == before


def test_an_aliased_scalar_is_a_node_of_its_own_at_each_alias() -> None:
    """The composer hands out the anchored node again at each alias; the converter copies
    scalars, so a walk meets each occurrence (the direct way leaves such files to it)."""
    (document,) = _direct("- &a x\n- *a\n- [*a]\n")
    assert len(list(walk(document))) == 5
    assert document == _converted("- &a x\n- *a\n- [*a]\n")[0]


def test_the_composer_module_is_left_as_it_was_found() -> None:
    before = _composer_names()
    assert compose_direct("- a: [1, {b: c}]\n", 0) is not None
    assert _composer_names() == before
    with pytest.raises(YAMLError):
        compose_direct("- a: [1, 2\n", 0)
    assert _composer_names() == before


def test_no_swap_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    baseline = _thread._count()  # a test runner may run threads of its own
    monkeypatch.setattr(direct, "other_threads", lambda: _thread._count() - baseline)
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        assert compose_direct("- a: 1\n", 0) is None
        assert _direct("- a: 1\n") == _converted("- a: 1\n")  # the other way answers
    finally:
        release.set()
        worker.join()
    assert compose_direct("- a: 1\n", 0) is not None


@pytest.mark.parametrize("text", ["- {\"a\":*x}\n", "- {'a':*x}\n", "{\"a\":*x}\n"])
def test_an_alias_after_a_quoted_flow_key_is_not_sure_to_compose(text: str) -> None:
    """libyaml reads ``"a":*x`` as a key and an alias: an undefined one fails to compose."""
    assert isinstance(_converted(text), tuple) and _converted(text)[0] == "error"
    assert not surely_composes(text.encode())
