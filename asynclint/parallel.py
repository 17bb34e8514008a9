"""Scanning files in forked children while the loader works.

A scan (:func:`~asynclint.model.prefilter.scan_file`: read, look for words, run libyaml's
parser) is independent per file and its result is a few bytes, so it crosses process
boundaries cheaply. Parsing into the model stays in one process: the frozen nodes of a file
would cost as much to send back as to build.

The loader does not wait for the scans. As it reaches a file it only needs to know whether the
file may include another (:meth:`~asynclint.model.prefilter.BytePrefilter.unparsed` reads it
and tests a few words); the whole scans are needed once every file was reached, when the
prefilter decides what to keep. So with more than one job, children scan every file while this
process loads, and :meth:`Scans.results` collects their answers then.

A first run with the cache on has no key to compare yet: its children also hash each file
they read (:func:`scan_and_digest`), and the key is made after the run from those digests.

Children are forked, not spawned: they start in a few milliseconds with every module loaded.
Where forking is not safe (no ``os.fork``, macOS, other threads running), with one job, or
below :data:`MIN_PARALLEL_FILES` files, the scans are made here, before loading. A child that
fails or sends a short answer costs only time: its files are scanned here.
"""

from __future__ import annotations

import os
import sys
from typing import Sequence

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


class Scans:
    """The scans of ``paths`` (in their order): made here at once, or by up to ``jobs - 1``
    forked children, each scanning every so many paths, until :meth:`results` is asked.
    With ``digests``, each file's stat and content digest are taken from the same read
    (:meth:`taken`): the cache's key then needs no read of its own.
    :meth:`close` (also on an error) ends the children still running."""

    def __init__(self, paths: Sequence[str], jobs: int, digests: bool = False):
        self.paths = list(paths)
        self.digests = digests
        self._children: list[tuple[int, int, range]] = []  # pid, read end, indexes scanned
        self._ended: list[range] = []  # the shares of children ended before they answered
        self._done: list[FileScan | None] | None = None
        self._taken: list[Taken | None] = [None] * len(self.paths)
        if jobs > 1 and len(self.paths) >= MIN_PARALLEL_FILES and can_fork():
            count = min(jobs - 1, len(self.paths))
            for first in range(count):
                self._fork(range(first, len(self.paths), count))
        if not self._children:
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
            return
        if pid == 0:  # the child: scan, answer, and leave without running the parent's code
            status = 1
            try:
                os.close(read_end)
                for _, other, _ in self._children:
                    os.close(other)  # a sibling's pipe: its reader is the parent alone
                answer = b",".join(
                    _answer(*scan_and_digest(self.paths[index])) if self.digests
                    else b"%d" % encode(scan_file(self.paths[index])) for index in share)
                with open(write_end, "wb") as pipe:
                    pipe.write(answer)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self._children.append((pid, read_end, share))

    def results(self) -> list[FileScan | None]:
        if self._done is None:
            found: list[FileScan | None] = [None] * len(self.paths)
            while self._children:
                pid, read_end, share = self._children.pop(0)
                answers = _receive(pid, read_end, len(share))
                for position, index in enumerate(share):
                    if answers is None:
                        found[index] = self._scan(index)
                    else:
                        found[index], self._taken[index] = answers[position]
            for share in self._ended:
                for index in share:
                    found[index] = self._scan(index)
            self._done = found
        return self._done

    def taken(self) -> list[Taken | None]:
        """With ``digests``, each file's stat and digest (``None``: it could not be read)."""
        self.results()
        return self._taken

    def close(self) -> None:
        """End the children whose answer was never collected (the run stopped early)."""
        while self._children:
            pid, read_end, share = self._children.pop()
            self._ended.append(share)
            os.close(read_end)
            import signal

            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            _reap(pid)


def _reap(pid: int) -> int | None:
    """The exit code of the child ``pid``, once it ended; ``None`` when it was killed."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # reaped elsewhere
        return None
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else None


def _receive(pid: int, read_end: int,
             count: int) -> list[tuple[FileScan | None, Taken | None]] | None:
    """The ``count`` answers a child sends; ``None`` when it failed."""
    with open(read_end, "rb") as pipe:
        answer = pipe.read()
    if _reap(pid) != 0:
        return None
    try:
        answers = [_read_answer(part) for part in answer.split(b",")] if answer else []
    except (ValueError, UnicodeDecodeError):
        return None
    return answers if len(answers) == count else None
