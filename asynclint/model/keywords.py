"""What Ansible treats as a keyword, and how an action name is spelled.

The keyword sets mirror ansible-core's ``Task``, ``Block`` and ``Play``
attributes (a test compares them with the installed ansible-core).
"""

from __future__ import annotations

TASK_KEYWORDS = frozenset(
    {
        "action", "any_errors_fatal", "args", "async", "become", "become_exe", "become_flags",
        "become_method", "become_user", "changed_when", "check_mode", "collections",
        "connection", "debugger", "delay", "delegate_facts", "delegate_to", "diff",
        "environment", "failed_when", "ignore_errors", "ignore_unreachable", "local_action",
        "loop", "loop_control", "module_defaults", "name", "no_log", "notify", "poll", "port",
        "register", "remote_user", "retries", "run_once", "tags", "throttle", "timeout",
        "until", "vars", "when", "listen",
    }
)
BLOCK_KEYWORDS = frozenset(
    {
        "always", "any_errors_fatal", "become", "become_exe", "become_flags", "become_method",
        "become_user", "block", "check_mode", "collections", "connection", "debugger",
        "delegate_facts", "delegate_to", "diff", "environment", "ignore_errors",
        "ignore_unreachable", "module_defaults", "name", "no_log", "notify", "port",
        "remote_user", "rescue", "run_once", "tags", "throttle", "timeout", "vars", "when",
    }
)
PLAY_KEYWORDS = frozenset(
    {
        "any_errors_fatal", "become", "become_exe", "become_flags", "become_method",
        "become_user", "check_mode", "collections", "connection", "debugger", "diff",
        "environment", "fact_path", "force_handlers", "gather_facts", "gather_subset",
        "gather_timeout", "handlers", "hosts", "ignore_errors", "ignore_unreachable",
        "max_fail_percentage", "module_defaults", "name", "no_log", "order", "port",
        "post_tasks", "pre_tasks", "remote_user", "roles", "run_once", "serial", "strategy",
        "tags", "tasks", "throttle", "timeout", "vars", "vars_files", "vars_prompt",
    }
)
PLAY_SECTIONS = ("pre_tasks", "tasks", "post_tasks", "handlers")
BLOCK_SECTIONS = ("block", "rescue", "always")
ASYNC_KEYS = ("async", "poll")

_PREFIXES = ("ansible.builtin.", "ansible.legacy.")


def short_name(action: str) -> str:
    """``ansible.builtin.command`` and ``ansible.legacy.command`` are ``command``."""
    if not action.startswith("ansible."):
        return action
    for prefix in _PREFIXES:
        if action.startswith(prefix):
            return action[len(prefix):]
    return action


def is_builtin_spelling(action: str) -> bool:
    """True for ``x``, ``ansible.builtin.x`` and ``ansible.legacy.x``."""
    return "." not in short_name(action)


def is_task_keyword(key: str) -> bool:
    return key in TASK_KEYWORDS or key.startswith("with_")


INCLUDE_TASKS = "include_tasks"
IMPORT_TASKS = "import_tasks"
INCLUDE_ROLE = "include_role"
IMPORT_ROLE = "import_role"
IMPORT_PLAYBOOK = "import_playbook"
INCLUDE_ACTIONS = frozenset({INCLUDE_TASKS, IMPORT_TASKS, INCLUDE_ROLE, IMPORT_ROLE})
DYNAMIC_INCLUDES = frozenset({INCLUDE_TASKS, INCLUDE_ROLE})
STATIC_IMPORTS = frozenset({IMPORT_TASKS, IMPORT_ROLE})


_KINDS = {prefix + kind: kind for kind in (*INCLUDE_ACTIONS, IMPORT_PLAYBOOK)
          for prefix in ("", *_PREFIXES)}
INCLUDE_SPELLINGS = frozenset(_KINDS)  # every name :func:`include_kind` knows


def include_kind(action: str | None) -> str | None:
    """``include_tasks`` etc. for any spelling of an include or import action."""
    return None if action is None else _KINDS.get(action)
