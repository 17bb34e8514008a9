"""The ``asynclint`` command line: ``check``, ``fix``, ``rules`` and ``explain``.

Exit codes: 0 nothing found, 1 findings, 2 usage or internal error.

What only one command uses is imported when that command runs: ``check`` starts without the
fix engine, the transforms, the other output formats or the rule modules
(``tests/test_startup.py``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Sequence, TextIO

from asynclint import __version__
from asynclint.config import (Config, ConfigError, config_candidates, kept_paths,
                              known_pattern, load_config, render, start_path, with_flags)
from asynclint.linter import Context, LintResult, Selection
from asynclint.model import load_project
from asynclint.output import FORMATS, formatter
from asynclint.output.github import choose_format
from asynclint.pipeline import (check as check_paths, default_speed, fixes_in_targets,
                                 without_excluded)
from asynclint.rules import find_rule
from asynclint.rules.catalog import CATALOG

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class UsageError(Exception):
    """Bad arguments or configuration: reported in one line, exit code 2."""


def _split(values: Sequence[str] | None) -> frozenset[str]:
    result: set[str] = set()
    for value in values or ():
        result.update(part.strip() for part in value.split(",") if part.strip())
    return frozenset(result)


def _check_patterns(patterns: frozenset[str], option: str) -> None:
    for pattern in patterns:
        if known_pattern(pattern):
            continue
        raise UsageError(f"{option}: unknown rule `{pattern}` (see `asynclint rules`)")


def selection_from(args: argparse.Namespace) -> Selection:
    select = _split(args.select) if args.select else None
    ignore = _split(args.ignore)
    extend = _split(getattr(args, "extend_select", None))
    for patterns, option in ((select or frozenset(), "--select"), (ignore, "--ignore"),
                             (extend, "--extend-select")):
        _check_patterns(patterns, option)
    return Selection(select=select, ignore=ignore, extend_select=extend)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def _use_color(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--select", action="append", metavar="CODES",
                        help="only these rules (codes, names or code prefixes, comma-separated)")
    parser.add_argument("--extend-select", action="append", metavar="CODES",
                        help="rules to enable on top of the defaults (e.g. ASY202)")
    parser.add_argument("--ignore", action="append", metavar="CODES",
                        help="rules to leave out (codes, names or code prefixes)")


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE",
                        help="read this configuration file instead of searching for one")
    parser.add_argument("--isolated", action="store_true",
                        help="ignore every configuration file")


def _check_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                       help="files or folders to check; - reads standard input (default: .)")
    check.add_argument("--format", choices=[*sorted(FORMATS), "auto"], default="auto",
                       help="output format; auto: github under GitHub Actions, else text")
    check.add_argument("--stdin-filename", default="<stdin>", metavar="NAME",
                       help="the name to report for standard input")
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when there are findings")
    check.add_argument("--show-config", action="store_true",
                       help="print the effective configuration and where it came from")
    check.add_argument("--no-cache", action="store_true",
                       help="neither read nor write the cache of results")
    check.add_argument("--jobs", type=_positive, metavar="N",
                       help="processes for a run: children scan the files while the loader "
                            "works, from 200 files on (default: CPU count)")
    _add_selection(check)
    _add_config(check)


def _fix_arguments(fix: argparse.ArgumentParser) -> None:
    fix.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                     help="files or folders to fix (default: .); - fixes standard input "
                          "alone and writes the fixed text to standard output")
    fix.add_argument("--stdin-filename", default="<stdin>", metavar="NAME",
                     help="the name to report for standard input")
    fix.add_argument("--diff", action="store_true",
                     help="print the changes as a unified diff and write nothing")
    fix.add_argument("--check", action="store_true",
                     help="write nothing; exit 1 if anything would change")
    fix.add_argument("--unsafe-fixes", action="store_true",
                     help="also apply fixes that change timing or concurrency")
    fix.add_argument("--format", choices=sorted(FORMATS), default="text")
    _add_selection(fix)
    _add_config(fix)


def _rules_arguments(rules: argparse.ArgumentParser) -> None:
    rules.add_argument("--format", choices=("text", "json"), default="text")


def _explain_arguments(explain: argparse.ArgumentParser) -> None:
    explain.add_argument("rule", metavar="CODE|NAME")


def _graph_arguments(graph: argparse.ArgumentParser) -> None:
    graph.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                       help="files or folders to read (default: .)")
    graph.add_argument("--format", default="dot", metavar="FORMAT",
                       help="dot (Graphviz), json or mermaid (default: dot)")


def _parallelize_arguments(parallelize: argparse.ArgumentParser) -> None:
    from asynclint.transforms.arguments import add_arguments

    add_arguments(parallelize)


# each command: its line in `asynclint --help`, and what adds its arguments
SUBCOMMANDS = {
    "check": ("report findings in playbooks, task files, roles", _check_arguments),
    "fix": ("apply the available fixes, then report what is left", _fix_arguments),
    "rules": ("list every rule", _rules_arguments),
    "explain": ("show a rule's documentation", _explain_arguments),
    "graph": ("print the task graph (why a rule fired)", _graph_arguments),
    "parallelize": ("run sibling blocks and tasks side by side (async launches and waits)",
                    _parallelize_arguments),
}


def _columns() -> int:
    """``shutil.get_terminal_size().columns``: ``$COLUMNS``, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, given the width it would ask ``shutil`` for: argparse makes
    one for every argument it adds, and ``shutil`` imports ``bz2`` and ``lzma``."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position,
                         _columns() - 2 if width is None else width)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line. Given the ``command`` a run asks for, only that command gets its
    arguments: the others are listed by name (all ``asynclint --help`` shows of them), and
    building every option of every command, each checked by a help formatter, cost as much
    as checking a small playbook."""
    parser = argparse.ArgumentParser(
        prog="asynclint",
        description="Lint and fix Ansible's async, poll and async_status patterns.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"asynclint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (summary, add_arguments) in SUBCOMMANDS.items():
        subparser = commands.add_parser(name, help=summary, formatter_class=_Formatter)
        if command is None or command == name:
            add_arguments(subparser)
    return parser


def config_from(args: argparse.Namespace) -> Config:
    """The configuration file's settings, then the command-line flags over them."""
    flags = selection_from(args)
    explicit = Path(args.config) if args.config else None
    try:
        start = start_path(args.paths, getattr(args, "stdin_filename", "<stdin>"))
        config = load_config(start, explicit, args.isolated)
    except ConfigError as error:
        raise UsageError(str(error)) from error
    return with_flags(config, flags.select, flags.ignore, flags.extend_select)


