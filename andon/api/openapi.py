"""The OpenAPI document tells the truth about errors, in one place.

ninja documents what each route declares; what the API does around the routes is added here,
after generation: every error is RFC 9457 problem details (`application/problem+json`);
every authenticated route may answer 401; a route with a body 400 (malformed JSON) and 413
(body too large); a route with any input 422 (invalid input: also a bad path parameter, and
the guard's refusals, andon/api/guard.py). Integers are documented as the 64-bit values the
guard lets through and strings as NUL-free, so that a generated client (or a fuzzer) knows.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from .guard import INT_MAX, INT_MIN
from .problems import CONTENT_TYPE, Problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
NUL_FREE = "^[^\\u0000]*$"

ADDED = {
    "401": "Authentication required: no valid bearer token (`code: unauthenticated`).",
    "400": "Malformed JSON: the body does not parse (`code: malformed-json`).",
    "413": "Request body too large (`code: body-too-large`).",
    "422": (
        "Invalid input, naming the `field`: a value the schema or the domain refuses (also a "
        "path parameter of the wrong type, a NUL character, an integer beyond 64 bits, a UTC "
        "offset beyond ±15:59, a year outside 1900-2999)."
    ),
}
METHODS = ("get", "put", "post", "patch", "delete")


def _problem_content() -> dict[str, Any]:
    return {CONTENT_TYPE: {"schema": PROBLEM_REF}}


def _tighten(node: Any) -> None:
    """Integers within 64 bits, strings free of NUL: what the guard enforces, said in the
    schema (in place, through every nested schema)."""
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "integer":
            node.setdefault("minimum", INT_MIN)
            node.setdefault("maximum", INT_MAX)
        elif kind == "string" and not {"pattern", "format", "enum", "const"} & node.keys():
            node["pattern"] = NUL_FREE
        for value in node.values():
            _tighten(value)
    elif isinstance(node, list):
        for value in node:
            _tighten(value)


def _document_operation(op: dict[str, Any]) -> None:
    # ninja keys the responses by int; JSON keys are strings: one kind, or "422" twice.
    responses = {str(k): v for k, v in op.get("responses", {}).items()}
    op["responses"] = responses
    wanted = []
    if op.get("security"):
        wanted.append("401")
    if "requestBody" in op:
        wanted += ["400", "413"]
    if op.get("parameters") or "requestBody" in op:
        wanted.append("422")
    for status in wanted:
        responses.setdefault(status, {"description": ADDED[status]})
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400:
            response["content"] = _problem_content()


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "Problem" not in components:
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(problem.pop("$defs", {}))
        components["Problem"] = problem
    for item in schema.get("paths", {}).values():
        for method in METHODS:
            if method in item:
                _document_operation(item[method])
    _tighten(schema.get("paths"))
    _tighten(components)
    return schema


class DocumentedNinjaAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document includes the errors answered around the routes."""

    def get_openapi_schema(
        self,
        *,
        path_prefix: str | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema
