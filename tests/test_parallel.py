"""Scans made by forked children: the same answers as scans made here, whatever a child does."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asynclint import parallel
from asynclint.model.prefilter import MAYBE_NO_RETRIES, WORDS, FileScan, scan_file
from asynclint.parallel import Scans, decode, encode

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork for any number of files. pytest-xdist runs a thread of its own in each worker;
    it never touches what a child does (read and scan files, write to a pipe)."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_FILES", 0)
    monkeypatch.setattr(parallel, "other_threads", lambda: 0)


def _files(tmp_path: Path) -> list[str]:
    """Fixture files, plus paths a scan answers ``None`` for and a word behind an escape."""
    found = sorted(str(path) for path in (REPO / "fixtures").rglob("*.yml"))
    (tmp_path / "escaped.yml").write_text('- command: x\n  "\\x61sync": 10\n')
    (tmp_path / "binary.yml").write_bytes(b"\x00\xff")
    return found + [str(tmp_path / "escaped.yml"), str(tmp_path / "binary.yml"),
                    str(tmp_path / "missing.yml"), str(tmp_path)]


@given(st.sets(st.sampled_from(sorted(WORDS | {MAYBE_NO_RETRIES}))), st.booleans())
def test_a_scan_crosses_as_one_number(words: set[bytes], composes: bool) -> None:
    scan = FileScan(frozenset(words), composes)
    assert decode(encode(scan)) == scan
    assert decode(encode(None)) is None


@pytest.mark.parametrize("jobs", [2, 3, 7])
def test_children_answer_as_this_process_does(jobs: int, tmp_path: Path, forking: None) -> None:
    files = _files(tmp_path)
    scans = Scans(files, jobs)
    assert scans.pending
    assert scans.results() == [scan_file(path) for path in files]
    assert not scans.pending
    assert any(scan is None for scan in scans.results())
    assert any(scan is not None and scan.words == WORDS for scan in scans.results())


def test_one_job_scans_here(tmp_path: Path, forking: None) -> None:
    files = _files(tmp_path)
    scans = Scans(files, 1)
    assert not scans.pending
    assert scans.results() == [scan_file(path) for path in files]


def test_a_failing_child_costs_only_time(tmp_path: Path, forking: None,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    here = os.getpid()

    def scan_here_only(path: str) -> FileScan | None:
        if os.getpid() != here:
            raise RuntimeError("a child fails")
        return scan_file(path)

    monkeypatch.setattr(parallel, "scan_file", scan_here_only)
    files = _files(tmp_path)
    scans = Scans(files, 2)
    assert scans.pending
    assert scans.results() == [scan_file(path) for path in files]


def _child(data: bytes, status: int, count: int) -> parallel._Child:
    """What this process makes of a child scanning ``count`` files that writes ``data`` and
    exits with ``status``."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(write_end, data)
        finally:
            os._exit(status)
    os.close(write_end)
    child = parallel._Child(pid, read_end, range(count))
    child.wait_answers()
    deadline = time.monotonic() + 60
    while child.reading:
        assert time.monotonic() < deadline
        child.poll()
    child.end()
    return child


def _answers(data: bytes, status: int, count: int) -> list:
    return _child(data, status, count).answers


def test_each_whole_answer_of_a_child_counts() -> None:
    assert _answers(b"6,-1,0,", 0, 3) == [(decode(6), None), (None, None), (decode(0), None)]
    assert _answers(b"7/1/2/3/4/ab12,-1,", 0, 2) == [(decode(7), ((1, 2, 3, 4), "ab12")),
                                                     (None, None)]
    assert _answers(b"", 0, 0) == []
    assert _answers(b"6,-1,", 0, 3) == [(decode(6), None), (None, None)]  # short
    assert _answers(b"6,-1,0,", 1, 3) == [(decode(6), None), (None, None), (decode(0), None)]
    assert _answers(b"6,-1,0", 0, 3) == [(decode(6), None), (None, None)]  # the last cut short
    assert _answers(b"6,x,0,", 0, 3) == [(decode(6), None)]  # garbled: nothing after it
    assert _answers(b"6/1/2,0,", 0, 2) == []  # a stat cut short
    assert _answers(b"6,6,6,", 0, 2) == [(decode(6), None)] * 2  # more than it was given
    assert _answers(b"6,-1,|", 0, 2) == [(decode(6), None), (None, None)]