def run_check(args: argparse.Namespace) -> int:
    config = config_from(args)
    if args.show_config:
        sys.stdout.write(render(config))
        return EXIT_CLEAN
    stdin_data = sys.stdin.buffer.read() if "-" in args.paths else None
    speed = default_speed(not args.no_cache, args.jobs)
    # what the next run of this command must find unchanged to print this run's output again
    # (the pipeline fills it exactly when it uses the cache: a cache folder, no standard input)
    watched: list[str] | None = [] if speed.cache_dir and stdin_data is None else None
    result = check_paths(kept_paths(args.paths, config.excluded), config.selection(),
                         config.options(), exclude=config.excluder, stdin_data=stdin_data,
                         stdin_name=args.stdin_filename,
                         project_root=_project_root(args.paths, args.stdin_filename),
                         speed=speed, watched=watched)
    output = _formatted(choose_format(args.format, os.environ), result, sys.stdout)
    sys.stdout.write(output)
    code = _exit_code(result, args.exit_zero)
    if watched is not None and not result.internal_errors:
        from asynclint.replay import record

        start = start_path(args.paths, args.stdin_filename)
        explicit = Path(args.config) if args.config else None
        watched += config_candidates(start, explicit, args.isolated)
        watched += config.read
        try:
            record(args.argv, sys.stdout, args.started, watched, output, code)
        except Exception:  # noqa: BLE001 - a record is a shortcut for the next run, never an error
            pass
    return code


def _project_root(paths: Sequence[str], stdin_name: str = "<stdin>") -> Path:
    """Where the project's own plugins are looked for (see ``actions.discovery``)."""
    from asynclint.actions.discovery import project_root

    named = [stdin_name if raw == "-" and stdin_name != "<stdin>" else raw for raw in paths]
    return project_root(named, Path.cwd())


def _formatted(name: str, result: LintResult, stream: TextIO) -> str:
    """The findings in the format ``name``, for ``stream``; the text format's summary says
    when a rule failed (each failure goes to standard error, :func:`_exit_code`)."""
    failed = {"failed": len(result.internal_errors)} \
        if name == "text" and result.internal_errors else {}
    return formatter(name)(result.findings, result.files, _use_color(stream), **failed)


def _exit_code(result: LintResult, exit_zero: bool) -> int:
    for error in result.internal_errors:
        sys.stderr.write(f"asynclint: internal error, please report it: {error}\n")
    if result.internal_errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if result.findings and not exit_zero else EXIT_CLEAN


