"""Digests through a real SMTP server: the window's items exactly, never empty, never repeated."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.accounts.models import Role
from app.cli import main as portal
from app.db import utcnow
from app.subscriptions import digests, service
from app.subscriptions.models import DigestItem, Subscription
from app.subscriptions.schemas import SubscriptionForm
from tests import factories
from tests.subscriptions import helpers


def daily(session, people, **fields):
    sub = service.subscribe(
        session,
        people.investor,
        SubscriptionForm(kind="category", province="Lào Cai", channel="daily", **fields),
    )
    session.commit()
    return sub


def digest_mails(smtp, people, count):
    return [m for m in smtp.wait_for(count) if m.rcpt_tos == [people.investor.email]]


def test_consecutive_daily_digests_cover_their_windows_exactly_and_leave_out_unpublished(
    session, worker, mail_to_smtp, people, capsys
):
    daily(session, people, name="Lào Cai")
    first, second, withdrawn = (
        helpers.publish(session, people.submitter, people.coordinator, title=t)
        for t in ("Cảm biến sạt lở", "Trạm đo mưa", "Bản đồ lũ quét")
    )
    helpers.deliver_all(session, worker)
    helpers.unpublish(session, withdrawn, people.coordinator)  # after it matched, before the digest
    helpers.deliver_all(session, worker)
    mail_to_smtp.clear()

    portal(["digest", "--daily"])
    worker.drain()
    assert capsys.readouterr().out == "1 daily digest(s) queued; the worker delivers them\n"
    [mail] = digest_mails(mail_to_smtp, people, 1)
    assert mail.subject == "Your daily digest of new initiatives"
    body = mail.text
    assert "== Lào Cai ==" in body
    assert ("Cảm biến sạt lở" in body, "Trạm đo mưa" in body, "Bản đồ lũ quét" in body) == (
        True,
        True,
        False,
    )
    assert body.index("Cảm biến sạt lở") < body.index("Trạm đo mưa")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    third = helpers.publish(session, people.submitter, people.coordinator, title="Đê chắn sóng mềm")
    helpers.deliver_all(session, worker)
    mail_to_smtp.clear()
    assert digests.send_digests(session, "daily", force=True) == 1
    session.commit()
    worker.drain()
    [mail] = digest_mails(mail_to_smtp, people, 1)
    assert "Đê chắn sóng mềm" in mail.text
    assert "Cảm biến sạt lở" not in mail.text and "Trạm đo mưa" not in mail.text

    mail_to_smtp.clear()
    assert digests.send_digests(session, "daily", force=True) == 0  # nothing new: no empty digest
    session.commit()
    worker.drain()
    assert mail_to_smtp.messages == []
    statuses = sorted((i.initiative_id, i.status) for i in session.exec(select(DigestItem)))
    assert statuses == sorted(
        [(first.id, "sent"), (second.id, "sent"), (withdrawn.id, "dropped"), (third.id, "sent")]
    )


def test_a_digest_is_sent_at_its_scheduled_time_only(session, worker, people):
    sub = daily(session, people)
    helpers.publish(session, people.submitter, people.coordinator)
    helpers.deliver_all(session, worker)
    created = sub.last_digest_at
    next_send = digests.scheduled_moment("daily", created + timedelta(days=1))
    assert digests.send_digests(session, "daily", now=next_send - timedelta(minutes=1)) == 0
    assert digests.send_digests(session, "daily", now=next_send) == 1
    session.commit()
    session.expire_all()
    assert session.get(Subscription, sub.id).last_digest_at == next_send
    assert digests.send_digests(session, "daily", now=next_send + timedelta(hours=1)) == 0


def test_the_weekly_schedule_is_monday_morning_in_vietnam(session):
    moment = digests.scheduled_moment("weekly", utcnow())
    local = moment.astimezone(digests.TIMEZONE)
    assert (local.weekday(), local.hour, local.minute) == (0, 7, 0)
    assert utcnow() - timedelta(days=7) < moment <= utcnow()


def test_a_digest_names_automatic_subscriptions_in_the_recipients_language(
    session, worker, mail_to_smtp, people
):
    vietnamese = factories.user(session, Role.investor, full_name="Lê Văn Việt", language="vi")
    field = {"kind": "category", "field_code": "digital_technology", "channel": "daily"}
    typed = {"kind": "category", "province": "Lào Cai", "channel": "daily", "name": "Của tôi"}
    for user, forms in ((people.investor, (typed, field)), (vietnamese, (field, typed))):
        for form in forms:
            service.subscribe(session, user, SubscriptionForm(**form))
    session.commit()
    helpers.publish(session, people.submitter, people.coordinator, title="Cảm biến sạt lở")
    helpers.deliver_all(session, worker)
    mail_to_smtp.clear()

    assert digests.send_digests(session, "daily", force=True) == 2
    session.commit()
    worker.drain()
    mails = {m.rcpt_tos[0]: m.text for m in mail_to_smtp.wait_for(2)}
    english, in_vietnamese = mails[people.investor.email], mails[vietnamese.email]
    assert "== Của tôi ==" in english
    lines = [line.strip() for line in english.splitlines()]
    assert "Strategic digital technology · Lào Cai" in lines  # the initiative's field too
    assert "Also matches: Strategic digital technology" in english
    assert "== Công nghệ số chiến lược ==" in in_vietnamese
    assert "Cũng khớp với: Của tôi" in in_vietnamese
    assert "Hủy theo dõi “Công nghệ số chiến lược”:" in in_vietnamese
