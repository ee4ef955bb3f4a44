"""What people see of deals: one deal as its parties see it, the pipeline board, and the
public aggregate figures.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlmodel import Session, select

from app.accounts.models import User
from app.exchange import deal_history as history
from app.exchange import deal_workflow as workflow
from app.exchange import permissions as perms
from app.exchange.deal_queries import (
    OFFER_STAGES,
    acceptances,
    agreement_of,
    deals_of,
    facilitators_of,
    initiative_of,
    is_facilitator,
    offers,
    organisation_name,
    result_of,
    sees_confidential,
)
from app.exchange.models import (
    Deal,
    DealAgreement,
    DealStage,
    OfferStatus,
    Side,
)
from app.initiatives.models import Field, Initiative
from app.problems.models import Problem, Proposal

S = DealStage


def _proposal_link(session: Session, deal: Deal) -> dict[str, Any] | None:
    """The problem and awarded proposal a deal carries out (the link back to the problem)."""
    if deal.proposal_id is None:
        return None
    proposal = session.get_one(Proposal, deal.proposal_id)
    problem = session.get_one(Problem, proposal.problem_id)
    return {"id": proposal.id, "problem_id": problem.id, "problem_title": problem.title}


# -- what a party sees -----------------------------------------------------------------
def describe(session: Session, user: User | None, deal: Deal) -> dict[str, Any]:
    """A deal as `user` sees it (the API's DealOut; pages use it too).

    Callers have checked `deal_queries.can_see`. Offer values, the agreement's value and
    document, the NDA copies and the acceptances' network addresses are confidential to the
    parties and coordinators (`sees_confidential`): an active facilitator gets None for them
    and history entries without their detail.
    """
    initiative = initiative_of(session, deal)
    side = perms.side_of(user, deal, initiative)
    full = sees_confidential(session, user, deal)

    def secret(value: Any) -> Any:
        return value if full else None

    users: dict[int, str] = {}

    def name(user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in users:
            found = session.get(User, user_id)
            users[user_id] = found.full_name if found else ""
        return users[user_id]

    agreement = agreement_of(session, deal)
    result = result_of(session, deal)
    all_offers = offers(session, deal)
    open_offer = next((o for o in all_offers if o.status == OfferStatus.open), None)
    accepted = any(o.status == OfferStatus.accepted for o in all_offers)
    signed = acceptances(session, deal)
    open_stage = deal.stage in workflow.OPEN_STAGES
    return {
        "id": deal.id,
        "initiative": {"id": initiative.id, "title": initiative.title},
        "organisation": {
            "id": deal.organisation_id,
            "name": organisation_name(session, deal.organisation_id),
        },
        "kind": deal.kind,
        "amount_band": deal.amount_band,
        "instrument": deal.instrument,
        "stage": deal.stage,
        "stage_entered_at": deal.stage_entered_at,
        "abandon_reason": deal.abandon_reason,
        "abandon_note": deal.abandon_note,
        "contact_request_id": deal.contact_request_id,
        "proposal": _proposal_link(session, deal),
        "created_at": deal.created_at,
        "my_side": str(side) if side else None,
        "facilitating": side is None and is_facilitator(session, user, deal),
        "offers": [
            {
                "id": o.id,
                "version": o.version,
                "side": o.side,
                "author": name(o.author_id),
                "kind": o.kind,
                "scope": o.scope,
                "territory": o.territory,
                "duration_months": o.duration_months,
                "value_vnd": secret(o.value_vnd),
                "milestones": o.milestones,
                "status": o.status,
                "created_at": o.created_at,
                "responded_at": o.responded_at,
                "can_answer": bool(
                    side and open_stage and o.status == OfferStatus.open and o.side != side
                ),
            }
            for o in all_offers
        ],
        "nda": [
            {
                "id": a.id,
                "side": a.side,
                "full_name": a.full_name,
                "organisation": a.organisation_name,
                "accepted_at": a.accepted_at,
                "address": secret(a.address),
                "template_version": a.template_version,
                "language": a.language,
                "text_sha256": a.text_sha256,
            }
            for a in signed
        ],
        "agreement": (
            {
                "signed_on": agreement.signed_on,
                "kind": agreement.kind,
                "value_vnd": secret(agreement.value_vnd),
                "value_band": agreement.value_band,
                "document": secret(
                    {
                        "filename": agreement.filename,
                        "size": agreement.size,
                        "sha256": agreement.sha256,
                        "content_type": agreement.content_type,
                    }
                ),
            }
            if agreement
            else None
        ),
        "result": (
            {
                "place": result.place,
                "indicator": result.indicator,
                "before": result.before,
                "after": result.after,
                "reported_at": result.reported_at,
                "confirmed_at": result.confirmed_at,
            }
            if result
            else None
        ),
        "history": [
            {
                "seq": e.seq,
                "action": e.action,
                "from": e.from_stage,
                "to": e.to_stage,
                "actor": name(e.actor_id),
                "detail": e.detail if full else "{}",
                "created_at": e.created_at,
                "hash": e.hash,
            }
            for e in history.events(session, deal.id or 0)
        ],
        "confidential": full,
        "facilitators": [
            {
                "id": f.id,
                "organisation": organisation_name(session, f.organisation_id),
                "profile_id": f.profile_id,
                "status": f.status,
                "requested_at": f.requested_at,
                "initiative_consent_at": f.initiative_consent_at,
                "counterparty_consent_at": f.counterparty_consent_at,
                "removed_at": f.removed_at,
                "can_consent": perms.can_consent_to_facilitator(user, deal, initiative, f),
                "can_remove": perms.can_remove_facilitator(user, deal, initiative, f),
            }
            for f in facilitators_of(session, deal)
        ],
        "chain_intact": history.verify_chain(session, deal.id or 0)[0],
        "can": {
            "accept_nda": bool(
                side and deal.stage == S.contact and all(a.side != side for a in signed)
            ),
            "advance": bool(side and deal.stage == S.nda_signed),
            "offer": bool(
                side
                and deal.stage in OFFER_STAGES
                and not accepted
                and not (open_offer and open_offer.side == side)
            ),
            "sign": bool(
                accepted and open_stage and perms.can_record_agreement(user, deal, initiative)
            ),
            "report": bool(side == Side.initiative and deal.stage == S.agreement_signed),
            "confirm": bool(
                side == Side.counterparty and deal.stage == S.agreement_signed and result
            ),
            "abandon": bool(side and open_stage),
            "invite": bool(side and deal.stage != S.abandoned),
        },
    }


STAGE_ORDER = [
    S.contact,
    S.nda_signed,
    S.due_diligence,
    S.offer,
    S.negotiation,
    S.agreement_signed,
    S.deployed,
    S.abandoned,
]


def board(session: Session, user: User) -> list[dict[str, Any]]:
    """The user's deals in columns by stage (the pipeline board)."""
    mine = deals_of(session, user)
    columns = []
    for stage in STAGE_ORDER:
        deals = [d for d in mine if d.stage == stage]
        columns.append(
            {
                "stage": str(stage),
                "label": workflow.stage_label(stage),
                "deals": [
                    {
                        "id": d.id,
                        "kind": d.kind,
                        "initiative": initiative_of(session, d).title,
                        "organisation": organisation_name(session, d.organisation_id),
                        "my_side": perms.side_of(user, d, initiative_of(session, d)),
                    }
                    for d in deals
                ],
            }
        )
    return columns


def home_items(session: Session, user: User, limit: int = 5) -> list[dict[str, Any]]:
    """The newest deals `user` takes part in, for the home page's contact requests block: the
    deals opened from their own requests and those a colleague or an intermediary opened in the
    name of an organisation they act for (`deals_of`, so exactly the deals they may see)."""
    items = []
    for d in deals_of(session, user, involved_only=True)[:limit]:
        opener = session.get(User, d.created_by_id) if d.created_by_id != user.id else None
        items.append(
            {
                "id": d.id,
                "initiative": initiative_of(session, d).title,
                "stage": workflow.stage_label(d.stage),
                "opened_by": opener.full_name if opener else None,
            }
        )
    return items


# -- public figures ----------------------------------------------------------------
def statistics(session: Session) -> dict[str, Any]:
    """Aggregate figures for the public statistics page.

    Counts only: never a party's name, never an offer's or agreement's value — an
    agreement contributes only the value band its parties chose to publish.
    """
    deals = list(session.exec(select(Deal)))
    agreements = list(session.exec(select(DealAgreement)))
    by_deal = {d.id: d for d in deals}
    by_field: Counter[str] = Counter()
    by_province: Counter[str] = Counter()
    for agreement in agreements:
        deal = by_deal.get(agreement.deal_id)
        initiative = session.get(Initiative, deal.initiative_id) if deal else None
        if initiative is None:
            continue
        field = session.get(Field, initiative.field_id) if initiative.field_id else None
        by_field[field.code if field else "unknown"] += 1
        by_province[initiative.province or "unknown"] += 1
    return {
        "deals_by_stage": {str(s): sum(1 for d in deals if d.stage == s) for s in STAGE_ORDER},
        "agreements_by_kind": dict(sorted(Counter(a.kind for a in agreements).items())),
        "agreements_by_field": dict(sorted(by_field.items())),
        "agreements_by_province": dict(sorted(by_province.items())),
        "agreements_by_value_band": dict(
            sorted(Counter(a.value_band or "undisclosed" for a in agreements).items())
        ),
    }
