"""Run the real ``ansible-playbook`` on localhost, isolated from the machine.

Every claim asynclint makes about Ansible is re-proven with these helpers:
no mock of Ansible's behaviour anywhere in the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

INVENTORY = "localhost ansible_connection=local ansible_python_interpreter={python}\n"


@dataclass(frozen=True)
class AnsibleResult:
    rc: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def ansible_playbook_bin() -> str:
    """The ``ansible-playbook`` next to the running interpreter, else the one on PATH."""
    candidate = Path(sys.executable).with_name("ansible-playbook")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("ansible-playbook")
    if found is None:
        raise RuntimeError("ansible-playbook is not installed; install the 'test' extra")
    return found


def ansible_env(workdir: Path) -> dict[str, str]:
    """An environment that keeps every Ansible side effect inside ``workdir``."""
    workdir = workdir.resolve()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    (workdir / "tmp").mkdir(parents=True, exist_ok=True)
    env.update(
        TMPDIR=str(workdir / "tmp"),  # where a module's payload is unpacked (and left if killed)
        ANSIBLE_ASYNC_DIR=str(workdir / "async"),
        ANSIBLE_REMOTE_TMP=str(workdir / "remote_tmp"),
        ANSIBLE_LOCAL_TEMP=str(workdir / "local_tmp"),
        ANSIBLE_HOME=str(workdir / "ansible_home"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_HOST_KEY_CHECKING="0",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_DEPRECATION_WARNINGS="0",
        ANSIBLE_SYSTEM_WARNINGS="0",
        ANSIBLE_STDOUT_CALLBACK="default",
        ANSIBLE_CONFIG=str(workdir / "ansible.cfg"),
        PYTHONHASHSEED="0",
    )
    return env


def run_playbook(
    playbook: Path,
    workdir: Path,
    *,
    syntax_check: bool = False,
    extra_vars: dict[str, str] | None = None,
    extra_args: tuple[str, ...] = (),
    timeout: float = 300,
) -> AnsibleResult:
    """Run ``ansible-playbook`` on ``playbook`` against localhost (``connection: local``)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "ansible.cfg").write_text("[defaults]\n", encoding="utf-8")
    inventory = workdir / "inventory.ini"
    inventory.write_text(INVENTORY.format(python=sys.executable), encoding="utf-8")
    cmd = [ansible_playbook_bin(), "-i", str(inventory), str(playbook)]
    if syntax_check:
        cmd.append("--syntax-check")
    for key, value in (extra_vars or {}).items():
        cmd += ["-e", f"{key}={value}"]
    cmd += list(extra_args)
    proc = subprocess.run(
        cmd,
        cwd=str(playbook.parent),
        env=ansible_env(workdir),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return AnsibleResult(proc.returncode, proc.stdout, proc.stderr)
