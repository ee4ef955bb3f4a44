"""Loaders that refuse in one place: the initiative on the publication desk, a summary proposal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from app.accounts.deps import CoordinatorUser
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _
from app.initiatives import visibility
from app.initiatives.models import Initiative
from app.publication import service
from app.publication.models import SummaryProposal


def initiative_by_id(session: Session, initiative_id: int) -> Initiative:
    """Any initiative by number (404 if none): the publication verbs check its stage."""
    found = session.get(Initiative, initiative_id)
    if found is None:
        raise NotFound(_("No such initiative."))
    return found


def desk_initiative(initiative_id: int, session: SessionDep, user: CoordinatorUser) -> Initiative:
    """An initiative on the publication desk: coordinators only (403), then through the one
    visibility module (404 for none, and for a draft: no coordinator reads one here)."""
    return visibility.load(session, user, initiative_id)


DeskInitiative = Annotated[Initiative, Depends(desk_initiative)]


def valid_proposal(proposal_id: int, session: SessionDep) -> SummaryProposal:
    return service.get_proposal(session, proposal_id)


ProposalDep = Annotated[SummaryProposal, Depends(valid_proposal)]
