"""The task graph: nodes in run order, edges by kind, jobs and their waits, output formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from asynclint.cli import main
from asynclint.graph import TaskGraph, build_graph
from asynclint.linter import Selection, lint
from asynclint.model import load_project
from asynclint.model.flow import flows

LAUNCH = """\
    - name: Start {name}
      ansible.builtin.command: sleep 1
      async: 10
      poll: 0
      register: {name}
"""


def graph_of(tmp_path: Path, playbook: str, **task_files: str) -> TaskGraph:
    for name, text in task_files.items():
        (tmp_path / f"{name}.yml").write_text(text, encoding="utf-8")
    path = tmp_path / "site.yml"
    path.write_text(playbook, encoding="utf-8")
    project = load_project([str(path)])
    return build_graph(project, flows(project))


def play(*tasks: str) -> str:
    return "- hosts: localhost\n  gather_facts: false\n  tasks:\n" + "".join(tasks)


def named(graph: TaskGraph, name: str):
    return next(node for node in graph.nodes if node.task.name == name)


def edges(graph: TaskGraph, kind: str) -> set[tuple[str | None, str | None, str]]:
    names = {node.key: node.task.name for node in graph.nodes}
    return {(names[e.source], names[e.target], e.label) for e in graph.edges(kind)}


def test_sequence_edges_follow_run_order_across_included_files(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        play("    - name: first\n      ansible.builtin.debug: {msg: a}\n",
             "    - name: include\n      ansible.builtin.include_tasks: inner.yml\n",
             "    - name: last\n      ansible.builtin.debug: {msg: c}\n"),
        inner="- name: inside\n  ansible.builtin.debug: {msg: b}\n",
    )
    assert [node.task.name for node in graph.nodes] == ["first", "include", "inside", "last"]
    assert edges(graph, "sequence") == {
        ("first", "include", ""), ("include", "inside", ""), ("inside", "last", "")}


def test_job_edge_to_a_wait_in_an_included_file(tmp_path: Path) -> None:
    wait = ('- name: wait\n  ansible.builtin.async_status:\n'
            '    jid: "{{ build.ansible_job_id }}"\n  register: done\n'
            '  until: done is finished\n')
    graph = graph_of(
        tmp_path,
        play(LAUNCH.format(name="build"),
             "    - name: meanwhile\n      ansible.builtin.debug: {msg: x}\n",
             "    - name: include\n      ansible.builtin.include_tasks: wait.yml\n",
             "    - name: after\n      ansible.builtin.debug: {msg: y}\n"),
        wait=wait,
    )
    assert edges(graph, "job") == {("Start build", "wait", "build.ansible_job_id")}
    (job,) = graph.jobs()
    assert job.mode == "launch" and job.register == "build" and not job.looped
    assert [w.node.task.name for w in job.waits] == ["wait"]
    assert graph.waits_for(named(graph, "wait"))[0].launch is job.node
    in_flight = {node.task.name: [j.register for j in graph.in_flight_at(node)]
                 for node in graph.nodes}
    assert in_flight == {"Start build": [], "meanwhile": ["build"], "include": ["build"],
                         "wait": ["build"], "after": []}
    wait_node = named(graph, "wait")
    assert wait_node.key.path.endswith("wait.yml")
    assert wait_node.key.via[0][0].endswith("site.yml")


def test_set_fact_aliases_of_the_register_and_of_the_job_id(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, play(
        LAUNCH.format(name="one"),
        LAUNCH.format(name="two"),
        '    - name: alias\n      ansible.builtin.set_fact:\n'
        '        first: "{{ one }}"\n        second_id: "{{ two.ansible_job_id }}"\n',
        '    - name: wait one\n      ansible.builtin.async_status:\n'
        '        jid: "{{ first.ansible_job_id }}"\n',
        '    - name: wait two\n      ansible.builtin.async_status:\n'
        '        jid: "{{ second_id }}"\n',
    ))
    assert edges(graph, "job") == {
        ("Start one", "wait one", "first.ansible_job_id (alias of one)"),
        ("Start two", "wait two", "second_id (alias of two)"),
    }
    assert ("alias", "wait one", "first") in edges(graph, "data")
    assert ("Start one", "alias", "one") in edges(graph, "data")


def test_loop_over_results_with_a_custom_loop_var(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, play(
        '    - name: launch\n      ansible.builtin.command: "sleep {{ item }}"\n'
        '      loop: [1, 2]\n      async: 10\n      poll: 0\n      register: batch\n',
        '    - name: wait\n      ansible.builtin.async_status:\n'
        '        jid: "{{ job.ansible_job_id }}"\n'
        '      loop: "{{ batch.results }}"\n      loop_control:\n        loop_var: job\n'
        '      register: done\n      until: done is finished\n',
    ))
    (job,) = graph.jobs()
    assert job.looped
    (wait,) = job.waits
    assert wait.problem is None
    assert wait.via == "job.ansible_job_id (loop over batch.results)"


def test_wait_through_the_loop_var_of_an_enclosing_include(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        play('    - name: launch\n      ansible.builtin.command: "sleep {{ item }}"\n'
             '      loop: [1, 2]\n      async: 10\n      poll: 0\n      register: batch\n',
             '    - name: include\n      ansible.builtin.include_tasks: wait.yml\n'
             '      loop: "{{ batch.results }}"\n      loop_control:\n        loop_var: job\n'),
        wait='- name: wait\n  ansible.builtin.async_status:\n    jid: "{{ job.ansible_job_id }}"\n',
    )
    assert edges(graph, "job") == {
        ("launch", "wait", "job.ansible_job_id (loop over batch.results)")}


def test_a_list_of_registers_waits_for_each_job(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, play(
        LAUNCH.format(name="t1"),
        LAUNCH.format(name="t2"),
        '    - name: wait\n      ansible.builtin.async_status:\n'
        '        jid: "{{ item.ansible_job_id }}"\n      loop: "{{ [t1, t2] }}"\n',
    ))
    assert {(s, t) for s, t, _ in edges(graph, "job")} == {("Start t1", "wait"),
                                                           ("Start t2", "wait")}
    assert all(not job.waits[0].problem for job in graph.jobs())


def test_wrong_ways_to_reach_a_looped_launch_are_marked(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, play(
        '    - name: launch\n      ansible.builtin.command: "sleep {{ item }}"\n'
        '      loop: [1, 2]\n      async: 10\n      poll: 0\n      register: batch\n',
        '    - name: over the dict\n      ansible.builtin.async_status:\n'
        '        jid: "{{ item.ansible_job_id }}"\n      loop: "{{ batch }}"\n',
        '    - name: top level id\n      ansible.builtin.async_status:\n'
        '        jid: "{{ batch.ansible_job_id }}"\n',
    ))
    (job,) = graph.jobs()
    assert {w.node.task.name: w.problem for w in job.waits} == {
        "over the dict": "register-dict", "top level id": "looped-register"}


def test_a_register_reused_by_a_synchronous_task_is_no_longer_a_job(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, play(
        LAUNCH.format(name="result"),
        "    - name: sync\n      ansible.builtin.command: echo\n      register: result\n",
        '    - name: wait\n      ansible.builtin.async_status:\n'
        '        jid: "{{ result.ansible_job_id }}"\n',
    ))
    assert graph.edges("job") == ()
    assert ("sync", "wait", "result") in edges(graph, "data")
    assert ("Start result", "wait", "result") not in edges(graph, "data")


def test_cleanups_are_jobs_edges_of_their_own(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, play(
        LAUNCH.format(name="job"),
        '    - name: cleanup\n      ansible.builtin.async_status:\n'
        '        jid: "{{ job.ansible_job_id }}"\n        mode: cleanup\n',
    ))
    (job,) = graph.jobs()
    assert job.waits == () and [c.node.task.name for c in job.cleanups] == ["cleanup"]
    assert edges(graph, "job") == {("Start job", "cleanup", "job.ansible_job_id (cleanup)")}
    assert [j.register for j in graph.in_flight_at(named(graph, "cleanup"))] == ["job"]


def test_polled_and_templated_jobs(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, play(
        "    - name: polled\n      ansible.builtin.command: sleep 1\n      async: 10\n",
        '    - name: templated\n      ansible.builtin.command: sleep 1\n      async: 10\n'
        '      poll: "{{ p }}"\n',
        "    - name: sync\n      ansible.builtin.command: sleep 1\n      async: 0\n",
    ))
    assert [(job.node.task.name, job.mode) for job in graph.jobs()] == [
        ("polled", "polled"), ("templated", "unknown")]


def test_resource_edges_for_paths_and_the_package_lock(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, play(
        "    - name: write\n      ansible.builtin.copy: {content: x, dest: /tmp/a/}\n",
        "    - name: read\n      ansible.builtin.stat: {path: /tmp/a}\n",
        "    - name: also read\n      ansible.builtin.slurp: {path: /tmp/a}\n",
        "    - name: apt\n      ansible.builtin.apt: {name: curl}\n",
        "    - name: dnf\n      ansible.builtin.package: {name: curl}\n",
        '    - name: looped\n      ansible.builtin.file: {path: "{{ item }}", state: touch}\n'
        "      loop: [a, b]\n",
        '    - name: looped again\n      ansible.builtin.file: {path: "{{ item }}", state: touch}\n'
        "      loop: [a, b]\n",
    ))
    assert edges(graph, "resource") == {
        ("write", "read", "/tmp/a"), ("write", "also read", "/tmp/a"),
        ("apt", "dnf", "package manager lock"),
    }
    assert graph.depends_on(named(graph, "read"), named(graph, "write"))
    assert not graph.depends_on(named(graph, "also read"), named(graph, "read"))


def test_a_file_included_twice_gives_distinct_stable_keys(tmp_path: Path) -> None:
    include = "    - name: include {n}\n      ansible.builtin.include_tasks: inner.yml\n"
    playbook = play(include.format(n=1), include.format(n=2))
    inner = "- name: inside\n  ansible.builtin.debug: {msg: b}\n"
    first = graph_of(tmp_path, playbook, inner=inner)
    again = graph_of(tmp_path, playbook, inner=inner)
    keys = [node.key for node in first.nodes]
    assert len(set(keys)) == 4
    assert keys == [node.key for node in again.nodes]
    insides = [node.key.ident for node in first.nodes if node.task.name == "inside"]
    assert insides[0] != insides[1] and all("inner.yml#0" in ident for ident in insides)


def test_json_output_names_every_edge_kind_and_label(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, play(
        LAUNCH.format(name="build"),
        '    - name: wait\n      ansible.builtin.async_status:\n'
        '        jid: "{{ build.ansible_job_id }}"\n',
    ))
    data = json.loads(graph.to_json())
    assert [node["label"].split(" ", 1)[1] for node in data["nodes"]] == ["Start build", "wait"]
    assert {(e["kind"], e["label"]) for e in data["edges"]} == {
        ("sequence", ""), ("data", "build"), ("job", "build.ansible_job_id")}
    assert data["jobs"][0]["register"] == "build"
    assert data["jobs"][0]["waits"][0]["via"] == "build.ansible_job_id"


def test_dot_output_labels_edges_with_kind_and_variable(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, play(
        LAUNCH.format(name="build"),
        '    - name: wait\n      ansible.builtin.async_status:\n'
        '        jid: "{{ build.ansible_job_id }}"\n',
    ))
    dot = graph.to_dot()
    assert dot.startswith("digraph asynclint {") and dot.rstrip().endswith("}")
    assert 'n0 -> n1 [label="job: build.ansible_job_id"' in dot
    assert 'label="data: build"' in dot


def test_cli_graph_prints_dot_and_json(tmp_path: Path, capsys) -> None:
    path = tmp_path / "site.yml"
    path.write_text(play(
        LAUNCH.format(name="build"),
        '    - name: wait\n      ansible.builtin.async_status:\n'
        '        jid: "{{ build.ansible_job_id }}"\n',
    ), encoding="utf-8")
    assert main(["graph", str(path)]) == 0
    assert "job: build.ansible_job_id" in capsys.readouterr().out
    assert main(["graph", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["jobs"][0]["register"] == "build"
    assert main(["graph", str(path), "--format", "png"]) == 2
    assert "--format" in capsys.readouterr().err


def test_cli_graph_says_which_files_it_could_not_read(tmp_path: Path, capsys) -> None:
    path = tmp_path / "site.yml"
    path.write_text(play(LAUNCH.format(name="build")), encoding="utf-8")
    (tmp_path / "binary.yml").write_bytes(b"\x00\x01")
    missing = tmp_path / "nothere.yml"
    assert main(["graph", str(path), str(tmp_path / "binary.yml"), str(missing)]) == 1
    out, err = capsys.readouterr()
    assert "Start build" in out  # the files read are in the graph
    assert f"asynclint: {missing}:1:1: not read: cannot read file: No such file" in err
    assert "binary.yml:1:1: not read: binary file" in err


def test_networkx_loads_only_when_a_graph_is_built() -> None:
    code = ("import sys, asynclint.rules, asynclint.graph.records, asynclint.linter\n"
            "assert 'networkx' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_loop_over_the_enclosing_loop_variable_terminates(tmp_path: Path) -> None:
    """`loop: "{{ item }}"` inside an include looping with `item` reads the include's item."""
    (tmp_path / "inner.yml").write_text(
        "- ansible.builtin.command: echo {{ item }}\n"
        "  loop: \"{{ item }}\"\n"
        "  async: 10\n"
        "  poll: 0\n"
        "  register: inner\n"
        "- ansible.builtin.async_status:\n"
        "    jid: \"{{ item.ansible_job_id }}\"\n"
        "  loop: \"{{ inner.results }}\"\n"
        "  register: done\n"
        "  until: done is finished\n"
        "  retries: 20\n"
        "  delay: 1\n",
        encoding="utf-8",
    )
    playbook = tmp_path / "p.yml"
    playbook.write_text(
        "- hosts: localhost\n  tasks:\n"
        "    - ansible.builtin.include_tasks: inner.yml\n"
        "      loop: [[1, 2], [3]]\n",
        encoding="utf-8",
    )
    result = lint(load_project([str(playbook)]), Selection(extend_select=frozenset({"ALL"})))
    assert result.internal_errors == ()


