"""Partner verbs: register a partner system, rotate and revoke its secret, check its tokens.

Secrets and tokens are random strings stored as SHA-256 digests (they carry 256
bits of entropy, so a plain digest is enough). A rotation keeps the previous
secret valid for `ROTATION_OVERLAP`, so the partner deploys the new one without
downtime; a revocation stops the client, its secrets and its tokens at once.
Tokens come from the OAuth2 client-credentials grant (`oauth.py`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.accounts import service as accounts_service
from app.accounts.models import OrganisationType, User
from app.db import utcnow
from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.partners.models import SCOPES, PartnerClient, PartnerToken
from app.partners.schemas import PartnerForm
from app.web import api
from app.webhooks import service as webhooks_service
from app.webhooks.models import EVENT_FORWARDED_STAGE_CHANGED, WebhookEndpoint

ROTATION_OVERLAP = timedelta(days=7)
TOKEN_LIFETIME = timedelta(minutes=15)
TOKEN_PREFIX = api.PARTNER_TOKEN_PREFIX  # app.accounts.deps leaves these to this domain
CLIENT_PREFIX = "pc_"
SECRET_PREFIX = "ps_"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


# -- clients ---------------------------------------------------------------------
def get(session: Session, partner_id: int) -> PartnerClient:
    partner = session.get(PartnerClient, partner_id)
    if partner is None:
        raise NotFound(_("No such partner system."))
    return partner


def by_client_id(session: Session, client_id: str) -> PartnerClient | None:
    return session.exec(select(PartnerClient).where(PartnerClient.client_id == client_id)).first()


def listing(session: Session) -> list[PartnerClient]:
    return list(
        session.exec(
            select(PartnerClient).order_by(
                col(PartnerClient.revoked_at).is_not(None), col(PartnerClient.name)
            )
        )
    )


def _callback_endpoint(
    session: Session, admin: User, partner: PartnerClient, url: str
) -> WebhookEndpoint | None:
    """The partner's callback URL as a webhook endpoint of its agency (signed, retried)."""
    url = url.strip()
    endpoint = (
        session.get(WebhookEndpoint, partner.webhook_endpoint_id)
        if partner.webhook_endpoint_id
        else None
    )
    if not url:
        if endpoint is not None:
            webhooks_service.disable_endpoint(session, endpoint, "callback removed")
        return endpoint
    if endpoint is not None:
        endpoint.url = webhooks_service.check_url(url)
        webhooks_service.enable_endpoint(session, endpoint)
        return endpoint
    organisation = accounts_service.find_or_create_organisation(
        session, name=partner.name, type=OrganisationType.state_agency
    )
    partner.organisation_id = organisation.id
    return webhooks_service.create_system_endpoint(
        session,
        organisation=organisation,
        created_by=admin,
        url=url,
        description=_("Status callbacks to %(name)s", name=partner.name),
        event_types=[EVENT_FORWARDED_STAGE_CHANGED],
    )


def register(session: Session, admin: User, data: PartnerForm) -> tuple[PartnerClient, str]:
    """A new partner client; the returned secret is shown once and never again."""
    code = data.agency_code.strip()
    if session.exec(select(PartnerClient).where(PartnerClient.agency_code == code)).first():
        message = _("A partner with this agency identifier code is already registered.")
        raise ValidationFailed(message, errors={"agency_code": message})
    secret = new_secret()
    partner = PartnerClient(
        name=data.name.strip(),
        agency_code=code,
        contact_name=data.contact_name.strip(),
        contact_email=data.contact_email.strip(),
        scopes=[s for s in SCOPES if s in data.scopes],
        client_id=CLIENT_PREFIX + secrets.token_hex(12),
        secret_hash=digest(secret),
        secret_prefix=secret[:10],
        created_by_id=admin.id,
    )
    session.add(partner)
    session.flush()
    endpoint = _callback_endpoint(session, admin, partner, data.callback_url)
    partner.webhook_endpoint_id = endpoint.id if endpoint else None
    session.add(partner)
    session.flush()
    return partner, secret


