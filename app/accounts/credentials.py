"""What proves a signed-in caller: API tokens and server-side web sessions.

Tokens are issued with their plain value shown once (only a digest is stored),
resolved to their user, listed and revoked; a browser's session id lives in the
signed cookie and its digest here. `end_sessions` signs a user out everywhere.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import joinedload
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


# What the permission predicates read of a signed-in user (roles, approved memberships, the
# organisation), loaded with the credential in one statement instead of one query each.
_WITH_USER: Any = (
    joinedload(User.organisation),  # type: ignore[arg-type]
    joinedload(User.grants),  # type: ignore[arg-type]
    joinedload(User.approved_memberships),  # type: ignore[arg-type]
)


def user_for_token(session: Session, plain: str) -> User | None:
    rows: Any = session.exec(  # joined collections: a row per role and membership
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(ApiToken.token_hash == _digest(plain))
        .options(*_WITH_USER)
    )
    found = rows.unique().first()
    now = utcnow()
    if found is None:
        return None
    token, user = found
    if token.revoked_at or (token.expires_at and token.expires_at <= now):
        return None
    if not user.is_active:
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


def user_for_session(
    session: Session, user_id: object, version: object, plain: object
) -> User | None:
    """The active user `user_id` at auth version `version` if the browser session `plain` is
    still open for them (token, user, roles and memberships read in one statement)."""
    if not isinstance(plain, str) or not plain or not isinstance(user_id, int):
        return None
    rows: Any = session.exec(  # joined collections: a row per role and membership
        select(WebSession, User)
        .join(User, col(User.id) == col(WebSession.user_id))
        .where(WebSession.token_hash == _digest(plain), col(User.id) == user_id)
        .options(*_WITH_USER)
    )
    found = rows.unique().first()
    if found is None:
        return None
    row, user = found
    if row.revoked_at is not None or not user.is_active or user.auth_version != version:
        return None
    now = utcnow()
    if now - row.last_seen_at > SESSION_TOUCH:
        row.last_seen_at = now
    return user


def close_web_session(session: Session, plain: str) -> None:
    row = session.exec(select(WebSession).where(WebSession.token_hash == _digest(plain))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
