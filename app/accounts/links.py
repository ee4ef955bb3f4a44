"""Signed one-time links (email verification, password reset, forwarded invitations).

A link's token is signed and timed, and bound to what the user's account must still
match (`_link_state`), so a used reset link stops working.
"""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session

from app.accounts.models import User
from app.config import get_settings
from app.errors import Conflict
from app.i18n import _


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=f"accounts.{purpose}")


def _link_state(user: User, purpose: str) -> str:
    """A fingerprint of what the link must still match: the email, and for a reset the password hash.

    A reset changes the hash, so a used reset link stops working. The
    fingerprint is keyed, so the link reveals nothing about the hash.
    """
    material = user.email + ("" if purpose == "verify" else "|" + (user.password_hash or ""))
    return hmac.new(
        get_settings().secret_key.encode(), f"{purpose}|{material}".encode(), hashlib.sha256
    ).hexdigest()[:24]


def make_link_token(user: User, purpose: str) -> str:
    """A signed, timed token bound to the user's current state (see `_link_state`)."""
    return _serializer(purpose).dumps({"u": user.id, "s": _link_state(user, purpose)})


def read_link_token(session: Session, token: str, purpose: str, max_age_hours: int) -> User:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age_hours * 3600)
    except SignatureExpired:
        raise Conflict(
            _("This link has expired. Ask for a new one."), code="link-expired"
        ) from None
    except BadSignature:
        raise Conflict(_("This link is not valid."), code="link-invalid") from None
    user = (
        session.get(User, data.get("u"))
        if isinstance(data, dict) and isinstance(data.get("u"), int)
        else None
    )
    if (
        user is None
        or not user.is_active
        or not hmac.compare_digest(_link_state(user, purpose), str(data.get("s")))
    ):
        raise Conflict(
            _("This link has already been used or is no longer valid."), code="link-used"
        )
    return user
