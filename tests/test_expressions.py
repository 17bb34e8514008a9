"""The expression reader: free references in templates, conditionals and nested values."""

from __future__ import annotations

import ast
import keyword
import subprocess
import sys
from pathlib import Path

import pytest
from ansible.errors import AnsibleUndefinedVariable
from ansible.template import Templar, trust_as_template
from hypothesis import given, settings
from hypothesis import strategies as st

from asynclint.expressions import (
    Reference,
    expression_references,
    is_templated,
    template_references,
    value_references,
)

R = Reference


# --- templates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ item.ansible_job_id }}", (R("item", ("ansible_job_id",)),)),
        ("{{ [t1, t2] }}", (R("t1"), R("t2"))),
        ("{{ async_result.results }}", (R("async_result", ("results",)),)),
        (
            "{{ async_result.results[0].ansible_job_id }}",
            (R("async_result", ("results", 0, "ansible_job_id")),),
        ),
        ("{{ a['b'][0] }}", (R("a", ("b", 0)),)),
        ("{{ a.b[-1] }}", (R("a", ("b", -1)),)),
        ("{{ (a.b).c }}", (R("a", ("b", "c")),)),
        ("{{ a[x] }}", (R("a"), R("x"))),
        ("{{ a[x].y }}", (R("a"), R("x"))),
        ("{{ a.b[1:] }}", (R("a", ("b",)),)),
        ("{{ a[true] }}", (R("a"),)),
        ("{{ a.b | default('z') }}", (R("a", ("b",)),)),
        ("{{ a.b | default(c.d) }}", (R("a", ("b",)), R("c", ("d",)))),
        (
            "{{ a.results | map(attribute='ansible_job_id') | list }}",
            (R("a", ("results",)),),
        ),
        ("{{ a.get('b') }}", (R("a"),)),
        ("{{ a.b.get('c', d) }}", (R("a", ("b",)), R("d"))),
        ("{{ a.get('b').c }}", (R("a"),)),
        ("{{ lookup('env', 'HOME') }}", ()),
        ("{{ query('vars', name) }}", (R("name"),)),
        ("{{ x if y else z }}", (R("x"), R("y"), R("z"))),
        ("{{ {'k': v, w: 1} }}", (R("v"), R("w"))),
        ("{{ a ~ b + c }}", (R("a"), R("b"), R("c"))),
        ("{{ a }} and {{ a }}", (R("a"), R("a"))),
        ("{{ x is finished }}", (R("x", (), ("finished",)),)),
        ("{{ x.y is not skipped }}", (R("x", ("y",), ("skipped",), negated=True),)),
        ("{{ (x | length) is gt(n) }}", (R("x"), R("n"))),
        ("prefix-{{ host }}-suffix", (R("host"),)),
        ("{% if b %}{{ c }}{% else %}{{ d }}{% endif %}", (R("b"), R("c"), R("d"))),
        ("{# only a comment #}", ()),
        ("{% raw %}{{ a }}{% endraw %}", ()),
    ],
)
def test_template_references(text: str, expected: tuple[Reference, ...]) -> None:
    assert template_references(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% for x in y %}{{ x.a }}{% endfor %}", (R("y"),)),
        ("{% for x in y if x.ok %}{{ loop.index }}{% endfor %}", (R("y"),)),
        ("{% for k, v in d.items() %}{{ k }}{{ v }}{{ w }}{% endfor %}", (R("d"), R("w"))),
        ("{% for x in y %}{% else %}{{ x }}{% endfor %}{{ x }}", (R("y"), R("x"), R("x"))),
        ("{% set q = r %}{{ q.s }}", (R("r"),)),
        ("{{ q }}{% set q = 1 %}{{ q }}", (R("q"),)),
        ("{% set t %}{{ u }}{% endset %}{{ t }}", (R("u"),)),
        ("{% if c %}{% set v = 1 %}{% endif %}{{ v }}", (R("c"),)),
        ("{% set ns = namespace(n=0) %}{% set ns.n = m %}{{ ns.n }}", (R("m"),)),
        ("{% set ns.n = 1 %}", (R("ns"),)),
        (
            "{% macro m(p, d=e) %}{{ p }}{{ f }}{{ caller() }}{% endmacro %}{{ m(g) }}",
            (R("e"), R("f"), R("g")),
        ),
        ("{% with a = b %}{{ a }}{{ c }}{% endwith %}{{ a }}", (R("b"), R("c"), R("a"))),
        ("{% filter upper %}{{ h }}{% endfilter %}", (R("h"),)),
        ("{% for i in l %}{% if i %}{% break %}{% endif %}{% endfor %}", (R("l"),)),
        ("{% do l.append(i) %}", (R("l"), R("i"))),
    ],
)
def test_names_bound_inside_a_template_are_not_references(
    text: str, expected: tuple[Reference, ...]
) -> None:
    assert template_references(text) == expected


