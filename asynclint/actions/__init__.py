"""Which actions can run async.

Async support belongs to an action's plugin (``_supports_async``). ansible-core's plugins
are summarised ahead of time into ``data/ansible_core.json``; a project's own
``action_plugins/`` and collections are scanned at run time (with libcst, loaded only
then) and cached by content hash.

    from asynclint.actions.table import load_action_table

    table = load_action_table(project_root)
    table.supports_async("ansible.builtin.copy")   # False
    table.supports_async("shell")                  # True: its plugin runs ``command``'s
    table.supports_async("community.general.foo")  # None: unknown, never flag it

The package imports nothing: the cache key of a run needs :mod:`.discovery`, not the table.
"""
