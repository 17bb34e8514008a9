"""Benchmark ``asynclint check`` against ``ansible-lint --offline`` and a bare C YAML compose.

One command, on the same files in one run::

    python bench/run.py                     # generated corpus of 1,000 tasks
    python bench/run.py --tasks 5000 --repeat 7 --ansible-lint-repeat 3
    python bench/run.py --skip-ansible-lint # quick run
    python bench/run.py --corpus ~/src/kubespray
    python bench/run.py --scale             # 100 -> 100,000 tasks, asynclint and bare parse

Every measurement is a fresh child process; its wall time, CPU time and peak resident memory
(``ru_maxrss`` of the child and its reaped descendants, from ``os.wait4``) are recorded, and the
median of the repeats is printed. What is measured:

* ``bare parse``: ``bench/bare_parse.py``, Python start-up + importing ruamel's C extension +
  reading and composing every ``.yml``/``.yaml`` file (``CBaseLoader``, marks kept).
* ``asynclint cold``: ``asynclint check . --format json --no-cache``, ``asynclint`` being the
  console script pip installs (:data:`LAUNCHER`), run with this working tree on ``PYTHONPATH``.
* ``asynclint first run``: the same without ``--no-cache``, the cache folder emptied before
  each run: it also hashes every file and writes the cache and the replay record.
* ``asynclint warm``: the same without ``--no-cache``, after one unmeasured run that fills the
  cache, started more than two seconds after the corpus was written (asynclint trusts the stat
  of an older file only), so that the measured runs are replays of it.
* ``ansible-lint``: ``python -m ansiblelint --offline -q --nocolor -f pep8``.

All commands run from inside the corpus directory. Exit code 1 (findings) counts as success for
both linters; ansible-lint's 2 does too (it exits 2 on syntax-check failures it reports).
``ANSIBLE_HOME``, ``XDG_CACHE_HOME``, ``XDG_CONFIG_HOME`` and the Ansible temp dirs point into
a temporary directory, so nothing is written outside it and the corpus.
"""

from __future__ import annotations

import argparse
import atexit
import functools
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402  (bench/ is not a package)

DEFAULT_SCALE = (100, 1_000, 10_000, 100_000)


# --------------------------------------------------------------------------------------------
# Measuring one child process
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child and its descendants
    maxrss_mb: float
    rc: int
    stdout: bytes
    stderr: bytes
    timed_out: bool = False


