"""Configuration files change what `asynclint check` reports; mistakes in them exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclint.cli import main
from asynclint.config import Exclude, load_config, merge

BLOCK = """\
- hosts: localhost
  gather_facts: false
  tasks:
    - block:
        - ansible.builtin.command: sleep 1
      async: 10
      poll: 2
"""
# ASY110 poll-without-async (warning) and ASY004 async-on-static-import (error)
POLL_ONLY = """\
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 1
      poll: 5
    - ansible.builtin.import_tasks: one.yml
      async: 60
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def check(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def codes(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines()[:-1]]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    write(tmp_path, "site.yml", POLL_ONLY)
    write(tmp_path, "one.yml", "- ansible.builtin.command: 'true'\n")
    write(tmp_path, "legacy/old.yml", BLOCK)
    return tmp_path


def test_without_configuration_every_default_rule_reports(project, capsys) -> None:
    code, out, _ = check(capsys, str(project))
    assert code == 1 and sorted(codes(out)) == ["ASY001", "ASY004", "ASY110"]


def test_pyproject_table_changes_what_is_reported(project, capsys) -> None:
    write(project, "pyproject.toml", """\
[project]
name = "playbooks"

[tool.asynclint]
ignore = ["poll-without-async"]
exclude = ["legacy"]
severity = { ASY004 = "warning" }
""")
    code, out, _ = check(capsys, str(project))
    assert code == 1 and codes(out) == ["ASY004"]
    assert "(1 warning)" in out.splitlines()[-1]


def test_yaml_file_selects_and_is_found_from_a_subfolder(project, capsys) -> None:
    write(project, ".asynclint.yml", "select: [ASY1]\n")
    code, out, _ = check(capsys, str(project / "legacy"))
    assert code == 0 and "no findings" in out
    code, out, _ = check(capsys, str(project / "site.yml"))
    assert codes(out) == ["ASY110"]


def test_nearest_file_wins_and_yaml_before_pyproject(project, capsys) -> None:
    write(project, "pyproject.toml", "[tool.asynclint]\nselect = [\"ASY004\"]\n")
    write(project, ".asynclint.yaml", "select: [ASY110]\n")
    write(project, "legacy/.asynclint.yml", "ignore: [ALL]\n")
    assert codes(check(capsys, str(project / "site.yml"))[1]) == ["ASY110"]
    assert check(capsys, str(project / "legacy"))[0] == 0


def test_pyproject_without_the_table_is_passed_over(project, capsys) -> None:
    write(project, ".asynclint.yml", "ignore: [ASY110]\n")
    write(project, "legacy/pyproject.toml", "[project]\nname = 'x'\n")
    _, out, _ = check(capsys, "--show-config", str(project / "legacy"))
    assert f"# read from {project / '.asynclint.yml'}" in out


def test_pyproject_naming_us_only_through_escapes_is_read(project, capsys) -> None:
    """A pyproject.toml that never names asynclint cannot configure it, so it is not parsed
    (even broken, as other tools' files may be), unless a quoted key may spell the name."""
    write(project, ".asynclint.yml", "ignore: [ASY110]\n")
    write(project, "legacy/pyproject.toml", "[tool.black\n")
    _, out, _ = check(capsys, "--show-config", str(project / "legacy"))
    assert f"# read from {project / '.asynclint.yml'}" in out
    write(project, "legacy/pyproject.toml", '[tool."\\u0061synclint"]\nselect = ["ASY004"]\n')
    _, out, _ = check(capsys, "--show-config", str(project / "legacy"))
    assert f"# read from {project / 'legacy' / 'pyproject.toml'}" in out


def test_command_line_flags_override_the_file(project, capsys) -> None:
    write(project, ".asynclint.yml", "select: [ASY004]\nexclude: [legacy]\n")
    assert codes(check(capsys, "--select", "ASY110", str(project))[1]) == ["ASY110"]
    assert check(capsys, "--ignore", "ASY004", str(project))[0] == 0
    assert sorted(codes(check(capsys, "--extend-select", "ASY1", str(project))[1])) == [
        "ASY004", "ASY110"]


def test_isolated_and_explicit_config(project, capsys, tmp_path_factory) -> None:
    write(project, ".asynclint.yml", "ignore: [ALL]\n")
    assert check(capsys, str(project))[0] == 0
    assert sorted(codes(check(capsys, "--isolated", str(project))[1])) == [
        "ASY001", "ASY004", "ASY110"]
    elsewhere = write(tmp_path_factory.mktemp("shared"), "team.yml", "select: [ASY001]\n")
    assert codes(check(capsys, "--config", str(elsewhere), str(project))[1]) == ["ASY001"]


def test_extend_lies_under_the_local_file(project, capsys) -> None:
    write(project, "shared/base.yml", """\
ignore: [ASY110]
severity: {ASY004: info}
rules:
  ASY202: {min_duration: 5}
""")
    write(project, ".asynclint.yml", """\
extend: shared/base.yml
exclude: [legacy]
rules:
  parallelizable-sequence: {min_duration: 7}
""")
    code, out, _ = check(capsys, str(project))
    assert codes(out) == ["ASY004"] and "(1 info)" in out
    config = load_config(project)
    assert config.rules == {"ASY202": {"min_duration": 7}}
    # options merge one by one (a rule with two options keeps the one only the base sets)
    assert merge({"rules": {"ASY202": {"a": 1, "b": 2}}},
                 {"rules": {"ASY202": {"b": 3}}})["rules"] == {"ASY202": {"a": 1, "b": 3}}
    assert config.sources == (project / ".asynclint.yml", project / "shared" / "base.yml")


def test_rule_options_reach_the_rules(project) -> None:
    write(project, "pyproject.toml", "[tool.asynclint.rules.ASY202]\nmin_duration = 60\n")
    assert load_config(project / "site.yml").options() == {"ASY202": {"min_duration": 60}}


def test_show_config_prints_the_effective_settings(project, capsys) -> None:
    write(project, "pyproject.toml", """\
[tool.asynclint]
ignore = ["ASY110"]
exclude = ["legacy/*.yml"]
severity = { "async-on-static-import" = "info" }

[tool.asynclint.rules.ASY202]
min_duration = 60
""")
    code, out, err = check(capsys, "--show-config", "--extend-select", "ASY1", str(project))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"# read from {project / 'pyproject.toml'}",
        "[tool.asynclint]",
        "# select: the rules enabled by default",
        'ignore = ["ASY110"]',
        'extend-select = ["ASY1"]',
        'severity = {ASY004 = "info"}',
        'exclude = ["legacy/*.yml"]',
        f"# exclude 'legacy/*.yml' is relative to {project}",
        "",
        "[tool.asynclint.rules.ASY202]",
        "min_duration = 60",
    ]


