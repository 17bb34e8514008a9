"""What a task reads: the text test that spares looking at each of its values."""

from __future__ import annotations

import json
import re

from hypothesis import assume, example, given
from hypothesis import strategies as st

from asynclint.graph.reading import Names, may_mention, mentions
from asynclint.model import Task, load_project
from asynclint.parsing import YScalar
from asynclint.parsing.nodes import walk

_TEXT = st.text(alphabet="ab_ '\"\\\n\t#:*é", max_size=14)
_STYLES = st.sampled_from(["plain", "single", "double", "literal", "folded"])


def _render(value: str, style: str, indent: int) -> str:
    """``value`` written in ``style`` as a mapping value at ``indent``; the YAML parser
    decides what it means (a text it rejects is left out)."""
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    if style == "double":
        return json.dumps(value)  # escapes: \\", \\\\, \\n, \\u00e9
    if style in ("literal", "folded"):
        lines = value.split("\n")
        return ("|" if style == "literal" else ">") + "\n" + "".join(
            " " * (indent + 2) + line + "\n" for line in lines).rstrip("\n")
    return value.replace("\n", "\n" + " " * (indent + 2))  # plain, continued lines


@given(entries=st.lists(st.tuples(_TEXT, _STYLES, _TEXT, _STYLES), min_size=1, max_size=3),
       data=st.data())
@example(entries=[("x", "plain", "é", "double")], data=None)  # written "\\u00e9"
@example(entries=[("x", "plain", "ab\n\n  cd", "plain")], data=None)  # folded lines
def test_a_name_missing_from_a_task_text_is_in_none_of_its_values(
        entries: list[tuple[str, str, str, str]], data: st.DataObject | None) -> None:
    lines = ["- ansible.builtin.debug:", "    msg: hello", "  vars:"]
    for key, key_style, value, value_style in entries:
        if key_style in ("literal", "folded"):
            key_style = "double"  # a block scalar is no key
        lines.append(f"    {_render(key, key_style, 4)}: {_render(value, value_style, 4)}")
    project = load_project(["-"], stdin_data=("\n".join(lines) + "\n").encode("utf-8"))
    assume(not project.errors)
    tasks = list(project.tasks())
    scalars = [node.value for task in tasks for node in walk(task.map)
               if isinstance(node, YScalar)]
    # names that are parts of the values, and names spelled as in the source
    candidates = [value[start:start + size] for value in scalars
                  for start in range(len(value)) for size in (1, 3, 6)] + ["abc", "ab cd"]
    names = (candidates if data is None
             else data.draw(st.sets(st.sampled_from(candidates), min_size=1, max_size=4)))
    for task in tasks:
        for name in names:
            if mentions(task.map, [name]):
                assert may_mention(task, [name]), (name, task.source.text)


def _loaded(text: str) -> list[Task]:
    project = load_project(["-"], stdin_data=text.encode("utf-8"))
    assert not project.errors
    return list(project.tasks())


def test_a_task_without_the_names_is_not_read() -> None:
    (task,) = _loaded("- ansible.builtin.debug:\n    msg: \"{{ other }}\"\n")
    assert not may_mention(task, ["job", "item"])
    assert may_mention(task, ["other"])
    assert may_mention(task, ["two words"])  # not decided from the text


def test_a_value_taken_from_an_anchor_elsewhere_counts() -> None:
    _, second = _loaded("- ansible.builtin.debug:\n    msg: &m \"{{ job }}\"\n"
                            "- ansible.builtin.debug:\n    msg: *m\n")
    assert "job" not in second.source.text[second.map.start:second.map.end]
    assert mentions(second.map, ["job"])
    assert may_mention(second, ["job"])


_WORDISH = st.text(alphabet="abj_1é", min_size=1, max_size=5).filter(
    lambda name: not name[0].isdigit())
_SPELLINGS = ("{{ %s }}", "{{%s.rc}}", "{{ vars['%s'] }}", "{{ x | default(%s) }}",
              "{{ hostvars[inventory_hostname].%s }}", "{{ [%s, 1] | first }}")


@given(names=st.lists(_WORDISH, min_size=1, max_size=3), spellings=st.data(),
       decoys=st.sets(_WORDISH, min_size=9, max_size=20))
def test_with_many_names_a_name_a_value_refers_to_is_one_of_the_words(
        names: list[str], spellings: st.DataObject, decoys: set[str]) -> None:
    """Beyond a few names, the words of a task's text are listed once and each name looked
    up: every name a value refers to is found so, and the names the text does not hold as
    words are not."""
    from asynclint.graph.reading import FEW_NAMES, entry_reads

    values = [spellings.draw(st.sampled_from(_SPELLINGS)) % name for name in names]
    text = ("- ansible.builtin.debug:\n    msg: \"" + " ".join(values) + "\"\n"
            "  when: " + names[0] + " is defined\n")
    (task,) = _loaded(text)
    referred = {reference.name for _, references in entry_reads(task)
                for reference in references}
    assert names[0] in referred  # the condition
    assert len(decoys | referred) > FEW_NAMES
    for name in referred:
        assert may_mention(task, decoys | {name}), (name, text)
    for entry, references in entry_reads(task):  # and the value holding it mentions it
        for reference in references:
            assert mentions(entry.value, Names(decoys | {reference.name})), (reference, text)
    words = set(re.findall(r"\w+", text))
    absent = {decoy for decoy in decoys if decoy not in words}
    if len(absent) > FEW_NAMES:
        assert not may_mention(task, absent)
