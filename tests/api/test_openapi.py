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


def _operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in {"get", "put", "post", "patch", "delete"}:
                yield path, method, op


def test_the_openapi_document_tells_the_truth_about_errors(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert "Problem" in doc["components"]["schemas"]
    for path, method, op in _operations(doc):
        responses = op["responses"]
        where = f"{method.upper()} {path}"
        for status, response in responses.items():
            if int(status) >= 400:  # every error is problem details, documented as such
                assert list(response["content"]) == ["application/problem+json"], where
        if op.get("security"):
            assert "401" in responses, where
        if "requestBody" in op:
            assert {"400", "413", "422"} <= set(responses), where
        if any(p["in"] == "path" for p in op.get("parameters", [])):
            assert "422" in responses, where  # a path parameter of the wrong type


def test_inputs_are_documented_as_the_guard_takes_them(client):
    doc = client.get("/api/v1/openapi.json").json()
    params = {
        p["name"]: p["schema"]
        for p in doc["paths"]["/api/v1/andons/{andon_id}"]["get"]["parameters"]
    }
    assert params["andon_id"]["maximum"] == 2**63 - 1
    assert params["andon_id"]["minimum"] == -(2**63)
    note = doc["components"]["schemas"]["AndonIn"]["properties"]["note"]
    assert note["pattern"] == "^[^\\u0000]*$"


def test_a_bad_path_parameter_is_the_documented_422(api, world):
    r = api.call("GET", "/andons/not-a-number", "agent1")
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert r.json()["field"] == "andon_id"
    r = api.client.get("/api/v1/andons/1")
    assert r.status_code == 401 and r["Content-Type"] == "application/problem+json"
