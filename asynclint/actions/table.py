"""Which actions can run async: the shipped ansible-core table plus a project's own plugins.

Name resolution follows Ansible: a short name ``x`` is ``ansible.legacy.x``, which finds
a project's ``action_plugins/x.py`` first and ansible-core's ``ansible.builtin.x`` second;
``ansible.builtin.x`` always means ansible-core's. An action plugin of that name decides;
otherwise a module of that name runs through ``normal``, which supports async; otherwise
(a name nobody here knows, such as an uninstalled collection's module) the answer is
``None``: unknown, never to be flagged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from asynclint.actions.cache import SummaryCache, default_cache_dir, summarize_file
from asynclint.actions.discovery import LEGACY, collections_paths_from_env, discover
from asynclint.actions.resolve import resolve_verdicts
from asynclint.actions.summary import FileSummary, Flag, file_from_json
from asynclint.structs import struct

BUILTIN = "ansible.builtin"
BUILTIN_ACTION_PACKAGE = "ansible.plugins.action"
SHIPPED_TABLE = "ansible_core.json"
TABLE_FORMAT = 1
MAX_REDIRECTS = 10


@struct(frozen=True)
class ShippedTable:
    """ansible-core's action plugins (summaries by module key) and modules, as shipped."""

    ansible_core_version: str
    files: Mapping[str, FileSummary]
    modules: frozenset[str]
    redirects: Mapping[str, str]


@struct(frozen=True)
class ActionTable:
    """Async support by action name; build it with :func:`load_action_table`."""

    ansible_core_version: str
    actions: Mapping[str, Flag]
    modules: frozenset[str]
    redirects: Mapping[str, str]

    def supports_async(self, name: str) -> Flag:
        """``True``/``False`` when known, ``None`` when nothing here knows the name."""
        resolved = resolve_name(name, self.actions.keys(), self.modules, self.redirects)
        if resolved is None:
            return None
        return self.actions.get(resolved, True)

    def is_ansible_core(self, name: str) -> bool:
        """True when ``name`` runs an ansible-core module or action (not a project's own)."""
        resolved = resolve_name(name, self.actions.keys(), self.modules, self.redirects)
        return resolved is not None and resolved.startswith(f"{BUILTIN}.")

    def action_plugin(self, name: str) -> str | None:
        """The canonical name of the action plugin that runs ``name``, if it has its own."""
        resolved = resolve_name(name, self.actions.keys(), self.modules, self.redirects)
        return resolved if resolved in self.actions else None


def resolve_name(
    name: str,
    actions: Collection[str],
    modules: frozenset[str],
    redirects: Mapping[str, str],
) -> str | None:
    """The canonical action plugin or module ``name`` resolves to, or ``None``.

    Action plugins come before modules (a module with an action plugin of the same name runs
    that plugin), then ansible-core's internal redirects (``yum`` runs ``dnf``).
    """
    for _ in range(MAX_REDIRECTS):
        candidates = name_candidates(name)
        for pool in (actions, modules):
            found = next((c for c in candidates if c in pool), None)
            if found is not None:
                return found
        redirected = next((redirects[c] for c in candidates if c in redirects), None)
        if redirected is None:
            return None
        name = redirected
    return None


def name_candidates(name: str) -> tuple[str, ...]:
    """Canonical names to try, in order: ``x`` and ``ansible.legacy.x`` try local then builtin."""
    if "." not in name:
        name = f"{LEGACY}.{name}"
    prefix, _, short = name.rpartition(".")
    if prefix == LEGACY:
        return (name, f"{BUILTIN}.{short}")
    return (name,)


def load_action_table(
    project_root: Path | None = None,
    search_paths: Sequence[Path] = (),
    *,
    collections_paths: Sequence[Path] | None = None,
    cache_dir: Path | None = None,
    shipped: ShippedTable | None = None,
    named: Mapping[str, list[Path]] | None = None,
) -> ActionTable:
    """The shipped table plus the action plugins and modules of a project.

    ``search_paths`` are extra ``action_plugins``-like folders; ``collections_paths``
    defaults to the environment (:func:`collections_paths_from_env`); ``cache_dir`` to
    :func:`default_cache_dir`; ``named`` the project's plugin folders, when already found
    (:func:`~asynclint.actions.discovery.named_dirs`). libcst is imported only when a plugin
    file is not cached.
    """
    base = shipped if shipped is not None else load_shipped_table()
    project = discover(
        project_root,
        search_paths,
        collections_paths_from_env() if collections_paths is None else collections_paths,
        named,
    )
    cache = SummaryCache(cache_dir if cache_dir is not None else default_cache_dir())
    files = {
        **base.files,
        **{plugin.key: summarize_file(plugin.path, cache) for plugin in project.actions},
    }
    plugins = {
        **{f"{BUILTIN}.{k.rpartition('.')[2]}": k for k in base.files if k != BUILTIN_ACTION_PACKAGE},
        **{plugin.name: plugin.key for plugin in project.actions},
    }
    modules = base.modules | project.modules

    def locate(name: str) -> str | None:
        found = resolve_name(name, plugins.keys(), modules, base.redirects)
        return found if found in plugins else None

    return ActionTable(
        ansible_core_version=base.ansible_core_version,
        actions=MappingProxyType(resolve_verdicts(files, plugins, locate)),
        modules=modules,
        redirects=base.redirects,
    )


def load_shipped_table() -> ShippedTable:
    beside = os.path.join(os.path.dirname(__file__), "data", SHIPPED_TABLE)
    try:  # an installed package is a folder: read it as a file (importlib.resources costs more)
        with open(beside, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:  # pragma: no cover - a zipped package
        from importlib import resources

        text = resources.files(__package__).joinpath("data", SHIPPED_TABLE).read_text(
            encoding="utf-8")
    return shipped_table_from_json(json.loads(text))


def shipped_table_from_json(data: Mapping[str, Any]) -> ShippedTable:
    if data.get("format") != TABLE_FORMAT:
        raise ValueError(f"unsupported action table format: {data.get('format')!r}")
    return ShippedTable(
        ansible_core_version=str(data["ansible_core_version"]),
        files=MappingProxyType(
            {key: file_from_json(value) for key, value in data["plugin_files"].items()}
        ),
        modules=frozenset(f"{BUILTIN}.{name}" for name in data["modules"]),
        redirects=MappingProxyType(
            {f"{BUILTIN}.{name}": target for name, target in data["redirects"].items()}
        ),
    )

