"""The benchmark's corpus generator (bench/generate.py): deterministic, sized, realistic."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.cyaml import CSafeLoader

BENCH = Path(__file__).resolve().parent.parent / "bench"
TASKS = 1500


def _load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


generate = _load_generator()


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _is_yaml(rel: str) -> bool:
    return rel.endswith((".yml", ".yaml"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("corpus") / "a"
    stats = generate.generate(root, TASKS, seed=7)
    return root, stats


@pytest.fixture(scope="module")
def tree(corpus) -> dict[str, bytes]:
    return _tree(corpus[0])


def load_all(data: bytes) -> list:
    """Every document of a file, through ruamel's C loader."""
    loader = CSafeLoader(data)
    try:
        docs = []
        while loader.check_data():
            docs.append(loader.get_data())
        return docs
    finally:
        loader.dispose()


@pytest.fixture(scope="module")
def documents(tree) -> dict[str, list]:
    return {rel: load_all(data) for rel, data in tree.items() if _is_yaml(rel)}


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_a_byte_identical_tree(tmp_path, tree):
    generate.generate(tmp_path / "again", TASKS, seed=7)
    assert _tree(tmp_path / "again") == tree


def test_another_seed_gives_another_tree(tmp_path, tree):
    generate.generate(tmp_path / "other", TASKS, seed=8)
    other = _tree(tmp_path / "other")
    assert other != tree
    assert len(other) > 0.5 * len(tree)


def test_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "x.yml").write_text("a: 1\n")
    with pytest.raises(FileExistsError):
        generate.generate(tmp_path, 10, seed=0)


