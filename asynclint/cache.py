"""Results of whole runs of ``asynclint check``, cached by content.

Rules look across files, so a file's findings depend on the files around it: the cache keeps
the result of a whole run, keyed by everything the run read or could have read
(:func:`run_key`): the asynclint version, the working folder, the paths asked for, the rules
with their severities and options, the content digest of every file checked, the
modification times of their folders and of the folders above them (a file created or removed
next to them changes where an include or a role resolves; above the working folder and the
paths checked only ``roles/`` folders count), and the project's action plugins.
Files read only because an include reached them are recorded in the entry with their digests
and checked on every hit.

Entries live in ``$XDG_CACHE_HOME/asynclint/runs/`` (else ``~/.cache/asynclint/runs/``), one
file per scope and settings (:func:`run_slot`) holding the last run's key and result, written
to a temporary file and renamed, so that concurrent runs never see half an entry. An entry that cannot be read is ignored. Beside them, per *scope* (working folder
and paths checked), stat indexes spare reading unchanged files and walking unchanged plugin
folders (:class:`Digests`, :class:`Walks`); an index holds only what the last run of its
scope looked at.
"""

from __future__ import annotations

import json
import os
import pickle
import time
from pathlib import Path
from stat import S_ISDIR
from typing import Any, Iterable, Mapping, Sequence

try:  # hashlib would load OpenSSL first (milliseconds) to hand out this same function
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python without it
    from hashlib import blake2b

from asynclint import __version__
from asynclint.linter import LintResult
from asynclint.model.paths import absolute
from asynclint.model.prefilter import read_file
from asynclint.structs import struct

CACHE_FORMAT = "runs-v3"  # bump when an entry's content changes meaning
INDEX_FORMAT = "index-v2"  # the stat indexes that spare reading unchanged files and folders
ROLES_DIR = "roles"


def default_cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_CACHE_HOME/asynclint/runs``, else ``~/.cache/asynclint/runs``."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "asynclint" / "runs"


