"""Outbox handlers and the deadline job of the problems domain.

Notices go through `app.notifications.service.notify` (each user's chosen channel, deduplicated
per event); `problem.opened` and `problem.awarded` also reach organisations' webhooks with the
public facts only. The deadline job closes problems at the end of their deadline day (Vietnam
time) and warns the owners three days before.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.config import get_settings
from app.notifications.service import notify
from app.notifications.workflow import coordinators
from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.outbox.service import handler, periodic
from app.problems import labels, service, visibility, workflow
from app.problems import permissions as perms
from app.problems import proposals as proposal_service
from app.problems.models import Problem, ProblemQuestion, Proposal, ProposalMessage
from app.storage import get_storage
from app.webhooks import service as webhooks
from app.webhooks.models import (
    EVENT_PROBLEM_AWARDED,
    EVENT_PROBLEM_OPENED,
    EVENT_PROPOSAL_STAGE_CHANGED,
)

TEMPLATE = "problems/mail/notice"
CHECK_EVERY_SECONDS = 15 * 60


def link(problem_id: int) -> str:
    return f"/problems/{problem_id}"


def owners(session: Session, problem: Problem) -> list[User]:
    """Everyone who may manage the problem (its organisation's posters; coordinators if national)."""
    candidates = (
        list(
            session.exec(
                select(User)
                .where(col(User.organisation_id) == problem.organisation_id)
                .order_by(col(User.id))
            )
        )
        if problem.organisation_id
        else []
    )
    if problem.national:
        candidates += coordinators(session)
    seen: dict[int, User] = {}
    for user in candidates:
        if user.id is not None and perms.is_owner(user, problem):
            seen.setdefault(user.id, user)
    return list(seen.values())


def _context(problem: Problem, **extra: Any) -> dict[str, Any]:
    return {
        "problem": problem,
        "status_label": workflow.status_label,
        "decline_label": labels.decline_label,
        **extra,
    }


def _tell(
    session: Session, users: list[User], type_name: str, key: str, problem: Problem, **extra: Any
) -> None:
    assert problem.id is not None
    for user in users:
        notify(
            session,
            user,
            type_name,
            dedupe_key=key,
            template=TEMPLATE,
            context=_context(problem, **extra),
            link=link(problem.id),
        )


@handler(topics.PROBLEM_TRANSITIONED)
def on_transition(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    problem = session.get(Problem, int(payload["problem_id"]))
    if problem is None:
        return
    target = payload["to"]
    key = f"problem-stage:{problem.id}:{event.id}"
    if target == workflow.Status.submitted:
        _tell(session, coordinators(session), "problem_moderation", key, problem, kind="moderation")
        return
    actor_id = payload.get("actor_id")
    _tell(
        session,
        [u for u in owners(session, problem) if u.id != actor_id],
        "problem_stage",
        key,
        problem,
        kind="stage",
        stage_code=target,
        reason=payload.get("reason") or "",
    )


@handler(topics.PROBLEM_CLOSING)
def on_closing(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    problem = session.get(Problem, int(payload["problem_id"]))
    if problem is None or problem.status != workflow.Status.open:
        return
    _tell(
        session,
        owners(session, problem),
        "problem_stage",
        f"problem-closing:{problem.id}",
        problem,
        kind="closing",
        deadline=problem.deadline.strftime("%d/%m/%Y"),
    )


def _webhook_data(problem: Problem) -> dict[str, Any]:
    return {
        "problem_id": problem.id,
        "title": problem.title,
        "abstract": problem.abstract,
        "status": problem.status,
        "funding_mode": problem.funding_mode,
        "deadline": problem.deadline.isoformat(),
        "url": f"{get_settings().base_url}{link(problem.id or 0)}",
    }


@handler(topics.PROBLEM_OPENED)
def on_opened(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    problem = session.get(Problem, int(payload["problem_id"]))
    if problem is not None and visibility.is_public(problem):
        webhooks.dispatch(session, EVENT_PROBLEM_OPENED, _webhook_data(problem))


@handler(topics.PROBLEM_AWARDED)
def on_awarded(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    """Webhooks; and every proposer not awarded hears that the selection is over."""
    problem = session.get(Problem, int(payload["problem_id"]))
    if problem is None:
        return
    webhooks.dispatch(session, EVENT_PROBLEM_AWARDED, _webhook_data(problem))
    others = session.exec(
        select(Proposal).where(Proposal.problem_id == problem.id, Proposal.status != "awarded")
    )
    users = [u for p in others if (u := session.get(User, p.proposer_id)) is not None]
    _tell(
        session,
        users,
        "proposal_update",
        f"problem-awarded:{problem.id}",
        problem,
        kind="problem_awarded",
    )


def _proposal(
    session: Session, payload: dict[str, Any], stage: str
) -> tuple[Proposal, Problem] | None:
    """The event's proposal and problem; the organisations' webhooks hear of the new `stage`."""
    proposal = session.get(Proposal, int(payload["proposal_id"]))
    if proposal is None:
        return None
    problem = proposal_service.problem_of(session, proposal)
    _proposal_webhook(session, proposal, problem, stage)
    return proposal, problem


def _proposal_webhook(session: Session, proposal: Proposal, problem: Problem, stage: str) -> None:
    """`proposal.stage_changed` to the problem's organisation and the proposer's: ids and the
    stage only, never a summary, a name or a confidential part."""
    data = {"proposal_id": proposal.id, "problem_id": problem.id, "status": stage}
    for organisation_id in dict.fromkeys([problem.organisation_id, proposal.organisation_id]):
        if organisation_id is not None:
            webhooks.dispatch(
                session, EVENT_PROPOSAL_STAGE_CHANGED, data, organisation_id=organisation_id
            )


@handler(topics.PROPOSAL_SUBMITTED)
def on_proposal(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    found = _proposal(session, payload, "submitted")
    if found is None:
        return
    proposal, problem = found
    proposer = session.get(User, proposal.proposer_id)
    _tell(
        session,
        owners(session, problem),
        "problem_activity",
        f"proposal:{proposal.id}",
        problem,
        kind="proposal",
        proposer=proposer.full_name if proposer else "",
    )


def _to_proposer(kind: str) -> Any:
    def consume(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
        found = _proposal(session, payload, kind)
        if found is None:
            return
        proposal, problem = found
        proposer = session.get(User, proposal.proposer_id)
        if proposer is None:
            return
        _tell(
            session,
            [proposer],
            "proposal_update",
            f"proposal-{kind}:{proposal.id}",
            problem,
            kind=kind,
            decline_reason=proposal.decline_reason,
            text=proposal.decline_text,
        )

    consume.__qualname__ = f"on_proposal_{kind}"
    return consume


handler(topics.PROPOSAL_SHORTLISTED)(_to_proposer("shortlisted"))
handler(topics.PROPOSAL_DECLINED)(_to_proposer("declined"))
handler(topics.PROPOSAL_AWARDED)(_to_proposer("awarded"))


@handler(topics.PROPOSAL_WITHDRAWN)
def on_withdrawn(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    """The owners hear that a proposer took their proposal back, with the reason if given."""
    found = _proposal(session, payload, "withdrawn")
    if found is None:
        return
    proposal, problem = found
    proposer = session.get(User, proposal.proposer_id)
    last = proposal_service.history(session, proposal)[-1:]
    _tell(
        session,
        owners(session, problem),
        "problem_activity",
        f"proposal-withdrawn:{proposal.id}",
        problem,
        kind="withdrawn",
        proposer=proposer.full_name if proposer else "",
        reason=(last[0].reason or "") if last else "",
    )


@handler(topics.PROBLEM_ATTACHMENT_DELETED)
def remove_deleted_file(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    """Remove a deleted file's bytes once the row's deletion has committed."""
    get_storage().delete(payload["storage_key"])


@handler(topics.PROPOSAL_MESSAGE)
def on_message(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    message = session.get(ProposalMessage, int(payload["message_id"]))
    proposal = session.get(Proposal, message.proposal_id) if message else None
    if message is None or proposal is None:
        return
    problem = proposal_service.problem_of(session, proposal)
    author = session.get(User, message.author_id)
    if message.author_id == proposal.proposer_id:
        users, type_name = owners(session, problem), "problem_activity"
    else:
        proposer = session.get(User, proposal.proposer_id)
        users, type_name = ([proposer] if proposer else []), "proposal_update"
    _tell(
        session,
        users,
        type_name,
        f"proposal-message:{message.id}",
        problem,
        kind="message",
        author=author.full_name if author else "",
        body=message.body,
    )


@handler(topics.PROBLEM_QUESTION_ASKED)
def on_question(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    question = session.get(ProblemQuestion, int(payload["question_id"]))
    problem = session.get(Problem, question.problem_id) if question else None
    if question is None or problem is None:
        return
    _tell(
        session,
        owners(session, problem),
        "problem_activity",
        f"problem-question:{question.id}",
        problem,
        kind="question",
        question=question.question,
    )


@handler(topics.PROBLEM_QUESTION_ANSWERED)
def on_answer(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    question = session.get(ProblemQuestion, int(payload["question_id"]))
    problem = session.get(Problem, question.problem_id) if question else None
    asker = session.get(User, question.asker_id) if question else None
    if question is None or problem is None or asker is None:
        return
    _tell(
        session,
        [asker],
        "proposal_update",
        f"problem-answer:{question.id}",
        problem,
        kind="answer",
        question=question.question,
        answer=question.answer,
    )


@periodic("problems.deadlines", CHECK_EVERY_SECONDS)
def deadlines(session: Session) -> None:
    service.run_deadlines(session)
