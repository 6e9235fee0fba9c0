"""The bonus ledger (SPEC: "Managers answer for wrong pulls": agents get a bonus per valid pull
and no penalty for an invalid one). Owns the bonus policy, one credit per andon and agent, and
the monthly statement with its CSV/XLSX export.
"""