def run_child(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Sample:
    """Run ``cmd`` to completion; its own rusage comes from ``wait4`` on its pid."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err, start_new_session=True)
        expired = threading.Event()

        def kill() -> None:
            expired.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Sample(wall=wall, cpu=usage.ru_utime + usage.ru_stime,
                      maxrss_mb=usage.ru_maxrss / 1024, rc=proc.returncode,
                      stdout=out.read(), stderr=err.read(), timed_out=expired.is_set())


@dataclass
class Measure:
    label: str
    command: str
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None  # set when the tool could not be run as asked
    findings: int | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.samples)

    def median(self, attr: str = "wall") -> float:
        return statistics.median(getattr(s, attr) for s in self.samples)

    def best(self) -> float:
        return min(s.wall for s in self.samples)

    def to_json(self) -> dict:
        d: dict = {"label": self.label, "command": self.command, "error": self.error,
                   "findings": self.findings, "note": self.note}
        if self.ok:
            d.update(runs=len(self.samples), median_s=self.median(), min_s=self.best(),
                     median_cpu_s=self.median("cpu"), peak_rss_mb=max(s.maxrss_mb for s in self.samples),
                     wall_s=[s.wall for s in self.samples], rc=[s.rc for s in self.samples])
        return d


def _tail(data: bytes, n: int = 600) -> str:
    text = data.decode("utf-8", "replace").strip()
    return text[-n:]


# --------------------------------------------------------------------------------------------
# The tools
# --------------------------------------------------------------------------------------------


def make_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    for k in ("ANSIBLE_CONFIG", "ANSIBLE_LINT_NODEPS", "PYTHONSTARTUP", "PYTHONDONTWRITEBYTECODE"):
        env.pop(k, None)
    dirs = {"ANSIBLE_HOME": "ansible_home", "XDG_CACHE_HOME": "cache", "XDG_CONFIG_HOME": "config",
            "ANSIBLE_LOCAL_TEMP": "ansible_tmp", "ANSIBLE_REMOTE_TEMP": "ansible_remote_tmp",
            "ANSIBLE_ASYNC_DIR": "ansible_async", "TMPDIR": "tmp"}
    for var, sub in dirs.items():
        (tmp / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(tmp / sub)
    env["NO_COLOR"] = "1"
    env["ANSIBLE_LINT_SKIP_SCHEMA_UPDATE"] = "1"
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_RETRY_FILES_ENABLED"] = "0"
    # the working tree's asynclint, not an installed copy
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    # ansible-lint spawns ansible-playbook: find the one beside this interpreter first
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def git_ceiling(corpus: Path) -> str:
    # a corpus under bench/corpus/ lies in this (ignoring) repository: stop git's discovery at
    # the corpus, so ansible-lint walks its files instead of asking `git ls-files` for none
    return str(corpus.resolve().parent)


def count_findings(stdout: bytes) -> int | None:
    try:
        data = json.loads(stdout or b"null")
    except ValueError:
        return None
    if isinstance(data, list):
        return len(data)
    if isinstance(data, dict):
        for key in ("findings", "results", "diagnostics"):
            if isinstance(data.get(key), list):
                return len(data[key])
    return None


def _normalized(stdout: bytes) -> object:
    try:
        return json.loads(stdout or b"null")
    except ValueError:
        return stdout


def _rejected(sample: Sample, flags: list[str]) -> str | None:
    """A reason when asynclint could not run as asked (not a finding, not a success)."""
    err = sample.stderr.decode("utf-8", "replace")
    if sample.timed_out:
        return "timed out"
    if sample.rc in (0, 1):
        return None
    if "No module named" in err and "asynclint" in err:
        return "asynclint is not importable: " + _tail(sample.stderr, 200)
    if sample.rc == 2:
        bad = [f for f in flags if f.startswith("--") and f in err]
        if "unrecognized arguments" in err or "invalid choice" in err or "no such option" in err.lower():
            which = ", ".join(f"`{f}`" for f in bad) or "an argument"
            return f"the CLI rejected {which}: {_tail(sample.stderr, 300)}"
    return f"exit code {sample.rc}: {_tail(sample.stderr, 400)}"


@dataclass
class Job:
    measure: Measure
    cmd: list[str]
    check: object  # (Sample) -> error text or None
    env: dict[str, str] | None = None  # instead of the run's environment
    before: object = None  # () -> None, run (untimed) before each sample


def interleave(jobs: list[Job], corpus: Path, env: dict[str, str], repeat: int, timeout: float) -> None:
    """Run every job ``repeat`` times, round-robin, so that load changes hit all of them alike."""
    for _ in range(repeat):
        for job in jobs:
            m = job.measure
            if m.error:
                continue
            if job.before is not None:
                job.before()
            s = run_child(job.cmd, corpus, job.env or env, timeout)
            m.error = job.check(s)
            if m.error is None:
                m.samples.append(s)


def bare_job() -> Job:
    cmd = [sys.executable, str(BENCH / "bare_parse.py"), "."]

    def check(s: Sample) -> str | None:
        if s.timed_out:
            return "timed out"
        return None if s.rc == 0 else f"exit code {s.rc}: {_tail(s.stderr)}"

    return Job(Measure("bare C compose of every YAML file", "python bench/bare_parse.py ."), cmd, check)


def startup_job() -> Job:
    """Python start-up alone: a floor under every measure of a run in a fresh process."""
    cmd = [sys.executable, "-c", "pass"]

    def check(s: Sample) -> str | None:
        return None if s.rc == 0 else f"exit code {s.rc}: {_tail(s.stderr)}"

    return Job(Measure("Python start-up (python -c pass)", "python -c pass"), cmd, check)


def finish_bare(m: Measure) -> None:
    if m.ok:
        info = json.loads(m.samples[0].stdout)
        m.note = f"{info['files']} files, {info['documents']} documents, {info['errors']} unparsable"


def probe_no_cache(env: dict[str, str]) -> bool:
    """Whether ``asynclint check`` accepts ``--no-cache`` (tried on an empty directory)."""
    with tempfile.TemporaryDirectory() as d:
        s = run_child(asynclint_cmd(None, cache=False), Path(d), env, 300)
    return _rejected(s, ["--no-cache"]) is None or "--no-cache" not in s.stderr.decode("utf-8", "replace")


# The `asynclint` command as pip writes it into a virtual environment's `bin/` for the
# `[project.scripts]` entry of pyproject.toml (distlib's template): what a user, the
# pre-commit hook and a CI job run. `python -m asynclint` would add runpy's imports (about
# 3 ms); this template adds `import re`, which a run that lints imports anyway.
LAUNCHER = """\
# -*- coding: utf-8 -*-
import re
import sys
from {module} import {function}
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit({function}())
"""


def entry_point() -> tuple[str, str]:
    """The module and function of the ``asynclint`` console script in pyproject.toml."""
    import tomllib

    with open(REPO / "pyproject.toml", "rb") as fh:
        scripts = tomllib.load(fh)["project"]["scripts"]
    module, _, function = scripts["asynclint"].partition(":")
    return module, function


@functools.cache
def launcher() -> str:
    """The path of that script for this working tree's entry point (written once, in a
    temporary folder removed at exit)."""
    folder = tempfile.mkdtemp(prefix="asynclint-bench-")
    atexit.register(shutil.rmtree, folder, True)
    module, function = entry_point()
    path = os.path.join(folder, "asynclint")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(LAUNCHER.format(module=module, function=function))
    return path


def asynclint_cmd(jobs: int | None, cache: bool) -> list[str]:
    cmd = [sys.executable, launcher(), "check", ".", "--format", "json"]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    if not cache:
        cmd.append("--no-cache")
    return cmd


def _flags(cmd: list[str]) -> list[str]:
    return cmd[3:]


def _display(cmd: list[str]) -> str:
    if len(cmd) > 1 and cmd[1] == launcher():
        return " ".join(["asynclint"] + cmd[2:])
    return " ".join(["python"] + cmd[1:])


SETTLE_S = 2.1


def asynclint_jobs(corpus: Path, env: dict[str, str], timeout: float, jobs: int | None,
                   warm: bool = True, no_cache: bool = True) -> list[Job]:
    cold_cmd = asynclint_cmd(jobs, cache=not no_cache)
    cold = Measure("asynclint check, cold (--no-cache)" if no_cache else "asynclint check (no --no-cache flag)",
                   _display(cold_cmd))
    out = [Job(cold, cold_cmd, lambda s, c=cold_cmd: _rejected(s, _flags(c)))]
    if warm:
        warm_cmd = asynclint_cmd(jobs, cache=True)
        wm = Measure("asynclint check, warm cache", _display(warm_cmd))
        before = {p.name for p in corpus.iterdir()}
        time.sleep(SETTLE_S)  # a file written less than 2 s before a run is never trusted
        first = run_child(warm_cmd, corpus, env, timeout)  # fills the cache; not measured
        wm.error = _rejected(first, _flags(warm_cmd))
        created = sorted({p.name for p in corpus.iterdir()} - before)
        notes = []
        if created:
            notes.append("cache written to " + ", ".join(created))
        if wm.error is None:
            notes.append(f"cache-filling run {first.wall:.3f} s")
        wm.note = "; ".join(notes)
        out.append(Job(wm, warm_cmd, lambda s, c=warm_cmd: _rejected(s, _flags(c))))
    return out


def first_run_env(env: dict[str, str]) -> tuple[dict[str, str], object]:
    """The environment of a first run (a cache folder of its own) and what empties it."""
    folder = Path(env["XDG_CACHE_HOME"]).parent / "cache-first-run"

    def empty() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    return dict(env, XDG_CACHE_HOME=str(folder)), empty


def first_run_job(env: dict[str, str], jobs: int | None) -> Job:
    """``asynclint check`` with its cache on and empty, as the first run in a project: it
    also hashes the files and writes the cache and the replay record."""
    cmd = asynclint_cmd(jobs, cache=True)
    first_env, empty = first_run_env(env)
    m = Measure("asynclint check, first run (cache on, empty)", _display(cmd))
    return Job(m, cmd, lambda s, c=cmd: _rejected(s, _flags(c)), first_env, empty)


def finish_asynclint(cold: Measure, warm: Measure | None, first: Measure | None = None) -> None:
    for m in (cold, warm, first):
        if m is None or not m.ok:
            continue
        m.findings = count_findings(m.samples[0].stdout)
        outputs = {json.dumps(_normalized(s.stdout), sort_keys=True) for s in m.samples}
        if len(outputs) > 1:
            m.note += "; WARNING: output differs between runs"
    if warm is not None and warm.ok and not cold.ok and "--no-cache" in (cold.error or ""):
        warm.note += "; the CLI has no --no-cache yet, so this may be a run without any cache"
    for m in (warm, first):
        if m is not None and cold.ok and m.ok and \
                _normalized(cold.samples[0].stdout) != _normalized(m.samples[0].stdout):
            m.note += "; WARNING: its findings differ from --no-cache findings"


def measure_ansible_lint(corpus: Path, env: dict[str, str], repeat: int, timeout: float) -> Measure:
    cmd = [sys.executable, "-m", "ansiblelint", "--offline", "-q", "--nocolor", "-f", "pep8"]
    m = Measure("ansible-lint --offline", "ansible-lint --offline -q --nocolor -f pep8")
    env = dict(env, GIT_CEILING_DIRECTORIES=git_ceiling(corpus))
    for _ in range(repeat):
        s = run_child(cmd, corpus, env, timeout)
        if s.timed_out:
            m.error = f"timed out after {timeout:.0f} s"
            return m
        if s.rc not in (0, 1, 2) or (s.rc == 2 and not s.stdout.strip()):
            m.error = f"exit code {s.rc}: {_tail(s.stderr)}"
            return m
        m.samples.append(s)
    m.findings = sum(1 for line in m.samples[0].stdout.decode("utf-8", "replace").splitlines() if line.strip())
    return m


def preflight_ansible_lint(env: dict[str, str]) -> str | None:
    with tempfile.TemporaryDirectory() as d:
        s = run_child([sys.executable, "-m", "ansiblelint", "--version"], Path(d), env, 120)
    if s.rc != 0:
        return "ansible-lint is not runnable: " + _tail(s.stderr, 200)
    return None


# --------------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------------


def prepare_corpus(tasks: int, seed: int, where: Path | None) -> tuple[Path, dict]:
    root = where or BENCH / "corpus"
    root.mkdir(parents=True, exist_ok=True)
    out = root / f"tasks{tasks}-seed{seed}"
    if out.exists():
        shutil.rmtree(out)  # always fresh: same bytes, and no cache left from an earlier run
    stats = generate.generate(out, tasks, seed)
    return out, stats


def describe_dir(corpus: Path) -> dict:
    n_files = n_yaml = n_bytes = 0
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            n_files += 1
            if name.endswith((".yml", ".yaml")):
                n_yaml += 1
                n_bytes += os.path.getsize(os.path.join(dirpath, name))
    return {"files": n_files, "yaml_files": n_yaml, "yaml_bytes": n_bytes}


# --------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------


def fmt_s(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def print_table(measures: list[Measure]) -> None:
    print("| measure | median s | min s | CPU s | peak RSS MB | runs | findings |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for m in measures:
        if m.ok:
            f = "-" if m.findings is None else str(m.findings)
            print(f"| {m.label} | {fmt_s(m.median())} | {fmt_s(m.best())} | {fmt_s(m.median('cpu'))} | "
                  f"{max(s.maxrss_mb for s in m.samples):.0f} | {len(m.samples)} | {f} |")
        else:
            print(f"| {m.label} | n/a | | | | | |")
    for m in measures:
        if m.error:
            print(f"\n{m.label}: NOT MEASURED: {m.error}")
        elif m.note:
            print(f"\n{m.label}: {m.note.strip('; ')}")


def ratios(cold: Measure | None, warm: Measure | None, bare: Measure | None,
           al: Measure | None, startup: Measure | None = None, first: Measure | None = None
           ) -> list[tuple[str, float, float, str]]:
    """(name, ratio of median wall times, ratio of median CPU times, target)."""
    out: list[tuple[str, float, float, str]] = []

    def add(name: str, a: Measure | None, b: Measure | None, target: str) -> None:
        if a is not None and b is not None and a.ok and b.ok:
            out.append((name, a.median() / b.median(), a.median("cpu") / b.median("cpu"), target))

    def add_net(name: str, a: Measure | None, b: Measure | None) -> None:
        """The same ratio once Python's start-up is taken off both sides."""
        if a is None or b is None or startup is None or not (a.ok and b.ok and startup.ok):
            return
        net = [(a.median(attr) - startup.median(attr), b.median(attr) - startup.median(attr))
               for attr in ("wall", "cpu")]
        if all(den > 0 for _, den in net):
            out.append((name, net[0][0] / net[0][1], net[1][0] / net[1][1], ""))

    add("asynclint cold / ansible-lint", cold, al, "<= 0.01 (100x faster)")
    add("asynclint warm / ansible-lint", warm, al, "")
    add("asynclint cold / bare parse", cold, bare, "<= 1.0")
    add("asynclint first run (empty cache) / bare parse", first, bare, "")
    add("asynclint warm / bare parse", warm, bare, "< 0.2")
    add("asynclint warm / asynclint cold", warm, cold, "")
    add_net("asynclint cold / bare parse, start-up taken off both", cold, bare)
    add_net("asynclint warm / bare parse, start-up taken off both", warm, bare)
    return out


