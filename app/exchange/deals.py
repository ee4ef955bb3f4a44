"""Deal verbs: open a deal, accept the NDA, offer and counter, sign, report, confirm, abandon.

Each verb takes `session` first, checks the deal state machine
(`deal_workflow`) and the side the actor is on (`permissions.side_of`, which
uses `acts_for` for the counterparty), changes rows and appends to the
hash-chained history in the caller's transaction; it never commits.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from app.accounts import permissions as accounts
from app.accounts.models import Organisation, User
from app.db import utcnow
from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.exchange import deal_history as history
from app.exchange import deal_workflow as workflow
from app.exchange import permissions as perms
from app.exchange.deal_schemas import (
    AbandonIn,
    AgreementFields,
    DealIn,
    NdaAcceptIn,
    NdaTemplateIn,
    OfferIn,
    ResultIn,
)
from app.exchange.models import (
    ContactRequest,
    Deal,
    DealAgreement,
    DealKind,
    DealOffer,
    DealResult,
    DealStage,
    ExchangeSetting,
    NdaAcceptance,
    NdaTemplate,
    OfferStatus,
    RequestStatus,
    Side,
)
from app.i18n import _
from app.initiatives import workflow as initiative_workflow
from app.initiatives.models import AccessGrant, CoAuthor, Field, Initiative
from app.initiatives.visibility import is_public
from app.storage import StoredFile

S = DealStage
OFFER_STAGES = frozenset({S.due_diligence, S.offer, S.negotiation})


# -- labels ----------------------------------------------------------------------
def offer_kind_label(kind: str) -> str:
    return {
        "licence": _("Licence"),
        "assignment": _("Assignment of rights"),
        "joint_development": _("Joint development"),
        "investment": _("Investment"),
        "service_contract": _("Service contract"),
        "pilot": _("Pilot"),
    }.get(kind, kind)


def value_band_label(band: str | None) -> str:
    return {
        "under_100m": _("Under 100 million VND"),
        "100m_1b": _("100 million to 1 billion VND"),
        "1b_10b": _("1 to 10 billion VND"),
        "over_10b": _("Over 10 billion VND"),
    }.get(band or "", band or "")


def instrument_label(instrument: str | None) -> str:
    return {
        "equity": _("Equity"),
        "convertible": _("Convertible note"),
        "loan": _("Loan"),
        "grant": _("Grant"),
    }.get(instrument or "", instrument or "")


def side_label(side: str) -> str:
    labels: dict[str, str] = {Side.initiative: _("Authors"), Side.counterparty: _("Counterparty")}
    return labels.get(side, side)


def offer_status_label(status: str) -> str:
    labels: dict[str, str] = {
        OfferStatus.open: _("Waiting for an answer"),
        OfferStatus.accepted: _("Accepted"),
        OfferStatus.countered: _("Countered"),
        OfferStatus.declined: _("Declined"),
    }
    return labels.get(status, status)


def options(kind: str) -> list[tuple[str, str]]:
    """(value, label) pairs for a form's select."""
    if kind == "offer_kind":
        names = [
            "licence",
            "assignment",
            "joint_development",
            "investment",
            "service_contract",
            "pilot",
        ]
        return [(n, offer_kind_label(n)) for n in names]
    if kind == "value_band":
        return [(n, value_band_label(n)) for n in ["under_100m", "100m_1b", "1b_10b", "over_10b"]]
    if kind == "instrument":
        return [(n, instrument_label(n)) for n in ["equity", "convertible", "loan", "grant"]]
    if kind == "reason":
        names = ["price", "terms", "technology_not_ready", "changed_priorities", "other"]
        return [(n, workflow.reason_label(n)) for n in names]
    raise ValueError(kind)


# -- loading -----------------------------------------------------------------------
def initiative_of(session: Session, deal: Deal) -> Initiative:
    initiative = session.get(Initiative, deal.initiative_id)
    assert initiative is not None
    return initiative


def get_visible(session: Session, user: User | None, deal_id: int) -> Deal:
    """The deal, for its parties and coordinators; a 404 for everyone else."""
    deal = session.get(Deal, deal_id)
    if deal is None or not perms.can_see_deal(user, deal, initiative_of(session, deal)):
        raise NotFound(_("No such deal."))
    return deal


