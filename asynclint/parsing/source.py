"""Reading a file into a :class:`Source`: decoded text plus line arithmetic."""

from __future__ import annotations

import bisect
import os
import stat
from pathlib import Path

from asynclint.structs import field, struct

BOM = "\ufeff"
MAX_BYTES = 64 * 1024 * 1024


class ParseError(Exception):
    """The file cannot be read or is not valid YAML.

    ``line`` and ``column`` are 1-based; ``kind`` is one of ``yaml``,
    ``encoding``, ``binary``, ``unreadable``.
    """

    def __init__(self, message: str, line: int = 1, column: int = 1, kind: str = "yaml"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.kind = kind


def _line_starts(text: str) -> tuple[int, ...]:
    starts = [0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return tuple(starts)


@struct(frozen=True)
class Source:
    """One file's text. Offsets everywhere in asynclint index into ``text``."""

    path: str
    text: str
    # where each line starts, found on the first question about lines: a run reads many
    # files whose lines it never reports
    _lines: tuple[int, ...] | None = field(default=None, init=False, repr=False,
                                           compare=False, hash=False)

    @property
    def line_starts(self) -> tuple[int, ...]:
        lines = self._lines
        if lines is None:
            lines = _line_starts(self.text)
            object.__setattr__(self, "_lines", lines)
        return lines

    @property
    def newline(self) -> str:
        """The file's line ending: ``\\r\\n`` when its first line ends that way."""
        first = self.text.find("\n")
        return "\r\n" if first > 0 and self.text[first - 1] == "\r" else "\n"

    @property
    def has_bom(self) -> bool:
        return self.text.startswith(BOM)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset; the BOM takes no column."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        start = self.line_starts[line]
        if line == 0 and self.has_bom:
            start += 1
        return line + 1, max(offset - start, 0) + 1

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending."""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def line_start(self, offset: int) -> int:
        return self.line_starts[bisect.bisect_right(self.line_starts, offset) - 1]


def source_from_text(path: str, text: str) -> Source:
    return Source(path, text)


def decode(path: str, data: bytes) -> Source:
    """Decode UTF-8 bytes (a BOM is kept in the text); binary or other encodings fail."""
    if b"\x00" in data[:8192]:
        raise ParseError("binary file (contains NUL bytes), not YAML", kind="binary")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = data[: error.start]
        line = prefix.count(b"\n") + 1
        column = len(prefix) - (prefix.rfind(b"\n") + 1) + 1
        raise ParseError(
            f"not valid UTF-8: byte 0x{data[error.start]:02x} cannot be decoded",
            line,
            column,
            kind="encoding",
        ) from None
    return source_from_text(path, text)


# binary on Windows; never waiting on a FIFO put in a file's place after its stat
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


def read_regular(path: Path | str, info: os.stat_result | None = None
                 ) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file and its stat (``info`` when the caller took it), taken
    just before reading them. Raises :class:`ParseError` (``unreadable``) for a file that is
    missing, not a regular file (a FIFO would block, a device would never end), larger than
    :data:`MAX_BYTES`, or cannot be read.

    Read with :func:`os.read` until its end: :func:`open` would add a buffered reader, a
    terminal check and two more stats to every file, and a run reads thousands.
    """
    try:
        info = os.stat(path) if info is None else info
    except OSError as error:
        raise ParseError(f"cannot read file: {error.strerror or error}", kind="unreadable") from None
    if not stat.S_ISREG(info.st_mode):
        raise ParseError("not a regular file", kind="unreadable")
    if info.st_size > MAX_BYTES:
        raise ParseError(f"file too large ({info.st_size} bytes)", kind="unreadable")
    try:
        handle = os.open(path, _READ_FLAGS)
        try:
            data = os.read(handle, info.st_size + 1)
            more = os.read(handle, 1) if data else b""  # the end, or a file grown since its stat
            if more:
                chunks = [data, more]
                while chunks[-1]:
                    chunks.append(os.read(handle, 1 << 16))
                data = b"".join(chunks)
        finally:
            os.close(handle)
    except OSError as error:
        raise ParseError(f"cannot read file: {error.strerror or error}", kind="unreadable") from None
    return data, info


def read_source(path: Path | str, display: str | None = None) -> Source:
    """Read one file. Never blocks on FIFOs or devices: only regular files are read."""
    name = display if display is not None else str(path)
    return decode(name, read_regular(path)[0])
