"""The OpenAPI schema documents every answer the API really gives, so generated clients work.

Added to every operation, from what the routes declare:
- 401 (problem+json) where a bearer token is accepted: a missing, invalid, expired or
  revoked token is refused before anything else;
- 404 (problem+json) where the path names an object by id or code;
- 422 (problem+json) where parameters or a body are validated (FastAPI's own 422
  entry is replaced: errors are answered as problem+json, not HTTPValidationError).
Every 4xx entry's body is described by the one `Problem` schema (RFC 9457).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An error, as RFC 9457 problem details",
    "properties": {
        "type": {"type": "string", "examples": ["/problems/not-found"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Field name → what is wrong with it",
        },
    },
    "required": ["type", "title", "status", "detail"],
}
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
DESCRIPTIONS = {
    "401": "Missing, invalid, expired or revoked token",
    "404": "No such object (or not visible to you)",
    "422": "Invalid parameters or body; `errors` names the fields",
}


def _add(responses: dict[str, Any], status: str) -> None:
    entry = responses.setdefault(status, {"description": DESCRIPTIONS[status]})
    if status == "422":
        entry["description"] = DESCRIPTIONS["422"]
        entry["content"] = PROBLEM_CONTENT


def document(schema: dict[str, Any], prefix: str) -> dict[str, Any]:
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    schema["components"]["schemas"].pop("HTTPValidationError", None)
    schema["components"]["schemas"].pop("ValidationError", None)
    for path, item in schema.get("paths", {}).items():
        if not path.startswith(prefix):
            continue
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            parameters = operation.get("parameters", [])
            if operation.get("security"):
                _add(responses, "401")
            if any(p.get("in") == "path" for p in parameters):
                _add(responses, "404")
            if parameters or "requestBody" in operation or "422" in responses:
                _add(responses, "422")
            for status, entry in responses.items():
                if status.startswith("4") and status != "422":
                    entry["content"] = PROBLEM_CONTENT
    return schema


def install(app: FastAPI, prefix: str) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                ),
                prefix,
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