def deals_of(session: Session, user: User) -> list[Deal]:
    """The deals `user` is a party to (every deal for coordinators), newest first."""
    query = select(Deal).order_by(col(Deal.id).desc())
    if not accounts.is_coordinator(user):
        coauthored = select(CoAuthor.initiative_id).where(CoAuthor.user_id == user.id)
        authored = select(Initiative.id).where(
            or_(Initiative.submitter_id == user.id, col(Initiative.id).in_(coauthored))
        )
        query = query.where(
            or_(
                col(Deal.initiative_id).in_(authored),
                Deal.organisation_id == user.organisation_id,
            )
        )
    return [
        d for d in session.exec(query) if perms.can_see_deal(user, d, initiative_of(session, d))
    ]


def _organisation_name(session: Session, organisation_id: int | None) -> str:
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    return organisation.name if organisation else ""


def _require_side(user: User, deal: Deal, initiative: Initiative) -> Side:
    side = perms.side_of(user, deal, initiative)
    if side is None:
        raise PermissionDenied(_("Only the parties of the deal can do this."))
    return side


def _require_open(deal: Deal) -> None:
    if deal.stage not in workflow.OPEN_STAGES:
        raise InvalidTransition(
            _(
                "This deal is closed (“%(stage)s”): nothing more can be changed.",
                stage=workflow.stage_label(deal.stage),
            ),
            current=deal.stage,
        )


# -- opening -----------------------------------------------------------------------
def _open(
    session: Session,
    user: User,
    initiative: Initiative,
    organisation_id: int,
    data: DealIn,
    request: ContactRequest | None = None,
) -> Deal:
    existing = session.exec(
        select(Deal).where(
            Deal.initiative_id == initiative.id,
            Deal.organisation_id == organisation_id,
            col(Deal.stage).in_(list(workflow.OPEN_STAGES)),
        )
    ).first()
    if existing is not None:
        raise Conflict(
            _("An open deal between this organisation and this initiative exists already."),
            deal_id=existing.id,
        )
    assert initiative.id is not None and user.id is not None
    funding = data.kind == DealKind.funding
    deal = Deal(
        initiative_id=initiative.id,
        organisation_id=organisation_id,
        contact_request_id=request.id if request else None,
        created_by_id=user.id,
        kind=data.kind,
        amount_band=data.amount_band if funding else None,
        instrument=data.instrument if funding else None,
    )
    session.add(deal)
    session.flush()
    assert deal.id is not None
    history.append(
        session,
        deal_id=deal.id,
        actor_id=user.id,
        action="opened",
        from_stage=None,
        to_stage=S.contact,
        detail={
            "initiative_id": initiative.id,
            "organisation_id": organisation_id,
            "contact_request_id": deal.contact_request_id,
            "kind": deal.kind,
        },
        at=deal.created_at,
    )
    from app.outbox.service import enqueue

    enqueue(
        session,
        workflow.TOPIC_TRANSITIONED,
        {"deal_id": deal.id, "from": None, "to": S.contact, "actor_id": user.id},
        key=f"deal:{deal.id}",
    )
    return deal


def open_directly(session: Session, user: User, initiative: Initiative, data: DealIn) -> Deal:
    """Someone acting for an organisation opens a deal on a public initiative."""
    if not is_public(initiative):
        raise NotFound(_("No published initiative has this number."))
    if not perms.can_open_deal_directly(user, initiative):
        raise PermissionDenied(
            _("Only someone acting for an organisation can open a deal on another's initiative.")
        )
    assert user.organisation_id is not None
    return _open(session, user, initiative, user.organisation_id, data)


def open_from_request(session: Session, user: User, request: ContactRequest) -> Deal:
    """Either side of an accepted contact request turns it into a deal with the requester's organisation."""
    initiative = session.get(Initiative, request.initiative_id)
    assert initiative is not None
    if request.status != RequestStatus.accepted:
        raise InvalidTransition(
            _("Only an accepted contact request can become a deal."), current=request.status
        )
    if request.organisation_id is None:
        raise ValidationFailed(
            _("The requester named no organisation: a deal needs a counterparty organisation.")
        )
    is_requester = request.requester_id == user.id and accounts.acts_for(
        user, request.organisation_id
    )
    from app.initiatives import permissions as initiative_perms

    if not (is_requester or initiative_perms.is_author(user, initiative)):
        raise PermissionDenied(_("Only the parties of the deal can do this."))
    kind = DealKind.funding if request.purpose == "invest" else DealKind.transfer
    return _open(session, user, initiative, request.organisation_id, DealIn(kind=kind), request)


# -- NDA ---------------------------------------------------------------------------
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


