"""The arguments of `asynclint parallelize` (:mod:`.command` runs it).

Only the choices are imported here: building the command line never loads the transform.
"""

from __future__ import annotations

import argparse

from asynclint.transforms.choices import CHAINS, DEFAULT_TIMEOUT, SCHEDULES, UNBOUNDED


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="the playbook to rewrite")
    parser.add_argument("--tasks", nargs="+", metavar="NAME", default=[],
                        help="the consecutive sibling blocks or tasks to run side by side "
                             "(default: blocks and unawaited tasks with `poll: 0`)")
    parser.add_argument("--schedule", choices=SCHEDULES, default=CHAINS,
                        help="stages: launch the k-th task of every chain, wait for all; "
                             "chains: wait along each chain (default)")
    parser.add_argument("--max-parallel", type=_positive, default=UNBOUNDED, metavar="N",
                        help="never more than N jobs in flight")
    parser.add_argument("--timeout", type=_positive, default=DEFAULT_TIMEOUT, metavar="S",
                        help=f"`async` limit of jobs whose block sets none (default {DEFAULT_TIMEOUT})")
    parser.add_argument("--durations", metavar="FILE",
                        help="task times of a previous run (profile_tasks or json callback output)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    parser.add_argument("--diff", action="store_true",
                        help="print the change as a unified diff, write nothing")
