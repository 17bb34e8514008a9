"""Rules that follow jobs through the task graph: cases the fixtures do not spell out."""

from __future__ import annotations

import textwrap
from pathlib import Path

from asynclint.linter import Selection, lint
from asynclint.model import load_project

LAUNCH = """\
    - name: launch
      ansible.builtin.command: sleep 1
      async: 10
      poll: 0
      register: job
"""
WAIT = """\
    - name: wait
      ansible.builtin.async_status:
        jid: "{{ job.ansible_job_id }}"
      register: done
      until: done is finished
"""


def lines(tmp_path: Path, code: str, *tasks: str, options: dict | None = None,
          **files: str) -> list[int]:
    """Lines `code` reports in a one-play playbook made of ``tasks``."""
    for name, text in files.items():
        (tmp_path / f"{name}.yml").write_text(text, encoding="utf-8")
    path = tmp_path / "site.yml"
    path.write_text("- hosts: localhost\n  gather_facts: false\n  tasks:\n" + "".join(tasks),
                    encoding="utf-8")
    result = lint(load_project([str(path)]), Selection(select=frozenset({code})),
                  options=options)
    assert not result.internal_errors, result.internal_errors
    return [finding.line for finding in result.findings]


def test_asy105_trusts_a_wait_it_cannot_see(tmp_path: Path) -> None:
    unknown_include = '    - ansible.builtin.include_tasks: "{{ wait_file }}"\n'
    opaque_wait = ('    - ansible.builtin.async_status:\n'
                   '        jid: "{{ hostvars[inventory_hostname].jid }}"\n')
    handed_over = ('    - ansible.builtin.include_role:\n        name: waiter\n'
                   '      vars:\n        launch: "{{ job }}"\n')
    assert lines(tmp_path, "ASY105", LAUNCH) == [8]
    assert lines(tmp_path, "ASY105", LAUNCH, unknown_include) == []
    assert lines(tmp_path, "ASY105", LAUNCH, opaque_wait) == []
    assert lines(tmp_path, "ASY105", LAUNCH, handed_over) == []


def test_asy105_a_wait_before_the_launch_does_not_count(tmp_path: Path) -> None:
    assert lines(tmp_path, "ASY105", WAIT, LAUNCH) == [13]


def test_asy105_follows_the_wait_into_a_later_play(tmp_path: Path) -> None:
    second_play = "- hosts: localhost\n  gather_facts: false\n  tasks:\n" + WAIT
    assert lines(tmp_path, "ASY105", LAUNCH + second_play) == []


def test_asy112_a_shared_block_condition_guards_both(tmp_path: Path) -> None:
    block = "    - when: enabled\n      block:\n" + textwrap.indent(LAUNCH + WAIT, "    ")
    assert lines(tmp_path, "ASY112", block) == []
    guarded_launch = LAUNCH.replace("register: job", "register: job\n      when: enabled")
    assert lines(tmp_path, "ASY112", guarded_launch, WAIT) == [11]


def test_asy113_only_polled_jobs(tmp_path: Path) -> None:
    polled = LAUNCH.replace("poll: 0", "poll: 2")
    assert lines(tmp_path, "ASY113", polled, WAIT) == [10]
    assert lines(tmp_path, "ASY113", LAUNCH, WAIT) == []


def test_asy115_existence_tests_and_the_job_id_are_not_output(tmp_path: Path) -> None:
    def debug(text: str) -> str:
        return f'    - ansible.builtin.debug:\n        msg: "{text}"\n'

    assert lines(tmp_path, "ASY115", LAUNCH, debug("{{ job.rc }}")) == [10]
    assert lines(tmp_path, "ASY115", LAUNCH, debug("{{ job.ansible_job_id }}")) == []
    assert lines(tmp_path, "ASY115", LAUNCH,
                 debug("{{ 'x' if job.stdout is defined else 'y' }}")) == []
    assert lines(tmp_path, "ASY115", LAUNCH, WAIT, debug("{{ done.stdout }}")) == []


def test_asy116_a_custom_loop_var_used_twice_collides(tmp_path: Path) -> None:
    include = ("    - ansible.builtin.include_tasks: inner.yml\n      loop: [1, 2]\n"
               "      loop_control:\n        loop_var: n\n")
    inner = ('- ansible.builtin.debug: {msg: "{{ n }}"}\n  loop: [3, 4]\n'
             "  loop_control:\n    loop_var: n\n")
    assert lines(tmp_path, "ASY116", include, inner=inner) == [2]
    renamed = inner.replace("loop_var: n", "loop_var: m")
    assert lines(tmp_path, "ASY116", include, inner=renamed) == []


def test_asy118_become_on_the_launch_only(tmp_path: Path) -> None:
    become = LAUNCH.replace("register: job", "register: job\n      become: true")
    assert lines(tmp_path, "ASY118", become, WAIT) == [11]
    both = WAIT.replace("register: done", "register: done\n      become: true")
    assert lines(tmp_path, "ASY118", become, both) == []


def test_asy202_min_duration_option(tmp_path: Path) -> None:
    sleeps = ("    - ansible.builtin.command: sleep 15\n"
              "    - ansible.builtin.command: sleep 15\n")
    assert lines(tmp_path, "ASY202", sleeps) == [4]
    assert lines(tmp_path, "ASY202", sleeps, options={"ASY202": {"min_duration": 30}}) == []
    dependent = ("    - ansible.builtin.command: sleep 15\n      register: first\n"
                 '    - ansible.builtin.command: "sleep 15 {{ first.rc }}"\n')
    assert lines(tmp_path, "ASY202", dependent) == []
