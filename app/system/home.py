"""The home page's blocks: one per role the person holds (and one for anonymous visitors).

Each builder returns the context of its include (`frontend/templates/system/home/_<block>.html`);
the page shows the blocks in this order. Other domains add a block with `block(name, builder)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, func, select

from app.accounts import permissions as accounts
from app.accounts.models import Role, RoleRequest, RoleRequestStatus, User
from app.db import utcnow
from app.initiatives import queries
from app.initiatives.models import Initiative
from app.initiatives.workflow import PUBLISHED_STATES, Status

Builder = Callable[[Session, User | None], dict[str, Any] | None]
_blocks: list[tuple[str, Builder]] = []


def block(name: str, builder: Builder) -> None:
    """Add the block `name` (template system/home/_<name>.html) built by `builder` (None: hidden)."""
    _blocks.append((name, builder))


def blocks(session: Session, user: User | None) -> list[tuple[str, dict[str, Any]]]:
    shown = []
    for name, builder in _blocks:
        context = builder(session, user)
        if context is not None:
            shown.append((name, context))
    return shown


def _latest(session: Session, limit: int = 5) -> list[Initiative]:
    return list(
        session.exec(
            select(Initiative)
            .where(col(Initiative.status).in_(PUBLISHED_STATES))
            .order_by(col(Initiative.published_at).desc(), col(Initiative.id).desc())
            .limit(limit)
        )
    )


def _public(session: Session, user: User | None) -> dict[str, Any] | None:
    """The latest published initiatives (the headline figures are the reports domain's block)."""
    return {"latest": _latest(session)}


def _submitter(session: Session, user: User | None) -> dict[str, Any] | None:
    if user is None or not accounts.can_submit(user):
        return None
    from app.publication.models import ProposalStatus, SummaryProposal

    items = [i for i in queries.mine(session, user) if i.status != Status.withdrawn]
    proposals = list(
        session.exec(
            select(SummaryProposal, Initiative)
            .join(Initiative, col(Initiative.id) == col(SummaryProposal.initiative_id))
            .where(
                Initiative.submitter_id == user.id,
                SummaryProposal.status == ProposalStatus.proposed,
            )
        )
    )
    return {"initiatives": items[:8], "next_step": queries.next_step, "proposals": proposals}


def _reviewer(session: Session, user: User | None) -> dict[str, Any] | None:
    if user is None or Role.reviewer not in user.roles:
        return None
    from app.reviews import invitations
    from app.reviews.models import OPEN_ASSIGNMENT_STATES, ReviewRound, RoundStatus

    rows = []
    for assignment in invitations.my_assignments(session, user):
        round = session.get(ReviewRound, assignment.round_id)
        if (
            round is None
            or round.status != RoundStatus.open
            or assignment.status not in OPEN_ASSIGNMENT_STATES
        ):
            continue
        initiative = session.get(Initiative, assignment.initiative_id)
        rows.append((assignment, round, initiative.title if initiative else ""))
    rows.sort(key=lambda r: r[1].due_at)
    return {"open": rows, "now": utcnow()}


def _coordinator(session: Session, user: User | None) -> dict[str, Any] | None:
    if not accounts.is_coordinator(user):
        return None
    from app.reviews import invitations

    def in_stage(stage: Status) -> int:
        return int(
            session.exec(
                select(func.count()).select_from(Initiative).where(Initiative.status == stage)
            ).one()
        )

    return {
        "submitted": in_stage(Status.submitted),
        "screening": in_stage(Status.screening),
        "in_review": in_stage(Status.in_review),
        "selected": in_stage(Status.selected),
        "overdue": len(invitations.overdue(session)),
        "reviewer_requests": int(
            session.exec(
                select(func.count())
                .select_from(RoleRequest)
                .where(
                    RoleRequest.role == Role.reviewer,
                    RoleRequest.status == RoleRequestStatus.pending,
                )
            ).one()
        ),
    }


def _requester(session: Session, user: User | None) -> dict[str, Any] | None:
    from app.exchange import deal_views
    from app.exchange import permissions as exchange_perms
    from app.exchange import service as exchange

    if not exchange_perms.can_request_contact(user):
        return None
    assert user is not None
    return {
        "sent": exchange.sent(session, user)[:5],
        "deals": deal_views.home_items(session, user),
        "latest": _latest(session, 3),
    }


block("submitter", _submitter)
block("reviewer", _reviewer)
block("coordinator", _coordinator)
block("requester", _requester)
block("public", _public)