def print_ratios(rows: list[tuple[str, float, float, str]]) -> None:
    if not rows:
        return
    print("\n| ratio | wall time | CPU time | target (wall) |")
    print("|---|---:|---:|---|")
    for name, wall, cpu, target in rows:
        def show(v: float) -> str:
            return f"{v:.4f}" + (f" ({1 / v:.0f}x faster)" if v < 1 and "ansible-lint" in name else "")
        print(f"| {name} | {show(wall)} | {show(cpu)} | {target} |")
    print("\nCPU time is user + system time of the process and its children; on a loaded machine it"
          "\nis the steadier of the two. Parallel workers raise it while they lower wall time.")


# --------------------------------------------------------------------------------------------
# Instruction counts (optional, with valgrind)
# --------------------------------------------------------------------------------------------

VALGRIND = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
_IR = re.compile(rb"I\s+refs:\s+([0-9,]+)")


def instructions_of(stderr: bytes) -> int | None:
    """The instructions cachegrind counts (``==1== I   refs:      489,075,476``) of the process
    started, the last to end. A forked child prints a count of its own, which starts from its
    parent's count at the fork: it is not added."""
    found = _IR.findall(stderr)
    return int(found[-1].replace(b",", b"")) if found else None


def count_instructions(corpus: Path, env: dict[str, str], timeout: float,
                       jobs: int | None) -> list[tuple[str, int | None, str | None]]:
    """(label, instructions, error) of Python's start-up, the bare parse and asynclint runs,
    each once under cachegrind: the same count on a busy machine as on an idle one. With
    ``--jobs 1`` a run counts all its work; with more, its own process's share (children
    scan the files beside it): the work on the path to its answer."""
    if shutil.which(VALGRIND[0]) is None:
        return [("all", None, "valgrind is not installed (apt-get install valgrind)")]
    first_env, empty = first_run_env(env)
    commands = [("Python start-up", startup_job().cmd, env), ("bare parse", bare_job().cmd, env),
                ("asynclint cold, --jobs 1", asynclint_cmd(1, cache=False), env),
                ("asynclint first run, --jobs 1", asynclint_cmd(1, cache=True), first_env)]
    if jobs != 1:
        commands.append(("asynclint cold, its own process", asynclint_cmd(jobs, cache=False), env))
    out: list[tuple[str, int | None, str | None]] = []
    for label, cmd, run_env in commands:
        if run_env is first_env:
            empty()
        s = run_child(VALGRIND + cmd, corpus, run_env, timeout * 100)
        count = instructions_of(s.stderr)
        error = None if count is not None and s.rc in (0, 1) else f"exit code {s.rc}: {_tail(s.stderr)}"
        out.append((label, count, error))
    return out


