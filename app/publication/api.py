"""Publication API: summary proposals, publish and unpublish, certificate verification (public)."""

from __future__ import annotations

from fastapi import APIRouter

from app.accounts.deps import CoordinatorUser, CurrentUser
from app.db import SessionDep
from app.publication import service
from app.publication.deps import DeskInitiative, ProposalDep
from app.publication.models import Certificate
from app.publication.schemas import (
    CertificateOut,
    ProposalAnswerIn,
    ProposalIn,
    ProposalOut,
    UnpublishIn,
)
from app.web.api import PROBLEMS, problems, public

router = APIRouter(tags=["publication"])


def _out(certificate: Certificate, intact: bool = True) -> CertificateOut:
    if certificate.revoked_at is not None:
        return CertificateOut(
            number=certificate.number,
            initiative_id=None,
            issued_at=certificate.issued_at,
            title=None,
            authors=[],
            organisation_name=None,
            content_fingerprint=None,
            seal=None,
            valid=False,
            revoked_at=certificate.revoked_at,
            revoked_reason=None,
        )
    return CertificateOut(
        **certificate.model_dump(exclude={"id", "issued_by_id"}),
        valid=intact,
    )


@router.post(
    "/initiatives/{initiative_id}/summary-proposals",
    response_model=ProposalOut,
    status_code=201,
    summary="Propose a public summary to the submitter",
    responses=PROBLEMS,
)
def propose(
    data: ProposalIn, session: SessionDep, user: CoordinatorUser, initiative: DeskInitiative
):
    return service.propose_summary(session, user, initiative, data.summary, data.note)


@router.post(
    "/summary-proposals/{proposal_id}/answer",
    response_model=ProposalOut,
    summary="The submitter accepts or refuses a proposed summary",
    responses=PROBLEMS,
)
def answer(data: ProposalAnswerIn, session: SessionDep, user: CurrentUser, proposal: ProposalDep):
    return service.respond(session, user, proposal, accept=data.accept, note=data.note)


@router.post(
    "/initiatives/{initiative_id}/publication",
    response_model=CertificateOut,
    status_code=201,
    summary="Publish a selected initiative and issue its certificate",
    responses=PROBLEMS,
    description="selected (or unpublished) → published; an accepted summary proposal is applied; "
    "`initiative.published` is queued for search and subscriptions in the same transaction.",
)
def publish(session: SessionDep, user: CoordinatorUser, initiative: DeskInitiative):
    return _out(service.publish(session, user, initiative))


@router.post(
    "/initiatives/{initiative_id}/unpublication",
    summary="Unpublish with a reason",
    status_code=204,
    responses=PROBLEMS,
)
def unpublish(
    data: UnpublishIn, session: SessionDep, user: CoordinatorUser, initiative: DeskInitiative
) -> None:
    service.unpublish(session, user, initiative, data.reason)


@router.get(
    "/certificates/{number}",
    response_model=CertificateOut,
    summary="Verify a publication certificate",
    description="Public. `valid` is true when the seal matches the data and the certificate is not revoked.",
    responses=problems(e404="No certificate with this number"),
)
@public
def verify(number: str, session: SessionDep):
    certificate, intact = service.verify(session, number)
    return _out(certificate, intact)
