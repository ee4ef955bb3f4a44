"""Notices: the authors hear of a new request, the requester of the answer, by mail (real SMTP) and inbox."""

from __future__ import annotations

from sqlmodel import select

from app.exchange import service
from app.exchange.schemas import AcceptIn, RefuseIn
from app.notifications.models import Notification
from app.notifications.service import set_preferences
from app.outbox import topics
from app.outbox.service import enqueue
from tests.exchange.helpers import MESSAGE, ask, cast
from tests.initiatives.helpers import CONTENT

TITLE = CONTENT["title"]


def _notes(session) -> list[tuple]:
    session.rollback()  # a fresh read: the worker committed in its own transactions
    return [
        (n.user_id, n.type, n.channel, n.title, n.link)
        for n in session.exec(select(Notification).order_by(Notification.user_id, Notification.id))
    ]


def test_the_authors_are_mailed_and_find_the_request_in_their_inbox(session, worker, mail_to_smtp):
    c = cast(session)
    ask(session, c.investor, c.initiative)
    worker.drain()

    mails = sorted(mail_to_smtp.wait_for(2), key=lambda m: m.rcpt_tos)
    assert [m.rcpt_tos for m in mails] == [["dong.tac.gia@vien.vn"], ["tac.gia@vien.vn"]]
    mail = mails[1]
    assert mail.subject == f"Contact request about “{TITLE}”"
    text = mail.text.replace("\r\n", "\n")
    assert (
        f"Phạm Minh Đức asks to get in touch about your initiative “{TITLE}”.\n"
        "Organisation: Quỹ Đổi mới Sáng tạo Phương Nam\nPurpose: Invest in it\nMessage:\n"
        f"{MESSAGE}\n"
    ) in text
    assert "http://testserver/exchange/incoming" in text
    assert "dautu@quy.vn" not in text  # the requester's email waits for the acceptance too
    assert mail.html
    subject = f"Contact request about “{TITLE}”"
    assert _notes(session) == sorted(
        [
            (c.submitter.id, "contact_request", "both", subject, "/exchange/incoming"),
            (c.coauthor.id, "contact_request", "both", subject, "/exchange/incoming"),
        ]
    )


def test_a_retried_event_tells_nobody_twice(session, worker, mail_to_smtp):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)
    enqueue(session, topics.CONTACT_REQUESTED, {"request_id": request.id})  # the same event again
    session.commit()
    worker.drain()
    assert len(mail_to_smtp.wait_for(2)) == 2
    assert len(_notes(session)) == 2


def test_a_request_withdrawn_before_its_notice_goes_out_is_not_told(session, worker, mail_to_smtp):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)
    service.withdraw(session, c.investor, request)
    session.commit()
    worker.drain()
    assert _notes(session) == []
    assert mail_to_smtp.messages == []


def test_the_requester_learns_of_the_acceptance_with_the_submitters_email(
    session, worker, mail_to_smtp
):
    c = cast(session)
    set_preferences(session, c.submitter, {"contact_request": "in_app"})
    set_preferences(session, c.coauthor, {"contact_request": "off"})
    request = ask(session, c.investor, c.initiative)
    service.accept(
        session,
        c.submitter,
        request,
        AcceptIn(message="Hẹn gặp tuần sau.", grant_confidential=True),
    )
    session.commit()
    worker.drain()

    [mail] = mail_to_smtp.wait_for(1)
    assert (mail.rcpt_tos, mail.subject) == (
        ["dautu@quy.vn"],
        f"Your contact request about “{TITLE}” was accepted",
    )
    assert (
        f"The authors of “{TITLE}” accepted your contact request.\n"
        "Contact: Trần Thị Bình, tac.gia@vien.vn\n"
        "You may now read the confidential sections and files of the initiative.\n"
        "Their answer:\nHẹn gặp tuần sau.\n"
    ) in mail.text.replace("\r\n", "\n")
    assert (
        c.investor.id,
        "contact_answer",
        "both",
        f"Your contact request about “{TITLE}” was accepted",
        "/exchange/requests",
    ) in _notes(session)


def test_a_refusal_is_told_without_any_email_address(session, worker, mail_to_smtp):
    c = cast(session)
    for author in (c.submitter, c.coauthor):
        set_preferences(session, author, {"contact_request": "off"})
    request = ask(session, c.investor, c.initiative)
    service.refuse(session, c.coauthor, request, RefuseIn(message="Đã có đối tác."))
    session.commit()
    worker.drain()

    [mail] = mail_to_smtp.wait_for(1)
    assert mail.subject == f"Your contact request about “{TITLE}” was refused"
    text = mail.text.replace("\r\n", "\n")
    assert (
        f"The authors of “{TITLE}” refused your contact request.\nTheir answer:\nĐã có đối tác.\n"
        in text
    )
    assert "tac.gia@vien.vn" not in text and "dong.tac.gia@vien.vn" not in text
