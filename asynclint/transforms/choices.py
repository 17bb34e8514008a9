"""What a user can choose for `asynclint parallelize`, and the defaults.

Kept apart from the transform so that the command line can offer these without loading it.
"""

STAGES = "stages"
CHAINS = "chains"
SCHEDULES = (STAGES, CHAINS)
UNBOUNDED = 1 << 30  # no bound on the jobs in flight
DEFAULT_TIMEOUT = 3600  # the `async` limit of a job whose block sets none
