"""Webhook verbs: register endpoints, queue signed deliveries, record attempts, replay.

Each delivery is one outbox event (`webhook.deliver`, keyed by endpoint so an
endpoint receives its events in order). A failed attempt is logged and the
event retried by the worker with its exponential backoff; after
`MAX_CONSECUTIVE_FAILURES` failed attempts in a row the endpoint is disabled
and its owner told by mail.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import Organisation, User
from app.config import get_settings
from app.db import unit_of_work, utcnow
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.i18n import _, ngettext
from app.mail.service import queue_mail
from app.outbox import service as outbox
from app.outbox import topics
from app.webhooks import delivery as http
from app.webhooks import payloads, targets
from app.webhooks.models import (
    EVENT_PUBLISHED,
    TEST_EVENT,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.webhooks.permissions import can_manage_webhooks
from app.webhooks.schemas import EndpointForm

MAX_CONSECUTIVE_FAILURES = 5


class RetryLater(Exception):
    """The attempt failed and was logged; the worker retries the event after its backoff."""


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def require_manager(user: User, organisation: Organisation | None) -> Organisation:
    if organisation is None or not can_manage_webhooks(user, organisation):
        raise PermissionDenied(
            _("Only members acting for this organisation may manage its webhooks.")
        )
    return organisation


def check_url(url: str) -> str:
    try:
        return targets.check(url).url
    except targets.UnsafeTarget as exc:
        raise ValidationFailed(str(exc), errors={"url": str(exc)}) from exc


# -- endpoints ---------------------------------------------------------------
def list_endpoints(session: Session, user: User) -> list[WebhookEndpoint]:
    """The endpoints of the user's own organisation."""
    organisation = require_manager(user, user.organisation)
    return list(
        session.exec(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.organisation_id == organisation.id)
            .order_by(col(WebhookEndpoint.id))
        )
    )


