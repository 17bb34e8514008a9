"""Scanning files in forked children while the loader works.

A scan (:func:`~asynclint.model.prefilter.scan_file`: read, look for words, run libyaml's
parser) is independent per file and its result is a few bytes, so it crosses process
boundaries cheaply. The model of a file stays in the process that builds it: its frozen
nodes would cost as much to send back as to build.

The loader does not wait for the scans. As it reaches a file it only needs to know whether the
file may include another; the whole scans are needed once every file was reached, when the
prefilter decides what to keep. So with more than one job, children scan every file while this
process loads, writing their answers every :data:`BATCH` files. The loader takes the answer for
a file if it was written already (:meth:`Scans.ready`; children scan faster than it loads, so
most are), or else reads the file and tests a few words
(:meth:`~asynclint.model.prefilter.BytePrefilter.unparsed`). :meth:`Scans.results` collects
the rest of the answers when the prefilter decides.

A child may be given more work for after its answers, each result a record following its
answers (:data:`RECORDS`), taken when asked for:

- each one parses the files of its share that may include others, from the last one back,
  and sends what each links to (:class:`~asynclint.model.links.Links`, :meth:`Scans.summary`):
  the loader follows such a file without parsing it, and parses it only if the prefilter
  keeps it. Most such files are not kept. The loader marks each file as it reaches it
  (:meth:`Scans.reach`, in memory shared with the children), and a child leaves the files
  already reached: the two meet halfway;
- then the first one finds the project's plugin folders
  (:func:`~asynclint.actions.discovery.named_dirs`, a walk of every folder) when no cache
  knows them, for the rules to use instead of walking again (:meth:`Scans.extra`).

A first run with the cache on has no key to compare yet: its children also hash each file
they read (:func:`scan_and_digest`), and the key is made after the run from those digests.

Children are forked, not spawned: they start in a few milliseconds with every module loaded.
Where forking is not safe (no ``os.fork``, macOS, other threads running), with one job, or
below :data:`MIN_PARALLEL_FILES` files, the scans are made here, before loading. A child that
fails or writes what does not read costs only time: the files it had not answered are
scanned here.
"""

from __future__ import annotations

import marshal
import mmap
import os
import sys
from typing import Any, Callable, Iterator, Sequence

from asynclint.model.prefilter import (MAYBE_NO_RETRIES, WORDS, FileScan, read_file,
                                       scan_bytes, scan_file)

MIN_PARALLEL_FILES = 200
# every word a scan can hold, one bit each in what a child sends back
_WORDS = tuple(sorted(WORDS | {MAYBE_NO_RETRIES}))
_BITS = {word: 1 << index for index, word in enumerate(_WORDS)}


def default_jobs() -> int:
    return os.cpu_count() or 1


def other_threads() -> int:
    """How many threads run besides this one: a child forked then could inherit a lock one
    of them holds."""
    import _thread

    return _thread._count()


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "darwin" and not other_threads()


def encode(scan: FileScan | None) -> int:
    """A scan as one number: ``-1`` for none, else a bit per word and one for ``composes``."""
    if scan is None:
        return -1
    bits = 0
    for word in scan.words:
        bits |= _BITS[word]
    return bits << 1 | scan.composes


def decode(code: int) -> FileScan | None:
    if code < 0:
        return None
    bits = code >> 1
    return FileScan(frozenset(word for word in _WORDS if bits & _BITS[word]), bool(code & 1))


Stat = tuple[int, int, int, int]  # mtime_ns, ctime_ns, size, inode (as the cache's index)
Taken = tuple[Stat, str]  # a file's stat and the content digest of the bytes read after it


def scan_and_digest(path: str) -> tuple[FileScan | None, Taken | None]:
    """:func:`~asynclint.model.prefilter.scan_file` and the file's digest, from one read."""
    from asynclint.cache import digest, stat_of

    found = read_file(path)
    if found is None:
        return None, None
    data, info = found
    return scan_bytes(data), (stat_of(info), digest(data))


def _answer(scan: FileScan | None, taken: Taken | None) -> bytes:
    """One file's answer from a child: the scan's code, then the stat and digest if taken."""
    if taken is None:
        return b"%d" % encode(scan)
    (mtime, ctime, size, inode), value = taken
    return b"%d/%d/%d/%d/%d/%s" % (encode(scan), mtime, ctime, size, inode, value.encode())


def _read_answer(answer: bytes) -> tuple[FileScan | None, Taken | None]:
    parts = answer.split(b"/")
    if len(parts) == 1:
        return decode(int(parts[0])), None
    code, mtime, ctime, size, inode, value = parts  # anything else: ValueError
    stat = (int(mtime), int(ctime), int(size), int(inode))
    return decode(int(code)), (stat, value.decode("ascii"))


