"""Who a person is (user groups) and the roles they ask for.

Registration asks the user group; its role is requested then. Self-service roles
(submitter, enterprise, investor, intermediary, agency) are granted when the e-mail
address is verified, recorded like any grant (`RoleGrant`, granted by nobody). Reviewer
status is requested with the person's expertise and granted by a coordinator.
Coordinator and admin are granted by an administrator only (admin pages).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.accounts import service
from app.accounts.models import (
    GROUP_ROLES,
    REQUESTABLE_ROLES,
    SELF_SERVICE_ROLES,
    Role,
    RoleRequest,
    RoleRequestStatus,
    User,
    UserGroup,
)
from app.db import utcnow
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.i18n import _


def group_label(group: str) -> str:
    labels: dict[str, str] = {
        UserGroup.scientist: _("Scientist or inventor"),
        UserGroup.enterprise: _("Enterprise"),
        UserGroup.investor: _("Investor or fund"),
        UserGroup.intermediary: _("Intermediary (technology transfer, IP services)"),
        UserGroup.agency: _("State agency"),
    }
    return labels.get(group, group)


def group_choices() -> list[tuple[str, str]]:
    return [(g.value, group_label(g)) for g in UserGroup]


def request_role(session: Session, user: User, role: Role, note: str = "") -> RoleRequest | None:
    """Ask for `role`. A self-service role is granted at once if the address is verified
    (else at verification); reviewer status waits for a coordinator. None if already held."""
    if role in user.roles:
        return None
    if role not in SELF_SERVICE_ROLES and role not in REQUESTABLE_ROLES:
        raise PermissionDenied(_("This role is granted by an administrator."))
    note = note.strip()
    if role == Role.reviewer and not note and not user.expertise_fields:
        raise ValidationFailed(
            _("Describe your expertise so that a coordinator can approve the request."),
            errors={"note": _("Describe your expertise.")},
        )
    pending = session.exec(
        select(RoleRequest).where(
            RoleRequest.user_id == user.id,
            RoleRequest.role == role,
            RoleRequest.status == RoleRequestStatus.pending,
        )
    ).first()
    if pending is not None:
        if note:
            pending.note = note
        return pending
    request = RoleRequest(user_id=user.id, role=role, note=note)
    session.add(request)
    session.flush()
    if role in SELF_SERVICE_ROLES and user.is_verified:
        _grant(session, request, user, by=None)
    return request


def request_group(session: Session, user: User, group: UserGroup | str) -> RoleRequest | None:
    return request_role(session, user, GROUP_ROLES[UserGroup(group)])


def _grant(session: Session, request: RoleRequest, user: User, *, by: User | None) -> None:
    service.grant_role(session, user, Role(request.role), by=by)
    request.status, request.decided_at = RoleRequestStatus.granted, utcnow()
    request.decided_by_id = by.id if by else None
    session.add(request)


def on_verified(session: Session, user: User) -> None:
    """Grant the self-service roles the person asked for, now that their address is proven."""
    for request in pending_of(session, user):
        if request.role in SELF_SERVICE_ROLES:
            _grant(session, request, user, by=None)


def pending_of(session: Session, user: User) -> list[RoleRequest]:
    return list(
        session.exec(
            select(RoleRequest)
            .where(RoleRequest.user_id == user.id, RoleRequest.status == RoleRequestStatus.pending)
            .order_by(col(RoleRequest.id))
        )
    )


def pending_reviewer_requests(session: Session) -> list[tuple[RoleRequest, User]]:
    rows = session.exec(
        select(RoleRequest, User)
        .join(User, col(User.id) == col(RoleRequest.user_id))
        .where(RoleRequest.role == Role.reviewer, RoleRequest.status == RoleRequestStatus.pending)
        .order_by(col(RoleRequest.created_at))
    ).all()
    return [(r, u) for r, u in rows]


def decide(
    session: Session, coordinator: User, request_id: int, *, grant: bool, note: str = ""
) -> RoleRequest:
    """A coordinator grants or refuses a reviewer request."""
    if not ({Role.coordinator, Role.admin} & coordinator.roles):
        raise PermissionDenied(_("Only coordinators decide on reviewer requests."))
    request = session.get(RoleRequest, request_id)
    if request is None or request.role not in REQUESTABLE_ROLES:
        raise NotFound(_("No such request."))
    if request.status != RoleRequestStatus.pending:
        raise Conflict(_("This request was already decided."))
    user = session.get(User, request.user_id)
    assert user is not None
    if grant:
        _grant(session, request, user, by=coordinator)
    else:
        request.status, request.decided_at = RoleRequestStatus.refused, utcnow()
        request.decided_by_id = coordinator.id
    request.decision_note = note.strip()
    session.add(request)
    return request
