"""Account verbs: register, verify, authenticate, grant roles, issue tokens.

Services take the session and never commit; the caller's unit of work does.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, and_, case, delete, func, literal, null, or_, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Executable
from sqlmodel import Session, col, select

from app.accounts import memberships
from app.accounts.models import (
    PASSWORD_MIN_LENGTH,
    ApiToken,
    LoginThrottle,
    Organisation,
    OrganisationType,
    Role,
    RoleGrant,
    User,
    WebSession,
    organisation_key,
)
from app.config import get_settings
from app.db import UTCDateTime, autocommit_engine, utcnow
from app.errors import (
    Conflict,
    NotFound,
    TooManyRequests,
    ValidationFailed,
)
from app.i18n import _
from app.mail.service import queue_mail

_hasher = PasswordHasher()
RESET_HOURS = 2
# Many people can share one address (offices, NAT), so it gets a larger allowance.
IP_FAILURE_FACTOR = 5
# Verification and reset mails per address and lock window (the rest are dropped silently).
MAILS_PER_WINDOW = 5


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
def check_password(user_email: str, password: str, field: str = "password") -> None:
    """The password policy, enforced here whatever form or API sent it."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationFailed(
            _("Please choose a longer password."),
            errors={field: _("Enter at least %(n)s characters.", n=PASSWORD_MIN_LENGTH)},
        )
    if password.strip().lower() == normalise_email(user_email):
        raise ValidationFailed(
            _("Please choose another password."),
            errors={field: _("The password must not be your email address.")},
        )


def create_user(
    session: Session,
    *,
    email: str,
    full_name: str,
    password: str | None,
    roles: tuple[Role, ...] = (Role.submitter,),
    verified: bool = False,
    granted_by: User | None = None,
    **profile: Any,
) -> User:
    if get_by_email(session, email) is not None:
        raise Conflict(
            _("An account with this email already exists."),
            errors={"email": _("This email is already registered.")},
        )
    if password is not None:
        check_password(email, password)
    user = User(
        email=normalise_email(email),
        full_name=full_name.strip(),
        password_hash=hash_password(password) if password else None,
        email_verified_at=utcnow() if verified else None,
        **profile,
    )
    session.add(user)
    session.flush()
    for role in roles:
        grant_role(session, user, role, by=granted_by)
    return user


def register(
    session: Session,
    *,
    full_name: str,
    email: str,
    password: str,
    province: str | None,
    phone: str | None = None,
    language: str = "vi",
    organisation_id: int | None = None,
    new_organisation: dict | None = None,
    roles: tuple[Role, ...] = (Role.submitter,),
) -> User:
    """A new account (a submitter unless `roles` says otherwise), unverified until the mailed
    link is followed. Other groups' roles are requested (`accounts.groups`) and granted then.

    The organisation is an existing one or created (or reused by name and
    type) here, so nobody types an organisation's details twice.
    """
    created = False
    if new_organisation:
        organisation, created = _find_or_create_organisation(session, **new_organisation)
    elif organisation_id:
        organisation = get_organisation(session, organisation_id)
    else:
        organisation = None
    user = create_user(
        session,
        email=email,
        full_name=full_name,
        password=password,
        phone=phone,
        province=province,
        language=language,
        organisation_id=organisation.id if organisation else None,
        roles=roles,
    )
    if organisation is not None:
        # Who registers an organisation manages it; joining an existing one is a request.
        if created:
            memberships.found(session, user, organisation)
        else:
            memberships.request(session, user, organisation.id)
    queue_verification(session, user)
    return user


def _link(path: str, token: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}{path}?{urlencode({'token': token})}"


def queue_verification(session: Session, user: User) -> None:
    hours = get_settings().verification_hours
    queue_mail(
        session,
        to=user.email,
        template="accounts/mail/verify",
        language=user.language,
        context={
            "name": user.full_name,
            "link": _link("/account/verify", make_link_token(user, "verify")),
            "hours": hours,
        },
    )


def resend_verification(session: Session, email: str) -> None:
    """Send the link again; silent about unknown or verified addresses (no enumeration)."""
    user = get_by_email(session, email)
    if (
        user is not None
        and user.is_active
        and not user.is_verified
        and _mail_allowed(session, user)
    ):
        queue_verification(session, user)


def verify_email(session: Session, token: str) -> User:
    from app.accounts import groups  # groups builds on this module

    user = read_link_token(session, token, "verify", get_settings().verification_hours)
    if not user.is_verified:
        user.email_verified_at = utcnow()
    groups.on_verified(session, user)
    return user