@pytest.mark.parametrize(
    "text", ["", "plain text", "100", "a.b", "x is finished", "{ not jinja }", "50%"]
)
def test_text_without_jinja_has_no_references(text: str) -> None:
    assert template_references(text) == ()


@pytest.mark.parametrize(
    "text", ["{{ a", "{{ a. }}", "{% if a %}", "{{ a }} {% endfor %}", "{{ a b }}", "{% bogus %}"]
)
def test_invalid_template_gives_nothing(text: str) -> None:
    assert template_references(text) == ()


# --- bare expressions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("job_result.finished", (R("job_result", ("finished",)),)),
        ("job is finished", (R("job", (), ("finished",)),)),
        ("job is started", (R("job", (), ("started",)),)),
        ("reg is not skipped", (R("reg", (), ("skipped",), negated=True),)),
        ("not reg is skipped", (R("reg", (), ("skipped",), negated=True),)),
        ("not (reg is skipped)", (R("reg", (), ("skipped",), negated=True),)),
        ("not not reg is skipped", (R("reg", (), ("skipped",)),)),
        (
            "reg is failed or reg is changed",
            (R("reg", (), ("failed",)), R("reg", (), ("changed",))),
        ),
        ("reg.rc != 0", (R("reg", ("rc",)),)),
        ("not reg.rc", (R("reg", ("rc",)),)),
        ("sleep_times | batch(3) | list", (R("sleep_times"),)),
        ("'error' in out.stdout", (R("out", ("stdout",)),)),
        ("x.results[0] is success", (R("x", ("results", 0), ("success",)),)),
        ("x[k] is succeeded", (R("x"), R("k"))),
        ("  job.finished  ", (R("job", ("finished",)),)),
        ("{{ job.finished }}", (R("job", ("finished",)),)),
        ("{{ a }} and {{ b }}", (R("a"), R("b"))),
        ('x == "{{ y }}"', (R("x"), R("y"))),
    ],
)
def test_expression_references(expr: str, expected: tuple[Reference, ...]) -> None:
    assert expression_references(expr) == expected


@pytest.mark.parametrize("expr", ["", "   ", "a b", "a.", "job is", "(a", "a }}", "{{ a }} and b"])
def test_invalid_expression_gives_nothing(expr: str) -> None:
    assert expression_references(expr) == ()


# The references reported for a conditional are exactly the variables Ansible reads: given only
# those variables it evaluates, and without any one of them it fails on that name.
GROUND_TRUTH = [
    ("job.finished", {"job": {"finished": True}}),
    ("job is finished", {"job": {"finished": True, "ansible_job_id": "1"}}),
    ("reg is not skipped", {"reg": {"changed": False}}),
    ("reg.rc != 0", {"reg": {"rc": 1}}),
    ('x == "{{ y }}"', {"x": "1", "y": "1"}),
    ("{{ ok }}", {"ok": True}),
    (
        "a.results | map(attribute='ansible_job_id') | list | length == 1",
        {"a": {"results": [{"ansible_job_id": "j"}]}},
    ),
    ("(a['b'][0] ~ c) == 'xy'", {"a": {"b": ["x"]}, "c": "y"}),
    ("sleep_times | batch(3) | list | length == 1", {"sleep_times": [1, 2]}),
    ("d[k] == 0 and e.get('f') is none", {"d": {"z": 0}, "k": "z", "e": {}}),
]


def evaluate(expr: str, variables: dict[str, object]) -> bool:
    return Templar(loader=None, variables=variables).evaluate_conditional(trust_as_template(expr))


@pytest.mark.parametrize(("expr", "variables"), GROUND_TRUTH)
def test_references_are_what_ansible_reads(expr: str, variables: dict[str, object]) -> None:
    names = {reference.name for reference in expression_references(expr)}
    assert names == set(variables)
    assert evaluate(expr, variables) is True
    for name in names:
        without = {key: value for key, value in variables.items() if key != name}
        with pytest.raises(AnsibleUndefinedVariable, match=f"'{name}' is undefined"):
            evaluate(expr, without)


# --- nested values -----------------------------------------------------------------------


