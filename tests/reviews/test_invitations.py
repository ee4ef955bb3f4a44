"""A reviewer's invitations: accepting, declining (for a conflict, or with no reason), who is late."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.db import utcnow
from app.errors import Conflict, ValidationFailed
from app.reviews import invitations, service
from app.reviews.models import AssignmentStatus, ConflictDeclaration
from tests.reviews import helpers as h


def test_accept_records_the_no_conflict_declaration_and_confidentiality_its_time(session):
    boss, expert = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    row = h.cleared(session, round, item, expert, boss)
    assert row.status == AssignmentStatus.accepted
    assert row.conflict_declared_none_at is not None and row.confidentiality_accepted_at is not None


def test_declining_for_a_conflict_records_it_and_blocks_reassignment(session):
    boss, expert = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    row = service.assign(session, boss, round, item, expert)
    invitations.decline(session, expert, row, "Tôi từng hướng dẫn tác giả", conflict=True)
    session.commit()
    assert (row.status, row.decline_reason) == ("declined", "Tôi từng hướng dẫn tác giả")
    assert session.exec(select(ConflictDeclaration)).one().reviewer_id == expert.id
    second = h.open_round(session, boss, [h.screened(session)], name="Đợt 2")
    assert second  # a new round; the declared conflict still blocks the same initiative:
    with pytest.raises(Conflict):
        service.assign(session, boss, round, item, expert)


def test_declining_needs_a_reason(session):
    boss, expert = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    row = service.assign(session, boss, round, item, expert)
    with pytest.raises(ValidationFailed):
        invitations.decline(session, expert, row, "   ")


def test_overdue_lists_open_assignments_past_the_due_date(session):
    boss, late, done = h.coordinator(session), h.reviewer(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    late_row = service.assign(session, boss, round, item, late)
    done_row = h.cleared(session, round, item, done, boss)
    h.submit(session, done, done_row, 5, 5, 5, 5, 5)
    round.due_at = utcnow() - timedelta(days=1)
    session.commit()
    assert [a.id for a in invitations.overdue(session, round)] == [late_row.id]
