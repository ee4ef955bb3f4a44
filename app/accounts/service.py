"""Account verbs: register, verify, authenticate, grant roles, issue tokens.

Services take the session and never commit; the caller's unit of work does.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, select

from app.accounts.models import ApiToken, LoginThrottle, Role, RoleGrant, User
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, NotFound, TooManyRequests
from app.i18n import _

_hasher = PasswordHasher()


# -- passwords ---------------------------------------------------------------
def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# -- lookups -----------------------------------------------------------------
def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


# -- registration ------------------------------------------------------------
def create_user(session: Session, *, email: str, full_name: str, password: str | None,
                roles: tuple[Role, ...] = (Role.submitter,), verified: bool = False,
                granted_by: User | None = None, **profile: object) -> User:
    if get_by_email(session, email) is not None:
        raise Conflict(_("An account with this email already exists."), errors={"email": _("This email is already registered.")})
    user = User(email=normalise_email(email), full_name=full_name.strip(),
                password_hash=hash_password(password) if password else None,
                email_verified_at=utcnow() if verified else None, **profile)
    session.add(user)
    session.flush()
    for role in roles:
        grant_role(session, user, role, by=granted_by)
    return user


# -- roles -------------------------------------------------------------------
def grant_role(session: Session, user: User, role: Role, *, by: User | None) -> RoleGrant:
    active = session.exec(select(RoleGrant).where(
        RoleGrant.user_id == user.id, RoleGrant.role == role, RoleGrant.revoked_at.is_(None))).first()
    if active:
        return active
    grant = RoleGrant(user_id=user.id, role=role, granted_by_id=by.id if by else None)
    session.add(grant)
    session.flush()
    session.refresh(user, ["grants"])
    return grant


def revoke_role(session: Session, user: User, role: Role, *, by: User) -> None:
    for grant in session.exec(select(RoleGrant).where(
            RoleGrant.user_id == user.id, RoleGrant.role == role, RoleGrant.revoked_at.is_(None))):
        grant.revoked_at, grant.revoked_by_id = utcnow(), by.id
    session.flush()
    session.refresh(user, ["grants"])


# -- throttling --------------------------------------------------------------
def _throttle(session: Session, key: str) -> LoginThrottle:
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key)
        session.add(row)
    return row


def check_throttle(session: Session, keys: list[str]) -> None:
    now = utcnow()
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row and row.locked_until and row.locked_until > now:
            minutes = max(1, int((row.locked_until - now).total_seconds() // 60) + 1)
            raise TooManyRequests(_("Too many failed sign-ins. Try again in %(n)s minutes.", n=minutes))


def record_failure(session: Session, keys: list[str]) -> None:
    settings = get_settings()
    now = utcnow()
    window = timedelta(seconds=settings.login_lock_seconds)
    for key in keys:
        row = _throttle(session, key)
        if now - row.window_start > window:
            row.failures, row.window_start = 0, now
        row.failures += 1
        if row.failures >= settings.login_max_failures:
            row.locked_until = now + window
            row.failures, row.window_start = 0, now


def clear_failures(session: Session, keys: list[str]) -> None:
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row:
            session.delete(row)


def authenticate(session: Session, email: str, password: str, *, client_ip: str = "") -> User | None:
    """The user for these credentials, or None; failures count towards a temporary lock.

    A refused sign-in returns None rather than raising, so the caller answers
    normally and the unit of work commits the failure count.
    """
    keys = [f"email:{normalise_email(email)}"] + ([f"ip:{client_ip}"] if client_ip else [])
    check_throttle(session, keys)
    user = get_by_email(session, email)
    if user is None or not user.is_active or not verify_password(user, password):
        record_failure(session, keys)
        return None
    clear_failures(session, keys)
    user.last_login_at = utcnow()
    return user


# -- signed one-time links ---------------------------------------------------
def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=f"accounts.{purpose}")


def make_link_token(user: User, purpose: str) -> str:
    """A signed token bound to the user's current state, so it works once.

    Verification binds the email; reset binds the password hash, which the
    reset changes, so a used reset link stops working.
    """
    state = user.email if purpose == "verify" else (user.password_hash or "")[-16:]
    return _serializer(purpose).dumps({"u": user.id, "s": state})


def read_link_token(session: Session, token: str, purpose: str, max_age_hours: int) -> User:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age_hours * 3600)
    except SignatureExpired:
        raise Conflict(_("This link has expired. Ask for a new one."), code="link-expired") from None
    except BadSignature:
        raise Conflict(_("This link is not valid."), code="link-invalid") from None
    user = session.get(User, data.get("u"))
    state = None if user is None else (user.email if purpose == "verify" else (user.password_hash or "")[-16:])
    if user is None or state != data.get("s"):
        raise Conflict(_("This link has already been used or is no longer valid."), code="link-used")
    return user


# -- API tokens --------------------------------------------------------------
def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, *, kind: str, name: str = "",
                lifetime: timedelta | None = None) -> tuple[ApiToken, str]:
    """Create a token; the plain value is returned once and never stored."""
    plain = ("sk_pat_" if kind == "personal" else "sk_at_") + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, kind=kind, name=name, token_hash=_digest(plain), prefix=plain[:12],
                     expires_at=utcnow() + lifetime if lifetime else None)
    session.add(token)
    session.flush()
    return token, plain


def user_for_token(session: Session, plain: str) -> User | None:
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _digest(plain))).first()
    now = utcnow()
    if token is None or token.revoked_at or (token.expires_at and token.expires_at <= now):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    token.last_used_at = now
    return user


def revoke_token(session: Session, user: User, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("No such token."))
    token.revoked_at = token.revoked_at or utcnow()
