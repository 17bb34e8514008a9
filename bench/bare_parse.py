"""Baseline: compose every ``.yml``/``.yaml`` file under the given paths with ruamel's C parser.

Usage::

    python bench/bare_parse.py PATH...

This is the floor a linter that reads every file cannot go under: Python start-up, the import
of ruamel.yaml's C extension, walking the tree, reading each file and composing its documents
into nodes (marks kept) with ``CBaseLoader``. Nothing is constructed or analysed. Files are
handed to the parser as bytes, the cheapest input it accepts. Prints one JSON line of counts.
Run by ``bench/run.py`` in a subprocess of its own, so that its start-up is counted like
the linters'.
"""

from __future__ import annotations

import json
import os
import sys

#: Directories never walked (version control and linter caches).
SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".asynclint_cache", ".cache", ".tox", ".venv", "node_modules"})


def iter_yaml_files(paths: list[str]):
    for root in paths:
        if os.path.isfile(root):
            yield root
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
            for name in filenames:
                if name.endswith((".yml", ".yaml")):
                    yield os.path.join(dirpath, name)


def compose_all(paths: list[str]) -> dict:
    from ruamel.yaml.cyaml import CBaseLoader

    files = docs = errors = n_bytes = 0
    for path in iter_yaml_files(paths):
        with open(path, "rb") as fh:
            data = fh.read()
        files += 1
        n_bytes += len(data)
        try:
            loader = CBaseLoader(data)
            try:
                while loader.check_node():
                    loader.get_node()
                    docs += 1
            finally:
                loader.dispose()
        except Exception:  # noqa: BLE001 - a broken file is counted, like a linter would report it
            errors += 1
    return {"files": files, "documents": docs, "errors": errors, "bytes": n_bytes}


def main(argv: list[str] | None = None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("usage: bare_parse.py PATH...", file=sys.stderr)
        return 2
    print(json.dumps(compose_all(paths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
