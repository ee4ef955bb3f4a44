"""Where the initiative page sends a coordinator for the moves only an official step may make.

`workflow.guided()` names those moves; this module turns each into a link (or, for review,
the open rounds the initiative can join), so the page never offers a button that would be refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.i18n import _
from app.initiatives import workflow
from app.initiatives.models import Initiative
from app.reviews.models import ReviewRound, RoundItem, RoundStatus


@dataclass
class Step:
    label: str
    explain: str
    href: str
    rounds: list[ReviewRound] = field(default_factory=list)


def _current_round(session: Session, initiative: Initiative) -> ReviewRound | None:
    return session.exec(
        select(ReviewRound)
        .join(RoundItem, col(RoundItem.round_id) == col(ReviewRound.id))
        .where(RoundItem.initiative_id == initiative.id)
        .order_by(col(RoundItem.id).desc())
    ).first()


def steps(session: Session, user: User | None, initiative: Initiative) -> list[Step]:
    """One entry per official step `user` could take now (deduplicated: one decision link)."""
    found: dict[workflow.Via, Step] = {}
    for rule in workflow.guided(user, initiative):
        assert isinstance(rule.requires, workflow.Requirement)
        via = rule.requires.via
        if via in found:
            continue
        if via == workflow.Via.review_round:
            rounds = list(
                session.exec(
                    select(ReviewRound)
                    .where(ReviewRound.status == RoundStatus.open)
                    .order_by(col(ReviewRound.due_at))
                )
            )
            found[via] = Step(
                _("Send to review"),
                _("An initiative enters review by joining a review round."),
                f"/reviews/rounds/new?initiative={initiative.id}",
                rounds,
            )
        elif via == workflow.Via.decision:
            current = _current_round(session, initiative)
            if current is None:
                continue
            found[via] = Step(
                _("Reviews and decision"),
                _("Select, reject or return it on the round's decision page."),
                f"/reviews/rounds/{current.id}/items/{initiative.id}/decide",
            )
        elif via == workflow.Via.publication:
            found[via] = Step(
                _("Publication"),
                _("Publishing issues the certificate; it is done on the publication page."),
                f"/publication/initiatives/{initiative.id}",
            )
    return list(found.values())
