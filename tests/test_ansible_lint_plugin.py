"""The ansible-lint plugin, installed from the built wheel next to the real ansible-lint.

One virtual environment per session: the wheel built from this checkout and
ansible-lint 26.10.1 from PyPI. ansible-lint runs offline on small projects.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest

from asynclint.links import rules_index_url

# One worker builds the expensive environment once and runs every test that needs it.
pytestmark = pytest.mark.xdist_group("ansible-lint-venv")

ROOT = Path(__file__).resolve().parent.parent
ANSIBLE_LINT = "ansible-lint==26.10.1"
PLAYBOOK = """\
---
- name: Site
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Import slow tasks
      ansible.builtin.import_tasks: slow.yml
      async: 60{noqa}
      poll: 0
    - name: Sleep
      ansible.builtin.command: sleep 1
      poll: 5
      changed_when: false
"""
SLOW = """\
---
- name: Sleep a while
  ansible.builtin.command: sleep 1
  changed_when: false
"""
STATIC_IMPORT = ("asynclint[async-on-static-import]", 8)
POLL_ONLY = ("asynclint[poll-without-async]", 12)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout, built once per session."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True)
    (built,) = out.glob("asynclint-*.whl")
    return built


@pytest.fixture(scope="session")
def lint_env(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> dict[str, str]:
    """A fresh virtual environment with the wheel and ansible-lint: its environment variables."""
    folder = tmp_path_factory.mktemp("venv")
    venv.create(folder, with_pip=True)
    bin_dir = folder / "bin"
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel),
                    ANSIBLE_LINT], check=True, capture_output=True)
    home = tmp_path_factory.mktemp("home")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ANSIBLE", "PYTHON", "VIRTUAL_ENV"))}
    return {**env, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", "HOME": str(home),
            "NO_COLOR": "1"}


def project(folder: Path, config: str = "", noqa: str = "") -> Path:
    (folder / "site.yml").write_text(PLAYBOOK.format(noqa=noqa), encoding="utf-8")
    (folder / "slow.yml").write_text(SLOW, encoding="utf-8")
    if config:
        (folder / ".ansible-lint").write_text(config, encoding="utf-8")
    return folder


def ansible_lint(folder: Path, env: dict[str, str], report: str = "codeclimate") -> tuple[int, Any]:
    """Run the real ansible-lint; its report in the format ``report`` (JSON)."""
    process = subprocess.run(
        ["ansible-lint", "--offline", "--nocolor", "-f", report, "site.yml"],
        cwd=folder, env=env, capture_output=True, text=True, check=False,
    )
    assert process.stdout.startswith(("[", "{")), process.stdout + process.stderr
    return process.returncode, json.loads(process.stdout)


def found(issues: list[dict]) -> list[tuple[str, int]]:
    return sorted((issue["check_name"], issue["location"]["positions"]["begin"]["line"])
                  for issue in issues)


def test_findings_appear_with_asynclint_ids(tmp_path, lint_env) -> None:
    code, issues = ansible_lint(project(tmp_path), lint_env)
    assert code == 2
    assert found(issues) == [STATIC_IMPORT, POLL_ONLY]
    assert any(issue["description"].endswith("(ASY004)") for issue in issues)


def test_findings_appear_in_ansible_lints_sarif(tmp_path, lint_env) -> None:
    code, sarif = ansible_lint(project(tmp_path), lint_env, "sarif")
    run = sarif["runs"][0]
    assert code == 2
    assert sorted((result["ruleId"],
                   result["locations"][0]["physicalLocation"]["region"]["startLine"])
                  for result in run["results"]) == [STATIC_IMPORT, POLL_ONLY]
    assert {rule["helpUri"] for rule in run["tool"]["driver"]["rules"]} == {rules_index_url()}


def test_skip_list_removes_a_rule(tmp_path, lint_env) -> None:
    config = "skip_list:\n  - asynclint[poll-without-async]\n"
    code, issues = ansible_lint(project(tmp_path, config), lint_env)
    assert (code, found(issues)) == (2, [STATIC_IMPORT])


def test_skip_list_with_the_rule_id_removes_all(tmp_path, lint_env) -> None:
    code, issues = ansible_lint(project(tmp_path, "skip_list:\n  - asynclint\n"), lint_env)
    assert (code, issues) == (0, [])


def test_warn_list_makes_findings_warnings(tmp_path, lint_env) -> None:
    config = ("warn_list:\n  - asynclint[poll-without-async]\n"
              "  - asynclint[async-on-static-import]\n")
    code, issues = ansible_lint(project(tmp_path, config), lint_env)
    assert code == 0
    assert found(issues) == [STATIC_IMPORT, POLL_ONLY]
    assert {issue["severity"] for issue in issues} == {"minor"}


def test_noqa_with_the_sub_tag(tmp_path, lint_env) -> None:
    folder = project(tmp_path, noqa="  # noqa: asynclint[async-on-static-import]")
    code, issues = ansible_lint(folder, lint_env)
    assert (code, found(issues)) == (2, [POLL_ONLY])


@pytest.mark.parametrize(("config", "expected"), [
    ("profile: production\n", []),
    ("profile: production\nenable_list:\n  - asynclint\n", [STATIC_IMPORT, POLL_ONLY]),
])
def test_under_a_profile_the_rule_must_be_enabled(tmp_path, lint_env, config, expected) -> None:
    _, issues = ansible_lint(project(tmp_path, config), lint_env)
    assert found(issues) == expected


def test_wheel_installs_the_plugin_under_ansible_lints_custom_rules(wheel) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"ansiblelint/rules/custom/asynclint/__init__.py",
            "ansiblelint/rules/custom/asynclint/asynclint_rule.py"} <= names
    assert not any(name.startswith("asynclint/integrations/ansible_lint/") for name in names)
    assert not any(name.startswith("ansiblelint/") and "custom/asynclint/" not in name
                   for name in names)