def print_instructions(rows: list[tuple[str, int | None, str | None]]) -> None:
    print("\n| instructions (cachegrind, one run each) | millions |")
    print("|---|---:|")
    for label, count, error in rows:
        print(f"| {label} | {'n/a' if count is None else f'{count / 1e6:,.0f}'} |")
    for label, _, error in rows:
        if error:
            print(f"\n{label}: NOT MEASURED: {error}")
    counts = {label: count for label, count, error in rows if error is None}
    start, bare, cold, first, own = (counts.get(k) for k in (
        "Python start-up", "bare parse", "asynclint cold, --jobs 1",
        "asynclint first run, --jobs 1", "asynclint cold, its own process"))
    if bare and cold:
        print(f"\nasynclint cold / bare parse, in instructions: {cold / bare:.3f}"
              + (f"; start-up taken off both: {(cold - start) / (bare - start):.3f}" if start else ""))
    if bare and first:
        print(f"asynclint first run (empty cache) / bare parse, in instructions: {first / bare:.3f}")
    if bare and own and own != cold:
        print(f"asynclint cold, its own process (children scan beside it) / bare parse, "
              f"in instructions: {own / bare:.3f}")


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def run_compare(args: argparse.Namespace, env: dict[str, str]) -> dict:
    if args.corpus:
        corpus = Path(args.corpus).resolve()
        if not corpus.is_dir():
            sys.exit(f"run.py: {corpus} is not a directory")
        info = describe_dir(corpus)
        print(f"corpus: {_shown(corpus)} ({info['yaml_files']} YAML files, {info['yaml_bytes'] / 1e6:.2f} MB of YAML)")
    else:
        corpus, stats = prepare_corpus(args.tasks, args.seed, args.out)
        info = dict(stats, **describe_dir(corpus))
        print(f"corpus: {_shown(corpus)} "
              f"(generated: {stats['tasks']} tasks, {stats['roles']} roles, {stats['yaml_files']} YAML files, "
              f"{stats['async_files']} mention async/poll, {info['yaml_bytes'] / 1e6:.2f} MB of YAML, seed {args.seed})")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; repeat {args.repeat}, "
          f"ansible-lint repeat {0 if args.skip_ansible_lint else args.ansible_lint_repeat}\n")

    jobs = [startup_job(), bare_job()] + asynclint_jobs(corpus, env, args.timeout, args.jobs)
    jobs.append(first_run_job(env, args.jobs))
    interleave(jobs, corpus, env, args.repeat, args.timeout)
    startup, bare, cold, warm, first = (j.measure for j in jobs)
    finish_bare(bare)
    finish_asynclint(cold, warm, first)
    al = None
    if not args.skip_ansible_lint:
        err = preflight_ansible_lint(env)
        if err:
            al = Measure("ansible-lint --offline", "ansible-lint --offline", error=err)
        else:
            al = measure_ansible_lint(corpus, env, args.ansible_lint_repeat, args.ansible_lint_timeout)
    measures = [m for m in (startup, bare, cold, first, warm, al) if m is not None]
    print_table(measures)
    rows = ratios(cold, warm, bare, al, startup, first)
    print_ratios(rows)
    counted = count_instructions(corpus, env, args.timeout, args.jobs) if args.instructions else []
    if counted:
        print_instructions(counted)
    return {"corpus": str(corpus), "corpus_info": info, "measures": [m.to_json() for m in measures],
            "ratios": {name: {"wall": wall, "cpu": cpu} for name, wall, cpu, _ in rows},
            "instructions": {label: count for label, count, _ in counted}}


