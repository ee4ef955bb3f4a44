"""A reference partner: a real HTTP server that gets a token, forwards initiatives (with a
retry of the same external id) and receives the signed status callbacks."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlmodel import select

from app.accounts.models import Role
from app.initiatives import service as initiatives_service
from app.initiatives.models import Initiative
from app.partners import service
from app.webhooks import delivery
from app.webhooks.models import WebhookAttempt
from tests import factories
from tests.fixtures.browser import serve_app
from tests.partners import helpers
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def test_the_reference_partner_forwards_retries_and_receives_signed_stage_callbacks(
    app, session, settings, worker, receiver
):
    settings.webhooks_allow_private = True
    partner, secret = helpers.partner(session, callback_url=receiver.url)
    signing_key = service.callback_secret(session, partner)
    base, stop = serve_app(app)
    try:
        with httpx.Client(base_url=base, timeout=30) as partner_system:
            token = partner_system.post(
                "/api/v1/partners/token",
                data={"grant_type": "client_credentials", "scope": "initiatives:forward"},
                auth=(partner.client_id, secret),
            ).json()["access_token"]
            files = [("initiative", (None, json.dumps(helpers.payload()), "application/json"))]
            first = partner_system.post(
                "/api/v1/partners/initiatives", files=files, headers=helpers.bearer(token)
            )
            retry = partner_system.post(  # its answer was lost: the partner sends it again
                "/api/v1/partners/initiatives", files=files, headers=helpers.bearer(token)
            )
    finally:
        stop()
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["initiative_id"] == first.json()["initiative_id"]

    worker.drain()
    initiative = session.get(Initiative, first.json()["initiative_id"])
    coordinator = factories.user(session, Role.coordinator)
    initiatives_service.start_screening(session, coordinator, initiative)
    session.commit()
    initiatives_service.return_for_revision(
        session, coordinator, initiative, "Bổ sung kết quả thử nghiệm."
    )
    session.commit()
    worker.drain()

    bodies = [json.loads(r.body) for r in receiver.requests]
    assert [r.headers["X-Portal-Event"] for r in receiver.requests] == [
        "forwarded.stage_changed"
    ] * 3
    assert all(
        delivery.verify(signing_key, r.headers["X-Portal-Signature"], r.body)
        for r in receiver.requests
    )
    assert [(b["data"]["from"], b["data"]["to"], b["data"]["reason"]) for b in bodies] == [
        ("draft", "submitted", bodies[0]["data"]["reason"]),
        ("submitted", "screening", None),
        ("screening", "returned_for_revision", "Bổ sung kết quả thử nghiệm."),
    ]
    assert bodies[0]["data"]["reason"].startswith("Được chuyển từ Hệ thống tiếp nhận")
    assert {(b["data"]["external_id"], b["data"]["receipt_code"]) for b in bodies} == {
        ("LGSP-HN-2026-000123", initiative.receipt_code)
    }
    session.expire_all()
    attempts = session.exec(select(WebhookAttempt)).all()
    assert [(a.status_code, a.succeeded) for a in attempts] == [(200, True)] * 3


def test_an_initiative_not_forwarded_sends_no_callback(session, settings, worker, receiver):
    settings.webhooks_allow_private = True
    helpers.partner(session, callback_url=receiver.url)
    submitter = factories.user(session, Role.submitter)
    from tests.subscriptions import helpers as subscription_helpers

    subscription_helpers.submitted(session, submitter, title="Không qua đối tác")
    worker.drain()
    assert receiver.requests == []
