"""Apply fixes to a fixpoint, verify the result, and write it atomically.

One round lints the project, takes every applicable fix that does not overlap
another one already taken in any file it changes, splices the edits into the
texts and rebuilds the changed documents. Rounds repeat until no applicable fix
is left. Past :data:`MAX_ROUNDS`, a round must leave fewer fixes to apply than the
round before: fixes that overlap one another (a wait appended after the same last
task for each of many jobs) are applied one a round, while fixes that undo one
another never end. Before anything is written each changed
file is verified: it still parses, the findings that were fixed are gone, and
no task was lost. A file that fails a check keeps its original text and the
reason is reported.

A fix may change another file of the project than its finding's (keys moved from
an include into the file it includes). The files such a fix changes together are
*linked*: they are verified, kept or reverted, and written as one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from asynclint.findings import Finding
from asynclint.fixes.edits import Applicability, Edit, Fix
from asynclint.linter import LintResult, Selection, lint
from asynclint.model import Document, FileError, Project, Task, document_task_nodes
from asynclint.model.build import FileContext, build_document, role_dir_of
from asynclint.model.keywords import short_name
from asynclint.parsing import ParseError, compose_documents, source_from_text
from asynclint.rules.registry import Rule
from asynclint.structs import field, replace, struct

MAX_ROUNDS = 10
WAIT_ACTION = "async_status"
WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH  # none set: the file is meant read-only


class FixError(Exception):
    """Fixing cannot finish (the fixes do not converge)."""


@struct(frozen=True)
class FileFix:
    """What fixing did to one file: its text before and after, the codes it fixed.

    ``refused`` says why the file is left as it was (then ``after == before``).
    """

    path: str
    real_path: str
    before: str
    after: str
    fixed: tuple[str, ...] = ()
    refused: str | None = None
    linked: tuple[str, ...] = ()  # the other files a fix changed together with this one

    @property
    def changed(self) -> bool:
        return self.after != self.before


@struct(frozen=True)
class FixRun:
    files: tuple[FileFix, ...]
    result: LintResult  # the findings left in the fixed (not yet written) project

    @property
    def fixed(self) -> int:
        return sum(len(file.fixed) for file in self.files if file.changed)

    @property
    def changed(self) -> tuple[FileFix, ...]:
        return tuple(file for file in self.files if file.changed)

    @property
    def refused(self) -> tuple[FileFix, ...]:
        return tuple(file for file in self.files if file.refused is not None)


# -- text -----------------------------------------------------------------------------------


def well_formed(edits: Sequence[Edit]) -> bool:
    """Edits that, file by file, neither overlap nor insert twice at the same place."""
    by_file: dict[str, list[Edit]] = {}
    for edit in sorted(edits):
        by_file.setdefault(edit.path, []).append(edit)
    return all(
        a.end <= b.start and not (a.start == a.end == b.start == b.end)
        for group in by_file.values()
        for a, b in zip(group, group[1:])
    )


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Splice edits (non-overlapping, any order) into ``text``."""
    pieces: list[str] = []
    cursor = 0
    for edit in sorted(edits):
        if edit.start < cursor or edit.end > len(text):
            raise ValueError(f"edit {edit} overlaps another or leaves the text")
        pieces += [text[cursor:edit.start], edit.replacement]
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def keep_final_newline(original: str, text: str) -> str:
    """A file without a final newline stays without one (when its last lines were edited)."""
    if original.endswith("\n") or not text.endswith("\n"):
        return text
    return text[:-2] if text.endswith("\r\n") else text[:-1]


def choose(fixes: Iterable[Fix]) -> list[Fix]:
    """Fixes in order, each kept only when it overlaps none already kept (in any file).

    A fix that changes several files is kept whole or not at all.
    """
    chosen: list[Fix] = []
    for fix in fixes:
        if well_formed(fix.edits) and not any(fix.overlaps(other) for other in chosen):
            chosen.append(fix)
    return chosen


