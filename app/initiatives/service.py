"""Initiative verbs: drafts, submission with receipt, screening, withdrawal, access grants, versions.

Every status change goes through workflow.transition; every read decision
through visibility. Verbs never commit: the caller's unit of work does.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from sqlmodel import Session, col, func, select

import search
from app.accounts import oidc
from app.accounts import permissions as accounts
from app.accounts import service as accounts_service
from app.accounts.models import Organisation, User
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.i18n import TIMEZONE, _
from app.initiatives import content, receipts, taxonomy, visibility, workflow
from app.initiatives import permissions as perms
from app.initiatives.models import (
    AccessGrant,
    CoAuthor,
    ConfidentialView,
    Initiative,
    InitiativeVersion,
)
from app.initiatives.schemas import DraftIn
from app.initiatives.workflow import PUBLISHED_STATES, Status
from app.mail.service import queue_mail
from app.system.provinces import PROVINCES

log = logging.getLogger(__name__)

TEXT_FIELDS = (
    "title",
    "summary",
    "problem",
    "solution",
    "novelty",
    "feasibility",
    "impact",
    "resources_note",
)
NEAR_DUPLICATE_THRESHOLD = 0.6
NEAR_DUPLICATE_CANDIDATES = 20  # best index matches scored exactly


# -- loading -------------------------------------------------------------------
def get(session: Session, initiative_id: int) -> Initiative:
    initiative = session.get(Initiative, initiative_id)
    if initiative is None:
        raise NotFound(_("No such initiative."))
    return initiative


def get_visible(session: Session, user: User | None, initiative_id: int) -> Initiative:
    """The initiative if `user` may see it; otherwise 404, so its existence is not revealed."""
    return visibility.load(session, user, initiative_id)


# -- drafts --------------------------------------------------------------------
def _check_references(session: Session, values: dict) -> dict[str, str]:
    """Errors of the field, sub-field, province and organisation in `values` (name -> value)."""
    errors: dict[str, str] = {}
    field_id, subfield_id = values.get("field_id"), values.get("subfield_id")
    field = taxonomy.find(session, field_id)
    if field_id and (field is None or field.parent_id is not None or not field.is_active):
        errors["field_id"] = _("Choose one of the fields.")
    if subfield_id:
        sub = taxonomy.find(session, subfield_id)
        if sub is None or sub.parent_id is None or sub.parent_id != field_id or not sub.is_active:
            errors["subfield_id"] = _("Choose a sub-field of the chosen field.")
    if values.get("province") and values["province"] not in PROVINCES:
        errors["province"] = _("Choose a province from the list.")
    organisation_id = values.get("organisation_id")
    if organisation_id and session.get(Organisation, organisation_id) is None:
        errors["organisation_id"] = _("No such organisation.")
    return errors


def _references(initiative: Initiative) -> dict:
    return {
        n: getattr(initiative, n)
        for n in ("field_id", "subfield_id", "province", "organisation_id")
    }


def _set_authors(
    session: Session, initiative: Initiative, submitter: User, data: DraftIn, fields: set[str]
) -> None:
    """Rebuild the author rows: the submitter's row first, then the co-authors as given."""
    own = next((c for c in initiative.coauthors if c.is_submitter), None)
    if own is None:
        own = CoAuthor(
            user_id=submitter.id,
            full_name=submitter.full_name,
            email=submitter.email,
            organisation_name=submitter.organisation.name if submitter.organisation else None,
            share_percent=100,
            is_submitter=True,
            position=0,
        )
    if "submitter_share" in fields and data.submitter_share is not None:
        own.share_percent = data.submitter_share
    others = [c for c in initiative.coauthors if not c.is_submitter]
    if "coauthors" in fields:
        others = []
        for position, given in enumerate(data.coauthors or [], 1):
            email = accounts_service.normalise_email(given.email) if given.email else None
            linked = accounts_service.get_by_email(session, email) if email else None
            others.append(
                CoAuthor(
                    user_id=linked.id if linked else None,
                    full_name=given.full_name.strip(),
                    email=email,
                    organisation_name=(given.organisation_name or "").strip() or None,
                    share_percent=given.share_percent,
                    can_edit=given.can_edit,
                    position=position,
                )
            )
    initiative.coauthors = [own, *others]


def _changes(data: DraftIn) -> dict:
    """The column values `data` sets (fields it leaves out are not touched)."""
    fields, changes = data.model_fields_set, {}
    for name in TEXT_FIELDS:
        if name in fields:
            changes[name] = (getattr(data, name) or "").strip()
    for name in ("ip_number", "province"):
        if name in fields:
            changes[name] = (getattr(data, name) or "").strip() or None
    for name in ("field_id", "subfield_id", "trl", "organisation_id"):
        if name in fields:
            changes[name] = getattr(data, name)
    if "ip_status" in fields:
        changes["ip_status"] = data.ip_status or "none"
    if "keywords" in fields:
        changes["keywords"] = data.keywords or []
    if "resources_wanted" in fields:
        changes["resources_wanted"] = sorted(set(data.resources_wanted or []))
    return changes


