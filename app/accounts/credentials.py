"""What proves a signed-in caller: API tokens and server-side web sessions.

Tokens are issued with their plain value shown once (only a digest is stored),
resolved to their user, listed and revoked; a browser's session id lives in the
signed cookie and its digest here. `end_sessions` signs a user out everywhere.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, col, select

from app.accounts.models import ApiToken, User, WebSession
from app.db import utcnow
from app.errors import NotFound
from app.i18n import _


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, user: User, *, kind: str, name: str = "", lifetime: timedelta | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the plain value is returned once and never stored."""
    plain = ("sk_pat_" if kind == "personal" else "sk_at_") + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        kind=kind,
        name=name,
        token_hash=_digest(plain),
        prefix=plain[:12],
        expires_at=utcnow() + lifetime if lifetime else None,
    )
    session.add(token)
    session.flush()
    return token, plain


TOKEN_USE_RECORDED_EVERY = timedelta(minutes=1)


def user_for_token(session: Session, plain: str) -> User | None:
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _digest(plain))).first()
    now = utcnow()
    if token is None or token.revoked_at or (token.expires_at and token.expires_at <= now):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RECORDED_EVERY:
        token.last_used_at = now  # to the minute: not one write per API request
    return user


def revoke_token(session: Session, user: User, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("No such token."))
    token.revoked_at = token.revoked_at or utcnow()


def personal_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.kind == "personal")
            .order_by(col(ApiToken.revoked_at).is_not(None), col(ApiToken.id).desc())
        )
    )


def create_personal_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A token for scripts, valid until revoked; its plain value is shown once."""
    return issue_token(session, user, kind="personal", name=name.strip())


def end_sessions(session: Session, user: User) -> int:
    """Sign the user out everywhere: web sessions closed, access and personal tokens revoked.

    Returns how many personal access tokens were revoked (the mail says so).
    """
    user.auth_version += 1
    now = utcnow()
    for row in session.exec(
        select(WebSession).where(
            WebSession.user_id == user.id, col(WebSession.revoked_at).is_(None)
        )
    ):
        row.revoked_at = now
    personal = 0
    for token in session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
    ):
        token.revoked_at = now
        personal += token.kind == "personal"
    session.flush()
    return personal


# -- server-side web sessions ------------------------------------------------------
SESSION_TOUCH = timedelta(minutes=5)


def open_web_session(session: Session, user: User, user_agent: str = "") -> str:
    """Record a new signed-in browser; the plain id goes into the signed cookie only."""
    assert user.id is not None
    plain = secrets.token_urlsafe(32)
    session.add(WebSession(user_id=user.id, token_hash=_digest(plain), user_agent=user_agent[:300]))
    session.flush()
    return plain


def session_is_open(session: Session, user: User, plain: object) -> bool:
    if not isinstance(plain, str) or not plain:
        return False
    row = session.exec(select(WebSession).where(WebSession.token_hash == _digest(plain))).first()
    if row is None or row.revoked_at is not None or row.user_id != user.id:
        return False
    now = utcnow()
    if now - row.last_seen_at > SESSION_TOUCH:
        row.last_seen_at = now
    return True


def close_web_session(session: Session, plain: str) -> None:
    row = session.exec(select(WebSession).where(WebSession.token_hash == _digest(plain))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
