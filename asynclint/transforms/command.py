"""The `asynclint parallelize` subcommand: what it prints and writes (its arguments are in
:mod:`.arguments`).

Exit codes: 0 rewritten (or planned, or nothing to do), 1 refused (nothing written), 2 usage
error or a file that cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from asynclint.fixes.apply import FileFix, WriteError, write_atomic
from asynclint.fixes.report import unified_diff
from asynclint.model import load_project
from asynclint.transforms.durations import DurationsError, read_durations
from asynclint.transforms.parallelize import Options, Refused, Rewritten, describe, parallelize

EXIT_DONE = 0
EXIT_REFUSED = 1
EXIT_ERROR = 2


def _options(args: argparse.Namespace) -> Options:
    durations = {}
    if args.durations:
        try:
            durations = read_durations(Path(args.durations).read_text(encoding="utf-8"))
        except (OSError, DurationsError) as error:
            raise ValueError(f"--durations: {error}") from None
    return Options(args.schedule, args.max_parallel, args.timeout, durations,
                   frozenset(args.tasks))


def run(args: argparse.Namespace, context_for) -> int:
    """``context_for(project)`` gives the lint context (graph, action table) of a project."""
    try:
        options = _options(args)
    except ValueError as error:
        sys.stderr.write(f"asynclint: error: {error}\n")
        return EXIT_ERROR
    project = load_project([args.path])
    if project.errors:
        sys.stderr.write(f"asynclint: error: {args.path}: {project.errors[0].error.message}\n")
        return EXIT_ERROR
    document = next((d for d in project.ansible_documents() if d.path in project.targets), None)
    if document is None or document.kind != "playbook":
        sys.stderr.write(f"asynclint: error: {args.path} is not a playbook\n")
        return EXIT_ERROR
    outcome = parallelize(context_for(project), document, options)
    if isinstance(outcome, Refused):
        sys.stderr.write(f"asynclint: {outcome.path}: not parallelized: {outcome.reason}\n")
        return EXIT_REFUSED
    if not isinstance(outcome, Rewritten):
        sys.stdout.write(f"{document.path}: nothing to parallelize\n")
        return EXIT_DONE
    return _report(outcome, options, args, project.by_real_path)


def _report(outcome: Rewritten, options: Options, args: argparse.Namespace, reals) -> int:
    if args.dry_run:
        sys.stdout.write("".join(describe(plan, options) for plan in outcome.plans))
    if args.diff:
        sys.stdout.write(unified_diff(FileFix(outcome.path, outcome.path, outcome.before,
                                              outcome.after)))
    if args.dry_run or args.diff:
        return EXIT_DONE
    real = next(real for real, doc in reals.items() if doc.path == outcome.path)
    try:
        write_atomic(Path(real), outcome.before, outcome.after)
    except WriteError as error:
        sys.stderr.write(f"asynclint: {outcome.path}: not written: {error}\n")
        return EXIT_ERROR
    groups = len(outcome.plans)
    sys.stdout.write(f"{outcome.path}: parallelized {groups} group{'s' * (groups != 1)}\n")
    return EXIT_DONE
