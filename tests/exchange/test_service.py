"""Contact request rules: who may ask about what, one pending request, who answers and withdraws."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app.accounts.models import Role
from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied
from app.exchange import service
from app.exchange.models import ContactRequest
from app.exchange.schemas import AcceptIn, RefuseIn
from app.initiatives.models import AccessGrant
from app.outbox.models import OutboxEvent
from tests import factories
from tests.exchange.helpers import MESSAGE, ask, cast
from tests.initiatives import helpers as initiatives


def _events(session, topic: str) -> list[dict]:
    return [
        e.payload
        for e in session.exec(
            select(OutboxEvent).where(OutboxEvent.topic == topic).order_by(OutboxEvent.id)
        )
    ]


def test_an_investor_asks_about_a_published_initiative_with_their_organisation(session):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)

    row = session.get(ContactRequest, request.id)
    assert (
        row.initiative_id,
        row.requester_id,
        row.organisation_id,
        row.purpose,
        row.message,
        row.status,
    ) == (c.initiative.id, c.investor.id, c.investor.organisation_id, "invest", MESSAGE, "pending")
    assert (row.responded_at, row.grant_confidential, row.pending_key) == (
        None,
        False,
        f"{c.initiative.id}:{c.investor.id}",
    )
    assert _events(session, "contact.requested") == [{"request_id": request.id}]


def test_a_commercialising_initiative_can_be_asked_about_too(session):
    c = cast(session, status="commercialising")
    assert ask(session, c.enterprise, c.initiative, purpose="license").status == "pending"


@pytest.mark.parametrize(
    "status", ["draft", "submitted", "in_review", "selected", "unpublished", "withdrawn"]
)
def test_an_initiative_that_is_not_public_is_not_found(session, status):
    c = cast(session, status=status)
    with pytest.raises(NotFound):
        ask(session, c.investor, c.initiative)
    session.rollback()
    assert session.exec(select(ContactRequest)).all() == []


def test_nobody_asks_about_their_own_initiative_not_even_a_coauthor(session):
    c = cast(session)
    investing_author = factories.user(session, Role.submitter, Role.investor)
    theirs = initiatives.initiative(
        session, c.submitter, status="published", coauthor=investing_author
    )
    mine = initiatives.initiative(session, c.investor, status="published")
    for user, initiative in ((c.investor, mine), (investing_author, theirs)):
        with pytest.raises(
            PermissionDenied,
            match="^Bạn không thể gửi yêu cầu liên hệ về sáng kiến của chính mình.$",
        ):
            ask(session, user, initiative)


@pytest.mark.parametrize("role", [Role.submitter, Role.reviewer, Role.coordinator])
def test_people_without_an_enterprise_investor_or_intermediary_role_may_not_ask(session, role):
    c = cast(session)
    person = factories.user(session, role)
    with pytest.raises(
        PermissionDenied,
        match="^Chỉ doanh nghiệp, nhà đầu tư và tổ chức trung gian mới có thể gửi yêu cầu liên hệ.$",
    ):
        ask(session, person, c.initiative)


def test_an_intermediary_may_ask(session):
    c = cast(session)
    assert (
        ask(
            session, factories.user(session, Role.intermediary), c.initiative, purpose="other"
        ).status
        == "pending"
    )


def test_a_second_pending_request_is_refused_but_asking_again_after_withdrawing_is_allowed(session):
    c = cast(session)
    first = ask(session, c.investor, c.initiative)
    with pytest.raises(Conflict):
        ask(session, c.investor, c.initiative, purpose="partner")
    session.rollback()
    service.withdraw(session, c.investor, session.get(ContactRequest, first.id))
    session.commit()
    second = ask(session, c.investor, c.initiative, purpose="partner")
    statuses = [
        (r.id, r.status) for r in session.exec(select(ContactRequest).order_by(ContactRequest.id))
    ]
    assert statuses == [(first.id, "withdrawn"), (second.id, "pending")]


def test_the_database_refuses_a_second_pending_request_the_service_did_not_see(session):
    """Two concurrent requests both pass the check; the unique pending key stops the second."""
    c = cast(session)
    ask(session, c.investor, c.initiative)
    session.add(
        ContactRequest(
            initiative_id=c.initiative.id,
            requester_id=c.investor.id,
            purpose="invest",
            message="again",
            pending_key=f"{c.initiative.id}:{c.investor.id}",
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_the_submitter_accepts_and_grants_access_to_the_confidential_sections(session):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)
    service.accept(
        session,
        c.submitter,
        request,
        AcceptIn(message="Hẹn gặp tuần sau.", grant_confidential=True),
    )
    session.commit()

    row = session.get(ContactRequest, request.id)
    assert (
        row.status,
        row.responded_by_id,
        row.response_message,
        row.grant_confidential,
        row.pending_key,
    ) == ("accepted", c.submitter.id, "Hẹn gặp tuần sau.", True, None)
    grants = [
        (g.initiative_id, g.user_id, g.granted_by_id) for g in session.exec(select(AccessGrant))
    ]
    assert grants == [(c.initiative.id, c.investor.id, c.submitter.id)]
    assert _events(session, "contact.answered") == [{"request_id": request.id}]


def test_a_coauthor_may_accept_but_not_open_the_confidential_sections(session):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)
    with pytest.raises(
        PermissionDenied,
        match="^Chỉ người đăng ký sáng kiến mới có thể cho phép xem các phần bảo mật.$",
    ):
        service.accept(session, c.coauthor, request, AcceptIn(grant_confidential=True))
    session.rollback()
    service.accept(session, c.coauthor, session.get(ContactRequest, request.id), AcceptIn())
    session.commit()
    assert session.get(ContactRequest, request.id).status == "accepted"
    assert session.exec(select(AccessGrant)).all() == []


def test_only_the_authors_answer(session):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)
    for outsider in (c.investor, c.enterprise):
        with pytest.raises(
            PermissionDenied, match="^Chỉ tác giả của sáng kiến mới có thể trả lời yêu cầu này.$"
        ):
            service.refuse(session, outsider, request, RefuseIn())
    with pytest.raises(NotFound):
        service.get_visible(session, c.enterprise, request.id)


def test_an_answered_request_cannot_be_answered_again_nor_withdrawn(session):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)
    service.refuse(session, c.submitter, request, RefuseIn(message="Đã có đối tác."))
    session.commit()
    with pytest.raises(InvalidTransition):
        service.accept(session, c.submitter, request, AcceptIn())
    with pytest.raises(InvalidTransition):
        service.withdraw(session, c.investor, request)
    assert session.get(ContactRequest, request.id).status == "refused"


def test_only_the_requester_withdraws(session):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)
    with pytest.raises(
        PermissionDenied, match="^Chỉ người gửi yêu cầu mới có thể rút lại yêu cầu.$"
    ):
        service.withdraw(session, c.submitter, request)
    service.withdraw(session, c.investor, request)
    session.commit()
    row = session.get(ContactRequest, request.id)
    assert (row.status, row.pending_key, row.withdrawn_at is not None) == ("withdrawn", None, True)
    assert _events(session, "contact.answered") == []


def test_emails_are_exchanged_only_once_the_request_is_accepted(session):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)
    assert service.describe(session, c.investor, request)["contact"] is None
    assert service.describe(session, c.submitter, request)["contact"] is None
    service.accept(session, c.coauthor, request, AcceptIn())
    session.commit()
    assert service.describe(session, c.investor, request)["contact"] == {
        "full_name": "Trần Thị Bình",
        "email": "tac.gia@vien.vn",
    }
    assert service.describe(session, c.coauthor, request)["contact"] == {
        "full_name": "Phạm Minh Đức",
        "email": "dautu@quy.vn",
    }
    assert service.describe(session, c.enterprise, request)["contact"] is None


def test_sent_and_received_lists(session):
    c = cast(session)
    other = initiatives.initiative(
        session, c.coauthor, status="published", title="Máy sấy nông sản"
    )
    a = ask(session, c.investor, c.initiative)
    b = ask(session, c.investor, other)
    d = ask(session, c.enterprise, c.initiative)
    assert [r.id for r in service.sent(session, c.investor)] == [b.id, a.id]
    assert [r.id for r in service.received(session, c.submitter)] == [d.id, a.id]
    assert [r.id for r in service.received(session, c.coauthor)] == [d.id, b.id, a.id]
    assert [r.id for r in service.received(session, c.coauthor, c.initiative)] == [d.id, a.id]
    assert service.received(session, c.investor) == []


def test_the_panel_asks_a_visitor_to_sign_in_only_on_a_public_initiative(session):
    c = cast(session)
    assert service.panel(session, None, c.initiative.id) == {"state": "sign_in"}
    assert service.panel(session, c.submitter, c.initiative.id) == {"state": "own"}
    assert service.panel(session, None, c.initiative.id + 1000) == {"state": "hidden"}
    c.initiative.status = "unpublished"
    session.add(c.initiative)
    session.flush()
    assert service.panel(session, None, c.initiative.id) == {"state": "hidden"}
    assert service.panel(session, c.investor, c.initiative.id) == {"state": "hidden"}