def _apply(session: Session, initiative: Initiative, submitter: User, data: DraftIn) -> None:
    """Validate first, then change: a refused save leaves the stored draft as it was."""
    changes = _changes(data)
    errors = _check_references(session, _references(initiative) | changes)
    if errors:
        raise ValidationFailed(_("Some fields are missing or invalid."), errors=errors)
    for name, value in changes.items():
        setattr(initiative, name, value)
    _set_authors(session, initiative, submitter, data, data.model_fields_set)
    initiative.updated_at = utcnow()


def create_draft(session: Session, user: User, data: DraftIn) -> Initiative:
    if not accounts.can_submit(user):
        raise PermissionDenied(_("Your account may not register initiatives."))
    initiative = Initiative(
        submitter_id=user.id, organisation_id=user.organisation_id, province=user.province
    )
    initiative.attachments = []  # known to have none: not read back after the insert
    _apply(session, initiative, user, data)
    session.add(initiative)
    session.flush()
    return initiative


def update_draft(session: Session, user: User, initiative: Initiative, data: DraftIn) -> Initiative:
    """Save what was typed (any subset of sections) while a draft or returned for revision."""
    if not perms.is_editing_author(user, initiative):
        raise PermissionDenied(_("Only its authors can change this initiative."))
    if not perms.can_edit(user, initiative):
        raise Conflict(
            _("The initiative can be changed only while it is a draft or returned for revision."),
            code="not-editable",
        )
    submitter = session.get_one(User, initiative.submitter_id)
    _apply(session, initiative, submitter, data)
    session.add(initiative)
    return initiative


# -- submission ----------------------------------------------------------------
def completeness_errors(initiative: Initiative) -> dict[str, str]:
    """What is still missing for submission, per field, in the current language."""
    required = {
        "title": _("Enter the title."),
        "summary": _("Enter a public summary."),
        "problem": _("Describe the problem the initiative addresses."),
        "solution": _("Describe the solution and its technical details."),
        "novelty": _("Explain what is new and creative."),
        "feasibility": _("Describe the feasibility and the roadmap."),
        "impact": _("Describe the expected impact and spillover."),
    }
    errors = {
        name: message for name, message in required.items() if not getattr(initiative, name).strip()
    }
    if not initiative.field_id:
        errors["field_id"] = _("Choose a field.")
    if not initiative.keywords:
        errors["keywords"] = _("Enter at least one keyword.")
    if initiative.trl is None:
        errors["trl"] = _("Choose the technology readiness level (1–9).")
    if not initiative.province:
        errors["province"] = _("Choose a province.")
    if initiative.ip_status in ("filed", "granted") and not initiative.ip_number:
        errors["ip_number"] = _("Enter the application or patent number.")
    total = round(sum(float(c.share_percent) for c in initiative.coauthors), 2)
    if abs(total - 100) > 0.01:
        errors["coauthors"] = _(
            "The contribution shares add up to %(total)s%%; they must add up to 100%%.",
            total=f"{total:g}",
        )
    return errors


class Similar(NamedTuple):
    """A published initiative much like the one being submitted: what the warning names."""

    id: int
    title: str


def near_duplicates(session: Session, initiative: Initiative) -> list[Similar]:
    """Others' published initiatives whose title and summary are much alike (shown before confirming).

    Candidates come from the search index (the published initiatives sharing the
    most words with this title and summary), never from a scan of the catalogue,
    so a submission costs the same at 1,000 or 100,000 published; the candidates
    are then scored exactly as before. If the engine cannot answer, the advisory
    check is skipped (logged) rather than refusing the submission.
    """
    from app.catalogue import indexing  # the catalogue depends on this domain, not the reverse

    text = f"{initiative.title} {initiative.summary}"
    try:
        hits = indexing.engine(session).similar_text(text, limit=NEAR_DUPLICATE_CANDIDATES)
    except (search.SearchUnavailable, OSError) as exc:
        log.warning("near-duplicate check skipped, search unavailable: %s", exc)
        return []
    ids = [int(h.id) for h in hits if int(h.id) != initiative.id]
    if not ids:
        return []
    candidates = session.execute(
        select(Initiative.id, Initiative.title, Initiative.summary).where(
            col(Initiative.id).in_(ids),
            col(Initiative.status).in_(list(PUBLISHED_STATES)),
            Initiative.submitter_id != initiative.submitter_id,
        )
    ).all()
    mine = content.tokens(f"{initiative.title} {initiative.summary}")
    scored = [
        (content.overlap(mine, content.tokens(f"{title} {summary}")), Similar(id, title))
        for id, title, summary in candidates
    ]
    return [
        c for score, c in sorted(scored, key=lambda p: -p[0]) if score >= NEAR_DUPLICATE_THRESHOLD
    ]


