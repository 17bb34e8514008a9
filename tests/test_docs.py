"""The committed rule pages in docs/rules/ are exactly what the rule docstrings render to."""

from __future__ import annotations

from pathlib import Path

from asynclint.docs import DOCS_DIR, REGENERATE, pages, render_rule, write_pages
from asynclint.links import rule_doc_path
from asynclint.rules import RULES, find_rule

ROOT = Path(__file__).resolve().parent.parent


def test_committed_rule_docs_are_up_to_date() -> None:
    folder = ROOT / DOCS_DIR
    committed = {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.md")}
    expected = pages()
    stale = sorted(name for name in committed.keys() | expected.keys()
                   if committed.get(name) != expected.get(name))
    assert not stale, f"docs/rules/ is out of date ({', '.join(stale)}): run `{REGENERATE}`"


def test_every_rule_has_the_page_its_links_point_to() -> None:
    for rule in RULES:
        assert (ROOT / rule_doc_path(rule.code)).is_file(), f"run `{REGENERATE}`"


def test_a_page_holds_the_whole_documentation() -> None:
    rule = find_rule("ASY004")
    assert rule is not None
    page = render_rule(rule)
    assert page.splitlines()[2] == "# ASY004 async-on-static-import"
    for title in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
        assert f"## {title}\n{rule.section(title)}" in page


def test_regenerating_writes_then_changes_nothing(tmp_path) -> None:
    (tmp_path / "ASY999.md").write_text("a rule that is gone\n", encoding="utf-8")
    first = write_pages(tmp_path, pages())
    assert "ASY999.md" in first and not (tmp_path / "ASY999.md").exists()
    assert write_pages(tmp_path, pages()) == []
