"""Publication API: summary proposals, publish and unpublish, certificate verification (public)."""

from __future__ import annotations

from fastapi import APIRouter

from app.accounts.deps import CurrentUser
from app.accounts.models import User
from app.db import SessionDep
from app.errors import Responses
from app.initiatives import visibility
from app.initiatives.models import Initiative
from app.publication import service
from app.publication.models import Certificate
from app.publication.schemas import (
    CertificateOut,
    ProposalAnswerIn,
    ProposalIn,
    ProposalOut,
    UnpublishIn,
)
from app.reviews.deps import Coordinator

router = APIRouter(tags=["publication"])
PROBLEMS: Responses = {
    403: {"description": "Not allowed"},
    404: {"description": "Not found"},
    409: {"description": "Not possible in the initiative's stage"},
    422: {"description": "Invalid input"},
}


def _initiative(session, initiative_id: int, user: User) -> Initiative:
    """Through the one visibility module: no coordinator reaches a draft here either."""
    return visibility.load(session, user, initiative_id)


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
def propose(initiative_id: int, data: ProposalIn, session: SessionDep, user: Coordinator):
    return service.propose_summary(
        session, user, _initiative(session, initiative_id, user), data.summary, data.note
    )


@router.post(
    "/summary-proposals/{proposal_id}/answer",
    response_model=ProposalOut,
    summary="The submitter accepts or refuses a proposed summary",
    responses=PROBLEMS,
)
def answer(proposal_id: int, data: ProposalAnswerIn, session: SessionDep, user: CurrentUser):
    return service.respond(
        session,
        user,
        service.get_proposal(session, proposal_id),
        accept=data.accept,
        note=data.note,
    )


@router.post(
    "/initiatives/{initiative_id}/publication",
    response_model=CertificateOut,
    status_code=201,
    summary="Publish a selected initiative and issue its certificate",
    responses=PROBLEMS,
    description="selected (or unpublished) → published; an accepted summary proposal is applied; "
    "`initiative.published` is queued for search and subscriptions in the same transaction.",
)
def publish(initiative_id: int, session: SessionDep, user: Coordinator):
    return _out(service.publish(session, user, _initiative(session, initiative_id, user)))


@router.post(
    "/initiatives/{initiative_id}/unpublication",
    summary="Unpublish with a reason",
    status_code=204,
    responses=PROBLEMS,
)
def unpublish(
    initiative_id: int, data: UnpublishIn, session: SessionDep, user: Coordinator
) -> None:
    service.unpublish(session, user, _initiative(session, initiative_id, user), data.reason)


@router.get(
    "/certificates/{number}",
    response_model=CertificateOut,
    summary="Verify a publication certificate",
    description="Public. `valid` is true when the seal matches the data and the certificate is not revoked.",
    responses={404: {"description": "No certificate with this number"}},
)
def verify(number: str, session: SessionDep):
    certificate, intact = service.verify(session, number)
    return _out(certificate, intact)
