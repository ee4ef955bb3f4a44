"""Webhooks delivered to a real HTTP receiver: signatures, retries with backoff, disabling, SSRF."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.accounts.models import OrganisationType, Role
from app.db import utcnow
from app.errors import PermissionDenied
from app.outbox.models import OutboxEvent
from app.webhooks import delivery, service
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.webhooks.permissions import can_manage_webhooks
from app.webhooks.schemas import EndpointForm
from tests import factories
from tests.conftest import csrf_of, web_login
from tests.subscriptions import helpers
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def investor(session):
    org = factories.organisation(
        session, name="Quỹ Đầu tư Sáng tạo", type=OrganisationType.investment_fund
    )
    return factories.user(session, Role.investor, organisation_id=org.id, full_name="Đỗ Nhà Đầu Tư")


def register(client, url: str, events=("initiative.published",)):
    page = client.get("/webhooks/new")
    return client.post(
        "/webhooks",
        data={
            "url": url,
            "description": "CRM",
            "event_types": list(events),
            "csrf_token": csrf_of(page.text),
        },
    )


def test_a_published_initiative_is_delivered_signed_with_the_secret_shown_once(
    client, session, worker, settings, investor, receiver
):
    settings.webhooks_allow_private = True
    web_login(client, investor.email)
    created = register(client, receiver.url)
    assert created.status_code == 201
    secret = re.search(r'value="(whsec_[^"]+)"', created.text).group(1)
    endpoint = session.exec(select(WebhookEndpoint)).one()
    assert secret not in client.get(f"/webhooks/{endpoint.id}").text

    submitter, coordinator = (
        factories.user(session, Role.submitter),
        factories.user(session, Role.coordinator),
    )
    item = helpers.publish(session, submitter, coordinator, title="Pin mặt trời hữu cơ")
    worker.drain()

    [request] = receiver.requests
    assert request.headers["X-Portal-Event"] == "initiative.published"
    assert delivery.verify(secret, request.headers["X-Portal-Signature"], request.body)
    assert not delivery.verify("whsec_wrong", request.headers["X-Portal-Signature"], request.body)
    body = json.loads(request.body)
    assert body["id"] == request.headers["X-Portal-Delivery"]
    assert (body["type"], body["data"]["initiative_id"], body["data"]["title"]) == (
        "initiative.published",
        item.id,
        "Pin mặt trời hữu cơ",
    )
    session.expire_all()
    [attempt] = session.exec(select(WebhookAttempt)).all()
    assert (attempt.status_code, attempt.succeeded, attempt.error) == (200, True, None)


def test_a_failing_receiver_is_retried_with_backoff_then_disabled_and_the_owner_mailed(
    session, worker, settings, investor, receiver, mail_to_smtp
):
    settings.webhooks_allow_private = True
    receiver.status = 500
    endpoint, _secret = service.register_endpoint(
        session,
        investor,
        investor.organisation,
        EndpointForm(url=receiver.url, event_types=["initiative.published"]),
    )
    service.send_test_event(session, endpoint, investor)
    session.commit()

    for backoff in (2, 4, 8, 16):
        before = utcnow()
        worker.drain()
        after = utcnow()
        session.expire_all()
        event = session.exec(
            select(OutboxEvent).where(OutboxEvent.topic == "webhook.deliver")
        ).one()
        assert event.status == "pending"
        # Due `backoff` seconds after the failure, which happened during the drain (however
        # long a busy machine makes that).
        assert event.available_at - after <= timedelta(seconds=backoff)
        assert timedelta(seconds=backoff) <= event.available_at - before
        helpers.make_due(session)
    worker.drain()

    session.expire_all()
    assert len(receiver.requests) == service.MAX_CONSECUTIVE_FAILURES
    attempts = session.exec(select(WebhookAttempt).order_by(WebhookAttempt.id)).all()
    assert [(a.status_code, a.error, a.succeeded) for a in attempts] == [
        (500, "HTTP 500", False)
    ] * 5
    assert session.exec(select(WebhookDelivery)).one().status == "failed"
    endpoint = session.get(WebhookEndpoint, endpoint.id)
    assert (endpoint.is_active, endpoint.consecutive_failures) == (False, 5)
    [mail] = mail_to_smtp.wait_for(1)
    assert mail.rcpt_tos == [investor.email]
    assert receiver.url in mail.subject


def test_a_delivery_can_be_replayed_with_a_new_delivery_id(
    session, worker, settings, investor, receiver
):
    settings.webhooks_allow_private = True
    endpoint, _secret = service.register_endpoint(
        session,
        investor,
        investor.organisation,
        EndpointForm(url=receiver.url, event_types=["initiative.published"]),
    )
    first = service.send_test_event(session, endpoint, investor)
    session.commit()
    worker.drain()
    service.replay(session, endpoint, first.id)
    session.commit()
    worker.drain()
    bodies = [json.loads(r.body) for r in receiver.requests]
    assert [b["type"] for b in bodies] == ["webhook.test", "webhook.test"]
    assert bodies[0]["data"] == bodies[1]["data"]
    assert bodies[0]["id"] != bodies[1]["id"]


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://127.0.0.1:8080/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:10.0.0.1]/hook",
        "ftp://example.org/hook",
    ],
)
def test_a_private_or_non_http_url_is_refused_at_registration(client, session, investor, url):
    web_login(client, investor.email)
    response = register(client, url)
    assert response.status_code == 400
    assert session.exec(select(WebhookEndpoint)).first() is None


def test_an_address_that_turned_private_is_refused_at_delivery_time(
    session, worker, settings, investor, receiver
):
    settings.webhooks_allow_private = True
    endpoint, _secret = service.register_endpoint(
        session,
        investor,
        investor.organisation,
        EndpointForm(url=receiver.url, event_types=["initiative.published"]),
    )
    service.send_test_event(session, endpoint, investor)
    session.commit()
    settings.webhooks_allow_private = False
    worker.drain()
    session.expire_all()
    assert receiver.requests == []
    [attempt] = session.exec(select(WebhookAttempt)).all()
    assert attempt.status_code is None
    assert attempt.error == "Địa chỉ này trỏ tới mạng riêng hoặc mạng nội bộ nên không được phép."


def test_only_members_acting_for_the_organisation_manage_its_webhooks(session, investor):
    org = investor.organisation
    submitter_member = factories.user(session, Role.submitter, organisation_id=org.id)
    outsider = factories.user(session, Role.investor)
    assert can_manage_webhooks(investor, org)
    assert not can_manage_webhooks(submitter_member, org)
    assert not can_manage_webhooks(outsider, org)
    with pytest.raises(PermissionDenied):
        service.register_endpoint(
            session,
            outsider,
            org,
            EndpointForm(url="https://example.org/h", event_types=["initiative.published"]),
        )


def test_an_initiative_unpublished_before_delivery_is_not_sent_as_published(
    session, worker, settings, investor, receiver
):
    from app.publication import service as publication

    settings.webhooks_allow_private = True
    service.register_endpoint(
        session,
        investor,
        investor.organisation,
        EndpointForm(url=receiver.url, event_types=["initiative.published"]),
    )
    session.commit()
    submitter, coordinator = (
        factories.user(session, Role.submitter),
        factories.user(session, Role.coordinator),
    )
    item = helpers.publish(session, submitter, coordinator, title="Pin mặt trời hữu cơ")
    # The published event turns into a delivery, then the initiative is withdrawn from view.
    worker.run_once()
    publication.unpublish(session, coordinator, item, "Trùng lặp.")
    session.commit()
    worker.drain()
    assert receiver.requests == []
    session.expire_all()
    statuses = [d.status for d in session.exec(select(WebhookDelivery))]
    assert statuses == ["cancelled"]