def digest(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def digest_file(path: str) -> str | None:
    """The content digest of a file, or of a folder's list of names; ``None`` when it cannot
    be read."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return _digest_of(path, info)


def _digest_of(path: str, info: os.stat_result) -> str | None:
    """:func:`digest_file` of a path whose stat is ``info`` (no second stat)."""
    if S_ISDIR(info.st_mode):
        try:
            names = sorted(os.listdir(path))
        except OSError:
            return None
        return "folder:" + digest("\0".join(names).encode("utf-8", "surrogateescape"))
    found = read_file(path, info)
    return None if found is None else digest(found[0])


def stat_of(info: os.stat_result) -> Stat:
    return info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def folder_times(files: Iterable[str], roots: Iterable[str]) -> list[tuple[str, int | None]]:
    """With their modification times (``None``: missing): the folders of ``files`` and the
    folders above them inside ``roots``, and the ``roles/`` folder of every folder above them
    (where a role name is looked up)."""
    cwd = os.getcwd()
    bounds = tuple(absolute(root, cwd) for root in roots)
    folders: set[str] = set()
    for parent in {os.path.dirname(file) for file in files}:  # many files share a folder
        folder = absolute(parent, cwd)
        while folder not in folders:
            folders.add(folder)
            folder = os.path.dirname(folder)
    inside = {folder for folder in folders if folder.startswith(bounds)}
    watched = inside | {os.path.join(folder, ROLES_DIR) for folder in folders}
    return [(folder, _mtime(folder)) for folder in sorted(watched)]


def _file_times(paths: Iterable[Path]) -> list[tuple[str, int | None]]:
    return [(str(path), _mtime(str(path))) for path in sorted(paths)]


def plugin_files(project_root: Path | None, walks: "Walks | None" = None,
                 watched: list[str] | None = None) -> list[tuple[str, int | None]]:
    """The action plugins the action table would read, with their modification times.

    ``watched`` receives the plugin files and every folder read to find them."""
    from asynclint.actions.discovery import (collections_paths_from_env, discover,
                                             listed_folders, named_dirs)

    walked: list[str] = []
    if walks is not None:
        named = walks.named_dirs(project_root)
        walked = walks.folders
    else:
        named = named_dirs(project_root, walked)
    collections = collections_paths_from_env()
    plugins = discover(project_root, (), collections, named)
    files = _file_times(plugin.path for plugin in plugins.actions)
    if watched is not None:
        watched += walked
        watched += listed_folders(project_root, (), collections, named)
        watched += (path for path, _ in files)
    return files + [(module, None) for module in sorted(plugins.modules)]


def run_key(*, paths: Sequence[str], rules: Sequence[tuple[str, str]],
            options: Mapping[str, Any], targets: Sequence[tuple[str, str | None]],
            project_root: Path | None, walks: "Walks | None" = None,
            watched: list[str] | None = None) -> str:
    """The key of one run; ``targets`` are (path, content digest or None) in check order.

    ``watched`` receives the folders and plugin files the key depends on."""
    folders = folder_times((path for path, _ in targets), [os.getcwd(), *paths])
    if watched is not None:
        watched += (folder for folder, _ in folders)
    material = {
        "format": CACHE_FORMAT,
        "version": __version__,
        "cwd": os.getcwd(),
        "paths": list(paths),
        "rules": list(rules),
        "options": options,
        "targets": list(targets),
        "folders": folders,
        "plugins": plugin_files(project_root, walks, watched),
    }
    text = json.dumps(material, sort_keys=True, default=repr)
    return blake2b(text.encode("utf-8"), digest_size=32).hexdigest()


@struct(frozen=True)
class Entry:
    """A run's key, its result and the digests of the files it read beyond its targets."""

    key: str
    result: LintResult
    dependencies: tuple[tuple[str, str | None], ...]

    def fresh(self) -> bool:
        return all(digest_file(path) == digest for path, digest in self.dependencies)


def dependencies(paths: Iterable[str]) -> tuple[tuple[str, str | None], ...]:
    return tuple((path, digest_file(path)) for path in sorted(set(paths)))


# Files kept per cache folder, the most recently written first: a scope is a working folder and
# a list of paths, and pre-commit passes a new list with every commit.
KEPT_FILES = 128


def _store(path: Path, value: object) -> None:
    """Pickle ``value`` to ``path`` atomically, then drop the folder's oldest files beyond
    :data:`KEPT_FILES`; a cache that cannot be written only costs the next run its time."""
    from asynclint.replay import make_folder, prune

    temporary = f"{path}.{os.getpid()}.tmp"  # a run writes each file once
    try:
        make_folder(str(path.parent))
        try:
            with open(temporary, "wb") as stream:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
        prune(str(path.parent), KEPT_FILES)
    except OSError:
        return


# A file whose times are this close to when the index was written may have changed again
# within the same clock tick: its digest is read from its bytes (git's "racily clean" rule).
RACY_NS = 2_000_000_000
Stat = tuple[int, int, int, int]  # mtime_ns, ctime_ns, size, inode


class Digests:
    """Content digests of files, reused while a file's times, size and inode are unchanged.

    Like git's index: hashing every file of a large repository costs more than the rest of a
    warm run, and a stat answers for an unchanged file. A file changed within
    :data:`RACY_NS` of the index being written is always read again.
    """

    def __init__(self, path: Path):
        self.path = path
        self.cwd = os.getcwd()  # the files are kept by absolute path
        self.known: dict[str, tuple[Stat, str | None]] = {}
        self.used: dict[str, tuple[Stat, str | None]] = {}  # what this run looked up
        self.offered: dict[str, tuple[Stat, str]] = {}  # digests read by others (offer)
        self.written = 0
        self.changed = False
        try:
            written, known = pickle.loads(path.read_bytes())
            if isinstance(written, int) and isinstance(known, dict):
                self.written, self.known = written, known
        except Exception:  # missing or foreign: every file is read
            pass

    def digest(self, path: str) -> str | None:
        try:
            info = os.stat(path)
        except OSError:
            return None
        stat = stat_of(info)
        where = absolute(path, self.cwd)
        found = self.known.get(where)
        if found is not None and found[0] == stat and stat[0] < self.written - RACY_NS:
            self.used[where] = found
            return found[1]
        offered = self.offered.get(where)
        value = offered[1] if offered is not None and offered[0] == stat \
            else _digest_of(path, info)
        self.used[where] = (stat, value)
        self.changed = True
        return value

    def offer(self, path: str, stat: Stat, value: str) -> None:
        """The digest of the bytes of ``path`` read right after its stat was ``stat``
        (:class:`asynclint.parallel.Scans`): :meth:`digest` takes it instead of reading the
        file while its stat is the same."""
        self.offered[absolute(path, self.cwd)] = (stat, value)

    def save(self) -> None:
        """Keep the files this run looked up, and only them: a file no longer checked
        leaves the index."""
        if not self.changed and len(self.used) == len(self.known):
            return
        _store(self.path, (time.time_ns(), self.used))


def _folder_stat(path: str) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_ctime_ns, info.st_ino


class Walks:
    """The plugin folders of a project, reused while no folder of the last walk changed.

    A folder gains or loses an entry only by changing its own modification time, so when
    every folder the last walk read is unchanged (and older than :data:`RACY_NS` before that
    walk was saved), a new walk would read the same entries: a stat per folder instead of a
    listing per folder.
    """

    def __init__(self, path: Path):
        self.path = path
        self.folders: list[str] = []  # those the last call of named_dirs depends on
        self.found: dict[str, list[Path]] | None = None  # what it answered
        self.root: str | None = None  # for which root
        self.saved: dict[str, tuple[int, list[tuple[str, tuple[int, int, int] | None]],
                                    dict[str, list[Path]]]] = {}
        try:
            loaded = pickle.loads(path.read_bytes())
            if isinstance(loaded, dict):
                self.saved = loaded
        except Exception:  # missing or foreign: walk
            pass

    def named_dirs(self, root: Path | None) -> dict[str, list[Path]]:
        from asynclint.actions.discovery import named_dirs

        key = os.path.abspath(root) if root is not None else ""
        if self.found is not None and self.root == key:
            return self.found  # asked again in the same run
        self.root = key
        saved = self.saved.get(key)
        if saved is not None:
            written, folders, found = saved
            if all(stat is not None and stat == _folder_stat(folder)
                   and stat[0] < written - RACY_NS for folder, stat in folders):
                self.folders = [folder for folder, _ in folders]
                self.found = found
                return found
        walked: list[str] = []
        started = time.time_ns()
        found = named_dirs(root, walked)
        self.folders = walked
        self.found = found
        self.saved[key] = (started, [(folder, _folder_stat(folder)) for folder in walked], found)
        _store(self.path, self.saved)
        return found



def run_scope(paths: Sequence[str]) -> str:
    """What a run checks (its working folder and paths): runs of one scope share indexes."""
    material = json.dumps([os.getcwd(), [os.path.abspath(path) for path in paths]])
    return blake2b(material.encode("utf-8"), digest_size=12).hexdigest()


def run_slot(scope: str, rules: Sequence[tuple[str, str]], options: Mapping[str, Any]) -> str:
    """Where the runs of ``scope`` with these rules and options keep their one entry.

    A run that changed nothing but files replaces the entry of the run before it, so the cache
    holds one entry per scope and settings, not one per state a project ever was in."""
    material = json.dumps([scope, __version__, list(rules), options], sort_keys=True,
                          default=repr)
    return blake2b(material.encode("utf-8"), digest_size=12).hexdigest()


@struct(frozen=True)
class RunCache:
    directory: Path

    def digests(self, scope: str) -> Digests:
        """The digest index of the files the runs of ``scope`` read (by absolute path).

        One index per scope: a run loads the digests of its own files, not those of every
        project ever checked."""
        return Digests(self.directory / INDEX_FORMAT / f"digests-{scope}.pickle")

    def walks(self, scope: str) -> Walks:
        """The plugin folders of the projects the runs of ``scope`` checked (by root)."""
        return Walks(self.directory / INDEX_FORMAT / f"walks-{scope}.pickle")

    def entry_path(self, slot: str) -> Path:
        return self.directory / CACHE_FORMAT / f"{slot}.pickle"

    def holds(self, slot: str) -> bool:
        """Whether ``slot`` has an entry (:meth:`get` can only miss when it has none)."""
        return self.entry_path(slot).exists()

    def get(self, slot: str, key: str) -> Entry | None:
        """The entry of the run ``key``, or ``None`` when the slot holds no entry, another
        run's, an unreadable one or one whose dependencies changed."""
        try:
            entry = pickle.loads(self.entry_path(slot).read_bytes())
        except Exception:  # a missing, truncated or foreign entry is a miss
            return None
        if not isinstance(entry, Entry) or not isinstance(entry.result, LintResult) \
                or entry.key != key:
            return None
        return entry if entry.fresh() else None

    def put(self, slot: str, entry: Entry) -> None:
        """Write atomically, over the slot's last entry; a cache that cannot be written only
        costs the next run."""
        _store(self.entry_path(slot), entry)
