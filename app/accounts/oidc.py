"""Sign-in through OpenID Connect (the national e-ID works this way).

`client()` is Authlib's Starlette client for the issuer in the settings in
force, built on first use and rebuilt when those settings change. `sign_in`
is the domain verb that turns verified claims into an account:

1. a known (issuer, subject) signs in its account;
2. otherwise an email the provider says is verified links the account that
   has it (or creates one);
3. an email the provider did not verify never links an existing account:
   anyone could claim any address at some providers.
"""

from __future__ import annotations

from urllib.parse import urlencode

from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from sqlmodel import Session, select

from app.accounts import service
from app.accounts.models import OidcIdentity, Role, User
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, NotAuthenticated, PermissionDenied
from app.i18n import _

SCOPE = "openid email profile"
_clients: dict[tuple[str, str, str], StarletteOAuth2App] = {}


def client() -> StarletteOAuth2App:
    """The OAuth client for the configured issuer (one per configuration, metadata cached)."""
    settings = get_settings()
    if not settings.oidc_enabled:
        raise PermissionDenied(
            _("Sign-in with %(provider)s is not available.", provider=settings.oidc_name),
            code="oidc-disabled",
        )
    key = (settings.oidc_issuer.rstrip("/"), settings.oidc_client_id, settings.oidc_client_secret)
    if key not in _clients:
        oauth = OAuth()
        _clients[key] = oauth.register(
            "oidc",
            server_metadata_url=f"{key[0]}/.well-known/openid-configuration",
            client_id=key[1],
            client_secret=key[2],
            client_kwargs={"scope": SCOPE},
        )
    return _clients[key]


def _full_name(claims: dict) -> str:
    name = str(claims.get("name") or "").strip()
    if not name:
        name = " ".join(
            str(claims.get(k) or "").strip() for k in ("family_name", "given_name")
        ).strip()
    return (name or str(claims.get("email") or "").split("@")[0] or _("New user"))[:200]


def _link(session: Session, user: User, issuer: str, subject: str) -> None:
    session.add(OidcIdentity(user_id=user.id, issuer=issuer, subject=subject))
    session.flush()


def sign_in(session: Session, *, issuer: str, claims: dict) -> User:
    """The account for these ID-token claims: found, linked or created (see module doc)."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise NotAuthenticated(
            _("The identity provider did not say who you are."), code="oidc-no-subject"
        )
    identity = session.exec(
        select(OidcIdentity).where(OidcIdentity.issuer == issuer, OidcIdentity.subject == subject)
    ).first()
    if identity is not None:
        user = session.get(User, identity.user_id)
    else:
        user = _link_or_create(session, issuer, subject, claims)
    if user is None or not user.is_active:
        raise PermissionDenied(_("This account is disabled."), code="account-disabled")
    _record_assurance(session, issuer, subject, claims)
    user.last_login_at = utcnow()
    return user


# -- assurance level (acr) and step-up ----------------------------------------------
def _record_assurance(session: Session, issuer: str, subject: str, claims: dict) -> None:
    """Keep the sign-in's `acr` and identifier claims on the linked identity."""
    identity = session.exec(
        select(OidcIdentity).where(OidcIdentity.issuer == issuer, OidcIdentity.subject == subject)
    ).one()
    acr = claims.get("acr")
    identity.acr = str(acr)[:100] if acr is not None else None
    identity.claims = {
        name: claims[name] for name in get_settings().oidc_identifier_claims if name in claims
    }
    identity.signed_in_at = utcnow()
    session.add(identity)


def level_rank(acr: str | None) -> int:
    """The position of `acr` among the configured levels (-1 when unknown or absent)."""
    levels = get_settings().oidc_acr_levels
    return levels.index(acr) if acr in levels else -1


def assurance(session: Session, user: User) -> OidcIdentity | None:
    """The user's identity with the highest assurance level from its last sign-in."""
    identities = session.exec(select(OidcIdentity).where(OidcIdentity.user_id == user.id)).all()
    return max(identities, key=lambda i: level_rank(i.acr), default=None)


def meets(session: Session, user: User, minimum: str) -> bool:
    if not minimum:
        return True
    best = assurance(session, user)
    return best is not None and level_rank(best.acr) >= level_rank(minimum) >= 0


def require_level(session: Session, user: User, minimum: str, next_url: str) -> None:
    """Refuse (403 `step-up-required`, with the sign-in link) below the `minimum` level."""
    if meets(session, user, minimum):
        return
    settings = get_settings()
    raise PermissionDenied(
        _(
            "This step needs a sign-in with %(provider)s at assurance level %(level)s or "
            "higher. Sign in again with %(provider)s, then try again.",
            provider=settings.oidc_name,
            level=minimum,
        ),
        code="step-up-required",
        step_up=f"/account/oidc/login?{urlencode({'acr': minimum, 'next': next_url})}",
    )


def _link_or_create(session: Session, issuer: str, subject: str, claims: dict) -> User:
    email = str(claims.get("email") or "").strip()
    verified = claims.get("email_verified") is True
    if not email:
        raise Conflict(
            _(
                "The identity provider did not share your email address, so no account can be "
                "created. Please register with your email instead."
            ),
            code="oidc-no-email",
        )
    existing = service.get_by_email(session, email)
    if existing is not None and not verified:
        raise Conflict(
            _(
                "An account with this email already exists, but the identity provider has not "
                "confirmed the address. Sign in with your password instead."
            ),
            code="oidc-email-unverified",
        )
    if existing is not None:
        user = existing
        # The provider vouches for the address: a pending confirmation is done.
        user.email_verified_at = user.email_verified_at or utcnow()
    else:
        user = service.create_user(
            session,
            email=email,
            full_name=_full_name(claims),
            password=None,
            roles=(Role.submitter,),
            verified=verified,
        )
        if not verified:
            service.queue_verification(session, user)
    _link(session, user, issuer, subject)
    return user