def test_a_run_without_async_holds_no_job_read_or_job_edge() -> None:
    """``build_graph`` skips the walk of such a run when it builds no data edges: the walk
    of every fixture's runs shows it would have found nothing, waits and aliases included."""
    from asynclint.graph.build import NO_FACTS, _may_hold_jobs
    from asynclint.graph.tracking import walk_run
    from fixture_files import FIXTURES

    skipped = waiting = 0
    for path in sorted(FIXTURES.rglob("*.yml")):
        for run in _runs_of(path):
            if not _may_hold_jobs(run):
                skipped += 1
                waiting += any(node.task.action and "async_status" in node.task.action
                               or node.task.register for node in run)
                assert walk_run(run, False) == NO_FACTS, path
    assert skipped > 20 and waiting > 5  # runs with waits and registers are among them


def test_the_reads_a_walk_without_data_edges_finds_are_those_every_reference_gives(
        tmp_path: Path) -> None:
    """Without data edges the walk parses only values mentioning a name that may lead to a
    job: the names registered by one, and the loop variables and ``vars:`` aliases whose
    values mention such a name, however they chain (a loop over an alias set on the same
    task, an alias of an enclosing include's loop variable, a play's ``vars``). It finds the
    same jobs and result reads as the walk that parses every reference."""
    from asynclint.graph.tracking import walk_run
    from fixture_files import FIXTURES

    (tmp_path / "each.yml").write_text(
        '- name: read through the include loop\n  ansible.builtin.debug:\n'
        '    msg: "{{ started_here.stdout }}"\n  vars:\n    started_here: "{{ one }}"\n',
        encoding="utf-8")
    crafted = tmp_path / "site.yml"
    crafted.write_text(
        "- hosts: localhost\n  gather_facts: false\n  vars:\n"
        "    play_alias: \"{{ batch.results }}\"\n  tasks:\n"
        '    - name: launch\n      ansible.builtin.command: "sleep {{ item }}"\n'
        '      loop: [1, 2]\n      async: 10\n      poll: 0\n      register: batch\n'
        '    - name: read through an alias the loop names before it is set\n'
        '      ansible.builtin.debug:\n        msg: "{{ item.ansible_job_id }}"\n'
        '      loop: "{{ started }}"\n      vars:\n        started: "{{ batch.results }}"\n'
        '    - name: read through the play alias\n      ansible.builtin.debug:\n'
        '        msg: "{{ one.finished }}"\n      loop: "{{ play_alias }}"\n'
        '      loop_control:\n        loop_var: one\n'
        '    - name: include\n      ansible.builtin.include_tasks: each.yml\n'
        '      loop: "{{ play_alias }}"\n      loop_control:\n        loop_var: one\n',
        encoding="utf-8")
    read_runs = 0
    for path in [crafted, *sorted(FIXTURES.rglob("*.yml"))]:
        for run in _runs_of(path):
            every, filtered = walk_run(run, True), walk_run(run, False)
            assert _jobs(filtered) == _jobs(every), path
            assert _reads(filtered) == _reads(every), path
            read_runs += bool(every.reads)
            if path == crafted:
                assert {read.node.task.name for read in every.reads} >= {
                    "read through an alias the loop names before it is set",
                    "read through the play alias", "read through the include loop"}
    assert read_runs > 10


