"""Hostile input: huge files, deep nesting, alias bombs, symlink loops, paths that are not files.

Every case runs the real command line in a subprocess, under a memory limit (``RLIMIT_AS``)
and a timeout, next to an ordinary playbook with one known finding: asynclint must give a
clear message for the bad path, stay within the limits, and still report the good file.

The tests run as root here, where file permissions do not stop reading (``chmod 000`` does
not make a file unreadable). What root cannot be denied is tested instead: a broken symbolic
link, a symbolic link loop, a FIFO and a character device named on the command line, and a
folder whose name ends in ``.yml``. When the tests run as another user, a ``chmod 000`` file
is added to the unreadable cases.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

MEMORY_LIMIT = 3 * 1024**3  # bytes of address space for one asynclint run
TIMEOUT = 180  # seconds for one asynclint run

GOOD = """\
- hosts: localhost
  gather_facts: false
  tasks:
    - block:
        - ansible.builtin.command: 'true'
      async: 10
"""
GOOD_FINDING = ("good.yml", 6, "ASY001")


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def asynclint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The command line in a subprocess, bounded in memory and time."""
    return subprocess.run(
        [sys.executable, "-m", "asynclint", *args], cwd=cwd, capture_output=True, text=True,
        timeout=TIMEOUT, preexec_fn=_limits, stdin=subprocess.DEVNULL,
    )


def check(cwd: Path, *paths: str) -> tuple[list[dict], subprocess.CompletedProcess]:
    proc = asynclint("check", "--no-cache", "--isolated", "--format", "json", *paths, cwd=cwd)
    assert proc.returncode == 1, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout), proc


def found(findings: list[dict]) -> set[tuple[str, int, str]]:
    return {(Path(f["path"]).name, f["line"], f["code"]) for f in findings}


def syntax_errors(findings: list[dict], name: str) -> list[str]:
    return [f["message"] for f in findings if Path(f["path"]).name == name and f["code"] == "ASY000"]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "good.yml").write_text(GOOD)
    return tmp_path


# -- size and nesting -------------------------------------------------------------------------


