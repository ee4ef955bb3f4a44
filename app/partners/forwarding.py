"""Initiatives forwarded from a partner system: one verb, idempotent, all or nothing.

`forward` reads the documented JSON (`schemas.ForwardIn`), links or creates the
submitter's account (a new one is mailed an invitation to claim it), creates the
initiative with its attachments and submits it through the initiatives' own
`submit` (receipt code, fingerprint, version, receipt mail, the state machine),
with the provenance (partner, source system, external id, source receipt time)
in the history entry. The same external id again (or the same `Idempotency-Key`)
returns the first initiative and creates nothing. On PostgreSQL concurrent
retries queue on a transaction-scoped advisory lock of (partner, external id),
and of the submitter's address, so the second sees the first one's result.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from pydantic import ValidationError
from sqlalchemy import text, update
from sqlmodel import Session, col, select

from app.accounts import links
from app.accounts import service as accounts_service
from app.accounts.models import Role, User
from app.accounts.permissions import can_submit
from app.config import get_settings
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import _
from app.initiatives import attachments
from app.initiatives import service as initiatives_service
from app.initiatives.models import Field, Initiative
from app.initiatives.schemas import DraftIn
from app.mail.service import queue_mail
from app.partners.models import ForwardedInitiative, PartnerClient
from app.partners.schemas import ForwardIn
from app.storage import StoredFile, get_storage
from app.system.provinces import PROVINCES
from app.web.forms import error_message


@dataclass
class Forwarded:
    record: ForwardedInitiative
    initiative: Initiative
    created: bool


def parse(raw: str | None) -> ForwardIn:
    """The `initiative` part as the documented schema, or 422 with an error per field."""
    if not raw:
        message = _("Send the initiative as JSON in the form field “initiative”.")
        raise ValidationFailed(message, errors={"initiative": message})
    try:
        data = json.loads(raw)
    except ValueError:
        message = _("The field “initiative” is not valid JSON.")
        raise ValidationFailed(message, errors={"initiative": message}) from None
    try:
        return ForwardIn.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]) or "initiative"
            if error["type"] == "extra_forbidden":
                errors.setdefault(name, _("This field is not part of the schema."))
            else:
                errors.setdefault(name, error_message(error))
        raise ValidationFailed(_("Some fields are missing or invalid."), errors=errors) from None


def _lock(session: Session, partner: PartnerClient, *parts: str) -> None:
    """Serialise concurrent forwards of the same thing until this transaction ends.

    PostgreSQL: a transaction-scoped advisory lock of `parts`. SQLite has one writer at
    a time; a first write (to the partner's row) makes this transaction that writer
    now, so what it reads next is already what the previous writer committed.
    """
    if session.get_bind().dialect.name == "postgresql":
        digest = hashlib.sha256("|".join(parts).encode()).digest()[:8]
        key = int.from_bytes(digest, "big", signed=True)
        session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=key))  # type: ignore[call-overload]
    elif not session.info.get("partners.write_lock"):
        session.exec(
            update(PartnerClient)
            .where(col(PartnerClient.id) == partner.id)
            .values(agency_code=PartnerClient.agency_code)
        )
        session.info["partners.write_lock"] = True


def _existing(
    session: Session, partner: PartnerClient, data: ForwardIn, idempotency_key: str | None
) -> ForwardedInitiative | None:
    found = session.exec(
        select(ForwardedInitiative).where(
            ForwardedInitiative.partner_id == partner.id,
            ForwardedInitiative.external_id == data.external_id,
        )
    ).first()
    if found is not None or not idempotency_key:
        return found
    same_key = session.exec(
        select(ForwardedInitiative).where(
            ForwardedInitiative.partner_id == partner.id,
            ForwardedInitiative.idempotency_key == idempotency_key,
        )
    ).first()
    if same_key is not None:
        raise Conflict(
            _("This Idempotency-Key was used for another external id."),
            code="idempotency-key-reused",
            errors={"external_id": _("Another external id was sent with this key.")},
        )
    return None


def _references(session: Session, data: ForwardIn) -> dict[str, Any]:
    sections = data.initiative
    errors: dict[str, str] = {}
    field = session.exec(select(Field).where(Field.code == sections.field_code)).first()
    if field is None or field.parent_id is not None or not field.is_active:
        errors["initiative.field_code"] = _(
            "Use the code of one of the fields (GET /api/v1/fields)."
        )
    subfield_id = None
    if sections.subfield_code:
        sub = session.exec(select(Field).where(Field.code == sections.subfield_code)).first()
        if sub is None or field is None or sub.parent_id != field.id or not sub.is_active:
            errors["initiative.subfield_code"] = _("Use the code of a sub-field of the field.")
        else:
            subfield_id = sub.id
    if sections.province not in PROVINCES:
        errors["initiative.province"] = _("Choose a province from the list.")
    if errors:
        raise ValidationFailed(_("Some fields are missing or invalid."), errors=errors)
    assert field is not None
    return {"field_id": field.id, "subfield_id": subfield_id}


def _submitter(session: Session, data: ForwardIn) -> tuple[User, bool]:
    """The account of the submitter's address, created (unverified, no password) if new."""
    email = accounts_service.normalise_email(data.submitter.email)
    user = accounts_service.get_by_email(session, email)
    if user is not None:
        if not user.is_active:
            message = _("The submitter's account is closed.")
            raise ValidationFailed(message, errors={"submitter.email": message})
        if not can_submit(user):
            accounts_service.grant_role(session, user, Role.submitter, by=None)
            session.refresh(user, ["grants"])
        return user, False
    user = accounts_service.create_user(
        session,
        email=email,
        full_name=data.submitter.full_name,
        password=None,
        roles=(Role.submitter,),
        province=data.initiative.province,
    )
    return user, True


def provenance_note(partner: PartnerClient, data: ForwardIn) -> str:
    return _(
        "Forwarded by %(partner)s (agency code %(code)s) from %(system)s; external id "
        "%(external_id)s; received there at %(received)s.",
        partner=partner.name,
        code=partner.agency_code,
        system=data.source_system or partner.name,
        external_id=data.external_id,
        received=data.source_received_at.isoformat(),
    )


def _invite(session: Session, user: User, partner: PartnerClient, initiative: Initiative) -> None:
    base = get_settings().base_url.rstrip("/")
    queue_mail(
        session,
        to=user.email,
        template="partners/mail/invitation",
        language=user.language,
        context={
            "name": user.full_name,
            "title": initiative.title,
            "partner": partner.name,
            "code": initiative.receipt_code,
            "link": base + "/account/password/reset?token=" + links.make_link_token(user, "reset"),
            "hours": accounts_service.RESET_HOURS,
            "forgot": base + "/account/password/forgot",
        },
        key=f"user:{user.id}",
    )


def forward(
    session: Session,
    partner: PartnerClient,
    data: ForwardIn,
    files: list[StoredFile],
    *,
    idempotency_key: str | None = None,
) -> Forwarded:
    """Create and submit the forwarded initiative, or return the one forwarded before."""
    try:
        return _forward(session, partner, data, files, idempotency_key)
    except BaseException:
        discard(files)
        raise


def discard(files: list[StoredFile]) -> None:
    storage = get_storage()
    for stored in files:
        storage.delete(stored.key)


def _forward(
    session: Session,
    partner: PartnerClient,
    data: ForwardIn,
    files: list[StoredFile],
    idempotency_key: str | None,
) -> Forwarded:
    _lock(session, partner, "forward", str(partner.id), data.external_id)
    existing = _existing(session, partner, data, idempotency_key)
    if existing is not None:
        discard(files)  # the first forward's files are the initiative's
        return Forwarded(existing, initiatives_service.get(session, existing.initiative_id), False)
    references = _references(session, data)
    _lock(session, partner, "user", accounts_service.normalise_email(data.submitter.email))
    user, created_user = _submitter(session, data)
    sections = data.initiative
    draft = DraftIn(
        title=sections.title,
        summary=sections.summary,
        problem=sections.problem,
        solution=sections.solution,
        novelty=sections.novelty,
        feasibility=sections.feasibility,
        impact=sections.impact,
        keywords=sections.keywords,
        trl=sections.trl,
        province=sections.province,
        **references,
    )
    try:
        initiative = initiatives_service.create_draft(session, user, draft)
        if files:
            attachments.add(session, user, initiative, files, confidential=True)
        initiatives_service.submit(
            session,
            user,
            initiative,
            confirm_similar=True,  # a person submitted it elsewhere; screening judges likeness
            note=provenance_note(partner, data),
            forwarded=True,
        )
    except ValidationFailed as exc:
        raise ValidationFailed(
            exc.message, errors={f"initiative.{k}": v for k, v in exc.errors.items()}
        ) from None
    record = ForwardedInitiative(
        partner_id=partner.id,
        external_id=data.external_id,
        source_system=data.source_system or partner.name,
        idempotency_key=idempotency_key,
        initiative_id=initiative.id,
        source_received_at=data.source_received_at.astimezone(UTC),
    )
    session.add(record)
    session.flush()
    if created_user:
        _invite(session, user, partner, initiative)
    return Forwarded(record, initiative, True)


def of_partner(session: Session, partner: PartnerClient, external_id: str) -> ForwardedInitiative:
    found = session.exec(
        select(ForwardedInitiative).where(
            ForwardedInitiative.partner_id == partner.id,
            ForwardedInitiative.external_id == external_id,
        )
    ).first()
    if found is None:
        raise NotFound(_("No initiative was forwarded with this external id."))
    return found


def provenance(session: Session, initiative_id: int) -> dict[str, Any] | None:
    """Where a forwarded initiative came from (shown with its receipt), or None."""
    record = session.exec(
        select(ForwardedInitiative).where(ForwardedInitiative.initiative_id == initiative_id)
    ).first()
    if record is None:
        return None
    partner = session.get_one(PartnerClient, record.partner_id)
    return {
        "partner": partner.name,
        "agency_code": partner.agency_code,
        "source_system": record.source_system,
        "external_id": record.external_id,
        "source_received_at": record.source_received_at,
    }
