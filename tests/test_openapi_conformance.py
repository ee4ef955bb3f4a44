"""Schema conformance of the API (schemathesis): no server error, no undocumented status code.

Every operation of /api/v1/openapi.json gets requests generated from its schema,
sent without credentials and with a real bearer token of an administrator and
coordinator (who may call almost everything), on both databases. Any 5xx and any
status code the operation does not document is collected and reported together.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from app.accounts.models import Role
from tests import factories
from tests.conftest import api_token

EXAMPLES = 6


def _exercise(operation, documented: set[str], as_admin: dict, problems: set[str]) -> None:
    label = operation.label

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=operation.as_strategy())
    def run(case):
        for headers in ({}, as_admin):
            try:
                response = case.call(headers=dict(headers))
            except Exception as exc:  # raised through the test transport: a 500 for a client
                problems.add(f"{label}: server error {type(exc).__name__}: {exc}")
                continue
            status = response.status_code
            if status >= 500:
                problems.add(f"{label}: server error {status}")
            elif str(status) not in documented:
                problems.add(f"{label}: undocumented {status} (documented {sorted(documented)})")

    run()


def test_every_operation_answers_only_what_it_documents(app, client, session):
    admin = factories.user(session, Role.admin, Role.coordinator, email="admin@example.vn")
    as_admin = api_token(client, admin.email)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    problems: set[str] = set()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        documented = set(operation.definition.raw["responses"])

        _exercise(operation, documented, as_admin, problems)
    assert operations > 40
    assert sorted(problems) == [], "\n".join(sorted(problems))
