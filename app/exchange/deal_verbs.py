"""The deal's steps after the NDA: due diligence, offers and counter-offers, abandoning, the
signed agreement and the confirmed result.

Each verb takes `session` first, checks the deal state machine (`deal_workflow`, passing
its own `Via`) and the side the actor is on, changes rows and appends to the hash-chained
history in the caller's transaction; it never commits.
"""

from __future__ import annotations

from sqlmodel import Session

from app.accounts.models import User
from app.db import utcnow
from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.exchange import deal_workflow as workflow
from app.exchange import permissions as perms
from app.exchange.deal_queries import (
    OFFER_STAGES,
    initiative_of,
    offers,
    require_open,
    require_side,
    result_of,
)
from app.exchange.deal_schemas import (
    AbandonIn,
    AgreementFields,
    OfferIn,
    ResultIn,
)
from app.exchange.models import (
    Deal,
    DealAgreement,
    DealOffer,
    DealResult,
    DealStage,
    OfferStatus,
    Side,
)
from app.i18n import _
from app.initiatives import workflow as initiative_workflow
from app.outbox import service as outbox
from app.outbox import topics
from app.storage import StoredFile

S = DealStage
V = workflow.Via


# -- stages and offers -----------------------------------------------------------------
def advance(session: Session, user: User, deal: Deal) -> None:
    """From NDA signed to due diligence (either party)."""
    initiative = initiative_of(session, deal)
    workflow.transition(session, deal, initiative, S.due_diligence, actor=user)


def make_offer(session: Session, user: User, deal: Deal, data: OfferIn) -> DealOffer:
    """An offer, or a counter-offer when the other side's offer is open (which it then replaces)."""
    initiative = initiative_of(session, deal)
    side = require_side(user, deal, initiative)
    require_open(deal)
    if deal.stage not in OFFER_STAGES:
        raise InvalidTransition(
            _("Offers can be made once the deal is in due diligence."), current=deal.stage
        )
    previous = offers(session, deal)
    if any(o.status == OfferStatus.accepted for o in previous):
        raise Conflict(_("An offer was accepted already: the next step is the agreement."))
    open_offer = next((o for o in previous if o.status == OfferStatus.open), None)
    if open_offer is not None and open_offer.side == side:
        raise Conflict(_("Your side's offer is waiting for the other party's answer."))
    assert deal.id is not None and user.id is not None
    offer = DealOffer(
        deal_id=deal.id,
        version=(previous[-1].version + 1) if previous else 1,
        side=side,
        author_id=user.id,
        **data.model_dump(),
    )
    if open_offer is not None:
        open_offer.status = OfferStatus.countered
        open_offer.responded_by_id, open_offer.responded_at = user.id, utcnow()
        session.add(open_offer)
    session.add(offer)
    session.flush()
    detail = {
        "version": offer.version,
        "side": str(side),
        "kind": offer.kind,
        "counter_to": open_offer.version if open_offer else None,
    }
    if deal.stage == S.due_diligence:
        workflow.transition(
            session, deal, initiative, S.offer, actor=user, via=V.make_offer, detail=detail
        )
    elif deal.stage == S.offer and open_offer is not None:
        workflow.transition(
            session, deal, initiative, S.negotiation, actor=user, via=V.make_offer, detail=detail
        )
    else:
        workflow.record(session, deal, "offer_made", actor=user, detail=detail)
    outbox.enqueue(
        session, topics.DEAL_OFFER, {"offer_id": offer.id, "event": "made"}, key=f"deal:{deal.id}"
    )
    return offer


def answer_offer(
    session: Session, user: User, deal: Deal, offer_id: int, accept: bool
) -> DealOffer:
    """The other side accepts or declines an open offer (countering is `make_offer`)."""
    initiative = initiative_of(session, deal)
    side = require_side(user, deal, initiative)
    require_open(deal)
    offer = session.get(DealOffer, offer_id)
    if offer is None or offer.deal_id != deal.id:
        raise NotFound(_("No such offer."))
    if offer.status != OfferStatus.open:
        raise InvalidTransition(_("This offer was answered already."), current=offer.status)
    if offer.side == side:
        raise PermissionDenied(_("The other party answers an offer, not its author."))
    offer.status = OfferStatus.accepted if accept else OfferStatus.declined
    offer.responded_by_id, offer.responded_at = user.id, utcnow()
    session.add(offer)
    workflow.record(
        session,
        deal,
        "offer_accepted" if accept else "offer_declined",
        actor=user,
        detail={"version": offer.version},
    )
    outbox.enqueue(
        session,
        topics.DEAL_OFFER,
        {"offer_id": offer.id, "event": "accepted" if accept else "declined"},
        key=f"deal:{deal.id}",
    )
    return offer


