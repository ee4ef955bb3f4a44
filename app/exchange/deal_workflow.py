"""THE state machine of a deal: the transition table and the one function that applies it.

Shaped like `app/initiatives/workflow.py` (a table of `Transition`s, `check`, one
`transition()`), so both can move onto one shared helper. Every stage change
goes through `transition()`: it checks the table and the actor's predicate,
requires a structured reason for abandoning, sets the stage, appends the
hash-chained history entry and queues `deal.transitioned` in the caller's
transaction. Acts that do not change the stage (an offer, an NDA acceptance,
a result report) are appended with `record()`.

Most moves are made by a verb in `deals.py` that checks more than the table
(`via`): the NDA is signed when both sides have accepted it, the offer stage
starts with the first offer, negotiation with the first counter-offer, the
agreement needs an accepted offer and its document, deployment the
counterparty's confirmation of the result report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.accounts.models import User
from app.db import utcnow
from app.errors import InvalidTransition, PermissionDenied, ValidationFailed
from app.exchange import deal_history as history
from app.exchange import permissions as perms
from app.exchange.models import AbandonReason, Deal, DealEvent, DealStage
from app.i18n import _
from app.initiatives.models import Initiative
from app.outbox import service as outbox

TOPIC_TRANSITIONED = "deal.transitioned"  # {"deal_id","from","to","actor_id"}
TOPIC_RECORDED = "deal.recorded"  # {"deal_id","action","actor_id"}

S = DealStage
OPEN_STAGES = frozenset({S.contact, S.nda_signed, S.due_diligence, S.offer, S.negotiation})
CLOSED_STAGES = frozenset({S.agreement_signed, S.deployed, S.abandoned})

Predicate = Callable[[User | None, Deal, Initiative], bool]


@dataclass(frozen=True)
class Transition:
    source: DealStage
    target: DealStage
    allowed: Predicate  # who may make it
    who: str  # the predicate in words
    via: str  # the verb that makes it
    reason_required: bool = False


_PARTY = "either party"
TRANSITIONS: dict[tuple[DealStage, DealStage], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(S.contact, S.nda_signed, perms.is_party, _PARTY, "accept_nda"),
        Transition(S.nda_signed, S.due_diligence, perms.is_party, _PARTY, "advance"),
        Transition(S.due_diligence, S.offer, perms.is_party, _PARTY, "make_offer"),
        Transition(S.offer, S.negotiation, perms.is_party, _PARTY, "make_offer (counter)"),
        Transition(
            S.offer, S.agreement_signed, perms.can_record_agreement, "submitter", "sign_agreement"
        ),
        Transition(
            S.negotiation,
            S.agreement_signed,
            perms.can_record_agreement,
            "submitter",
            "sign_agreement",
        ),
        Transition(
            S.agreement_signed,
            S.deployed,
            perms.on_counterparty_side,
            "counterparty",
            "confirm_result",
        ),
        *[
            Transition(s, S.abandoned, perms.is_party, _PARTY, "abandon", reason_required=True)
            for s in sorted(OPEN_STAGES)
        ],
    ]
}


def stage_label(stage: str) -> str:
    labels: dict[str, str] = {
        S.contact: _("First contact"),
        S.nda_signed: _("NDA signed"),
        S.due_diligence: _("Due diligence"),
        S.offer: _("Offer"),
        S.negotiation: _("Negotiation"),
        S.agreement_signed: _("Agreement signed"),
        S.deployed: _("Deployed"),
        S.abandoned: _("Abandoned"),
    }
    return labels.get(stage, stage)


def reason_label(reason: str) -> str:
    labels: dict[str, str] = {
        AbandonReason.price: _("Price"),
        AbandonReason.terms: _("Terms"),
        AbandonReason.technology_not_ready: _("Technology not ready"),
        AbandonReason.changed_priorities: _("Changed priorities"),
        AbandonReason.other: _("Other reason"),
    }
    return labels.get(reason, reason)


def allowed_from(stage: str) -> list[DealStage]:
    return [t.target for t in TRANSITIONS.values() if t.source == stage]


def available(user: User | None, deal: Deal, initiative: Initiative) -> list[Transition]:
    return [
        t
        for t in TRANSITIONS.values()
        if t.source == deal.stage and t.allowed(user, deal, initiative)
    ]


def _locked_stage(session: Session, deal: Deal) -> str:
    """The stored stage, read with a row lock on PostgreSQL so two changes cannot interleave."""
    if deal.id is None:
        return deal.stage
    session.flush()
    return session.exec(select(Deal.stage).where(Deal.id == deal.id).with_for_update()).one()


def check(
    session: Session,
    deal: Deal,
    initiative: Initiative,
    to: DealStage | str,
    *,
    actor: User | None,
    reason: str | None = None,
) -> Transition:
    """The rule that lets `actor` move `deal` to `to`, or the error `transition` would raise."""
    try:
        target: DealStage | None = DealStage(to)
    except ValueError:
        target = None
    current = DealStage(_locked_stage(session, deal))
    deal.stage = current
    rule = TRANSITIONS.get((current, target)) if target else None
    if rule is None:
        allowed = allowed_from(current)
        raise InvalidTransition(
            _(
                "A deal in stage “%(current)s” cannot move to “%(target)s”. Allowed from here: %(allowed)s.",
                current=stage_label(current),
                target=stage_label(str(to)),
                allowed=", ".join(stage_label(s) for s in allowed) or _("nothing"),
            ),
            allowed=[str(s) for s in allowed],
            current=str(current),
        )
    if not rule.allowed(actor, deal, initiative):
        raise PermissionDenied(
            _("You may not move this deal to “%(target)s”.", target=stage_label(rule.target))
        )
    if rule.reason_required and reason not in set(AbandonReason):
        raise ValidationFailed(
            _("Please choose a reason."), errors={"reason": _("Please choose a reason.")}
        )
    return rule


def transition(
    session: Session,
    deal: Deal,
    initiative: Initiative,
    to: DealStage | str,
    *,
    actor: User | None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> DealEvent:
    """Move `deal` to `to` if the table allows it for `actor`; record and queue its effects."""
    rule = check(session, deal, initiative, to, actor=actor, reason=reason)
    now = utcnow()
    deal.stage, deal.stage_entered_at = rule.target, now
    session.add(deal)
    assert deal.id is not None
    event = history.append(
        session,
        deal_id=deal.id,
        actor_id=actor.id if actor else None,
        action="transition",
        from_stage=rule.source,
        to_stage=rule.target,
        detail={**(detail or {}), **({"reason": reason} if reason else {})},
        at=now,
    )
    outbox.enqueue(
        session,
        TOPIC_TRANSITIONED,
        {
            "deal_id": deal.id,
            "from": str(rule.source),
            "to": str(rule.target),
            "actor_id": actor.id if actor else None,
        },
        key=f"deal:{deal.id}",
    )
    return event


def record(
    session: Session,
    deal: Deal,
    action: str,
    *,
    actor: User | None,
    detail: dict[str, Any] | None = None,
) -> DealEvent:
    """Append an act that does not change the stage (an offer, an NDA acceptance, ...)."""
    stage = _locked_stage(session, deal)
    assert deal.id is not None
    event = history.append(
        session,
        deal_id=deal.id,
        actor_id=actor.id if actor else None,
        action=action,
        from_stage=stage,
        to_stage=stage,
        detail=detail,
    )
    outbox.enqueue(
        session,
        TOPIC_RECORDED,
        {"deal_id": deal.id, "action": action, "actor_id": actor.id if actor else None},
        key=f"deal:{deal.id}",
    )
    return event
