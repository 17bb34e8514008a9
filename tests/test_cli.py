"""The command line as a user meets it: output, exit codes, selection, noqa, bad input."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from asynclint.cli import main

BLOCK = """\
- hosts: localhost
  gather_facts: false
  tasks:
    - block:
        - ansible.builtin.command: sleep 1
      async: 10{noqa}
      poll: 2
"""
CLEAN = """\
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 1
      async: 10
      poll: 2
"""


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_text_output_and_exit_code_one(tmp_path, capsys) -> None:
    path = write(tmp_path, "p.yml", BLOCK.format(noqa=""))
    code, out, err = run(capsys, "check", str(path))
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{path}:6:7: ASY001 [async-on-block] Ansible rejects `async`/`poll`")
    assert out.splitlines()[-1].startswith("Found 1 finding (1 error) in 1 file.")
    assert err == ""


def test_clean_file_exits_zero(tmp_path, capsys) -> None:
    path = write(tmp_path, "p.yml", CLEAN)
    assert run(capsys, "check", str(path)) == (0, "All checks passed: 1 file, no findings.\n", "")


def test_exit_zero_flag(tmp_path, capsys) -> None:
    path = write(tmp_path, "p.yml", BLOCK.format(noqa=""))
    code, out, _ = run(capsys, "check", "--exit-zero", str(path))
    assert code == 0 and "ASY001" in out


def test_json_output(tmp_path, capsys) -> None:
    path = write(tmp_path, "p.yml", BLOCK.format(noqa=""))
    code, out, _ = run(capsys, "check", "--format", "json", str(path))
    assert code == 1
    (item,) = json.loads(out)
    assert set(item) == {"path", "line", "column", "end_line", "end_column", "code", "name",
                         "severity", "message", "fix"}
    assert (item["line"], item["column"], item["end_line"], item["end_column"]) == (6, 7, 6, 12)
    assert (item["code"], item["name"], item["severity"]) == ("ASY001", "async-on-block", "error")


@pytest.mark.parametrize("comment", ["  # noqa: ASY001", "  # noqa: async-on-block", "  # noqa",
                                     "  # NOQA: asy001, ASY004"])
def test_noqa_suppresses(tmp_path, capsys, comment) -> None:
    path = write(tmp_path, "p.yml", BLOCK.format(noqa=comment))
    assert run(capsys, "check", str(path))[0] == 0


def test_noqa_for_another_rule_does_not_suppress(tmp_path, capsys) -> None:
    path = write(tmp_path, "p.yml", BLOCK.format(noqa="  # noqa: ASY004"))
    assert run(capsys, "check", str(path))[0] == 1


def test_noqa_on_the_task_line_suppresses(tmp_path, capsys) -> None:
    text = BLOCK.format(noqa="").replace("    - block:", "    - block:  # noqa: ASY001")
    path = write(tmp_path, "p.yml", text)
    assert run(capsys, "check", str(path))[0] == 0


@pytest.mark.parametrize(("option", "value", "code"), [
    ("--select", "ASY004", 0), ("--select", "async-on-block", 1), ("--ignore", "ASY0", 0),
    ("--select", "ASY1", 0), ("--ignore", "async-on-block", 0),
])
def test_selection(tmp_path, capsys, option, value, code) -> None:
    path = write(tmp_path, "p.yml", BLOCK.format(noqa=""))
    assert run(capsys, "check", option, value, str(path))[0] == code


def test_unknown_rule_is_a_usage_error(tmp_path, capsys) -> None:
    code, out, err = run(capsys, "check", "--select", "ASY999", str(tmp_path))
    assert code == 2 and "unknown rule `ASY999`" in err and out == ""


def test_bad_arguments_exit_two(capsys) -> None:
    assert run(capsys, "check", "--format", "nope")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2


def test_stdin(capsys, monkeypatch) -> None:
    class Stdin:
        buffer = __import__("io").BytesIO(BLOCK.format(noqa="").encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    code, out, _ = run(capsys, "check", "--stdin-filename", "play.yml", "-")
    assert code == 1 and out.startswith("play.yml:6:7: ASY001")


BAD_INPUTS = {
    "invalid.yml": ("- hosts: all\n  tasks: [\n", "invalid.yml:3:1: ASY000 [syntax-error]"),
    "binary.yml": (b"\x00\x01\x02binary", "binary.yml:1:1: ASY000 [syntax-error] binary file"),
    "latin1.yml": ("- name: caf\xe9\n".encode("latin-1"),
                   "latin1.yml:1:12: ASY000 [syntax-error] not valid UTF-8"),
    "tabs.yml": ("- hosts: all\n\t- x\n", "tabs.yml:2:1: ASY000 [syntax-error]"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_clear_finding(tmp_path, capsys, monkeypatch, name) -> None:
    content, expected = BAD_INPUTS[name]
    write(tmp_path, name, content)
    good = write(tmp_path, "good.yml", BLOCK.format(noqa=""))
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check", ".")
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert [line for line in lines if line.startswith(name)][0].startswith(expected)
    assert any(line.startswith(f"{good.name}:6:7: ASY001") for line in lines)


def test_missing_path(tmp_path, capsys) -> None:
    missing = tmp_path / "nope.yml"
    code, out, err = run(capsys, "check", str(missing))
    assert code == 1 and err == ""
    assert out.startswith(f"{missing}:1:1: ASY000 [syntax-error] cannot read file: No such file")


def test_fifo_is_not_read(tmp_path, capsys) -> None:
    fifo = tmp_path / "pipe.yml"
    os.mkfifo(fifo)
    code, out, _ = run(capsys, "check", str(fifo))
    assert code == 1 and "ASY000 [syntax-error] not a regular file" in out


def test_vault_unsafe_jinja_and_duplicate_keys_are_not_errors(tmp_path, capsys) -> None:
    text = """\
