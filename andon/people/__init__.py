"""People: agents and their teams (with team leads), departments and their members, service
confirmers, integrators and admins. Roles are Django auth groups; who may do what is decided
in `rules.py` (SPEC: "Who uses it").
"""
