"""asynclint as an ansible-lint rule.

ansible-lint has no plugin entry points: it imports every ``*.py`` file of each folder
under ``ansiblelint/rules/custom/``. The wheel installs this folder as the package
``ansiblelint.rules.custom.asynclint`` (see ``setup.py``), so a plain ``pip install
asynclint`` next to ansible-lint is enough.
"""
