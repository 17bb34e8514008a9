"""Adapters that bring asynclint to other tools (the ansible-lint plugin lives here)."""