def submit(
    session: Session,
    user: User,
    initiative: Initiative,
    *,
    confirm_similar: bool = False,
    note: str | None = None,
    forwarded: bool = False,
) -> Initiative:
    """Validate, fingerprint, snapshot, issue the receipt and move to `submitted` (first time or after revision).

    `note` goes into the history entry (a forwarded initiative's provenance, app/partners).
    With `submit_min_acr` set, the submitter must have signed in with the national e-ID at
    that level (403 `step-up-required` with the sign-in link), unless the initiative was
    `forwarded` by a partner system, which identified the person itself."""
    workflow.check(session, initiative, Status.submitted, actor=user)
    minimum = get_settings().submit_min_acr
    if minimum and not forwarded:
        oidc.require_level(session, user, minimum, f"/initiatives/{initiative.id}")
    errors = completeness_errors(initiative) | _check_references(session, _references(initiative))
    if errors:
        raise ValidationFailed(_("The initiative is not complete yet."), errors=errors)
    canonical = content.canonical_content(initiative)
    fingerprint = content.fingerprint_of(canonical)
    # One statement: another initiative's version with this content, and this one's versions so far.
    duplicate, versions_so_far = session.exec(
        select(
            select(InitiativeVersion.id)
            .where(
                InitiativeVersion.fingerprint == fingerprint,
                InitiativeVersion.initiative_id != initiative.id,
            )
            .limit(1)
            .scalar_subquery(),
            select(func.count())
            .select_from(InitiativeVersion)
            .where(InitiativeVersion.initiative_id == initiative.id)
            .scalar_subquery(),
        )
    ).one()
    if duplicate is not None:
        raise Conflict(
            _(
                "Identical content has already been submitted. The same initiative cannot be "
                "registered twice."
            ),
            code="duplicate",
        )
    if not confirm_similar:
        similar = near_duplicates(session, initiative)
        if similar:
            raise Conflict(
                _(
                    "Similar published initiatives exist. Please look at them and confirm that yours "
                    "is different."
                ),
                code="near-duplicate",
                similar=[{"id": s.id, "title": s.title} for s in similar],
            )
    now = utcnow()
    first_receipt = initiative.receipt_code is None
    if first_receipt:
        initiative.submitted_at = now
    initiative.fingerprint = fingerprint
    # The status is checked again (under the row's lock) before the version is written.
    workflow.transition(session, initiative, Status.submitted, actor=user, reason=note)
    number = versions_so_far + 1
    session.add(
        InitiativeVersion(
            initiative_id=initiative.id,
            number=number,
            content=canonical,
            fingerprint=fingerprint,
            created_by_id=user.id,
            created_at=now,
        )
    )
    submitter = session.get_one(User, initiative.submitter_id)
    if first_receipt:
        # Last, once every other write has gone through: on PostgreSQL the number is
        # taken outside this transaction (receipts.py), so only a failure at commit
        # can leave a gap; on SQLite the counter row is locked from here to the commit.
        session.flush()
        initiative.receipt_code = receipts.next_code(session, now.astimezone(TIMEZONE).year)
    queue_mail(
        session,
        to=submitter.email,
        template="initiatives/mail/receipt",
        language=submitter.language,
        context={
            "initiative": initiative,
            "version": number,
            "name": submitter.full_name,
            "received_at": now,
        },
        key=f"initiative:{initiative.id}",
    )
    return initiative


# -- screening and other moves -------------------------------------------------
def start_screening(session: Session, actor: User, initiative: Initiative) -> Initiative:
    workflow.transition(session, initiative, Status.screening, actor=actor)
    return initiative


def return_for_revision(
    session: Session, actor: User, initiative: Initiative, requested_changes: str
) -> Initiative:
    workflow.transition(
        session, initiative, Status.returned_for_revision, actor=actor, reason=requested_changes
    )
    return initiative


def reject(session: Session, actor: User, initiative: Initiative, reason: str) -> Initiative:
    workflow.transition(session, initiative, Status.rejected, actor=actor, reason=reason)
    return initiative


def withdraw(session: Session, actor: User, initiative: Initiative, reason: str) -> Initiative:
    workflow.transition(session, initiative, Status.withdrawn, actor=actor, reason=reason)
    return initiative


