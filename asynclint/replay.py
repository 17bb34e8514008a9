"""The ``asynclint`` command, answering an unchanged ``check`` from the output of the last one.

A ``check`` run with the cache on records what it printed, its exit code and the stat (times,
size, inode) of every path its result depends on: the paths asked for, each file checked or
read through an include, each folder listed to find them, the folders and plugins the cache
key watches, the places a configuration file is looked for, asynclint's own modules and the
libraries it reads with. The next run of the same command, in the same folder, with the same
environment and terminal, stats those paths; when every one is as recorded, nothing it read
can have changed, and it prints the recorded output without importing the linter. Like git's
index, it trusts a stat only when the path had not changed for :data:`RACY_NS` before the
recorded run started; anything else goes to the full run (whose cache compares contents).

This module imports only what Python has loaded at start-up: a replay costs a stat per path.
"""

from __future__ import annotations

import marshal
import os
import sys

from asynclint import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs more to import than a replay takes
    from typing import Any, Iterable, Mapping, Sequence, TextIO

FORMAT = "replay-v1"
# A path changed this close to the start of the recorded run may have changed again within the
# same clock tick (or a coarse file system's two seconds): it is never trusted.
RACY_NS = 2_000_000_000
KEPT = 64  # recorded commands kept; the oldest go first
# The environment a run reads: Ansible's paths, colour, the output format, where the cache is.
ENV_PREFIXES = ("ANSIBLE_", "ASYNCLINT_", "PYTHON")
ENV_NAMES = ("NO_COLOR", "GITHUB_ACTIONS", "XDG_CACHE_HOME", "HOME")
# Libraries whose version changes what a run finds: a reinstall changes their files' stat.
LIBRARIES = ("ruamel.yaml", "jinja2", "networkx", "libcst", "ansible")

Stat = tuple[int, int, int, int]
_PRIME = 2**64 - 59


def folder(environ: Mapping[str, str] = os.environ) -> str:
    """Where the recorded runs live, beside the cache's other parts
    (:func:`asynclint.cache.default_cache_dir`)."""
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "asynclint", "runs", FORMAT)


def command(argv: Sequence[str], stdout: TextIO,
            environ: Mapping[str, str] = os.environ) -> tuple[Any, ...]:
    """Everything besides files that a run's output depends on: the command, the folder, the
    environment, the terminal and the asynclint and Python that run it."""
    try:
        terminal = stdout.isatty()
    except (AttributeError, ValueError):
        terminal = False
    output = (terminal, getattr(stdout, "encoding", None), getattr(stdout, "errors", None))
    env = tuple(sorted((name, value) for name, value in environ.items()
                       if name.startswith(ENV_PREFIXES) or name in ENV_NAMES))
    return (FORMAT, __version__, os.path.abspath(__file__), sys.executable, sys.version,
            tuple(sys.flags), os.getcwd(), tuple(argv), env, output)


def _entry_path(key: tuple[Any, ...], environ: Mapping[str, str]) -> str:
    data = repr(key).encode("utf-8", "surrogateescape")  # marshal's bytes vary with identity
    # a name, not a proof: the key is compared whole; no hash module to import
    return os.path.join(folder(environ), f"{int.from_bytes(data, 'big') % _PRIME:016x}")


def _stat(path: str) -> Stat | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino


def lookup(argv: Sequence[str], stdout: TextIO,
           environ: Mapping[str, str] = os.environ) -> tuple[str, int] | None:
    """The recorded output and exit code of this command, or ``None`` when there is none or
    something it depends on may have changed."""
    if not argv or argv[0] != "check":
        return None
    key = command(argv, stdout, environ)
    try:
        with open(_entry_path(key, environ), "rb") as handle:
            recorded = marshal.loads(handle.read())
        saved_key, started, paths, stats, output, code = recorded
    except Exception:  # missing, truncated or foreign: run
        return None
    if saved_key != key or len(paths) != len(stats):
        return None
    limit = started - RACY_NS
    for path, stat in zip(paths, stats):
        if stat is not None and (stat[0] >= limit or stat[1] >= limit):
            return None
        if _stat(path) != stat:
            return None
    return output, code


def _own_files() -> list[str]:
    """asynclint's files: all of them in a source tree (edited in place), one when installed
    (an upgrade or a reinstall writes every file anew)."""
    package = os.path.dirname(os.path.abspath(__file__))
    if os.path.basename(os.path.dirname(package)) in ("site-packages", "dist-packages"):
        return [os.path.abspath(__file__)]
    found = []
    for folder_path, folders, files in os.walk(package):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        found.extend(os.path.join(folder_path, name) for name in sorted(files))
    return found


def _library_files() -> list[str]:
    from importlib.util import find_spec

    found = []
    for name in LIBRARIES:
        try:
            spec = find_spec(name)
        except Exception:  # noqa: BLE001 - a broken package is simply not watched
            spec = None
        if spec is not None and spec.origin:
            found.append(spec.origin)
    return found


