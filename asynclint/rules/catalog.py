"""The registry of rules: for each, what its module declares, read without importing it.

Choosing rules (selection, configuration, the prefilter, the cache key, ``asynclint rules``)
needs only this, so that a run that lints nothing (a cache hit, or nothing the prefilter
keeps) never loads a rule module. Rules are listed in this order. An entry repeats its
module's ``CODE``, ``NAME``, ``SEVERITY``, ``FIX``, first docstring line and ``ENABLED``;
``tests/test_rule_catalog.py`` keeps them equal.
"""

from __future__ import annotations

from typing import Callable

from asynclint.findings import Severity
from asynclint.structs import struct

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@struct(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: Severity
    fix: str | None  # "safe", "unsafe", "display-only" or None: what the rule's fixes are
    summary: str
    enabled: bool = True

    @property
    def module(self) -> str:
        """The rule's module, named after the rule with ``_`` for ``-``."""
        return f"asynclint.rules.{self.name.replace('-', '_')}"


CATALOG: tuple[RuleInfo, ...] = (
    RuleInfo("ASY000", "syntax-error", ERROR, None,
             "Invalid YAML, or a file that cannot be read as UTF-8 text."),
    RuleInfo("ASY001", "async-on-block", ERROR, "safe",
             "`async` or `poll` on a `block`."),
    RuleInfo("ASY002", "async-on-play", ERROR, "unsafe",
             "`async` or `poll` on a play."),
    RuleInfo("ASY003", "async-on-dynamic-include", ERROR, "unsafe",
             "`async` or `poll` on `include_tasks` or `include_role`."),
    RuleInfo("ASY004", "async-on-static-import", ERROR, "safe",
             "`async` or `poll` on `import_tasks` or `import_role`."),
    RuleInfo("ASY005", "async-unsupported-action", ERROR, None,
             "`async` on an action that cannot run in the background."),
    RuleInfo("ASY006", "async-in-module-args", ERROR, "safe",
             "`async` or `poll` indented under a module's arguments."),
    RuleInfo("ASY101", "until-on-stale-launch-result", ERROR, "safe",
             "`until` that tests the variable registered by a `poll: 0` launch."),
    RuleInfo("ASY102", "wait-loop-over-register-dict", ERROR, "safe",
             "A wait that loops over a looped launch's register instead of its `.results`."),
    RuleInfo("ASY103", "jid-from-looped-register", ERROR, "safe",
             "`jid` read from the top level of a looped launch's register."),
    RuleInfo("ASY104", "launch-result-conditional", ERROR, "unsafe",
             "`changed_when`/`failed_when` on a `poll: 0` launch that read the job's output."),
    RuleInfo("ASY105", "job-never-awaited", WARNING, "unsafe",
             "A registered `poll: 0` job that no `async_status` ever waits for."),
    RuleInfo("ASY106", "wait-after-cleanup", ERROR, None,
             "`async_status` with `mode: cleanup` on a job that is waited for afterwards."),
    RuleInfo("ASY107", "retries-zero-with-until", ERROR, "safe",
             "`until` with `retries: 0`."),
    RuleInfo("ASY108", "until-without-retries", WARNING, "safe",
             "`until` without `retries`."),
    RuleInfo("ASY109", "wait-budget-too-short", WARNING, "safe",
             "An `async_status` wait that gives up before the job's `async` limit."),
    RuleInfo("ASY110", "poll-without-async", WARNING, "safe",
             "`poll` on a task without `async`."),
    RuleInfo("ASY111", "async-without-poll", INFO, "display-only",
             "`async` without `poll`."),
    RuleInfo("ASY112", "unguarded-wait-on-conditional-launch", WARNING, "safe",
             "A wait on a launch that runs under `when:`, without a guard of its own."),
    RuleInfo("ASY113", "wait-on-polled-job", ERROR, None,
             "`async_status` on a job that Ansible already polled to the end."),
    RuleInfo("ASY114", "until-on-launch-task", ERROR, "unsafe",
             "`until` on the `poll: 0` launch itself."),
    RuleInfo("ASY115", "unawaited-result-used", ERROR, None,
             "Job output read from the result a `poll: 0` launch registered."),
    RuleInfo("ASY116", "loop-var-collision", WARNING, "safe",
             "A loop inside a looped include that uses the include's loop variable again."),
    RuleInfo("ASY117", "status-check-without-until", WARNING, "safe",
             "`async_status` without `until`."),
    RuleInfo("ASY118", "async-context-mismatch", WARNING, None,
             "A wait that runs as another user, on another host or with another async directory."),
    RuleInfo("ASY201", "concurrent-resource-conflict", WARNING, None,
             "Two background jobs running at once that touch the same path or package lock."),
    RuleInfo("ASY202", "parallelizable-sequence", INFO, None,
             "Long-running, independent tasks that run one after another.", enabled=False),
    RuleInfo("ASY203", "sequential-async-loop", INFO, None,
             "A looped task with `async` and `poll` > 0."),
    RuleInfo("ASY301", "reboot-via-async-shell", INFO, None,
             "A reboot started in the background with `shell`/`command`, then awaited."),
)
_BY_CODE = {info.code: info for info in CATALOG}
_BY_NAME = {info.name: info for info in CATALOG}


def _seconds(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and 0 <= value < float("inf")


#: The options each rule reads (``[tool.asynclint.rules.CODE]``): for each, what its value
#: must be, said and tested. The configuration refuses any other option and a bad value, naming
#: the file and the key; ``tests/test_rule_catalog.py`` checks that a rule reads only these.
OPTIONS: dict[str, dict[str, tuple[str, Callable[[object], bool]]]] = {
    "ASY202": {"min_duration": ("a number of seconds (0 or more)", _seconds)},
}


def find_info(code_or_name: str) -> RuleInfo | None:
    return _BY_CODE.get(code_or_name.upper()) or _BY_NAME.get(code_or_name.lower())
