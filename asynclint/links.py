"""Where asynclint lives on the web: the repository and each rule's documentation page.

``HOMEPAGE`` is the ``Homepage`` entry of ``[project.urls]`` in ``pyproject.toml``
(a test keeps the two equal); every link asynclint prints is built from it.
"""

from __future__ import annotations

HOMEPAGE = "https://github.com/asynclint/asynclint"
DOCS_BRANCH = "main"


def rule_doc_path(code: str) -> str:
    """The rule's page, relative to the repository root."""
    return f"docs/rules/{code}.md"


def rule_url(code: str) -> str:
    return f"{HOMEPAGE}/blob/{DOCS_BRANCH}/{rule_doc_path(code)}"


def rules_index_url() -> str:
    return f"{HOMEPAGE}/blob/{DOCS_BRANCH}/docs/rules/README.md"
