"""Run asynclint over public Ansible code bases and report what happened.

Usage::

    python tests/realworld/run.py --fetch            # download, unpack, then run (first time)
    python tests/realworld/run.py                    # run over what is already unpacked
    python tests/realworld/run.py --only kolla-ansible --findings

The code bases are Python packages published on PyPI that carry Ansible content (roles,
playbooks, collection integration tests). ``--fetch`` downloads each pinned release with
``pip download --no-deps`` into ``tests/realworld/repos/`` (ignored by git) and unpacks it
there. Then, for every source, ``asynclint check`` and ``asynclint fix --diff --unsafe-fixes``
run in a subprocess each, and the report gives: files read, parse errors by kind, crashes
(exit code 2, "internal error", a traceback, or a timeout: there must be none), findings per
rule, fix failures (files the fixer refused or fixes that did not converge) and time.

Exit code: 0 when there is no crash and no fix failure, 1 otherwise, 2 when a source is missing.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOS = HERE / "repos"
DOWNLOADS = REPOS / "_downloads"


@dataclass(frozen=True)
class Archive:
    """One pinned PyPI release, unpacked into ``repos/<folder>``."""

    requirement: str
    sdist: bool  # the source distribution carries the tests; wheels carry only the package

    @property
    def folder(self) -> Path:
        return REPOS / re.sub(r"[^\w.-]+", "_", self.requirement)


ANSIBLE = Archive("ansible==12.3.0", sdist=True)  # the community package: ~100 collections
ANSIBLE_CORE = Archive("ansible-core==2.19.14", sdist=True)


@dataclass(frozen=True)
class Source:
    name: str
    archive: Archive
    paths: tuple[str, ...]  # globs inside the unpacked archive


COLLECTIONS = "ansible-12.3.0/ansible_collections"
SOURCES = (
    Source("community.general", ANSIBLE, (f"{COLLECTIONS}/community/general",)),
    Source("amazon.aws+community.aws", ANSIBLE,
           (f"{COLLECTIONS}/amazon/aws", f"{COLLECTIONS}/community/aws")),
    Source("windows", ANSIBLE, (f"{COLLECTIONS}/ansible/windows", f"{COLLECTIONS}/community/windows",
                                f"{COLLECTIONS}/microsoft/ad")),
    Source("containers", ANSIBLE, (f"{COLLECTIONS}/community/docker",
                                   f"{COLLECTIONS}/kubernetes/core",
                                   f"{COLLECTIONS}/containers/podman")),
    Source("roles-in-collections", ANSIBLE,
           (f"{COLLECTIONS}/dellemc/openmanage", f"{COLLECTIONS}/community/zabbix",
            f"{COLLECTIONS}/ovirt/ovirt", f"{COLLECTIONS}/theforeman/foreman",
            f"{COLLECTIONS}/grafana/grafana")),
    Source("ansible-core-tests", ANSIBLE_CORE, ("ansible_core-2.19.14/test/integration",)),
    Source("kolla-ansible", Archive("kolla-ansible==22.2.0", sdist=False), ("*.data",)),
    Source("debops", Archive("debops==3.3.2", sdist=False), ("debops/_data/ansible",)),
    Source("tripleo-ansible", Archive("tripleo-ansible==6.0.0", sdist=False), ("*.data",)),
    Source("kayobe", Archive("kayobe==18.6.0", sdist=False), ("*.data",)),
)

FINDING = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>ASY\d{3}) \[(?P<name>[^\]]+)\] "
    r"(?P<message>.*?)(?: \(fix: (?P<fix>[\w-]+)\))?$"
)
FILES = re.compile(r"\b(\d+) files?\b")
PARSE_KINDS = (
    ("binary", "binary"), ("not valid UTF-8", "encoding"), ("cannot read", "unreadable"),
    ("not a regular file", "unreadable"), ("too large", "unreadable"), ("nesting", "nesting"),
)


# -- fetching -------------------------------------------------------------------------------


def fetch(archive: Archive) -> None:
    if archive.folder.is_dir():
        return
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    binary = ["--no-binary", ":all:"] if archive.sdist else ["--only-binary", ":all:"]
    if not _existing(archive):
        print(f"fetching {archive.requirement} ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", *binary,
                        "-d", str(DOWNLOADS), archive.requirement], check=True)
    new = _existing(archive)
    folder = archive.folder.with_suffix(".partial")
    folder.mkdir(parents=True, exist_ok=True)
    for file in new:
        if file.name.endswith((".tar.gz", ".tgz")):
            with tarfile.open(file) as tar:
                tar.extractall(folder, filter="data")
        else:
            with zipfile.ZipFile(file) as wheel:
                wheel.extractall(folder)
    folder.rename(archive.folder)


def _existing(archive: Archive) -> list[Path]:
    name, _, version = archive.requirement.partition("==")
    stem = re.sub(r"[-_.]+", "[-_.]", name)
    kind = r"\.tar\.gz$" if archive.sdist else r"-.*\.whl$"
    return sorted(p for p in DOWNLOADS.iterdir()
                  if re.match(f"(?i){stem}-{re.escape(version)}{kind}", p.name))


# -- running --------------------------------------------------------------------------------


@dataclass
class Report:
    source: str
    files: int = 0
    parse_errors: dict[str, int] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)
    findings: dict[str, int] = field(default_factory=dict)
    loud: list[str] = field(default_factory=list)  # warning and error findings, one line each
    fixed_files: int = 0
    fix_failures: list[str] = field(default_factory=list)
    check_seconds: float = 0.0
    fix_seconds: float = 0.0


def _asynclint(arguments: list[str], timeout: float) -> tuple[int | None, str, str, float]:
    start = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-m", "asynclint", *arguments], cwd=REPOS,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        return None, str(expired.stdout or ""), str(expired.stderr or ""), time.monotonic() - start
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start


def _crash(step: str, code: int | None, err: str, explained: bool = False) -> str | None:
    """A timeout, a traceback, an internal error, or exit code 2 without its reason."""
    if code is None:
        return f"{step}: timed out"
    if (code == 2 and not explained) or "internal error" in err or "Traceback" in err:
        return f"{step}: exit {code}: {err.strip()[-2000:]}"
    return None


def parse_kind(message: str) -> str:
    for prefix, kind in PARSE_KINDS:
        if prefix in message:
            return kind
    return f"yaml: {message}"


def run_source(source: Source, severities: dict[str, str], timeout: float) -> Report:
    root = source.archive.folder
    paths = sorted(str(p.relative_to(REPOS)) for pattern in source.paths for p in root.glob(pattern))
    if not paths:
        raise SystemExit(f"{source.name}: nothing at {source.paths} (run with --fetch)")
    report = Report(source.name)

    code, out, err, report.check_seconds = _asynclint(
        ["check", "--no-cache", "--isolated", "--exit-zero", "--format", "text", *paths], timeout)
    crash = _crash("check", code, err)
    if crash:
        report.crashes.append(crash)
    lines = out.splitlines()
    summary = FILES.search(lines[-1]) if lines else None
    report.files = int(summary.group(1)) if summary else 0
    findings: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for line in lines:
        match = FINDING.match(line)
        if match is None:
            continue
        code_name = f"{match['code']} {match['name']}"
        findings[code_name] += 1
        if match["code"] == "ASY000":
            kinds[parse_kind(match["message"])] += 1
        elif severities.get(match["code"]) in ("error", "warning"):
            report.loud.append(line)
    report.findings = dict(sorted(findings.items()))
    report.parse_errors = dict(sorted(kinds.items()))

    code, out, err, report.fix_seconds = _asynclint(["fix", "--diff", "--unsafe-fixes", *paths],
                                                     timeout)
    report.fixed_files = sum(1 for line in out.splitlines() if line.startswith("+++ b/"))
    report.fix_failures = [line for line in err.splitlines()
                           if "not fixed:" in line or "did not converge" in line]
    crash = _crash("fix", code, err, explained=bool(report.fix_failures))
    if crash:
        report.crashes.append(crash)
    return report


def _severities() -> dict[str, str]:
    proc = subprocess.run([sys.executable, "-m", "asynclint", "rules", "--format", "json"],
                          capture_output=True, text=True, check=True)
    return {rule["code"]: rule["severity"] for rule in json.loads(proc.stdout)}


def render(report: Report, show_findings: bool) -> str:
    lines = [f"== {report.source}: {report.files} files, check {report.check_seconds:.1f} s, "
             f"fix --diff --unsafe-fixes {report.fix_seconds:.1f} s"]
    errors = sum(report.parse_errors.values())
    lines.append(f"   parse errors: {errors}")
    lines += [f"     {count:5d}  {kind}" for kind, count in report.parse_errors.items()]
    lines.append(f"   crashes: {len(report.crashes)}")
    lines += [f"     {crash}" for crash in report.crashes]
    lines.append("   findings per rule:" if report.findings else "   findings: none")
    lines += [f"     {count:5d}  {rule}" for rule, count in report.findings.items()]
    lines.append(f"   fix: {report.fixed_files} files would change, "
                 f"{len(report.fix_failures)} failures")
    lines += [f"     {failure}" for failure in report.fix_failures]
    if show_findings:
        lines += [f"   {line}" for line in report.loud]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fetch", action="store_true", help="download and unpack missing sources")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only these sources (repeatable)")
    parser.add_argument("--findings", action="store_true",
                        help="list every warning and error finding (for triage)")
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    parser.add_argument("--timeout", type=float, default=3600.0,
                        help="seconds allowed to one asynclint run (default: 3600)")
    args = parser.parse_args(argv)
    known = {source.name for source in SOURCES}
    unknown = set(args.only or ()) - known
    if unknown:
        parser.error(f"unknown source(s) {sorted(unknown)}; choose from {sorted(known)}")
    sources = [s for s in SOURCES if not args.only or s.name in args.only]
    if args.fetch:
        for archive in dict.fromkeys(source.archive for source in sources):
            fetch(archive)
    missing = [s.name for s in sources if not s.archive.folder.is_dir()]
    if missing:
        print(f"not fetched: {', '.join(missing)} (run with --fetch)", file=sys.stderr)
        return 2
    severities = _severities()
    reports = []
    for source in sources:
        report = run_source(source, severities, args.timeout)
        reports.append(report)
        print(render(report, args.findings), flush=True)
    crashes = sum(len(r.crashes) for r in reports)
    failures = sum(len(r.fix_failures) for r in reports)
    total: Counter[str] = Counter()
    for report in reports:
        total.update(report.findings)
    print(f"== total: {sum(r.files for r in reports)} files, "
          f"{sum(sum(r.parse_errors.values()) for r in reports)} parse errors, "
          f"{crashes} crashes, {failures} fix failures, "
          f"{sum(r.check_seconds + r.fix_seconds for r in reports):.0f} s")
    for rule, count in sorted(total.items()):
        print(f"     {count:5d}  {rule}")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in reports], indent=2) + "\n")
    return 1 if crashes or failures else 0


if __name__ == "__main__":
    sys.exit(main())
