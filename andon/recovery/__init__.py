"""Service recovery (SPEC: "Service recovery empowerment"). Owns the configurable catalogue of
recovery actions, per-role guide limits (above them the agent writes one line of reason, never
asks for approval) and every recovery given on a contact, with its cost, for customer history.
"""