def get_endpoint(session: Session, user: User, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(_("No such webhook endpoint."))
    require_manager(user, session.get(Organisation, endpoint.organisation_id))
    return endpoint


def register_endpoint(
    session: Session, user: User, organisation: Organisation | None, data: EndpointForm
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint; the returned secret is shown once and never again."""
    organisation = require_manager(user, organisation)
    url = check_url(data.url)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        organisation_id=organisation.id,
        created_by_id=user.id,
        url=url,
        description=data.description,
        event_types=data.event_types,
        secret=secret,
    )
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def create_system_endpoint(
    session: Session,
    *,
    organisation: Organisation,
    created_by: User,
    url: str,
    description: str,
    event_types: list[str],
) -> WebhookEndpoint:
    """An endpoint an administrator sets up for an organisation (a partner system's callbacks):
    no membership check, the caller has checked the administrator."""
    endpoint = WebhookEndpoint(
        organisation_id=organisation.id,
        created_by_id=created_by.id,
        url=check_url(url),
        description=description[:200],
        event_types=event_types,
        secret=new_secret(),
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def queue_to(
    session: Session, endpoint: WebhookEndpoint, event_type: str, data: dict[str, Any]
) -> WebhookDelivery:
    """Queue one signed delivery to this endpoint (partner callbacks), if it is active."""
    return _queue(session, endpoint, event_type, data)


def rotate_secret(session: Session, endpoint: WebhookEndpoint) -> str:
    endpoint.secret = new_secret()
    session.add(endpoint)
    return endpoint.secret


def enable_endpoint(session: Session, endpoint: WebhookEndpoint) -> None:
    check_url(endpoint.url)
    endpoint.is_active, endpoint.consecutive_failures = True, 0
    endpoint.disabled_at = endpoint.disabled_reason = None
    session.add(endpoint)


def disable_endpoint(session: Session, endpoint: WebhookEndpoint, reason: str) -> None:
    endpoint.is_active, endpoint.disabled_at, endpoint.disabled_reason = (
        False,
        utcnow(),
        reason[:300],
    )
    session.add(endpoint)


def delete_endpoint(session: Session, endpoint: WebhookEndpoint) -> None:
    deliveries = list(
        session.exec(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    )
    ids = [d.id for d in deliveries]
    if ids:
        for attempt in session.exec(
            select(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(ids))
        ):
            session.delete(attempt)
        for d in deliveries:
            d.replay_of_id = None
        session.flush()
        for d in deliveries:
            session.delete(d)
    session.delete(endpoint)


def recent_deliveries(
    session: Session, endpoint: WebhookEndpoint, limit: int = 50
) -> list[WebhookDelivery]:
    return list(
        session.exec(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(col(WebhookDelivery.id).desc())
            .limit(limit)
        )
    )


def attempts_of(
    session: Session, deliveries: list[WebhookDelivery]
) -> dict[int, list[WebhookAttempt]]:
    ids = [d.id for d in deliveries]
    found: dict[int, list[WebhookAttempt]] = {i: [] for i in ids if i is not None}
    if ids:
        for a in session.exec(
            select(WebhookAttempt)
            .where(col(WebhookAttempt.delivery_id).in_(ids))
            .order_by(col(WebhookAttempt.id))
        ):
            found[a.delivery_id].append(a)
    return found


# -- deliveries --------------------------------------------------------------
def _queue(
    session: Session,
    endpoint: WebhookEndpoint,
    event_type: str,
    data: dict[str, Any],
    replay_of: WebhookDelivery | None = None,
) -> WebhookDelivery:
    uid = uuid.uuid4().hex
    envelope = {"id": uid, "type": event_type, "created_at": utcnow().isoformat(), "data": data}
    delivery = WebhookDelivery(
        uid=uid,
        endpoint_id=endpoint.id,
        event_type=event_type,
        payload=envelope,
        replay_of_id=replay_of.id if replay_of else None,
    )
    session.add(delivery)
    session.flush()
    outbox.enqueue(
        session, topics.WEBHOOK_DELIVER, {"delivery_id": delivery.id}, key=f"endpoint:{endpoint.id}"
    )
    return delivery


def dispatch(
    session: Session, event_type: str, data: dict[str, Any], organisation_id: int | None = None
) -> list[WebhookDelivery]:
    """Queue `event_type` for every active endpoint that wants it (of one organisation if given)."""
    query = select(WebhookEndpoint).where(col(WebhookEndpoint.is_active).is_(True))
    if organisation_id is not None:
        query = query.where(WebhookEndpoint.organisation_id == organisation_id)
    return [
        _queue(session, e, event_type, data)
        for e in session.exec(query.order_by(col(WebhookEndpoint.id)))
        if event_type in e.event_types
    ]


def send_test_event(session: Session, endpoint: WebhookEndpoint, user: User) -> WebhookDelivery:
    data = {
        "message": "This is a test event from the initiative portal.",
        "sent_by": user.full_name,
    }
    return _queue(session, endpoint, TEST_EVENT, data)


def replay(session: Session, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    original = session.get(WebhookDelivery, delivery_id)
    if original is None or original.endpoint_id != endpoint.id:
        raise NotFound(_("No such delivery."))
    copy = _queue(
        session,
        endpoint,
        original.event_type,
        dict(original.payload.get("data", {})),
        replay_of=original,
    )
    return copy


def _log_attempt(session: Session, delivery: WebhookDelivery, outcome: http.Outcome) -> None:
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            status_code=outcome.status_code,
            response_ms=outcome.response_ms,
            error=outcome.error,
            succeeded=outcome.succeeded,
        )
    )
    delivery.attempts += 1
    session.add(delivery)


def _notify_owner_disabled(session: Session, endpoint: WebhookEndpoint) -> None:
    owner = session.get(User, endpoint.created_by_id)
    if owner is None or not owner.is_active:
        return
    queue_mail(
        session,
        to=owner.email,
        template="webhooks/mail/disabled",
        language=owner.language,
        context={
            "endpoint": endpoint,
            "failures": endpoint.consecutive_failures,
            "name": owner.full_name,
            "link": f"{get_settings().base_url}/webhooks/{endpoint.id}",
        },
    )


def attempt_delivery(session: Session, delivery_id: int) -> None:
    """One attempt of one delivery (the `webhook.deliver` handler).

    Success and the final failure are written in the handler's transaction.
    An earlier failure is logged in a transaction of its own, because the
    handler then raises `RetryLater` to let the worker back off, and that
    rolls the handler's transaction back.
    """
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != "pending":
        return
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    assert endpoint is not None
    if not endpoint.is_active or (
        # Unpublished since it was queued: its facts must not go out any more.
        delivery.event_type == EVENT_PUBLISHED
        and not payloads.still_public(
            session, (delivery.payload.get("data") or {}).get("initiative_id")
        )
    ):
        delivery.status, delivery.completed_at = "cancelled", utcnow()
        session.add(delivery)
        return
    try:
        target = targets.check(endpoint.url)  # resolved again now: DNS may have changed
    except targets.UnsafeTarget as exc:
        outcome = http.Outcome(None, 0, str(exc))
    else:
        outcome = http.send(
            target, endpoint.secret, delivery.event_type, delivery.uid, delivery.payload
        )
    if outcome.succeeded:
        _log_attempt(session, delivery, outcome)
        delivery.status, delivery.completed_at = "succeeded", utcnow()
        endpoint.consecutive_failures = 0
        session.add(endpoint)
        return
    max_failures = min(MAX_CONSECUTIVE_FAILURES, get_settings().outbox_max_attempts)
    if endpoint.consecutive_failures + 1 >= max_failures:
        _log_attempt(session, delivery, outcome)
        endpoint.consecutive_failures += 1
        delivery.status, delivery.completed_at = "failed", utcnow()
        disable_endpoint(
            session,
            endpoint,
            ngettext(
                "Disabled after %(n)s failed delivery.",
                "Disabled after %(n)s failed deliveries in a row.",
                max_failures,
                n=max_failures,
            ),
        )
        _notify_owner_disabled(session, endpoint)
        return
    with unit_of_work(session.get_bind().engine) as log_session:
        logged = log_session.get(WebhookDelivery, delivery.id)
        failing = log_session.get(WebhookEndpoint, endpoint.id)
        assert logged is not None and failing is not None
        _log_attempt(log_session, logged, outcome)
        failing.consecutive_failures += 1
        log_session.add(failing)
    raise RetryLater(f"delivery {delivery.uid} to endpoint {endpoint.id} failed: {outcome.error}")
