"""The YAML layer keeps exact spans: non-ASCII, CRLF, BOM, comments, anchors, several documents."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from asynclint.parsing import (ParseError, YEntry, YMap, YScalar, YSeq, compose_documents,
                               source_from_text)
from asynclint.parsing.compose import c_available
from asynclint.parsing.source import read_regular
from asynclint.parsing.nodes import to_python, walk
from asynclint.parsing.syntax import shallow, surely_composes

BACKENDS = [pytest.param(True, id="c"), pytest.param(False, id="pure")]


def _first_task(text: str, use_c: bool) -> YMap:
    source = source_from_text("t.yml", text)
    (doc,) = compose_documents(source, use_c=use_c)
    assert isinstance(doc, YSeq)
    task = doc.items[0]
    assert isinstance(task, YMap)
    return task


def test_c_composer_is_installed() -> None:
    assert c_available()


@pytest.mark.parametrize("use_c", BACKENDS)
@pytest.mark.parametrize(
    "prefix",
    ["", "\ufeff", "# comment ünïcödé 😀\n", "\ufeff# c\r\n"],
    ids=["plain", "bom", "comment", "bom-crlf"],
)
def test_spans_point_at_the_text(prefix: str, use_c: bool) -> None:
    newline = "\r\n" if "\r\n" in prefix else "\n"
    body = newline.join(["- name: tâche 😀", "  async: 10  # a comment", "  poll: 0", ""])
    text = prefix + body
    source = source_from_text("t.yml", text)
    task = _first_task(text, use_c)
    entry = task.entry("async")
    assert entry is not None
    assert text[entry.key.start:entry.key.end] == "async"
    assert text[entry.value.start:entry.value.end] == "10"
    line, column = source.position(entry.key.start)
    assert line == prefix.count("\n") + 2
    assert column == 3
    name = task.get("name")
    assert isinstance(name, YScalar) and name.value == "tâche 😀"
    assert text[name.start:name.end] == "tâche 😀"


@pytest.mark.parametrize("use_c", BACKENDS)
def test_duplicate_keys_keep_the_last_value(use_c: bool) -> None:
    task = _first_task("- async: 1\n  async: 2\n", use_c)
    assert len(task.entries) == 2
    assert to_python(task.get("async")) == 2
    assert list(task.keys()) == ["async"]


@pytest.mark.parametrize("use_c", BACKENDS)
def test_aliases_share_the_anchor_node(use_c: bool) -> None:
    text = "- vars: &v {a: 1}\n  other: *v\n"
    task = _first_task(text, use_c)
    assert task.get("vars") is task.get("other")


@pytest.mark.parametrize("use_c", BACKENDS)
def test_multi_document_files(use_c: bool) -> None:
    text = "- a: 1\n---\n- b: 2\n...\n"
    docs = compose_documents(source_from_text("t.yml", text), use_c=use_c)
    assert len(docs) == 2
    second = docs[1]
    assert isinstance(second, YSeq)
    assert text[second.start:second.start + 1] == "-"


@pytest.mark.parametrize("use_c", BACKENDS)
def test_local_tags_are_kept(use_c: bool) -> None:
    text = "- a: !vault |\n    $ANSIBLE_VAULT;1.1;AES256\n    6162\n  b: !unsafe '{{ x }}'\n"
    task = _first_task(text, use_c)
    assert task.get("a").tag == "!vault"
    assert task.get("b").tag == "!unsafe"
    assert task.get("b").python() == "{{ x }}"


@pytest.mark.parametrize("use_c", BACKENDS)
@pytest.mark.parametrize(
    ("text", "line"),
    [("- a: [1\n  b\n", 3), ("a: b: c\n", 1), ("- a\n\t- b\n", 2)],
)
def test_invalid_yaml_is_a_parse_error_with_a_position(text: str, line: int, use_c: bool) -> None:
    with pytest.raises(ParseError) as info:
        compose_documents(source_from_text("t.yml", text), use_c=use_c)
    assert info.value.line == line
    assert info.value.message


@pytest.mark.parametrize("use_c", BACKENDS)
def test_deep_nesting_is_a_parse_error_not_a_crash(use_c: bool) -> None:
    text = "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(ParseError):
        compose_documents(source_from_text("t.yml", text), use_c=use_c)


@pytest.mark.parametrize(
    ("text", "value"),
    [("yes", True), ("No", False), ("0", 0), ("0x1f", 31), ("1.5", 1.5), ("~", None),
     ("'0'", "0"), ('"{{ 0 }}"', "{{ 0 }}"), ("1_000", 1000), ("abc", "abc")],
)
def test_scalars_read_as_ansible_reads_them(text: str, value: object) -> None:
    (doc,) = compose_documents(source_from_text("t.yml", f"k: {text}\n"))
    assert doc.get("k").python() == value


yaml_scalars = st.one_of(
    st.integers(-10, 10_000).map(str),
    st.sampled_from(["yes", "~", "'q u'", '"é\\n"', "{{ x }}", "a b", "😀"]).map(
        lambda s: f'"{s}"' if s.startswith("{") else s
    ),
)


@st.composite
def yaml_documents(draw) -> str:
    lines = []
    for index in range(draw(st.integers(1, 6))):
        key = draw(st.sampled_from(["name", "async", "poll", "x", "ünï"]))
        lines.append(f"- {key}{index}: {draw(yaml_scalars)}")
        if draw(st.booleans()):
            lines.append(f"  # comment {draw(st.text(alphabet='abc é😀', max_size=5))}")
        if draw(st.booleans()):
            lines.append(f"  nested:\n    - {draw(yaml_scalars)}")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return bom + newline.join(lines) + newline


@settings(max_examples=60, deadline=None)
@given(yaml_documents())
def test_c_and_pure_composers_agree(text: str) -> None:
    source = source_from_text("t.yml", text)
    assert compose_documents(source, use_c=True) == compose_documents(source, use_c=False)
    for doc in compose_documents(source):
        for node in walk(doc):
            if isinstance(node, YScalar) and node.style == "":
                assert text[node.start:node.end] == node.value


# -- the prefilter's "surely composes" -----------------------------------------------------

def _composes(text: str) -> bool:
    try:
        compose_documents(source_from_text("t.yml", text))
    except ParseError:
        return False
    return True


def _block_nest(depth: int, style: str) -> str:
    if style == "compact":
        return "- " * depth + "x\n"
    if style == "sequences":
        return "".join(" " * (2 * level) + "-\n" for level in range(depth)) + " " * (2 * depth) + "x\n"
    return "".join(" " * level + f"k{level}:\n" for level in range(depth)) + " " * depth + "x\n"


@pytest.mark.parametrize("style", ["compact", "sequences", "mappings"])
@pytest.mark.parametrize("depth", [10, 150, 600, 2000])
def test_surely_composes_is_never_wrong_about_nesting(style: str, depth: int) -> None:
    text = _block_nest(depth, style)
    if surely_composes(text.encode()):
        assert _composes(text)
    if depth >= 600:
        assert not _composes(text) and not surely_composes(text.encode())


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.tuples(st.integers(0, 220), st.sampled_from(" -?:"),
                                st.sampled_from(["x", "k: v", "", "- y"])), max_size=6),
       brackets=st.integers(0, 320))
@example(lines=[(62, " ", "x")], brackets=278)  # 60 columns allowed, 62 written
@example(lines=[(65, "-", "x")], brackets=0)
def test_shallow_agrees_with_a_pattern_of_the_exact_width(
        lines: list[tuple[int, str, str]], brackets: int) -> None:
    """The usual file is ruled shallow by one pattern compiled once; the answer is the one of
    a pattern compiled for the file's own width."""
    data = "".join(mark * width + text + "\n" for width, mark, text in lines).encode() \
        + b"[" * brackets
    widest = (400 - 2 - data.count(b"[") - data.count(b"{")) // 2
    expected = 2 * len(data) + 2 + brackets <= 400 or widest >= 0 and re.compile(
        rb"^[ \-?:]{%d}" % (widest + 1), re.MULTILINE).search(data) is None
    assert shallow(data) == expected
    assert shallow(data.decode()) == expected  # the text decoded from them reads the same