def record(argv: Sequence[str], stdout: TextIO, started: int, watched: Iterable[str],
           output: str, code: int, environ: Mapping[str, str] = os.environ) -> bool:
    """Record a run that started at ``started`` (``time.time_ns()``), depends on the paths
    ``watched`` and printed ``output``. Nothing is recorded when one of them changed too
    close to the start for its stat to be trusted; a cache that cannot be written only
    costs the next run its time. True when recorded."""
    from asynclint.model.paths import absolute  # loaded by the run being recorded

    given = dict.fromkeys([*watched, *_own_files(), *_library_files()])  # many repeat
    cwd = os.getcwd()
    paths = list(dict.fromkeys(absolute(path, cwd) for path in given))
    stats = [_stat(path) for path in paths]
    # a missing path inside a folder watched already: creating it changes the folder's time
    # (not so for a link whose target is missing: the target may appear anywhere)
    present = {path for path, stat in zip(paths, stats) if stat is not None}
    kept = [index for index, path in enumerate(paths)
            if stats[index] is not None or os.path.dirname(path) not in present
            or os.path.lexists(path)]
    paths, stats = [paths[index] for index in kept], [stats[index] for index in kept]
    limit = started - RACY_NS
    if any(stat is not None and (stat[0] >= limit or stat[1] >= limit) for stat in stats):
        return False
    key = command(argv, stdout, environ)
    target = _entry_path(key, environ)
    data = marshal.dumps((key, started, paths, stats, output, code))
    temporary = f"{target}.{os.getpid()}.tmp"
    try:
        make_folder(os.path.dirname(target))
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException as error:  # interrupted too: leave no temporary file behind
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(error, OSError):
            return False
        raise
    try:
        prune(os.path.dirname(target))
    except OSError:
        pass
    return True


STALE_NS = 3_600_000_000_000  # a temporary file this old was left by a killed run
# the folders of earlier formats of the cache (:mod:`asynclint.cache`) and of the records here,
# beside the current ones: nothing reads them again
RETIRED = ("runs-v1", "runs-v2", "index-v1")


def make_folder(where: str) -> None:
    """Create the cache folder ``where`` and, when it is new (a format changed), remove the
    folders of the :data:`RETIRED` formats beside it. Only formats named there go: a folder of
    a newer asynclint sharing the cache is left alone."""
    if os.path.isdir(where):
        return
    os.makedirs(where, exist_ok=True)
    retired = [os.path.join(os.path.dirname(where), name) for name in RETIRED]
    retired = [folder for folder in retired if os.path.isdir(folder)]
    if retired:
        import shutil  # once per format

        for folder in retired:
            shutil.rmtree(folder, ignore_errors=True)


def prune(where: str, kept: int = KEPT) -> None:
    """Keep the ``kept`` most recently written files of the folder ``where`` (here, one record
    per command line and folder), and remove the temporary files of runs that were killed
    while writing."""
    with os.scandir(where) as listing:
        entries = [(entry.stat().st_mtime_ns, entry.path, entry.name.endswith(".tmp"))
                   for entry in listing if entry.is_file()]
    records = sorted(((time, path) for time, path, temporary in entries if not temporary),
                     reverse=True)
    newest = records[0][0] if records else 0
    gone = [path for _, path in records[kept:]]
    gone += [path for time, path, temporary in entries if temporary and time < newest - STALE_NS]
    for path in gone:
        try:
            os.unlink(path)
        except OSError:
            pass


def main(argv: Sequence[str] | None = None) -> int:
    """The ``asynclint`` command: a replay when it can answer, else the full run."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        found = None if sys.stdout is None else lookup(arguments, sys.stdout)
    except Exception:  # noqa: BLE001 - never in the way of the full run
        found = None
    if found is not None:
        output, code = found
        try:  # ends as the full run would (asynclint.cli.main)
            sys.stdout.write(output)
            sys.stdout.flush()
        except BrokenPipeError:  # the reader left: nothing is wrong
            return 0
        except KeyboardInterrupt:
            return 130
        except Exception as error:  # noqa: BLE001 - one line, never a traceback
            sys.stderr.write("asynclint: internal error, please report it: "
                             f"{type(error).__name__}: {error}\n")
            return 2
        return code
    from asynclint.cli import main as run

    return run(arguments)


def run() -> None:
    """The ``asynclint`` command as installed: :func:`main`, then the process ends without
    Python's teardown.

    At exit Python frees every object one by one: the model of each file read, its nodes, the
    graph. That took a tenth of a run on a thousand tasks, while the system reclaims a
    process's memory at once (mypy ends the same way). Everything asynclint writes to a file
    is closed when written; what is left is the output, flushed here.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:  # the reader left: nothing is wrong, as during the run
            code = 0
        except (OSError, ValueError):  # closed, or cannot write: what Python's exit would say
            code = code or 120
    os._exit(code)

