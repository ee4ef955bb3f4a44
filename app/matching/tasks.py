"""Outbox handlers: vectors follow public text; near-duplicates at submission; invitations.

An initiative's vector follows its public text.

Re-reads the initiative and embeds its CURRENT public text (or deletes the
vector when it is no longer published); an unchanged text is not re-embedded,
so duplicates and late deliveries change nothing. With the `none` backend the
handlers do nothing.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.accounts.models import User
from app.initiatives.models import Initiative
from app.initiatives.workflow import Status
from app.matching import recommend, service
from app.matching.models import MatchInvitation
from app.notifications.service import notify
from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.outbox.service import handler
from app.problems.models import Problem


# slow: an embedding takes up to seconds of CPU; the index update must not wait for it.
@handler(topics.INITIATIVE_PUBLISHED, slow=True)
@handler(topics.INITIATIVE_PUBLIC_UPDATED, slow=True)
@handler(topics.INITIATIVE_UNPUBLISHED, slow=True)
def embed_initiative(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    service.embed_initiative(session, int(payload["initiative_id"]))


@handler(topics.PROBLEM_TRANSITIONED, slow=True)  # an embedding
def embed_problem(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    """A problem's vector exists while it is public (its text is frozen once submitted)."""
    service.embed_problem(session, int(payload["problem_id"]))


def _submitted(payload: dict[str, Any]) -> bool:
    return payload.get("to") == Status.submitted


@handler(topics.INITIATIVE_TRANSITIONED, slow=True, when=_submitted)  # embeds the submission
def look_for_near_duplicates(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    """Use 5: on each submission, record published initiatives very close in meaning."""
    recommend.find_near_duplicates(session, int(payload["initiative_id"]))


@handler(topics.MATCH_INVITED)
def tell_invited_authors(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    """The initiative's submitter (and linked co-authors) get a notice and, by default, a mail."""
    row = session.get(MatchInvitation, int(payload["invitation_id"]))
    if row is None:
        return
    problem = session.get(Problem, row.problem_id)
    initiative = session.get(Initiative, row.initiative_id)
    if problem is None or initiative is None:
        return
    people = [initiative.submitter_id] + [
        c.user_id for c in initiative.coauthors if c.user_id is not None
    ]
    for user_id in dict.fromkeys(people):
        user = session.get(User, user_id)
        if user is None:
            continue
        notify(
            session,
            user,
            "problem_invitation",
            dedupe_key=f"match-invited:{row.id}",
            template="matching/mail/invitation",
            context={"problem": problem, "initiative": initiative},
            link=f"/problems/{problem.id}",
        )
