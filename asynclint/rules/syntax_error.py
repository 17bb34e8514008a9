"""Invalid YAML, or a file that cannot be read as UTF-8 text.

## What it does
Reports a file that asynclint could not read: invalid YAML (with the parser's
own message and position), a binary file, text that is not UTF-8, a path that
does not exist, or one that is not a regular file.

## Why is this bad?
Ansible refuses such a file before running anything. The rest of the files are
still linted.

## Example
```yaml
- hosts: localhost
  tasks: [
```

## Use instead
```yaml
- hosts: localhost
  tasks: []
```

## Fix safety
There is no automatic fix.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem

CODE = "ASY000"
NAME = "syntax-error"
SEVERITY = "error"


def check(ctx) -> Iterator[Problem]:
    """The core reports unreadable files itself (they have no model to look at)."""
    return iter(())
