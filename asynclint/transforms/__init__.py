"""Whole-playbook rewrites: `asynclint parallelize` (:mod:`.parallelize`)."""
