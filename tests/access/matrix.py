"""Who reads what: written once, tested against the API and the console alike (issue 8,
point 8: the API reads no wider than the console). The decisions themselves live in
andon/people/rules.py; this is the table they must produce, by person of the test world."""

from __future__ import annotations

from dataclasses import dataclass

# One person per role of the test world (tests/world.py), plus an admin made here.
PEOPLE = {
    "agent1": "agent",
    "lead1": "team lead",
    "confirmer1": "service confirmer",
    "vendor1": "member of vendor management",
    "warehouse1": "member of warehouse & logistics",
    "integrator": "integrator",
    "admin": "admin",
}


@dataclass(frozen=True)
class Read:
    what: str
    readers: frozenset[str]
    # Readers whose work has no console page for it (integrators read back what they loaded):
    # the API lets them read it, the console has nothing to show them.
    api_only: frozenset[str] = frozenset()


def _read(what: str, *readers: str, api_only: tuple[str, ...] = ()) -> Read:
    assert set(readers) <= PEOPLE.keys() and set(api_only) <= set(readers), readers
    return Read(what, frozenset(readers), frozenset(api_only))


VENDOR_WORK_ORDERS = _read("vendor-management work orders", "vendor1", "confirmer1", "admin")
WAREHOUSE_WORK_ORDERS = _read(
    "warehouse-logistics work orders", "warehouse1", "confirmer1", "admin"
)
RECOVERY_HISTORY = _read("a customer's recovery history", "agent1", "lead1", "admin")
RECOVERY_CATALOGUE = _read("the recovery catalogue and guides", "agent1", "lead1", "admin")
ORDERS = _read(
    "a customer's orders", "agent1", "lead1", "integrator", "admin", api_only=("integrator",)
)
BAD_ANDON_RATE = _read("the bad-andon rate", "lead1", "admin")
REVIEW_QUEUE = _read("the pulls waiting for review", "lead1", "admin")
CORRECTIVE_ACTIONS = _read("the corrective actions", "lead1", "admin")

READS = (
    VENDOR_WORK_ORDERS,
    WAREHOUSE_WORK_ORDERS,
    RECOVERY_HISTORY,
    RECOVERY_CATALOGUE,
    ORDERS,
    BAD_ANDON_RATE,
    REVIEW_QUEUE,
    CORRECTIVE_ACTIONS,
)

CELLS = [(read, person) for read in READS for person in PEOPLE]
