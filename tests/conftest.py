import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests expect text output: under GitHub Actions `asynclint check` would pick `github`."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
