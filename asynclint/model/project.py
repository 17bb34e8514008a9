"""Load a set of paths into one :class:`Project`: discovery, one parse per file, includes followed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Protocol

from asynclint.model.build import FileContext, build_document, role_dir_of
from asynclint.model.links import Links, reached
from asynclint.model.nodes import Document, Task, document_task_nodes
from asynclint.model.paths import RealPaths, resolved
from asynclint.parsing import ParseError, compose_documents, read_source
from asynclint.parsing.source import Source, decode
from asynclint.structs import field, struct

YAML_SUFFIXES = (".yml", ".yaml")
SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "node_modules", "__pycache__",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".cache", ".github", ".gitlab",
        "vars", "defaults", "group_vars", "host_vars", "inventory", "inventories",
        "templates", "files", "meta", "vars_files", ".asynclint_cache",
    }
)
STDIN = "-"


@struct(frozen=True)
class FileError:
    path: str
    error: ParseError


@struct(frozen=True, eq=False)
class Project:
    """Every file asynclint read, by display path.

    ``targets`` are the files the user asked about (directly or through a
    directory); the others were read only because an include reached them.
    ``skipped`` are the files a :class:`Prefilter` left out (nothing in them can matter).
    """

    documents: tuple[Document, ...]
    errors: tuple[FileError, ...]
    targets: frozenset[str]
    by_real_path: dict[str, Document] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()  # where includes and roles were looked for and not found
    real: RealPaths = field(default_factory=RealPaths, repr=False)  # the loader's, shared
    _tasks: tuple[Task, ...] | None = field(default=None, init=False, repr=False)

    def resolve(self, real_path: str | None) -> Document | None:
        if real_path is None:
            return None
        return self.by_real_path.get(self.real(real_path))

    def ansible_documents(self) -> Iterator[Document]:
        return (doc for doc in self.documents if doc.kind != "other")

    def texts(self) -> Iterator[tuple[str, str]]:
        """The path and text of every file read, then of every file the prefilter left unread
        (read now): what a new name must be fresh against, the same with and without it."""
        for document in self.documents:
            yield document.path, document.source.text
        for path in self.skipped:
            try:
                yield path, read_source(path, path).text
            except ParseError:  # gone or changed since: nothing to collide with
                continue

    def tasks(self) -> Iterator[Task]:
        """Every task of the project, in file order (listed once: most rules ask)."""
        found = self._tasks
        if found is None:
            found = tuple(node for document in self.ansible_documents()
                          for node in document_task_nodes(document) if isinstance(node, Task))
            object.__setattr__(self, "_tasks", found)
        return iter(found)


def display_path(path: Path | str) -> str:
    text = str(path)
    if not text.startswith((os.sep, os.pardir)) and os.sep + os.pardir not in text:
        return text  # relative, without `..`: already as relpath would spell it
    here = os.getcwd()
    if text.startswith(here) and text[len(here):len(here) + 1] == os.sep \
            and os.path.normpath(text) == text:
        return text[len(here) + 1:]  # below the working folder, normalized: relpath's answer
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


VIRTUALENV_MARK = "pyvenv.cfg"


def _child(folder: str, name: str) -> str:
    """``str(Path(folder) / name)`` for a folder spelled as a path object spells it."""
    if folder == ".":
        return name
    return folder + name if folder.endswith(os.sep) else folder + os.sep + name


def discover(root: Path, exclude: Callable[[Path], bool] | None = None) -> Iterator[Path]:
    """YAML files below ``root`` that may hold Ansible content, in a stable order.

    Symbolic links to folders are not followed (no loops); folders that never
    hold playbooks or tasks (``vars/``, ``group_vars/``, virtual environments...)
    are skipped.
    """
    return map(Path, discover_paths(str(root), exclude))


def discover_paths(root: str, exclude: Callable[[Path], bool] | None = None,
                   listed: list[str] | None = None,
                   plain: set[str] | None = None) -> Iterator[str]:
    """:func:`discover` as strings, spelled as :class:`~pathlib.Path` spells them (``a.yml``
    for ``./a.yml``): a path object per file and folder would cost as much as the walk.
    ``listed`` receives every folder read (a file created or removed changes its time), and
    every link to a missing file (its target appearing changes nothing else); ``plain`` the
    files and folders found that are not links (:class:`~asynclint.model.paths.RealPaths`
    then resolves them without an ``lstat``)."""
    stack = [(str(Path(root)), False)]  # a folder, and whether it may be a virtual environment
    while stack:
        folder, below = stack.pop()
        if listed is not None:
            listed.append(folder)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        if below and any(entry.name == VIRTUALENV_MARK and entry.is_file() for entry in entries):
            continue  # a virtual environment below the root: none of it is the project's
        subfolders = []
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name in SKIP_DIRS:
                        continue
                    path = _child(folder, name)
                    if exclude is None or not exclude(Path(path)):
                        subfolders.append((path, True))
                        if plain is not None:
                            plain.add(path)
                elif name.endswith(YAML_SUFFIXES) and entry.is_file():
                    path = _child(folder, name)
                    if exclude is None or not exclude(Path(path)):
                        if plain is not None and not entry.is_symlink():
                            plain.add(path)
                        yield path
                elif listed is not None and name.endswith(YAML_SUFFIXES) and entry.is_symlink():
                    listed.append(_child(folder, name))  # a link to nothing yet: watched
            except OSError:
                continue
        stack.extend(reversed(subfolders))


class Prefilter(Protocol):
    """Leaves files unread when nothing in them can matter (:mod:`asynclint.model.prefilter`)."""

    def unparsed(self, real_path: str) -> bool:
        """True for a file that reaches no other file: it is parsed only if :meth:`keep`
        asks for it, with the kind and name it was first reached with."""

    def take(self, real_path: str) -> bytes | None:
        """The bytes of a file read to answer :meth:`unparsed`, handed over once: the loader
        decodes them instead of reading the file again. ``None``: read it."""

    def links(self, real_path: str, kind: str | None) -> Links | None:
        """What a file that may reach others links to, when known without parsing it here
        (read as ``kind``): it is then parsed only if :meth:`keep` asks for it."""

    def keep(self, documents: Mapping[str, Document | None], unread: Iterable[str],
             read: Callable[[str], Document | None],
             linked: Mapping[str, Links]) -> set[str]:
        """The real paths of the files the project keeps, once every file was reached.

        ``read`` parses an unread or linked file (it then joins ``documents``), when the
        decision needs its content; ``linked`` are the files followed through their
        :meth:`links`."""


class _Loader:
    def __init__(self, use_c: bool, prefilter: Prefilter | None = None,
                 real: RealPaths | None = None):
        self.use_c = use_c
        self.real = real or RealPaths()  # includes reach a file many times
        self.prefilter = prefilter
        self.documents: dict[str, Document] = {}
        self.unread: dict[str, tuple[str, str, str | None]] = {}
        # followed through what the prefilter knew of their links, not parsed (yet)
        self.linked: dict[str, tuple[str, str, str | None, Links]] = {}
        self.errors: list[FileError] = []
        self.missed: list[str] = []  # where includes and roles were looked for in vain
        self.known: dict[str, bool] = {}  # whether a path looked at is a file
        # each role found from each folder, and where it was looked for in vain on the way
        self.roles: dict[tuple[str, str, str], tuple[str | None, tuple[str, ...]]] = {}

    def load(self, path: str, display: str, forced_kind: str | None = None,
             data: bytes | None = None) -> Document | Links | None:
        """The file's model, or what it links to; ``None`` if it was reached before, or
        links to nothing, or cannot be read."""
        real = self.real(path) if data is None else f"<stdin>:{display}"
        if real in self.documents or real in self.unread or real in self.linked:
            return None
        if data is None and self.prefilter is not None:
            if self.prefilter.unparsed(real):
                self.unread[real] = (path, display, forced_kind)
                return None
            links = self.prefilter.links(real, forced_kind)
            if links is not None:
                self.linked[real] = (path, display, forced_kind, links)
                self.missed += links.missed
                return links
        return self.read(path, real, display, forced_kind, data)

    def _source(self, path: str, real: str, display: str, data: bytes | None) -> Source:
        if data is not None:
            return decode(display, data)
        taken = self.prefilter.take(real) if self.prefilter is not None else None
        return read_source(path, display) if taken is None else decode(display, taken)

    def read(self, path: str, real: str, display: str, forced_kind: str | None = None,
             data: bytes | None = None) -> Document | None:
        try:
            source = self._source(path, real, display, data)
            composed = compose_documents(source, use_c=self.use_c)
        except ParseError as error:
            self.errors.append(FileError(display, error))
            self.documents[real] = None  # type: ignore[assignment]
            return None
        context_path = real if data is None else str(resolved(Path(display)))
        document = build_document(source, composed, self._context(context_path, self.missed),
                                  forced_kind)
        self.documents[real] = document
        return document

    def _context(self, path: str, missed: list[str]) -> FileContext:
        return FileContext(path, role_dir_of(path), missed, self.known, self.roles)

    def links_of(self, path: str, real: str) -> dict[str | None, Links] | None:
        """What the file links to, read as each kind (``None``, ``tasks``) it may be reached
        as; ``None`` when it cannot be read or composed (the loader reports why)."""
        try:
            source = self._source(path, real, path, None)
            composed = compose_documents(source, use_c=self.use_c)
        except ParseError:
            return None
        found: dict[str | None, Links] = {}
        for kind in (None, "tasks"):
            missed: list[str] = []
            document = build_document(source, composed, self._context(real, missed), kind)
            found[kind] = Links.of(document, missed)
            if kind is None and document.kind != "other":  # read as tasks, it is the same
                found["tasks"] = found[None]
                break
        return found

    def follow(self, loaded: Document | Links) -> None:
        """Load every file an include or a play's role list reaches, transitively."""
        pending = [loaded]
        while pending:
            current = pending.pop()
            for target, kind in current.reached if isinstance(current, Links) \
                    else reached(current):
                real = self.real(target)
                if real in self.documents or real in self.unread or real in self.linked:
                    continue  # loaded, or noted as reached
                found = self.load(target, display_path(target), kind)
                if found is not None:
                    pending.append(found)


