"""Shared kernel: the append-only audit trail, the transactional outbox, idempotency records
and API tokens. Every domain writes its audit entries and outbound events through here, in
the transaction of the change they describe (SPEC: "Atomic effects", capability 10).
"""
