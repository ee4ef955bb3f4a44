"""Who may do what in expert review: coordinators manage, the assignee reads and scores once
cleared, and only while the round is open."""

from __future__ import annotations

from app.accounts.models import Role
from app.reviews import invitations, service
from app.reviews import permissions as perms
from app.reviews.models import AssignmentStatus, RoundStatus
from tests import factories
from tests.reviews import helpers as h


def test_coordinators_manage_reviews_and_reviewers_review(session):
    coordinator = h.coordinator(session)
    admin = factories.user(session, Role.admin)
    reviewer = h.reviewer(session)
    submitter = factories.user(session, Role.submitter)
    people = (None, coordinator, admin, reviewer, submitter)
    assert [perms.can_manage_reviews(u) for u in people] == [False, True, True, False, False]
    assert [perms.is_reviewer(u) for u in people] == [False, False, False, True, False]


def test_the_assignee_edits_only_once_cleared_and_while_the_round_is_open(session):
    coordinator = h.coordinator(session)
    reviewer, other = h.reviewer(session), h.reviewer(session, "Chuyên Gia Khác")
    item = h.screened(session)
    round = h.open_round(session, coordinator, [item])
    row = service.assign(session, coordinator, round, item, reviewer)
    session.commit()
    assert row.status == AssignmentStatus.invited
    assert [perms.is_assignee(u, row) for u in (None, reviewer, other)] == [False, True, False]
    assert perms.has_cleared(row) is False
    assert perms.can_edit_review(reviewer, row, round) is False

    invitations.accept(session, reviewer, row)
    assert perms.has_cleared(row) is False  # the confidentiality undertaking is still missing
    invitations.accept_confidentiality(session, reviewer, row)
    session.commit()
    assert perms.has_cleared(row) is True
    assert perms.can_edit_review(reviewer, row, round) is True
    assert perms.can_edit_review(other, row, round) is False
    assert perms.reviewer_may_read(session, reviewer, item) is True
    assert perms.reviewer_may_read(session, other, item) is False

    round.status = RoundStatus.closed
    assert perms.can_edit_review(reviewer, row, round) is False