def link_reader(real: RealPaths) -> Callable[[str], dict[str | None, Links] | None]:
    """What a file links to, read as each kind it may be reached as (:class:`Links`), by a
    loader of its own: a role or file looked for from one folder is looked for once."""
    loader = _Loader(True, real=real)
    return lambda path: loader.links_of(path, real(path))


def load_project(
    paths: Iterable[str],
    *,
    stdin_data: bytes | None = None,
    stdin_name: str = "<stdin>",
    use_c: bool = True,
    exclude: Callable[[Path], bool] | None = None,
    prefilter: Prefilter | None = None,
    real_paths: RealPaths | None = None,
    discovered: Mapping[str, list[str]] | None = None,
) -> Project:
    """Read ``paths`` (files, folders, or ``-`` for standard input) into a project;
    ``real_paths`` may bring the real paths the caller already knows, ``discovered`` the files
    :func:`discover_paths` found below folders of ``paths`` (by the path as given)."""
    loader = _Loader(use_c, prefilter, real_paths)
    targets: list[str] = []
    for raw in paths:
        if raw == STDIN:
            loaded = loader.load(stdin_name, stdin_name, data=stdin_data or b"")
            targets.append(stdin_name)
            if loaded is not None:
                loader.follow(loaded)
            continue
        root = str(Path(raw))
        if discovered is not None and raw in discovered:
            files = discovered[raw]
        else:
            files = list(discover_paths(root, exclude)) if os.path.isdir(root) else [root]
        for file in files:
            display = display_path(file)
            targets.append(display)
            loaded = loader.load(file, display)
            if loaded is not None:
                loader.follow(loaded)
    skipped: list[str] = []
    if loader.prefilter is not None:
        # reached and not parsed: linking to nothing, or followed through their links
        noted = {**loader.unread,
                 **{real: (path, display, kind)
                    for real, (path, display, kind, _) in loader.linked.items()}}

        def read(real: str) -> Document | None:
            if real not in loader.documents:
                path, display, kind = noted[real]
                loader.read(path, real, display, kind)
            return loader.documents[real]

        linked = {real: links for real, (*_, links) in loader.linked.items()}
        kept = loader.prefilter.keep(loader.documents, loader.unread, read, linked)
        for real, (path, display, kind) in noted.items():
            if real in loader.documents:
                continue  # read while deciding; kept or dropped below
            if real in kept:
                loader.read(path, real, display, kind)  # what it reaches was reached
            else:
                skipped.append(display)
        for real, document in list(loader.documents.items()):
            if document is not None and real not in kept:
                skipped.append(document.path)
                del loader.documents[real]
    by_real = {real: doc for real, doc in loader.documents.items() if doc is not None}
    documents = tuple(sorted(by_real.values(), key=lambda d: d.path))
    return Project(documents, tuple(loader.errors), frozenset(targets), by_real,
                   tuple(sorted(skipped)), tuple(dict.fromkeys(loader.missed)), loader.real)