def run_fix(args: argparse.Namespace) -> int:
    from asynclint.fixes.apply import FixError, fix_project, write_fixes
    from asynclint.fixes.report import fix_summary, unified_diff

    config = config_from(args)
    stdin_data = None
    if "-" in args.paths:
        if len(args.paths) > 1:
            sys.stderr.write("asynclint: error: `fix -` fixes standard input alone: "
                             "name no other path\n")
            return EXIT_ERROR
        stdin_data = sys.stdin.buffer.read()
    project = load_project(kept_paths(args.paths, config.excluded), exclude=config.excluder,
                           stdin_data=stdin_data, stdin_name=args.stdin_filename)
    try:
        run = fix_project(project, config.selection(), args.unsafe_fixes, config.options(),
                          project_root=_project_root(args.paths, args.stdin_filename),
                          exclude=config.excluded)
    except FixError as error:
        sys.stderr.write(f"asynclint: error: {error}\n")
        return EXIT_ERROR
    dry_run = args.diff or args.check or stdin_data is not None
    if args.diff:
        sys.stdout.write("".join(unified_diff(file) for file in run.changed))
    elif stdin_data is not None and not args.check:  # the text, fixed or not, as a filter does
        sys.stdout.flush()
        sys.stdout.buffer.write(run.changed[0].after.encode("utf-8") if run.changed
                                else stdin_data)
        sys.stdout.buffer.flush()
    failures = {} if dry_run else write_fixes(run)
    for file in run.refused:
        sys.stderr.write(f"asynclint: {file.path}: not fixed: {file.refused}\n")
    for path, reason in failures.items():
        sys.stderr.write(f"asynclint: {path}: not written: {reason}\n")
    report = sys.stdout if stdin_data is None else sys.stderr
    left = without_excluded(fixes_in_targets(run.result, project.targets), config.excluder)
    if not args.diff:
        report.write(_formatted(args.format, left, report))
    done = [file for file in run.changed if file.path not in failures]
    stream = report if args.format == "text" and not args.diff else sys.stderr
    stream.write(fix_summary(done, len(left.findings), args.diff or args.check) + "\n")
    if failures or run.refused:
        return EXIT_ERROR
    return _exit_code(left, False) or (EXIT_FINDINGS if done else EXIT_CLEAN)


def run_rules(args: argparse.Namespace) -> int:
    if args.format == "json":
        data = [
            {"code": r.code, "name": r.name, "severity": r.severity.label,
             "enabled": r.enabled, "fix": r.fix, "summary": r.summary}
            for r in CATALOG
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return EXIT_CLEAN
    for rule in CATALOG:
        fix = rule.fix or "-"
        state = "" if rule.enabled else "  (off by default)"
        sys.stdout.write(
            f"{rule.code}  {rule.name:<40} {rule.severity.label:<8} fix: {fix:<13}"
            f"{rule.summary}{state}\n"
        )
    return EXIT_CLEAN


def run_graph(args: argparse.Namespace) -> int:
    from asynclint.graph import GRAPH_FORMATS  # networkx loads only for this command

    if args.format not in GRAPH_FORMATS:
        raise UsageError(f"--format: choose one of {', '.join(sorted(GRAPH_FORMATS))}")
    project = load_project(args.paths)
    context = Context(project, project_root=_project_root(args.paths))
    sys.stdout.write(GRAPH_FORMATS[args.format](context.graph))
    for error in project.errors:  # the graph holds the other files' tasks
        sys.stderr.write(f"asynclint: {error.path}:{error.error.line}:{error.error.column}: "
                         f"not read: {error.error.message}\n")
    return EXIT_FINDINGS if project.errors else EXIT_CLEAN


def run_explain(args: argparse.Namespace) -> int:
    rule = find_rule(args.rule)
    if rule is None:
        raise UsageError(f"unknown rule `{args.rule}` (see `asynclint rules`)")
    header = f"{rule.code} {rule.name} ({rule.severity.label}"
    header += ", fix: " + rule.fix if rule.fix else ""
    header += ")" if rule.enabled else ", off by default)"
    sys.stdout.write(f"{header}\n\n{rule.doc}\n")
    return EXIT_CLEAN


def run_parallelize(args: argparse.Namespace) -> int:
    from asynclint.transforms.command import run

    return run(args, lambda project: Context(project, project_root=_project_root([args.path])))


COMMANDS = {"check": run_check, "fix": run_fix, "rules": run_rules, "explain": run_explain,
            "graph": run_graph, "parallelize": run_parallelize}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Python's cycle collector is off meanwhile: a run builds millions of
    small, acyclic nodes that live until it ends, and scanning them again and again cost a
    third of a run with the default thresholds, and 0.3 s of 3.6 s at 100,000 tasks with a
    collection every 200,000 new objects. What a run leaves in cycles is little (5 MB more
    at the peak of those 3.6 s)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(argv)
    finally:
        if collecting:
            gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    started = time.time_ns()
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments[0] if arguments and arguments[0] in COMMANDS else None)
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    args.argv, args.started = arguments, started  # what a replay of this run is keyed by
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        return COMMANDS[args.command](args)
    except UsageError as error:
        sys.stderr.write(f"asynclint: error: {error}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception as error:  # never a traceback for the user
        if os.environ.get("ASYNCLINT_DEBUG"):
            raise
        sys.stderr.write(
            f"asynclint: internal error, please report it: {type(error).__name__}: {error}\n"
        )
        return EXIT_ERROR
