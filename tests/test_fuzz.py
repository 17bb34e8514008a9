"""Fuzzing the whole pipeline: arbitrary YAML, broken YAML and plain bytes into the command line.

Generated files mix Ansible's keys (plays, blocks, `async`, `poll`, `async_status`, includes)
with everything YAML allows: random nesting in block and flow style, odd scalars, tags,
anchors and aliases, Jinja everywhere, several documents, CRLF and BOMs; then some are cut or
have bytes spliced in, and some are random text or random bytes. For each file:

- `asynclint check` and `asynclint fix --unsafe-fixes` never fail with an internal error;
- a file that cannot be read as YAML is reported as one `ASY000` finding, a file that can is not;
- `fix` leaves an unreadable file byte for byte as it was, and whatever it writes still parses.

The regular suite runs a small deterministic sample; ``ASYNCLINT_HYPOTHESIS_PROFILE=heavy``
runs a large random one.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from asynclint.cli import main

HEAVY = os.environ.get("ASYNCLINT_HYPOTHESIS_PROFILE") == "heavy"
FUZZ = settings(
    derandomize=not HEAVY, max_examples=1500 if HEAVY else 60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)

KEYS = (
    "hosts", "tasks", "pre_tasks", "post_tasks", "handlers", "roles", "block", "rescue",
    "always", "name", "async", "poll", "register", "until", "retries", "delay", "when", "loop",
    "with_items", "loop_control", "loop_var", "jid", "mode", "changed_when", "failed_when",
    "ansible.builtin.command", "command", "shell", "async_status", "ansible.builtin.async_status",
    "include_tasks", "import_tasks", "include_role", "import_role", "import_playbook", "apply",
    "set_fact", "debug", "msg", "vars", "become_user", "delegate_to", "args", "action",
    "local_action", "module", "file", "path", "dest", "copy", "package", "state", "<<",
)
ODD_SCALARS = (
    "", "~", "null", "yes", "No", "on", "0", "-1", "0x1F", "0o17", "1e3", ".inf", "-.nan", "10",
    "2001-12-14", "1:20", "true", "False", "-", "?", ":", "@x", "`x`", "%x", "0.5", "3600",
    "{{ x }}", "{{ reg.ansible_job_id }}", "{{ item.ansible_job_id }}", "{{ job.results }}",
    "{% if a %}b{% endif %}", "{{ '{{' }}", "{# c #}", "{{ x | default(omit) }}", "{{", "}}",
    "job is finished", "job.finished", "reg is not skipped", "$ANSIBLE_VAULT;1.1;AES256",
    "é😀", "\u200b", "\x7f", "a\tb", "#", "'", '"', "\\", "|", ">", "&", "*", "!", "[", "]",
    "{", "}", ",",
)
TAGS = ("!unsafe", "!vault", "!!str", "!!int", "!!map", "!!binary", "!custom", "!", "!<tag:x>")


def _plain(value: str) -> str:
    return value


def _quoted(value: str) -> str:
    return json.dumps(value)


def _single(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


scalar_text = st.one_of(st.sampled_from(ODD_SCALARS), st.sampled_from(KEYS),
                        st.text(max_size=12))
scalar = st.builds(lambda style, value: style(value),
                   st.sampled_from((_plain, _quoted, _single)), scalar_text)
key = st.one_of(st.sampled_from(KEYS), scalar)


@st.composite
def decorated(draw, inner: str) -> str:
    """A value with an optional tag and anchor, or an alias."""
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return "*" + draw(st.sampled_from("abc"))
    prefix = ""
    if choice == 1:
        prefix += draw(st.sampled_from(TAGS)) + " "
    if choice == 2:
        prefix += "&" + draw(st.sampled_from("abc")) + " "
    return prefix + inner


@st.composite
def flow(draw, depth: int = 0) -> str:
    if depth > 4 or draw(st.integers(0, 2)) == 0:
        return draw(decorated(draw(scalar)))
    items = draw(st.lists(flow(depth + 1), max_size=4))
    if draw(st.booleans()):
        return "[" + ", ".join(items) + "]"
    pairs = [f"{draw(key)}: {item}" for item in items]
    return "{" + ", ".join(pairs) + "}"


@st.composite
def block(draw, indent: int = 0, depth: int = 0) -> list[str]:
    """Lines of a block node at ``indent``."""
    pad = " " * indent
    if depth > 5 or draw(st.integers(0, 3)) == 0:
        return [pad + draw(flow())]
    lines: list[str] = []
    sequence = draw(st.booleans())
    for _ in range(draw(st.integers(1, 4))):
        head = pad + ("- " if sequence else f"{draw(key)}:")
        kind = draw(st.integers(0, 4))
        if kind == 0:  # a nested block on the next lines
            step = draw(st.sampled_from((1, 2, 4)))
            lines.append(head.rstrip() + draw(st.sampled_from(("", " # c"))))
            lines += draw(block(indent + step, depth + 1))
        elif kind == 1:  # a literal or folded scalar
            lines.append(head.rstrip() + " " + draw(st.sampled_from(("|", ">-", "|+", "|2"))))
            lines += [pad + "  " + draw(st.text(max_size=15).map(lambda t: t.replace("\n", " ")))
                      for _ in range(draw(st.integers(0, 2)))]
        else:
            sep = "" if sequence else " "
            lines.append(head + sep + draw(decorated(draw(flow()))))
    return lines


@st.composite
def yaml_files(draw) -> bytes:
    documents = []
    for _ in range(draw(st.integers(1, 3))):
        lines = draw(block())
        documents.append(lines)
    newline = draw(st.sampled_from(("\n", "\r\n")))
    text = (newline + "---" + newline).join(newline.join(lines) for lines in documents)
    if draw(st.booleans()):
        text += newline
    if draw(st.integers(0, 5)) == 0:
        text = "\ufeff" + text
    data = text.encode("utf-8")
    mutation = draw(st.integers(0, 5))
    if mutation == 0 and data:  # cut short
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif mutation == 1:  # bytes spliced in
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


any_file = st.one_of(
    yaml_files(),
    yaml_files(),
    yaml_files(),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    st.binary(max_size=200),
)


def readable_yaml(data: bytes) -> bool:
    """What the fuzzed files are judged by: UTF-8 text without NUL that ruamel composes."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if "\x00" in text:
        return False
    try:
        list(YAML(typ="safe", pure=True).compose_all(text))
    except RecursionError:
        return False
    except Exception:
        return False
    return True


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _no_crash(code: int, err: str) -> None:
    assert "internal error" not in err and "Traceback" not in err, err
    assert code in (0, 1) or "did not converge" in err or "not fixed:" in err, (code, err)


