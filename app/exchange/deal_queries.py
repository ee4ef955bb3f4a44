"""Reading deals: the loaders (a 404 for anyone who may not see a deal), the lookups every
verb and page shares, and the two guards every verb starts with.
"""

from __future__ import annotations

import hashlib

from sqlmodel import Session, col, or_, select

from app.accounts import permissions as accounts
from app.accounts.models import Organisation, User
from app.errors import InvalidTransition, NotFound, PermissionDenied
from app.exchange import deal_workflow as workflow
from app.exchange import permissions as perms
from app.exchange.models import (
    Deal,
    DealAgreement,
    DealFacilitator,
    DealOffer,
    DealResult,
    DealStage,
    ExchangeSetting,
    FacilitatorStatus,
    NdaAcceptance,
    NdaTemplate,
    Side,
)
from app.i18n import _
from app.initiatives.models import CoAuthor, Initiative

S = DealStage
OFFER_STAGES = frozenset({S.due_diligence, S.offer, S.negotiation})


# -- loading -----------------------------------------------------------------------
def initiative_of(session: Session, deal: Deal) -> Initiative:
    initiative = session.get(Initiative, deal.initiative_id)
    assert initiative is not None
    return initiative


# -- who sees what: THE place deciding it for deals ---------------------------------------
# The parties and coordinators see everything of a deal. An intermediary both parties accepted as
# facilitator (an active `DealFacilitator`) sees the deal's course — stages, history, the terms
# of each offer — but no confidential value, no agreement document, no NDA copy and no network
# address: `describe` and the downloads ask `sees_confidential`. Nobody else learns the deal exists.
def facilitators_of(session: Session, deal: Deal) -> list[DealFacilitator]:
    return list(
        session.exec(
            select(DealFacilitator)
            .where(DealFacilitator.deal_id == deal.id)
            .order_by(col(DealFacilitator.id))
        )
    )


def is_facilitator(session: Session, user: User | None, deal: Deal) -> bool:
    active = [f for f in facilitators_of(session, deal) if f.status == FacilitatorStatus.active]
    return perms.is_facilitator(user, active)


def sees_confidential(session: Session, user: User | None, deal: Deal) -> bool:
    return perms.can_see_deal(user, deal, initiative_of(session, deal))


def can_see(session: Session, user: User | None, deal: Deal) -> bool:
    return sees_confidential(session, user, deal) or is_facilitator(session, user, deal)


def get_visible(session: Session, user: User | None, deal_id: int) -> Deal:
    """The deal, for its parties, coordinators and active facilitators; a 404 for everyone else."""
    deal = session.get(Deal, deal_id)
    if deal is None or not can_see(session, user, deal):
        raise NotFound(_("No such deal."))
    return deal


def get_confidential(session: Session, user: User | None, deal_id: int) -> Deal:
    """The deal, for its parties and coordinators only (documents, values); a 404 otherwise."""
    deal = session.get(Deal, deal_id)
    if deal is None or not sees_confidential(session, user, deal):
        raise NotFound(_("No such deal."))
    return deal


def deals_of(session: Session, user: User, *, involved_only: bool = False) -> list[Deal]:
    """The deals `user` is a party to or facilitates, newest first: every deal for coordinators,
    unless `involved_only` (the home page lists only the deals a person takes part in).

    A deal is on the counterparty side of everyone acting for its organisation, whoever opened
    it (a colleague, or an intermediary acting in the organisation's name). The query only
    narrows the candidates; `can_see`, the one decision, keeps or drops each.
    """
    query = select(Deal).order_by(col(Deal.id).desc())
    if involved_only or not accounts.is_coordinator(user):
        coauthored = select(CoAuthor.initiative_id).where(CoAuthor.user_id == user.id)
        authored = select(Initiative.id).where(
            or_(Initiative.submitter_id == user.id, col(Initiative.id).in_(coauthored))
        )
        # Every organisation the user acts for (approved memberships, as `acts_for` reads them),
        # not only the one their profile names.
        organisations = sorted(user.member_of)
        facilitated = select(DealFacilitator.deal_id).where(
            col(DealFacilitator.organisation_id).in_(organisations),
            DealFacilitator.status == FacilitatorStatus.active,
        )
        query = query.where(
            or_(
                col(Deal.initiative_id).in_(authored),
                col(Deal.organisation_id).in_(organisations),
                col(Deal.id).in_(facilitated),
            )
        )
    return [d for d in session.exec(query) if can_see(session, user, d)]


def organisation_name(session: Session, organisation_id: int | None) -> str:
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    return organisation.name if organisation else ""


def require_side(user: User, deal: Deal, initiative: Initiative) -> Side:
    side = perms.side_of(user, deal, initiative)
    if side is None:
        raise PermissionDenied(_("Only the parties of the deal can do this."))
    return side


def require_open(deal: Deal) -> None:
    if deal.stage not in workflow.OPEN_STAGES:
        raise InvalidTransition(
            _(
                "This deal is closed (“%(stage)s”): nothing more can be changed.",
                stage=workflow.stage_label(deal.stage),
            ),
            current=deal.stage,
        )


def text_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def templates(session: Session) -> list[NdaTemplate]:
    return list(
        session.exec(
            select(NdaTemplate).order_by(col(NdaTemplate.language), col(NdaTemplate.version).desc())
        )
    )


def current_templates(session: Session) -> list[NdaTemplate]:
    """The newest version in each language (what a party is offered to accept)."""
    newest: dict[str, NdaTemplate] = {}
    for template in templates(session):
        newest.setdefault(template.language, template)
    return sorted(newest.values(), key=lambda t: t.language != "vi")


def acceptances(session: Session, deal: Deal) -> list[NdaAcceptance]:
    return list(
        session.exec(
            select(NdaAcceptance)
            .where(NdaAcceptance.deal_id == deal.id)
            .order_by(col(NdaAcceptance.id))
        )
    )


def nda_setting(session: Session, initiative: Initiative) -> bool:
    setting = session.get(ExchangeSetting, initiative.id)
    return bool(setting and setting.open_confidential_after_nda)


def offers(session: Session, deal: Deal) -> list[DealOffer]:
    return list(
        session.exec(
            select(DealOffer).where(DealOffer.deal_id == deal.id).order_by(col(DealOffer.version))
        )
    )


def agreement_of(session: Session, deal: Deal) -> DealAgreement | None:
    return session.exec(select(DealAgreement).where(DealAgreement.deal_id == deal.id)).first()


def result_of(session: Session, deal: Deal) -> DealResult | None:
    return session.exec(select(DealResult).where(DealResult.deal_id == deal.id)).first()
