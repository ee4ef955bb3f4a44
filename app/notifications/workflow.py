"""Who hears about what in an initiative's workflow, and the overdue-stage check.

Called from the outbox handlers in tasks.py: each function receives the
committed event and notifies each recipient once (the dedupe key names the
event), in the recipient's language and by their chosen channel.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import lazyload
from sqlmodel import Session, col, select

from app.accounts.models import Role, RoleGrant, User
from app.db import utcnow
from app.initiatives.models import Initiative
from app.initiatives.workflow import Status, status_label
from app.notifications.service import notify

# How long an initiative may wait in a stage before coordinators are told.
STAGE_LIMITS = {
    Status.submitted: timedelta(days=3),
    Status.screening: timedelta(days=14),
    Status.in_review: timedelta(days=30),
    Status.selected: timedelta(days=14),
}


def initiative_link(initiative_id: int) -> str:
    return f"/initiatives/{initiative_id}"


def public_link(initiative_id: int) -> str:
    return f"/catalogue/{initiative_id}"


def _people(session: Session, query: Any) -> list[User]:
    """Users in one statement. A notice needs their name, address and language, not the
    roles, memberships and organisation a `User` otherwise brings along (three more
    statements per person): those load only if a template reads them."""
    return list(session.exec(query.options(lazyload("*"))))


def authors(session: Session, initiative: Initiative) -> list[User]:
    """The submitter and co-authors who have an account, each once (submitter first)."""
    ids = list(
        dict.fromkeys(
            [initiative.submitter_id] + [c.user_id for c in initiative.coauthors if c.user_id]
        )
    )
    found = {u.id: u for u in _people(session, select(User).where(col(User.id).in_(ids)))}
    return [found[i] for i in ids if i in found]


def coordinators(session: Session) -> list[User]:
    granted = select(RoleGrant.user_id).where(
        RoleGrant.role == Role.coordinator, col(RoleGrant.revoked_at).is_(None)
    )
    return _people(
        session,
        select(User)
        .where(col(User.id).in_(granted), col(User.is_active).is_(True))
        .order_by(col(User.id)),
    )


def _type_for(source: str | None, target: str) -> str:
    """The notification type of a move; a return from review is the decision on the initiative.

    The reviews domain mails every decision itself (with the reviewers'
    comments), so a return decided after review is a (mandatory, inbox-only)
    `decision` here: its submitter gets exactly one decision mail.
    """
    if source == Status.in_review and target == Status.returned_for_revision:
        return "decision"
    return {
        Status.submitted: "receipt",
        Status.returned_for_revision: "revision_requested",
        Status.selected: "decision",
        Status.rejected: "decision",
        Status.published: "publication",
    }.get(Status(target), "stage_change")


def on_transition(session: Session, payload: dict[str, Any], event_key: str) -> None:
    """Tell the authors about their initiative's new stage; coordinators about new submissions."""
    initiative = session.get(Initiative, int(payload["initiative_id"]))
    if initiative is None:
        return
    target, actor_id = payload["to"], payload.get("actor_id")
    kind = _type_for(payload.get("from"), target)
    context = {
        "initiative": initiative,
        "from_status": payload.get("from"),
        "to_status": target,
        "reason": payload.get("reason") or "",
        "status_label": status_label,
    }
    link = (
        public_link(initiative.id) if target == Status.published else initiative_link(initiative.id)
    )
    for user in authors(session, initiative):
        if user.id == actor_id and kind == "stage_change":
            continue  # nobody needs telling what they just did themselves (a withdrawal)
        notify(
            session,
            user,
            kind,
            dedupe_key=f"{event_key}:{kind}",
            template=f"notifications/mail/{kind}",
            context=context,
            link=link,
        )
    if target == Status.submitted:
        for user in coordinators(session):
            notify(
                session,
                user,
                "new_submission",
                dedupe_key=f"{event_key}:new_submission",
                template="notifications/mail/new_submission",
                context=context,
                link=initiative_link(initiative.id),
            )


def check_waiting(session: Session) -> int:
    """Tell coordinators once about each initiative that stays in a stage longer than its limit.

    Idempotent: the dedupe key names the initiative, the stage and when it
    entered it, so running the job again (or hourly) repeats nothing.
    """
    now = utcnow()
    found = 0
    staff = coordinators(session)
    for stage, limit in STAGE_LIMITS.items():
        waiting = session.exec(
            select(Initiative)
            .where(Initiative.status == stage, Initiative.stage_entered_at < now - limit)
            .order_by(col(Initiative.id))
        ).all()
        for initiative in waiting:
            found += 1
            key = f"waiting:{initiative.id}:{stage}:{initiative.stage_entered_at.isoformat()}"
            days = (now - initiative.stage_entered_at).days
            for user in staff:
                notify(
                    session,
                    user,
                    "waiting_too_long",
                    dedupe_key=key,
                    template="notifications/mail/waiting_too_long",
                    context={
                        "initiative": initiative,
                        "stage": str(stage),
                        "days": days,
                        "status_label": status_label,
                    },
                    link=initiative_link(initiative.id),
                )
    return found
