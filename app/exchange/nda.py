"""Non-disclosure agreements: the versioned templates and the recorded acceptance of one.

Accepting is an electronic act recorded with the exact text's hash and template version, in
the deal's hash-chained history; with both sides it moves the deal to `nda_signed`.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import utcnow
from app.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from app.exchange import deal_workflow as workflow
from app.exchange import permissions as perms
from app.exchange.deal_queries import (
    acceptances,
    initiative_of,
    nda_setting,
    organisation_name,
    require_side,
    text_hash,
)
from app.exchange.deal_schemas import (
    NdaAcceptIn,
    NdaTemplateIn,
)
from app.exchange.models import (
    Deal,
    DealStage,
    ExchangeSetting,
    NdaAcceptance,
    NdaTemplate,
    Side,
)
from app.i18n import _
from app.initiatives.models import AccessGrant, Initiative

S = DealStage


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
    side = require_side(user, deal, initiative)
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
        organisation_name(session, deal.organisation_id)
        if side == Side.counterparty
        else organisation_name(session, initiative.organisation_id or user.organisation_id)
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
            via=workflow.Via.accept_nda,
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