# -- passwords: reset and change ---------------------------------------------
def request_password_reset(session: Session, email: str) -> None:
    """Mail a single-use reset link; answers the same whether or not the account exists."""
    user = get_by_email(session, email)
    if user is None or not user.is_active or not _mail_allowed(session, user):
        return
    queue_mail(
        session,
        to=user.email,
        template="accounts/mail/reset",
        language=user.language,
        context={
            "name": user.full_name,
            "hours": RESET_HOURS,
            "link": _link("/account/password/reset", make_link_token(user, "reset")),
        },
    )


def check_reset_token(session: Session, token: str) -> User:
    return read_link_token(session, token, "reset", RESET_HOURS)


def _set_password(session: Session, user: User, password: str, field: str) -> None:
    """New hash: every session and every token (access and personal) stops working, and
    the user is told so by mail."""
    check_password(user.email, password, field)
    user.password_hash = hash_password(password)
    revoked = end_sessions(session, user)
    queue_mail(
        session,
        to=user.email,
        template="accounts/mail/password_changed",
        language=user.language,
        context={"name": user.full_name, "revoked": revoked},
    )


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


def reset_password(session: Session, token: str, password: str) -> User:
    user = check_reset_token(session, token)
    _set_password(session, user, password, "password")
    # Following the mailed link proves the address, and a reset ends any lock.
    user.email_verified_at = user.email_verified_at or utcnow()
    clear_failures(session, [f"email:{user.email}"])
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user, current):
        raise ValidationFailed(
            _("The current password is wrong."),
            errors={"current_password": _("The current password is wrong.")},
        )
    _set_password(session, user, new, "new_password")


# -- profile -------------------------------------------------------------------
PROFILE_FIELDS = (
    "full_name",
    "phone",
    "province",
    "organisation_id",
    "expertise_keywords",
    "expertise_fields",
    "language",
)


def update_profile(
    session: Session, user: User, changes: dict, *, new_organisation: dict | None = None
) -> User:
    """Change the given profile fields (the caller validated their form).

    `new_organisation` (name, type, province, tax code) declares that
    organisation, created unless it exists already. A changed organisation is
    only a request for membership: it grants nothing until a manager (or a
    coordinator) approves it, and ends the memberships elsewhere.
    """
    created: Organisation | None = None
    if new_organisation:
        organisation, is_new = _find_or_create_organisation(session, **new_organisation)
        created = organisation if is_new else None
        changes = {**changes, "organisation_id": organisation.id}
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Some fields cannot be changed here."),
            errors={name: _("This field cannot be changed here.") for name in sorted(unknown)},
        )
    if changes.get("organisation_id") is not None:
        get_organisation(session, changes["organisation_id"], field="organisation_id")
    required = {
        name: _("This field is required.")
        for name in ("full_name", "language")
        if name in changes and not (changes[name] or "").strip()
    }
    if required:
        raise ValidationFailed(_("Please correct the errors"), errors=required)
    previous = user.organisation_id
    for name, value in changes.items():
        if name in ("expertise_keywords", "expertise_fields") and value is None:
            value = []
        setattr(user, name, value.strip() if isinstance(value, str) else value)
    session.add(user)
    if "organisation_id" in changes and user.organisation_id != previous:
        memberships.change_declared(session, user, user.organisation_id)
    if created is not None:
        memberships.found(session, user, created)
    if user.organisation_id != previous:
        session.flush()
        session.refresh(user, ["organisation"])
    return user


# -- organisations -------------------------------------------------------------
def get_organisation(
    session: Session, organisation_id: int, field: str = "organisation_id"
) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise ValidationFailed(
            _("No such organisation."), errors={field: _("Choose your organisation from the list.")}
        )
    return organisation


def search_organisations(session: Session, q: str = "", limit: int = 20) -> list[Organisation]:
    """Organisations whose name contains `q` in any case, by name."""
    query = select(Organisation).order_by(col(Organisation.name), col(Organisation.id)).limit(limit)
    if organisation_key(q):
        query = query.where(
            col(Organisation.name_key).contains(organisation_key(q), autoescape=True)
        )
    return list(session.exec(query))


def normalise_tax_code(value: str | None) -> str | None:
    """A tax code without spaces or dots, or None when empty."""
    cleaned = "".join((value or "").replace(".", "").split())
    return cleaned or None


def find_or_create_organisation(
    session: Session,
    *,
    name: str,
    type: OrganisationType,
    province: str | None = None,
    tax_code: str | None = None,
    website: str | None = None,
) -> Organisation:
    """The organisation with this tax code, or of this name (any case and spacing) and type,
    created only if nobody entered it before."""
    return _find_or_create_organisation(
        session, name=name, type=type, province=province, tax_code=tax_code, website=website
    )[0]