def run_scale(args: argparse.Namespace, env: dict[str, str]) -> dict:
    sizes = [int(x) for x in args.scale_sizes.split(",")]
    print(f"scale curve, seed {args.seed}, repeat {args.repeat} (bare parse, asynclint --no-cache "
          "and asynclint with a warm cache)\n")
    no_cache = probe_no_cache(env)
    if not no_cache:
        print("asynclint rejects --no-cache: measuring plain `asynclint check` runs instead\n", flush=True)
    rows = []
    for n in sizes:
        corpus, stats = prepare_corpus(n, args.seed, args.out)
        jobs = [bare_job()] + asynclint_jobs(corpus, env, args.timeout, args.jobs, warm=True,
                                             no_cache=no_cache)
        interleave(jobs, corpus, env, args.repeat, args.timeout)
        bare, cold, warm = (j.measure for j in jobs)
        finish_bare(bare)
        finish_asynclint(cold, warm)
        print(f"  {stats['tasks']} tasks: bare {fmt_s(bare.median()) if bare.ok else 'n/a'} s, "
              f"asynclint {fmt_s(cold.median()) if cold.ok else 'n/a'} s, "
              f"warm {fmt_s(warm.median()) if warm.ok else 'n/a'} s", file=sys.stderr, flush=True)
        rows.append((stats, bare, cold, warm))
        if not args.keep_scale:
            shutil.rmtree(corpus)
    print("| tasks | YAML files | MB | bare parse s | asynclint s | bare µs/task | asynclint µs/task "
          "| asynclint / bare | marginal µs/task (bare / asynclint) | peak RSS MB (bare / asynclint) "
          "| warm s | warm / bare |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    prev = None
    out = []
    for stats, bare, cold, warm in rows:
        n = stats["tasks"]
        b = bare.median() if bare.ok else None
        a = cold.median() if cold.ok else None
        w = warm.median() if warm is not None and warm.ok else None
        marginal = "-"
        if prev is not None:
            mb = f"{(b - prev[2]) / (n - prev[0]) * 1e6:.1f}" if b and prev[2] else "n/a"
            ma = f"{(a - prev[1]) / (n - prev[0]) * 1e6:.1f}" if a and prev[1] else "n/a"
            marginal = f"{mb} / {ma}"
        rss_b = f"{max(s.maxrss_mb for s in bare.samples):.0f}" if bare.ok else "n/a"
        rss_a = f"{max(s.maxrss_mb for s in cold.samples):.0f}" if cold.ok else "n/a"
        print(f"| {n} | {stats['yaml_files']} | {stats['bytes'] / 1e6:.2f} | {fmt_s(b) if b else 'n/a'} | "
              f"{fmt_s(a) if a else 'n/a'} | {b / n * 1e6 if b else 0:.1f} | "
              f"{f'{a / n * 1e6:.1f}' if a else 'n/a'} | {f'{a / b:.2f}' if a and b else 'n/a'} | {marginal} | "
              f"{rss_b} / {rss_a} | {fmt_s(w) if w else 'n/a'} | {f'{w / b:.2f}' if w and b else 'n/a'} |")
        prev = (n, a, b)
        out.append({"stats": stats, "bare": bare.to_json(), "asynclint_cold": cold.to_json(),
                    "asynclint_warm": warm.to_json()})
    for _, _, cold, _ in rows[:1]:
        if cold.error:
            print(f"\nasynclint: NOT MEASURED: {cold.error}")
    return {"scale": out}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark asynclint against ansible-lint and a bare C YAML compose.")
    ap.add_argument("--tasks", type=int, default=1000, help="size of the generated corpus (default: 1000)")
    ap.add_argument("--seed", type=int, default=0, help="generator seed (default: 0)")
    ap.add_argument("--corpus", metavar="DIR", help="benchmark an existing directory instead of a generated corpus")
    ap.add_argument("--out", type=Path, metavar="DIR", help="where generated corpora go (default: bench/corpus/)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of asynclint and of the bare parse (default: 5)")
    ap.add_argument("--ansible-lint-repeat", type=int, default=1, help="runs of ansible-lint (default: 1)")
    ap.add_argument("--skip-ansible-lint", action="store_true", help="do not run ansible-lint")
    ap.add_argument("--jobs", type=int, help="pass --jobs N to asynclint (default: asynclint's own default)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before a run is killed (default: 1800)")
    ap.add_argument("--ansible-lint-timeout", type=float, default=7200, help="the same for ansible-lint (default: 7200)")
    ap.add_argument("--scale", action="store_true", help="print the scale curve instead")
    ap.add_argument("--scale-sizes", default=",".join(map(str, DEFAULT_SCALE)),
                    help="task counts of the scale curve (default: 100,1000,10000,100000)")
    ap.add_argument("--keep-scale", action="store_true", help="keep the scale corpora on disk")
    ap.add_argument("--instructions", action="store_true",
                    help="also count the instructions of start-up, bare parse and a cold run "
                         "with valgrind (a measure that machine load does not change)")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.ansible_lint_repeat < 1:
        ap.error("repeats must be >= 1")

    with tempfile.TemporaryDirectory(prefix="asynclint-bench-") as tmp:
        env = make_env(Path(tmp))
        result = run_scale(args, env) if args.scale else run_compare(args, env)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
