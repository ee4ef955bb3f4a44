"""Conflicts of interest between reviewers and initiatives, detected from the portal's own records.

A reviewer is conflicted with an initiative when:
- ``submitter``: they submitted it;
- ``coauthor``: they are one of its co-authors (linked account or same e-mail);
- ``same_organisation``: they belong to the initiative's organisation, or to
  the organisation of one of its authors (by account, or by the organisation
  name written on a co-author row, compared after folding);
- ``previous_coauthorship``: they and one of its authors were co-authors of
  another initiative on the portal;
- ``declared``: they (or a coordinator) declared a conflict.

A conflicted reviewer is never assigned (manually or automatically), cannot
accept, and cannot read the initiative.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, col, or_, select

from app.accounts.models import Organisation, User
from app.i18n import _
from app.initiatives.models import CoAuthor, Initiative
from app.reviews.models import ConflictDeclaration
from search.text import fold

REASONS = ("submitter", "coauthor", "same_organisation", "previous_coauthorship", "declared")


def reason_label(code: str) -> str:
    return {
        "submitter": _("the reviewer submitted this initiative"),
        "coauthor": _("the reviewer is a co-author"),
        "same_organisation": _("the reviewer works in the same organisation as an author"),
        "previous_coauthorship": _("the reviewer co-authored another initiative with an author"),
        "declared": _("a conflict of interest was declared"),
    }.get(code, code)


@dataclass
class _People:
    """Who stands behind an initiative: accounts, e-mails and organisations of its authors."""

    submitter_id: int | None = None
    user_ids: set[int] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    organisation_ids: set[int] = field(default_factory=set)
    organisation_names: set[str] = field(default_factory=set)


def _authors(session: Session, initiative_ids: Iterable[int]) -> dict[int, _People]:
    ids = sorted(set(initiative_ids))
    people: dict[int, _People] = defaultdict(_People)
    if not ids:
        return people
    for item in session.exec(select(Initiative).where(col(Initiative.id).in_(ids))):
        entry = people[item.id]
        entry.submitter_id = item.submitter_id
        entry.user_ids.add(item.submitter_id)
        if item.organisation_id:
            entry.organisation_ids.add(item.organisation_id)
        for coauthor in item.coauthors:
            if coauthor.user_id:
                entry.user_ids.add(coauthor.user_id)
            if coauthor.email:
                entry.emails.add(coauthor.email.strip().lower())
            if coauthor.organisation_name:
                entry.organisation_names.add(fold(coauthor.organisation_name.strip()))
    users = {
        u.id: u
        for u in session.exec(
            select(User).where(
                col(User.id).in_({uid for p in people.values() for uid in p.user_ids})
            )
        )
    }
    for entry in people.values():
        for uid in entry.user_ids:
            if uid in users:
                entry.emails.add(users[uid].email)
                organisation_id = users[uid].organisation_id
                if organisation_id:
                    entry.organisation_ids.add(organisation_id)
    return people


def _authored_by(session: Session, reviewer: User) -> set[int]:
    """Initiatives the reviewer submitted or co-authored (by account or e-mail)."""
    submitted = set(
        session.exec(select(Initiative.id).where(Initiative.submitter_id == reviewer.id))
    )
    coauthored = set(
        session.exec(
            select(CoAuthor.initiative_id).where(
                or_(CoAuthor.user_id == reviewer.id, CoAuthor.email == reviewer.email)
            )
        )
    )
    return submitted | coauthored


def detect_many(
    session: Session, reviewers: Iterable[User], initiative_ids: Iterable[int]
) -> dict[tuple[int, int], list[str]]:
    """Conflict reasons for every (reviewer id, initiative id) pair that has any."""
    reviewers = list(reviewers)
    targets = sorted(set(initiative_ids))
    authored = {r.id: _authored_by(session, r) for r in reviewers}
    others = {i for ids in authored.values() for i in ids}
    people = _authors(session, set(targets) | others)
    organisation_names = {
        o.id: fold(o.name.strip())
        for o in session.exec(
            select(Organisation).where(
                col(Organisation.id).in_(
                    {r.organisation_id for r in reviewers if r.organisation_id}
                )
            )
        )
    }
    declared = (
        set(
            session.exec(
                select(ConflictDeclaration.reviewer_id, ConflictDeclaration.initiative_id).where(
                    col(ConflictDeclaration.initiative_id).in_(targets)
                )
            ).all()
        )
        if targets
        else set()
    )
    found: dict[tuple[int, int], list[str]] = {}
    for reviewer in reviewers:
        email = reviewer.email.lower()
        for iid in targets:
            target = people[iid]
            reasons = []
            if target.submitter_id == reviewer.id:
                reasons.append("submitter")
            elif reviewer.id in target.user_ids or email in target.emails:
                reasons.append("coauthor")
            if reviewer.organisation_id and (
                reviewer.organisation_id in target.organisation_ids
                or organisation_names.get(reviewer.organisation_id) in target.organisation_names
            ):
                reasons.append("same_organisation")
            for other in authored[reviewer.id] - {iid}:
                if (people[other].user_ids & target.user_ids) - {reviewer.id} or (
                    people[other].emails & target.emails
                ) - {email}:
                    reasons.append("previous_coauthorship")
                    break
            if (reviewer.id, iid) in declared:
                reasons.append("declared")
            if reasons:
                found[(reviewer.id, iid)] = reasons
    return found


def detect(session: Session, reviewer: User, initiative: Initiative) -> list[str]:
    """Every conflict reason between one reviewer and one initiative (empty: none)."""
    return detect_many(session, [reviewer], [initiative.id]).get((reviewer.id, initiative.id), [])


def declare(
    session: Session,
    reviewer: User,
    initiative: Initiative,
    description: str,
    *,
    by: User | None = None,
) -> ConflictDeclaration:
    """Record a declared conflict (idempotent per reviewer and initiative)."""
    row = session.exec(
        select(ConflictDeclaration).where(
            ConflictDeclaration.reviewer_id == reviewer.id,
            ConflictDeclaration.initiative_id == initiative.id,
        )
    ).first()
    if row is None:
        row = ConflictDeclaration(
            reviewer_id=reviewer.id,
            initiative_id=initiative.id,
            description=description,
            declared_by_id=(by or reviewer).id,
        )
        session.add(row)
        session.flush()
    return row
