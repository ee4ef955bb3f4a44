"""THE state machine of a deal: the transition table and the one function that applies it.

Built on `app.statemachine` (the same machinery as initiatives and problems). Every stage
change goes through `transition()`: the shared `StateMachine.check` locks the deal's row,
checks the table and the actor's predicate, requires a reason for abandoning and the rule's
`requires` hook; then the stage is set, the hash-chained history (`deal_history.CHAIN`) gets
its entry and `deal.transitioned` is queued in the caller's transaction. Acts that do not
change the stage (an offer, an NDA acceptance, a result report) are appended with `record()`.

Most moves carry a `Requirement`: only one verb in `app.exchange.deal_verbs` may make them,
because that verb checks more than the table — the NDA is signed when both sides have
accepted it, the offer stage starts with the first offer, negotiation with the first
counter-offer, the agreement needs an accepted offer and its document, deployment the
counterparty's confirmation of the result report. The verb passes its `Via` as evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Session, select

from app.accounts.models import User
from app.db import utcnow
from app.errors import InvalidTransition, ValidationFailed
from app.exchange import deal_history as history
from app.exchange import permissions as perms
from app.exchange.models import AbandonReason, Deal, DealEvent, DealStage
from app.i18n import _
from app.initiatives.models import Initiative
from app.outbox import service as outbox
from app.outbox import topics
from app.statemachine import Rule, StateMachine

S = DealStage
OPEN_STAGES = frozenset({S.contact, S.nda_signed, S.due_diligence, S.offer, S.negotiation})
CLOSED_STAGES = frozenset({S.agreement_signed, S.deployed, S.abandoned})


@dataclass
class DealCase:
    """A deal seen with its initiative: what the table's predicates decide on."""

    deal: Deal
    initiative: Initiative

    @property
    def id(self) -> int | None:
        return self.deal.id

    @property
    def status(self) -> str:
        return self.deal.stage

    @status.setter
    def status(self, value: str) -> None:
        self.deal.stage = value


class Via(StrEnum):
    """The verbs that alone may make some moves (see the module doc)."""

    accept_nda = "accept_nda"
    make_offer = "make_offer"
    sign_agreement = "sign_agreement"
    confirm_result = "confirm_result"


@dataclass(frozen=True)
class Requirement:
    """A move that only the verb `via` may make."""

    via: Via

    def check(self, evidence: Via | None) -> None:
        if evidence == self.via:
            return
        message = {
            Via.accept_nda: _("The NDA is signed when both parties have accepted it."),
            Via.make_offer: _("This stage starts with an offer or a counter-offer."),
            Via.sign_agreement: _(
                "The agreement is recorded with its signed document on the deal's page."
            ),
            Via.confirm_result: _("The counterparty confirms the reported result to deploy."),
        }[self.via]
        raise InvalidTransition(message, code=f"needs-{self.via}", requires=str(self.via))


Transition = Rule[DealCase]
Predicate = Callable[[User | None, Deal, Initiative], bool]


def _t(
    source: DealStage,
    target: DealStage,
    allowed: Predicate,
    who: str,
    *,
    via: Via | None = None,
    reason: bool = False,
) -> Transition:
    return Transition(
        source,
        target,
        lambda user, case: allowed(user, case.deal, case.initiative),
        who,
        reason,
        (topics.DEAL_TRANSITIONED,),
        Requirement(via) if via else None,
    )


_PARTY = "either party"
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in [
        _t(S.contact, S.nda_signed, perms.is_party, _PARTY, via=Via.accept_nda),
        _t(S.nda_signed, S.due_diligence, perms.is_party, _PARTY),
        _t(S.due_diligence, S.offer, perms.is_party, _PARTY, via=Via.make_offer),
        _t(S.offer, S.negotiation, perms.is_party, _PARTY, via=Via.make_offer),
        *[
            _t(
                s,
                S.agreement_signed,
                perms.can_record_agreement,
                "submitter",
                via=Via.sign_agreement,
            )
            for s in (S.offer, S.negotiation)
        ],
        _t(
            S.agreement_signed,
            S.deployed,
            perms.on_counterparty_side,
            "counterparty",
            via=Via.confirm_result,
        ),
        *[_t(s, S.abandoned, perms.is_party, _PARTY, reason=True) for s in sorted(OPEN_STAGES)],
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


def _locked_stage(session: Session, deal: Deal) -> str:
    """The stored stage, read with a row lock on PostgreSQL so two changes cannot interleave."""
    if deal.id is None:
        return deal.stage
    session.flush()
    return session.exec(select(Deal.stage).where(Deal.id == deal.id).with_for_update()).one()


MACHINE: StateMachine[DealCase] = StateMachine(
    DealCase,
    TRANSITIONS.values(),
    label=stage_label,
    invalid_message=lambda current, target, allowed: _(
        "A deal in stage “%(current)s” cannot move to “%(target)s”. Allowed from here: %(allowed)s.",
        current=current,
        target=target,
        allowed=allowed,
    ),
    forbidden_message=lambda target: _(
        "You may not move this deal to “%(target)s”.", target=target
    ),
    lock=lambda session, case: _locked_stage(session, case.deal),
)


def allowed_from(stage: str) -> list[str]:
    return MACHINE.allowed_from(stage)


def available(user: User | None, deal: Deal, initiative: Initiative) -> list[Transition]:
    return MACHINE.available(user, DealCase(deal, initiative))


def check(
    session: Session,
    deal: Deal,
    initiative: Initiative,
    to: DealStage | str,
    *,
    actor: User | None,
    reason: str | None = None,
    via: Via | None = None,
) -> Transition:
    """The rule that lets `actor` (through the verb `via`) move `deal` to `to`, or the error
    `transition` would raise: 409 / 403 / 422 as documented in `app.statemachine`."""
    rule = MACHINE.check(
        session,
        DealCase(deal, initiative),
        str(to),
        actor=actor,
        reason=reason,
        valid=lambda s: s in DealStage.__members__.values(),
        evidence=via,
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
    via: Via | None = None,
    detail: dict[str, Any] | None = None,
) -> DealEvent:
    """Move `deal` to `to` if the table allows it for `actor`; record and queue its effects."""
    rule = check(session, deal, initiative, to, actor=actor, reason=reason, via=via)
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
    payload = {
        "deal_id": deal.id,
        "from": str(rule.source),
        "to": str(rule.target),
        "actor_id": actor.id if actor else None,
    }
    for topic in rule.topics:
        outbox.enqueue(session, topic, payload, key=f"deal:{deal.id}")
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
    return history.append(
        session,
        deal_id=deal.id,
        actor_id=actor.id if actor else None,
        action=action,
        from_stage=stage,
        to_stage=stage,
        detail=detail,
    )