- hosts: "{{ target | default('all') }}"
  vars:
    secret: !vault |
      $ANSIBLE_VAULT;1.1;AES256
      3561
  tasks:
    - name: "{{ 'templated' }}"
      ansible.builtin.command: "{{ cmd }}"
      args: !unsafe {chdir: '{{ x }}'}
      async: "{{ limit }}"
      poll: "{{ 0 }}"
      register: r
      register: job
    - ansible.builtin.async_status:
        jid: "{{ job.ansible_job_id }}"
      register: s
      until: s is finished
      retries: "{{ n }}"
"""
    path = write(tmp_path, "p.yml", text)
    code, out, err = run(capsys, "check", str(path))
    assert err == "" and "ASY000" not in out, out


def test_rules_and_explain(capsys) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "ASY001  async-on-block" in out
    code, out, _ = run(capsys, "rules", "--format", "json")
    assert {"code": "ASY004", "name": "async-on-static-import"}.items() <= next(
        r for r in json.loads(out) if r["code"] == "ASY004").items()
    code, out, _ = run(capsys, "explain", "async-on-static-import")
    assert code == 0 and out.startswith("ASY004 async-on-static-import (error")
    assert "## Why is this bad?" in out
    assert run(capsys, "explain", "ASY999")[0] == 2


def test_python_dash_m(tmp_path) -> None:
    path = write(tmp_path, "p.yml", BLOCK.format(noqa=""))
    proc = subprocess.run([sys.executable, "-m", "asynclint", "check", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "ASY001" in proc.stdout and proc.stderr == ""


def test_the_command_ends_without_teardown_and_loses_no_output(tmp_path) -> None:
    """The installed command skips Python's teardown (no exit handler runs) after flushing
    its output: every line arrives through a pipe, with the run's exit code. A reader that
    leaves early is no error."""
    path = write(tmp_path, "p.yml", BLOCK.format(noqa=""))
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    probe = ("import atexit, sys\n"
             "atexit.register(lambda: print('teardown', file=sys.stderr))\n"
             "sys.argv[1:] = ['check', '--no-cache', '--format', 'json', sys.argv[1]]\n"
             "from asynclint.replay import main, run\n")

    def command(last_line: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", probe + last_line, str(path)],
                              capture_output=True, text=True, env=env, check=False)

    proc = command("run()")  # the output waits in a buffer until run() flushes it
    assert (proc.returncode, proc.stderr) == (1, "")
    assert [finding["code"] for finding in json.loads(proc.stdout)] == ["ASY001"]
    plain = command("sys.exit(main())")
    assert (plain.returncode, plain.stdout, plain.stderr) == (1, proc.stdout, "teardown\n")

    gone = subprocess.Popen([sys.executable, "-m", "asynclint", "check", "--no-cache",
                             str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert gone.stdout is not None and gone.stderr is not None
    gone.stdout.close()  # the reader left before the first line: as if there were no finding
    assert (gone.wait(), gone.stderr.read()) == (0, b"")
    gone.stderr.close()


def test_the_cycle_collector_is_off_during_a_command_only(tmp_path, capsys, monkeypatch) -> None:
    import gc

    from asynclint import cli

    seen: list[bool] = []
    check_paths = cli.check_paths

    def checking(*args, **kwargs):
        seen.append(gc.isenabled())
        return check_paths(*args, **kwargs)

    monkeypatch.setattr(cli, "check_paths", checking)
    path = write(tmp_path, "p.yml", BLOCK.format(noqa=""))
    assert gc.isenabled()
    assert run(capsys, "check", "--no-cache", str(path))[0] == 1
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:  # a caller's choice stands
        assert run(capsys, "check", "--no-cache", str(path))[0] == 1
        assert not gc.isenabled()
    finally:
        gc.enable()
    monkeypatch.setitem(cli.COMMANDS, "check", lambda args: 1 / 0)
    assert run(capsys, "check", str(path))[0] == 2  # an internal error
    assert gc.isenabled()


def test_thousands_of_unrelated_yaml_files_stay_quiet(tmp_path, capsys) -> None:
    for index in range(2000):
        folder = tmp_path / f"k8s{index % 40}"
        folder.mkdir(exist_ok=True)
        (folder / f"m{index}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{index}\ndata:\n  async: '1'\n")
    write(tmp_path, ".gitlab-ci.yml", "test:\n  script: [make]\n")
    write(tmp_path, "list.yml", "- id: hook\n  name: a hook\n  entry: run\n")
    code, out, _ = run(capsys, "check", str(tmp_path))
    assert (code, out) == (0, "All checks passed: 2002 files, no findings.\n")


@pytest.mark.parametrize("command", ["check", "fix", "rules", "explain", "graph", "parallelize"])
def test_a_parser_for_one_command_reads_it_as_the_full_parser_does(command: str) -> None:
    """The command line built for the command asked for (only its arguments) gives the same
    help, top and command, and reads the same values as the one with every command."""
    from asynclint.cli import build_parser

    def helps(parser: argparse.ArgumentParser) -> list[str]:
        (commands,) = [action for action in parser._actions
                       if isinstance(action, argparse._SubParsersAction)]
        return [parser.format_help(), commands.choices[command].format_help()]

    full, one = build_parser(), build_parser(command)
    assert helps(one) == helps(full)
    argv = {"check": ["check", "a.yml", "--format", "json", "--select", "ASY1", "--jobs", "2"],
            "fix": ["fix", "--diff", "--unsafe-fixes", "b.yml"],
            "rules": ["rules", "--format", "json"], "explain": ["explain", "ASY101"],
            "graph": ["graph", "--format", "mermaid", "c.yml"],
            "parallelize": ["parallelize", "p.yml", "--max-parallel", "3", "--dry-run"]}[command]
    assert vars(one.parse_args(argv)) == vars(full.parse_args(argv))


def test_a_rule_that_fails_never_reads_as_all_checks_passed(tmp_path, capsys, monkeypatch) -> None:
    """A rule's bug is an internal error (exit code 2, on standard error); the summary says
    the check is incomplete, for `check` and for `fix`."""
    from asynclint import linter
    from asynclint.findings import Severity
    from asynclint.rules.registry import Rule

    def check(ctx):
        raise RecursionError("too deep")
        yield

    broken = Rule("ASY001", "async-on-block", Severity.ERROR, True, "safe", "", check)
    monkeypatch.setattr(linter, "_registered_rules", lambda project: (broken,))
    path = write(tmp_path, "p.yml", BLOCK.format(noqa=""))
    for command in (("check", "--no-cache"), ("fix",)):
        code, out, err = run(capsys, *command, "--format", "text", str(path))
        assert code == 2
        assert "All checks passed" not in out, out
        assert "Found no findings in 1 file, but 1 rule failed (reported below): the check is " \
               "incomplete." in out, out
        assert "internal error, please report it: rule ASY001 failed: RecursionError" in err


def _fix_stdin(tmp_path: Path, data: bytes, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "asynclint", "fix", "--isolated", *args, "-"],
                          input=data, capture_output=True, cwd=tmp_path, timeout=120)


def test_fix_reads_standard_input_and_writes_the_fixed_text(tmp_path) -> None:
    """`fix -` is a filter, as `ruff check --fix -` is: the fixed text (or the text as it
    came) on standard output, the findings left and the summary on standard error."""
    original = BLOCK.format(noqa="").encode()
    fixed = _fix_stdin(tmp_path, original, "--stdin-filename", "site.yml")
    assert fixed.returncode == 1, fixed.stderr  # the text changed
    assert fixed.stdout != original and b"  - ansible.builtin.command" in fixed.stdout
    assert b"Fixed 1 finding in 1 file, 0 remaining." in fixed.stderr
    again = _fix_stdin(tmp_path, fixed.stdout)
    assert (again.returncode, again.stdout) == (0, fixed.stdout)  # fixing twice is fixing once
    path = write(tmp_path, "site.yml", original.decode())
    assert subprocess.run([sys.executable, "-m", "asynclint", "fix", "--isolated", "site.yml"],
                          cwd=tmp_path, capture_output=True, timeout=120).returncode == 1
    assert path.read_bytes() == fixed.stdout  # as a file is fixed
    diff = _fix_stdin(tmp_path, original, "--diff", "--stdin-filename", "site.yml")
    assert diff.stdout.startswith(b"--- a/site.yml\n+++ b/site.yml\n"), diff.stdout
    assert b"Would fix 1 finding" in diff.stderr
    broken = _fix_stdin(tmp_path, b"\xff\xfe")
    assert broken.stdout == b"\xff\xfe" and b"ASY000" in broken.stderr


def test_fix_of_standard_input_names_no_other_path(tmp_path) -> None:
    write(tmp_path, "site.yml", BLOCK.format(noqa=""))
    proc = subprocess.run([sys.executable, "-m", "asynclint", "fix", "-", "site.yml"],
                          input=b"", capture_output=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and b"fixes standard input alone" in proc.stderr