@pytest.mark.parametrize(("name", "text", "message"), [
    (".asynclint.yml", "selct: [ASY001]\n", "`selct`: unknown key"),
    (".asynclint.yml", "select: ASY001\n", "`select`: expected a list of strings"),
    (".asynclint.yml", "ignore: [ASY999]\n", "`ignore`: unknown rule `ASY999`"),
    (".asynclint.yml", "severity: {ASY001: fatal}\n",
     "`severity.ASY001`: expected error, warning or info, not 'fatal'"),
    (".asynclint.yml", "severity: {no-such-rule: error}\n",
     "`severity.no-such-rule`: unknown rule"),
    (".asynclint.yml", "rules: {ASY109: 60}\n", "`rules.ASY109`: expected a table"),
    (".asynclint.yml", "rules: {ASY202: {min_duraton: 25}}\n",
     "`rules.ASY202.min_duraton`: unknown option of ASY202 (its options: min_duration)"),
    (".asynclint.yml", "rules: {ASY105: {foo: 1}}\n",
     "`rules.ASY105.foo`: unknown option of ASY105 (it has none)"),
    (".asynclint.yml", "rules: {ASY202: {min_duration: x}}\n",
     "`rules.ASY202.min_duration`: expected a number of seconds (0 or more), not 'x'"),
    ("pyproject.toml", "[tool.asynclint.rules.parallelizable-sequence]\nmin_duration = -1\n",
     "`rules.parallelizable-sequence.min_duration`: expected a number of seconds"),
    (".asynclint.yml", "exclude: [1]\n", "`exclude`: expected a list of strings"),
    (".asynclint.yml", "extend: missing.yml\n", "`extend`: no configuration file at"),
    (".asynclint.yml", "extend: .asynclint.yml\n", "`extend`: the files extend each other"),
    (".asynclint.yml", "select: [\n", ".asynclint.yml:2:1:"),
    (".asynclint.yml", "- ASY001\n", "the file must hold a mapping"),
    ("pyproject.toml", "[tool.asynclint]\nextend-select = [\"ASY9\"]\n",
     "`extend-select`: unknown rule `ASY9`"),
    ("pyproject.toml", "[tool.asynclint\n", "cannot read"),
])
def test_mistakes_name_the_file_and_key_and_exit_two(project, capsys, name, text,
                                                     message) -> None:
    path = write(project, name, text)
    code, out, err = check(capsys, str(project))
    assert (code, out) == (2, "")
    assert err.startswith(f"asynclint: error: {path}")
    assert message in err