@FUZZ
@given(any_file)
@example(b"\xef\xbb\xbf*a")  # an undefined alias right after a BOM was taken as clean
def test_check_and_fix_never_crash_and_report_unreadable_yaml(data: bytes) -> None:
    folder = Path(tempfile.mkdtemp(prefix="asynclint-fuzz-"))
    try:
        path = folder / "play.yml"
        path.write_bytes(data)
        code, out, err = run("check", "--no-cache", "--isolated", "--format", "json",
                             str(path))
        _no_crash(code, err)
        findings = json.loads(out)
        syntax = [f for f in findings if f["code"] == "ASY000"]
        if readable_yaml(data):
            assert syntax == [], syntax
        else:
            assert len(syntax) == 1 and syntax[0]["line"] >= 1, findings

        code, out, err = run("fix", "--unsafe-fixes", str(path))
        _no_crash(code, err)
        after = path.read_bytes()
        if not readable_yaml(data):
            assert after == data
        elif after != data:
            assert readable_yaml(after), after
        assert sorted(p.name for p in folder.iterdir()) == ["play.yml"]  # no temporary left
    finally:
        shutil.rmtree(folder)


@FUZZ
@given(st.lists(any_file, min_size=2, max_size=4))
def test_one_bad_file_does_not_hide_the_others(files: list[bytes]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="asynclint-fuzz-"))
    try:
        good = folder / "good.yml"
        good.write_text("- hosts: localhost\n  tasks:\n    - block:\n"
                        "        - ansible.builtin.command: 'true'\n      async: 10\n")
        for index, data in enumerate(files):
            (folder / f"fuzz{index}.yml").write_bytes(data)
        code, out, err = run("check", "--no-cache", "--isolated", "--format", "json",
                             str(folder))
        _no_crash(code, err)
        findings = json.loads(out)
        assert any(Path(f["path"]).name == "good.yml" and f["code"] == "ASY001"
                   for f in findings), findings
    finally:
        shutil.rmtree(folder)
