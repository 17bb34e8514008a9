"""Configuration files: ``[tool.asynclint]`` in ``pyproject.toml``, or ``.asynclint.yml``.

The search starts at the linted path and goes up, folder by folder; in each
folder ``.asynclint.yml``, ``.asynclint.yaml`` and then ``pyproject.toml`` (only
when it has a ``[tool.asynclint]`` table) are tried, and the first file found is
the configuration: files further up are not merged in. ``extend`` names another
file whose settings lie under the local ones. Command-line flags come last:
``--select`` replaces the configured selection, ``--ignore`` and
``--extend-select`` add to it.

Every key and value is checked; a mistake is a :class:`ConfigError` that names
the file and the key.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from asynclint.findings import Severity
from asynclint.linter import Selection
from asynclint.model.paths import resolved
from asynclint.parsing import ParseError, compose_documents, read_source
from asynclint.parsing.nodes import to_python
from asynclint.rules.catalog import CATALOG, OPTIONS, find_info
from asynclint.structs import field, replace, struct

YAML_NAMES = (".asynclint.yml", ".asynclint.yaml")
PYPROJECT = "pyproject.toml"
PATTERN_KEYS = ("select", "ignore", "extend-select")
KEYS = (*PATTERN_KEYS, "severity", "exclude", "rules", "extend")


class ConfigError(Exception):
    """A configuration file that cannot be used: the message names the file and the key."""


@struct(frozen=True)
class Exclude:
    """A glob, matched against paths relative to ``base`` (the folder of the file that set it)."""

    base: Path
    glob: str

    def matches(self, path: Path) -> bool:
        try:
            relative = resolved(path).relative_to(self.base)
        except ValueError:
            return False
        candidates = [relative, *relative.parents][:-1]  # the path and its folders, not "."
        globs = {self.glob.rstrip("/"), self.glob.removeprefix("**/").rstrip("/")}
        return any(fnmatch.fnmatchcase(candidate.as_posix(), glob)
                   for candidate in candidates for glob in globs)


@struct(frozen=True)
class Config:
    """The effective settings and the files they were read from (nearest first)."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    exclude: tuple[Exclude, ...] = ()
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sources: tuple[Path, ...] = ()
    # every path read to build it, as written and as resolved (a link retargeted shows)
    read: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def selection(self) -> Selection:
        return Selection(
            select=None if self.select is None else frozenset(self.select),
            ignore=frozenset(self.ignore),
            extend_select=frozenset(self.extend_select),
            severities={code: Severity.parse(label) for code, label in self.severity.items()},
        )

    def options(self) -> dict[str, dict[str, Any]]:
        return {code: dict(values) for code, values in self.rules.items()}

    def excluded(self, path: Path) -> bool:
        return any(pattern.matches(path) for pattern in self.exclude)

    @property
    def excluder(self) -> Callable[[Path], bool] | None:
        """:meth:`excluded`, or ``None`` when nothing is excluded (discovery then asks nothing)."""
        return self.excluded if self.exclude else None


def known_pattern(pattern: str) -> bool:
    """A rule code, a rule name, a code prefix such as ``ASY1``, or ``ALL``."""
    if pattern == "ALL" or find_info(pattern):
        return True
    prefix = pattern.upper()
    return prefix.startswith("ASY") and any(rule.code.startswith(prefix) for rule in CATALOG)


# Reading one file -----------------------------------------------------------


def read_table(path: Path) -> dict[str, Any] | None:
    """The raw settings of one file; ``None`` for a pyproject.toml without ``[tool.asynclint]``."""
    if path.name == PYPROJECT:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: cannot read: {error}") from error
        if "asynclint" not in text and "\\u" not in text and "\\U" not in text:
            return None  # no table can be named so (a quoted key may spell it with escapes)
        import tomllib  # compiles its patterns on import: only for a pyproject.toml naming us

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: cannot read: {error}") from error
        table = data.get("tool", {}).get("asynclint")
        if table is not None and not isinstance(table, dict):
            raise ConfigError(f"{path}: `tool.asynclint` must be a table")
        return table
    try:
        documents = compose_documents(read_source(path))
    except ParseError as error:
        raise ConfigError(f"{path}:{error.line}:{error.column}: {error.message}") from error
    data = to_python(documents[0]) if documents else None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the file must hold a mapping of settings")
    return data


