"""The expression reader: which variables an Ansible value reads, from a parse of its Jinja.

Templates are parsed, never rendered. Each read of a free variable is one `Reference`: its
root name, the constant attribute/subscript chain after it, and the Jinja test applied to it.

- Only free variables count: loop targets, `{% set %}` names, macro arguments and `loop` are
  bound inside the template; a called bare name (`lookup`, `range`, `query`) is a function.
- `a.b['c'][0]` is one reference with chain `("b", "c", 0)`; a computed key (`a[x]`) ends the
  chain at `a`, and `x` is read on its own; a method call (`a.b.get('c')`) reads `a.b`.
- Filters do not break a chain: `r.results | map(attribute='ansible_job_id') | list` reads
  `r.results` (filter arguments that are strings are not variables).
- References come in source order, one per occurrence.
- Nothing raises: non-strings, text without Jinja and invalid Jinja give ().
"""

from asynclint.expressions.markers import is_templated
from asynclint.expressions.reader import (
    expression_references,
    template_references,
    value_references,
)
from asynclint.expressions.reference import Reference

__all__ = [
    "Reference",
    "expression_references",
    "is_templated",
    "template_references",
    "value_references",
]
