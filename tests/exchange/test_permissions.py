"""Who may ask for contact, see, answer and withdraw a request, and see the other side's email."""

from __future__ import annotations

from app.exchange import permissions as perms
from app.exchange.models import RequestStatus
from tests.exchange import helpers as h


def test_who_may_ask_and_about_what(session):
    c = h.cast(session)
    people = (None, c.submitter, c.coauthor, c.investor, c.enterprise, c.reviewer)
    assert [perms.can_request_contact(u) for u in people] == [
        False, False, False, True, True, False,
    ]  # fmt: skip
    assert [perms.can_request_contact_on(u, c.initiative) for u in people] == [
        False, False, False, True, True, False,
    ]  # fmt: skip
    draft = h.initiatives.initiative(session, c.submitter)
    assert perms.can_request_contact_on(c.investor, draft) is False  # not public: unknown


def test_a_request_through_its_life(session):
    c = h.cast(session)
    request = h.ask(session, c.investor, c.initiative)
    people = (None, c.submitter, c.coauthor, c.investor, c.enterprise)
    item = c.initiative
    assert [perms.can_see_request(u, request, item) for u in people] == [
        False, True, True, True, False,
    ]  # fmt: skip
    assert [perms.can_answer(u, request, item) for u in people] == [
        False, True, True, False, False,
    ]  # fmt: skip
    assert [perms.can_withdraw(u, request) for u in people] == [False, False, False, True, False]
    assert [perms.can_grant_confidential(u, item) for u in people] == [
        False, True, False, False, False,
    ]  # fmt: skip
    assert [perms.can_see_contact(u, request, item) for u in people] == [False] * 5
    request.status = RequestStatus.accepted
    assert [perms.can_see_contact(u, request, item) for u in people] == [
        False, True, True, True, False,
    ]  # fmt: skip
    assert (
        perms.can_answer(c.submitter, request, item),
        perms.can_withdraw(c.investor, request),
    ) == (
        False,
        False,
    )
