"""Both chains of a problem detect a changed, removed or reordered entry."""

from __future__ import annotations

from sqlmodel import select

from app.problems import service, workflow
from app.problems.cli import check_chains
from app.problems.models import ProblemAccess, ProblemEvent
from tests.problems.helpers import cast, problem


def test_a_changed_history_or_access_entry_is_named(session):
    c = cast(session)
    p = problem(session, c, "submitted")
    workflow.transition(session, p, "open", actor=c.coordinator)
    service.accept_nda(session, c.scientist, p)
    service.accept_nda(session, c.other, p)
    session.commit()
    assert check_chains(session, p.id) == [
        f"problem {p.id} history: ok (2 entries)",
        f"problem {p.id} access log: ok (2 entries)",
    ]
    event = session.exec(
        select(ProblemEvent).where(ProblemEvent.problem_id == p.id, ProblemEvent.seq == 2)
    ).one()
    event.reason = "sửa lén"
    first_access = session.get(ProblemAccess, 1)
    first_access.organisation_name = "Tổ chức khác"
    session.add_all([event, first_access])
    session.commit()
    assert check_chains(session) == [
        f"BROKEN problem {p.id} history at entry 2",
        f"BROKEN problem {p.id} access log at entry 1",
    ]
