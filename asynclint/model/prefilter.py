"""Which files can matter to the selected rules, decided from their bytes before parsing.

Ansible runs a playbook with every role and task file it reaches as one *run* (registered
variables outlive plays), and a task file that no playbook reaches as a run of its own. Runs do
not see each other, so a rule can only find something in a run holding one of its words
(:data:`NEEDS`): ``async``/``poll`` for almost all of them.

Files are reached in the same order as without the prefilter, but only the files that may
include, import or list a role (:data:`LINK_WORDS`) are parsed on the way; the others are
noted with the kind and name they were reached with. Then the project keeps

- of every run holding a *run* word, the files tied to its jobs (:class:`Related`): the files
  holding the word, the files that mention a name a job is registered as (or a name set from
  one), the files whose includes lead nowhere known, and every file that includes a kept one,
  up to the playbook (a rule marked ``whole`` keeps the whole run instead);
- for a *down* word (a looped include), the files below it holding a *below* word (a loop),
  with the files between them (not the files above the looped include: a loop collides only
  with the looped includes that run it, and each of those holds the words itself);
- every file holding a *local* word group (``until`` with a ``retries`` that may be 0);
- every file beside an ``action_plugins/`` folder (a playbook there adds its plugins);
- every file that may not compose (:func:`~asynclint.parsing.syntax.surely_composes`), so
  that its syntax error is reported as without the prefilter;

and the noted files among them are parsed as they were reached. A kept file is modelled
exactly as without the prefilter, with every file above it, and the tracker
(:mod:`asynclint.graph.tracking`) follows jobs only through the names the kept files mention,
so the findings are the same (``tests/test_speed_equivalence.py`` holds the cases).
A value written with a YAML escape (``"\\x61sync"``) could spell any word: such a file counts
as holding all of them. A rule missing from :data:`NEEDS` turns the prefilter off.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

from asynclint.model.links import Links, run_edges, unknown_includes
from asynclint.model.nodes import Document
from asynclint.model.paths import RealPaths
from asynclint.model.project import STDIN, discover_paths
from asynclint.parsing.source import ParseError, read_regular
from asynclint.parsing.syntax import surely_composes
from asynclint.structs import struct

Words = tuple[frozenset[bytes], ...]  # any one group, every word of that group


@struct(frozen=True)
class Need:
    """What a file must hold for a rule to find something in it or in its run.

    ``run``: the rule follows jobs through the run of a file holding one of these words;
    ``local``: it looks at the file alone; ``down``: at the file and the files it includes
    (directly or not) that hold ``below``; ``whole``: it needs every task of a ``run`` (their
    positions), not only the files related to its jobs.
    """

    run: Words = ()
    local: Words = ()
    down: Words = ()
    below: Words = ()
    whole: bool = False

    def __or__(self, other: "Need") -> "Need":
        return Need(self.run + other.run, self.local + other.local, self.down + other.down,
                    self.below + other.below, self.whole or other.whole)


def _any(*words: bytes) -> Words:
    return tuple(frozenset({word}) for word in words)


ASYNC = Need(run=_any(b"async"))  # `async` and `async_status`
ASYNC_KEYS = Need(run=_any(b"async", b"poll"))
# a `retries` that may be 0 or less: any but a positive decimal number or a template
MAYBE_NO_RETRIES = b"retries<=0"
_RETRIES = re.compile(rb"retries")
_SOME_RETRIES = re.compile(
    rb"""retries[ \t]*:[ \t]*(?:([1-9][0-9]*)|"([1-9][0-9]*)"|'([1-9][0-9]*)'|["']?\{\{[^\n]*)"""
    rb"""[ \t]*(?:#[^\n]*)?(?=[\r\n,}\]]|$)""")
# `until` with `retries: 0` on any task; the fix of a wait needs its launch
RETRIES_ZERO = Need(run=_any(b"async"), local=(frozenset({b"until", MAYBE_NO_RETRIES}),))
# a looped include, and a loop in a file it runs
LOOPED_INCLUDE = Need(down=tuple(frozenset({include, loop})
                                 for include in (b"include_tasks", b"include_role")
                                 for loop in (b"loop", b"with_")),
                      below=_any(b"loop", b"with_"))

NEEDS: Mapping[str, Need] = {
    "ASY000": Need(),  # every file is checked for syntax errors
    "ASY001": ASYNC_KEYS, "ASY002": ASYNC_KEYS, "ASY003": ASYNC_KEYS, "ASY004": ASYNC_KEYS,
    "ASY005": ASYNC, "ASY006": ASYNC_KEYS,
    "ASY101": ASYNC, "ASY102": ASYNC, "ASY103": ASYNC, "ASY104": ASYNC, "ASY105": ASYNC,
    "ASY106": ASYNC, "ASY107": RETRIES_ZERO, "ASY108": ASYNC, "ASY109": ASYNC,
    "ASY110": Need(run=_any(b"poll")), "ASY111": ASYNC, "ASY112": ASYNC, "ASY113": ASYNC,
    "ASY114": ASYNC, "ASY115": ASYNC, "ASY116": LOOPED_INCLUDE, "ASY117": ASYNC,
    "ASY118": ASYNC,
    "ASY201": ASYNC, "ASY202": Need(run=_any(b"async", b"sleep"), whole=True), "ASY203": ASYNC,
    "ASY301": ASYNC,
}
# what a file must hold to include, import or list a role
LINK_WORDS = frozenset({b"include_tasks", b"import_tasks", b"include_role", b"import_role",
                        b"import_playbook", b"roles"})
_ESCAPE = re.compile(rb"\\[xuU\r\n]")
ACTION_DIR = "action_plugins"


def need_of(codes: Iterable[str]) -> Need | None:
    """What the rules ``codes`` need together; ``None`` when one of them is not in the table."""
    total = Need()
    for code in codes:
        if code not in NEEDS:
            return None
        total = total | NEEDS[code]
    return total


def _all_words() -> frozenset[bytes]:
    return frozenset(word for need in NEEDS.values()
                     for group in (*need.run, *need.local, *need.down, *need.below)
                     for word in group) | LINK_WORDS


WORDS = _all_words() | {b"retries"}


@struct(frozen=True)
class FileScan:
    """What the bytes of one file say: the words it holds, and whether it surely composes.
    A file holding a link word is parsed whenever it is reached (its syntax error, if any, is
    reported then): it is not checked here and counts as composing."""

    words: frozenset[bytes]
    composes: bool

    @property
    def links(self) -> bool:
        """Holds a link word: the file may include, import or list a role."""
        return not self.words.isdisjoint(LINK_WORDS)


def _maybe_no_retries(data: bytes) -> bool:
    """Some ``retries`` in ``data`` is not written as a positive number (nor a template)."""
    return len(_RETRIES.findall(data)) > len(_SOME_RETRIES.findall(data))


def _spells_any(data: bytes) -> bool:
    """A YAML escape in ``data`` may spell any word."""
    return b"\\" in data and _ESCAPE.search(data) is not None


def may_link(data: bytes) -> bool:
    """The scan of ``data`` holds a link word (:data:`LINK_WORDS`): the file may include,
    import or list a role."""
    return _spells_any(data) or any(word in data for word in LINK_WORDS)


def scan_bytes(data: bytes) -> FileScan:
    if _spells_any(data):
        words = WORDS
    else:
        words = frozenset(w for w in WORDS if w in data)
        if b"retries" in data and _maybe_no_retries(data):
            words |= {MAYBE_NO_RETRIES}
    return FileScan(words, bool(words & LINK_WORDS) or surely_composes(data))


def read_file(path: str, info: os.stat_result | None = None
              ) -> tuple[bytes, os.stat_result] | None:
    """The bytes of a file and its stat (``info`` when the caller took it), taken just before
    reading them; ``None`` when the file cannot be read here (the loader reports why).

    Only regular files are opened (:func:`~asynclint.parsing.source.read_regular`).
    """
    try:
        return read_regular(path, info)
    except ParseError:
        return None


def read_bytes(path: str) -> bytes | None:
    found = read_file(path)
    return None if found is None else found[0]


def scan_file(path: str) -> FileScan | None:
    data = read_bytes(path)
    return None if data is None else scan_bytes(data)


@cache
def _holds(words: frozenset[bytes], groups: Words) -> bool:
    return any(group <= words for group in groups)


def target_files(paths: Iterable[str], exclude: Callable[[Path], bool] | None = None,
                 listed: list[str] | None = None,
                 discovered: dict[str, list[str]] | None = None,
                 plain: set[str] | None = None) -> Iterator[str]:
    """The files :func:`~asynclint.model.project.load_project` takes as targets, in its order
    (as it names them); ``listed`` receives the folders read to find them, ``discovered``
    the files found below each folder asked for (the loader then does not walk it again),
    ``plain`` the files and folders found that are not links."""
    for raw in paths:
        if raw == STDIN:
            continue
        root = Path(raw)
        if not root.is_dir():
            yield str(root)
            continue
        found = list(discover_paths(str(root), exclude, listed, plain))
        if discovered is not None:
            discovered[raw] = found
        yield from found


def _closure(start: Iterable[str], links: Mapping[str, set[str]]) -> set[str]:
    found = set(start)
    pending = list(found)
    while pending:
        for linked in links.get(pending.pop(), ()):
            if linked not in found:
                found.add(linked)
                pending.append(linked)
    return found


class BytePrefilter:
    """The :class:`~asynclint.model.project.Prefilter` for rules needing ``need``.

    ``scans`` are by real path; missing files are scanned here. ``later`` gives the scans
    still being made elsewhere (:class:`asynclint.parallel.Scans`), called once, when
    :meth:`keep` needs them; ``early`` gives one of them if it is made already
    (``(True, scan)``), without waiting. Until :meth:`keep`, a file whose scan is not made yet
    is only read to tell whether it may link.
    Files that include, import or list nothing are left unparsed until :meth:`keep`.
    """

    def __init__(self, need: Need, scans: Mapping[str, FileScan | None] | None = None,
                 real: RealPaths | None = None,
                 later: Callable[[], Mapping[str, FileScan | None]] | None = None,
                 early: Callable[[str], tuple[bool, FileScan | None]] | None = None,
                 linked: Callable[[str, str | None], Links | None] | None = None):
        self.need = need
        self.real = real or RealPaths()
        self.scans: dict[str, FileScan | None] = dict(scans or {})
        self.later = later
        self.early = early
        self.linked = linked
        self.read_early: set[str] = set()  # told apart by their bytes before the scans came
        self.data: dict[str, bytes] = {}  # the bytes of those that may link, for the loader
        self.action_dirs: dict[str, bool] = {}

    def scan(self, real: str) -> FileScan | None:
        if real not in self.scans:
            self.scans[real] = scan_file(real)
        return self.scans[real]

    def unparsed(self, real_path: str) -> bool:
        if self.later is not None and real_path not in self.scans:
            made, scan = self.early(real_path) if self.early is not None else (False, None)
            if made:
                self.scans[real_path] = scan
                return self._links_nothing(scan)
            data = read_bytes(real_path)
            self.read_early.add(real_path)
            if data is None or may_link(data):  # parsed (or its error reported) now
                if data is not None:
                    self.data[real_path] = data
                return False
            return True
        return self._links_nothing(self.scan(real_path))

    @staticmethod
    def _links_nothing(scan: FileScan | None) -> bool:
        """A file read and scanned without a link word: it reaches no other file."""
        return scan is not None and not scan.links

    def links(self, real_path: str, kind: str | None) -> Links | None:
        """What a file links to, if the scans brought it (``linked``) before :meth:`keep`."""
        return None if self.linked is None else self.linked(real_path, kind)

    def take(self, real_path: str) -> bytes | None:
        """The bytes :meth:`unparsed` read of a file it sends to the loader, handed over once."""
        return self.data.pop(real_path, None)

    def _settle(self) -> None:
        """Every scan, the later ones too (a file reached beyond them is scanned here)."""
        if self.later is None:
            return
        later, self.later, self.early, self.linked = self.later, None, None, None
        for real, scan in later().items():
            self.scans.setdefault(real, scan)
        for real in self.read_early:
            self.scan(real)
        self.read_early.clear()
        self.data.clear()

    def beside_actions(self, real: str) -> bool:
        folder = os.path.dirname(real)
        if folder not in self.action_dirs:
            self.action_dirs[folder] = os.path.isdir(os.path.join(folder, ACTION_DIR))
        return self.action_dirs[folder]

    def seeds_run(self, real: str) -> bool:
        """Holds a run word; a file never scanned here (standard input) may hold anything."""
        if real not in self.scans:
            return True
        scan = self.scans[real]
        return scan is not None and _holds(scan.words, self.need.run)

    def kept_alone(self, real: str) -> bool:
        """Holds a local word, may not compose, or sits beside ``action_plugins/``."""
        scan = self.scans.get(real)
        if scan is None or not scan.composes:
            return True
        return _holds(scan.words, self.need.local) or self.beside_actions(real)

    def _holds(self, real: str, groups: Words) -> bool:
        scan = self.scans.get(real)
        return scan is not None and _holds(scan.words, groups)

    def seeds_down(self, real: str) -> bool:
        return self._holds(real, self.need.down)

    def keep(self, documents: Mapping[str, Document | None], unread: Iterable[str],
             read: Callable[[str], Document | None],
             linked: Mapping[str, Links] | None = None) -> set[str]:
        self._settle()
        real_path = self.real
        linked = linked or {}
        edges = {real: {real_path(target) for target in run_edges(document)}
                 for real, document in documents.items() if document is not None}
        edges.update((real, {real_path(target) for target in links.runs})
                     for real, links in linked.items())
        includers: dict[str, set[str]] = {}
        for real, targets in edges.items():
            for target in targets:
                includers.setdefault(target, set()).add(real)
        reached = [*documents, *unread, *linked]
        alone = {real for real in reached if self.kept_alone(real)}
        seeds = {real for real in reached if self.seeds_run(real)}
        below = _closure((real for real in reached if self.seeds_down(real)), edges)
        down = {real for real in below if self._holds(real, self.need.below)}
        runs = _closure(_closure(seeds, includers), edges)
        if self.need.whole:
            related = runs
        else:
            unknown = {real for real in runs  # the tracker loses a job there
                       if (linked[real].unknown if real in linked
                           else unknown_includes(documents.get(real)))}
            related = Related(runs, edges, unknown, read, real_path).files(seeds)
        # a looped include and the loops below it: the files between them, not those above
        return _closure(related, includers) | (_closure(down, includers) & below) | alone


class Related:
    """The files of the seeded runs that can change what the rules see of the seeds' jobs.

    A job is followed through the names it is registered as: a file of its run that mentions
    none of them, nor a name set from one, reads nothing of it. Kept besides: files whose
    includes lead nowhere known (a wait may hide behind them), the files an include reaches
    when its own keywords mention a name (its ``vars`` or loop pass the job on). A file
    naming an alias in its ``vars`` mentions the name it aliases, so the plays above are
    found like any other file; :meth:`BytePrefilter.keep` then adds every file including a
    kept one, so what is kept runs in the order of the whole run.
    """

    def __init__(self, runs: set[str], edges: Mapping[str, set[str]], unknown: set[str],
                 read: Callable[[str], Document | None],
                 real: Callable[[str], str] = os.path.realpath):
        self.runs = runs
        self.real = real
        self.edges = edges
        self.unknown = unknown  # files of the runs an include of which leads nowhere known
        self.read = read
        self.data: dict[str, bytes | None] = {}
        # the words of a file, once a name was found in it; None: it may spell any word
        self.words: dict[str, frozenset[bytes] | None] = {}

    def files(self, seeds: set[str]) -> set[str]:
        if not self.runs:  # no job to follow: the graph's readers are not even imported
            return set()
        from asynclint.graph.related import set_names

        seeds = seeds & self.runs
        kept = seeds | self.unknown
        names: set[str] = set()
        sought: set[str] = set()  # every file of the runs not kept mentions none of these
        examined: dict[str, int] = {}
        while True:
            grown = False
            for real in sorted(kept):
                if examined.get(real) == len(names):
                    continue
                examined[real] = len(names)
                named, reached = set_names(self.read(real), names, real in seeds)
                if not named <= names:
                    names |= named
                    grown = True
                for target in reached:
                    below = _closure({self.real(target)}, self.edges) - kept  # rare
                    if below:
                        kept |= below
                        grown = True
            mention = _Mention(names - sought)  # only the names new since the last look
            sought |= names
            found: set[str] = set()
            if mention:
                found = {real for real in self.runs - kept if self._mentions(real, mention)}
            kept |= found
            if not grown and not found:
                return kept

    def _mentions(self, real: str, mention: _Mention) -> bool:
        if real not in self.data:
            data = self.data[real] = read_bytes(real)
            if data is None or _ESCAPE.search(data) is not None:
                self.words[real] = None  # may spell any word
        data = self.data[real] or b""
        if real in self.words:
            words = self.words[real]
            if words is None:
                return True
        elif not mention.maybe_in(data):
            return False  # no name, not even inside a longer word: its words are not needed
        else:
            words = self.words[real] = frozenset(_WORD.findall(data))
        return mention.found(data, words)


_WORD = re.compile(rb"\w+")
FEW_NAMES = 32  # more names than this: a file's words are listed rather than each name sought


class _Mention:
    """Any of ``names`` as a whole word (as a variable is spelled in a template).

    A name made of word characters is such a word exactly when it is one of the longest runs
    of word characters in the text: a set lookup per name, where one pattern of every name
    would try each of them at every position of every file. Other names need the pattern.
    """

    def __init__(self, names: set[str]):
        encoded = {name: name.encode() for name in names}
        self.plain = frozenset(word for word in encoded.values() if _WORD.fullmatch(word))
        odd = sorted((word for word in encoded.values() if word not in self.plain),
                     key=lambda word: (-len(word), word))
        self.pattern = (re.compile(rb"(?<![\w])(?:" + b"|".join(map(re.escape, odd))
                                   + rb")(?![\w])") if odd else None)

    def __bool__(self) -> bool:
        return bool(self.plain) or self.pattern is not None

    def maybe_in(self, data: bytes) -> bool:
        """False when no name can be in ``data``: none is even a part of it. Asked only for
        a few names: a substring test per name costs more than listing the file's words once
        (then :meth:`found` answers) when there are many, and a large project has hundreds."""
        return (self.pattern is not None or len(self.plain) > FEW_NAMES
                or any(word in data for word in self.plain))

    def found(self, data: bytes, words: frozenset[bytes]) -> bool:
        """Whether a file with these ``data`` and words mentions a name."""
        if not self.plain.isdisjoint(words):
            return True
        return self.pattern is not None and self.pattern.search(data) is not None