def _find_or_create_organisation(
    session: Session,
    *,
    name: str,
    type: OrganisationType,
    province: str | None = None,
    tax_code: str | None = None,
    website: str | None = None,
) -> tuple[Organisation, bool]:
    """(organisation, created): deduplicated on the tax code first, then on name and type."""
    name, tax_code = " ".join(name.split()), normalise_tax_code(tax_code)
    if tax_code:
        same_code = session.exec(
            select(Organisation).where(Organisation.tax_code == tax_code)
        ).first()
        if same_code:
            return same_code, False
    found = session.exec(
        select(Organisation).where(
            Organisation.name_key == organisation_key(name), Organisation.type == type
        )
    ).first()
    if found:
        if tax_code and found.tax_code and found.tax_code != tax_code:
            message = _("An organisation of this name is registered with another tax code.")
            raise ValidationFailed(message, errors={"org_tax_code": message})
        return found, False
    organisation = Organisation(
        name=name, type=type, province=province, tax_code=tax_code, website=website
    )
    session.add(organisation)
    try:
        session.flush()
    except IntegrityError:
        # Someone entered the same organisation at this very moment; the caller's transaction is spent.
        message = _(
            "This organisation was added by someone else a moment ago. Please choose it from the list."
        )
        raise Conflict(message, code="organisation-exists", errors={"org_name": message}) from None
    return organisation, True


# -- roles -------------------------------------------------------------------
def grant_role(session: Session, user: User, role: Role, *, by: User | None) -> RoleGrant:
    active = session.exec(
        select(RoleGrant).where(
            col(RoleGrant.user_id) == user.id,
            col(RoleGrant.role) == role,
            col(RoleGrant.revoked_at).is_(None),
        )
    ).first()
    if active:
        return active
    grant = RoleGrant(user_id=user.id, role=role, granted_by_id=by.id if by else None)
    session.add(grant)
    session.flush()
    session.refresh(user, ["grants"])
    return grant


def revoke_role(session: Session, user: User, role: Role, *, by: User) -> None:
    """End the active grant; the row stays, with who revoked it and when."""
    grants = list(
        session.exec(
            select(RoleGrant).where(
                col(RoleGrant.user_id) == user.id,
                col(RoleGrant.role) == role,
                col(RoleGrant.revoked_at).is_(None),
            )
        )
    )
    if not grants:
        raise NotFound(_("This user does not hold that role."), code="role-not-held")
    if role == Role.admin and user.id == by.id:
        # Otherwise the last administrator could lock everyone out of this page.
        raise Conflict(_("You cannot remove your own administrator role."), code="own-admin-role")
    for grant in grants:
        grant.revoked_at, grant.revoked_by_id = utcnow(), by.id
    session.flush()
    session.refresh(user, ["grants"])


def role_history(session: Session, user: User) -> list[dict]:
    """Every grant of the user, newest first, with the names of who granted and revoked it."""
    grants = list(
        session.exec(
            select(RoleGrant)
            .where(RoleGrant.user_id == user.id)
            .order_by(col(RoleGrant.granted_at).desc(), col(RoleGrant.id).desc())
        )
    )
    people = {
        u.id: u
        for u in session.exec(
            select(User).where(
                col(User.id).in_(
                    {g.granted_by_id for g in grants} | {g.revoked_by_id for g in grants}
                )
            )
        )
    }
    return [
        {
            "id": g.id,
            "role": Role(g.role),
            "granted_at": g.granted_at,
            "revoked_at": g.revoked_at,
            "granted_by_id": g.granted_by_id,
            "revoked_by_id": g.revoked_by_id,
            "granted_by_name": people[g.granted_by_id].full_name
            if g.granted_by_id in people
            else None,
            "revoked_by_name": people[g.revoked_by_id].full_name
            if g.revoked_by_id in people
            else None,
        }
        for g in grants
    ]


def search_users(
    session: Session, q: str = "", *, offset: int = 0, limit: int = 50
) -> tuple[list[User], int]:
    """Users whose name or email contains `q`, newest first, and how many match in all."""
    condition: ColumnElement[bool] = true()
    if q.strip():
        pattern = f"%{q.strip().lower()}%"
        condition = or_(
            func.lower(col(User.email)).like(pattern), func.lower(col(User.full_name)).like(pattern)
        )
    total = session.exec(select(func.count()).select_from(User).where(condition)).one()
    users = session.exec(
        select(User).where(condition).order_by(col(User.id).desc()).offset(offset).limit(limit)
    )
    return list(users), total


# -- throttling --------------------------------------------------------------
def _limit(key: str) -> int:
    return get_settings().login_max_failures * (IP_FAILURE_FACTOR if key.startswith("ip:") else 1)


