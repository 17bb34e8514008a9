"""asynclint: a linter and auto-fixer for Ansible's async, poll and async_status patterns."""

__version__ = "0.1.0"