def test_command_line(tmp_path):
    out = tmp_path / "cli"
    run = subprocess.run([sys.executable, str(BENCH / "generate.py"), str(out), "--tasks", "40", "--seed", "3"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "tasks=" in run.stdout
    assert (out / "site.yml").is_file()
    again = subprocess.run([sys.executable, str(BENCH / "generate.py"), str(out), "--tasks", "40"],
                           capture_output=True, text=True, check=False)
    assert again.returncode == 2
    assert "not empty" in again.stderr


# --- size ---------------------------------------------------------------------------------------

_BLOCK_KEYS = ("block", "rescue", "always")
_PLAY_TASK_KEYS = ("pre_tasks", "tasks", "post_tasks", "handlers")


def _count_task_list(items) -> int:
    n = 0
    for item in items or ():
        if not isinstance(item, dict):
            continue
        if "block" in item:
            n += sum(_count_task_list(item.get(k)) for k in _BLOCK_KEYS)
        else:
            n += 1
    return n


def _is_task_file(rel: str) -> bool:
    parts = rel.split("/")
    return len(parts) > 3 and parts[0] == "roles" and parts[2] in ("tasks", "handlers")


def _is_playbook(docs: list) -> bool:
    return bool(docs) and isinstance(docs[0], list) and bool(docs[0]) and \
        all(isinstance(p, dict) and ("hosts" in p or "import_playbook" in p or "ansible.builtin.import_playbook" in p)
            for p in docs[0])


def count_tasks(documents: dict[str, list]) -> int:
    """Tasks as a reader of the tree counts them: every entry of a task list, blocks excluded."""
    n = 0
    for rel, docs in documents.items():
        if _is_task_file(rel):
            n += _count_task_list(docs[0])
        elif _is_playbook(docs):
            n += sum(_count_task_list(play.get(k)) for play in docs[0] for k in _PLAY_TASK_KEYS)
    return n


def test_the_tree_holds_the_requested_number_of_tasks(documents, corpus):
    counted = count_tasks(documents)
    assert abs(counted - TASKS) <= max(5, 0.02 * TASKS), counted
    assert counted == corpus[1]["tasks"]


@pytest.mark.parametrize("tasks", [1, 100, 400])
def test_small_sizes_are_honoured(tmp_path, tasks):
    stats = generate.generate(tmp_path / "c", tasks, seed=tasks)
    docs = {p.relative_to(tmp_path / "c").as_posix(): load_all(p.read_bytes())
            for p in (tmp_path / "c").rglob("*") if p.is_file() and _is_yaml(p.name)}
    counted = count_tasks(docs)
    assert counted == stats["tasks"]
    assert abs(counted - tasks) <= max(5, 0.02 * tasks)


def test_more_tasks_give_proportionally_more_files(tmp_path, corpus):
    small = generate.generate(tmp_path / "small", TASKS // 5, seed=7)
    ratio = corpus[1]["yaml_files"] / small["yaml_files"]
    assert 3 < ratio < 7, ratio


# --- realism ------------------------------------------------------------------------------------


def test_every_yaml_file_parses(tree, documents):
    """The C loader read them all (fixture); a sample also passes the strict round-trip loader."""
    assert len(documents) == sum(1 for rel in tree if _is_yaml(rel))
    assert all(docs for docs in documents.values())
    yaml = YAML(typ="rt")  # rejects duplicate keys, unlike the C loader
    for rel in sorted(documents)[::10]:
        list(yaml.load_all(tree[rel]))


_MENTION = re.compile(rb"async|poll")


def test_about_one_percent_of_files_mention_async(tree):
    yaml_files = [rel for rel in tree if _is_yaml(rel)]
    mentioning = [rel for rel in yaml_files if _MENTION.search(tree[rel])]
    share = len(mentioning) / len(yaml_files)
    assert 0.005 <= share <= 0.025, (share, mentioning)
    text = b"".join(tree[rel] for rel in mentioning)
    assert b"async_status" in text
    assert b"poll: 0" in text


def test_async_patterns_good_and_bad_appear_across_seeds(tmp_path):
    """Over a few seeds, launches with their waits and the classic mistakes all show up."""
    scenarios: set[str] = set()
    seen = b""
    for seed in range(3):
        stats = generate.generate(tmp_path / str(seed), TASKS, seed=seed)
        scenarios.update(stats["async_scenarios"])
        for p in (tmp_path / str(seed)).rglob("*.y*ml"):
            data = p.read_bytes()
            if _MENTION.search(data):
                seen += data
    good = {s for s in scenarios if s.startswith("good:")}
    bad = {s for s in scenarios if s.startswith("bad:")}
    assert len(good) >= 3 and len(bad) >= 3, scenarios
    for needle in (b"async_status", b"poll: 0", b".finished", b"ansible_job_id"):
        assert needle in seen, needle


def test_include_chains_resolve_within_each_role(tree, documents):
    includes = 0
    for rel, docs in documents.items():
        if not (_is_task_file(rel) and rel.split("/")[2] == "tasks"):
            continue
        role_tasks = "/".join(rel.split("/")[:3])
        for target in _include_targets(docs[0]):
            includes += 1
            assert f"{role_tasks}/{target}" in tree, (rel, target)
    assert includes > 20


def _include_targets(items):
    for item in items or ():
        if not isinstance(item, dict):
            continue
        for k in _BLOCK_KEYS:
            if k in item:
                yield from _include_targets(item[k])
        for key, value in item.items():
            if key.rsplit(".", 1)[-1] in ("include_tasks", "import_tasks"):
                yield value["file"] if isinstance(value, dict) else value


def test_playbooks_apply_existing_roles(tree, documents):
    roles = {rel.split("/")[1] for rel in tree if rel.startswith("roles/")}
    applied = 0
    for rel, docs in documents.items():
        if "/" in rel or not _is_playbook(docs):
            continue
        for play in docs[0]:
            for ref in play.get("roles", []):
                name = ref if isinstance(ref, str) else ref["role"]
                assert name in roles
                applied += 1
    assert applied > 10


def test_structure_has_blocks_loops_fqcn_and_short_names(tree):
    text = b"".join(data for rel, data in tree.items() if _is_task_file(rel))
    for needle in (b"block:", b"rescue:", b"always:", b"loop:", b"with_items:", b"loop_control:",
                   b"ansible.builtin.", b"\n  command:", b"include_tasks:", b"import_tasks:", b"# "):
        assert needle in text, needle


def test_plenty_of_non_ansible_yaml(tree, documents):
    kinds = {
        "kubernetes": lambda rel, d: rel.startswith("deploy/k8s/") and any(
            isinstance(x, dict) and "apiVersion" in x for x in d),
        "github actions": lambda rel, d: rel.startswith(".github/workflows/"),
        "gitlab ci": lambda rel, d: rel == ".gitlab-ci.yml",
        "docker-compose": lambda rel, d: "compose" in rel and "services" in d[0],
        "inventory": lambda rel, d: rel.startswith("inventories/") and rel.endswith("hosts.yml"),
        "group_vars": lambda rel, d: "group_vars/" in rel,
        "host_vars": lambda rel, d: "host_vars/" in rel,
        "molecule": lambda rel, d: rel.endswith("molecule.yml"),
    }
    for kind, match in kinds.items():
        assert any(match(rel, docs) for rel, docs in documents.items()), kind
    ansible_tasks = [rel for rel, docs in documents.items() if _is_task_file(rel) or _is_playbook(docs)]
    assert len(documents) - len(ansible_tasks) >= 0.3 * len(documents)
