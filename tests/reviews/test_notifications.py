"""Reviewers and coordinators hear about invitations, reminders, overdue reviews and closing rounds
through the notifications domain: by their chosen channel, once, in their language."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.accounts.models import User
from app.db import utcnow
from app.notifications import review_notices
from app.notifications.models import Notification
from app.notifications.service import set_preferences
from app.outbox.models import OutboxEvent
from app.reviews import decisions, invitations, service
from tests.reviews import helpers as h


def _notes(session, user, type_name: str) -> list[Notification]:
    session.rollback()  # a fresh read: the worker committed in its own transactions
    return list(
        session.exec(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.type == type_name)
            .order_by(Notification.id)
        )
    )


def _mails_to(mail_to_smtp, user) -> list:
    return [m for m in mail_to_smtp.messages if m.rcpt_tos == [user.email]]


def test_by_default_an_invitation_reaches_the_smtp_server_and_the_inbox(
    session, worker, mail_to_smtp
):
    boss, expert = h.coordinator(session), h.reviewer(session, "Ann Expert", language="en")
    item = h.screened(session, title="Cảm biến sạt lở")
    round = h.open_round(session, boss, [item], name="Đợt 1")
    row = service.assign(session, boss, round, item, expert)
    session.commit()
    worker.drain()

    [mail] = _mails_to(mail_to_smtp, expert)
    assert mail.subject == f"Invitation to review “{item.title}” (Đợt 1)"
    assert mail.text.startswith("Hello Ann Expert,")
    assert f"You are invited to review the initiative “{item.title}” in the round “Đợt 1”." in (
        mail.text
    )
    assert f"http://testserver/reviews/assignments/{row.id}" in mail.text
    assert mail.html
    [note] = _notes(session, expert, "review_invitation")
    assert (note.channel, note.link) == ("both", f"/reviews/assignments/{row.id}")


def test_a_reviewer_who_chose_the_inbox_gets_no_invitation_mail(session, worker, mail_to_smtp):
    boss, expert = h.coordinator(session), h.reviewer(session)
    set_preferences(session, expert, {"review_invitation": "in_app"})
    session.commit()
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    service.assign(session, boss, round, item, expert)
    session.commit()
    worker.drain()

    [note] = _notes(session, expert, "review_invitation")
    assert (note.channel, note.title) == (
        "in_app",
        f"Mời đánh giá sáng kiến “{item.title}” (Đợt 1)",
    )
    assert _mails_to(mail_to_smtp, expert) == []


def test_an_invitation_handled_twice_is_told_once(session, worker, mail_to_smtp):
    boss, expert = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    row = service.assign(session, boss, round, item, expert)
    session.commit()
    worker.drain()
    review_notices.invited(session, {"assignment_id": row.id})  # as a retried delivery would
    session.commit()
    worker.drain()

    assert len(_notes(session, expert, "review_invitation")) == 1
    assert len(_mails_to(mail_to_smtp, expert)) == 1


def test_coordinators_hear_once_about_an_overdue_review_though_the_reviewer_is_reminded_daily(
    session, worker, mail_to_smtp
):
    boss, late = h.coordinator(session), h.reviewer(session, "Người Chậm")
    item = h.screened(session, title="Cảm biến sạt lở")
    round = h.open_round(session, boss, [item])
    row = service.assign(session, boss, round, item, late)
    session.commit()
    worker.drain()
    round.due_at = utcnow() - timedelta(days=2)
    session.commit()
    worker.run_periodic(force=True)
    worker.drain()
    row.reminded_at = utcnow() - timedelta(days=1)  # the next day's pass
    session.add(row)
    session.commit()
    worker.run_periodic(force=True)
    worker.drain()

    [note] = _notes(session, boss, "overdue_review")
    assert note.link == f"/reviews/rounds/{round.id}"
    [mail] = _mails_to(mail_to_smtp, boss)
    assert mail.subject == "Đánh giá quá hạn: Cảm biến sạt lở"
    assert "Người Chậm chưa nộp bài đánh giá sáng kiến “Cảm biến sạt lở”" in mail.text
    topics = [
        e.topic
        for e in session.exec(select(OutboxEvent).where(OutboxEvent.topic.startswith("review.")))
    ]
    assert (topics.count("review.reminded"), topics.count("review.overdue")) == (2, 1)


def test_reviewers_still_at_work_hear_once_that_the_round_closes_soon(
    session, worker, mail_to_smtp
):
    boss, busy, done = (
        h.coordinator(session),
        h.reviewer(session, "Đang Chấm"),
        h.reviewer(session, "Đã Nộp"),
    )
    item = h.screened(session)
    round = h.open_round(session, boss, [item], due_at=utcnow() + timedelta(days=5))
    service.assign(session, boss, round, item, busy)
    h.submit(session, done, h.cleared(session, round, item, done, boss), 8, 8, 8, 8, 8)
    worker.drain()
    mail_to_smtp.clear()
    round.due_at = utcnow() + timedelta(days=1)
    session.commit()
    for _ in range(2):
        worker.run_periodic(force=True)
        worker.drain()

    [note] = _notes(session, busy, "round_closing")
    assert note.title.startswith("Đợt đánh giá “Đợt 1” kết thúc vào ngày")
    assert [m.subject for m in _mails_to(mail_to_smtp, busy)] == [note.title]
    assert _notes(session, done, "round_closing") == []


def test_closing_a_round_tells_every_reviewer_who_did_not_decline(session, worker, mail_to_smtp):
    boss = h.coordinator(session)
    busy, done, gone = (h.reviewer(session, name) for name in ("Đang Chấm", "Đã Nộp", "Từ Chối"))
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    service.assign(session, boss, round, item, busy)
    h.submit(session, done, h.cleared(session, round, item, done, boss), 8, 8, 8, 8, 8)
    invitations.decline(
        session, gone, service.assign(session, boss, round, item, gone), "Bận công tác."
    )
    session.commit()
    worker.drain()
    mail_to_smtp.clear()
    for _ in range(2):
        service.close_round(session, boss, round)
        session.commit()
        worker.drain()

    told = {
        n.user_id
        for n in session.exec(select(Notification).where(Notification.type == "round_closing"))
    }
    assert told == {busy.id, done.id}
    [mail] = _mails_to(mail_to_smtp, done)
    assert mail.subject == "Đợt đánh giá “Đợt 1” đã kết thúc"
    assert "bài đánh giá không thể nộp hay sửa được nữa" in mail.text


def test_a_return_after_review_sends_exactly_one_decision_mail(session, worker, mail_to_smtp):
    boss, expert = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    submitter = session.get(User, item.submitter_id)
    round = h.open_round(session, boss, [item])
    h.submit(
        session,
        expert,
        h.cleared(session, round, item, expert, boss),
        6,
        6,
        6,
        6,
        6,
        comment="Bổ sung.",
    )
    worker.drain()
    mail_to_smtp.clear()
    decisions.decide(session, boss, round, item, "return", "Cần bổ sung số liệu.")
    session.commit()
    worker.drain()

    [mail] = _mails_to(mail_to_smtp, submitter)
    assert mail.subject == f"Quyết định về sáng kiến “{item.title}”: Trả lại để chỉnh sửa"
    assert [n.channel for n in _notes(session, submitter, "decision")] == ["in_app"]
    assert _notes(session, submitter, "revision_requested") == []