def _window() -> timedelta:
    return timedelta(seconds=get_settings().login_lock_seconds)


def _throttle_execute(session: Session, statement: Executable) -> list[tuple[Any, ...]]:
    """Run a throttle statement; on PostgreSQL committed on its own, beside the request.

    In the request's transaction the key's row stayed locked until the request
    committed, so every sign-in from one address (an office behind one gateway)
    waited for the previous one's argon2 verification. SQLite writes one
    transaction at a time whatever is done, so the statement joins the request's.
    """

    def rows(result: CursorResult[Any]) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in result.all()] if result.returns_rows else []

    if session.get_bind().dialect.name != "postgresql":
        return rows(cast(CursorResult[Any], session.execute(statement)))
    with autocommit_engine(session.get_bind()).connect() as conn:
        return rows(cast(CursorResult[Any], conn.execute(statement)))


def _bump(session: Session, key: str) -> tuple[int, datetime | None]:
    """Count one more attempt for `key`, atomically: (attempts in this window, locked until).

    One INSERT … ON CONFLICT DO UPDATE on both databases: concurrent attempts never
    collide on the row (no unique violation) and each sees its own count. On
    PostgreSQL it is committed on its own (`_throttle_execute`), so the row is not
    held while the password is verified.
    """
    now = utcnow()
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # A new window once the old one is over, or once a lock has ended.
    stale = or_(
        table.c.window_start < now - _window(),
        and_(table.c.locked_until.is_not(None), table.c.locked_until <= now),
    )
    at_now = literal(now, UTCDateTime())
    statement = (
        insert(table)
        .values(key=key, failures=1, window_start=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "window_start": case((stale, at_now), else_=table.c.window_start),
                "locked_until": case((stale, null()), else_=table.c.locked_until),
            },
        )
        .returning(table.c.failures, table.c.locked_until)
    )
    [(failures, locked_until)] = _throttle_execute(session, statement)
    cached = session.identity_map.get(session.identity_key(LoginThrottle, key))
    if cached is not None:
        session.expire(cached)  # its row was changed behind the ORM's back
    return failures, locked_until


def _refuse(until: datetime) -> TooManyRequests:
    minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
    return TooManyRequests(_("Too many failed sign-ins. Try again in %(n)s minutes.", n=minutes))


def _counted_in_advance(key: str) -> bool:
    """An account's attempts are counted before the password is checked; an address's
    only when they fail. Counted in advance, a burst of parallel wrong passwords for one
    account checks exactly the limit; but everyone behind one gateway signing in at
    once would count against each other while their passwords are being checked."""
    return not key.startswith("ip:")


def reserve_attempts(session: Session, keys: list[str]) -> None:
    """Count a sign-in attempt on every account key before the password is checked.

    Refused (429) while a key is locked, or when this attempt would exceed an account
    key's limit: of a burst of parallel wrong passwords exactly the limit get checked.
    """
    now = utcnow()
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    for key in keys:
        if _counted_in_advance(key):
            failures, locked_until = _bump(session, key)
        else:
            row = session.execute(
                select(table.c.failures, table.c.locked_until).where(table.c.key == key)
            ).one_or_none()
            failures, locked_until = row if row is not None else (0, None)
        if locked_until and locked_until > now:
            raise _refuse(locked_until)
        if failures > _limit(key):
            raise _refuse(now + _window())


def record_failure(session: Session, keys: list[str]) -> None:
    """The attempt failed: counted on the address too; a key at its limit is locked."""
    now = utcnow()
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    for key in keys:
        if not _counted_in_advance(key):
            _bump(session, key)
        _throttle_execute(
            session,
            update(table)
            .where(table.c.key == key, table.c.failures >= _limit(key))
            .values(locked_until=now + _window(), window_start=now),
        )


def _mail_allowed(session: Session, user: User) -> bool:
    """Count account mails per window, so the forms cannot be used to flood a mailbox."""
    failures, _locked = _bump(session, f"mail:{user.email}")
    return failures <= MAILS_PER_WINDOW


def clear_failures(session: Session, keys: list[str]) -> None:
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    _throttle_execute(session, delete(table).where(table.c.key.in_(keys)))


def authenticate(
    session: Session, email: str, password: str, *, client_ip: str = ""
) -> User | None:
    """The user for these credentials, or None; failures count towards a temporary lock.

    A refused sign-in returns None rather than raising, so the caller answers
    normally and the unit of work commits the failure count.
    """
    keys = [f"email:{normalise_email(email)}"] + ([f"ip:{client_ip}"] if client_ip else [])
    reserve_attempts(session, keys)
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


# -- API tokens --------------------------------------------------------------
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
