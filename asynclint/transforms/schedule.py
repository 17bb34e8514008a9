"""When each unit of a group starts and where the waits go.

A schedule is a tuple of steps: :class:`Launch` a unit in the background, :class:`Run` a unit
synchronously, :class:`Await` some launched units. Two layouts:

- ``stages`` (the article's): the k-th unit of every chain is launched together, then all of
  them are awaited, then the next stage. A unit that depends on another chain's unit goes to
  a later stage.
- ``chains``: list scheduling. Whatever is ready is launched (longest remaining path first);
  when nothing is, the job expected to end first is awaited, which readies its chain's next
  unit. Expected ends come from known durations, else every unit counts one second.

``max_parallel`` bounds the jobs in flight in both (stages launch in batches).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping, Union

from asynclint.structs import struct
from asynclint.transforms.choices import STAGES
from asynclint.transforms.plan import Group, Unit

UNKNOWN_DURATION = 1.0
LAUNCH_COST = 0.4  # seconds a `poll: 0` launch takes on localhost (FACTS 18)
STEP_COST = 0.1  # seconds any other task takes beyond its own work


@struct(frozen=True)
class Launch:
    unit: Unit


@struct(frozen=True)
class Run:
    unit: Unit


@struct(frozen=True)
class Await:
    units: tuple[Unit, ...]


Step = Union[Launch, Run, Await]
Durations = Mapping[str, float]


def duration(unit: Unit, durations: Durations) -> float:
    return durations.get(unit.task.name or "", UNKNOWN_DURATION)


def _successors(group: Group) -> dict[int, tuple[Unit, ...]]:
    found: dict[int, list[Unit]] = {unit.number: [] for unit in group.units}
    for unit in group.units:
        for before in group.predecessors(unit):
            found[before.number].append(unit)
    return {number: tuple(units) for number, units in found.items()}


def tails(group: Group, durations: Durations) -> dict[int, float]:
    """For each unit, the longest path of durations from its start to the group's end."""
    successors = _successors(group)

    @lru_cache(maxsize=None)
    def tail(number: int) -> float:
        unit = next(u for u in group.units if u.number == number)
        rest = max((tail(after.number) for after in successors[number]), default=0.0)
        return duration(unit, durations) + rest

    return {unit.number: tail(unit.number) for unit in group.units}


def critical_path(group: Group, durations: Durations) -> float:
    return max(tails(group, durations).values(), default=0.0)


# -- stages ---------------------------------------------------------------------------------


def levels(group: Group) -> dict[int, int]:
    """The stage of each unit: one after its chain's previous unit and the units it needs."""
    level: dict[int, int] = {}
    for unit in group.units:
        before = group.predecessors(unit)
        level[unit.number] = max((level[u.number] + 1 for u in before), default=0)
    return level


def _batches(units: list[Unit], size: int) -> list[list[Unit]]:
    return [units[start:start + size] for start in range(0, len(units), size)] or [[]]


def stages(group: Group, max_parallel: int) -> tuple[Step, ...]:
    level = levels(group)
    steps: list[Step] = []
    for stage in range(max(level.values(), default=-1) + 1):
        members = [u for u in group.units if level[u.number] == stage]
        background = sorted((u for u in members if u.background), key=lambda u: u.chain)
        synchronous = [Run(u) for u in members if not u.background]
        for index, batch in enumerate(_batches(background, max_parallel)):
            steps += [Launch(u) for u in batch]
            steps += synchronous if index == 0 else []
            steps += [Await(tuple(batch))] if batch else []
    return tuple(steps)


# -- chains ---------------------------------------------------------------------------------


@struct
class _Clock:
    """The simulated time of a schedule while it is built or estimated."""

    now: float = 0.0

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def chains(group: Group, max_parallel: int, durations: Durations) -> tuple[Step, ...]:
    priority = tails(group, durations)
    clock = _Clock()
    done: set[int] = set()
    started: set[int] = set()
    running: dict[Unit, float] = {}
    steps: list[Step] = []
    while len(done) < len(group.units):
        ready = sorted(
            (u for u in group.units if u.number not in started
             and all(p.number in done for p in group.predecessors(u))),
            key=lambda u: (-priority[u.number], u.number),
        )
        launchable = [u for u in ready if u.background and len(running) < max_parallel]
        synchronous = [u for u in ready if not u.background]
        if launchable:
            unit = launchable[0]
            steps.append(Launch(unit))
            running[unit] = clock.advance(LAUNCH_COST) + duration(unit, durations)
        elif synchronous:
            unit = synchronous[0]
            steps.append(Run(unit))
            clock.advance(duration(unit, durations) + STEP_COST)
            done.add(unit.number)
        else:
            unit = min(running, key=lambda u: (running[u], u.number))
            steps.append(Await((unit,)))
            clock.now = max(clock.now, running.pop(unit)) + STEP_COST
            done.add(unit.number)
        started.add(unit.number)
    return merge_waits(tuple(steps))


def merge_waits(steps: tuple[Step, ...]) -> tuple[Step, ...]:
    """Consecutive awaits as one wait point (one task loops over all their jobs)."""
    merged: list[Step] = []
    for step in steps:
        if isinstance(step, Await) and merged and isinstance(merged[-1], Await):
            merged[-1] = Await((*merged[-1].units, *step.units))
        else:
            merged.append(step)
    return tuple(merged)


def schedule(group: Group, layout: str, max_parallel: int, durations: Durations) -> tuple[Step, ...]:
    if layout == STAGES:
        return stages(group, max_parallel)
    return chains(group, max_parallel, durations)


def estimate(steps: tuple[Step, ...], durations: Durations) -> float:
    """The expected wall time of a schedule, with the launch and per-task costs."""
    clock = _Clock()
    ends: dict[Unit, float] = {}
    for step in steps:
        if isinstance(step, Launch):
            ends[step.unit] = clock.advance(LAUNCH_COST) + duration(step.unit, durations)
        elif isinstance(step, Run):
            clock.advance(duration(step.unit, durations) + STEP_COST)
        else:
            clock.now = max(clock.now, *(ends[u] for u in step.units)) + STEP_COST
    return clock.now


def sequential_estimate(group: Group, durations: Durations) -> float:
    return sum(duration(u, durations) + STEP_COST for u in group.units)
