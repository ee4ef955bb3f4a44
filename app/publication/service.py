"""Publication: agreed summary edits, publishing with a certificate, unpublishing.

Publishing is `workflow.transition(selected → published)`, which queues the
`initiative.published` event for search and subscriptions in the same
transaction; this module adds the certificate and applies a summary edit the
submitter accepted. The certificate's `seal` is the SHA-256 of its canonical
data, so the public verification page can show that nothing was altered.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.accounts import permissions as accounts
from app.accounts.models import Organisation, User
from app.db import utcnow
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.i18n import _
from app.initiatives import permissions as initiative_perms
from app.initiatives import workflow
from app.initiatives.models import Initiative
from app.mail.service import queue_mail
from app.publication.models import (
    Certificate,
    CertificateCounter,
    ProposalStatus,
    SummaryProposal,
)


def _require_coordinator(actor: User | None) -> None:
    if not accounts.is_coordinator(actor):
        raise PermissionDenied(_("Only coordinators publish initiatives."))


# -- summary proposals -------------------------------------------------------
def proposals(session: Session, initiative: Initiative) -> list[SummaryProposal]:
    return list(
        session.exec(
            select(SummaryProposal)
            .where(SummaryProposal.initiative_id == initiative.id)
            .order_by(col(SummaryProposal.id).desc())
        )
    )


def get_proposal(session: Session, proposal_id: int) -> SummaryProposal:
    found = session.get(SummaryProposal, proposal_id)
    if found is None:
        raise NotFound(_("No such proposal."))
    return found


def propose_summary(
    session: Session, actor: User, initiative: Initiative, summary: str, note: str = ""
) -> SummaryProposal:
    """Suggest a public summary; it is used at publication only if the submitter accepts it."""
    _require_coordinator(actor)
    if initiative.status not in (workflow.Status.selected, workflow.Status.unpublished):
        raise Conflict(_("A public summary can be agreed only for a selected initiative."))
    if not summary.strip():
        raise ValidationFailed(
            _("Write the proposed summary."), errors={"summary": _("This field is required.")}
        )
    for open_one in proposals(session, initiative):
        if open_one.status == ProposalStatus.proposed:
            open_one.status, open_one.responded_at = ProposalStatus.refused, utcnow()
            open_one.response_note = _("Replaced by a newer proposal.")
    proposal = SummaryProposal(
        initiative_id=initiative.id,
        summary=summary.strip(),
        note=note.strip(),
        proposed_by_id=actor.id,
    )
    session.add(proposal)
    session.flush()
    submitter = session.get_one(User, initiative.submitter_id)
    queue_mail(
        session,
        to=submitter.email,
        template="publication/mail/proposal",
        language=submitter.language,
        context={"initiative": initiative, "proposal": proposal},
        key=f"summary-proposal:{proposal.id}",
    )
    return proposal


def respond(
    session: Session, actor: User, proposal: SummaryProposal, *, accept: bool, note: str = ""
) -> SummaryProposal:
    """The submitter agrees to (or refuses) the proposed public summary."""
    initiative = session.get_one(Initiative, proposal.initiative_id)
    if not initiative_perms.is_submitter(actor, initiative):
        raise PermissionDenied(_("Only the submitter answers a summary proposal."))
    if proposal.status != ProposalStatus.proposed:
        raise Conflict(_("This proposal was already answered."))
    proposal.status = ProposalStatus.accepted if accept else ProposalStatus.refused
    proposal.responded_at, proposal.response_note = utcnow(), note.strip()
    session.add(proposal)
    return proposal


# -- certificates --------------------------------------------------------------
def _next_number(session: Session, year: int) -> str:
    """CN-<year>-<6 digits>, gap-free per year: the counter row is bumped by one UPDATE (row-locked)."""
    if session.get(CertificateCounter, year) is None:
        session.add(CertificateCounter(year=year, last=0))
        session.flush()
    session.execute(
        update(CertificateCounter)
        .where(col(CertificateCounter.year) == year)
        .values(last=CertificateCounter.last + 1)
    )
    last = session.exec(
        select(CertificateCounter.last).where(CertificateCounter.year == year)
    ).one()
    return f"CN-{year}-{last:06d}"


def canonical(certificate: Certificate) -> str:
    """The certificate data the seal covers, as canonical JSON."""
    return json.dumps(
        {
            "number": certificate.number,
            "initiative_id": certificate.initiative_id,
            "issued_at": certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "title": certificate.title,
            "authors": certificate.authors,
            "organisation": certificate.organisation_name,
            "content_fingerprint": certificate.content_fingerprint,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def seal_of(certificate: Certificate) -> str:
    return hashlib.sha256(canonical(certificate).encode("utf-8")).hexdigest()


def issue_certificate(session: Session, actor: User, initiative: Initiative) -> Certificate:
    issued_at = utcnow()
    organisation = (
        session.get(Organisation, initiative.organisation_id)
        if initiative.organisation_id
        else None
    )
    certificate = Certificate(
        number=_next_number(session, issued_at.year),
        initiative_id=initiative.id,
        issued_at=issued_at,
        issued_by_id=actor.id,
        title=initiative.title,
        authors=[
            {
                "name": c.full_name,
                "share_percent": c.share_percent,
                "organisation": c.organisation_name,
            }
            for c in initiative.coauthors
        ],
        organisation_name=organisation.name if organisation else None,
        content_fingerprint=initiative.fingerprint,
        seal="",
    )
    certificate.seal = seal_of(certificate)
    session.add(certificate)
    session.flush()
    return certificate


def current_certificate(session: Session, initiative: Initiative) -> Certificate | None:
    return session.exec(
        select(Certificate)
        .where(
            col(Certificate.initiative_id) == initiative.id, col(Certificate.revoked_at).is_(None)
        )
        .order_by(col(Certificate.id).desc())
    ).first()


def certificates_of(session: Session, initiative: Initiative) -> list[Certificate]:
    return list(
        session.exec(
            select(Certificate)
            .where(Certificate.initiative_id == initiative.id)
            .order_by(col(Certificate.id).desc())
        )
    )


def verify(session: Session, number: str) -> tuple[Certificate, bool]:
    """The certificate and whether its seal still matches its data."""
    certificate = session.exec(
        select(Certificate).where(Certificate.number == number.strip().upper())
    ).first()
    if certificate is None:
        raise NotFound(_("No certificate with this number."))
    return certificate, seal_of(certificate) == certificate.seal


# -- publish / unpublish -----------------------------------------------------
def publish(session: Session, actor: User, initiative: Initiative) -> Certificate:
    """selected (or unpublished) → published, with the agreed summary applied and a new certificate."""
    _require_coordinator(actor)
    accepted = next(
        (p for p in proposals(session, initiative) if p.status == ProposalStatus.accepted), None
    )
    if accepted is not None and initiative.status in (
        workflow.Status.selected,
        workflow.Status.unpublished,
    ):
        initiative.summary = accepted.summary
        accepted.status = ProposalStatus.applied
        session.add(accepted)
    workflow.transition(
        session,
        initiative,
        workflow.Status.published,
        actor=actor,
        evidence=workflow.Evidence(workflow.Via.publication),
    )
    certificate = issue_certificate(session, actor, initiative)
    submitter = session.get_one(User, initiative.submitter_id)
    queue_mail(
        session,
        to=submitter.email,
        template="publication/mail/published",
        language=submitter.language,
        context={"initiative": initiative, "certificate": certificate},
        key=f"publication:{initiative.id}",
    )
    return certificate


def unpublish(session: Session, actor: User, initiative: Initiative, reason: str) -> Initiative:
    """published → unpublished with a reason; the certificate is marked revoked (kept, still verifiable)."""
    _require_coordinator(actor)
    workflow.transition(
        session, initiative, workflow.Status.unpublished, actor=actor, reason=reason
    )
    now = utcnow()
    for certificate in certificates_of(session, initiative):
        if certificate.revoked_at is None:
            certificate.revoked_at, certificate.revoked_reason = now, reason.strip()
            session.add(certificate)
    return initiative
