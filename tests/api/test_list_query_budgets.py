"""Every list of the API and the department and review queues of the console costs a fixed
number of queries, whatever the number of rows it lists: with nine andons (relisted,
resolved, open; with work orders, holds, evidence, deliveries) no list asks more than with
three (one of each kind), nor more than its budget. An N+1 (a count per andon, the routes
per reason, the holds per card) fails here."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from andon.integrations import services as webhooks
from andon.integrations.relay import relay_pass
from andon.pulls.models import Andon

from ..integrations.story import catalog_load, fix_and_relist, pull

pytestmark = pytest.mark.django_db

SKUS = [f"97870000001{i:02d}" for i in range(9)]

# (path, who). {andon}, {endpoint}, {customer}, {sku} are filled from the first andon.
API_LISTS = [
    ("/andons", "agent1"),
    ("/andons?state=open", "agent1"),
    ("/andons/{andon}/timeline", "agent1"),
    ("/reasons", "agent1"),
    ("/work-orders", "vendor1"),
    ("/work-orders?department=vendor-management", "vendor1"),
    ("/reviews/queue", "lead2"),
    ("/corrective-actions?state=all", "lead2"),
    ("/kpis/bad-andon-rate", "lead2"),
    ("/kpis/monday-review", "lead2"),
    ("/bonuses?agent=agent2", "agent2"),
    ("/listing-events", "integrator"),
    ("/webhooks", "integrator"),
    ("/webhooks/{endpoint}/deliveries", "integrator"),
    ("/recovery/actions", "agent1"),
    ("/customers/{customer}/recovery", "agent1"),
    ("/problem-clusters?product={sku}", "agent1"),
    ("/problem-alerts", "agent1"),
    ("/shared-causes", "lead2"),
]
CONSOLE_QUEUES = [
    ("/departments/vendor-management/", "vendor1"),
    ("/departments/vendor-management/?closed=1", "vendor1"),
    ("/reviews/", "lead2"),
    ("/confirm/", "confirmer1"),
]


# Queries per list as measured (the API's include the bearer token's lookup and its
# last-used stamp; the console's the session, the user and the roles). Raise one only with a
# reason (the work-order and recovery reads check the reader's roles since the API reads no
# wider than the console); a list that grows with its rows fails above whatever its budget.
BUDGET = {
    # + the packed lines the andons' pending scopes hold (holds.scopes: the pull writes no row
    # per line): one grouped read, whatever the number of andons and lines.
    "/andons": 6,
    "/andons?state=open": 6,
    "/andons/{andon}/timeline": 7,
    "/reasons": 3,
    "/work-orders": 5,
    "/work-orders?department=vendor-management": 5,
    "/reviews/queue": 6,  # the lead's own pulls and their teams' pulls: two keyset reads
    "/corrective-actions?state=all": 4,
    "/kpis/bad-andon-rate": 5,
    "/kpis/monday-review": 10,
    "/bonuses?agent=agent2": 3,
    "/listing-events": 4,
    "/webhooks": 4,
    "/webhooks/{endpoint}/deliveries": 6,
    "/recovery/actions": 5,
    "/customers/{customer}/recovery": 5,
    "/problem-clusters?product={sku}": 8,
    "/problem-alerts": 2,
    "/shared-causes": 3,
    # + whether a scope of the cards' andons is still to write out (holds.scopes), once.
    "/departments/vendor-management/": 11,
    "/departments/vendor-management/?closed=1": 12,
    "/reviews/": 13,  # + the integrity notes (evidence, reporters, signals); 2 keyset reads
    "/confirm/": 9,  # + whether a scope is still to write out (holds.scopes), once
}


def _andon(api, sku: str, stage: str) -> None:
    """An andon relisted, or resolved by its departments (the confirmer's), or open."""
    catalog_load(api, sku)
    andon = pull(api, sku)
    if stage == "relisted":
        fix_and_relist(api, andon)
    elif stage == "resolved":
        members = {"vendor-management": "vendor1", "warehouse-logistics": "warehouse1"}
        for wo in andon["work_orders"]:
            who = members[wo["department"]]
            assert api.call("POST", f"/work-orders/{wo['id']}/start", who).status_code == 200
            body = {"findings": "已检验", "disposition": "release"}
            r = api.call("POST", f"/work-orders/{wo['id']}/resolve", who, body)
            assert r.status_code == 200, r.content


def _fill(path: str, first: Andon, endpoint: int) -> str:
    return path.format(andon=first.pk, endpoint=endpoint, customer="cust-a", sku=first.product.sku)


def _console(who: str) -> Client:
    c = Client(headers={"accept-language": "en"})
    assert c.login(username=who, password=f"{who}-pass")
    return c


def _cost(call) -> int:
    with CaptureQueriesContext(connection) as q:
        r = call()
    assert r.status_code == 200, r.content[:300]
    return len(q.captured_queries)


def _costs(api, consoles, first: Andon, endpoint: int) -> dict[str, int]:
    costs = {}
    for path, who in API_LISTS:
        url = _fill(path, first, endpoint)
        api.call("GET", url, who)  # the token's first use and any per-process cache, once
        costs[path] = _cost(lambda url=url, who=who: api.call("GET", url, who))
    for path, who in CONSOLE_QUEUES:
        consoles[who].get(path)
        costs[path] = _cost(lambda path=path, who=who: consoles[who].get(path))
    return costs


def test_every_list_costs_the_same_queries_for_three_andons_as_for_nine(
    api, world, django_assert_max_num_queries
):
    endpoint = webhooks.endpoint_create(actor=None, url="http://127.0.0.1:9/hooks").pk
    # One andon of each kind (relisted; resolved, waiting for the confirmer; open), then six.
    stages = ["relisted", "resolved", "open"]
    for sku, stage in zip(SKUS[:3], stages, strict=True):
        _andon(api, sku, stage)
    relay_pass()
    first = Andon.objects.order_by("id").first()
    consoles = {who: _console(who) for _, who in CONSOLE_QUEUES}
    one = _costs(api, consoles, first, endpoint)

    for sku, stage in zip(SKUS[3:], stages * 2, strict=True):
        _andon(api, sku, stage)
    relay_pass()
    assert Andon.objects.count() == 9

    nine = _costs(api, consoles, first, endpoint)
    assert {p: (one[p], nine[p]) for p in one if nine[p] > one[p]} == {}, "grows with the rows"
    for path, who in API_LISTS:
        with django_assert_max_num_queries(BUDGET[path]):
            api.call("GET", _fill(path, first, endpoint), who)
    for path, who in CONSOLE_QUEUES:
        with django_assert_max_num_queries(BUDGET[path]):
            consoles[who].get(path)
