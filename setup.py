"""Packaging metadata lives in pyproject.toml; this adds the ansible-lint plugin folder.

ansible-lint loads custom rules from ``ansiblelint/rules/custom/<name>/`` only, so the
adapter's source folder is installed under that package name as well.
"""

from setuptools import find_namespace_packages, setup

PLUGIN_PACKAGE = "ansiblelint.rules.custom.asynclint"
PLUGIN_SOURCE = "asynclint/integrations/ansible_lint"

setup(
    packages=[
        *find_namespace_packages(include=["asynclint*"],
                                exclude=["asynclint.integrations.ansible_lint"]),
        PLUGIN_PACKAGE,
    ],
    package_dir={PLUGIN_PACKAGE: PLUGIN_SOURCE},
)
