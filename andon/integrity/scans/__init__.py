"""The reads behind every signal: set-based SQL (aggregates, window functions) that returns
only the few rows worth a rule's attention. Python only ever sees the candidates and a
handful of population numbers, never a row per contact or customer. The heavy per-subject
numbers are kept in tallies (CustomerTally, AgentTally) that a full scan fills for everyone
and an incremental scan refreshes for the subjects a write touched.

Each signal function returns findings from integrity.rules; services.scan writes them."""

from .agents import tally_refresh as agents_refresh
from .clusters import account_clusters, andon_evidence, andons_evidence
from .fraud import customer_fraud
from .fraud import tally_refresh as customers_refresh
from .staff import staff_misuse, system_errors

__all__ = [
    "account_clusters",
    "agents_refresh",
    "andon_evidence",
    "andons_evidence",
    "customer_fraud",
    "customers_refresh",
    "staff_misuse",
    "system_errors",
]