def test_value_references_walks_module_arguments_in_order() -> None:
    args = {
        "jid": "{{ item.ansible_job_id }}",
        "mode": "status",
        "nested": [{"path": "{{ base }}/{{ name }}"}, 3, None, True],
        "{{ key }}": "x",
    }
    assert value_references(args) == (
        R("item", ("ansible_job_id",)),
        R("base"),
        R("name"),
        R("key"),
    )


def test_value_references_bare_reads_top_level_strings_and_lists_as_expressions() -> None:
    assert value_references("job.finished", bare=True) == (R("job", ("finished",)),)
    assert value_references(["a is finished", "b.rc == 0"], bare=True) == (
        R("a", (), ("finished",)),
        R("b", ("rc",)),
    )
    assert value_references("job.finished") == ()
    assert value_references([["a.b"]], bare=True) == ()
    assert value_references({"k": "a.b"}, bare=True) == ()


def test_value_references_reads_a_shared_or_cyclic_container_once() -> None:
    shared = ["{{ a }}"]
    cyclic: list[object] = ["{{ b }}"]
    cyclic.append(cyclic)
    assert value_references([shared, shared, cyclic]) == (R("a"), R("b"))


def test_value_references_survives_deep_nesting() -> None:
    value: object = "{{ deep }}"
    for _ in range(5000):
        value = [value]
    assert value_references(value) == (R("deep"),)


@pytest.mark.parametrize("value", [None, 0, 1.5, True, b"{{ a }}", object()])
def test_non_strings_have_no_references(value: object) -> None:
    assert template_references(value) == ()
    assert expression_references(value) == ()
    assert value_references(value) == ()
    assert value_references(value, bare=True) == ()
    assert is_templated(value) is False


# --- is_templated ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{{ 0 }}", True),
        ("x{% if a %}1{% endif %}", True),
        ("{# c #}0", True),
        ("#jinja2:variable_start_string:'[%'\n[% a %]", True),
        ("{{ broken", True),
        ("0", False),
        ("{ a }", False),
        ("", False),
        (0, False),
        (None, False),
    ],
)
def test_is_templated(value: object, expected: bool) -> None:
    assert is_templated(value) is expected


# --- Reference ----------------------------------------------------------------------------


def test_reference_dotted() -> None:
    assert R("async_result", ("results", 0, "ansible_job_id")).dotted == (
        "async_result.results.0.ansible_job_id"
    )
    assert R("job").dotted == "job"


def test_huge_and_deep_inputs_do_not_raise() -> None:
    assert expression_references("(" * 100_000 + "a" + ")" * 100_000) == ()
    assert template_references("{{ " + "[" * 100_000 + " }}") == ()
    assert len(template_references("{{ a }}" * 20_000)) == 20_000


# --- dependency boundary ----------------------------------------------------------------

PACKAGE = Path(__file__).resolve().parent.parent / "asynclint"


def imported_modules(path: Path) -> set[str]:
    nodes = list(ast.walk(ast.parse(path.read_text(encoding="utf-8"))))
    imports = {alias.name for node in nodes if isinstance(node, ast.Import) for alias in node.names}
    from_imports = {
        node.module for node in nodes if isinstance(node, ast.ImportFrom) and node.module
    }
    return imports | from_imports


def test_jinja2_is_imported_only_by_the_expression_reader() -> None:
    importers = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if any(name.split(".")[0] == "jinja2" for name in imported_modules(path))
    }
    assert importers == {"expressions/jinja_ast.py"}


def test_importing_the_reader_does_not_load_jinja2() -> None:
    probe = "import sys, asynclint.expressions; print('jinja2' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
    )
    assert result.stdout.strip() == "False"


# --- properties ---------------------------------------------------------------------------

JINJA_WORDS = {"and", "or", "not", "in", "is", "if", "else", "true", "false", "none"}
identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True).filter(
    lambda name: name.lower() not in JINJA_WORDS and not keyword.iskeyword(name)
)
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
JINJA_TOKENS = [
    *"{}%#|.[]()'\" abx0-~:,=!*\n",
    *("{{", "}}", "{%", "%}", "for ", " in ", "set ", "endfor", "if ", "endif", "else", "raw"),
    *("endraw", "macro ", "endmacro", "with ", "endwith", "is not ", "not ", "loop", "do "),
]
jinja_ish = st.lists(st.sampled_from(JINJA_TOKENS), max_size=40).map("".join)


@settings(deadline=None)  # parse time varies with machine load
@given(st.text() | jinja_ish)
def test_strings_never_raise(text: str) -> None:
    for result in (template_references(text), expression_references(text)):
        assert all(isinstance(reference, Reference) for reference in result)


