"""Read the fixture conventions described in ``fixtures/README.md``."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
RULE_FIXTURES = FIXTURES / "rules"
FIX_FIXTURES = FIXTURES / "fixes"
FIXED = ".fixed.yml"

_EXPECT = re.compile(r"#\s*expect:\s*(ASY\d{3}(?:\s*,\s*ASY\d{3})*)")
_HEADER = re.compile(r"^#\s*ansible:\s*(syntax-error|runtime-error|ok)\s*(?::\s*(.*))?$")


@dataclass(frozen=True)
class AnsibleClaim:
    outcome: str  # "syntax-error" | "runtime-error" | "ok"
    text: str | None


def expectations(path: Path) -> set[tuple[int, str]]:
    """(line, code) pairs declared with ``# expect: CODE`` comments, 1-based lines."""
    found: set[tuple[int, str]] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            for code in match.group(1).split(","):
                found.add((number, code.strip()))
    return found


def ansible_claim(path: Path) -> AnsibleClaim | None:
    """The ``# ansible: ...`` header among the file's leading comment lines, if any."""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            return None
        match = _HEADER.match(stripped)
        if match:
            text = match.group(2)
            return AnsibleClaim(match.group(1), text.strip() if text else None)
    return None


def yaml_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def playbooks_with_claims(*roots: Path) -> list[tuple[Path, AnsibleClaim]]:
    result = []
    for root in roots:
        for path in yaml_files(root):
            claim = ansible_claim(path)
            if claim is not None:
                result.append((path, claim))
    return result


# -- fix fixtures: fixtures/fixes/<CODE>/<case>.yml and <case>.fixed.yml ---------------------


def unfixed(path: Path) -> Path:
    """``tasks/build.yml`` for ``tasks/build.fixed.yml``."""
    return path.with_name(path.name[: -len(FIXED)] + ".yml")


def helper_fixes(folder: Path) -> dict[Path, Path]:
    """The files of a fix-fixture folder that a case changes besides itself (a task file it
    includes), each with its expected text: ``tasks/build.yml`` -> ``tasks/build.fixed.yml``.

    They live in subfolders; the cases themselves sit directly in the folder.
    """
    return {unfixed(path): path for path in sorted(folder.rglob("*" + FIXED))
            if path.parent != folder}


def fixed_copy(playbook: Path, destination: Path) -> Path:
    """Copy the playbook's folder to ``destination`` with every helper holding its expected
    fixed text (what fixing the case that includes it writes there); the copied playbook."""
    shutil.copytree(playbook.parent, destination)
    for helper, fixed in helper_fixes(destination).items():
        helper.write_bytes(fixed.read_bytes())
    return destination / playbook.name
