"""Fixes as data: text edits on the original source plus an applicability."""

from asynclint.fixes.edits import Applicability, Edit, Fix

__all__ = ["Applicability", "Edit", "Fix"]
