"""``asynclint check`` from paths to findings: scan, cache, prefilter, load, lint.

Each stage can be turned off (:class:`Speed`) and the findings stay the same; the tests check
that on the fixtures, the examples and a generated corpus.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Collection, Sequence

from asynclint.linter import LintResult, Selection, lint, playbook_action_places
from asynclint.model import Project, load_project
from asynclint.model.links import Links
from asynclint.model.paths import RealPaths
from asynclint.model.prefilter import BytePrefilter, FileScan, need_of, target_files
from asynclint.model.project import link_reader
from asynclint.parallel import Scans, default_jobs
from asynclint.parsing.compose import c_available
from asynclint.rules.catalog import CATALOG
from asynclint.structs import replace, struct


@struct(frozen=True)
class Speed:
    prefilter: bool = True
    cache_dir: Path | None = None  # None: no cache
    jobs: int = 1


def default_speed(cache: bool = True, jobs: int | None = None) -> Speed:
    if cache:  # the cache's module (hashes, pickles) loads only for a run that uses it
        from asynclint.cache import default_cache_dir
    return Speed(cache_dir=default_cache_dir() if cache else None,
                 jobs=default_jobs() if jobs is None else jobs)


def _read_elsewhere(project: Project, targets: set[str],
                    real_path: Callable[[str], str] = os.path.realpath) -> list[str]:
    """The files the run reached beyond its targets (parsed, failed or skipped), by real path
    and by the path it reached them through (a link retargeted shows there)."""
    reached = [*(document.path for document in project.documents),
               *(error.path for error in project.errors), *project.skipped]
    found = []
    for path in reached:
        real = real_path(path)
        if real not in targets and not path.startswith("<stdin>"):
            found += (real, path) if real != path else (real,)
    return found


def _missed_folders(project: Project) -> list[str]:
    """For each place an include or a role was looked for in vain, the deepest folder of it
    that exists: the file appearing there (or a folder on the way) changes its list."""
    found: dict[str, None] = {}
    known: dict[str, bool] = {}
    for candidate in project.missed:
        folder = os.path.dirname(candidate)
        while folder:
            exists = known.get(folder)
            if exists is None:
                exists = known[folder] = os.path.isdir(folder)
            if exists:
                found[folder] = None
                break
            parent = os.path.dirname(folder)
            folder = parent if parent != folder else ""
    return list(found)


def _beside_playbooks(project: Project) -> list[str]:
    """The ``action_plugins/`` folders beside the playbooks, there or not, and their plugins:
    the action table reads them (:func:`asynclint.linter.playbook_action_dirs`), and they may
    lie outside every folder the cache key watches."""
    folders = [str(folder) for folder in playbook_action_places(project)]
    found = list(folders)
    for folder in folders:
        try:
            found += sorted(os.path.join(folder, name) for name in os.listdir(folder)
                            if name.endswith(".py"))
        except OSError:
            continue
    return found


def _plugin_folders(root: Path) -> dict[str, list[str]]:
    """:func:`~asynclint.actions.discovery.named_dirs` as a child sends them (strings)."""
    from asynclint.actions.discovery import named_dirs

    return {name: [str(path) for path in paths] for name, paths in named_dirs(root).items()}


def _named_from(found: object) -> dict[str, list[Path]] | None:
    """The plugin folders a child found, if it did."""
    if not isinstance(found, dict):
        return None
    return {name: [Path(path) for path in paths] for name, paths in found.items()}


def check(
    paths: Sequence[str],
    selection: Selection = Selection(),
    options: dict[str, dict[str, Any]] | None = None,
    *,
    exclude: Callable[[Path], bool] | None = None,
    stdin_data: bytes | None = None,
    stdin_name: str = "<stdin>",
    project_root: Path | None = None,
    speed: Speed = Speed(),
    watched: list[str] | None = None,
) -> LintResult:
    """The findings of ``paths``. With a cache, ``watched`` receives every path whose change
    (as a stat shows it) could change them: the paths asked for, the files checked and read,
    the folders listed to find them and those the cache key watches."""
    rules = [rule for rule in CATALOG if selection.enabled(rule)]
    need = need_of(rule.code for rule in rules) if speed.prefilter else None
    cache = None
    if speed.cache_dir and stdin_data is None:
        from asynclint.cache import (Entry, RunCache, dependencies, run_key, run_scope,
                                     run_slot)

        cache = RunCache(speed.cache_dir)
    if cache is None:
        watched = None
    listed: list[str] | None = None if watched is None else []
    discovered: dict[str, list[str]] = {}
    plain: set[str] = set()  # found by the walk and not links: their real paths need no lstat
    files = [str(path) for path in target_files(paths, exclude, listed, discovered, plain)]
    if watched is not None and listed is not None:
        watched += paths
        watched += listed
        watched += files
    key = None
    named = None  # the project's plugin folders, found once for the key and the rules
    key_after_run = False  # made from the digests the scans take of the bytes they read
    if cache is not None:
        scope = run_scope(paths)
        chosen = [(rule.code, selection.severity(rule).label) for rule in rules]
        slot = run_slot(scope, chosen, options or {})
        digests = cache.digests(scope)
        walks = cache.walks(scope)

        def make_key() -> str:
            found = run_key(paths=paths, rules=chosen, options=options or {},
                            project_root=project_root,
                            targets=[(file, digests.digest(file)) for file in files],
                            walks=walks, watched=watched)
            digests.save()
            return found

        # with no entry to compare a key with, the scans read each file once for both
        key_after_run = need is not None and not cache.holds(slot)
        if key_after_run:
            named = walks.named_dirs(project_root)
        else:
            key = make_key()
            named = walks.found
            cached = cache.get(slot, key)
            if cached is not None:
                if watched is not None:
                    watched += (path for path, _ in cached.dependencies)
                return without_excluded(cached.result, exclude)
    prefilter = None
    scans = None
    real = RealPaths(plain)  # one resolution of each path for the prefilter, loader and cache
    if need is not None:
        # a child that answered finds the plugin folders the rules would walk for here
        find_named = None if named is not None or project_root is None else (
            lambda: _plugin_folders(project_root))
        read_links = link_reader(real)

        def summarize(index: int) -> object | None:  # in a child: what a file links to
            found = read_links(files[index])
            return None if found is None else {
                kind: links.to_plain() for kind, links in found.items()}

        if speed.jobs > 1:  # children would each import ruamel.yaml's parser: once, here
            c_available()
        scans = Scans(files, speed.jobs, digests=key_after_run, extra=find_named,
                      summarize=summarize)

        def by_real(scans: Scans = scans) -> dict[str, FileScan | None]:
            return {real(file): scan for file, scan in zip(files, scans.results())}

        if scans.pending:
            position: dict[str, int] = {}
            for index, file in enumerate(files):
                position.setdefault(real(file), index)

            def early(real_path: str, scans: Scans = scans) -> tuple[bool, FileScan | None]:
                index = position.get(real_path)
                if index is None:
                    return False, None
                scans.reach(index)
                return scans.ready(index)

            def linked(real_path: str, kind: str | None, scans: Scans = scans) -> Links | None:
                index = position.get(real_path)
                found = None if index is None else scans.summary(index)
                try:
                    return Links.from_plain(found[kind])  # type: ignore[index]
                except (KeyError, TypeError, ValueError):  # none came (or not this kind)
                    return None

            prefilter = BytePrefilter(need, real=real, later=by_real, early=early,
                                      linked=linked)
        else:
            prefilter = BytePrefilter(need, by_real(), real)
    try:
        project = load_project(paths, stdin_data=stdin_data, stdin_name=stdin_name,
                               exclude=exclude, prefilter=prefilter, real_paths=real,
                               discovered=discovered)
        if named is None and scans is not None:
            named = _named_from(scans.extra())
        result = fixes_in_targets(
            lint(project, selection, options, project_root, named_dirs=named), project.targets)
    finally:
        if scans is not None:
            scans.close()
    if cache is not None and key_after_run and scans is not None \
            and not result.internal_errors:
        for file, taken in zip(files, scans.taken()):
            if taken is not None:
                digests.offer(file, *taken)
        key = make_key()
    if cache is not None and key is not None and not result.internal_errors:
        reals = {real(file) for file in files}
        entry = Entry(key, result, dependencies(_read_elsewhere(project, reals, real)
                                                + _beside_playbooks(project)
                                                + _missed_folders(project)))
        cache.put(slot, entry)
        if watched is not None:
            watched += (path for path, _ in entry.dependencies)
    return without_excluded(result, exclude)


def fixes_in_targets(result: LintResult, targets: Collection[str]) -> LintResult:
    """A finding in a file reached only through an include offers no fix: ``asynclint fix``
    with the same paths changes only the files it was given (and a fix of a finding in one of
    them may change the file it includes)."""
    if all(f.fix is None or f.path in targets for f in result.findings):
        return result
    return replace(result, findings=tuple(
        f if f.fix is None or f.path in targets else replace(f, fix=None)
        for f in result.findings))


def without_excluded(result: LintResult, exclude: Callable[[Path], bool] | None) -> LintResult:
    """The findings outside the excluded files. An excluded file an include reaches is still
    read, since what it runs changes the findings of the files around it, but nothing in it is
    reported. Applied after the cache, whose key does not hold the exclusions."""
    if exclude is None or not result.findings:
        return result
    kept = tuple(f for f in result.findings if not exclude(Path(f.path)))
    return result if len(kept) == len(result.findings) else replace(result, findings=kept)
