"""Workflow notifications: who is told what, once, in their language, by their channel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.accounts.models import Role
from app.db import utcnow
from app.errors import ValidationFailed
from app.initiatives.workflow import Status, transition
from app.notifications import workflow
from app.notifications.models import Notification
from app.notifications.service import set_preferences
from app.outbox import topics
from tests import factories
from tests.subscriptions import helpers


def test_a_submission_puts_a_receipt_in_the_submitters_inbox_and_tells_coordinators(
    session, worker, mail_to_smtp
):
    submitter = factories.user(session, Role.submitter, language="en", full_name="Ann Submitter")
    quiet, by_mail = (
        factories.user(session, Role.coordinator),
        factories.user(session, Role.coordinator, language="en"),
    )
    set_preferences(session, by_mail, {"new_submission": "both"})
    session.commit()
    helpers.submitted(session, submitter, title="Solar dryer")
    worker.drain()

    kinds = {(n.user_id, n.type, n.channel) for n in session.exec(select(Notification))}
    assert kinds == {
        (submitter.id, "receipt", "in_app"),
        (quiet.id, "new_submission", "in_app"),
        (by_mail.id, "new_submission", "both"),
    }
    [mail] = mail_to_smtp.wait_for(1)  # the receipt mail itself is sent by the submission service
    assert mail.rcpt_tos == [by_mail.email]
    assert mail.subject == "New submission: Solar dryer"
    assert mail.html


def test_a_revision_request_carries_the_coordinators_text(session, worker, mail_to_smtp):
    submitter = factories.user(session, Role.submitter, language="en")
    coordinator = factories.user(session, Role.coordinator)
    item = helpers.submitted(session, submitter)
    transition(session, item, Status.screening, actor=coordinator)
    transition(
        session,
        item,
        Status.returned_for_revision,
        actor=coordinator,
        reason="Bổ sung số liệu thử nghiệm.",
    )
    session.commit()
    worker.drain()

    mails = [m for m in mail_to_smtp.wait_for(2) if m.subject.startswith("Revision requested")]
    assert len(mails) == 1
    assert "The coordinator wrote:\nBổ sung số liệu thử nghiệm." in mails[0].text.replace(
        "\r\n", "\n"
    )


def test_mail_is_in_the_recipients_language(session, worker, mail_to_smtp):
    submitter = factories.user(session, Role.submitter, language="vi")
    coordinator = factories.user(session, Role.coordinator)
    item = helpers.submitted(session, submitter, title="Máy sấy")
    transition(session, item, Status.screening, actor=coordinator)
    session.commit()
    worker.drain()
    [mail] = mail_to_smtp.wait_for(1)
    assert mail.subject == "Sáng kiến “Máy sấy” chuyển sang giai đoạn: Đang kiểm tra hồ sơ"
    assert "Sáng kiến “Máy sấy” của bạn đã chuyển từ" in mail.text


def test_a_type_turned_off_is_not_sent_but_a_mandatory_one_always_is(session, worker, mail_to_smtp):
    submitter = factories.user(session, Role.submitter)
    coordinator = factories.user(session, Role.coordinator)
    with pytest.raises(ValidationFailed):
        set_preferences(session, submitter, {"decision": "off"})
    set_preferences(session, submitter, {"stage_change": "off"})
    session.commit()
    item = helpers.submitted(session, submitter)
    transition(session, item, Status.screening, actor=coordinator)
    transition(session, item, Status.rejected, actor=coordinator, reason="Không phù hợp tiêu chí.")
    session.commit()
    worker.drain()
    types = [
        n.type
        for n in session.exec(select(Notification).where(Notification.user_id == submitter.id))
    ]
    assert types == ["receipt", "decision"]
    assert mail_to_smtp.messages == []  # the decision mail itself comes from the reviews domain


def test_the_same_event_handled_twice_notifies_once(session, worker, mail_to_smtp):
    submitter = factories.user(session, Role.submitter)
    item = helpers.submitted(session, submitter)
    payload = {
        "initiative_id": item.id,
        "from": "draft",
        "to": "submitted",
        "actor_id": submitter.id,
        "reason": None,
    }
    for _ in range(2):
        workflow.on_transition(session, payload, event_key="transition:test")
        session.commit()
    worker.drain()
    receipts = session.exec(
        select(Notification).where(Notification.dedupe_key == "transition:test:receipt")
    ).all()
    assert len(receipts) == 1
    assert mail_to_smtp.messages == []  # a receipt is an inbox entry only


def test_coordinators_hear_once_about_an_initiative_waiting_too_long(session, worker):
    submitter = factories.user(session, Role.submitter)
    first, second = (
        factories.user(session, Role.coordinator),
        factories.user(session, Role.coordinator),
    )
    item = helpers.submitted(session, submitter)
    item.stage_entered_at = utcnow() - timedelta(days=4)
    session.add(item)
    session.commit()
    for _ in range(2):
        workflow.check_waiting(session)
        session.commit()
    rows = session.exec(select(Notification).where(Notification.type == "waiting_too_long")).all()
    assert sorted(n.user_id for n in rows) == [first.id, second.id]


def test_with_the_smtp_server_down_every_mail_is_delivered_exactly_once_when_it_is_back(
    session, worker, mail_to_smtp
):
    submitters = [factories.user(session, Role.submitter) for _ in range(3)]
    coordinator = factories.user(session, Role.coordinator)
    items = [helpers.submitted(session, submitter) for submitter in submitters]
    worker.drain()
    mail_to_smtp.stop()
    for item in items:
        transition(session, item, Status.screening, actor=coordinator)
    session.commit()
    worker.drain()
    pending = session.exec(
        select(helpers.OutboxEvent).where(helpers.OutboxEvent.topic == topics.MAIL_SEND)
    ).all()
    assert [(e.status, e.attempts) for e in pending] == [("pending", 1)] * 3
    assert all(e.available_at > utcnow() for e in pending)

    mail_to_smtp.start()
    helpers.make_due(session)
    worker.drain()
    worker.drain()
    received = mail_to_smtp.wait_for(3)
    assert sorted(m.rcpt_tos[0] for m in received) == sorted(s.email for s in submitters)
    assert len({m["Message-ID"] for m in received}) == 3
