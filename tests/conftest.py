import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Caches (action plugin summaries, lint results) go to a throw-away folder, never to ~/.cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="asynclint-test-cache-")
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)


@pytest.fixture(autouse=True)
def _compose_as_the_cli_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest-xdist runs a thread of its own in each worker, and that thread never composes
    YAML: the tests take the direct way of composing (:mod:`asynclint.parsing.direct`), as
    the single-threaded CLI does, not the way kept for programs running other threads."""
    from asynclint.parsing import direct

    monkeypatch.setattr(direct, "other_threads", lambda: 0)
