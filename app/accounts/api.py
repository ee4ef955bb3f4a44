"""Account API: the OAuth2 password flow, the signed-in user's profile and tokens, organisations.

Administration endpoints live in admin_api.py, included here (only api.py is mounted).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from app.accounts import admin_api, credentials, deps, membership_api, memberships, service
from app.accounts.models import User
from app.accounts.schemas import (
    OrganisationIn,
    OrganisationOut,
    PersonalTokenCreated,
    PersonalTokenIn,
    PersonalTokenOut,
    Profile,
    ProfileUpdate,
    TokenOut,
)
from app.config import get_settings
from app.db import SessionDep
from app.errors import problem
from app.i18n import _
from app.web.api import problems, public

router = APIRouter(tags=["accounts"])
router.include_router(admin_api.router)
router.include_router(membership_api.router)

NEEDS_SIGN_IN = problems(e401="Missing, invalid, expired or revoked token")


def profile_of(session: SessionDep, user: User) -> Profile:
    membership = (
        memberships.get(session, user.organisation_id, user.id)
        if user.organisation_id and user.id
        else None
    )
    return Profile(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        language=user.language,
        roles=sorted(user.roles),
        organisation_id=user.organisation_id,
        email_verified_at=user.email_verified_at,
        phone=user.phone,
        province=user.province,
        expertise_keywords=user.expertise_keywords,
        expertise_fields=user.expertise_fields,
        organisation_membership=membership.state if membership else None,
    )


@router.post(
    "/auth/token",
    response_model=TokenOut,
    summary="Sign in (OAuth2 password flow)",
    responses=problems(
        e401="Wrong credentials or unconfirmed email",
        e429="Too many failed attempts: locked for a while",
    ),
)
@public
def token(
    request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
):
    """Exchange email (`username`) and password for a bearer access token.

    The token expires after the configured number of minutes; the Authorize
    button of this page uses this endpoint. Repeated failures lock the email
    for a while (429).
    """
    user = service.authenticate(
        session, form.username, form.password, client_ip=deps.client_ip(request)
    )
    if user is None or not user.is_verified:
        # Returned rather than raised, so the failure count is committed.
        detail = (
            _("Wrong email or password.")
            if user is None
            else _("Please confirm your email address first.")
        )
        return problem(request, 401, "invalid-credentials", _("Please sign in"), detail)
    minutes = get_settings().access_token_minutes
    _token, plain = credentials.issue_token(
        session, user, kind="access", lifetime=timedelta(minutes=minutes)
    )
    return TokenOut(access_token=plain, expires_in=minutes * 60)


@router.get("/me", response_model=Profile, summary="Who am I", responses=NEEDS_SIGN_IN)
def me(session: SessionDep, user: deps.CurrentUser):
    """The user the request is authenticated as, with their profile and roles."""
    return profile_of(session, user)


@router.patch(
    "/me",
    response_model=Profile,
    summary="Update my profile",
    responses={**NEEDS_SIGN_IN, **problems(e422="Invalid field values")},
)
def update_me(session: SessionDep, user: deps.CurrentUser, changes: ProfileUpdate):
    """Change only the fields sent. Expertise keywords and fields are lists of strings;
    `organisation_id` must name an existing organisation (see `GET /organisations`).
    A new organisation is a membership request (`organisation_membership: requested`): it
    grants nothing until a manager of the organisation (or a coordinator) approves it."""
    service.update_profile(session, user, changes.model_dump(exclude_unset=True))
    return profile_of(session, user)


@router.get(
    "/me/tokens",
    response_model=list[PersonalTokenOut],
    summary="My personal access tokens",
    responses=NEEDS_SIGN_IN,
)
def list_tokens(session: SessionDep, user: deps.CurrentUser):
    """Active tokens first, then revoked ones; only a prefix of each token is shown."""
    return credentials.personal_tokens(session, user)


@router.post(
    "/me/tokens",
    response_model=PersonalTokenCreated,
    status_code=201,
    summary="Create a personal access token",
    responses=NEEDS_SIGN_IN,
)
def create_token(session: SessionDep, user: deps.CurrentUser, body: PersonalTokenIn):
    """A token for scripts, sent as `Authorization: Bearer <token>`. It is valid until revoked.
    The `token` field of this answer is the only time the token is shown: it is stored hashed."""
    token, plain = credentials.create_personal_token(session, user, body.name)
    return PersonalTokenCreated(**PersonalTokenOut.model_validate(token).model_dump(), token=plain)


@router.delete(
    "/me/tokens/{token_id}",
    status_code=204,
    summary="Revoke a personal access token",
    responses={**NEEDS_SIGN_IN, **problems(e404="No such token of yours")},
)
def delete_token(session: SessionDep, user: deps.CurrentUser, token_id: int):
    """The token stops working at once; it stays listed as revoked."""
    credentials.revoke_token(session, user, token_id)
    return Response(status_code=204)


@router.get("/organisations", response_model=list[OrganisationOut], summary="Find organisations")
@public
def organisations(
    session: SessionDep,
    q: Annotated[str, Query(max_length=100, description="Part of the name, any case")] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
):
    """Organisations whose name contains `q`, to reuse one instead of entering it again. Public."""
    return service.search_organisations(session, q, limit=limit)


@router.post(
    "/organisations",
    response_model=OrganisationOut,
    summary="Add an organisation",
    responses=NEEDS_SIGN_IN,
    status_code=201,
)
def create_organisation(session: SessionDep, user: deps.CurrentUser, body: OrganisationIn):
    """Creates the organisation, or returns the existing one of the same name (any case) and type."""
    return service.find_or_create_organisation(session, **body.model_dump())
