"""Where a project's own action plugins and modules live.

- ``action_plugins/`` and ``library/`` folders anywhere in the project (next to playbooks, at
  the root, in ``roles/*/``): local plugins and modules, reached by short and
  ``ansible.legacy.`` names, ahead of ansible-core's own. The project is the folder
  :func:`project_root` finds for the checked paths.
- collections under ``<project>/collections/ansible_collections/<ns>/<coll>/`` and under each
  collections path (``ANSIBLE_COLLECTIONS_PATH``, older ``ANSIBLE_COLLECTIONS_PATHS``, else
  Ansible's defaults): ``plugins/action/*.py`` and ``plugins/modules/*``, reached by FQCN.

The first place that provides a name wins, as in Ansible: the project before collections
paths, shallower folders before deeper ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from asynclint.structs import struct

LEGACY = "ansible.legacy"
ACTION_DIR = "action_plugins"
LIBRARY_DIR = "library"
COLLECTIONS_DIR = "ansible_collections"
DEFAULT_COLLECTIONS_PATHS = ("~/.ansible/collections", "/usr/share/ansible/collections")
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", COLLECTIONS_DIR})


@struct(frozen=True)
class PluginFile:
    """An action plugin: the name it answers to, the key of its module, its file."""

    name: str
    key: str
    path: Path


@struct(frozen=True)
class ProjectPlugins:
    actions: tuple[PluginFile, ...]
    modules: frozenset[str]


def collections_paths_from_env(environ: Mapping[str, str] = os.environ) -> tuple[Path, ...]:
    value = environ.get("ANSIBLE_COLLECTIONS_PATH") or environ.get("ANSIBLE_COLLECTIONS_PATHS")
    entries = value.split(os.pathsep) if value else list(DEFAULT_COLLECTIONS_PATHS)
    return tuple(Path(entry).expanduser() for entry in entries if entry)


NAMED_DIRS = (ACTION_DIR, LIBRARY_DIR)
# what marks the top of a project, as ansible-lint and ruff look for it
PROJECT_MARKERS = (".git", "ansible.cfg", "galaxy.yml", ".asynclint.yml", ".asynclint.yaml")


def project_root(paths: Sequence[str], cwd: Path) -> Path:
    """The project of the checked ``paths``: the nearest folder at or above their common
    folder that holds a :data:`PROJECT_MARKERS` entry.

    The search stops at ``cwd`` when ``cwd`` holds the paths, and without a marker there the
    project is ``cwd``. Paths outside ``cwd`` without a marker above them are their own
    project: their common folder. So ``asynclint check work/site`` run from a home folder
    walks ``work/site`` (a git work tree), never the whole home folder, and no sibling
    project's plugins count.
    """
    folders = []
    for raw in paths:
        if raw == "-":
            continue
        path = Path(os.path.abspath(cwd / raw))
        folders.append(str(path if path.is_dir() else path.parent))
    if not folders:
        return cwd
    common = Path(os.path.commonpath(folders))
    inside = common == cwd or cwd in common.parents
    for folder in (common, *common.parents):
        if any(os.path.lexists(folder / marker) for marker in PROJECT_MARKERS):
            return folder
        if inside and folder == cwd:
            return cwd
    return common


def discover(
    project_root: Path | None,
    search_paths: Sequence[Path],
    collections_paths: Sequence[Path],
    named: Mapping[str, list[Path]] | None = None,
) -> ProjectPlugins:
    """The project's plugins; ``named``: the :data:`NAMED_DIRS` folders, when already known
    (:func:`named_dirs`)."""
    if named is None:
        named = named_dirs(project_root)
    local_action_dirs = [*named[ACTION_DIR], *search_paths]
    local_library_dirs = named[LIBRARY_DIR]
    collection_roots = [
        *([project_root / "collections"] if project_root is not None else []),
        *collections_paths,
    ]
    actions = [
        *(_local_action(path) for folder in local_action_dirs for path in _python_files(folder)),
        *(
            _collection_action(ns, coll, path)
            for ns, coll, root in _collections(collection_roots)
            for path in _python_files(root / "plugins" / "action")
        ),
    ]
    modules = [
        *(f"{LEGACY}.{path.stem}" for folder in local_library_dirs for path in _module_files(folder)),
        *(
            f"{ns}.{coll}.{path.stem}"
            for ns, coll, root in _collections(collection_roots)
            for path in _module_files(root / "plugins" / "modules")
        ),
    ]
    return ProjectPlugins(_first_of_each_name(actions), frozenset(modules))


def listed_folders(
    project_root: Path | None,
    search_paths: Sequence[Path],
    collections_paths: Sequence[Path],
    named: Mapping[str, list[Path]],
) -> list[str]:
    """The folders :func:`discover` lists (a missing one too): a plugin added or removed
    changes the time of one of them."""
    roots = [*([project_root / "collections"] if project_root is not None else []),
             *collections_paths]
    folders = [*named[ACTION_DIR], *search_paths, *named[LIBRARY_DIR]]
    for root in roots:
        base = root if root.name == COLLECTIONS_DIR else root / COLLECTIONS_DIR
        folders.append(base)
        folders.extend(namespace for namespace in _subdirs(base))
        for _, _, collection in _collections([root]):
            folders += [collection, collection / "plugins" / "action",
                        collection / "plugins" / "modules"]
    return [str(folder) for folder in folders]


def _local_action(path: Path) -> PluginFile:
    return PluginFile(f"{LEGACY}.{path.stem}", f"{ACTION_DIR}:{path}", path)


def _collection_action(namespace: str, collection: str, path: Path) -> PluginFile:
    return PluginFile(
        f"{namespace}.{collection}.{path.stem}",
        f"{COLLECTIONS_DIR}.{namespace}.{collection}.plugins.action.{path.stem}",
        path,
    )


def _first_of_each_name(plugins: Sequence[PluginFile]) -> tuple[PluginFile, ...]:
    seen: dict[str, PluginFile] = {}
    for plugin in plugins:
        seen.setdefault(plugin.name, plugin)
    return tuple(seen.values())


def named_dirs(root: Path | None, walked: list[str] | None = None) -> dict[str, list[Path]]:
    """The :data:`NAMED_DIRS` folders under ``root``; ``walked`` receives every folder read."""
    return _named_dirs(root, NAMED_DIRS, walked)


def _named_dirs(root: Path | None, names: tuple[str, ...],
                walked: list[str] | None = None) -> dict[str, list[Path]]:
    """Folders called each of ``names`` under ``root``, shallowest first, skipping hidden and
    vendored trees (one walk for all the names)."""
    found: dict[str, list[Path]] = {name: [] for name in names}
    if root is None or not root.is_dir():
        return found
    pending = [str(root)]
    while pending:  # os.scandir alone: this walks every folder of the project
        current = pending.pop()
        if walked is not None:
            walked.append(current)
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except OSError:
            continue
        folders = []
        for entry in listed:
            try:
                if not entry.is_dir():  # a link to a folder counts, but is not walked into
                    if entry.name == "pyvenv.cfg":
                        folders = []
                        break
                    continue
                if entry.name.startswith(".") or entry.name in _SKIPPED_DIRS:
                    continue
                if entry.name in found:
                    found[entry.name].append(Path(entry.path))
                if not entry.is_symlink():
                    folders.append(entry.path)
            except OSError:
                continue
        else:
            pending.extend(folders)
            continue
        for name in names:  # a virtual environment: nothing below it is the project's
            found[name] = [path for path in found[name] if os.path.dirname(path) != current]
    return {name: sorted(paths, key=lambda p: (len(p.parts), p)) for name, paths in found.items()}


def _collections(roots: Sequence[Path]) -> Iterator[tuple[str, str, Path]]:
    """``(namespace, collection, folder)`` for every collection under the given paths."""
    for root in roots:
        base = root if root.name == COLLECTIONS_DIR else root / COLLECTIONS_DIR
        for namespace in _subdirs(base):
            for collection in _subdirs(namespace):
                yield namespace.name, collection.name, collection


def _subdirs(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and p.name.isidentifier())
    except OSError:
        return []


def _python_files(folder: Path) -> list[Path]:
    return [p for p in _files(folder) if p.suffix == ".py"]


def _module_files(folder: Path) -> list[Path]:
    return [p for p in _files(folder) if p.suffix != ".pyc"]


def _files(folder: Path) -> list[Path]:
    try:
        return sorted(
            p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("_", "."))
        )
    except OSError:
        return []