def first_safe(fixes: Iterable[Fix]) -> list[Fix]:
    """The fixes of this round: an unsafe fix waits while a safe fix changes one of its files.

    Unsafe fixes add and move tasks on what they see (a wait appended for a job no task waits
    for): seen again after the safe fixes, they are still needed or gone (the safe fix of
    ASY101 turns the wrong wait into a real one, and the job needs no second wait).
    """
    listed = list(fixes)
    safe = {path for fix in listed if fix.applicability == Applicability.SAFE
            for path in fix.paths}
    return [fix for fix in listed
            if fix.applicability == Applicability.SAFE or not fix.paths & safe]


def applicable(finding: Finding, threshold: Applicability) -> bool:
    fix = finding.fix
    return (
        fix is not None
        and bool(fix.edits)
        and fix.applicability != Applicability.DISPLAY_ONLY
        and fix.applicability >= threshold
    )


def located(fix: Fix, path: str) -> Fix:
    """``fix`` with every edit naming the file it changes (``path``: the finding's file)."""
    if all(edit.path for edit in fix.edits):
        return fix
    return replace(fix, edits=tuple(edit if edit.path else edit.on(path) for edit in fix.edits))


def touched(finding: Finding) -> frozenset[str]:
    """The display paths of the files the finding's fix changes."""
    if finding.fix is None:
        return frozenset()
    return frozenset(edit.path or finding.path for edit in finding.fix.edits)


# -- model ----------------------------------------------------------------------------------


def _real_paths(project: Project) -> dict[str, str]:
    return {document.path: real for real, document in project.by_real_path.items()}


def with_texts(original: Project, current: Project, texts: dict[str, str]) -> Project:
    """``current`` with the documents at the given display paths rebuilt from new texts.

    Real paths and document kinds come from ``original``, which read every file.
    """
    reals = _real_paths(original)
    by_real = dict(current.by_real_path)
    errors = [error for error in current.errors if error.path not in texts]
    for path, text in texts.items():
        real = reals[path]
        by_real.pop(real, None)
        source = source_from_text(path, text)
        try:
            composed = compose_documents(source)
        except ParseError as error:
            errors.append(FileError(path, error))
            continue
        context = FileContext(real, role_dir_of(real))
        forced = "tasks" if original.by_real_path[real].kind == "tasks" else None
        by_real[real] = build_document(source, composed, context, forced)
    documents = tuple(sorted(by_real.values(), key=lambda d: d.path))
    return Project(documents, tuple(errors), current.targets, by_real)


def _identity(node: Task) -> tuple[str | None, str]:
    return node.name, short_name(node.action or "")


def lost_tasks(before: Document, after: Document) -> list[tuple[str | None, str]]:
    """Tasks of ``before`` missing from ``after``; a task replaced by a wait of the same name is kept.

    A block dissolved into its tasks (the parallel rewrite of ASY001) loses nothing.
    """
    old = Counter(_identity(node) for node in document_task_nodes(before) if isinstance(node, Task))
    new = Counter(_identity(node) for node in document_task_nodes(after) if isinstance(node, Task))
    missing = old - new
    spare = new - old
    lost = []
    for (name, action), count in sorted(missing.items(), key=repr):
        for _ in range(count):
            if spare[(name, WAIT_ACTION)] > 0:
                spare[(name, WAIT_ACTION)] -= 1
            else:
                lost.append((name, action))
    return lost


# -- the fixpoint ---------------------------------------------------------------------------