def test_long_lines_of_text_still_surely_compose() -> None:
    text = "- name: x\n  ansible.builtin.command: echo " + "word " * 2000 + "\n"
    assert shallow(text.encode()) and surely_composes(text.encode())


@settings(max_examples=60, deadline=None)
@given(st.recursive(
    st.sampled_from(["x", "'q'", "{{ a * b }}", "*x", "&a y"]),
    lambda inner: st.one_of(st.lists(inner, max_size=3).map(lambda items: ("seq", items)),
                            st.lists(inner, max_size=3).map(lambda items: ("map", items))),
    max_leaves=40,
))
def test_surely_composes_implies_composes(tree: object) -> None:
    def render(node: object, indent: int) -> str:
        pad = " " * indent
        if isinstance(node, str):
            return f"{pad}- {node}\n"
        kind, items = node  # type: ignore[misc]
        if not items:
            return f"{pad}- []\n" if kind == "seq" else f"{pad}- {{}}\n"
        if kind == "seq":
            return f"{pad}-\n" + "".join(render(item, indent + 2) for item in items)
        return f"{pad}-\n" + "".join(f"{pad}  k{i}:\n" + render(item, indent + 4)
                                      for i, item in enumerate(items))
    text = render(tree, 0)
    if surely_composes(text.encode()):
        assert _composes(text), text


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 70_000, 300_000])
def test_read_regular_reads_every_byte(tmp_path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path = tmp_path / "f.yml"
    path.write_bytes(data)
    read, info = read_regular(str(path))
    assert read == data and info.st_size == size


def test_read_regular_reads_what_a_file_gained_after_its_stat(tmp_path) -> None:
    path = tmp_path / "grows.yml"
    path.write_bytes(b"a: 1\n")
    info = os.stat(path)
    path.write_bytes(b"a: 1\n" * 50_000)  # larger than the stat says
    read, given = read_regular(str(path), info)
    assert read == b"a: 1\n" * 50_000 and given is info


def test_read_regular_never_waits_on_a_fifo_put_in_a_file_place(tmp_path) -> None:
    path = tmp_path / "f.yml"
    path.write_bytes(b"a: 1\n")
    info = os.stat(path)  # a regular file when its stat was taken
    path.unlink()
    os.mkfifo(path)  # no writer: a blocking open would never return
    read, _ = read_regular(str(path), info)
    assert read == b""


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "cannot read file"),
    (lambda p: p.mkdir(), "not a regular file"),
    (lambda p: os.mkfifo(p), "not a regular file"),
])
def test_read_regular_refuses_what_it_cannot_read(tmp_path, make, message: str) -> None:
    path = tmp_path / "f.yml"
    make(path)
    with pytest.raises(ParseError, match=message) as raised:
        read_regular(str(path))
    assert raised.value.kind == "unreadable"