def add_template(session: Session, user: User, data: NdaTemplateIn) -> NdaTemplate:
    """A new version of the standard NDA in one language (old versions stay, as accepted)."""
    if not perms.can_manage_templates(user):
        raise PermissionDenied(_("Only coordinators maintain the NDA templates."))
    last = session.exec(
        select(NdaTemplate)
        .where(NdaTemplate.language == data.language)
        .order_by(col(NdaTemplate.version).desc())
    ).first()
    template = NdaTemplate(
        language=data.language,
        version=(last.version + 1) if last else 1,
        title=data.title,
        body=data.body,
        sha256=text_hash(data.body),
        created_by_id=user.id,
    )
    session.add(template)
    session.flush()
    return template


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


def set_nda_setting(session: Session, user: User, initiative: Initiative, value: bool) -> None:
    if not perms.can_change_nda_setting(user, initiative):
        raise PermissionDenied(_("Only the submitter can change this setting."))
    setting = session.get(ExchangeSetting, initiative.id)
    if setting is None:
        assert initiative.id is not None
        setting = ExchangeSetting(initiative_id=initiative.id)
    setting.open_confidential_after_nda, setting.updated_by_id = value, user.id
    setting.updated_at = utcnow()
    session.add(setting)


def accept_nda(
    session: Session, user: User, deal: Deal, data: NdaAcceptIn, *, address: str
) -> NdaAcceptance:
    """Record one side's acceptance of the exact NDA text; with both sides the NDA is signed.

    If the submitter chose so for the initiative, the confidential sections open
    to the counterparty's signatory at that moment (an ordinary AccessGrant in
    the submitter's name); otherwise access stays a separate grant.
    """
    initiative = initiative_of(session, deal)
    side = _require_side(user, deal, initiative)
    if deal.stage != S.contact:
        raise InvalidTransition(
            _("The NDA can only be accepted at the first-contact stage."), current=deal.stage
        )
    template = session.get(NdaTemplate, data.template_id)
    if template is None:
        raise ValidationFailed(
            _("This NDA template does not exist."),
            errors={"template_id": _("This NDA template does not exist.")},
        )
    if template.sha256 != data.text_sha256 or text_hash(template.body) != data.text_sha256:
        raise Conflict(
            _("The NDA text changed since you read it. Please read it again and accept.")
        )
    if any(a.side == side for a in acceptances(session, deal)):
        raise Conflict(_("Your side has already accepted the NDA for this deal."))
    organisation = (
        _organisation_name(session, deal.organisation_id)
        if side == Side.counterparty
        else _organisation_name(session, initiative.organisation_id or user.organisation_id)
    )
    assert deal.id is not None and template.id is not None and user.id is not None
    acceptance = NdaAcceptance(
        deal_id=deal.id,
        template_id=template.id,
        template_version=template.version,
        language=template.language,
        text_sha256=template.sha256,
        side=side,
        user_id=user.id,
        full_name=user.full_name,
        organisation_name=organisation,
        address=address[:64],
    )
    session.add(acceptance)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(_("Your side has already accepted the NDA for this deal.")) from exc
    detail = {
        "side": str(side),
        "template_id": template.id,
        "template_version": template.version,
        "language": template.language,
        "text_sha256": template.sha256,
        "full_name": acceptance.full_name,
        "organisation": organisation,
        "address": acceptance.address,
        "accepted_at": acceptance.accepted_at.isoformat(),
    }
    workflow.record(session, deal, "nda_accepted", actor=user, detail=detail)
    signed = acceptances(session, deal)
    if {a.side for a in signed} == {Side.initiative, Side.counterparty}:
        workflow.transition(
            session,
            deal,
            initiative,
            S.nda_signed,
            actor=user,
            detail={"nda": [a.text_sha256 for a in signed]},
        )
        if nda_setting(session, initiative):
            _open_confidential(session, deal, initiative, signed)
    return acceptance


def _open_confidential(
    session: Session, deal: Deal, initiative: Initiative, signed: list[NdaAcceptance]
) -> None:
    for acceptance in signed:
        if acceptance.side != Side.counterparty:
            continue
        active = session.exec(
            select(AccessGrant).where(
                AccessGrant.initiative_id == initiative.id,
                AccessGrant.user_id == acceptance.user_id,
                col(AccessGrant.revoked_at).is_(None),
            )
        ).first()
        if active is None:
            assert initiative.id is not None
            session.add(
                AccessGrant(
                    initiative_id=initiative.id,
                    user_id=acceptance.user_id,
                    granted_by_id=initiative.submitter_id,
                )
            )
            workflow.record(
                session,
                deal,
                "confidential_opened",
                actor=None,
                detail={"user_id": acceptance.user_id, "by_setting_of": initiative.submitter_id},
            )


