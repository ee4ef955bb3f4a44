"""Problem statement verbs: write, submit and moderate (through workflow.transition), accept the
non-disclosure undertaking, propose, talk privately, shortlist, decline, award; public questions.

Every verb takes `session` first, checks permissions and state, changes rows and queues its
side effects in the caller's transaction; nothing commits here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.accounts import permissions as accounts
from app.accounts.models import User
from app.db import utcnow
from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.i18n import _
from app.initiatives import permissions as initiative_perms
from app.initiatives.models import Field, Initiative
from app.outbox import service as outbox
from app.outbox import topics
from app.problems import permissions as perms
from app.problems import visibility, workflow
from app.problems.models import (
    DeclineReason,
    FundingMode,
    IpTerms,
    Problem,
    ProblemAccess,
    ProblemAttachment,
    ProblemQuestion,
    Proposal,
    ProposalKind,
    ProposalMessage,
    ProposalStatus,
    Scope,
)
from app.problems.schemas import (
    AnswerIn,
    AwardIn,
    MessageIn,
    ProblemIn,
    ProblemProposalIn,
    ProposalDeclineIn,
    QuestionIn,
)
from app.problems.workflow import Status
from app.storage import StoredFile, get_storage
from app.system.provinces import PROVINCES

ANSWERABLE_STATES = frozenset({Status.open})
SELECTION_STATES = frozenset({Status.open, Status.closed, Status.evaluating})
CLOSING_WARNING_DAYS = 3


# -- labels --------------------------------------------------------------------
def funding_label(mode: str) -> str:
    labels: dict[str, str] = {
        FundingMode.state_order: _("State order"),
        FundingMode.enterprise_led: _("Enterprise-led, enterprise pays at least 50 %"),
        FundingMode.state_led: _("State-led, at least 20 % counterpart funding"),
        FundingMode.prize: _("Prize"),
    }
    return labels.get(mode, mode)


def ip_label(terms: str) -> str:
    labels: dict[str, str] = {
        IpTerms.owner: _("Results belong to the problem owner"),
        IpTerms.solver: _("Results belong to the solver"),
        IpTerms.shared: _("Results are shared"),
        IpTerms.negotiable: _("Negotiable"),
    }
    return labels.get(terms, terms)


def scope_label(scope: str) -> str:
    labels: dict[str, str] = {
        Scope.national: _("National"),
        Scope.provinces: _("Provinces"),
        Scope.sector: _("Sector"),
    }
    return labels.get(scope, scope)


def decline_label(reason: str | None) -> str:
    labels: dict[str, str] = {
        DeclineReason.too_early: _("Too early for this problem"),
        DeclineReason.benefit_unclear: _("Benefit over existing solutions unclear"),
        DeclineReason.commercial_route_unclear: _("Commercial route unclear"),
        DeclineReason.description_unclear: _("Description unclear"),
        DeclineReason.out_of_scope: _("Out of scope"),
        DeclineReason.other: _("Other reason"),
    }
    return labels.get(reason or "", reason or "")


def proposal_status_label(status: str) -> str:
    labels: dict[str, str] = {
        ProposalStatus.submitted: _("Received"),
        ProposalStatus.shortlisted: _("Shortlisted"),
        ProposalStatus.declined: _("Declined"),
        ProposalStatus.awarded: _("Awarded"),
        ProposalStatus.withdrawn: _("Withdrawn"),
    }
    return labels.get(status, status)


# -- loading -------------------------------------------------------------------
def get_visible(session: Session, user: User | None, problem_id: int) -> Problem:
    """The problem if `user` may see it; otherwise 404, so its existence is not revealed."""
    problem = session.get(Problem, problem_id)
    if problem is None or not visibility.can_view(user, problem):
        raise NotFound(_("No such problem."))
    return problem


def get_visible_proposal(session: Session, user: User | None, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    problem = session.get(Problem, proposal.problem_id) if proposal else None
    if (
        proposal is None
        or problem is None
        or not visibility.can_view_proposal(user, problem, proposal)
    ):
        raise NotFound(_("No such proposal."))
    return proposal


def problem_of(session: Session, proposal: Proposal) -> Problem:
    problem = session.get(Problem, proposal.problem_id)
    assert problem is not None
    return problem


def public_list(
    session: Session, *, limit: int = 100, states: frozenset[str] = workflow.PUBLIC_STATES
) -> list[Problem]:
    return list(
        session.exec(
            select(Problem)
            .where(col(Problem.status).in_([str(s) for s in states]))
            .order_by(col(Problem.opened_at).desc(), col(Problem.id).desc())
            .limit(limit)
        )
    )


def to_moderate(session: Session) -> list[Problem]:
    """Problems waiting for a coordinator, oldest first."""
    return list(
        session.exec(
            select(Problem)
            .where(Problem.status == Status.submitted)
            .order_by(col(Problem.stage_entered_at), col(Problem.id))
        )
    )


def mine(session: Session, user: User) -> list[Problem]:
    """The problems `user` may manage (their organisation's, national ones for coordinators)."""
    query = select(Problem).order_by(col(Problem.id).desc())
    candidates = session.exec(
        query.where(
            (col(Problem.organisation_id) == user.organisation_id)
            | (col(Problem.national).is_(True))
            | (col(Problem.created_by_id) == user.id)
        )
    )
    return [p for p in candidates if perms.is_owner(user, p)]


# -- writing -------------------------------------------------------------------
def validate_problem(session: Session, data: ProblemIn) -> dict[str, Any]:
    """The column values of `data`, or ValidationFailed naming every bad field."""
    errors: dict[str, str] = {}
    today = workflow.today_in_vietnam()
    if data.deadline <= today:
        errors["deadline"] = _("The deadline for proposals must be a day after today.")
    if (
        data.budget_min is not None
        and data.budget_max is not None
        and data.budget_min > data.budget_max
    ):
        errors["budget_min"] = _("The minimum budget cannot exceed the maximum.")
    field = subfield = None
    if data.field_code:
        field = session.exec(select(Field).where(Field.code == data.field_code)).first()
        if field is None or field.parent_id is not None or not field.is_active:
            errors["field_code"] = _("Choose one of the fields.")
    if data.subfield_code:
        subfield = session.exec(select(Field).where(Field.code == data.subfield_code)).first()
        if subfield is None or field is None or subfield.parent_id != field.id:
            errors["subfield_code"] = _("Choose a sub-field of the chosen field.")
    provinces = [p.strip() for p in data.provinces if p.strip()]
    if any(p not in PROVINCES for p in provinces):
        errors["provinces"] = _("Choose a province from the list.")
    elif data.scope == Scope.provinces and not provinces:
        errors["provinces"] = _("Name at least one province.")
    if data.scope == Scope.sector and not (data.sector or "").strip():
        errors["sector"] = _("Name the sector.")
    if errors:
        raise ValidationFailed(_("Some fields need your attention."), errors=errors)
    return {
        "title": data.title,
        "abstract": data.abstract,
        "pain": data.pain.strip(),
        "affected": data.affected.strip(),
        "workaround": data.workaround.strip(),
        "outcomes": [o.model_dump() for o in data.outcomes],
        "details": data.details.strip(),
        "field_id": field.id if field else None,
        "subfield_id": subfield.id if subfield else None,
        "scope": data.scope,
        "provinces": provinces if data.scope == Scope.provinces else [],
        "sector": (data.sector or "").strip() or None if data.scope == Scope.sector else None,
        "target_trl": data.target_trl,
        "budget_min": data.budget_min,
        "budget_max": data.budget_max,
        "funding_mode": data.funding_mode,
        "deadline": data.deadline,
        "delivery_months": data.delivery_months,
        "ip_terms": data.ip_terms,
    }


def create(session: Session, user: User, data: ProblemIn) -> Problem:
    """A draft for the poster's organisation; a coordinator's problem is national."""
    if not perms.can_post(user):
        raise PermissionDenied(
            _("Only enterprises, state agencies and coordinators can post problems.")
        )
    values = validate_problem(session, data)
    national = accounts.is_coordinator(user)
    assert user.id is not None
    problem = Problem(
        **values,
        organisation_id=user.organisation_id,
        created_by_id=user.id,
        national=national,
    )
    session.add(problem)
    session.flush()
    assert problem.id is not None
    workflow.HISTORY.append(
        session, problem.id, actor_id=user.id, from_status=None, to_status=Status.draft, reason=None
    )
    return problem


def update(session: Session, user: User, problem: Problem, data: ProblemIn) -> Problem:
    """Change a draft (or one returned for revision); a changed confidential part needs a new
    acceptance of the undertaking."""
    if not perms.can_edit(user, problem):
        if not perms.is_owner(user, problem):
            raise PermissionDenied(_("Only the problem's owners can change it."))
        raise InvalidTransition(
            _("A problem can be changed only as a draft or when returned for revision."),
            current=problem.status,
        )
    values = validate_problem(session, data)
    for name, value in values.items():
        setattr(problem, name, value)
    problem.updated_at = utcnow()
    session.add(problem)
    return problem


def submit(session: Session, user: User, problem: Problem) -> Problem:
    """Send to moderation; a coordinator's national problem opens at once."""
    target = Status.open if perms.can_open_directly(user, problem) else Status.submitted
    if problem.deadline <= workflow.today_in_vietnam():
        raise ValidationFailed(
            _("The deadline for proposals must be a day after today."),
            errors={"deadline": _("The deadline for proposals must be a day after today.")},
        )
    workflow.transition(session, problem, target, actor=user)
    return problem


def view_page(session: Session, user: User | None, problem: Problem) -> None:
    """Count a view by someone other than the owners (the figure on "my problems")."""
    if not visibility.is_manager(user, problem) and visibility.is_public(problem):
        problem.views += 1
        session.add(problem)


# -- the non-disclosure undertaking -------------------------------------------
def nda_text(problem: Problem) -> str:
    return _(
        "I will keep the confidential details and files of this problem to myself and use them "
        "only to prepare a proposal. This acceptance is recorded with my name, organisation and "
        "the time. (Version %(version)s)",
        version=problem.nda_version,
    )


def accept_nda(session: Session, user: User, problem: Problem) -> ProblemAccess | None:
    """Record the acceptance in the access log (once per text version)."""
    if not visibility.is_public(problem):
        raise InvalidTransition(
            _("The confidential details can be opened only while the problem is published."),
            current=problem.status,
        )
    if visibility.is_manager(user, problem) or visibility.accepted_nda(session, user, problem):
        return None
    return visibility.log_access(session, user, problem, "nda")


def access_log(session: Session, user: User | None, problem: Problem) -> list[ProblemAccess]:
    if not visibility.is_manager(user, problem):
        raise PermissionDenied(_("Only the problem's owners and coordinators see its access log."))
    assert problem.id is not None
    return visibility.ACCESS_LOG.entries(session, problem.id)


# -- proposals -----------------------------------------------------------------
def propose(session: Session, user: User, problem: Problem, data: ProblemProposalIn) -> Proposal:
    if problem.status not in ANSWERABLE_STATES:
        raise InvalidTransition(
            _("This problem no longer accepts proposals."), current=problem.status
        )
    if not perms.can_propose(user, problem):
        raise PermissionDenied(_("You cannot answer your own organisation's problem."))
    initiative: Initiative | None = None
    if data.kind == ProposalKind.initiative:
        initiative = session.get(Initiative, data.initiative_id) if data.initiative_id else None
        if initiative is None or not initiative_perms.is_author(user, initiative):
            raise ValidationFailed(
                _("Choose one of your initiatives."),
                errors={"initiative_id": _("Choose one of your initiatives.")},
            )
    assert problem.id is not None and user.id is not None
    proposal = Proposal(
        problem_id=problem.id,
        proposer_id=user.id,
        organisation_id=user.organisation_id,
        kind=data.kind,
        initiative_id=initiative.id if initiative else None,
        grant_confidential=data.grant_confidential if initiative else False,
        summary=data.summary,
        approach=data.approach.strip(),
        team=data.team.strip(),
        cost=data.cost,
        timeline=data.timeline.strip(),
        current_trl=data.current_trl
        if data.current_trl
        else (initiative.trl if initiative else None),
        confidential=data.confidential.strip(),
    )
    exists = session.exec(
        select(Proposal.id).where(
            Proposal.problem_id == problem.id, Proposal.proposer_id == user.id
        )
    ).first()
    if exists is not None:
        raise Conflict(_("You have already answered this problem."))
    session.add(proposal)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(_("You have already answered this problem.")) from exc
    outbox.enqueue(
        session,
        topics.PROPOSAL_SUBMITTED,
        {"proposal_id": proposal.id},
        key=f"problem:{problem.id}",
    )
    return proposal


def _require_selecting(user: User, problem: Problem) -> None:
    if not perms.is_owner(user, problem):
        raise PermissionDenied(_("Only the problem's owners can do this."))
    if problem.status not in SELECTION_STATES:
        raise InvalidTransition(
            _("Proposals of this problem can no longer be changed."), current=problem.status
        )


def _require_pending(proposal: Proposal, *allowed: str) -> None:
    if proposal.status not in allowed:
        raise InvalidTransition(
            _(
                "This proposal is already “%(status)s”.",
                status=proposal_status_label(proposal.status),
            ),
            current=proposal.status,
        )


def shortlist(session: Session, user: User, proposal: Proposal) -> Proposal:
    _require_selecting(user, problem_of(session, proposal))
    _require_pending(proposal, ProposalStatus.submitted)
    proposal.status, proposal.updated_at = ProposalStatus.shortlisted, utcnow()
    session.add(proposal)
    outbox.enqueue(
        session,
        topics.PROPOSAL_SHORTLISTED,
        {"proposal_id": proposal.id},
        key=f"proposal:{proposal.id}",
    )
    return proposal


def decline(session: Session, user: User, proposal: Proposal, data: ProposalDeclineIn) -> Proposal:
    _require_selecting(user, problem_of(session, proposal))
    _require_pending(proposal, ProposalStatus.submitted, ProposalStatus.shortlisted)
    text = data.text.strip()
    if data.reason == DeclineReason.other and not text:
        raise ValidationFailed(
            _("Please say why."), errors={"text": _("Say why when you choose “Other reason”.")}
        )
    proposal.status, proposal.updated_at = ProposalStatus.declined, utcnow()
    proposal.decline_reason, proposal.decline_text = data.reason, text
    session.add(proposal)
    outbox.enqueue(
        session,
        topics.PROPOSAL_DECLINED,
        {"proposal_id": proposal.id},
        key=f"proposal:{proposal.id}",
    )
    return proposal


def award(session: Session, user: User, problem: Problem, data: AwardIn) -> list[Proposal]:
    """Award one or more proposals; the problem moves to `awarded` (closing it first if needed
    is the clock's job: an open problem cannot be awarded)."""
    if not perms.is_owner(user, problem):
        raise PermissionDenied(_("Only the problem's owners can do this."))
    ids = sorted(set(data.proposal_ids))
    proposals = list(
        session.exec(
            select(Proposal).where(col(Proposal.id).in_(ids), Proposal.problem_id == problem.id)
        )
    )
    if len(proposals) != len(ids) or any(
        p.status not in (ProposalStatus.submitted, ProposalStatus.shortlisted) for p in proposals
    ):
        raise ValidationFailed(
            _("Choose proposals of this problem that are not declined."),
            errors={"proposal_ids": _("Choose proposals of this problem that are not declined.")},
        )
    workflow.transition(session, problem, Status.awarded, actor=user)
    for proposal in proposals:
        proposal.status, proposal.updated_at = ProposalStatus.awarded, utcnow()
        session.add(proposal)
        outbox.enqueue(
            session,
            topics.PROPOSAL_AWARDED,
            {"proposal_id": proposal.id},
            key=f"proposal:{proposal.id}",
        )
    return proposals


def proposals_of(session: Session, user: User | None, problem: Problem) -> list[Proposal]:
    """The proposals `user` may see: all for owners and coordinators, their own for a proposer."""
    query = select(Proposal).where(Proposal.problem_id == problem.id).order_by(col(Proposal.id))
    if not visibility.is_manager(user, problem):
        if user is None:
            return []
        query = query.where(Proposal.proposer_id == user.id)
    return list(session.exec(query))


def my_proposals(session: Session, user: User) -> list[Proposal]:
    return list(
        session.exec(
            select(Proposal)
            .where(Proposal.proposer_id == user.id)
            .order_by(col(Proposal.id).desc())
        )
    )


# -- the private thread --------------------------------------------------------
def post_message(
    session: Session, user: User, proposal: Proposal, data: MessageIn
) -> ProposalMessage:
    problem = problem_of(session, proposal)
    if not (perms.is_owner(user, problem) or perms.is_proposer(user, proposal)):
        raise PermissionDenied(
            _("Only the problem's owners and the proposer write in this thread.")
        )
    assert proposal.id is not None and user.id is not None
    message = ProposalMessage(proposal_id=proposal.id, author_id=user.id, body=data.body)
    session.add(message)
    session.flush()
    outbox.enqueue(
        session, topics.PROPOSAL_MESSAGE, {"message_id": message.id}, key=f"proposal:{proposal.id}"
    )
    return message


def thread(session: Session, user: User | None, proposal: Proposal) -> list[dict[str, Any]]:
    messages = session.exec(
        select(ProposalMessage)
        .where(ProposalMessage.proposal_id == proposal.id)
        .order_by(col(ProposalMessage.id))
    )
    result = []
    for m in messages:
        author = session.get(User, m.author_id)
        result.append(
            {
                "id": m.id,
                "author": author.full_name if author else "",
                "mine": user is not None and m.author_id == user.id,
                "body": m.body,
                "created_at": m.created_at,
            }
        )
    return result


# -- public questions ----------------------------------------------------------
def ask(session: Session, user: User, problem: Problem, data: QuestionIn) -> ProblemQuestion:
    if not visibility.is_public(problem):
        raise InvalidTransition(
            _("Questions are taken only on published problems."), current=problem.status
        )
    assert problem.id is not None and user.id is not None
    question = ProblemQuestion(problem_id=problem.id, asker_id=user.id, question=data.question)
    session.add(question)
    session.flush()
    outbox.enqueue(
        session,
        topics.PROBLEM_QUESTION_ASKED,
        {"question_id": question.id},
        key=f"problem:{problem.id}",
    )
    return question


def answer(
    session: Session, user: User, question: ProblemQuestion, data: AnswerIn
) -> ProblemQuestion:
    problem = session.get(Problem, question.problem_id)
    assert problem is not None
    if not perms.is_owner(user, problem):
        raise PermissionDenied(_("Only the problem's owners answer questions."))
    question.answer, question.answered_by_id, question.answered_at = data.answer, user.id, utcnow()
    session.add(question)
    outbox.enqueue(
        session,
        topics.PROBLEM_QUESTION_ANSWERED,
        {"question_id": question.id},
        key=f"problem:{problem.id}",
    )
    return question


def questions(session: Session, user: User | None, problem: Problem) -> list[ProblemQuestion]:
    """Answered questions for everyone; the owners also see the unanswered ones, askers their own."""
    found = session.exec(
        select(ProblemQuestion)
        .where(ProblemQuestion.problem_id == problem.id)
        .order_by(col(ProblemQuestion.id))
    )
    owner = perms.is_owner(user, problem)
    return [
        q
        for q in found
        if q.answered_at is not None or owner or (user is not None and q.asker_id == user.id)
    ]


def get_question(session: Session, user: User | None, question_id: int) -> ProblemQuestion:
    question = session.get(ProblemQuestion, question_id)
    problem = session.get(Problem, question.problem_id) if question else None
    if question is None or problem is None or not visibility.can_view(user, problem):
        raise NotFound(_("No such question."))
    return question


# -- figures and the clock -----------------------------------------------------
def figures(session: Session, problem: Problem) -> dict[str, Any]:
    """What the owners see per problem: views, acceptances of the undertaking, proposals by stage."""
    ndas = session.exec(
        select(func.count()).where(
            ProblemAccess.problem_id == problem.id, ProblemAccess.what == "nda"
        )
    ).one()
    by_stage = {str(s): 0 for s in ProposalStatus}
    for status, count in session.exec(
        select(Proposal.status, func.count())
        .where(Proposal.problem_id == problem.id)
        .group_by(Proposal.status)
    ):
        by_stage[status] = count
    return {"views": problem.views, "nda_acceptances": ndas, "proposals": by_stage}


def run_deadlines(session: Session, now: datetime | None = None) -> dict[str, list[int]]:
    """Close open problems whose deadline day has ended in Vietnam; warn owners three days before.

    Idempotent: a closed problem is not open any more, a warning is remembered on the problem.
    """
    now = now or utcnow()
    today = workflow.today_in_vietnam(now)
    closed, warned = [], []
    for problem in session.exec(
        select(Problem).where(Problem.status == Status.open).order_by(col(Problem.id))
    ):
        if workflow.closes_at(problem.deadline) <= now:
            workflow.transition(session, problem, Status.closed, actor=None)
            assert problem.id is not None
            closed.append(problem.id)
        elif (
            problem.closing_warned_at is None
            and (problem.deadline - today).days <= CLOSING_WARNING_DAYS
        ):
            problem.closing_warned_at = now
            session.add(problem)
            outbox.enqueue(
                session,
                topics.PROBLEM_CLOSING,
                {"problem_id": problem.id},
                key=f"problem:{problem.id}",
            )
            assert problem.id is not None
            warned.append(problem.id)
    return {"closed": closed, "warned": warned}


# -- confidential files --------------------------------------------------------
MAX_ATTACHMENTS = 10


def ensure_can_attach(session: Session, user: User | None, problem: Problem) -> None:
    """Checked before the upload is streamed, so nobody else's bytes reach storage."""
    if not perms.can_edit(user, problem):
        if not perms.is_owner(user, problem):
            raise PermissionDenied(_("Only the problem's owners can change it."))
        raise InvalidTransition(
            _("A problem can be changed only as a draft or when returned for revision."),
            current=problem.status,
        )
    count = session.exec(
        select(func.count()).where(ProblemAttachment.problem_id == problem.id)
    ).one()
    if count >= MAX_ATTACHMENTS:
        raise Conflict(_("A problem can have at most %(n)s files.", n=MAX_ATTACHMENTS))


def add_attachments(
    session: Session, user: User, problem: Problem, files: list[StoredFile]
) -> list[ProblemAttachment]:
    try:
        ensure_can_attach(session, user, problem)
    except (PermissionDenied, Conflict):
        for stored in files:
            get_storage().delete(stored.key)
        raise
    assert problem.id is not None
    rows = [
        ProblemAttachment(
            problem_id=problem.id,
            storage_key=f.key,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            uploaded_by_id=user.id,
        )
        for f in files
    ]
    session.add_all(rows)
    session.flush()
    return rows


def attachment_for_download(
    session: Session, user: User | None, problem: Problem, attachment_id: int
) -> ProblemAttachment:
    """The file if `user` passed the non-disclosure gate (logged); 404 if it is not this problem's,
    403 before the undertaking is accepted."""
    attachment = session.get(ProblemAttachment, attachment_id)
    if attachment is None or attachment.problem_id != problem.id:
        raise NotFound(_("No such file."))
    if not visibility.can_download(session, user, problem):
        raise PermissionDenied(
            _("Accept the non-disclosure undertaking on the problem page to download its files.")
        )
    if user is not None:
        visibility.log_access(session, user, problem, f"attachment:{attachment.id}")
    return attachment


# -- finding problems ----------------------------------------------------------
BUDGET_BANDS: dict[str, tuple[int, int | None]] = {
    "under_1b": (0, 1_000_000_000),
    "1b_5b": (1_000_000_000, 5_000_000_000),
    "over_5b": (5_000_000_000, None),
}


def budget_band(problem: Problem) -> str | None:
    """The band of the problem's maximum (or minimum) budget."""
    amount = problem.budget_max if problem.budget_max is not None else problem.budget_min
    if amount is None:
        return None
    for name, (low, high) in BUDGET_BANDS.items():
        if amount >= low and (high is None or amount < high):
            return name
    return None
