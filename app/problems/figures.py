"""The problems' public figures, registered with `app.reports.figures.figure_provider`.

Read from the append-only history (`problem_event`) only, so a past week's report
keeps its numbers. A saved view's fields limit them; its provinces keep the problems
posted nationally or for one of them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from app.problems.models import Problem, ProblemEvent
from app.problems.workflow import Status
from app.reports.figures import Scope, figure_provider


def _in_scope(session: Session, scope: Scope) -> set[int] | None:
    """The ids of the problems in the scope (None: every problem)."""
    if scope.is_all:
        return None
    found = set()
    for problem_id, field_id, provinces in session.execute(
        sa_select(col(Problem.id), col(Problem.field_id), col(Problem.provinces))
    ):
        if scope.field_ids and field_id not in scope.field_ids:
            continue
        if scope.provinces and provinces and not set(provinces) & set(scope.provinces):
            continue
        found.add(problem_id)
    return found


def _first_entries(session: Session, status: str, end: datetime) -> list[tuple[int, datetime]]:
    return [
        (problem_id, at)
        for problem_id, at in session.execute(
            sa_select(col(ProblemEvent.problem_id), func.min(col(ProblemEvent.created_at)))
            .where(col(ProblemEvent.to_status) == status, col(ProblemEvent.created_at) < end)
            .group_by(col(ProblemEvent.problem_id))
        )
    ]


@figure_provider("problems.open", "Problems open for proposals")
def open_problems(session: Session, start: datetime, end: datetime, scope: Scope) -> dict[str, int]:
    """Open at `end` (their last status before it); opened during [start, end)."""
    left_at = func.lead(col(ProblemEvent.created_at)).over(
        partition_by=col(ProblemEvent.problem_id), order_by=col(ProblemEvent.seq)
    )
    passages = (
        sa_select(
            col(ProblemEvent.problem_id).label("problem_id"),
            col(ProblemEvent.to_status).label("status"),
            left_at.label("left_at"),
        )
        .where(col(ProblemEvent.created_at) < end)
        .subquery()
    )
    ids = _in_scope(session, scope)
    now_open = [
        p
        for (p,) in session.execute(
            sa_select(passages.c.problem_id).where(
                passages.c.status == Status.open, passages.c.left_at.is_(None)
            )
        )
        if ids is None or p in ids
    ]
    opened = {
        p
        for p, at in session.execute(
            sa_select(col(ProblemEvent.problem_id), col(ProblemEvent.created_at)).where(
                col(ProblemEvent.to_status) == Status.open,
                col(ProblemEvent.created_at) >= start,
                col(ProblemEvent.created_at) < end,
            )
        )
        if ids is None or p in ids
    }
    return {"total": len(now_open), "period": len(opened)}


@figure_provider("problems.awarded", "Problems awarded")
def awarded_problems(
    session: Session, start: datetime, end: datetime, scope: Scope
) -> dict[str, int]:
    """Awarded before `end`; first awarded during [start, end)."""
    ids = _in_scope(session, scope)
    firsts = [
        at for p, at in _first_entries(session, Status.awarded, end) if ids is None or p in ids
    ]
    return {"total": len(firsts), "period": sum(1 for at in firsts if at >= start)}