# -- merge keys -------------------------------------------------------------------------------

MERGES = {
    "one anchor": "base: &b {a: 1, b: 2}\ntask:\n  <<: *b\n  c: 3\n",
    "written keys win": "base: &b {a: 1, b: 2}\ntask:\n  b: 9\n  <<: *b\n",
    "the first listed wins": "one: &x {a: 1}\ntwo: &y {a: 2, b: 2}\ntask:\n  <<: [*x, *y]\n",
    "inline": "task:\n  <<: {async: 5, poll: 0}\n  command: sleep 1\n",
    "merged from a merge": "one: &x {a: 1}\ntwo: &y\n  <<: *x\n  b: 2\ntask: {<<: *y, c: 3}\n",
    "in a list": "tasks:\n  - &t {name: one, async: 10}\n  - <<: *t\n    name: two\n",
    "a quoted key is a key": "task:\n  '<<': {a: 1}\n  b: 2\n",
}


def _without_merge_keys(node):
    """Plain data of our nodes, as a YAML constructor builds it: no ``<<`` entry."""
    from asynclint.parsing.merge import is_merge_key

    if isinstance(node, YMap):
        found = {}
        for entry in node.entries:
            if not (is_merge_key(entry.key) and isinstance(entry.value, (YMap, YSeq))):
                found[to_python(entry.key)] = _without_merge_keys(entry.value)
        return found
    if isinstance(node, YSeq):
        return [_without_merge_keys(item) for item in node.items]
    return to_python(node)


@pytest.mark.parametrize("text", list(MERGES.values()), ids=list(MERGES))
@pytest.mark.parametrize("use_c", [True, False])
def test_merge_keys_are_expanded_as_a_yaml_constructor_expands_them(text: str,
                                                                   use_c: bool) -> None:
    """Ansible builds its data with PyYAML's constructor, which merges ``<<`` values into
    their mapping; ruamel.yaml's safe constructor does the same: what the rules read (the
    last of duplicate keys) is what it builds."""
    from ruamel.yaml import YAML

    (document,) = compose_documents(source_from_text("m.yml", text), use_c=use_c)
    assert _without_merge_keys(document) == YAML(typ="safe", pure=True).load(text)


def test_a_merge_key_of_a_scalar_is_left_as_written() -> None:
    """Ansible stops on it (a constructor error); the key stays, merging nothing."""
    (document,) = compose_documents(source_from_text("m.yml", "task:\n  <<: 1\n  b: 2\n"))
    assert to_python(document) == {"task": {"<<": 1, "b": 2}}


def test_a_merged_entry_keeps_the_text_it_came_from() -> None:
    from asynclint.parsing.merge import MergedEntry, merged_spans

    text = MERGES["one anchor"]
    (document,) = compose_documents(source_from_text("m.yml", text))
    task = document.get("task")
    assert [type(entry) for entry in task.entries] == [MergedEntry, MergedEntry, YEntry, YEntry]
    a = task.entry("a")
    assert text[a.key.start:a.value.end] == "a: 1"  # in the anchor
    spans = sorted({text[start:end] for start, end in merged_spans(document, text)})
    assert spans == ["<<: *b", "a: 1", "b: 2"]
