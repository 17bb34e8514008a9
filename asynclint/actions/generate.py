"""Regenerate the shipped action table from an installed ansible-core.

    python -m asynclint.actions.generate [--ansible-dir DIR] [--output FILE]

Action plugins are read with the scanner (never imported); modules are the files of
``ansible/modules`` that hold code (documentation stubs such as ``meta`` or
``include_tasks`` are task keywords, not modules); redirects are the routes of
``ansible/config/ansible_builtin_runtime.yml`` that stay inside ``ansible.builtin``.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from asynclint.actions.scanner import scan_source
from asynclint.actions.summary import file_to_json
from asynclint.actions.table import (
    BUILTIN,
    BUILTIN_ACTION_PACKAGE,
    SHIPPED_TABLE,
    TABLE_FORMAT,
    ShippedTable,
    load_action_table,
    shipped_table_from_json,
)

ROUTING_FILE = Path("config") / "ansible_builtin_runtime.yml"
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "data" / SHIPPED_TABLE


def installed_ansible_dir() -> Path:
    """The ``ansible`` package folder of the running interpreter, found without importing it."""
    spec = importlib.util.find_spec("ansible")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("ansible-core is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def build_table(ansible_dir: Path, version: str) -> dict[str, Any]:
    """The JSON document shipped as ``data/ansible_core.json``."""
    action_files = sorted((ansible_dir / "plugins" / "action").glob("*.py"))
    plugin_files = {
        _module_key(path): file_to_json(scan_source(path.read_text(encoding="utf-8")))
        for path in action_files
    }
    document: dict[str, Any] = {
        "format": TABLE_FORMAT,
        "ansible_core_version": version,
        "modules": _module_names(ansible_dir / "modules"),
        "redirects": builtin_redirects(_load_routing(ansible_dir / ROUTING_FILE)),
        "plugin_files": plugin_files,
    }
    document["supports_async"] = _verdicts(shipped_table_from_json(document))
    return document


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def builtin_redirects(routing: Mapping[str, Any]) -> dict[str, str]:
    """Module and action routes from ``ansible.builtin`` to ``ansible.builtin`` (action wins)."""
    redirects: dict[str, str] = {}
    sections = routing.get("plugin_routing") or {}
    for section in ("modules", "action"):
        for name, entry in (sections.get(section) or {}).items():
            target = entry.get("redirect") if isinstance(entry, Mapping) else None
            if isinstance(target, str) and target.startswith(f"{BUILTIN}."):
                redirects[str(name)] = target
    return dict(sorted(redirects.items()))


def _module_key(path: Path) -> str:
    return BUILTIN_ACTION_PACKAGE if path.stem == "__init__" else f"{BUILTIN_ACTION_PACKAGE}.{path.stem}"


def _module_names(modules_dir: Path) -> list[str]:
    return sorted(
        path.stem
        for path in modules_dir.glob("*.py")
        if not path.name.startswith("_")
        and not is_documentation_stub(path.read_text(encoding="utf-8"))
    )


def is_documentation_stub(source: str) -> bool:
    """A module file that holds only strings (``meta``, ``include_tasks``...): no code to run.

    Module files are only classified here, so the standard parser suffices (and is fast on
    ansible-core's large modules); action plugins go through the libcst scanner.
    """
    for stmt in ast.parse(source).body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            continue
        value = stmt.value if isinstance(stmt, (ast.Assign, ast.Expr)) else None
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            return False
    return True


def _load_routing(path: Path) -> Mapping[str, Any]:
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, Mapping) else {}


def _verdicts(shipped: ShippedTable) -> dict[str, bool | None]:
    table = load_action_table(None, collections_paths=(), shipped=shipped)
    names = {name.removeprefix(f"{BUILTIN}.") for name in (*table.actions, *shipped.redirects)}
    return {name: table.supports_async(f"{BUILTIN}.{name}") for name in sorted(names)}


def release_version(ansible_dir: Path) -> str:
    """``__version__`` of ``ansible/release.py``, read as text."""
    text = (ansible_dir / "release.py").read_text(encoding="utf-8")
    found = re.search(r"^__version__\s*=\s*['\"]([^'\"]+)['\"]", text, re.MULTILINE)
    if found is None:
        raise ValueError(f"no __version__ in {ansible_dir / 'release.py'}")
    return found.group(1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m asynclint.actions.generate",
        description="Regenerate the shipped action table from an installed ansible-core.",
    )
    parser.add_argument("--ansible-dir", type=Path, default=None, help="the ansible package folder")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the table")
    args = parser.parse_args(argv)
    ansible_dir = args.ansible_dir or installed_ansible_dir()
    document = build_table(ansible_dir, release_version(ansible_dir))
    args.output.write_text(render(document), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
