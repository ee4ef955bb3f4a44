"""What a create and a submit through the API cost in SQL statements, exactly.

The submit path runs under crowds (30 clients at once in bench/public_pages.py); every
statement is a round trip and database work. These counts fail when a change adds one,
so that it is added on purpose (and the count here raised with the reason), or avoided.
bench/submit_path.py prints the same statements, and the CPU time, outside the tests.
"""

from __future__ import annotations

from app.accounts.models import Role
from app.catalogue import indexing
from app.initiatives.workflow import Status
from tests import factories
from tests.conftest import api_token
from tests.initiatives import helpers
from tests.statements import statements

# Per database: the four `initiative.transitioned` outbox rows are one INSERT on both
# (app/outbox/service.py). PostgreSQL also notifies the worker (NOTIFY); SQLite reads the
# status again before the transition (no row lock until the transaction's first write)
# and so writes the fingerprint and the status in two UPDATEs.
CREATE = {"sqlite": 4, "postgresql": 4}
SUBMIT = {"sqlite": 16, "postgresql": 15}


def test_create_and_submit_through_the_api_cost_a_fixed_number_of_statements(
    client, session, db_url
):
    kind = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    organisation = factories.organisation(session)
    submitter = factories.user(session, Role.submitter, organisation_id=organisation.id)
    other = factories.user(session, Role.submitter)
    # A published initiative sharing words with the new one: the near-duplicate check finds
    # it in the index and reads it to score it (not similar enough to be shown).
    published = helpers.initiative(
        session,
        other,
        status=Status.published,
        title="Cảm biến IoT đo độ ẩm cho vườn cà phê",
        summary="Tưới nước theo độ ẩm đất.",
    )
    indexing.sync(session, published.id)
    session.commit()
    headers = api_token(client, submitter.email)
    body = helpers.CONTENT | {"field_id": helpers.top_field(session).id}
    # Not counted: the token's first use is noted (then once a minute), and the year's
    # first receipt starts the year's counter (SQLite: two more statements).
    first = client.post("/api/v1/initiatives", json=body | {"title": "Lần đầu"}, headers=headers)
    submitted = client.post(f"/api/v1/initiatives/{first.json()['id']}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.text

    with statements() as sent:
        created = client.post("/api/v1/initiatives", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert len(sent) == CREATE[kind], "\n".join(sent)

    with statements() as sent:
        submitted = client.post(
            f"/api/v1/initiatives/{created.json()['id']}/submit", headers=headers
        )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    assert any(s.startswith("SELECT initiative.id") and " IN " in s for s in sent), (
        "the near-duplicate check read no candidates: the count below would not cover it"
    )
    assert len(sent) == SUBMIT[kind], "\n".join(sent)
