"""`asynclint parallelize`: run sibling blocks and tasks side by side, as Ansible can.

Ansible cannot run a `block` in the background, so people write `async`/`poll: 0` on
blocks (ASY001) meaning "run these together". This transform turns every parallel group
(:mod:`.plan`) into `poll: 0` launches and `async_status` waits placed by a schedule
(:mod:`.schedule`), rendered in the file's own style (:mod:`.render`). The outcome is a
value: the new text with its plans, a refusal with its reason (nothing is written), or
nothing to do.
"""

from __future__ import annotations

from typing import Mapping, Union

from asynclint.fixes.apply import apply_edits
from asynclint.fixes.edits import Applicability, Edit, Fix
from asynclint.fixes.yaml_edit import style_of
from asynclint.model import Block, Document
from asynclint.structs import struct, field
from asynclint.transforms.choices import CHAINS, DEFAULT_TIMEOUT, UNBOUNDED
from asynclint.transforms.plan import Group, Refusal, build_group, find_groups
from asynclint.transforms.render import Names, group_edit
from asynclint.transforms.schedule import (Await, Launch, Run, Step, critical_path, estimate,
                                           schedule, sequential_estimate)

FIX_TITLE = "Run the blocks side by side: background launches, then waits (`asynclint parallelize`)"


@struct(frozen=True)
class Options:
    layout: str = CHAINS
    max_parallel: int = UNBOUNDED
    timeout: int = DEFAULT_TIMEOUT
    durations: Mapping[str, float] = field(default_factory=dict)
    names: frozenset[str] = frozenset()  # siblings named on the command line (else: poll 0)


@struct(frozen=True)
class Plan:
    group: Group
    steps: tuple[Step, ...]
    edit: Edit


@struct(frozen=True)
class Rewritten:
    path: str
    before: str
    after: str
    plans: tuple[Plan, ...]


@struct(frozen=True)
class Refused:
    path: str
    reason: str


@struct(frozen=True)
class Unchanged:
    path: str


Outcome = Union[Rewritten, Refused, Unchanged]


def plan_group(ctx, document: Document, members: tuple, options: Options) -> Plan:
    """Chains, schedule and replacement text of one group; raises :class:`Refusal`."""
    group = build_group(ctx, document, members, options.timeout)
    steps = schedule(group, options.layout, options.max_parallel, options.durations)
    names = Names.for_text(document.source.text)
    return Plan(group, steps, group_edit(group, steps, names, style_of(document.source)))


def parallelize(ctx, document: Document, options: Options = Options()) -> Outcome:
    """Every group of ``document`` rewritten, or the first reason one cannot be."""
    plans = []
    for members in find_groups(ctx, document, options.names):
        try:
            plans.append(plan_group(ctx, document, members, options))
        except Refusal as refusal:
            line = document.source.position(members[0].start)[0]
            return Refused(document.path, f"line {line}: {refusal.reason}")
    if not plans:
        return Unchanged(document.path)
    before = document.source.text
    after = apply_edits(before, (plan.edit for plan in plans))
    return Rewritten(document.path, before, after, tuple(plans))


def block_fix(ctx, block: Block) -> Fix | None:
    """The unsafe fix ASY001 offers for a `poll: 0` block: its group, rewritten."""
    document = next((d for d in ctx.project.ansible_documents() if d.source is block.source), None)
    if document is None or document.kind != "playbook":
        return None
    for members in find_groups(ctx, document):
        if any(member is block for member in members):
            try:
                plan = plan_group(ctx, document, members, Options())
            except Refusal:
                return None
            return Fix(FIX_TITLE, (plan.edit,), Applicability.UNSAFE)
    return None


# -- the plan, in words ---------------------------------------------------------------------


def _titles(units) -> str:
    return ", ".join(f"`{unit.title}`" for unit in units)


def _step_lines(steps: tuple[Step, ...]) -> list[str]:
    lines: list[str] = []
    for step in steps:
        if isinstance(step, Launch):
            if lines and lines[-1].startswith("launch "):
                lines[-1] += f", `{step.unit.title}`"
            else:
                lines.append(f"launch `{step.unit.title}`")
        elif isinstance(step, Run):
            lines.append(f"run `{step.unit.title}` (synchronously)")
        elif isinstance(step, Await):
            lines.append(f"wait for {_titles(step.units)}")
    return lines


def describe(plan: Plan, options: Options) -> str:
    """The plan of one group: chains, forced orders, kept tasks, steps, estimated time."""
    group = plan.group
    source = group.document.source
    line = source.position(group.members[0].start)[0]
    out = [f"{source.path}:{line}: {len(group.chains)} chains, schedule `{options.layout}`"]
    for index, chain in enumerate(group.chains):
        out.append(f"  chain `{group.chain_title(index)}`: {_titles(chain)}")
    units = {unit.number: unit for unit in group.units}
    for earlier, later in sorted(group.after):
        out.append(f"  `{units[later].title}` waits for `{units[earlier].title}` "
                   "(it reads its result or touches the same resource)")
    for unit in group.units:
        if unit.kept_reason:
            out.append(f"  `{unit.title}` runs synchronously: {unit.kept_reason}")
    out.append("  steps:")
    out += [f"    {text}" for text in _step_lines(plan.steps)]
    if options.durations:
        out.append(
            f"  estimated: {estimate(plan.steps, options.durations):.1f} s (sequential "
            f"{sequential_estimate(group, options.durations):.1f} s, critical path "
            f"{critical_path(group, options.durations):.1f} s)")
    return "\n".join(out) + "\n"