@settings(deadline=None)
@given(json_like, st.booleans())
def test_nested_values_never_raise(value: object, bare: bool) -> None:
    assert all(isinstance(reference, Reference) for reference in value_references(value, bare=bare))


@settings(deadline=None)
@given(identifiers, st.lists(identifiers | st.integers(min_value=0, max_value=99), max_size=5))
def test_access_chains_read_back(name: str, attrs: list[str | int]) -> None:
    source = name + "".join(f"[{attr}]" if isinstance(attr, int) else f".{attr}" for attr in attrs)
    expected = (Reference(name, tuple(attrs)),)
    assert expression_references(source) == expected
    assert template_references("{{ " + source + " }}") == expected
    assert expression_references(source + " is not finished") == (
        Reference(name, tuple(attrs), ("finished",), negated=True),
    )


# --- the reader without jinja2 agrees with jinja2's parse tree -----------------------------

SUBSET_TOKENS = [
    "job", "r", "item", "x.", ".finished", ".results", "[0]", "[-1]", "['a b']", '["k"]', "[y]",
    " is ", " is not ", "not ", " and ", " or ", " in ", " not in ", " == ", " != ", " < ",
    " >= ", " | bool", " | ansible.builtin.bool", " | default(x)", "(", ")", " 200 ", "0",
    " 'text' ", ' "{{ y }}" ', " true ", " None ", "finished", " succeeded", "defined",
    "lookup('env', 'HOME')", " + ", ".0", " if ", " else ", "{{ ", " }}", "{% if x %}", "-",
    ",", "[", "]", "=", " ~ ", "*", ".get(", "1.5", "{", "}", ":", "'", "\\",
    "{% for item in r %}", "{% for k, v in x if v %}", "{% endfor %}", "{% else %}",
    "{% elif job %}", "{% endif %}", "{%- ", " -%}", "{{- ", " -}}", "loop.index", "{# c #}",
    "'\\1'", "'\\x'", "'\\''", "{}", "{'k': item}", "d({})", "{% set a = 1 %}",
]
subset_ish = st.lists(st.sampled_from(SUBSET_TOKENS), min_size=1, max_size=12).map("".join)
_access = st.builds("".join, st.lists(
    st.sampled_from([".finished", ".results", "[0]", "[-2]", "['a b']", '["k"]', ".not"]),
    max_size=3)).flatmap(lambda chain: st.sampled_from(["job", "r", "item"]).map(
        lambda name: name + chain))
_atom = _access | st.sampled_from(["200", "0", "'text'", "true", "None"])


def _grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    arguments = st.lists(inner, max_size=2).flatmap(lambda values: st.sampled_from(
        ["", "k="]).map(lambda keyword: "(" + ", ".join(
            values[:-1] + [keyword + value for value in values[-1:]]) + ")"))
    suffix = st.tuples(st.sampled_from(["", " | bool", " | a.b", " | d"]),
                       st.sampled_from(["", "()"]) | arguments,
                       st.sampled_from(["", " is finished", " is not failed", " is a.b"]),
                       st.sampled_from([""]) | arguments).map("".join)
    postfix = st.sampled_from(["", ".x", "[0]", "[-1]", "['k']", "()"]) \
        | inner.map(lambda text: f"[{text}]") | arguments
    unary = (st.tuples(inner, postfix, suffix).map("".join)
             | st.tuples(st.sampled_from(["-", "+ ", "-("]), inner).map(
                 lambda parts: parts[0] + parts[1] + (")" if parts[0] == "-(" else ""))
             | inner.map(lambda text: f"({text})")
             | st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
             | st.tuples(st.sampled_from(["lookup", "x.get", "q['f']"]), arguments).map(
                 "".join))
    return (unary
            | st.tuples(st.sampled_from(["not ", "not not "]), unary).map("".join)
            | st.tuples(unary, st.sampled_from(
                [" == ", " in ", " not in ", " and ", " or ", " - ", " ~ ", " ** ", " if ",
                 " else "]), unary).map("".join)
            | st.tuples(unary, unary, unary).map(lambda parts: "{} if {} else {}".format(*parts)))


subset_expressions = st.recursive(_atom, _grow, max_leaves=6)


