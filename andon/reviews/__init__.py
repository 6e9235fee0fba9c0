"""Pull reviews and the bad-andon rate (SPEC: "Managers answer for wrong pulls", capability 5).

Owns: the review of each andon (valid / invalid with a root cause), corrective actions tracked
to done, the review policy (sampling rate, target), the bad-andon rate KPI attributed to the
team lead at the time of the pull, and the Monday review. A valid review credits the agent's
bonus through `andon.incentives` in the same transaction.
"""