def update(session: Session, admin: User, partner: PartnerClient, data: PartnerForm) -> None:
    """Change the name, contact, scopes and callback (the agency code and client id stay)."""
    partner.name = data.name.strip()
    partner.contact_name = data.contact_name.strip()
    partner.contact_email = data.contact_email.strip()
    partner.scopes = [s for s in SCOPES if s in data.scopes]
    endpoint = _callback_endpoint(session, admin, partner, data.callback_url)
    partner.webhook_endpoint_id = endpoint.id if endpoint else None
    session.add(partner)


def callback_url(session: Session, partner: PartnerClient) -> str:
    endpoint = (
        session.get(WebhookEndpoint, partner.webhook_endpoint_id)
        if partner.webhook_endpoint_id
        else None
    )
    return endpoint.url if endpoint is not None and endpoint.is_active else ""


def callback_secret(session: Session, partner: PartnerClient) -> str | None:
    """The key that signs the partner's callbacks (shown to the admin with the credentials)."""
    endpoint = (
        session.get(WebhookEndpoint, partner.webhook_endpoint_id)
        if partner.webhook_endpoint_id
        else None
    )
    return endpoint.secret if endpoint is not None else None


def rotate_secret(session: Session, partner: PartnerClient, now: datetime | None = None) -> str:
    """A new secret; the current one stays valid for the overlap window, then stops."""
    _require_active(partner)
    now = now or utcnow()
    secret = new_secret()
    partner.previous_secret_hash = partner.secret_hash
    partner.previous_secret_expires_at = now + ROTATION_OVERLAP
    partner.secret_hash, partner.secret_prefix = digest(secret), secret[:10]
    partner.rotated_at = now
    session.add(partner)
    return secret


def end_overlap(session: Session, partner: PartnerClient) -> None:
    """Stop the previous secret now (the partner confirmed it switched)."""
    partner.previous_secret_hash = None
    partner.previous_secret_expires_at = None
    session.add(partner)


def revoke(session: Session, admin: User, partner: PartnerClient) -> None:
    """The client stops at once: no token is issued and no issued token is accepted."""
    if partner.revoked_at is None:
        partner.revoked_at, partner.revoked_by_id = utcnow(), admin.id
        session.add(partner)


def _require_active(partner: PartnerClient) -> None:
    if not partner.is_active:
        raise ValidationFailed(_("This partner system has been revoked."))


# -- secrets and tokens ---------------------------------------------------------
def secret_matches(partner: PartnerClient, secret: str, now: datetime | None = None) -> str | None:
    """The digest of the secret `secret` is, if it is one the partner may use now."""
    if not partner.is_active or not secret:
        return None
    given = digest(secret)
    if hmac.compare_digest(given, partner.secret_hash):
        return given
    if _previous_valid(partner, now) and hmac.compare_digest(
        given, partner.previous_secret_hash or ""
    ):
        return given
    return None


def _previous_valid(partner: PartnerClient, now: datetime | None = None) -> bool:
    return (
        partner.previous_secret_hash is not None
        and partner.previous_secret_expires_at is not None
        and partner.previous_secret_expires_at > (now or utcnow())
    )


def issue_token(
    session: Session, partner: PartnerClient, scopes: list[str], secret_hash: str
) -> tuple[PartnerToken, str]:
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PartnerToken(
        partner_id=partner.id,
        token_hash=digest(plain),
        scopes=scopes,
        expires_at=utcnow() + TOKEN_LIFETIME,
        secret_hash=secret_hash,
    )
    session.add(token)
    session.flush()
    return token, plain


def token_partner(session: Session, plain: str) -> tuple[PartnerClient, PartnerToken] | None:
    """The partner and token of a bearer value, if the token is valid now.

    A token dies with its client (revoked) and with the secret it was issued
    with (rotated out when the overlap ends).
    """
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = session.exec(
        select(PartnerToken).where(PartnerToken.token_hash == digest(plain))
    ).first()
    now = utcnow()
    if token is None or token.expires_at <= now:
        return None
    partner = session.get(PartnerClient, token.partner_id)
    if partner is None or not partner.is_active:
        return None
    if token.secret_hash != partner.secret_hash and not (
        token.secret_hash == partner.previous_secret_hash and _previous_valid(partner, now)
    ):
        return None
    return partner, token
