import pytest

pytestmark = pytest.mark.django_db

FIXED_PATHS = [
    ("/api/v1/products/{sku}", "put"),
    ("/api/v1/products/{sku}", "get"),
    ("/api/v1/customers/{external_id}", "put"),
    ("/api/v1/orders/{external_id}", "put"),
    ("/api/v1/orders/{external_id}/lines/{line_no}", "patch"),
    ("/api/v1/contacts", "post"),
    ("/api/v1/andons", "post"),
    ("/api/v1/andons/{andon_id}", "get"),
    ("/api/v1/work-orders", "get"),
    *[
        (f"/api/v1/work-orders/{{work_order_id}}/{a}", "post")
        for a in ("start", "resolve", "confirm", "reopen")
    ],
]


def test_the_openapi_document_describes_the_operations_integrations_rely_on(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path, method in FIXED_PATHS:
        assert method in doc["paths"][path], (path, method)
    andon_post = doc["paths"]["/api/v1/andons"]["post"]
    assert {"200", "201", "403", "422"} <= set(andon_post["responses"])
    assert "bearer" in str(doc["components"]["securitySchemes"]).lower()
