"""The immutable model of playbooks, task files and roles (see :mod:`.nodes`)."""

from asynclint.model.nodes import (
    Block,
    Document,
    Include,
    Play,
    RoleRef,
    Task,
    TaskNode,
    document_task_nodes,
    iter_task_nodes,
)
from asynclint.model.project import FileError, Project, load_project

__all__ = [
    "Block",
    "Document",
    "FileError",
    "Include",
    "Play",
    "Project",
    "RoleRef",
    "Task",
    "TaskNode",
    "document_task_nodes",
    "iter_task_nodes",
    "load_project",
]
