"""The cord: eligibility, the pull (stop-sell, holds, work orders, credit, audit, events in one
transaction), join-or-open, and the relist gate (SPEC capability 3 and "Rules that come from
the talk"). Pure decisions in `rules.py`; the transaction and its lock order in `services.py`.
"""
