"""Wall time of `asynclint parallelize` output against the sequential playbook.

Scenarios (localhost, `connection: local`, tasks are `sleep N`):

- ``article-equal``: the article's blocks A (a1, a2) and B (b1, b2), task c, then d; 2 s each.
- ``article-skewed``: the same with a1=1 a2=3 b1=3 b2=1 c=2 (critical path 4 s).
- ``wide``: 8 chains of two tasks, 1 to 3 s each.

Each playbook runs sequentially (the block keys removed), with the ``stages`` schedule, and
with the ``chains`` schedule given the durations. The overhead of the chains layout is the
same playbook with every sleep at 0; the target is chains <= 1.15 x (critical path + overhead),
and chains faster than stages.

    python bench/parallel/run.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from ansible_runner import run_playbook  # noqa: E402

from asynclint.fixes.apply import apply_edits  # noqa: E402
from asynclint.fixes.yaml_edit import remove_entries  # noqa: E402
from asynclint.linter import Context  # noqa: E402
from asynclint.model import load_project  # noqa: E402
from asynclint.rules.helpers import async_keys  # noqa: E402
from asynclint.transforms.parallelize import Options, Rewritten, parallelize  # noqa: E402
from asynclint.transforms.plan import build_group, find_groups  # noqa: E402
from asynclint.transforms.schedule import critical_path  # noqa: E402

TARGET = 1.15
Chains = tuple[tuple[tuple[str, float], ...], ...]


@dataclass(frozen=True)
class Scenario:
    name: str
    chains: Chains  # the blocks (several tasks) and lone tasks (one) run side by side

    @property
    def durations(self) -> dict[str, float]:
        return {name: seconds for chain in self.chains for name, seconds in chain}


def _task(name: str, seconds: float, indent: str) -> str:
    return f"{indent}- name: {name}\n{indent}  ansible.builtin.command: sleep {seconds:g}\n"


def playbook(scenario: Scenario, scale: float = 1.0) -> str:
    """The playbook as people write it: `poll: 0` on blocks and on the lone task."""
    out = ["- hosts: localhost\n  gather_facts: false\n  tasks:\n"]
    for index, chain in enumerate(scenario.chains):
        if len(chain) == 1:
            name, seconds = chain[0]
            out.append(_task(name, seconds * scale, "    ") + "      async: 600\n      poll: 0\n")
            continue
        out.append(f"    - name: chain {index}\n      block:\n")
        out += [_task(name, seconds * scale, "        ") for name, seconds in chain]
        out.append("      async: 600\n      poll: 0\n")
    out.append(_task("d", 0, "    "))
    return "".join(out)


def _document(path: Path):
    project = load_project([str(path)])
    return Context(project), project.documents[0]


def sequential(path: Path) -> str:
    context, document = _document(path)
    edits = [edit for members in find_groups(context, document) for member in members
             for edit in remove_entries(document.source, member.map, async_keys(member.map)) or ()]
    return apply_edits(document.source.text, edits)


def parallel(path: Path, options: Options) -> str:
    context, document = _document(path)
    outcome = parallelize(context, document, options)
    assert isinstance(outcome, Rewritten), outcome
    return outcome.after


def wall(text: str, folder: Path, runs: int) -> float:
    """Median wall time of ``runs`` runs of the playbook ``text``."""
    path = folder / "playbook.yml"
    path.write_text(text, encoding="utf-8")
    times = []
    for run in range(runs):
        start = time.perf_counter()
        result = run_playbook(path, folder / f"run{run}")
        times.append(time.perf_counter() - start)
        if result.rc != 0:
            raise SystemExit(f"{folder.name}: ansible-playbook failed\n{result.output}")
    return statistics.median(times)


SCENARIOS = (
    Scenario("article-equal", ((("a1", 2), ("a2", 2)), (("b1", 2), ("b2", 2)), (("c", 2),))),
    Scenario("article-skewed", ((("a1", 1), ("a2", 3)), (("b1", 3), ("b2", 1)), (("c", 2),))),
    Scenario("wide", tuple(((f"w{i}a", 1 + i % 3), (f"w{i}b", 1 + (i + 1) % 3))
                           for i in range(8))),
)


def measure(scenario: Scenario, work: Path, runs: int) -> dict[str, float]:
    original = work / f"{scenario.name}.yml"
    original.write_text(playbook(scenario), encoding="utf-8")
    idle = work / f"{scenario.name}-idle.yml"
    idle.write_text(playbook(scenario, scale=0), encoding="utf-8")
    chains = Options("chains", durations=scenario.durations)
    texts = {
        "sequential": sequential(original),
        "stages": parallel(original, Options("stages")),
        "chains": parallel(original, chains),
        "overhead": parallel(idle, chains),
    }
    results = {}
    for layout, text in texts.items():
        folder = work / f"{scenario.name}-{layout}"
        folder.mkdir()
        results[layout] = wall(text, folder, runs)
    context, document = _document(original)
    group = next(iter(find_groups(context, document)))
    results["critical"] = critical_path(build_group(context, document, group),
                                        scenario.durations)
    return results


def report(name: str, r: dict[str, float]) -> str:
    bound = r["critical"] + r["overhead"]
    verdict = "yes" if r["chains"] <= TARGET * bound and r["chains"] < r["stages"] else "no"
    return (f"| {name} | {r['sequential']:.1f} s | {r['stages']:.1f} s "
            f"({r['sequential'] / r['stages']:.2f}x) | {r['chains']:.1f} s "
            f"({r['sequential'] / r['chains']:.2f}x) | {r['critical']:.0f} s + "
            f"{r['overhead']:.1f} s | {r['chains'] / bound:.2f} | {verdict} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| scenario | sequential | stages (speed-up) | chains + durations (speed-up) "
          "| critical path + overhead | chains / bound | within 15% and beats stages |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="asynclint-parallel-") as scratch:
        for scenario in SCENARIOS:
            work = Path(scratch) / scenario.name
            work.mkdir()
            print(report(scenario.name, measure(scenario, work, args.runs)), flush=True)


if __name__ == "__main__":
    main()