@struct
class _State:
    """The texts being fixed; local to one :func:`fix_project` call."""

    project: Project
    texts: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, list[str]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    links: dict[str, set[str]] = field(default_factory=dict)  # files changed by one fix

    def link(self, paths: Iterable[str]) -> None:
        paths = set(paths)
        for path in paths:
            self.links.setdefault(path, set()).update(paths - {path})

    def linked(self, path: str) -> list[str]:
        """The other files joined to ``path`` by fixes, directly or through other files."""
        seen, pending = {path}, [path]
        while pending:
            for other in self.links.get(pending.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    pending.append(other)
        return sorted(seen - {path})


def _apply_round(state: _State, findings: Sequence[Finding]) -> dict[str, str]:
    """Apply the fixes of ``findings`` that overlap no other in any file; the new texts."""
    fixes: dict[Fix, tuple[str, str]] = {}
    for finding in findings:
        fixes.setdefault(located(finding.fix, finding.path),  # type: ignore[arg-type]
                         (finding.path, finding.code))
    chosen = choose(first_safe(fixes))
    edits: dict[str, list[Edit]] = {}
    for fix in chosen:
        for edit in fix.edits:
            edits.setdefault(edit.path, []).append(edit)
        owner, code = fixes[fix]
        state.fixed.setdefault(owner, []).append(code)
        if len(fix.paths) > 1:
            state.link(fix.paths)
    changed: dict[str, str] = {}
    for path, group in edits.items():
        text = state.texts.get(path, _document(state.project, path).source.text)
        changed[path] = keep_final_newline(text, apply_edits(text, group))
    return changed


def _refuse(state: _State, reasons: dict[str, str]) -> dict[str, str]:
    """``reasons`` with every file linked to a refused one refused too."""
    result = dict(reasons)
    for path in sorted(reasons):
        for other in state.linked(path):
            result.setdefault(other, f"a fix changes it together with {path}, which is not "
                                     f"fixed ({reasons[path]})")
    return result


def _document(project: Project, path: str) -> Document:
    return next(document for document in project.documents if document.path == path)


def _parse_failures(project: Project, paths: Iterable[str]) -> dict[str, str]:
    broken = {error.path: error.error.message for error in project.errors}
    return {path: broken[path] for path in paths if path in broken}


def fix_project(
    project: Project,
    selection: Selection = Selection(),
    unsafe: bool = False,
    options: dict[str, dict[str, Any]] | None = None,
    project_root: Path | None = None,
    rules: Sequence[Rule] | None = None,
    exclude: Callable[[Path], bool] = lambda _: False,
) -> FixRun:
    """Fix ``project`` in memory to a fixpoint and verify every changed file.

    Only findings in the targets are fixed, and never with a fix that changes an ``exclude``d
    file (one reached through an include of a target)."""
    threshold = Applicability.UNSAFE if unsafe else Applicability.SAFE
    original = project

    def relint(current: Project) -> LintResult:
        return lint(current, selection, options, project_root, rules)

    first = relint(project)
    result = first
    state = _State(project)

    known = {path for path in _real_paths(original) if not exclude(Path(path))}

    def pending() -> list[Finding]:
        return [
            f for f in result.findings
            if applicable(f, threshold) and f.path in project.targets
            and touched(f) <= known and not touched(f) & state.refused.keys()
        ]

    rounds, before = 0, 0
    while True:
        todo = pending()
        if not todo or rounds >= MAX_ROUNDS and len(todo) >= before:
            break
        rounds, before = rounds + 1, len(todo)
        changed = _apply_round(state, todo)
        state.texts.update(changed)
        state.project = with_texts(original, state.project, changed)
        failures = {path: f"the fixed text would not parse ({message})"
                    for path, message in _parse_failures(state.project, changed).items()}
        failures = _refuse(state, failures)
        state.refused.update(failures)
        reverted = {path: _document(original, path).source.text
                    for path in failures if state.texts.pop(path, None) is not None}
        if reverted:
            state.project = with_texts(original, state.project, reverted)
        result = relint(state.project)
    left = sorted({f.code for f in pending()})
    if left:
        raise FixError(f"fixes did not converge after {rounds} rounds: {', '.join(left)}")
    return _verified(original, first, result, state, relint)


def _verify_file(before: Document, after: Document, first: LintResult, final: LintResult,
                 codes: Sequence[str]) -> str | None:
    initial = Counter(f.code for f in first.findings if f.path == before.path)
    left = Counter(f.code for f in final.findings if f.path == before.path)
    applied = Counter(codes)
    kept = sorted(code for code in applied if left[code] > max(initial[code] - applied[code], 0))
    if kept:
        return f"the fixed findings are still reported ({', '.join(kept)})"
    lost = lost_tasks(before, after)
    if lost:
        name, action = lost[0]
        return f"a task would be lost ({name or action})"
    return None


def _verified(original: Project, first: LintResult, final: LintResult, state: _State,
              relint: Callable[[Project], LintResult]) -> FixRun:
    failures = {}
    for path in state.texts:
        reason = _verify_file(_document(original, path), _document(state.project, path), first,
                              final, state.fixed.get(path, ()))
        if reason is not None:
            failures[path] = reason
    reasons = {**state.refused, **_refuse(state, failures)}
    reverted = {path: _document(original, path).source.text
                for path in reasons if path in state.texts}
    if reverted:
        state.project = with_texts(original, state.project, reverted)
        final = relint(state.project)
    reals = _real_paths(original)
    files = []
    for path in sorted(set(state.texts) | set(reasons)):
        before = _document(original, path).source.text
        refused = reasons.get(path)
        after = before if refused is not None else state.texts[path]
        fixed = () if refused is not None else tuple(state.fixed.get(path, ()))
        linked = () if refused is not None else tuple(state.linked(path))
        files.append(FileFix(path, reals[path], before, after, fixed, refused, linked))
    return FixRun(tuple(files), final)


# -- writing --------------------------------------------------------------------------------


class WriteError(Exception):
    """A fixed file could not be written; the original is left untouched."""


def _writable(path: Path, expected: str) -> int:
    """The permission bits of ``path``, which must still hold ``expected`` and be writable."""
    try:
        current = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise WriteError(f"cannot read it back: {error}") from None
    if current != expected:
        raise WriteError("it changed on disk while it was being fixed")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if not (mode & WRITE_BITS and os.access(path, os.W_OK)):
        raise WriteError("it is read-only")
    return mode


def write_atomic(path: Path, expected: str, text: str) -> None:
    """Replace ``path`` with ``text`` through a temporary file in the same folder.

    The file must still hold ``expected`` (nothing changed it since it was read)
    and be writable; its permission bits are kept. On any failure the temporary
    file is removed and the original stays as it was.
    """
    mode = _writable(path, expected)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=path.parent)
    except OSError as error:
        raise WriteError(f"cannot create a temporary file next to it: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise WriteError(f"cannot write it: {error.strerror or error}") from None
        raise


def _put_back(written: Iterable[FileFix]) -> dict[str, str]:
    """Give written files their original text again; the ones that could not be, with why."""
    failures = {}
    for file in written:
        try:
            write_atomic(Path(file.real_path), file.after, file.before)
        except WriteError as error:
            failures[file.path] = f"it was fixed, but its original text could not be put back " \
                                  f"({error})"
    return failures


def _write_linked(files: Sequence[FileFix]) -> dict[str, str]:
    """Write files that one fix changes together: all of them, or none."""
    failures: dict[str, str] = {}
    for file in files:
        try:
            _writable(Path(file.real_path), file.before)
        except WriteError as error:
            failures[file.path] = str(error)
    written: list[FileFix] = []
    try:
        for file in files if not failures else ():
            try:
                write_atomic(Path(file.real_path), file.before, file.after)
            except WriteError as error:
                failures[file.path] = str(error)
                break
            written.append(file)
    except BaseException:
        _put_back(written)
        raise
    if not failures:
        return {}
    failed = sorted(failures)[0]
    for file in files:
        failures.setdefault(file.path, f"a fix changes it together with {failed}, which "
                                       f"cannot be written ({failures[failed]})")
    failures.update(_put_back(written))
    return failures


def write_fixes(run: FixRun) -> dict[str, str]:
    """Write every changed file; the paths that failed, with the reason.

    Linked files (changed together by one fix) are written all or none: when one cannot
    be written, the others keep (or get back) their original text.
    """
    failures: dict[str, str] = {}
    changed = {file.path: file for file in run.changed}
    done: set[str] = set()
    for file in run.changed:
        if file.path in done:
            continue
        group = [file, *(changed[path] for path in file.linked if path in changed)]
        done.update(member.path for member in group)
        if len(group) == 1:
            try:
                write_atomic(Path(file.real_path), file.before, file.after)
            except WriteError as error:
                failures[file.path] = str(error)
        else:
            failures.update(_write_linked(group))
    return failures
