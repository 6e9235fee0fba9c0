"""Work orders: what a pull asks of each department the reason routes to, with due times from
the route's SLA, findings and the disposition of held goods, confirmed or reopened by the
service confirmer (SPEC capability 4). The state machine is data in `rules.TRANSITIONS`.
"""
