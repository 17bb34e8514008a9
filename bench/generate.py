"""Generate a deterministic, realistic Ansible repository for benchmarking asynclint.

Usage::

    python bench/generate.py OUT_DIR --tasks N [--seed S] [--force]

The tree looks like a real infrastructure repository: roles (tasks with include chains,
nested blocks and loops, handlers, defaults, vars, meta, templates, molecule scenarios),
playbooks at the top that apply the roles, inventories with group_vars/host_vars, and plenty of
YAML that is not Ansible at all (Kubernetes manifests, GitHub Actions and GitLab CI configs,
docker-compose files, Helm values, pre-commit and mkdocs configs, changelog fragments).

About 1% of the YAML files mention ``async``, ``poll`` or ``async_status``, as in real public
code: correct launches with their ``async_status`` waits, synchronous ``async`` with ``poll``,
and the usual mistakes (``async`` on a block, ``until`` on the launch register, ``poll``
without ``async``, ``async`` on ``import_tasks`` or on an action without async support...).
A few non-Ansible files mention the words too, as configuration keys.

``--tasks`` sets the number of tasks (every task entry of a task list, handlers included,
blocks excluded); the output holds that many within a fraction of a percent. The same seed
always gives a byte-identical tree: the only source of randomness is ``random.Random(seed)``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

GENERATOR_VERSION = 2

#: Share of YAML files that mention async, poll or async_status.
ASYNC_FILE_SHARE = 0.011

# --------------------------------------------------------------------------------------------
# A tiny YAML emitter: generated text must look hand-written and stay under our control
# (comments, quoting styles, flow collections, block scalars), so no dumper is used.
# --------------------------------------------------------------------------------------------


class Flow(dict):
    """A mapping rendered in flow style: ``{a: 1, b: 2}``."""


class FlowList(list):
    """A sequence rendered in flow style: ``[a, b]``."""


class Literal(str):
    """A string rendered as a ``|`` block scalar."""


class Folded(str):
    """A string rendered as a ``>`` block scalar."""


@dataclass(frozen=True)
class Trailing:
    """A scalar followed by a trailing comment."""

    value: object
    comment: str


COMMENT = "#"  # key of a leading comment in a mapping, rendered before the mapping

_PLAIN_UNSAFE_START = set("{[&*!|>'\"%@`#,?-:")
_RESERVED = {
    "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n",
    "True", "False", "Yes", "No", "On", "Off", "Null", "TRUE", "FALSE", "NULL",
}


def _needs_quotes(s: str) -> bool:
    if not s or s != s.strip():
        return True
    if s[0] in _PLAIN_UNSAFE_START or s in _RESERVED:
        return True
    if ": " in s or " #" in s or s.endswith(":") or "\t" in s or "\n" in s:
        return True
    try:
        float(s)
        return True
    except ValueError:
        return False


def scalar(v: object) -> str:
    if isinstance(v, Trailing):
        return f"{scalar(v.value)}  # {v.comment}"
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return str(v)
    s = str(v)
    if isinstance(v, SingleQuoted):
        return "'" + s.replace("'", "''") + "'"
    if _needs_quotes(s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s


class SingleQuoted(str):
    """A string rendered in single quotes."""


def flow(v: object) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    return scalar(v)


def emit_mapping(d: dict, indent: int, out: list[str], first_prefix: str | None = None) -> None:
    pad = " " * indent
    first = True
    for k, v in d.items():
        if k == COMMENT:
            continue
        lead = first_prefix if (first and first_prefix is not None) else pad
        first = False
        if isinstance(v, (Flow, FlowList)):
            out.append(f"{lead}{k}: {flow(v)}")
        elif isinstance(v, dict):
            if not v:
                out.append(f"{lead}{k}: {{}}")
            else:
                out.append(f"{lead}{k}:")
                emit_mapping(v, indent + 2, out)
        elif isinstance(v, list):
            if not v:
                out.append(f"{lead}{k}: []")
            else:
                out.append(f"{lead}{k}:")
                emit_sequence(v, indent + 2, out)
        elif isinstance(v, (Literal, Folded)):
            out.append(f"{lead}{k}: {'|' if isinstance(v, Literal) else '>'}")
            for line in str(v).splitlines():
                out.append(f"{pad}  {line}" if line else "")
        else:
            out.append(f"{lead}{k}: {scalar(v)}")


def emit_sequence(items: list, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for it in items:
        if isinstance(it, dict) and COMMENT in it:
            out.append(f"{pad}# {it[COMMENT]}")
        if isinstance(it, (Flow, FlowList)):
            out.append(f"{pad}- {flow(it)}")
        elif isinstance(it, dict) and any(k != COMMENT for k in it):
            emit_mapping(it, indent + 2, out, first_prefix=f"{pad}- ")
        elif isinstance(it, list):
            out.append(f"{pad}- {flow(it)}")
        else:
            out.append(f"{pad}- {scalar(it)}")


def render_list_doc(items: list, header: list[str], start: bool = True) -> str:
    out: list[str] = []
    if start:
        out.append("---")
    out.extend(f"# {h}" if h else "#" for h in header)
    emit_sequence(items, 0, out)
    return "\n".join(out) + "\n"


def render_map_doc(d: dict, header: list[str], start: bool = True) -> str:
    out: list[str] = []
    if start:
        out.append("---")
    out.extend(f"# {h}" if h else "#" for h in header)
    if d:
        emit_mapping(d, 0, out)
    else:
        out.append("{}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

ROLE_BASES = [
    "nginx", "postgres", "redis", "haproxy", "nodejs", "java", "docker", "kubelet", "etcd",
    "prometheus", "grafana", "elasticsearch", "kafka", "zookeeper", "rabbitmq", "mysql",
    "mongodb", "memcached", "consul", "vault", "jenkins", "gitlab_runner", "minio", "ceph",
    "bind", "chrony", "sshd", "users", "firewall", "logrotate", "rsyslog", "fluentd",
    "certbot", "backup", "node_exporter", "common", "base", "sysctl", "tomcat", "php_fpm",
    "keepalived", "squid", "openvpn", "wireguard", "samba", "nfs", "cron", "app", "webapp",
    "api", "worker", "scheduler", "loki", "tempo", "traefik", "coredns", "containerd", "ntp",
]
ROLE_SUFFIXES = ["", "_server", "_client", "_agent", "_config", "_install", "_cluster", "_exporter"]

HOST_GROUPS = [
    "webservers", "dbservers", "cache", "monitoring", "workers", "loadbalancers", "bastion",
    "kube_control_plane", "kube_node", "etcd", "storage", "ci_runners", "all",
]
ENVS = ["production", "staging", "development"]
PACKAGES = [
    "curl", "git", "htop", "jq", "unzip", "rsync", "vim", "tmux", "python3-pip", "ca-certificates",
    "gnupg", "lsof", "strace", "tcpdump", "net-tools", "openssl", "acl", "sudo", "tar", "bzip2",
    "logrotate", "chrony", "nfs-common", "iptables", "socat", "conntrack", "ipset", "ebtables",
]
USERS = ["deploy", "app", "backup", "monitor", "ci", "www-data", "postgres", "svc_api", "svc_worker"]
SUB_FILES = [
    "install", "configure", "service", "users", "firewall", "tls", "backup", "upgrade",
    "packages", "repository", "facts", "validate", "cleanup", "debian", "redhat", "directories",
    "logging", "monitoring", "tuning", "secrets", "database", "cluster", "plugins", "migrate",
]
SUB_DIRS = ["", "", "", "", "setup/", "config/", "os/"]
VERBS = [
    "Ensure", "Install", "Configure", "Create", "Deploy", "Copy", "Render", "Set", "Check",
    "Update", "Remove", "Enable", "Register", "Gather", "Validate", "Download", "Fetch",
]
OBJECTS = [
    "configuration", "packages", "service unit", "data directory", "log directory", "TLS bundle",
    "system user", "repository key", "environment file", "sysctl settings", "limits",
    "cron entry", "firewall rules", "backup script", "health endpoint", "release archive",
]
COMMENTS = [
    "keep in sync with the upstream defaults",
    "TODO: move this to a handler once the restart is idempotent",
    "required on first boot only",
    "see docs/operations.md for the rationale",
    "the distribution package is too old here",
    "idempotent: guarded by creates",
    "FIXME: pin the version",
    "managed by the platform team",
    "this mirrors the production layout",
    "do not reorder, later tasks depend on it",
]


def words(rng: random.Random, n: int) -> str:
    vocab = [
        "service", "cluster", "node", "config", "release", "data", "cache", "index", "queue",
        "bucket", "gateway", "proxy", "backend", "frontend", "edge", "core", "metrics", "audit",
    ]
    return " ".join(rng.choice(vocab) for _ in range(n))


# --------------------------------------------------------------------------------------------
# Tasks
# --------------------------------------------------------------------------------------------


@dataclass
class Ctx:
    rng: random.Random
    role: str
    fqcn: bool  # the role's style: FQCN or short module names
    handlers: list[str]
    var_names: list[str]
    old_style: bool = False  # occasional key=value arguments


def mod(ctx: Ctx, name: str) -> str:
    fq = ctx.fqcn if ctx.rng.random() > 0.08 else not ctx.fqcn  # some mixing inside a role
    return f"ansible.builtin.{name}" if fq else name


def task_name(ctx: Ctx) -> str:
    rng = ctx.rng
    return f"{rng.choice(VERBS)} {ctx.role.replace('_', ' ')} {rng.choice(OBJECTS)}"


def _pkg_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    m = rng.choice(["apt", "apt", "package", "dnf"])
    args: dict = {"name": f"{{{{ {ctx.role}_packages }}}}", "state": rng.choice(["present", "present", "latest"])}
    t = {"name": f"Install {ctx.role.replace('_', ' ')} packages", mod(ctx, m): args}
    if m == "apt" and rng.random() < 0.5:
        args["update_cache"] = True
        args["cache_valid_time"] = 3600
    if rng.random() < 0.3:
        t["when"] = SingleQuoted("ansible_os_family == \"Debian\"") if m == "apt" else "ansible_os_family == 'RedHat'"
    return t


def _file_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    path = f"/etc/{ctx.role}/{rng.choice(['conf.d', 'certs', 'scripts', 'data', 'run'])}"
    if ctx.old_style:
        return {"name": task_name(ctx), mod(ctx, "file"): f"path={path} state=directory mode=0755"}
    return {"name": task_name(ctx), mod(ctx, "file"): {
        "path": path, "state": "directory", "owner": rng.choice(USERS), "group": rng.choice(USERS),
        "mode": SingleQuoted(rng.choice(["0755", "0750", "0700"])),
    }}


def _template_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    src = rng.choice(["main.conf.j2", "env.j2", "service.j2", "limits.conf.j2"])
    args: dict = {"src": src, "dest": f"/etc/{ctx.role}/{src[:-3]}", "mode": SingleQuoted("0644")}
    t = {"name": f"Render {ctx.role.replace('_', ' ')} {src[:-3]}", mod(ctx, "template"): args}
    if rng.random() < 0.3:
        args["validate"] = f"/usr/sbin/{ctx.role} -t -c %s"
    if ctx.handlers and rng.random() < 0.6:
        t["notify"] = rng.choice(ctx.handlers)
    return t


def _copy_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    t = {"name": task_name(ctx), mod(ctx, "copy"): {
        "dest": f"/etc/{ctx.role}/{rng.choice(['extra.conf', 'motd', 'env'])}",
        "content": Literal(f"# managed by ansible\n{ctx.role.upper()}_MODE={{{{ {ctx.role}_mode | default('standard') }}}}\n"),
        "mode": SingleQuoted("0644"),
    }}
    if ctx.handlers and rng.random() < 0.4:
        t["notify"] = [rng.choice(ctx.handlers)]
    return t


def _service_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    m = rng.choice(["service", "systemd", "systemd_service"])
    args = {"name": ctx.role, "state": rng.choice(["started", "restarted", "stopped"]), "enabled": True}
    if m != "service" and rng.random() < 0.5:
        args["daemon_reload"] = True
    return {"name": f"Ensure {ctx.role.replace('_', ' ')} is running", mod(ctx, m): args}


def _command_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    m = rng.choice(["command", "command", "shell"])
    cmd = rng.choice([
        f"/usr/local/bin/{ctx.role}-ctl status",
        f"{ctx.role} --version",
        f"test -f /etc/{ctx.role}/initialized",
        f"/opt/{ctx.role}/bin/migrate --check",
    ])
    if m == "shell" and rng.random() < 0.5:
        cmd += " | grep -q ok"
    reg = f"{ctx.role}_{rng.choice(['status', 'version', 'check', 'probe'])}"
    t: dict = {"name": task_name(ctx)}
    if rng.random() < 0.4:
        t[mod(ctx, m)] = {"cmd": cmd, "creates": f"/var/lib/{ctx.role}/.done"} if rng.random() < 0.5 else {"cmd": cmd}
    else:
        t[mod(ctx, m)] = cmd
    t["register"] = reg
    t["changed_when"] = rng.choice([False, f"'changed' in {reg}.stdout", f"{reg}.rc == 2"])
    if rng.random() < 0.3:
        t["failed_when"] = f"{reg}.rc not in [0, 2]"
    return t


def _lineinfile_loop_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    t = {"name": f"Tune {ctx.role.replace('_', ' ')} settings", mod(ctx, "lineinfile"): {
        "path": f"/etc/{ctx.role}/{ctx.role}.conf", "regexp": SingleQuoted("^{{ item.key }}="),
        "line": "{{ item.key }}={{ item.value }}",
    }}
    style = rng.random()
    if style < 0.5:
        t["loop"] = f"{{{{ {ctx.role}_settings | dict2items }}}}"
    else:
        t["with_dict"] = f"{{{{ {ctx.role}_settings }}}}"
    if rng.random() < 0.5:
        t["loop_control"] = {"label": "{{ item.key }}"}
    return t


def _user_loop_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    users = rng.sample(USERS, rng.randint(1, 3))
    t: dict = {"name": f"Create {ctx.role.replace('_', ' ')} accounts"}
    if rng.random() < 0.5:
        t[mod(ctx, "user")] = {"name": "{{ account }}", "system": True, "shell": "/usr/sbin/nologin"}
        t["loop"] = users
        t["loop_control"] = {"loop_var": "account"}
    else:
        t[mod(ctx, "user")] = {"name": "{{ item }}", "groups": ctx.role, "append": True}
        t["with_items"] = users
    return t


def _get_url_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    return {"name": f"Download {ctx.role.replace('_', ' ')} release", mod(ctx, "get_url"): {
        "url": f"https://releases.example.com/{ctx.role}/{{{{ {ctx.role}_version }}}}/{ctx.role}.tar.gz",
        "dest": f"/tmp/{ctx.role}.tar.gz",
        "checksum": f"sha256:{rng.getrandbits(128):032x}",
        "mode": SingleQuoted("0644"),
    }, "register": f"{ctx.role}_download", "until": f"{ctx.role}_download is succeeded",
        "retries": rng.choice([3, 5]), "delay": rng.choice([2, 5, 10])}


def _uri_wait_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    port = rng.choice([80, 443, 8080, 8443, 9090, 9100, 5432, 6379])
    return {"name": f"Wait for {ctx.role.replace('_', ' ')} health endpoint", mod(ctx, "uri"): {
        "url": f"http://127.0.0.1:{port}/health", "status_code": 200,
    }, "register": f"{ctx.role}_health", "until": f"{ctx.role}_health.status == 200",
        "retries": rng.choice([10, 30, 60]), "delay": rng.choice([1, 2, 5])}


def _set_fact_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    return {"name": f"Compute {ctx.role.replace('_', ' ')} facts", mod(ctx, "set_fact"): {
        f"{ctx.role}_endpoint": f"{{{{ ansible_default_ipv4.address }}}}:{rng.randint(1024, 65000)}",
        f"{ctx.role}_is_primary": "{{ inventory_hostname == groups[%s][0] }}" % repr(rng.choice(HOST_GROUPS[:-1])),
    }}


def _debug_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    if rng.random() < 0.5:
        return {"name": f"Show {ctx.role.replace('_', ' ')} settings",
                mod(ctx, "debug"): {"var": f"{ctx.role}_settings"}, "tags": ["never", "debug"]}
    return {"name": f"Report {ctx.role.replace('_', ' ')} version", mod(ctx, "debug"): {
        "msg": f"{ctx.role} {{{{ {ctx.role}_version }}}} on {{{{ inventory_hostname }}}}", "verbosity": 1}}


def _stat_task(ctx: Ctx) -> dict:
    return {"name": f"Check {ctx.role.replace('_', ' ')} marker", mod(ctx, "stat"): {
        "path": f"/var/lib/{ctx.role}/.initialized"}, "register": f"{ctx.role}_marker"}


def _assert_task(ctx: Ctx) -> dict:
    return {"name": f"Validate {ctx.role.replace('_', ' ')} inputs", mod(ctx, "assert"): {
        "that": [f"{ctx.role}_version is defined", f"{ctx.role}_port | int > 0"],
        "fail_msg": f"{ctx.role} needs a version and a port",
    }}


def _unarchive_task(ctx: Ctx) -> dict:
    return {"name": f"Unpack {ctx.role.replace('_', ' ')} release", mod(ctx, "unarchive"): {
        "src": f"/tmp/{ctx.role}.tar.gz", "dest": f"/opt/{ctx.role}", "remote_src": True,
        "creates": f"/opt/{ctx.role}/bin",
    }}


def _cron_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    return {"name": f"Schedule {ctx.role.replace('_', ' ')} maintenance", mod(ctx, "cron"): {
        "name": f"{ctx.role} maintenance", "minute": str(rng.randint(0, 59)), "hour": str(rng.randint(0, 5)),
        "job": f"/usr/local/bin/{ctx.role}-maintenance >/dev/null 2>&1",
    }}


def _git_task(ctx: Ctx) -> dict:
    return {"name": f"Checkout {ctx.role.replace('_', ' ')} sources", mod(ctx, "git"): {
        "repo": f"https://git.example.com/infra/{ctx.role}.git", "dest": f"/opt/src/{ctx.role}",
        "version": f"{{{{ {ctx.role}_version }}}}", "force": False,
    }}


def _wait_for_task(ctx: Ctx) -> dict:
    rng = ctx.rng
    return {"name": f"Wait for {ctx.role.replace('_', ' ')} port", mod(ctx, "wait_for"): Flow({
        "port": f"{{{{ {ctx.role}_port }}}}", "host": "127.0.0.1", "timeout": rng.choice([30, 60, 120]),
    })}


def _include_vars_task(ctx: Ctx) -> dict:
    return {"name": "Load OS specific variables", mod(ctx, "include_vars"): "{{ item }}",
            "with_first_found": [
                "{{ ansible_distribution }}-{{ ansible_distribution_major_version }}.yml",
                "{{ ansible_os_family }}.yml", "default.yml"]}


def _blockinfile_task(ctx: Ctx) -> dict:
    return {"name": f"Add {ctx.role.replace('_', ' ')} hosts entries", mod(ctx, "blockinfile"): {
        "path": "/etc/hosts", "marker": f"# {{mark}} {ctx.role} managed block",
        "block": Literal("{% for h in groups['all'] %}\n{{ hostvars[h].ansible_host | default(h) }} {{ h }}\n{% endfor %}\n"),
    }}


GENERIC = [
    (_pkg_task, 8), (_file_task, 10), (_template_task, 10), (_copy_task, 6), (_service_task, 7),
    (_command_task, 10), (_lineinfile_loop_task, 5), (_user_loop_task, 4), (_get_url_task, 3),
    (_uri_wait_task, 2), (_set_fact_task, 5), (_debug_task, 4), (_stat_task, 4), (_assert_task, 3),
    (_unarchive_task, 2), (_cron_task, 2), (_git_task, 2), (_wait_for_task, 3),
    (_include_vars_task, 1), (_blockinfile_task, 1),
]
_GEN_FUNCS = [f for f, _ in GENERIC]
_GEN_WEIGHTS = [w for _, w in GENERIC]


def decorate(ctx: Ctx, t: dict) -> dict:
    """Add the keywords real tasks carry: become, when, tags, comments."""
    rng = ctx.rng
    if rng.random() < 0.25 and "become" not in t:
        t["become"] = rng.choice([True, True, "yes"])
    if rng.random() < 0.15 and "when" not in t:
        t["when"] = rng.choice([
            f"{ctx.role}_enabled | bool",
            "ansible_facts['distribution'] == 'Ubuntu'",
            [f"{ctx.role}_manage_config", "not ansible_check_mode"],
            f"{ctx.var_names[0]} is defined" if ctx.var_names else "inventory_hostname in groups['all']",
        ])
    if rng.random() < 0.2:
        t["tags"] = FlowList(rng.sample([ctx.role, "config", "install", "service", "always"], rng.randint(1, 2)))
    if rng.random() < 0.05:
        t["ignore_errors"] = True
    if rng.random() < 0.04:
        t["no_log"] = True
    if rng.random() < 0.03:
        t["delegate_to"] = "localhost"
        t["run_once"] = True
    if rng.random() < 0.08:
        t[COMMENT] = rng.choice(COMMENTS)
        t = {COMMENT: t.pop(COMMENT), **t}
    return t


def generic_task(ctx: Ctx) -> dict:
    f = ctx.rng.choices(_GEN_FUNCS, _GEN_WEIGHTS)[0]
    return decorate(ctx, f(ctx))


def count_tasks(items: list) -> int:
    n = 0
    for t in items:
        if not isinstance(t, dict):
            continue
        if "block" in t:
            n += count_tasks(t["block"]) + count_tasks(t.get("rescue", [])) + count_tasks(t.get("always", []))
        else:
            n += 1
    return n


def make_block(ctx: Ctx, budget: int, depth: int) -> dict:
    """A block/rescue/always of about ``budget`` tasks, possibly nested."""
    rng = ctx.rng
    body: list = []
    n_body = max(1, budget - (1 if budget > 2 else 0) - (1 if budget > 4 else 0))
    used = 0
    while used < n_body:
        if depth < 2 and n_body - used >= 3 and rng.random() < 0.2:
            inner = make_block(ctx, rng.randint(2, min(5, n_body - used)), depth + 1)
            body.append(inner)
            used += count_tasks([inner])
        else:
            body.append(generic_task(ctx))
            used += 1
    b: dict = {"name": f"{rng.choice(['Manage', 'Set up', 'Upgrade', 'Bootstrap'])} {ctx.role.replace('_', ' ')} {rng.choice(OBJECTS)}"}
    b["block"] = body
    left = budget - used
    n_rescue = 0 if left == 0 or rng.random() < 0.25 else min(left, rng.randint(1, 2))
    if n_rescue:
        b["rescue"] = [{"name": f"Report {ctx.role.replace('_', ' ')} failure",
                        mod(ctx, "debug"): {"msg": "{{ ansible_failed_result | default('failed') }}"}}]
        if n_rescue == 2:
            b["rescue"].append({"name": "Abort", mod(ctx, "fail"): {"msg": f"{ctx.role} setup failed"}})
    always = [{"name": f"Clean {ctx.role.replace('_', ' ')} staging area",
               mod(ctx, "file"): {"path": f"/tmp/{ctx.role}-staging", "state": "absent"}},
              {"name": f"Record {ctx.role.replace('_', ' ')} run", mod(ctx, "copy"): {
                  "dest": f"/var/lib/{ctx.role}/last-run", "content": "{{ ansible_date_time.iso8601 }}\n"}}]
    if left - n_rescue:
        b["always"] = always[: left - n_rescue]
    if rng.random() < 0.5:
        b["become"] = True
    if rng.random() < 0.3:
        b["when"] = f"{ctx.role}_manage_config | default(true)"
    return b


def make_task_list(ctx: Ctx, n: int) -> list:
    """``n`` tasks, with blocks here and there."""
    rng = ctx.rng
    items: list = []
    used = 0
    while used < n:
        left = n - used
        if left >= 3 and rng.random() < 0.12:
            b = make_block(ctx, rng.randint(3, min(8, left)), 0)
            items.append(b)
            used += count_tasks([b])
        else:
            items.append(generic_task(ctx))
            used += 1
    return items


# --------------------------------------------------------------------------------------------
# Async scenarios: each returns (tasks, handler_tasks, defaults_extra) for a role file.
# --------------------------------------------------------------------------------------------


def _as_launch(ctx: Ctx, reg: str, cmd: str, timeout: object = 600, m: str = "command") -> dict:
    return {"name": f"Start {cmd.split()[0].rsplit('/', 1)[-1]} in the background", mod(ctx, m): cmd,
            "async": timeout, "poll": 0, "register": reg}


def _as_wait(ctx: Ctx, reg: str, own: str, style: int = 0) -> dict:
    until = [f"{own}.finished", f"{own} is finished", f"{own}.finished | bool"][style % 3]
    return {"name": f"Wait for {reg.replace('_', ' ')}", mod(ctx, "async_status"): {
        "jid": f"{{{{ {reg}.ansible_job_id }}}}"}, "register": own, "until": until,
        "retries": ctx.rng.choice([30, 60, 120, 360]), "delay": ctx.rng.choice([5, 10, 15])}


def sc_fire_and_wait(ctx: Ctx) -> list:
    r = ctx.role
    cmd = ctx.rng.choice([f"/opt/{r}/bin/rebuild-index --all", f"/usr/local/bin/{r}-migrate up",
                          f"tar czf /var/backups/{r}.tgz /var/lib/{r}"])
    m = "shell" if "tar" in cmd else "command"
    return [_as_launch(ctx, f"{r}_job", cmd, ctx.rng.choice([600, 1800, 3600]), m),
            generic_task(ctx), _as_wait(ctx, f"{r}_job", f"{r}_job_result", ctx.rng.randint(0, 2))]


def sc_loop_launch(ctx: Ctx) -> list:
    r = ctx.role
    return [
        {"name": f"Build {r} artifacts in parallel", mod(ctx, "command"): f"make -C /opt/src/{r}/{{{{ item }}}} all",
         "loop": f"{{{{ {r}_components }}}}", "async": 1800, "poll": 0, "register": f"{r}_builds"},
        {"name": f"Wait for {r} builds", mod(ctx, "async_status"): {"jid": "{{ item.ansible_job_id }}"},
         "loop": f"{{{{ {r}_builds.results }}}}", "loop_control": {"label": "{{ item.item }}"},
         "register": f"{r}_build_wait", "until": f"{r}_build_wait.finished", "retries": 120, "delay": 15},
    ]


def sc_sync_async(ctx: Ctx) -> list:
    r = ctx.role
    return [{"name": "Upgrade all packages (may take a while)", mod(ctx, "apt"): {"upgrade": "dist", "update_cache": True},
             "async": 3600, "poll": ctx.rng.choice([10, 15, 30]), "become": True},
            generic_task(ctx)]


def sc_guarded(ctx: Ctx) -> list:
    r = ctx.role
    launch = _as_launch(ctx, f"{r}_reindex", f"/opt/{r}/bin/reindex", 7200)
    launch["when"] = f"{r}_reindex_needed | bool"
    wait = _as_wait(ctx, f"{r}_reindex", f"{r}_reindex_status", 1)
    wait["when"] = f"{r}_reindex is not skipped"
    return [launch, wait]


def sc_templated(ctx: Ctx) -> tuple[list, dict]:
    r = ctx.role
    launch = _as_launch(ctx, f"{r}_sync", f"/usr/local/bin/{r}-sync", f"{{{{ {r}_async_timeout }}}}")
    launch["poll"] = f"{{{{ {r}_async_poll }}}}"
    return [launch, _as_wait(ctx, f"{r}_sync", f"{r}_sync_done")], {f"{r}_async_timeout": 900, f"{r}_async_poll": 0}


def sc_reboot(ctx: Ctx) -> list:
    return [{"name": "Reboot the machine", mod(ctx, "shell"): "sleep 2 && /sbin/shutdown -r now 'kernel upgrade'",
             "async": 1, "poll": 0, "become": True},
            {"name": "Wait for the machine to come back", mod(ctx, "wait_for_connection"): {"delay": 30, "timeout": 600}}]


# ---- wrong patterns


def sc_until_on_launch(ctx: Ctx) -> list:
    r = ctx.role
    wait = _as_wait(ctx, f"{r}_job", f"{r}_job_status")
    wait["until"] = f"{r}_job.finished"
    return [_as_launch(ctx, f"{r}_job", f"/opt/{r}/bin/compact"), wait]


def sc_async_on_block(ctx: Ctx) -> list:
    r = ctx.role
    return [{"name": f"Prepare {r} in the background", "block": [generic_task(ctx), generic_task(ctx)],
             "async": 300, "poll": 0}]


def sc_poll_without_async(ctx: Ctx) -> list:
    r = ctx.role
    return [{"name": f"Warm {r} caches", mod(ctx, "command"): f"/opt/{r}/bin/warm-cache", "poll": 5,
             "changed_when": False}]


def sc_async_on_import(ctx: Ctx, target: str | None) -> list:
    if target is None:
        return sc_poll_without_async(ctx)
    return [{"name": f"Run {target[:-4].replace('/', ' ')} steps in the background", mod(ctx, "import_tasks"): target,
             "async": 600, "poll": 0}]


def sc_unsupported_action(ctx: Ctx) -> list:
    r = ctx.role
    return [{"name": f"Render {r} configuration asynchronously", mod(ctx, "template"): {
        "src": "main.conf.j2", "dest": f"/etc/{r}/main.conf"}, "async": 60, "poll": 0}]


def sc_args_indented(ctx: Ctx) -> list:
    r = ctx.role
    return [{"name": f"Refresh {r} package index", mod(ctx, "command"): {
        "cmd": f"/usr/bin/{r}-refresh", "async": 120, "poll": 0}}]


def sc_unawaited(ctx: Ctx) -> list:
    r = ctx.role
    return [_as_launch(ctx, f"{r}_bg", f"/opt/{r}/bin/rebalance"), generic_task(ctx)]


def sc_wait_without_until(ctx: Ctx) -> list:
    r = ctx.role
    wait = _as_wait(ctx, f"{r}_export", f"{r}_export_status")
    for k in ("until", "retries", "delay"):
        del wait[k]
    return [_as_launch(ctx, f"{r}_export", f"/opt/{r}/bin/export --full"), wait]


def sc_until_on_launch_task(ctx: Ctx) -> list:
    r = ctx.role
    t = _as_launch(ctx, f"{r}_seed", f"/opt/{r}/bin/seed-data")
    t.update({"until": f"{r}_seed is succeeded", "retries": 3, "delay": 10})
    return [t, _as_wait(ctx, f"{r}_seed", f"{r}_seed_status")]


def sc_stdout_of_launch(ctx: Ctx) -> list:
    r = ctx.role
    return [_as_launch(ctx, f"{r}_scan", f"/opt/{r}/bin/scan"),
            {"name": "Show scan output", mod(ctx, "debug"): {"msg": f"{{{{ {r}_scan.stdout | default('') }}}}"}},
            _as_wait(ctx, f"{r}_scan", f"{r}_scan_status")]


def sc_looped_jid(ctx: Ctx) -> list:
    r = ctx.role
    return [
        {"name": f"Restore {r} shards", mod(ctx, "command"): f"/opt/{r}/bin/restore {{{{ item }}}}",
         "with_items": f"{{{{ {r}_shards }}}}", "async": 3600, "poll": 0, "register": f"{r}_restore"},
        _as_wait(ctx, f"{r}_restore", f"{r}_restore_status"),
    ]


SCENARIOS_GOOD = [sc_fire_and_wait, sc_loop_launch, sc_sync_async, sc_guarded, sc_reboot]
SCENARIOS_BAD = [
    sc_until_on_launch, sc_async_on_block, sc_poll_without_async, sc_unsupported_action,
    sc_args_indented, sc_unawaited, sc_wait_without_until, sc_until_on_launch_task,
    sc_stdout_of_launch, sc_looped_jid,
]


# --------------------------------------------------------------------------------------------
# Non-Ansible YAML
# --------------------------------------------------------------------------------------------


def k8s_manifests(rng: random.Random, app: str) -> dict[str, str]:
    port = rng.choice([8080, 8000, 9000, 3000])
    replicas = rng.randint(1, 5)
    env = [{"name": "LOG_LEVEL", "value": rng.choice(["info", "debug", "warn"])},
           {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": f"{app}-db", "key": "url"}}}]
    deploy = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": app, "labels": {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "platform"}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app.kubernetes.io/name": app}},
                 "template": {"metadata": {"labels": {"app.kubernetes.io/name": app}},
                              "spec": {"containers": [{
                                  "name": app, "image": f"registry.example.com/{app}:{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}",
                                  "ports": [{"containerPort": port, "name": "http"}], "env": env,
                                  "resources": {"requests": {"cpu": f"{rng.choice([100, 250, 500])}m", "memory": f"{rng.choice([128, 256, 512])}Mi"},
                                                "limits": {"memory": f"{rng.choice([512, 1024])}Mi"}},
                                  "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10},
                              }]}}},
    }
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": app},
           "spec": {"selector": {"app.kubernetes.io/name": app},
                    "ports": [{"port": 80, "targetPort": "http", "protocol": "TCP"}]}}
    data = {"APP_NAME": app, "FEATURE_FLAGS": "search,export", "CACHE_TTL": SingleQuoted(str(rng.choice([60, 300, 900])))}
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{app}-config"}, "data": data}
    ing = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {
        "name": app, "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt"}},
        "spec": {"rules": [{"host": f"{app}.example.com", "http": {"paths": [{
            "path": "/", "pathType": "Prefix", "backend": {"service": {"name": app, "port": {"number": 80}}}}]}}]}}
    out = {f"deploy/k8s/{app}/deployment.yaml": render_map_doc(deploy, [], start=rng.random() < 0.5),
           f"deploy/k8s/{app}/configmap.yaml": render_map_doc(cm, [])}
    # service and ingress as one multi-document file
    out[f"deploy/k8s/{app}/service.yaml"] = render_map_doc(svc, []) + render_map_doc(ing, [])
    if rng.random() < 0.5:
        kust = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                "resources": ["deployment.yaml", "service.yaml", "configmap.yaml"],
                "commonLabels": {"team": rng.choice(["core", "data", "edge"])}}
        out[f"deploy/k8s/{app}/kustomization.yaml"] = render_map_doc(kust, [], start=False)
    return out


def github_workflow(rng: random.Random, name: str) -> str:
    py = rng.choice(["3.11", "3.12"])
    wf = {
        "name": name.replace("-", " ").title(),
        "on": {"push": {"branches": ["main"]}, "pull_request": None},
        "permissions": {"contents": "read"},
        "concurrency": {"group": "${{ github.workflow }}-${{ github.ref }}", "cancel-in-progress": True},
        "jobs": {name: {"runs-on": "ubuntu-latest", "timeout-minutes": rng.choice([10, 20, 30]), "steps": [
            {"uses": "actions/checkout@v4"},
            {"uses": "actions/setup-python@v5", "with": {"python-version": SingleQuoted(py)}},
            {"name": "Install tools", "run": "pip install ansible-core ansible-lint yamllint"},
            {"name": "Run " + name, "run": Literal(f"yamllint .\nansible-playbook --syntax-check site.yml\n")},
        ]}},
    }
    out: list[str] = ["---", f"# CI: {name}"]
    emit_mapping(wf, 0, out)
    return "\n".join(out).replace("pull_request: null", "pull_request:") + "\n"


def gitlab_ci(rng: random.Random, roles: list[str]) -> str:
    lines = [
        "---", "stages:", "  - lint", "  - test", "  - deploy", "",
        ".defaults: &defaults", "  image: registry.example.com/ci/ansible:latest",
        "  before_script:", "    - pip install -r requirements.txt", "  tags: [docker]", "",
        "lint:", "  <<: *defaults", "  stage: lint", "  script:", "    - yamllint .",
        "    - ansible-lint --offline", "",
    ]
    for r in roles:
        lines += [f"molecule:{r}:", "  <<: *defaults", "  stage: test", "  script:",
                  f"    - cd roles/{r} && molecule test", "  rules:",
                  f"    - changes: [\"roles/{r}/**/*\"]", ""]
    for env in ENVS[:2]:
        lines += [f"deploy:{env}:", "  <<: *defaults", "  stage: deploy",
                  f"  environment: {{name: {env}}}", "  script:",
                  f"    - ansible-playbook -i inventories/{env}/hosts.yml site.yml --diff",
                  "  when: manual" if env == "production" else "  only: [main]", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def docker_compose(rng: random.Random, apps: list[str]) -> str:
    services: dict = {}
    for a in apps:
        env = {"LOG_LEVEL": "info", "DB_HOST": "db"}
        services[a] = {"image": f"registry.example.com/{a}:latest", "restart": "unless-stopped",
                       "environment": env, "ports": [SingleQuoted(f"{rng.randint(8000, 8999)}:8080")],
                       "depends_on": ["db"]}
    services["db"] = {"image": "postgres:16", "volumes": ["db-data:/var/lib/postgresql/data"],
                      "environment": {"POSTGRES_PASSWORD": "example"}}
    return render_map_doc({"services": services, "volumes": {"db-data": {}}}, [], start=False)


def molecule_files(rng: random.Random, role: str) -> dict[str, str]:
    mol = {"dependency": {"name": "galaxy"}, "driver": {"name": "docker"},
           "platforms": [{"name": f"{role}-{d}", "image": f"geerlingguy/docker-{d}-ansible:latest",
                          "pre_build_image": True, "privileged": True}
                         for d in rng.sample(["debian12", "ubuntu2204", "rockylinux9"], 2)],
           "provisioner": {"name": "ansible", "config_options": {"defaults": {"interpreter_python": "auto_silent"}}},
           "verifier": {"name": "ansible"}}
    converge = [{"name": "Converge", "hosts": "all", "gather_facts": True, "tasks": [
        {"name": f"Include {role}", "ansible.builtin.include_role": {"name": role}}]}]
    return {f"roles/{role}/molecule/default/molecule.yml": render_map_doc(mol, []),
            f"roles/{role}/molecule/default/converge.yml": render_list_doc(converge, [])}


def inventory_files(rng: random.Random, env: str, n_hosts: int) -> dict[str, str]:
    groups = rng.sample(HOST_GROUPS[:-1], 4)
    children: dict = {}
    host_names: list[str] = []
    for g in groups:
        hosts = {}
        for i in range(max(1, n_hosts // len(groups))):
            h = f"{g.replace('_', '-')}-{env[:4]}-{i + 1:02d}"
            host_names.append(h)
            hosts[h] = {"ansible_host": f"10.{ENVS.index(env)}.{HOST_GROUPS.index(g)}.{i + 10}"}
        children[g] = {"hosts": hosts}
    out = {f"inventories/{env}/hosts.yml": render_map_doc({"all": {"children": children}}, [f"{env} inventory"])}
    out[f"inventories/{env}/group_vars/all.yml"] = render_map_doc({
        "ansible_user": "deploy", "ansible_python_interpreter": "/usr/bin/python3",
        "env_name": env, "ntp_servers": [f"{i}.pool.ntp.org" for i in range(3)],
        "dns_servers": FlowList(["10.0.0.2", "10.0.0.3"]),
    }, [])
    for g in groups:
        out[f"inventories/{env}/group_vars/{g}.yml"] = render_map_doc({
            f"{g}_max_connections": rng.choice([100, 500, 1000]),
            f"{g}_extra_packages": rng.sample(PACKAGES, 3),
            f"{g}_settings": {"log_level": rng.choice(["info", "warn"]), "workers": rng.randint(2, 16)},
        }, [])
    for h in host_names[: max(1, len(host_names) // 3)]:
        out[f"inventories/{env}/host_vars/{h}.yml"] = render_map_doc({
            "node_labels": {"zone": rng.choice(["a", "b", "c"]), "tier": rng.choice(["hot", "warm"])},
            "disk_devices": ["/dev/sdb", "/dev/sdc"][: rng.randint(1, 2)],
        }, [])
    return out


def helm_files(rng: random.Random, app: str) -> dict[str, str]:
    chart = {"apiVersion": "v2", "name": app, "description": f"A Helm chart for {app}", "type": "application",
             "version": f"0.{rng.randint(1, 20)}.{rng.randint(0, 9)}", "appVersion": SingleQuoted(f"{rng.randint(1, 5)}.{rng.randint(0, 20)}")}
    values = {"replicaCount": rng.randint(1, 3), "image": {"repository": f"registry.example.com/{app}", "tag": "", "pullPolicy": "IfNotPresent"},
              "service": {"type": "ClusterIP", "port": 80},
              "ingress": {"enabled": False, "annotations": {}, "hosts": [{"host": f"{app}.local", "paths": [{"path": "/", "pathType": "ImplementationSpecific"}]}]},
              "resources": {}, "nodeSelector": {}, "tolerations": [], "affinity": {}}
    return {f"charts/{app}/Chart.yaml": render_map_doc(chart, [], start=False),
            f"charts/{app}/values.yaml": render_map_doc(values, ["Default values for " + app], start=False)}


# --------------------------------------------------------------------------------------------
# Roles and playbooks
# --------------------------------------------------------------------------------------------


@dataclass
class TaskFile:
    path: str  # relative to the corpus root
    items: list
    header: list[str] = field(default_factory=list)
    start: bool = True


@dataclass
class Role:
    name: str
    ctx: Ctx
    task_files: list[TaskFile]  # main first
    handlers: TaskFile | None
    defaults: dict
    sub_targets: list[str]  # include paths relative to tasks/


@dataclass
class Corpus:
    files: dict[str, str] = field(default_factory=dict)  # rendered non-task files
    task_files: list[TaskFile] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    tasks: int = 0
    scenarios: list[str] = field(default_factory=list)  # async scenarios, in the order applied


def _role_name(i: int) -> str:
    base = ROLE_BASES[i % len(ROLE_BASES)]
    cycle = i // len(ROLE_BASES)
    suffix = ROLE_SUFFIXES[cycle % len(ROLE_SUFFIXES)]
    n = cycle // len(ROLE_SUFFIXES)
    return f"{base}{suffix}" + (f"_{n + 1}" if n else "")


def make_role(rng: random.Random, name: str, budget: int, all_roles: list[str]) -> Role:
    handlers_names = [f"Restart {name}", f"Reload {name}"][: rng.randint(1, 2)]
    defaults_vars = [f"{name}_version", f"{name}_port", f"{name}_enabled"]
    ctx = Ctx(rng=rng, role=name, fqcn=rng.random() < 0.6, handlers=handlers_names, var_names=defaults_vars,
              old_style=rng.random() < 0.1)
    tasks_dir = f"roles/{name}/tasks"
    ext = ".yaml" if rng.random() < 0.05 else ".yml"

    n_handlers = len(handlers_names) if budget > 6 else 0
    remaining = budget - n_handlers
    # split the task budget over main.yml and sub-files
    n_sub = 0 if remaining < 6 else min(rng.randint(1, 5), remaining // 5)
    shares = [rng.randint(3, 12) for _ in range(n_sub + 1)]
    total = sum(shares)
    sizes = [max(1, remaining * s // total) for s in shares]
    sizes[0] += remaining - sum(sizes)
    while sizes[0] < 1:  # rounding can starve main
        j = max(range(len(sizes)), key=lambda k: sizes[k])
        sizes[j] -= 1
        sizes[0] += 1

    names = rng.sample(SUB_FILES, n_sub)
    rels = [f"{rng.choice(SUB_DIRS)}{n}{ext}" for n in names]
    files: list[TaskFile] = []
    # chain: each sub-file is included by main or by an earlier sub-file (depth up to 3)
    includes: dict[int, list[int]] = {i: [] for i in range(n_sub + 1)}
    depth = {0: 0}
    for i in range(1, n_sub + 1):
        parents = [p for p in range(i) if depth[p] < 3]
        p = 0 if rng.random() < 0.6 else rng.choice(parents)
        includes[p].append(i)
        depth[i] = depth[p] + 1

    for i in range(n_sub + 1):
        n_inc = len(includes[i])
        body = make_task_list(ctx, max(0, sizes[i] - n_inc))
        for c in includes[i]:
            kind = rng.choice(["include_tasks", "import_tasks", "import_tasks"])
            inc: dict = {"name": f"{'Include' if kind == 'include_tasks' else 'Import'} {rels[c - 1][:-len(ext)].replace('/', ' ')} tasks"}
            inc[mod(ctx, kind)] = rels[c - 1]
            r = rng.random()
            if r < 0.2:
                inc["when"] = rng.choice(["ansible_os_family == 'Debian'", f"{name}_manage_config | bool"])
            elif r < 0.3:
                inc["tags"] = [name, names[c - 1]]
            elif r < 0.35 and kind == "include_tasks":
                inc[mod(ctx, kind)] = {"file": rels[c - 1], "apply": {"become": True}}
            pos = rng.randint(0, len(body))
            body.insert(pos, inc)
        path = f"{tasks_dir}/main{ext}" if i == 0 else f"{tasks_dir}/{rels[i - 1]}"
        header = []
        if rng.random() < 0.3:
            header = [f"{name}: {'entry point' if i == 0 else names[i - 1] + ' steps'}"]
        files.append(TaskFile(path, body, header, start=rng.random() < 0.9))

    handlers = None
    if n_handlers:
        hitems = []
        for h in handlers_names:
            hitems.append({"name": h, mod(ctx, "service"): {"name": name, "state": "restarted" if h.startswith("Restart") else "reloaded"}})
        handlers = TaskFile(f"roles/{name}/handlers/main.yml", hitems)

    defaults = {
        f"{name}_version": SingleQuoted(f"{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"),
        f"{name}_port": rng.choice([80, 443, 8080, 5432, 6379, 9090, 9100]),
        f"{name}_enabled": True,
        f"{name}_manage_config": True,
        f"{name}_packages": rng.sample(PACKAGES, rng.randint(1, 4)),
        f"{name}_settings": {"max_connections": rng.choice([64, 128, 256]), "log_level": "info",
                             "data_dir": f"/var/lib/{name}"},
        f"{name}_components": ["core", "cli"],
        f"{name}_shards": ["s1", "s2"],
    }
    return Role(name, ctx, files, handlers, defaults, rels)


def role_aux_files(rng: random.Random, role: Role, deps: list[str]) -> dict[str, str]:
    name = role.name
    out: dict[str, str] = {}
    out[f"roles/{name}/defaults/main.yml"] = render_map_doc(role.defaults, [f"Defaults for {name}"] if rng.random() < 0.5 else [])
    if rng.random() < 0.7:
        out[f"roles/{name}/vars/main.yml"] = render_map_doc({
            f"_{name}_service_name": name, f"_{name}_config_dir": f"/etc/{name}",
            f"_{name}_os_packages": {"Debian": rng.sample(PACKAGES, 2), "RedHat": rng.sample(PACKAGES, 2)},
        }, [])
    meta = {"galaxy_info": {
        "author": "platform team", "description": f"Installs and configures {name.replace('_', ' ')}",
        "license": "MIT", "min_ansible_version": SingleQuoted("2.15"),
        "platforms": [{"name": "Ubuntu", "versions": ["jammy", "noble"]}, {"name": "Debian", "versions": ["bookworm"]}],
        "galaxy_tags": [t for t in name.split("_") if t.isalpha()][:3] or ["system"],
    }, "dependencies": [{"role": d} for d in deps] if deps else FlowList([])}
    out[f"roles/{name}/meta/main.yml"] = render_map_doc(meta, [])
    for t in rng.sample(["main.conf.j2", "env.j2", "service.j2", "limits.conf.j2"], rng.randint(1, 3)):
        out[f"roles/{name}/templates/{t}"] = (
            f"# {{{{ ansible_managed }}}}\n[{name}]\nport = {{{{ {name}_port }}}}\n"
            f"{{% for key, value in {name}_settings.items() %}}\n{{{{ key }}}} = {{{{ value }}}}\n{{% endfor %}}\n")
    return out


def make_playbook(rng: random.Random, idx: int, roles: list[str], own_tasks: int) -> tuple[str, list]:
    group = HOST_GROUPS[idx % len(HOST_GROUPS)]
    fname = f"{group}{'' if idx < len(HOST_GROUPS) else '_' + str(idx // len(HOST_GROUPS))}.yml"
    ctx = Ctx(rng=rng, role=roles[0], fqcn=rng.random() < 0.6, handlers=[], var_names=[])
    play: dict = {"name": f"Configure {group.replace('_', ' ')}", "hosts": group,
                  "become": rng.random() < 0.8, "gather_facts": rng.random() < 0.85}
    if rng.random() < 0.4:
        play["vars"] = {"deploy_env": "{{ env_name | default('development') }}", "serial_batch": rng.choice([1, 2, "25%"])}
    if rng.random() < 0.3:
        play["serial"] = "{{ serial_batch | default(1) }}"
    n_pre = own_tasks // 2
    if n_pre:
        play["pre_tasks"] = make_task_list(ctx, n_pre)
    refs: list = []
    for r in roles:
        s = rng.random()
        if s < 0.6:
            refs.append(r)
        elif s < 0.85:
            refs.append({"role": r, "tags": [r]})
        else:
            refs.append(Flow({"role": r, "when": f"{r}_enabled | bool"}))
    play["roles"] = refs
    if own_tasks - n_pre:
        play["tasks"] = make_task_list(ctx, own_tasks - n_pre)
    return fname, [play]


def build(tasks: int, seed: int) -> Corpus:
    rng = random.Random(seed)
    c = Corpus()
    role_names: list[str] = []
    playbook_budget = tasks // 25
    role_budget = tasks - playbook_budget
    used = 0
    i = 0
    while used < role_budget:
        size = min(role_budget - used, max(2, int(rng.lognormvariate(3.3, 0.6))))
        name = _role_name(i)
        role = make_role(rng, name, size, role_names)
        c.roles.append(role)
        role_names.append(name)
        c.task_files.extend(role.task_files)
        if role.handlers:
            c.task_files.append(role.handlers)
        deps = rng.sample(role_names[:-1], min(len(role_names) - 1, rng.choice([0, 0, 0, 1, 2])))
        c.files.update(role_aux_files(rng, role, deps))
        if rng.random() < 0.25:
            c.files.update(molecule_files(rng, name))
            used += 1  # converge.yml holds one task
        used += size
        i += 1

    # playbooks: each applies a handful of roles, and has a few tasks of its own
    n_pb = max(1, len(role_names) // 4)
    pb_names: list[str] = []
    left = playbook_budget
    for p in range(n_pb):
        own = left if p == n_pb - 1 else min(left, rng.randint(0, 2 * playbook_budget // n_pb))
        chosen = role_names[(p * 4) % len(role_names):(p * 4) % len(role_names) + 4]
        extra = rng.sample(role_names, min(len(role_names), rng.randint(0, 2)))
        roles = ["common"] if "common" in role_names and rng.random() < 0.5 else []
        for r in chosen + extra:
            if r not in roles:
                roles.append(r)
        fname, plays = make_playbook(rng, p, roles, own)
        left -= own
        pb_names.append(fname)
        c.task_files.append(TaskFile(fname, plays, [f"Playbook for {plays[0]['hosts']}"] if rng.random() < 0.5 else []))
    c.files["site.yml"] = render_list_doc([{"ansible.builtin.import_playbook": p} if rng.random() < 0.7
                                           else {"import_playbook": p} for p in pb_names], ["Main playbook"])

    # non-Ansible YAML, in proportion to the size of the repository
    n_roles = len(role_names)
    n_apps = max(1, n_roles // 3)
    apps = [f"{r.replace('_', '-')}-svc" for r in role_names[:n_apps]]
    for a in apps:
        c.files.update(k8s_manifests(rng, a))
        if rng.random() < 0.3:
            c.files.update(helm_files(rng, a))
    for env in ENVS:
        c.files.update(inventory_files(rng, env, max(4, n_roles // 2)))
    c.files["group_vars/all/main.yml"] = render_map_doc({"timezone": "UTC", "admin_email": "ops@example.com",
                                                        "proxy_env": {"http_proxy": "", "no_proxy": "localhost,127.0.0.1"}}, [])
    c.files["group_vars/all/vault.yml"] = render_map_doc({"vault_db_password": "changeme", "vault_api_token": "changeme"}, ["encrypt before use"])
    for w in ["lint", "molecule", "deploy", "release", "docs", "security-scan"][: 2 + min(4, n_roles // 10)]:
        c.files[f".github/workflows/{w}.yml"] = github_workflow(rng, w)
    c.files[".gitlab-ci.yml"] = gitlab_ci(rng, role_names[:min(10, n_roles)])
    for k in range(max(1, n_apps // 8)):
        c.files[("docker-compose.yml" if k == 0 else f"docker/compose-{k}.yml")] = docker_compose(rng, apps[k * 3:k * 3 + 3] or apps[:1])
    c.files[".pre-commit-config.yaml"] = render_map_doc({"repos": [
        {"repo": "https://github.com/adrienverge/yamllint", "rev": "v1.35.1", "hooks": [{"id": "yamllint"}]},
        {"repo": "https://github.com/ansible/ansible-lint", "rev": "v26.10.1", "hooks": [{"id": "ansible-lint"}]}]}, [])
    c.files["mkdocs.yml"] = render_map_doc({"site_name": "Infrastructure", "nav": [{"Home": "index.md"}, {"Roles": "roles.md"}],
                                            "theme": {"name": "material"}}, [], start=False)
    c.files["requirements.yml"] = render_map_doc({"collections": [{"name": "ansible.posix", "version": ">=1.5.0"},
                                                                 {"name": "community.general"}]}, [])
    for k in range(max(1, n_roles // 5)):
        c.files[f"changelogs/fragments/{k + 1:04d}-{rng.choice(role_names)}.yml"] = render_map_doc(
            {rng.choice(["minor_changes", "bugfixes"]): [f"{rng.choice(role_names)} - {words(rng, 6)}."]}, [])
    c.files["ansible.cfg"] = "[defaults]\nroles_path = roles\ninventory = inventories/development/hosts.yml\nretry_files_enabled = False\n"
    c.files["README.md"] = "# Infrastructure\n\nRoles, playbooks and inventories of the platform.\n"

    _add_async(rng, c)
    c.tasks = sum(count_tasks(tf.items) if not _is_playbook(tf) else _count_play_tasks(tf.items) for tf in c.task_files)
    c.tasks += sum(1 for p in c.files if p.endswith("converge.yml"))
    return c


def _is_playbook(tf: TaskFile) -> bool:
    return not tf.path.startswith("roles/")


def _count_play_tasks(plays: list) -> int:
    return sum(count_tasks(p.get(k, [])) for p in plays for k in ("pre_tasks", "tasks", "post_tasks", "handlers"))


def _add_async(rng: random.Random, c: Corpus) -> None:
    """Turn about ASYNC_FILE_SHARE of the YAML files into files that mention async."""
    n_yaml = sum(1 for p in c.files if p.endswith((".yml", ".yaml"))) + len(c.task_files)
    k = max(1, round(ASYNC_FILE_SHARE * n_yaml))
    # A few mentions outside Ansible task files: config keys in manifests, role defaults.
    n_decoys = k // 8
    candidates = [tf for tf in c.task_files if tf.path.startswith("roles/") and "/handlers/" not in tf.path]
    by_role = {r.name: r for r in c.roles}
    picked = rng.sample(candidates, min(len(candidates), k - n_decoys))
    # a shuffled deck, dealt in turn: every pattern shows up once the corpus is large enough;
    # more than half of them are right, as in real code
    deck: list = SCENARIOS_GOOD * 3 + SCENARIOS_BAD + [sc_async_on_import, sc_templated]
    rng.shuffle(deck)
    for j, tf in enumerate(picked):
        role = by_role[tf.path.split("/")[1]]
        ctx = role.ctx
        defaults_extra: dict = {}
        scenario = deck[j % len(deck)]
        if scenario is sc_templated:
            new, defaults_extra = sc_templated(ctx)
        elif scenario is sc_async_on_import:
            # sub-files only include later sub-files: importing a later one cannot loop
            later = role.sub_targets[role.task_files.index(tf):]
            new = sc_async_on_import(ctx, rng.choice(later) if later else None)
            if not later:
                scenario = sc_poll_without_async
        else:
            new = scenario(ctx)
        good = scenario in SCENARIOS_GOOD or scenario is sc_templated
        c.scenarios.append(f"{'good' if good else 'bad'}:{scenario.__name__[3:]}")
        # keep the task count: drop as many plain tasks as the scenario adds
        added = count_tasks(new)
        plain = [idx for idx, t in enumerate(tf.items) if isinstance(t, dict) and "block" not in t
                 and not any(m in t for m in _INCLUDE_KEYS)]
        for idx in sorted(plain[:added], reverse=True):
            del tf.items[idx]
        pos = rng.randint(0, len(tf.items))
        tf.items[pos:pos] = new
        if defaults_extra:
            role.defaults.update(defaults_extra)
            c.files[f"roles/{role.name}/defaults/main.yml"] = render_map_doc(role.defaults, [])
    # decoys
    cms = [p for p in c.files if p.endswith("/configmap.yaml")]
    for p in rng.sample(cms, min(len(cms), n_decoys)):
        c.files[p] = c.files[p].rstrip("\n") + f"\n  worker.async_pool_size: '{rng.randint(2, 16)}'\n"


_INCLUDE_KEYS = tuple(f"{p}{m}" for p in ("", "ansible.builtin.") for m in ("include_tasks", "import_tasks"))


def render(c: Corpus) -> dict[str, str]:
    files = dict(c.files)
    for tf in c.task_files:
        files[tf.path] = render_list_doc(tf.items, tf.header, tf.start)
    return files


def generate(out_dir: str | os.PathLike, tasks: int, seed: int = 0) -> dict:
    """Write the corpus into ``out_dir`` (which must be empty or absent); return statistics."""
    if tasks < 1:
        raise ValueError("tasks must be >= 1")
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    c = build(tasks, seed)
    files = render(c)
    n_bytes = 0
    for rel in sorted(files):
        p = out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        data = files[rel].encode("utf-8")
        p.write_bytes(data)
        n_bytes += len(data)
    yaml_files = [r for r in files if r.endswith((".yml", ".yaml"))]
    mentions = [r for r in yaml_files if ("async" in files[r] or "poll" in files[r])]
    return {"tasks": c.tasks, "files": len(files), "yaml_files": len(yaml_files), "bytes": n_bytes,
            "roles": len(c.roles), "async_files": len(mentions), "seed": seed,
            "generator_version": GENERATOR_VERSION, "async_scenarios": c.scenarios}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--tasks", type=int, default=1000, help="number of tasks to generate (default: 1000)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    ap.add_argument("--force", action="store_true", help="replace OUT_DIR if it exists")
    args = ap.parse_args(argv)
    out = Path(args.out_dir)
    if args.force and out.exists():
        shutil.rmtree(out)
    try:
        stats = generate(out, args.tasks, args.seed)
    except (FileExistsError, ValueError) as e:
        print(f"generate.py: {e} (use --force to replace)" if isinstance(e, FileExistsError) else f"generate.py: {e}",
              file=sys.stderr)
        return 2
    print(" ".join(f"{k}={v}" for k, v in stats.items() if k != "async_scenarios"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
