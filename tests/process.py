"""Walking an initiative through the official process, as every test that needs a later stage does.

No stage is arranged by a bare `transition`: review is entered by opening a round, the decision
goes through the decision verb (with a recorded override, since no reviewer is involved here) and
publication through the publication service, which issues the certificate.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.accounts.models import User
from app.db import utcnow
from app.initiatives.models import Initiative
from app.initiatives.workflow import Status, transition
from app.publication import service as publication
from app.reviews import decisions
from app.reviews import service as reviews
from app.reviews.models import ReviewRound
from app.reviews.schemas import RoundIn

ORDER = (Status.submitted, Status.screening, Status.in_review, Status.selected, Status.published)
OVERRIDE = "Tình huống kiểm thử: không mời chuyên gia"


def walk(
    session: Session,
    initiative: Initiative,
    to: Status,
    *,
    submitter: User,
    coordinator: User,
) -> ReviewRound | None:
    """Move `initiative` from its stage up to `to` along the official path; the round if one opened."""
    round = None
    start = ORDER.index(Status(initiative.status)) + 1 if initiative.status in ORDER else 0
    for target in ORDER[start : ORDER.index(to) + 1]:
        if target == Status.submitted:
            transition(session, initiative, target, actor=submitter)
        elif target == Status.screening:
            transition(session, initiative, target, actor=coordinator)
        elif target == Status.in_review:
            round = reviews.open_round(
                session,
                coordinator,
                RoundIn(
                    name=f"Đợt kiểm thử {initiative.id}",
                    due_at=utcnow() + timedelta(days=14),
                    initiative_ids=[initiative.id],
                ),
            )
        elif target == Status.selected:
            assert round is not None, "walk from screening or earlier to reach a decision"
            decisions.decide(
                session,
                coordinator,
                round,
                initiative,
                "select",
                "Đáp ứng tiêu chí.",
                override_reason=OVERRIDE,
            )
        elif target == Status.published:
            publication.publish(session, coordinator, initiative)
    return round
