"""ONE place decides who sees what of a problem statement, its proposals and threads.

- draft: the owners (whoever acts for the organisation; coordinators for national problems);
- submitted, returned_for_revision, rejected, cancelled, unpublished: the owners and coordinators;
- open, closed, evaluating, awarded, in_progress, completed (PUBLIC_STATES): everyone sees the
  PUBLIC_FIELDS (the abstract and the facts a solver needs to decide whether to read on);
- CONFIDENTIAL_FIELDS (the details and the attachments) go to the owners and coordinators
  (admins are coordinators) and to a signed-in reader who accepted the current version of the
  non-disclosure undertaking while the problem was public; each such read by someone other
  than an owner is appended to the problem's hash-chained access log;
- INTERNAL_FIELDS (figures, who created it, stage dates) only to owners and coordinators;
- a proposal and its private thread: its proposer, the owners and coordinators; a sketch's
  confidential part reaches the owners once they shortlist it. Of a proposed
  initiative the owners see the initiative's public sections, and the confidential ones only
  if the proposer granted them.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.accounts import permissions as accounts
from app.accounts.models import Organisation, User
from app.initiatives import visibility as initiative_visibility
from app.initiatives.models import Field, Initiative
from app.problems import permissions as perms
from app.problems.models import Problem, ProblemAccess, ProblemAttachment, Proposal
from app.problems.workflow import PUBLIC_STATES, Status
from app.statemachine import HashChain, timestamp

PUBLIC_FIELDS = frozenset(
    {
        "id",
        "status",
        "title",
        "abstract",
        "pain",
        "affected",
        "workaround",
        "outcomes",
        "field",
        "subfield",
        "scope",
        "provinces",
        "sector",
        "target_trl",
        "budget_min",
        "budget_max",
        "funding_mode",
        "deadline",
        "delivery_months",
        "ip_terms",
        "organisation",
        "national",
        "nda_version",
        "opened_at",
    }
)
CONFIDENTIAL_FIELDS = frozenset({"details", "attachments"})
INTERNAL_FIELDS = frozenset({"created_by_id", "created_at", "updated_at", "stage_entered_at"})


def _access_entry(entry: ProblemAccess) -> dict[str, Any]:
    return {
        "problem_id": entry.problem_id,
        "seq": entry.seq,
        "user_id": entry.user_id,
        "organisation_name": entry.organisation_name,
        "what": entry.what,
        "nda_version": entry.nda_version,
        "created_at": timestamp(entry.created_at),
    }


ACCESS_LOG: HashChain[ProblemAccess] = HashChain(ProblemAccess, "problem_id", _access_entry)


def is_public(problem: Problem) -> bool:
    return problem.status in PUBLIC_STATES


def is_manager(user: User | None, problem: Problem) -> bool:
    """Owners and coordinators: they see everything of the problem in every state but draft."""
    return perms.is_owner(user, problem) or accounts.is_coordinator(user)


def can_view(user: User | None, problem: Problem) -> bool:
    if perms.is_owner(user, problem):
        return True
    if problem.status == Status.draft:
        return False
    return is_public(problem) or accounts.is_coordinator(user)


def accepted_nda(session: Session, user: User | None, problem: Problem) -> bool:
    if user is None or problem.id is None:
        return False
    return (
        session.exec(
            select(ProblemAccess.id).where(
                ProblemAccess.problem_id == problem.id,
                ProblemAccess.user_id == user.id,
                ProblemAccess.what == "nda",
                ProblemAccess.nda_version == problem.nda_version,
            )
        ).first()
        is not None
    )


def can_view_confidential(session: Session, user: User | None, problem: Problem) -> bool:
    if not can_view(user, problem):
        return False
    if is_manager(user, problem):
        return True
    return (
        is_public(problem) and accounts.is_signed_in(user) and accepted_nda(session, user, problem)
    )


def must_accept_nda(session: Session, user: User | None, problem: Problem) -> bool:
    """Would accepting the undertaking open the details to `user` (the page shows the gate)?"""
    return (
        is_public(problem)
        and accounts.is_signed_in(user)
        and not is_manager(user, problem)
        and not accepted_nda(session, user, problem)
    )


def log_access(session: Session, user: User, problem: Problem, what: str) -> ProblemAccess | None:
    """Append to the access log; owners' own reads are not logged."""
    if perms.is_owner(user, problem):
        return None
    assert problem.id is not None
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    return ACCESS_LOG.append(
        session,
        problem.id,
        user_id=user.id,
        organisation_name=organisation.name if organisation else None,
        what=what[:60],
        nda_version=problem.nda_version,
    )


def _field(session: Session, field_id: int | None) -> dict[str, Any] | None:
    field = session.get(Field, field_id) if field_id else None
    if field is None:
        return None
    return {"code": field.code, "name_vi": field.name_vi, "name_en": field.name_en}