def abandon(session: Session, user: User, deal: Deal, data: AbandonIn) -> None:
    initiative = initiative_of(session, deal)
    if data.reason == "other" and not data.note:
        raise ValidationFailed(
            _("Please say what the other reason is."),
            errors={"note": _("Please say what the other reason is.")},
        )
    workflow.transition(
        session,
        deal,
        initiative,
        S.abandoned,
        actor=user,
        reason=data.reason,
        detail={"note": data.note},
    )
    deal.abandon_reason, deal.abandon_note = data.reason, data.note
    session.add(deal)


# -- agreement and result ------------------------------------------------------------


def sign_agreement(
    session: Session, user: User, deal: Deal, data: AgreementFields, document: StoredFile
) -> DealAgreement:
    """Record the signed agreement on the accepted offer; the first one commercialises the initiative.

    The caller deletes the stored document if this raises (nothing half-saved).
    """
    initiative = initiative_of(session, deal)
    accepted = next((o for o in offers(session, deal) if o.status == OfferStatus.accepted), None)
    rule = workflow.check(
        session, deal, initiative, S.agreement_signed, actor=user, via=V.sign_agreement
    )
    if accepted is None:
        raise InvalidTransition(
            _("The agreement follows an accepted offer: no offer has been accepted yet."),
            current=deal.stage,
        )
    assert deal.id is not None and accepted.id is not None and user.id is not None
    agreement = DealAgreement(
        deal_id=deal.id,
        offer_id=accepted.id,
        signed_on=data.signed_on,
        kind=accepted.kind,
        value_vnd=data.value_vnd,
        value_band=data.value_band,
        storage_key=document.key,
        filename=document.filename,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        recorded_by_id=user.id,
    )
    session.add(agreement)
    workflow.transition(
        session,
        deal,
        initiative,
        rule.target,
        actor=user,
        via=V.sign_agreement,
        detail={
            "offer_version": accepted.version,
            "kind": accepted.kind,
            "signed_on": data.signed_on.isoformat(),
            "document": document.filename,
            "document_sha256": document.sha256,
            "document_size": document.size,
        },
    )
    # The first signed agreement moves the initiative on, through its own state machine, once:
    # a later agreement finds it commercialising already. The reason is stored as text (it is
    # part of the initiative's hash chain), written like the other system reasons (a review
    # round's): translated once, in the language of the signing submitter's request.
    if initiative.status == initiative_workflow.Status.published:
        initiative_workflow.transition(
            session,
            initiative,
            initiative_workflow.Status.commercialising,
            actor=user,
            reason=_("Agreement signed in deal #%(number)s", number=deal.id),
        )
    return agreement


def report_result(session: Session, user: User, deal: Deal, data: ResultIn) -> DealResult:
    """The authors report where the technology was applied and its measured effect."""
    initiative = initiative_of(session, deal)
    if perms.side_of(user, deal, initiative) != Side.initiative:
        raise PermissionDenied(_("The authors report the result; the counterparty confirms it."))
    if deal.stage != S.agreement_signed:
        raise InvalidTransition(
            _("A result is reported after the agreement is signed."), current=deal.stage
        )
    result = result_of(session, deal)
    assert deal.id is not None and user.id is not None
    if result is None:
        result = DealResult(deal_id=deal.id, reported_by_id=user.id, **data.model_dump())
    else:
        for name, value in data.model_dump().items():
            setattr(result, name, value)
        result.reported_by_id, result.reported_at = user.id, utcnow()
    session.add(result)
    workflow.record(session, deal, "result_reported", actor=user, detail=data.model_dump())
    return result


def confirm_result(session: Session, user: User, deal: Deal) -> DealResult:
    """The counterparty confirms the reported result: the deal is deployed."""
    initiative = initiative_of(session, deal)
    workflow.check(session, deal, initiative, S.deployed, actor=user, via=V.confirm_result)
    result = result_of(session, deal)
    if result is None:
        raise InvalidTransition(
            _("The authors have not reported a result yet."), current=deal.stage
        )
    result.confirmed_by_id, result.confirmed_at = user.id, utcnow()
    session.add(result)
    workflow.transition(
        session,
        deal,
        initiative,
        S.deployed,
        actor=user,
        via=V.confirm_result,
        detail={
            "place": result.place,
            "indicator": result.indicator,
            "before": result.before,
            "after": result.after,
        },
    )
    return result