def test_a_20_mb_playbook_is_checked_within_bounds(tree: Path) -> None:
    line = "      " + "x" * 90 + "\n"
    parts = ["- hosts: localhost\n  gather_facts: false\n  vars:\n    blob: |\n"]
    parts.append(line * (15 * 1024 * 1024 // len(line)))
    parts.append("    packages:\n")
    parts += [f"      - package-{i:08d}\n" for i in range(5 * 1024 * 1024 // 25)]
    parts.append("  tasks:\n    - block:\n        - ansible.builtin.command: 'true'\n"
                 "      async: 10\n")
    text = "".join(parts)
    assert len(text) >= 20 * 1024 * 1024
    (tree / "big.yml").write_text(text)
    findings, _ = check(tree, ".")
    big_line = text.count("\n")
    assert found(findings) == {GOOD_FINDING, ("big.yml", big_line, "ASY001")}


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000 + "]" * 10_000 + "\n",
        "{a: " * 10_000 + "}" * 10_000 + "\n",
        "- " * 10_000 + "x\n",
        "- hosts: localhost\n  vars:\n    deep: " + "[" * 10_000 + "]" * 10_000 + "\n",
    ],
    ids=["flow-sequences", "flow-mappings", "block-sequences", "inside-a-play"],
)
def test_10000_deep_nesting_is_one_syntax_error(tree: Path, text: str) -> None:
    (tree / "deep.yml").write_text(text)
    findings, _ = check(tree, ".")
    messages = syntax_errors(findings, "deep.yml")
    assert len(messages) == 1 and "nesting" in messages[0], messages
    assert GOOD_FINDING in found(findings)


def test_blocks_nested_as_deep_as_the_composer_reads_are_checked_and_fixed(tree: Path) -> None:
    """A block is two levels (a list, then a mapping): blocks nested to just under the
    composer's limit reach every rule and fix, which walk them without recursing."""
    from asynclint.parsing.compose import MAX_DEPTH

    depth = (MAX_DEPTH - 20) // 2
    lines = ["- hosts: localhost", "  gather_facts: false", "  tasks:"]
    lines += [" " * (4 + 4 * level) + "- block:" for level in range(depth)]
    indent = " " * (4 + 4 * depth)
    lines += [f"{indent}- ansible.builtin.command: sleep 1", f"{indent}  async: 10",
              f"{indent}  poll: 0", f"{indent}  register: job"]
    (tree / "deep.yml").write_text("\n".join(lines) + "\n")
    proc = asynclint("check", "--no-cache", "--select", "ALL", "--format", "json", "deep.yml",
                     cwd=tree)
    assert proc.returncode == 1 and "internal error" not in proc.stderr, proc.stderr
    assert {f["code"] for f in json.loads(proc.stdout)} == {"ASY105"}
    proc = asynclint("fix", "--unsafe-fixes", "deep.yml", cwd=tree)
    assert proc.returncode == 1 and "internal error" not in proc.stderr, proc.stderr
    assert "job.ansible_job_id" in (tree / "deep.yml").read_text()
    assert asynclint("check", "--no-cache", "deep.yml", cwd=tree).returncode == 0


def test_yaml_only_the_pure_composer_reads_is_checked_quietly(tree: Path) -> None:
    # ruamel's C composer rejects a colon inside a flow scalar (Ansible does not): the pure
    # composer reads the file, and its warning about the reused anchor stays off stderr
    (tree / "tags.yml").write_text("- hosts: localhost\n  tags: [&a db, &a db:create]\n"
                                   "  tasks:\n    - ansible.builtin.command: 'true'\n"
                                   "      poll: 5\n")
    findings, proc = check(tree, ".")
    assert found(findings) == {GOOD_FINDING, ("tags.yml", 5, "ASY110")}
    assert proc.stderr == ""


def test_a_billion_laughs_alias_bomb_is_not_expanded(tree: Path) -> None:
    lines = ["- hosts: localhost", "  gather_facts: false", "  vars:",
             '    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghijk":  # 9**11 strings once expanded
        lines.append(f"    {name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    lines += [
        "  tasks:",
        "    - ansible.builtin.command: echo",
        "      args: *k",
        "      async: 10",
        "      poll: 0",
        "      when: *k",
        "      register: launch",
        "    - ansible.builtin.async_status:",
        "        jid: *k",
        "      loop: *k",
        "      register: job",
        "      until: *k",
        "      retries: 5",
        "      delay: 1",
    ]
    (tree / "laughs.yml").write_text("\n".join(lines) + "\n")
    findings, _ = check(tree, ".")
    assert GOOD_FINDING in found(findings)
    assert syntax_errors(findings, "laughs.yml") == []
    proc = asynclint("fix", "--diff", "--unsafe-fixes", ".", cwd=tree)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr


# -- the file system --------------------------------------------------------------------------


def test_symlink_loops_in_a_folder_are_not_followed(tree: Path) -> None:
    roles = tree / "roles" / "web" / "tasks"
    roles.mkdir(parents=True)
    (roles / "main.yml").write_text("- ansible.builtin.command: 'true'\n  poll: 5\n")
    (roles / "loop").symlink_to(tree)  # a folder that contains itself
    (tree / "self").symlink_to(tree / "self")  # a link to itself
    (tree / "a.yml").symlink_to(tree / "b.yml")  # two files pointing at each other
    (tree / "b.yml").symlink_to(tree / "a.yml")
    findings, _ = check(tree, ".")
    assert found(findings) == {GOOD_FINDING, ("main.yml", 2, "ASY110")}


def test_unreadable_paths_named_on_the_command_line_are_clear_findings(tree: Path) -> None:
    (tree / "broken.yml").symlink_to(tree / "nowhere.yml")
    (tree / "loop.yml").symlink_to(tree / "loop.yml")
    os.mkfifo(tree / "fifo.yml")  # reading it would block forever
    (tree / "folder.yml").mkdir()  # a folder is searched, not read
    (tree / "folder.yml" / "inner.yml").write_text(GOOD)
    expected = {
        "broken.yml": "cannot read file: No such file or directory",
        "loop.yml": "cannot read file: Too many levels of symbolic links",
        "fifo.yml": "not a regular file",
        "zero": "not a regular file",  # a device that never ends
    }
    names = ["broken.yml", "loop.yml", "fifo.yml", "/dev/zero", "folder.yml", "good.yml"]
    if os.geteuid() != 0:  # permissions stop only other users than root
        (tree / "secret.yml").write_text(GOOD)
        (tree / "secret.yml").chmod(0)
        expected["secret.yml"] = "cannot read file: Permission denied"
        names.append("secret.yml")
    findings, _ = check(tree, *names)
    for name, message in expected.items():
        assert syntax_errors(findings, name) == [message], (name, findings)
    assert {GOOD_FINDING, ("inner.yml", 6, "ASY001")} <= found(findings)


def test_a_symlink_loop_is_a_finding_where_the_configuration_is_looked_for(tree: Path) -> None:
    """Without ``--isolated`` the configuration is looked for from the first path, which is
    resolved: a link loop there is the same clear finding, not an internal error."""
    (tree / "a.yml").symlink_to(tree / "b.yml")
    (tree / "b.yml").symlink_to(tree / "a.yml")
    message = "cannot read file: Too many levels of symbolic links"
    for command in ("check", "fix"):
        proc = asynclint(command, "a.yml", "good.yml", cwd=tree)
        assert proc.returncode == 1, proc.stderr
        assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
        assert f"a.yml:1:1: ASY000 [syntax-error] {message}" in proc.stdout, proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "asynclint", "check", "--no-cache", "--stdin-filename", "a.yml",
         "-"], cwd=tree, capture_output=True, text=True, timeout=TIMEOUT, input=GOOD)
    assert proc.returncode == 1 and "ASY001" in proc.stdout, (proc.stdout, proc.stderr)


def test_a_fifo_inside_a_folder_is_skipped(tree: Path) -> None:
    os.mkfifo(tree / "pipe.yml")
    findings, _ = check(tree, ".")
    assert found(findings) == {GOOD_FINDING}


def test_fix_goes_on_past_hostile_files(tree: Path) -> None:
    os.mkfifo(tree / "pipe.yml")
    (tree / "broken.yml").symlink_to(tree / "nowhere.yml")
    (tree / "deep.yml").write_text("[" * 10_000 + "]" * 10_000 + "\n")
    proc = asynclint("fix", "good.yml", "pipe.yml", "broken.yml", "deep.yml", cwd=tree)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert "\n      async: 10\n" not in (tree / "good.yml").read_text()  # moved into the block
    assert (tree / "deep.yml").read_text() == "[" * 10_000 + "]" * 10_000 + "\n"


# -- fixing under faults ----------------------------------------------------------------------
# (tests/test_fix_fixtures.py covers a failing rename, an interrupted fsync, a chmod 444 file,
# a file changed meanwhile, and BOM/CRLF/tabs/no final newline kept)

BIG_FIXABLE = "".join(
    ["- hosts: localhost\n  gather_facts: false\n  vars:\n    blob: |\n",
     ("      " + "y" * 90 + "\n") * 40_000,
     "  tasks:\n    - block:\n        - ansible.builtin.command: 'true'\n      async: 10\n"]
)


def test_a_fix_killed_at_any_moment_leaves_the_original_or_the_fixed_file(tmp_path: Path) -> None:
    import random
    import signal
    import time

    path = tmp_path / "big.yml"
    original = BIG_FIXABLE.encode()
    path.write_bytes(original)
    started = time.monotonic()
    asynclint("fix", "big.yml", cwd=tmp_path)
    duration = time.monotonic() - started
    fixed = path.read_bytes()
    assert fixed != original and b"\n      async: 10\n" not in fixed
    outcomes = set()
    shuffle = random.Random(8)
    moments = [duration * k / 8 for k in range(1, 8)]
    moments += [duration * shuffle.uniform(0.8, 1.0) for _ in range(5)]
    for moment in moments:
        path.write_bytes(original)
        proc = subprocess.Popen([sys.executable, "-m", "asynclint", "fix", "big.yml"],
                                cwd=tmp_path, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, preexec_fn=_limits)
        time.sleep(moment)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=TIMEOUT)
        now = path.read_bytes()
        assert now in (original, fixed), f"killed after {moment:.2f} s: a partial file"
        outcomes.add(now == fixed)
    assert False in outcomes  # some kills did land before the write


def _make_immutable(path: Path, monkeypatch) -> bool:
    """``chattr +i`` (stops root too); where it is not available, renames fail instead."""
    try:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
    except OSError:
        done = False
    if not done:
        def refuse(src, dst):
            raise PermissionError(1, "Operation not permitted", str(dst))

        monkeypatch.setattr(os, "replace", refuse)
    return done


def test_an_immutable_file_is_reported_and_left_whole(tmp_path: Path, monkeypatch, capsys) -> None:
    from asynclint.cli import main

    path = tmp_path / "site.yml"
    path.write_text(GOOD)
    immutable = _make_immutable(path, monkeypatch)
    try:
        assert main(["fix", str(path)]) == 2
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    err = capsys.readouterr().err
    reason = "it is read-only" if immutable else "cannot write it: Operation not permitted"
    assert f"{path}: not written: {reason}" in err, err
    assert path.read_text() == GOOD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.yml"]