def test_records_follow_the_answers() -> None:
    """After its answers a child writes records: each counts once whole, and only after
    every answer; what does not read ends the reading, the answers stay."""
    one, two = parallel.record("extra", {"a": ["b"]}), parallel.record(3, (1, None))
    child = _child(b"6,-1,|" + one + two, 0, 2)
    assert child.answers == [(decode(6), None), (None, None)]
    assert child.records == {"extra": {"a": ["b"]}, 3: (1, None)}
    assert _child(b"6,|" + one, 0, 1).records == {"extra": {"a": ["b"]}}
    assert _child(b"6,|" + one + two[:-1], 0, 1).records == {"extra": {"a": ["b"]}}  # cut
    early = _child(b"6,|" + one, 0, 2)  # before its second answer
    assert (early.answers, early.records) == ([(decode(6), None)], {})
    assert _child(b"6|" + one, 0, 1).records == {}  # an answer cut by the bar
    for garbled in (b"x:" + one, b"-3:abc" + one, b"9" * 30, b"5:\xff\xff\xff\xff\xff" + one):
        bad = _child(b"6,|" + two + garbled, 0, 1)
        assert (bad.answers, bad.records) == ([(decode(6), None)], {3: (1, None)}), garbled


def test_the_first_child_does_the_extra_work(tmp_path: Path, forking: None) -> None:
    files = _files(tmp_path)
    here = os.getpid()
    scans = Scans(files, 3, extra=lambda: {"pid": os.getpid(), "files": len(files)})
    try:
        assert scans.results() == [scan_file(path) for path in files]
        deadline = time.monotonic() + 60
        while (found := scans.extra()) is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert found["files"] == len(files) and found["pid"] != here
        for child in scans._children:  # the others had none
            while child.reading:
                assert time.monotonic() < deadline
                time.sleep(0.01)
                child.poll()
            assert child.records == ({"extra": found} if child.share.start == 0 else {})
    finally:
        scans.close()
    assert scans.extra() is None  # the children are gone


def test_extra_work_that_fails_costs_no_answer(tmp_path: Path, forking: None) -> None:
    def fail() -> None:
        raise RuntimeError("the extra work fails")

    files = _files(tmp_path)
    scans = Scans(files, 2, extra=fail)
    try:
        assert scans.results() == [scan_file(path) for path in files]
        child, = scans._children
        deadline = time.monotonic() + 60
        while child.reading:  # to the end of what it wrote
            assert time.monotonic() < deadline
            assert scans.extra() is None
            time.sleep(0.01)
        assert scans.extra() is None
    finally:
        scans.close()


