"""ONE place decides who sees what of an initiative. Pages, API, downloads, exports and search use it.

The rules (PORTAL.md, "IP protection"):
- draft: the submitter and linked co-authors only;
- every other state before or outside publication (submitted, screening,
  in_review, returned_for_revision, selected, rejected, withdrawn,
  unpublished): also coordinators (and admins) and whoever a registered
  reader rule admits (the review domain registers "assigned reviewer who
  accepted confidentiality and declared no conflict");
- published / commercialising: everyone sees PUBLIC_FIELDS; CONFIDENTIAL_FIELDS
  and confidential attachments stay with the submitter, co-authors,
  coordinators and users holding an active AccessGrant;
- INTERNAL_FIELDS (receipt code, fingerprint, co-author e-mails and shares,
  record dates) go only to those who may read the confidential sections.

Decision on sections: before publication *every* section is confidential. After
publication the problem addressed and the expected impact are public (a
reader must know what the initiative is for to ask for contact); the solution
and technical description, novelty, feasibility and roadmap, and attachments
not marked public stay confidential.

`visible_view` omits (never blanks) what the user may not see and logs each
time confidential content is returned to anyone but the submitter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event as orm_events
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import joinedload
from sqlmodel import Session, col, select

from app.accounts import permissions as accounts
from app.accounts.models import Organisation, User
from app.db import transaction_memo, utcnow
from app.errors import NotFound
from app.i18n import _
from app.initiatives import permissions as perms
from app.initiatives import taxonomy
from app.initiatives.models import (
    AccessGrant,
    Attachment,
    ConfidentialView,
    Initiative,
)
from app.initiatives.workflow import PUBLISHED_STATES, Status

PUBLIC_FIELDS = frozenset(
    {
        "id",
        "status",
        "title",
        "summary",
        "problem",
        "impact",
        "field_id",
        "subfield_id",
        "field",
        "subfield",
        "keywords",
        "trl",
        "province",
        "ip_status",
        "ip_number",
        "organisation_id",
        "organisation",
        "authors",
        "resources_wanted",
        "resources_note",
        "submitted_at",
        "published_at",
    }
)
CONFIDENTIAL_FIELDS = frozenset({"solution", "novelty", "feasibility", "attachments"})
INTERNAL_FIELDS = frozenset(
    {
        "receipt_code",
        "fingerprint",
        "submitter_id",
        "coauthors",
        "created_at",
        "updated_at",
        "stage_entered_at",
    }
)
# Lower-case aliases, the names the other domains were given.
public_fields, confidential_fields = PUBLIC_FIELDS, CONFIDENTIAL_FIELDS

ReaderRule = Callable[[Session, User, Initiative], bool]
ViewLogger = Callable[[Session, User, Initiative, str], None]
Redaction = Callable[[Session, User, Initiative], frozenset[str]]
_readers: list[ReaderRule] = []
_view_loggers: list[ViewLogger] = []
_redactions: list[Redaction] = []


def register_reader(rule: ReaderRule) -> ReaderRule:
    """Add a rule granting read access (all sections) outside publication, never to drafts.

    Usable as a decorator; registering the same function twice has no effect.
    """
    if rule not in _readers:
        _readers.append(rule)
    return rule


def register_redaction(fn: Redaction) -> Redaction:
    """Add a function naming fields to leave out for a reader admitted by a rule.

    It applies before publication to everyone but the authors and coordinators
    (the review domain hides the submitter's identity in blind rounds).
    """
    if fn not in _redactions:
        _redactions.append(fn)
    return fn


def _redacted(session: Session, user: User | None, initiative: Initiative) -> frozenset[str]:
    if (
        user is None
        or is_public(initiative)
        or perms.is_author(user, initiative)
        or accounts.is_coordinator(user)
    ):
        return frozenset()
    return frozenset().union(*(fn(session, user, initiative) for fn in _redactions))


def redacted_fields(session: Session, user: User | None, initiative: Initiative) -> frozenset[str]:
    """The fields left out for this reader (say, who submitted it, in a blind round)."""
    return _redacted(session, user, initiative)


def visible_history(
    session: Session, user: User | None, initiative: Initiative
) -> list[dict[str, Any]]:
    """The history entries as this reader may see them: in a blind round a reviewer gets
    no actor ids (the submitter's among them) and no content fingerprints."""
    from app.initiatives import history

    assert initiative.id is not None
    hidden = _redacted(session, user, initiative)
    entries = []
    for event in history.events(session, initiative.id):
        entry = {
            "seq": event.seq,
            "actor_id": event.actor_id,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "reason": event.reason,
            "created_at": event.created_at,
            "fingerprint": event.fingerprint,
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }
        if hidden & {"submitter_id", "authors", "coauthors"}:
            entry["actor_id"] = None
        if "fingerprint" in hidden:
            entry["fingerprint"] = None
        entries.append(entry)
    return entries


def register_view_logger(fn: ViewLogger) -> ViewLogger:
    """Also call `fn(session, user, initiative, what)` whenever a confidential view is logged."""
    if fn not in _view_loggers:
        _view_loggers.append(fn)
    return fn


def _is_reader(session: Session, user: User | None, initiative: Initiative) -> bool:
    return accounts.is_signed_in(user) and any(rule(session, user, initiative) for rule in _readers)


def has_access_grant(session: Session, user: User | None, initiative: Initiative) -> bool:
    if not accounts.is_signed_in(user) or initiative.id is None:
        return False
    return (
        session.exec(
            select(AccessGrant.id).where(
                AccessGrant.initiative_id == initiative.id,
                AccessGrant.user_id == user.id,
                col(AccessGrant.revoked_at).is_(None),
            )
        ).first()
        is not None
    )


def is_public(initiative: Initiative) -> bool:
    return initiative.status in PUBLISHED_STATES


_STATUSES = "initiatives.statuses"  # transaction_memo: id -> status as this transaction read it


@orm_events.listens_for(OrmSession, "after_flush")
def _forget_statuses(session: OrmSession, context: Any) -> None:
    """A flush may have changed a status (a transition): what was read before is forgotten."""
    session.info.pop(_STATUSES, None)


def read_status(session: Session, initiative_id: int, *also: Any) -> tuple[Any, ...] | None:
    """The initiative's status and `also` (more of its columns, or scalar subqueries read
    alongside) in one statement, None if there is no such initiative; the status is then
    known to the transaction (`status_of`)."""
    # `execute`, not `exec`: a row even when the status is its only column.
    row = session.execute(
        select(Initiative.status, *also).where(Initiative.id == initiative_id)
    ).first()
    transaction_memo(session, _STATUSES)[initiative_id] = row[0] if row is not None else None
    return tuple(row) if row is not None else None


def status_of(session: Session, initiative_id: int) -> str | None:
    """The initiative's status, read once per transaction (None if there is no such initiative)."""
    known = transaction_memo(session, _STATUSES)
    if initiative_id in known:
        return known[initiative_id]
    row = read_status(session, initiative_id)
    return row[0] if row is not None else None


def can_view(session: Session, user: User | None, initiative: Initiative) -> bool:
    """May `user` see the initiative at all (at least its public sections)?"""
    if perms.is_author(user, initiative):
        return True
    if initiative.status == Status.draft:
        return False
    if is_public(initiative) or accounts.is_coordinator(user):
        return True
    return _is_reader(session, user, initiative)


_WITH_AUTHORS = joinedload(Initiative.coauthors)  # type: ignore[arg-type]


def load(session: Session, user: User | None, initiative_id: int) -> Initiative:
    """THE loader of an initiative for a reader: 404 unless `user` may see it, so its
    existence is not revealed (a coordinator gets no draft from any page or endpoint)."""
    # The co-authors (every permission reads them) in the same statement as the row.
    initiative = session.get(Initiative, initiative_id, options=[_WITH_AUTHORS])
    if initiative is None or not can_view(session, user, initiative):
        raise NotFound(_("No such initiative."))
    return initiative


def can_view_confidential(session: Session, user: User | None, initiative: Initiative) -> bool:
    """May `user` read every section and the confidential attachments?"""
    if perms.is_author(user, initiative):
        return True
    if initiative.status == Status.draft:
        return False
    if accounts.is_coordinator(user):
        return True
    if is_public(initiative):
        return has_access_grant(session, user, initiative)
    return _is_reader(session, user, initiative)


def can_edit(user: User | None, initiative: Initiative) -> bool:
    return perms.can_edit(user, initiative)


def can_download(
    session: Session, user: User | None, initiative: Initiative, attachment: Attachment
) -> bool:
    if attachment.confidential:
        return can_view_confidential(session, user, initiative)
    return can_view(session, user, initiative)


def log_confidential_view(
    session: Session, user: User | None, initiative: Initiative, what: str
) -> None:
    """Record that `user` read confidential content (`what`); the submitter's own reads are not logged."""
    if user is None or perms.is_submitter(user, initiative):
        return
    session.add(
        ConfidentialView(
            initiative_id=initiative.id, user_id=user.id, what=what[:60], created_at=utcnow()
        )
    )
    for fn in _view_loggers:
        fn(session, user, initiative, what)


def _field_dict(session: Session, field_id: int | None) -> dict[str, Any] | None:
    field = taxonomy.find(session, field_id)
    return (
        {"id": field.id, "code": field.code, "name_vi": field.name_vi, "name_en": field.name_en}
        if field
        else None
    )


def _full_view(session: Session, initiative: Initiative) -> dict[str, Any]:
    organisation = (
        session.get(Organisation, initiative.organisation_id)
        if initiative.organisation_id
        else None
    )
    return {
        "id": initiative.id,
        "status": initiative.status,
        "title": initiative.title,
        "summary": initiative.summary,
        "problem": initiative.problem,
        "solution": initiative.solution,
        "novelty": initiative.novelty,
        "feasibility": initiative.feasibility,
        "impact": initiative.impact,
        "field_id": initiative.field_id,
        "subfield_id": initiative.subfield_id,
        "field": _field_dict(session, initiative.field_id),
        "subfield": _field_dict(session, initiative.subfield_id),
        "keywords": list(initiative.keywords),
        "trl": initiative.trl,
        "province": initiative.province,
        "ip_status": initiative.ip_status,
        "ip_number": initiative.ip_number,
        "organisation_id": initiative.organisation_id,
        "organisation": {
            "id": organisation.id,
            "name": organisation.name,
            "type": organisation.type,
        }
        if organisation
        else None,
        "authors": [
            {"full_name": c.full_name, "organisation_name": c.organisation_name}
            for c in initiative.coauthors
        ],
        "coauthors": [
            {
                "id": c.id,
                "user_id": c.user_id,
                "full_name": c.full_name,
                "email": c.email,
                "organisation_name": c.organisation_name,
                "share_percent": c.share_percent,
                "is_submitter": c.is_submitter,
                "can_edit": c.can_edit,
            }
            for c in initiative.coauthors
        ],
        "resources_wanted": list(initiative.resources_wanted),
        "resources_note": initiative.resources_note,
        "submitted_at": initiative.submitted_at,
        "published_at": initiative.published_at,
        "receipt_code": initiative.receipt_code,
        "fingerprint": initiative.fingerprint,
        "submitter_id": initiative.submitter_id,
        "created_at": initiative.created_at,
        "updated_at": initiative.updated_at,
        "stage_entered_at": initiative.stage_entered_at,
    }


def visible_attachments(
    session: Session, user: User | None, initiative: Initiative
) -> list[Attachment]:
    return [a for a in initiative.attachments if can_download(session, user, initiative, a)]


def visible_view(
    session: Session,
    user: User | None,
    initiative: Initiative,
    *,
    log: bool = True,
    what: str = "sections",
) -> dict[str, Any]:
    """The initiative as `user` may see it: keys they may not see are absent.

    Returns {} when the user may not see it at all (callers answer 404).
    """
    if not can_view(session, user, initiative):
        return {}
    view = _full_view(session, initiative)
    attachments = visible_attachments(session, user, initiative)
    view["attachments"] = [
        {
            "id": a.id,
            "filename": a.filename,
            "content_type": a.content_type,
            "size": a.size,
            "sha256": a.sha256,
            "confidential": a.confidential,
            "created_at": a.created_at,
        }
        for a in attachments
    ]
    if can_view_confidential(session, user, initiative):
        if log:
            log_confidential_view(session, user, initiative, what)
        hidden = _redacted(session, user, initiative)
        return {k: v for k, v in view.items() if k not in hidden}
    return {
        k: v for k, v in view.items() if k in PUBLIC_FIELDS or (k == "attachments" and attachments)
    }


def review_brief(session: Session, initiative: Initiative, *, blind: bool) -> dict[str, Any]:
    """What an invited reviewer sees before declaring a conflict of interest: enough to judge the
    conflict (title, public summary, field, type of organisation; in an open round also the
    submitter and the organisation), never the confidential sections."""
    organisation = (
        session.get(Organisation, initiative.organisation_id)
        if initiative.organisation_id
        else None
    )
    submitter = session.get(User, initiative.submitter_id) if not blind else None
    return {
        "title": initiative.title,
        "summary": initiative.summary,
        "field": _field_dict(session, initiative.field_id),
        "organisation_type": organisation.type if organisation else None,
        "organisation": organisation.name if organisation and not blind else None,
        "submitter": submitter.full_name if submitter else None,
    }