def can_download_nda(user: User | None, deal: Deal, initiative: Initiative) -> bool:
    """Both parties (and coordinators) may download every acceptance's copy."""
    return perms.can_see_deal(user, deal, initiative)


# -- stages and offers -----------------------------------------------------------------
def advance(session: Session, user: User, deal: Deal) -> None:
    """From NDA signed to due diligence (either party)."""
    initiative = initiative_of(session, deal)
    workflow.transition(session, deal, initiative, S.due_diligence, actor=user)


def offers(session: Session, deal: Deal) -> list[DealOffer]:
    return list(
        session.exec(
            select(DealOffer).where(DealOffer.deal_id == deal.id).order_by(col(DealOffer.version))
        )
    )


def make_offer(session: Session, user: User, deal: Deal, data: OfferIn) -> DealOffer:
    """An offer, or a counter-offer when the other side's offer is open (which it then replaces)."""
    initiative = initiative_of(session, deal)
    side = _require_side(user, deal, initiative)
    _require_open(deal)
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
        workflow.transition(session, deal, initiative, S.offer, actor=user, detail=detail)
    elif deal.stage == S.offer and open_offer is not None:
        workflow.transition(session, deal, initiative, S.negotiation, actor=user, detail=detail)
    else:
        workflow.record(session, deal, "offer_made", actor=user, detail=detail)
    return offer


def answer_offer(
    session: Session, user: User, deal: Deal, offer_id: int, accept: bool
) -> DealOffer:
    """The other side accepts or declines an open offer (countering is `make_offer`)."""
    initiative = initiative_of(session, deal)
    side = _require_side(user, deal, initiative)
    _require_open(deal)
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
def agreement_of(session: Session, deal: Deal) -> DealAgreement | None:
    return session.exec(select(DealAgreement).where(DealAgreement.deal_id == deal.id)).first()


def sign_agreement(
    session: Session, user: User, deal: Deal, data: AgreementFields, document: StoredFile
) -> DealAgreement:
    """Record the signed agreement on the accepted offer; the first one commercialises the initiative.

    The caller deletes the stored document if this raises (nothing half-saved).
    """
    initiative = initiative_of(session, deal)
    accepted = next((o for o in offers(session, deal) if o.status == OfferStatus.accepted), None)
    rule = workflow.check(session, deal, initiative, S.agreement_signed, actor=user)
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
    # a later agreement finds it commercialising already.
    if initiative.status == initiative_workflow.Status.published:
        initiative_workflow.transition(
            session,
            initiative,
            initiative_workflow.Status.commercialising,
            actor=user,
            reason=f"deal #{deal.id}: agreement signed",
        )
    return agreement


def result_of(session: Session, deal: Deal) -> DealResult | None:
    return session.exec(select(DealResult).where(DealResult.deal_id == deal.id)).first()


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
    workflow.check(session, deal, initiative, S.deployed, actor=user)
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
        detail={
            "place": result.place,
            "indicator": result.indicator,
            "before": result.before,
            "after": result.after,
        },
    )
    return result


# -- what a party sees -----------------------------------------------------------------
def describe(session: Session, user: User | None, deal: Deal) -> dict[str, Any]:
    """A deal as a party or coordinator sees it (the API's DealOut; pages use it too).

    Callers have checked `can_see_deal`: offer values, the agreement's value and
    document are confidential to exactly those people.
    """
    initiative = initiative_of(session, deal)
    side = perms.side_of(user, deal, initiative)
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
            "name": _organisation_name(session, deal.organisation_id),
        },
        "kind": deal.kind,
        "amount_band": deal.amount_band,
        "instrument": deal.instrument,
        "stage": deal.stage,
        "stage_entered_at": deal.stage_entered_at,
        "abandon_reason": deal.abandon_reason,
        "abandon_note": deal.abandon_note,
        "contact_request_id": deal.contact_request_id,
        "created_at": deal.created_at,
        "my_side": str(side) if side else None,
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
                "value_vnd": o.value_vnd,
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
                "address": a.address,
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
                "value_vnd": agreement.value_vnd,
                "value_band": agreement.value_band,
                "document": {
                    "filename": agreement.filename,
                    "size": agreement.size,
                    "sha256": agreement.sha256,
                    "content_type": agreement.content_type,
                },
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
                "detail": e.detail,
                "created_at": e.created_at,
                "hash": e.hash,
            }
            for e in history.events(session, deal.id or 0)
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
                        "organisation": _organisation_name(session, d.organisation_id),
                        "my_side": perms.side_of(user, d, initiative_of(session, d)),
                    }
                    for d in deals
                ],
            }
        )
    return columns


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