def test_a_missing_explicit_config_is_a_usage_error(project, capsys) -> None:
    code, _, err = check(capsys, "--config", str(project / "nope.yml"), str(project))
    assert code == 2 and "no configuration file at" in err


def test_excluded_files_are_skipped_even_when_named(project, capsys) -> None:
    write(project, ".asynclint.yml", "exclude: ['**/old.yml']\n")
    code, out, _ = check(capsys, str(project / "legacy" / "old.yml"))
    assert code == 0 and "0 files" in out


INCLUDER = """\
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.include_tasks: lib/args.yml
"""
NESTED = """\
- ansible.builtin.command:
    cmd: sleep 1
    async: 10
"""


@pytest.mark.parametrize("command", ["check", "fix"])
def test_an_excluded_file_an_include_reaches_is_read_but_not_reported(
        tmp_path, capsys, command) -> None:
    write(tmp_path, "site.yml", INCLUDER)
    write(tmp_path, "lib/args.yml", NESTED)
    code, out, _ = check(capsys, str(tmp_path / "site.yml")) if command == "check" else \
        (main(["fix", str(tmp_path / "site.yml")]), *capsys.readouterr())
    assert code == 1 and "lib/args.yml:3:5: ASY006" in out, out
    write(tmp_path, ".asynclint.yml", "exclude: [lib]\n")
    code, out, _ = check(capsys, str(tmp_path / "site.yml")) if command == "check" else \
        (main(["fix", str(tmp_path / "site.yml")]), *capsys.readouterr())
    assert code == 0 and "ASY006" not in out and "2 files" in out, out


def test_a_finding_in_a_file_only_an_include_reaches_offers_no_fix(tmp_path, capsys) -> None:
    """`asynclint fix` changes only the files it is given: a finding in a file it reaches
    through an include is not fixable from there, and `check` says so; named too, it is."""
    write(tmp_path, "site.yml", INCLUDER)
    write(tmp_path, "lib/args.yml", NESTED)
    code, out, _ = check(capsys, "--no-cache", str(tmp_path / "site.yml"))
    assert code == 1 and "(fix:" not in out and "fixable" not in out, out
    code, out, _ = check(capsys, "--no-cache", str(tmp_path / "site.yml"),
                         str(tmp_path / "lib" / "args.yml"))
    assert code == 1 and "ASY006" in out and "1 fixable with `asynclint fix`" in out, out


@pytest.mark.parametrize(("glob", "path", "matched"), [
    ("legacy", "legacy/old.yml", True),
    ("legacy/", "legacy/deep/old.yml", True),
    ("legacy/*.yml", "legacy/old.yml", True),
    ("**/old.yml", "old.yml", True),
    ("**/old.yml", "a/b/old.yml", True),
    ("legacy", "legacy_not/old.yml", False),
    ("*.yaml", "old.yml", False),
])
def test_exclude_globs_are_relative_to_the_config_folder(tmp_path, glob, path,
                                                         matched) -> None:
    assert Exclude(tmp_path.resolve(), glob).matches(tmp_path / path) is matched
    assert Exclude((tmp_path / "sub").resolve(), glob).matches(tmp_path / path) is False


def test_fix_reads_the_configuration_too(project, capsys) -> None:
    write(project, ".asynclint.yml", "exclude: [legacy]\nignore: [ASY004]\n")
    old = (project / "legacy" / "old.yml").read_text(encoding="utf-8")
    assert main(["fix", str(project / "legacy" / "old.yml"), str(project / "site.yml")]) == 1
    capsys.readouterr()
    assert (project / "legacy" / "old.yml").read_text(encoding="utf-8") == old
    site = (project / "site.yml").read_text(encoding="utf-8")
    assert "poll: 5" not in site and "async: 60" in site  # ASY110 fixed, ASY004 ignored
    assert main(["fix", "--isolated", str(project / "site.yml")]) == 1
    assert "async: 60" not in (project / "site.yml").read_text(encoding="utf-8")