BATCH = 16  # a child writes its answers every so many files, for the loader to use early
Answer = tuple[FileScan | None, Taken | None]
# ends a child's answers; each record after it is its size, a colon and a marshalled
# ``(key, value)`` pair
RECORDS = b"|"
EXTRA = "extra"  # the key of the record of the work given to the first child


def record(key: object, value: object) -> bytes:
    data = marshal.dumps((key, value))
    return b"%d:%s" % (len(data), data)


class _Child:
    """A forked child scanning ``share``, and the answers and records read from it so far."""

    __slots__ = ("answering", "answers", "fd", "pid", "reading", "records", "rest", "share")

    def __init__(self, pid: int, fd: int, share: range):
        self.pid = pid
        self.fd = fd
        self.share = share
        self.answers: list[Answer] = []  # in the order of ``share``
        self.records: dict[Any, Any] = {}
        self.rest = b""  # the start of an answer or a record still being written
        self.answering = True  # until the end of its answers
        self.reading = True  # until its end, or what does not read

    def take(self, chunk: bytes) -> None:
        """Read the whole answers and records in ``chunk``; an empty chunk is the end of the
        pipe."""
        if not chunk:
            self.reading = False
            return
        data = self.rest + chunk
        self.rest = b""
        if self.answering:
            head, bar, data = data.partition(RECORDS)
            *whole, last = head.split(b",")
            for part in whole:
                try:
                    self.answers.append(_read_answer(part))
                except (ValueError, UnicodeDecodeError):  # garbled: the rest is scanned here
                    self.reading = False
                    return
            if len(self.answers) > len(self.share):
                del self.answers[len(self.share):]
                self.reading = False
                return
            if not bar:
                self.rest = last
                return
            if last or len(self.answers) < len(self.share):  # records before every answer
                self.reading = False
                return
            self.answering = False
        self.rest = self._take_records(data)

    def _take_records(self, data: bytes) -> bytes:
        """Read the whole records at the start of ``data``; the rest is returned."""
        start = 0
        while True:
            colon = data.find(b":", start)
            if colon < 0:
                return data[start:]
            end = colon + 1
            try:
                end += int(data[start:colon])
            except ValueError:
                self.reading = False
                return b""
            if len(data) < end:
                return data[start:]
            try:  # a negative size reads nothing: EOFError
                key, value = marshal.loads(data[colon + 1:end])
            except (EOFError, ValueError, TypeError):
                self.reading = False
                return b""
            self.records[key] = value
            start = end

    def poll(self) -> None:
        """Read what the child wrote so far, without waiting."""
        while self.reading:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return
            self.take(chunk)

    def wait_answers(self) -> None:
        """Read until every answer came, or the child ended or wrote what does not read."""
        os.set_blocking(self.fd, True)
        while self.reading and self.answering:
            self.take(os.read(self.fd, 1 << 16))
        os.set_blocking(self.fd, False)

    def end(self) -> None:
        """Close the pipe and reap the child, ended first if it still runs."""
        os.close(self.fd)
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        _reap(self.pid)


