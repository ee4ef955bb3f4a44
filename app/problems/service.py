"""Problem statement verbs: load, write, submit (through workflow.transition), count views,
accept the non-disclosure undertaking, attach confidential files; figures and the deadline job.

Proposals and their threads are in `proposals.py`, public questions in `questions.py`, the
listing's finder in `finder.py`, labels in `labels.py`. Every verb takes `session` first, checks
permissions and state, changes rows and queues its side effects in the caller's transaction;
nothing commits here.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime
from typing import Any

from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, func, select

from app.accounts import permissions as accounts
from app.accounts.models import User
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.i18n import _, ngettext
from app.initiatives.models import Field
from app.outbox import service as outbox
from app.outbox import topics
from app.problems import permissions as perms
from app.problems import visibility, workflow
from app.problems.models import (
    Problem,
    ProblemAccess,
    ProblemAttachment,
    ProblemView,
    Proposal,
    ProposalStatus,
    Scope,
)
from app.problems.schemas import ProblemIn
from app.problems.workflow import Status
from app.storage import StoredFile, get_storage
from app.system.provinces import PROVINCES

CLOSING_WARNING_DAYS = 3


# -- loading -------------------------------------------------------------------
def get_visible(session: Session, user: User | None, problem_id: int) -> Problem:
    """The problem if `user` may see it; otherwise 404, so its existence is not revealed."""
    problem = session.get(Problem, problem_id)
    if problem is None or not visibility.can_view(user, problem):
        raise NotFound(_("No such problem."))
    return problem


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


def ensure_can_edit(user: User | None, problem: Problem) -> None:
    """403 for anyone but the owners; 409 once the problem is neither a draft nor returned."""
    if not perms.can_edit(user, problem):
        if not perms.is_owner(user, problem):
            raise PermissionDenied(_("Only the problem's owners can change it."))
        raise InvalidTransition(
            _("A problem can be changed only as a draft or when returned for revision."),
            current=problem.status,
        )


def update(session: Session, user: User, problem: Problem, data: ProblemIn) -> Problem:
    """Change a draft (or one returned for revision); a changed confidential part needs a new
    acceptance of the undertaking."""
    ensure_can_edit(user, problem)
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


# Substrings of the User-Agent of robots, link previews and command-line tools: not readers.
ROBOT_MARKERS = (
    "bot",
    "crawl",
    "spider",
    "slurp",
    "preview",
    "facebookexternalhit",
    "curl/",
    "wget/",
    "python-requests",
)


def visitor_key(user: User | None, client: str | None, user_agent: str | None) -> str | None:
    """Who is reading, as a keyed hash (no address stored): the signed-in user, otherwise the
    client address and browser. None for robots and clients without a User-Agent."""
    agent = (user_agent or "").strip()
    if not agent or any(marker in agent.lower() for marker in ROBOT_MARKERS):
        return None
    who = f"user:{user.id}" if accounts.is_signed_in(user) and user else f"anon:{client}|{agent}"
    secret = get_settings().secret_key.encode("utf-8")
    return hmac.new(secret, who.encode("utf-8"), hashlib.sha256).hexdigest()


def count_view(
    session: Session,
    user: User | None,
    problem: Problem,
    visitor: str | None,
    *,
    now: datetime | None = None,
) -> bool:
    """Count one view per visitor and day (Vietnam time) of a published problem, not by its
    owners and not by robots (`visitor` None); True when this view was counted.

    One INSERT … ON CONFLICT DO NOTHING decides, so two parallel loads by one visitor count once;
    the counter is raised by one UPDATE (no lost increments)."""
    if visitor is None or visibility.is_manager(user, problem) or not visibility.is_public(problem):
        return False
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    day = workflow.today_in_vietnam(now)
    added = session.execute(
        insert(ProblemView)
        .values(problem_id=problem.id, day=day, visitor=visitor)
        .on_conflict_do_nothing()
        .returning(col(ProblemView.id))
    ).scalar_one_or_none()
    if added is None:  # this visitor was counted today already
        return False
    session.execute(
        sql_update(Problem).where(col(Problem.id) == problem.id).values(views=Problem.views + 1)
    )
    session.expire(problem, ["views"])
    return True


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
    ensure_can_edit(user, problem)
    count = session.exec(
        select(func.count()).where(ProblemAttachment.problem_id == problem.id)
    ).one()
    if count >= MAX_ATTACHMENTS:
        raise Conflict(
            ngettext(
                "A problem can have at most %(n)s file.",
                "A problem can have at most %(n)s files.",
                MAX_ATTACHMENTS,
                n=MAX_ATTACHMENTS,
            )
        )


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


def attachments_of(session: Session, problem: Problem) -> list[ProblemAttachment]:
    return list(
        session.exec(
            select(ProblemAttachment)
            .where(ProblemAttachment.problem_id == problem.id)
            .order_by(col(ProblemAttachment.id))
        )
    )


def delete_attachment(
    session: Session, user: User, problem: Problem, attachment_id: int
) -> ProblemAttachment:
    """Remove a file while the problem is editable; the stored bytes go after commit."""
    ensure_can_edit(user, problem)
    attachment = session.get(ProblemAttachment, attachment_id)
    if attachment is None or attachment.problem_id != problem.id:
        raise NotFound(_("No such file."))
    session.delete(attachment)
    outbox.enqueue(
        session, topics.PROBLEM_ATTACHMENT_DELETED, {"storage_key": attachment.storage_key}
    )
    return attachment


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


# -- budget bands (the listing's facet) ----------------------------------------
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


# The listing's deadline bands: (first, last) days from today, Vietnam time; None is open-ended.
# "passed" holds the awarded problems, whose deadline is behind them.
DEADLINE_BANDS: dict[str, tuple[int | None, int | None]] = {
    "week": (0, 7),
    "month": (8, 30),
    "quarter": (31, 90),
    "later": (91, None),
    "passed": (None, -1),
}


def deadline_band(problem: Problem, today: date | None = None) -> str:
    """The band of days left until the problem's deadline."""
    left = (problem.deadline - (today or workflow.today_in_vietnam())).days
    for name, (first, last) in DEADLINE_BANDS.items():
        if (first is None or left >= first) and (last is None or left <= last):
            return name
    raise AssertionError(f"no band holds {left} days")  # pragma: no cover - the bands tile