def _runs_of(path: Path) -> list[tuple]:
    """The graph nodes of each run of the project of ``path``."""
    from asynclint.graph.build import _nodes, _runs

    runs: dict[int, list] = {}
    for node in _nodes(_runs(flows(load_project([str(path)])))):
        runs.setdefault(node.run, []).append(node)
    return [tuple(members) for members in runs.values()]


def _jobs(facts) -> list[tuple]:
    def wait(wait) -> tuple:
        return (wait.node.key, wait.launch.key, wait.via, wait.cleanup, wait.problem,
                wait.variable)

    return [(job.node.key, job.mode, job.traceable, [wait(w) for w in job.waits],
             [wait(w) for w in job.cleanups]) for job in facts.jobs]


def _reads(facts) -> list[tuple]:
    return [(read.node.key, read.launch.key, read.variable, read.attrs, read.entry.name,
             read.tests) for read in facts.reads]


def test_a_play_of_many_jobs_sorts_each_name_once(tmp_path: Path, monkeypatch) -> None:
    """The names a job may flow through are kept sorted as the run sets and drops them, not
    copied and sorted again at every task: a play of thousands of jobs once took minutes and
    gigabytes (each task's set of names was kept too)."""
    from asynclint.graph import reading

    added: list[str] = []
    add = reading.Names.add

    def counting(self: reading.Names, name: str) -> None:
        added.append(name)
        add(self, name)

    monkeypatch.setattr(reading.Names, "add", counting)
    count = 300
    tasks = [LAUNCH.format(name=f"job{index}")
             + f"    - ansible.builtin.debug:\n        msg: \"{{{{ job{index}.stdout }}}}\"\n"
             for index in range(count)]
    path = tmp_path / "site.yml"
    path.write_text(play(*tasks), encoding="utf-8")
    project = load_project([str(path)])
    graph = build_graph(project, flows(project), data=False)
    assert len(graph.jobs()) == count
    assert {read.variable for read in graph.reads()} == {f"job{index}" for index in range(count)}
    assert len(added) <= 2 * count