class Scans:
    """The scans of ``paths`` (in their order): made here at once, or by up to ``jobs - 1``
    forked children, each scanning every so many paths, until :meth:`results` is asked.
    A child writes its answers as it goes: :meth:`ready` gives one as soon as it arrived.
    With ``digests``, each file's stat and content digest are taken from the same read
    (:meth:`taken`): the cache's key then needs no read of its own.
    ``summarize`` is work for a child on each file of its share that may include others,
    once it answered (from the last file back, leaving the files :meth:`reach` marked), its
    results taken by :meth:`summary`; ``extra`` is work for the first child after that, its
    result taken by :meth:`extra` (both marshalled: built-in types only).
    :meth:`close` (also on an error) ends the children still running.

    An answer counts once whole: a child that fails, or writes what does not read, costs
    only the files it had not answered yet, which are scanned here.
    """

    def __init__(self, paths: Sequence[str], jobs: int, digests: bool = False,
                 extra: Callable[[], object] | None = None,
                 summarize: Callable[[int], object] | None = None):
        self.paths = list(paths)
        self.digests = digests
        self._extra = extra
        self._summarize = summarize
        self._reached: mmap.mmap | None = None  # a byte a path: 1 once the loader reached it
        self._children: list[_Child] = []
        self._count = 0  # the number of shares: path ``i`` is in share ``i % count``
        self._by_first: dict[int, _Child] = {}
        self._here: list[range] = []  # shares scanned here: no child, or it was ended
        self._done: list[FileScan | None] | None = None
        self._taken: list[Taken | None] = [None] * len(self.paths)
        if jobs > 1 and len(self.paths) >= MIN_PARALLEL_FILES and can_fork():
            self._count = min(jobs - 1, len(self.paths))
            if summarize is not None and self.paths:
                self._reached = mmap.mmap(-1, len(self.paths))  # shared with the children
            for first in range(self._count):
                self._fork(range(first, len(self.paths), self._count))
        if not self._children:
            self._here.clear()
            self._done = [self._scan(index) for index in range(len(self.paths))]

    def _scan(self, index: int) -> FileScan | None:
        if not self.digests:
            return scan_file(self.paths[index])
        scan, self._taken[index] = scan_and_digest(self.paths[index])
        return scan

    @property
    def pending(self) -> bool:
        """Children are scanning: :meth:`results` waits for them."""
        return self._done is None

    def _fork(self, share: range) -> None:
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process left: this process scans
            os.close(read_end)
            os.close(write_end)
            self._here.append(share)
            return
        if pid == 0:  # the child: scan, answer, and leave without running the parent's code
            status = 1
            try:
                os.close(read_end)
                for child in self._children:
                    os.close(child.fd)  # a sibling's pipe: its reader is the parent alone
                linking = self._answer_all(share, write_end)
                for key, value in self._records(share, linking):
                    _write_all(write_end, record(key, value))
                os.close(write_end)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        os.set_blocking(read_end, False)
        child = _Child(pid, read_end, share)
        self._children.append(child)
        self._by_first[share.start] = child

    def _answer_all(self, share: range, write_end: int) -> list[int]:
        """In a child: each answer of ``share`` ended by a comma, written every so often, and
        :data:`RECORDS` after the last. Gives the files that may include others."""
        batch = []
        linking = []
        for index in share:
            if self.digests:
                scan, taken = scan_and_digest(self.paths[index])
                batch.append(_answer(scan, taken))
            else:
                scan = scan_file(self.paths[index])
                batch.append(b"%d" % encode(scan))
            if scan is not None and scan.links:
                linking.append(index)
            if len(batch) == BATCH:
                _write_all(write_end, b",".join(batch) + b",")
                batch.clear()
        if batch:
            _write_all(write_end, b",".join(batch) + b",")
        _write_all(write_end, RECORDS)
        return linking

    def _records(self, share: range, linking: list[int]) -> Iterator[tuple[object, object]]:
        """In a child, once it answered: the records of the work it was given besides."""
        if self._summarize is not None and self._reached is not None:
            for index in reversed(linking):  # while the loader needs them: first
                if self._reached[index]:
                    continue  # the loader got there first
                found = self._summarize(index)
                if found is not None:
                    yield index, found
        if self._extra is not None and share.start == 0:
            yield EXTRA, self._extra()

    def ready(self, index: int) -> tuple[bool, FileScan | None]:
        """``(True, scan)`` when the scan of ``paths[index]`` is known (a child answered
        already), else ``(False, None)``; never waits."""
        if self._done is not None:
            return True, self._done[index]
        child = self._by_first.get(index % self._count)
        if child is None:
            return False, None
        position = index // self._count
        if position >= len(child.answers):
            child.poll()
            if position >= len(child.answers):
                return False, None
        return True, child.answers[position][0]

    def reach(self, index: int) -> None:
        """The loader reached ``paths[index]``: no child needs to summarize it any more."""
        if self._reached is not None:
            self._reached[index] = 1

    def summary(self, index: int) -> object | None:
        """What a child's ``summarize`` gave for ``paths[index]``, if it came already (never
        waits)."""
        if self._done is not None or self._summarize is None:
            return None
        child = self._by_first.get(index % self._count)
        if child is None:
            return None
        child.poll()
        return child.records.get(index)

    def results(self) -> list[FileScan | None]:
        if self._done is None:
            found: list[FileScan | None] = [None] * len(self.paths)
            for child in self._children:
                child.wait_answers()
                for index, (scan, taken) in zip(child.share, child.answers):
                    found[index] = scan
                    self._taken[index] = taken
                self._here.append(child.share[len(child.answers):])
            for share in self._here:
                for index in share:
                    found[index] = self._scan(index)
            self._here.clear()
            self._done = found
        return self._done

    def extra(self) -> object | None:
        """What the first child's extra work found, if it came already (never waits)."""
        child = self._by_first.get(0)
        if child is None:
            return None
        child.poll()
        return child.records.get(EXTRA)

    def taken(self) -> list[Taken | None]:
        """With ``digests``, each file's stat and digest (``None``: it could not be read)."""
        self.results()
        return self._taken

    def close(self) -> None:
        """End the children (the run is done with them, or stopped early): if the answers of
        one were not collected, its files are scanned here when :meth:`results` is asked."""
        while self._children:
            child = self._children.pop()
            self._by_first.pop(child.share.start, None)
            if self._done is None:
                self._here.append(child.share)
            child.end()
        if self._reached is not None:
            self._reached.close()
            self._reached = None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _reap(pid: int) -> None:
    """Wait for the child ``pid`` to end (its answers, not its exit code, say how it went)."""
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:  # reaped elsewhere
        pass