def change_status(
    session: Session,
    actor: User,
    initiative: Initiative,
    to: str,
    reason: str | None = None,
    *,
    confirm_similar: bool = False,
) -> Initiative:
    """Any move of the table; a move to `submitted` is a submission (receipt, snapshot, checks)."""
    if to == Status.submitted:
        return submit(session, actor, initiative, confirm_similar=confirm_similar)
    workflow.transition(session, initiative, to, actor=actor, reason=reason)
    return initiative


def bulk_start_screening(
    session: Session, actor: User, ids: list[int]
) -> tuple[list[int], dict[int, str]]:
    """Start screening each initiative that allows it; (done ids, {refused id: why})."""
    done, refused = [], {}
    for initiative_id in ids:
        initiative = session.get(Initiative, initiative_id)
        if initiative is None:
            refused[initiative_id] = _("No such initiative.")
            continue
        try:
            start_screening(session, actor, initiative)
            done.append(initiative_id)
        except (Conflict, PermissionDenied) as exc:  # checked before anything is written
            refused[initiative_id] = exc.message
    return done, refused


# -- confidential access -------------------------------------------------------
def grant_access(session: Session, actor: User, initiative: Initiative, email: str) -> AccessGrant:
    if not perms.can_manage_access(actor, initiative):
        raise PermissionDenied(_("Only the submitter can grant access."))
    user = accounts_service.get_by_email(session, email)
    if user is None:
        raise ValidationFailed(
            _("No account has this email."), errors={"email": _("No account has this email.")}
        )
    existing = session.exec(
        select(AccessGrant).where(
            AccessGrant.initiative_id == initiative.id,
            AccessGrant.user_id == user.id,
            col(AccessGrant.revoked_at).is_(None),
        )
    ).first()
    if existing:
        return existing
    grant = AccessGrant(initiative_id=initiative.id, user_id=user.id, granted_by_id=actor.id)
    session.add(grant)
    session.flush()
    return grant


def revoke_access(session: Session, actor: User, initiative: Initiative, user_id: int) -> None:
    if not perms.can_manage_access(actor, initiative):
        raise PermissionDenied(_("Only the submitter can revoke access."))
    grants = session.exec(
        select(AccessGrant).where(
            AccessGrant.initiative_id == initiative.id,
            AccessGrant.user_id == user_id,
            col(AccessGrant.revoked_at).is_(None),
        )
    ).all()
    if not grants:
        raise NotFound(_("This person has no access to revoke."))
    for grant in grants:
        grant.revoked_at, grant.revoked_by_id = utcnow(), actor.id


def access_grants(session: Session, initiative: Initiative) -> list[tuple[AccessGrant, User]]:
    return list(
        session.exec(
            select(AccessGrant, User)
            .join(User, col(User.id) == col(AccessGrant.user_id))
            .where(
                col(AccessGrant.initiative_id) == initiative.id,
                col(AccessGrant.revoked_at).is_(None),
            )
            .order_by(col(AccessGrant.id))
        )
    )


def view_log(
    session: Session, actor: User | None, initiative: Initiative
) -> list[tuple[ConfidentialView, User]]:
    """Who read the confidential content: for the submitter and coordinators."""
    if not (perms.is_submitter(actor, initiative) or accounts.is_coordinator(actor)):
        raise PermissionDenied(_("Only the submitter can see who read the initiative."))
    return list(
        session.exec(
            select(ConfidentialView, User)
            .join(User, col(User.id) == col(ConfidentialView.user_id))
            .where(ConfidentialView.initiative_id == initiative.id)
            .order_by(col(ConfidentialView.id).desc())
        )
    )


# -- versions ------------------------------------------------------------------
def _require_versions_access(actor: User | None, initiative: Initiative) -> None:
    if not perms.can_compare_versions(actor, initiative):
        raise PermissionDenied(
            _("Only the authors and coordinators can see the submitted versions.")
        )


def versions(
    session: Session, actor: User | None, initiative: Initiative
) -> list[InitiativeVersion]:
    _require_versions_access(actor, initiative)
    return list(
        session.exec(
            select(InitiativeVersion)
            .where(InitiativeVersion.initiative_id == initiative.id)
            .order_by(col(InitiativeVersion.number))
        )
    )


def version(
    session: Session, actor: User | None, initiative: Initiative, number: int
) -> InitiativeVersion:
    _require_versions_access(actor, initiative)
    found = session.exec(
        select(InitiativeVersion).where(
            InitiativeVersion.initiative_id == initiative.id, InitiativeVersion.number == number
        )
    ).first()
    if found is None:
        raise NotFound(_("No such version."))
    visibility.log_confidential_view(session, actor, initiative, f"version:{number}")
    return found


def compare(
    session: Session, actor: User | None, initiative: Initiative, a: int, b: int
) -> list[dict]:
    """Field-by-field differences between submitted versions `a` and `b`."""
    old, new = version(session, actor, initiative, a), version(session, actor, initiative, b)
    return content.diff(old.content, new.content)
