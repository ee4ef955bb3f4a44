"""Account verbs: register, verify, authenticate, reset passwords, profiles, organisations, roles.

Their parts live beside them: throttling in `throttle.py`, signed links in `links.py`,
API tokens and web sessions in `credentials.py`.

Services take the session and never commit; the caller's unit of work does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, func, or_, true
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts import credentials, links, memberships, throttle
from app.accounts.models import (
    PASSWORD_MIN_LENGTH,
    Organisation,
    OrganisationType,
    Role,
    RoleGrant,
    User,
    organisation_key,
)
from app.config import get_settings
from app.db import utcnow
from app.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
)
from app.i18n import _, ngettext
from app.mail.service import queue_mail

_hasher = PasswordHasher()
RESET_HOURS = 2


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
            errors={
                field: ngettext(
                    "Enter at least %(n)s character.",
                    "Enter at least %(n)s characters.",
                    PASSWORD_MIN_LENGTH,
                    n=PASSWORD_MIN_LENGTH,
                )
            },
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
            "link": _link("/account/verify", links.make_link_token(user, "verify")),
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
        and throttle.mail_allowed(session, user)
    ):
        queue_verification(session, user)


def verify_email(session: Session, token: str) -> User:
    from app.accounts import groups  # groups builds on this module

    user = links.read_link_token(session, token, "verify", get_settings().verification_hours)
    if not user.is_verified:
        user.email_verified_at = utcnow()
    groups.on_verified(session, user)
    return user


# -- passwords: reset and change ---------------------------------------------
def request_password_reset(session: Session, email: str) -> None:
    """Mail a single-use reset link; answers the same whether or not the account exists."""
    user = get_by_email(session, email)
    if user is None or not user.is_active or not throttle.mail_allowed(session, user):
        return
    queue_mail(
        session,
        to=user.email,
        template="accounts/mail/reset",
        language=user.language,
        context={
            "name": user.full_name,
            "hours": RESET_HOURS,
            "link": _link("/account/password/reset", links.make_link_token(user, "reset")),
        },
    )


def check_reset_token(session: Session, token: str) -> User:
    return links.read_link_token(session, token, "reset", RESET_HOURS)


def _set_password(session: Session, user: User, password: str, field: str) -> None:
    """New hash: every session and every token (access and personal) stops working, and
    the user is told so by mail."""
    check_password(user.email, password, field)
    user.password_hash = hash_password(password)
    revoked = credentials.end_sessions(session, user)
    queue_mail(
        session,
        to=user.email,
        template="accounts/mail/password_changed",
        language=user.language,
        context={"name": user.full_name, "revoked": revoked},
    )


def reset_password(session: Session, token: str, password: str) -> User:
    user = check_reset_token(session, token)
    _set_password(session, user, password, "password")
    # Following the mailed link proves the address, and a reset ends any lock.
    user.email_verified_at = user.email_verified_at or utcnow()
    throttle.clear_failures(session, [f"email:{user.email}"])
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


# -- signing in ---------------------------------------------------------------
def authenticate(
    session: Session, email: str, password: str, *, client_ip: str = ""
) -> User | None:
    """The user for these credentials, or None; failures count towards a temporary lock.

    A refused sign-in returns None rather than raising, so the caller answers
    normally and the unit of work commits the failure count.
    """
    keys = [f"email:{normalise_email(email)}"] + ([f"ip:{client_ip}"] if client_ip else [])
    throttle.reserve_attempts(session, keys)
    user = get_by_email(session, email)
    if user is None or not user.is_active or not verify_password(user, password):
        throttle.record_failure(session, keys)
        return None
    throttle.clear_failures(session, keys)
    user.last_login_at = utcnow()
    return user
