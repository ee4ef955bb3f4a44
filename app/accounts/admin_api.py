"""Administration API: users and their roles. Every endpoint needs the admin role (403 otherwise)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.accounts import credentials, deps, service
from app.accounts.models import Role, User
from app.accounts.schemas import RoleGrantOut, RoleIn, UserAdminOut
from app.db import SessionDep
from app.web.api import problems

ADMIN_ONLY = problems(e401="Not signed in", e403="The admin role is needed", e404="No such user")

router = APIRouter(prefix="/admin/users", tags=["administration"], responses=ADMIN_ONLY)


def _out(user: User) -> UserAdminOut:
    return UserAdminOut(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        language=user.language,
        roles=sorted(user.roles),
        organisation_id=user.organisation_id,
        email_verified_at=user.email_verified_at,
        is_active=user.is_active,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


@router.get("", response_model=list[UserAdminOut], summary="Find users")
def users(
    session: SessionDep,
    admin: deps.AdminUser,
    response: Response,
    q: Annotated[str, Query(max_length=100, description="Part of the name or email")] = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
):
    """Newest first; the `X-Total-Count` header says how many match in all."""
    found, total = service.search_users(session, q, offset=offset, limit=limit)
    response.headers["X-Total-Count"] = str(total)
    return [_out(u) for u in found]


@router.post(
    "/{user_id}/roles", response_model=RoleGrantOut, status_code=201, summary="Grant a role"
)
def grant_role(session: SessionDep, admin: deps.AdminUser, person: deps.ManagedUser, body: RoleIn):
    """Records who granted the role and when. Granting a role the user holds returns the existing grant."""
    grant = service.grant_role(session, person, body.role, by=admin)
    return next(g for g in service.role_history(session, person) if g["id"] == grant.id)


@router.delete(
    "/{user_id}/roles/{role}",
    status_code=204,
    summary="Remove a role",
    responses=problems(e409="An admin cannot remove their own admin role"),
)
def revoke_role(session: SessionDep, admin: deps.AdminUser, person: deps.ManagedUser, role: Role):
    """Ends the active grant; the grant stays in the history with who removed it and when."""
    service.revoke_role(session, person, role, by=admin)
    return Response(status_code=204)


@router.get(
    "/{user_id}/role-grants", response_model=list[RoleGrantOut], summary="Role history of a user"
)
def role_grants(session: SessionDep, admin: deps.AdminUser, person: deps.ManagedUser):
    """Every grant, newest first: role, granted by and when, revoked by and when."""
    return service.role_history(session, person)


@router.post("/{user_id}/sign-out", status_code=204, summary="Sign a user out everywhere")
def sign_out_everywhere(session: SessionDep, admin: deps.AdminUser, person: deps.ManagedUser):
    """Ends every web session of the user and revokes their access and personal tokens."""
    credentials.end_sessions(session, person)
    return Response(status_code=204)
