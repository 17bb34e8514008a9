"""The machine formats (SARIF, CodeClimate, GitHub annotations), format choice and colour."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest

from asynclint.cli import main
from asynclint.links import HOMEPAGE, rule_url
from asynclint.output import FORMATS, formatter
from asynclint.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())

WRONG = """\
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.import_tasks: one.yml
      async: 60
      poll: 0
    - ansible.builtin.import_tasks: one.yml
      async: 60
      poll: 0
    - block:
        - ansible.builtin.command: sleep 1
      async: 10
      poll: 2
"""
SHIFTED = WRONG.replace("  tasks:\n", "  tasks:\n    - name: a new task above\n"
                        "      ansible.builtin.command: 'true'\n")


def check(capsys, *args: str) -> tuple[int, str]:
    code = main(["check", *args])
    return code, capsys.readouterr().out


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    (path.parent / "one.yml").write_text("- ansible.builtin.command: 'true'\n", encoding="utf-8")
    return path


def sarif(capsys, *paths: Path) -> dict:
    code, out = check(capsys, "--format", "sarif", *map(str, paths))
    assert code == 1
    return json.loads(out)


def validate_sarif(log: dict) -> None:
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_sarif_validates_against_the_official_schema(tmp_path, capsys, monkeypatch) -> None:
    work = tmp_path / "work"
    write(work, "with space/play.yml", WRONG)
    (work / "broken.yml").write_text("- hosts: all\n  tasks: [\n", encoding="utf-8")
    absolute = write(tmp_path / "elsewhere", "p.yml", WRONG)  # outside: reported absolute
    monkeypatch.chdir(work)
    log = sarif(capsys, Path("with space/play.yml"), Path("broken.yml"), absolute)
    validate_sarif(log)
    results = log["runs"][0]["results"]
    assert {result["ruleId"] for result in results} == {"ASY000", "ASY001", "ASY004"}
    uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for result in results}
    assert "with%20space/play.yml" in uris and absolute.as_uri() in uris


def test_sarif_rules_carry_help_and_links(tmp_path, capsys) -> None:
    log = sarif(capsys, write(tmp_path, "play.yml", WRONG))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == HOMEPAGE
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in RULES]
    for described, rule in zip(driver["rules"], RULES, strict=True):
        assert described["helpUri"] == rule_url(rule.code)
        assert described["help"]["markdown"] == rule.doc
        assert described["shortDescription"]["text"] == rule.summary
    for result in log["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def fingerprints_by_line(log: dict) -> dict[str, int]:
    return {
        result["partialFingerprints"]["asynclint/v1"]:
            result["locations"][0]["physicalLocation"]["region"]["startLine"]
        for result in log["runs"][0]["results"]
    }


def test_sarif_fingerprints_survive_moved_lines(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, "play.yml", WRONG)
    before = fingerprints_by_line(sarif(capsys, Path("play.yml")))
    path.write_text(SHIFTED, encoding="utf-8")
    after = fingerprints_by_line(sarif(capsys, Path("play.yml")))
    assert len(before) == 3, "two identical findings must get two fingerprints"
    assert set(before) == set(after)
    assert all(after[key] == before[key] + 2 for key in before)


def test_codeclimate_report(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "play.yml", WRONG)
    code, out = check(capsys, "--format", "codeclimate", "play.yml")
    issues = json.loads(out)
    assert code == 1 and len(issues) == 3
    for issue in issues:
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == "play.yml"
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["check_name"].split()[0] in {"ASY001", "ASY004"}
        assert issue["description"]
    assert [issue["location"]["lines"]["begin"] for issue in issues] == [5, 8, 12]
    assert len({issue["fingerprint"] for issue in issues}) == 3


def test_codeclimate_and_sarif_share_fingerprints(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "play.yml", WRONG)
    from_sarif = set(fingerprints_by_line(sarif(capsys, Path("play.yml"))))
    _, out = check(capsys, "--format", "codeclimate", "play.yml")
    assert {issue["fingerprint"] for issue in json.loads(out)} == from_sarif


def test_github_annotations(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a,b:c.yml", WRONG)
    code, out = check(capsys, "--format", "github", "a,b:c.yml")
    lines = out.splitlines()
    assert code == 1
    assert lines[2] == (
        "::error file=a%2Cb%3Ac.yml,line=12,col=7,endLine=12,endColumn=12,"
        "title=ASY001 async-on-block::Ansible rejects `async`/`poll` on a block ('async' is not "
        "a valid attribute for a Block): set it on the tasks inside the block"
    )
    assert lines[0].startswith("::error file=a%2Cb%3Ac.yml,line=5,col=7,")
    assert lines[-1].startswith("Found 3 findings")


@pytest.mark.parametrize(("environment", "flags", "expected"), [
    ({"GITHUB_ACTIONS": "true"}, (), "::error "),
    ({"GITHUB_ACTIONS": "true"}, ("--format", "text"), "play.yml:5:7: ASY004"),
    ({"GITHUB_ACTIONS": "true"}, ("--format", "auto"), "::error "),
    ({}, (), "play.yml:5:7: ASY004"),
    ({"GITHUB_ACTIONS": "false"}, (), "play.yml:5:7: ASY004"),
])
def test_github_format_is_chosen_under_actions(tmp_path, capsys, monkeypatch, environment,
                                               flags, expected) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    write(tmp_path, "play.yml", WRONG)
    _, out = check(capsys, *flags, "play.yml")
    assert out.startswith(expected)


def run_on_a_terminal(folder: Path, environment: dict[str, str]) -> str:
    """Run the real command with its standard output on a pseudo-terminal."""
    leader, follower = pty.openpty()
    env = {key: value for key, value in os.environ.items()
           if key not in ("NO_COLOR", "GITHUB_ACTIONS")}
    process = subprocess.Popen(
        [sys.executable, "-m", "asynclint", "check", "play.yml"], cwd=folder,
        stdout=follower, stderr=subprocess.PIPE, env={**env, **environment},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait()
    os.close(leader)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_names_a_formatter(name: str) -> None:
    assert formatter(name)([], 0, False).endswith("\n")


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path, capsys) -> None:
    write(tmp_path, "play.yml", WRONG)
    assert "\033[" in run_on_a_terminal(tmp_path, {})
    assert "\033[" not in run_on_a_terminal(tmp_path, {"NO_COLOR": "1"})
    piped = subprocess.run([sys.executable, "-m", "asynclint", "check", "play.yml"],
                           cwd=tmp_path, capture_output=True, text=True, check=False)
    assert piped.returncode == 1 and "ASY004" in piped.stdout and "\033[" not in piped.stdout


def test_homepage_is_the_projects_url() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["urls"]["Homepage"] == HOMEPAGE
    assert rule_url("ASY001") == f"{HOMEPAGE}/blob/main/docs/rules/ASY001.md"
    assert (ROOT / "docs" / "rules").is_dir()