def full_view(session: Session, problem: Problem) -> dict[str, Any]:
    organisation = (
        session.get(Organisation, problem.organisation_id) if problem.organisation_id else None
    )
    attachments = session.exec(
        select(ProblemAttachment)
        .where(ProblemAttachment.problem_id == problem.id)
        .order_by(col(ProblemAttachment.id))
    )
    return {
        "id": problem.id,
        "status": problem.status,
        "title": problem.title,
        "abstract": problem.abstract,
        "pain": problem.pain,
        "affected": problem.affected,
        "workaround": problem.workaround,
        "outcomes": list(problem.outcomes),
        "details": problem.details,
        "field": _field(session, problem.field_id),
        "subfield": _field(session, problem.subfield_id),
        "scope": problem.scope,
        "provinces": list(problem.provinces),
        "sector": problem.sector,
        "target_trl": problem.target_trl,
        "budget_min": problem.budget_min,
        "budget_max": problem.budget_max,
        "funding_mode": problem.funding_mode,
        "deadline": problem.deadline,
        "delivery_months": problem.delivery_months,
        "ip_terms": problem.ip_terms,
        "organisation": {
            "id": organisation.id,
            "name": organisation.name,
            "type": organisation.type,
        }
        if organisation
        else None,
        "national": problem.national,
        "nda_version": problem.nda_version,
        "opened_at": problem.opened_at,
        "attachments": [
            {"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in attachments
        ],
        "created_by_id": problem.created_by_id,
        "created_at": problem.created_at,
        "updated_at": problem.updated_at,
        "stage_entered_at": problem.stage_entered_at,
    }


def visible_view(
    session: Session, user: User | None, problem: Problem, *, log: bool = True
) -> dict[str, Any]:
    """The problem as `user` may see it: absent keys are hidden; {} when not visible (404)."""
    if not can_view(user, problem):
        return {}
    view = full_view(session, problem)
    if is_manager(user, problem):
        return view
    if can_view_confidential(session, user, problem):
        if log and user is not None:
            log_access(session, user, problem, "details")
        return {k: v for k, v in view.items() if k in PUBLIC_FIELDS | CONFIDENTIAL_FIELDS}
    return {k: v for k, v in view.items() if k in PUBLIC_FIELDS}


def can_download(session: Session, user: User | None, problem: Problem) -> bool:
    return can_view_confidential(session, user, problem)


# -- proposals ---------------------------------------------------------------
def can_view_proposal(user: User | None, problem: Problem, proposal: Proposal) -> bool:
    """Its proposer, the problem's owners and coordinators (the thread follows the same rule)."""
    return perms.is_proposer(user, proposal) or is_manager(user, problem)


def can_view_proposal_confidential(user: User | None, problem: Problem, proposal: Proposal) -> bool:
    """A sketch's confidential part: the proposer and coordinators; the owners once shortlisted."""
    return (
        perms.is_proposer(user, proposal)
        or accounts.is_coordinator(user)
        or (perms.is_owner(user, problem) and proposal.status in ("shortlisted", "awarded"))
    )


def proposal_view(
    session: Session, user: User | None, problem: Problem, proposal: Proposal
) -> dict[str, Any]:
    if not can_view_proposal(user, problem, proposal):
        return {}
    proposer = session.get(User, proposal.proposer_id)
    organisation = (
        session.get(Organisation, proposal.organisation_id) if proposal.organisation_id else None
    )
    view: dict[str, Any] = {
        "id": proposal.id,
        "problem_id": proposal.problem_id,
        "kind": proposal.kind,
        "status": proposal.status,
        "proposer": {
            "full_name": proposer.full_name if proposer else "",
            "organisation": organisation.name if organisation else None,
        },
        "summary": proposal.summary,
        "approach": proposal.approach,
        "team": proposal.team,
        "cost": proposal.cost,
        "timeline": proposal.timeline,
        "current_trl": proposal.current_trl,
        "grant_confidential": proposal.grant_confidential,
        "decline_reason": proposal.decline_reason,
        "decline_text": proposal.decline_text,
        "created_at": proposal.created_at,
        "initiative": None,
    }
    if can_view_proposal_confidential(user, problem, proposal):
        view["confidential"] = proposal.confidential
    initiative = session.get(Initiative, proposal.initiative_id) if proposal.initiative_id else None
    if initiative is not None:
        full = initiative_visibility._full_view(session, initiative)
        mine = perms.is_proposer(user, proposal)
        shown = (
            full
            if mine or proposal.grant_confidential
            else {k: v for k, v in full.items() if k in initiative_visibility.PUBLIC_FIELDS}
        )
        keep = (initiative_visibility.PUBLIC_FIELDS | initiative_visibility.CONFIDENTIAL_FIELDS) - {
            "attachments",
            "authors",
        }
        view["initiative"] = {k: v for k, v in shown.items() if k in keep}
    return view