def test_answers_are_ready_as_a_child_writes_them(tmp_path: Path, forking: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader takes a child's answer as soon as it is written, and one a child failed
    to write is made here."""
    here = os.getpid()
    files = _files(tmp_path)
    assert len(files) > 2 * parallel.BATCH
    stop = files[2 * parallel.BATCH]

    def fail_at_stop(path: str) -> FileScan | None:
        if os.getpid() != here and path == stop:
            raise RuntimeError("a child fails")
        return scan_file(path)

    monkeypatch.setattr(parallel, "scan_file", fail_at_stop)
    scans = Scans(files, 2)
    expected = [scan_file(path) for path in files]
    deadline = time.monotonic() + 60
    while not scans.ready(2 * parallel.BATCH - 1)[0]:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    for index in range(2 * parallel.BATCH):
        assert scans.ready(index) == (True, expected[index])
    assert scans.ready(2 * parallel.BATCH) == (False, None)  # never answered
    assert scans.results() == expected
    assert scans.ready(len(files) - 1) == (True, expected[-1])


def test_close_ends_a_child_still_scanning(tmp_path: Path, forking: None,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    here = os.getpid()

    def slow(path: str) -> FileScan | None:
        if os.getpid() != here:
            time.sleep(60)
        return scan_file(path)

    monkeypatch.setattr(parallel, "scan_file", slow)
    files = _files(tmp_path)
    scans = Scans(files, 2)
    child, = scans._children
    pid = child.pid
    started = time.monotonic()
    scans.close()
    assert time.monotonic() - started < 30
    with pytest.raises(ChildProcessError):  # ended and reaped
        os.waitpid(pid, 0)
    assert scans.results() == [scan_file(path) for path in files]  # then scanned here


def test_no_fork_while_another_thread_runs(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_FILES", 0)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.can_fork()
        scans = Scans(_files(tmp_path), 2)
        assert not scans.pending
    finally:
        stop.set()
        thread.join()


def test_few_files_are_scanned_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "other_threads", lambda: 0)
    files = _files(tmp_path)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_FILES", len(files) + 1)
    assert not Scans(files, 2).pending
    monkeypatch.setattr(parallel, "MIN_PARALLEL_FILES", len(files))
    scans = Scans(files, 2)
    assert scans.pending
    scans.close()


@pytest.mark.parametrize("jobs", [1, 2])
def test_digests_come_from_the_read_that_scans(jobs: int, tmp_path: Path, forking: None) -> None:
    from asynclint.cache import digest_file

    files = _files(tmp_path)
    scans = Scans(files, jobs, digests=True)
    assert scans.pending == (jobs > 1)
    assert scans.results() == [scan_file(path) for path in files]
    for path, taken in zip(files, scans.taken()):
        if os.path.isfile(path):
            info = os.stat(path)
            stat = (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)
            assert taken == (stat, digest_file(path)), path
        else:
            assert taken is None, path
    assert Scans(files, jobs).taken() == [None] * len(files)


def test_a_share_no_child_could_take_is_scanned_here(tmp_path: Path, forking: None,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    forks = []

    def fork_once() -> int:
        forks.append(1)
        if len(forks) > 1:
            raise OSError("no process left")
        return real_fork()

    real_fork = os.fork
    monkeypatch.setattr(parallel.os, "fork", fork_once)
    files = _files(tmp_path)
    scans = Scans(files, 3)  # two shares: the second one's fork fails
    assert scans.pending and len(forks) == 2
    assert scans.results() == [scan_file(path) for path in files]


def _read_to_the_end(scans: Scans) -> None:
    deadline = time.monotonic() + 60
    for child in scans._children:
        while child.reading:
            assert time.monotonic() < deadline
            time.sleep(0.01)
            child.poll()


@pytest.mark.parametrize("jobs", [2, 3])
def test_children_summarize_the_files_the_loader_has_not_reached(
        jobs: int, tmp_path: Path, forking: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """After their answers, children summarize the files of their share that may include
    others, from the last one back, leaving those the loader marked as reached."""
    here, go = os.getpid(), tmp_path / "go"

    def scan_when_told(path: str) -> FileScan | None:
        deadline = time.monotonic() + 60
        while os.getpid() != here and not go.exists():
            assert time.monotonic() < deadline
            time.sleep(0.01)
        return scan_file(path)

    monkeypatch.setattr(parallel, "scan_file", scan_when_told)
    files = _files(tmp_path)
    expected = [scan_file(path) for path in files]
    linking = [index for index, scan in enumerate(expected) if scan is not None and scan.links]
    assert len(linking) > 4
    scans = Scans(files, jobs, summarize=lambda index: [index, os.getpid()])
    try:
        reached = set(linking[::2])
        for index in reached:
            scans.reach(index)
        go.touch()
        _read_to_the_end(scans)
        summaries = {index: scans.summary(index) for index in range(len(files))}
        assert {index for index, found in summaries.items() if found} == set(linking) - reached
        assert all(found[0] == index and found[1] != here
                   for index, found in summaries.items() if found)
        for child in scans._children:  # the last ones first
            assert list(child.records) == sorted(child.records, reverse=True)
        assert scans.results() == expected
        assert scans.summary(linking[1]) is None  # once the scans are all in: not needed
    finally:
        scans.close()


def test_a_summary_that_fails_costs_only_the_summaries(tmp_path: Path, forking: None) -> None:
    files = _files(tmp_path)
    expected = [scan_file(path) for path in files]
    linking = [index for index, scan in enumerate(expected) if scan is not None and scan.links]
    middle = linking[len(linking) // 2]

    def summarize(index: int) -> object:
        if index == middle:
            raise RuntimeError("a summary fails")
        return index

    scans = Scans(files, 2, summarize=summarize)
    try:
        _read_to_the_end(scans)
        assert {index for index in range(len(files)) if scans.summary(index) is not None} \
            == {index for index in linking if index > middle}
        assert scans.results() == expected
    finally:
        scans.close()

