"""Notices for offers, counter-offers and service requests: inbox and mail (real SMTP)."""

from __future__ import annotations

from sqlmodel import select

from app.exchange import deal_verbs, intermediaries
from app.exchange.deal_schemas import OfferIn, ServiceRequestIn
from app.notifications.models import Notification
from tests.exchange.deal_helpers import OFFER, accept_nda, cast, intermediary, open_deal


def _notes(session, type_name: str) -> list[tuple]:
    session.rollback()
    session.expire_all()
    return [
        (n.user_id, n.title)
        for n in session.exec(
            select(Notification)
            .where(Notification.type == type_name)
            .order_by(Notification.id, Notification.user_id)
        )
    ]


def test_an_offer_reaches_the_other_side_and_its_answer_the_authors(session, worker):
    c = cast(session)
    deal = open_deal(session, c)
    accept_nda(session, c.submitter, deal)
    accept_nda(session, c.buyer, deal)
    deal_verbs.advance(session, c.buyer, deal)
    first = deal_verbs.make_offer(session, c.submitter, deal, OfferIn(**OFFER))
    session.commit()
    worker.drain()
    title = c.initiative.title
    # The buyer reads English, the colleague the default Vietnamese.
    assert sorted(_notes(session, "deal_activity")) == sorted(
        [
            (c.buyer.id, f"Deal on “{title}”: an offer"),
            (c.colleague.id, f"Giao dịch về “{title}”: có đề nghị mới"),
        ]
    )
    counter = deal_verbs.make_offer(session, c.buyer, deal, OfferIn(**{**OFFER, "value_vnd": 5}))
    session.commit()
    worker.drain()
    later = _notes(session, "deal_activity")[2:]
    assert sorted(u for u, _ in later) == sorted([c.submitter.id, c.coauthor.id])
    assert (c.submitter.id, f"Deal on “{title}”: a counter-offer (version 2)") in later
    deal_verbs.answer_offer(session, c.submitter, deal, counter.id, accept=True)
    session.commit()
    worker.drain()
    answered = _notes(session, "deal_activity")[4:]
    assert sorted(answered) == sorted(
        [
            (c.buyer.id, f"Deal on “{title}”: your offer was accepted"),
            (c.colleague.id, f"Giao dịch về “{title}”: đề nghị của bạn đã được chấp nhận"),
        ]
    )
    assert first.version == 1


def test_a_service_request_and_its_answers_are_mailed(session, worker, mail_to_smtp):
    c = cast(session)
    agent, profile = intermediary(session)
    deal = open_deal(session, c)
    worker.drain()
    mail_to_smtp.wait_for(3)  # the deal's opening, to the authors and the buyer's colleague
    mail_to_smtp.clear()
    request = intermediaries.request_service(
        session,
        c.submitter,
        profile,
        ServiceRequestIn(service="ip_agent", message="Cần tư vấn li-xăng", deal_id=deal.id),
    )
    session.commit()
    worker.drain()
    mail = mail_to_smtp.wait_for(1)[0]
    assert mail.rcpt_tos == ["tuvan@doimoi.vn"]
    assert "Cần tư vấn li-xăng" in mail.text
    assert [u for u, _ in _notes(session, "service_request")] == [agent.id]
    intermediaries.answer(session, agent, request, accept=True)
    session.commit()
    worker.drain()
    intermediaries.deliver(session, agent, request)
    session.commit()
    worker.drain()
    mails = mail_to_smtp.wait_for(3)
    assert [m.rcpt_tos for m in mails[1:]] == [["tacgia@vien.vn"], ["tacgia@vien.vn"]]
    assert [t for _, t in _notes(session, "service_answer")] == [
        "Trung tâm Hỗ trợ Đổi mới Sáng tạo accepted your service request",
        "Trung tâm Hỗ trợ Đổi mới Sáng tạo delivered the service",
    ]