def _fail(path: Path, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{path}: `{key}`: {problem}")


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _fail(path, key, "expected a list of strings")
    return tuple(value)


def _patterns(path: Path, key: str, value: Any) -> tuple[str, ...]:
    patterns = _strings(path, key, value)
    for pattern in patterns:
        if not known_pattern(pattern):
            raise _fail(path, key, f"unknown rule `{pattern}` (see `asynclint rules`)")
    return patterns


def _rule_code(path: Path, key: str, name: Any) -> str:
    rule = find_info(name) if isinstance(name, str) else None
    if rule is None:
        raise _fail(path, key, f"unknown rule `{name}` (see `asynclint rules`)")
    return rule.code


def _table(path: Path, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, key, "expected a table (a mapping)")
    return value


def _severities(path: Path, value: Any) -> dict[str, str]:
    result = {}
    for name, label in _table(path, "severity", value).items():
        code = _rule_code(path, f"severity.{name}", name)
        if not isinstance(label, str) or label.lower() not in ("error", "warning", "info"):
            raise _fail(path, f"severity.{name}", f"expected error, warning or info, not {label!r}")
        result[code] = label.lower()
    return result


def _rule_options(path: Path, value: Any) -> dict[str, dict[str, Any]]:
    """Each rule's options, every one known to the rule (:data:`OPTIONS`) and well formed."""
    found = {}
    for name, options in _table(path, "rules", value).items():
        key = f"rules.{name}"
        code = _rule_code(path, key, name)
        known = OPTIONS.get(code, {})
        for option, setting in _table(path, key, options).items():
            if option not in known:
                listed = f"its options: {', '.join(sorted(known))}" if known else "it has none"
                raise _fail(path, f"{key}.{option}", f"unknown option of {code} ({listed})")
            expected, valid = known[option]
            if not valid(setting):
                raise _fail(path, f"{key}.{option}", f"expected {expected}, not {setting!r}")
        found[code] = dict(options)
    return found


def validate(path: Path, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check every key of one file; exclude globs are bound to the file's folder."""
    settings: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in KEYS:
            raise _fail(path, key, f"unknown key (known keys: {', '.join(KEYS)})")
        if key in PATTERN_KEYS:
            settings[key] = _patterns(path, key, value)
        elif key == "severity":
            settings[key] = _severities(path, value)
        elif key == "rules":
            settings[key] = _rule_options(path, value)
        elif key == "exclude":
            base = resolved(path).parent
            settings[key] = tuple(Exclude(base, glob) for glob in _strings(path, key, value))
        elif not isinstance(value, str) or not value:
            raise _fail(path, key, "expected the path of a configuration file")
        else:
            settings[key] = resolved(path).parent / value  # resolved when read: it may link
    return settings


# Files, extends and merging ---------------------------------------------------


def merge(base: Mapping[str, Any], local: Mapping[str, Any]) -> dict[str, Any]:
    """``local`` wins key by key; ``severity`` and ``rules`` are merged rule by rule."""
    merged = {**base, **local}
    merged["severity"] = {**base.get("severity", {}), **local.get("severity", {})}
    rules = dict(base.get("rules", {}))
    for code, options in local.get("rules", {}).items():
        rules[code] = {**rules.get(code, {}), **options}
    merged["rules"] = rules
    return merged


def load_file(path: Path, chain: tuple[Path, ...] = ()
              ) -> tuple[dict[str, Any], tuple[Path, ...], tuple[str, ...]]:
    """The settings of ``path`` with its ``extend`` chain merged under it, the files read, and
    the paths they were read through (as written and resolved)."""
    real = resolved(path)
    shown = real if chain else path  # an `extend` is named resolved, as it always was
    if real in chain:
        raise ConfigError(f"{shown}: `extend`: the files extend each other in a loop")
    if not real.is_file():
        where = f"{chain[-1]}: `extend`: " if chain else ""
        raise ConfigError(f"{where}no configuration file at {shown}")
    raw = read_table(real)
    if raw is None:
        raise ConfigError(f"{shown}: no [tool.asynclint] table")
    settings = validate(real, raw)
    extended = settings.pop("extend", None)
    read = tuple(dict.fromkeys((str(path), str(real))))
    if extended is None:
        return settings, (real,), read
    base, sources, further = load_file(extended, (*chain, real))
    return merge(base, settings), (real, *sources), read + further


def find_config_file(start: Path) -> Path | None:
    """The nearest configuration file at or above ``start`` (a file or a folder)."""
    start = resolved(start)
    folder = start if start.is_dir() else start.parent
    for candidate_folder in (folder, *folder.parents):
        for name in YAML_NAMES:
            if (candidate_folder / name).is_file():
                return candidate_folder / name
        pyproject = candidate_folder / PYPROJECT
        if pyproject.is_file() and read_table(pyproject) is not None:
            return pyproject
    return None


def config_candidates(start: Path, explicit: Path | None = None,
                      isolated: bool = False) -> list[str]:
    """The paths :func:`load_config` looks at: a file created, changed or removed at one of
    them may change the configuration (the files an ``extend`` reads are in its ``read``)."""
    if isolated:
        return []
    if explicit is not None:
        return [str(explicit)]
    start = resolved(start)
    folder = start if start.is_dir() else start.parent
    return [str(place / name) for place in (folder, *folder.parents)
            for name in (*YAML_NAMES, PYPROJECT)]


def build_config(settings: Mapping[str, Any], sources: tuple[Path, ...],
                 read: tuple[str, ...] = ()) -> Config:
    return Config(
        select=settings.get("select"),
        ignore=settings.get("ignore", ()),
        extend_select=settings.get("extend-select", ()),
        severity=settings.get("severity", {}),
        exclude=settings.get("exclude", ()),
        rules=settings.get("rules", {}),
        sources=sources,
        read=read,
    )


def load_config(start: Path, explicit: Path | None = None, isolated: bool = False) -> Config:
    """The configuration for ``start``: ``explicit`` if given, none if ``isolated``, else found."""
    if isolated:
        return Config()
    path = explicit or find_config_file(start)
    if path is None:
        return Config()
    return build_config(*load_file(path))


def with_flags(config: Config, select: Iterable[str] | None, ignore: Iterable[str],
               extend_select: Iterable[str]) -> Config:
    """Command-line flags over the file: ``select`` replaces, the others add."""
    return replace(
        config,
        select=config.select if select is None else tuple(sorted(select)),
        ignore=tuple(dict.fromkeys((*config.ignore, *sorted(ignore)))),
        extend_select=tuple(dict.fromkeys((*config.extend_select, *sorted(extend_select)))),
    )


def start_path(paths: Iterable[str], stdin_name: str) -> Path:
    """Where the search for a configuration file starts: the first linted path."""
    for raw in paths:
        if raw != "-":
            return Path(raw)
    return Path(stdin_name) if stdin_name != "<stdin>" else Path.cwd()


def kept_paths(paths: Iterable[str], excluded: Callable[[Path], bool]) -> list[str]:
    """The paths to lint: named files are excluded too (pre-commit names every file)."""
    return [raw for raw in paths if raw == "-" or Path(raw).is_dir() or not excluded(Path(raw))]


# Showing it -------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(value)


def render(config: Config) -> str:
    """The effective configuration as ``[tool.asynclint]`` TOML, with where it came from."""
    if config.sources:
        lines = [f"# read from {config.sources[0]}"]
        lines += [f"# extending {source}" for source in config.sources[1:]]
    else:
        lines = ["# no configuration file: defaults and command-line flags only"]
    lines.append("[tool.asynclint]")
    if config.select is None:
        lines.append("# select: the rules enabled by default")
    else:
        lines.append(f"select = {_toml_value(config.select)}")
    lines.append(f"ignore = {_toml_value(config.ignore)}")
    lines.append(f"extend-select = {_toml_value(config.extend_select)}")
    severity = ", ".join(f"{code} = {json.dumps(label)}"
                         for code, label in sorted(config.severity.items()))
    lines.append(f"severity = {{{severity}}}")
    lines.append(f"exclude = {_toml_value([pattern.glob for pattern in config.exclude])}")
    lines += [f"# exclude {pattern.glob!r} is relative to {pattern.base}"
              for pattern in config.exclude]
    for code, options in sorted(config.rules.items()):
        lines.append(f"\n[tool.asynclint.rules.{code}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in options.items()]
    return "\n".join(lines) + "\n"