def _blocks(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Templates of text, `{{ }}`, comments and `if`/`for` blocks (binding `item`, `r`, `k`
    and `loop` over expressions that read them), with or without whitespace control."""
    body = st.lists(inner, max_size=3).map("".join)
    dash = st.sampled_from(["", "-"])
    if_block = st.tuples(dash, subset_expressions, body,
                         st.lists(st.tuples(subset_expressions, body), max_size=2),
                         st.none() | body, dash).map(
        lambda p: f"{{%{p[0]} if {p[1]} %}}{p[2]}"
                  + "".join(f"{{% elif {test} %}}{part}" for test, part in p[3])
                  + ("" if p[4] is None else f"{{% else %}}{p[4]}") + f"{{% endif {p[5]}%}}")
    for_block = st.tuples(st.sampled_from(["item", "r", "k, v", "job"]), subset_expressions,
                          st.none() | subset_expressions, body, st.none() | body).map(
        lambda p: f"{{% for {p[0]} in {p[1]}" + ("" if p[2] is None else f" if {p[2]}")
                  + f" %}}{p[3]}" + ("" if p[4] is None else f"{{% else %}}{p[4]}")
                  + "{% endfor %}")
    return if_block | for_block


_leaf = (st.sampled_from(["text ", "{# note #}", "{{ loop.index }}"])
         | st.tuples(st.sampled_from(["{{ ", "{{- "]), subset_expressions,
                     st.sampled_from([" }}", " -}}"])).map("".join))
subset_templates = st.recursive(_leaf, _blocks, max_leaves=8).map(lambda t: "a " + t)


@settings(deadline=None, max_examples=1000)
@given(subset_ish | subset_expressions | subset_templates)
def test_the_simple_reader_agrees_with_jinja2(text: str) -> None:
    """Where the reader without jinja2 answers, it answers what jinja2's tree says."""
    from asynclint.expressions import jinja_ast, simple

    for ours, theirs in ((simple.expression_references, jinja_ast.expression_references),
                         (simple.template_references, jinja_ast.template_references)):
        found = ours(text)
        assert found is None or found == theirs(text), text
    wrapped = "{{ " + text + " }}"
    found = simple.template_references(wrapped)
    assert found is None or found == jinja_ast.template_references(wrapped), wrapped


@pytest.mark.parametrize("text", [
    "job.finished", "result is not failed", "r.status == 200", "not x is finished",
    "x.results[0].ansible_job_id is not finished", "a and b or not c", "x not in y",
    "(x | bool).y", "x['a b'][-1]", "x is ansible.builtin.finished", "x is finished | bool",
    "{{ item.ansible_job_id }}", "^{{ item.key }}={{ item.value }}", "{{ s | dict2items }}",
])
def test_common_expressions_are_read_without_jinja2(text: str) -> None:
    from asynclint.expressions import jinja_ast, simple

    if text.startswith(("{{", "^")):
        assert simple.template_references(text) == jinja_ast.template_references(text) != ()
    else:
        assert simple.expression_references(text) == jinja_ast.expression_references(text) != ()


def test_checking_an_example_does_not_load_jinja2() -> None:
    """Its conditions and templates are all in the subset read without jinja2."""
    probe = ("import sys; from asynclint.cli import main; main(['check', '--no-cache', "
             "'--exit-zero', 'examples/wrong/until_on_launch_result.yml']); print('jinja2' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, cwd=PACKAGE.parent.parent)
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_long_runs_of_delimiters_are_read_in_one_pass() -> None:
    """A template of 100,000 `{{` (or expressions) is split in one pass: matching every `{{`
    against the rest of the text would take hours."""
    from asynclint.expressions import simple

    assert simple.template_references("{{ " * 100_000) is None
    assert template_references("{{ " * 100_000) == ()
    assert simple.template_references("}} " * 100_000) is None
    assert simple.template_references("{{ x }} " * 20_000) == (R("x"),) * 20_000


@pytest.mark.parametrize("text", [
    "download_{% if download.container %}container{% else %}file{% endif %}.yml",
    "[{% for node in groups['etcd'] %} '{{ certs }}/admin-{{ node }}.pem',{% endfor %}]",
    "{% for host in groups['etcd'] -%}\n  {%- if hostvars[host]['in_cluster'].rc == 0 -%}\n"
    "    {{ 'etcd' + loop.index | string }}=https://{{ host }}:2380,{%- endif -%}{%- endfor -%}",
    "{{ node_labels | d({}) | dict2items }}",
    "{{ item | regex_replace('^(.*):.*$', '\\1') }}",
    "{% for k, v in x.items() if v is defined %}{{ k }}={{ v }}{% else %}{{ none_left }}"
    "{% endfor %}{# done #}",
])
def test_statement_templates_are_read_without_jinja2(text: str) -> None:
    """The `if`/`for` blocks, dict literals and escaped strings real roles write (kubespray's,
    among others) are read without importing jinja2, with jinja2's answer."""
    from asynclint.expressions import jinja_ast, simple

    assert simple.template_references(text) == jinja_ast.template_references(text) != ()
